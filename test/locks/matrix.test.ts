/**
 * Every lock kind × every method × normal/PREEMPT_RT: the CPU counters inside the section, written
 * out per case from the kernel's tables (docs/SEMANTICS.md "Lock operations, step by step"), and
 * everything back as before after it.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'
import { METHODS } from '../../src/locks/api.js'
import type { LockKind } from '../../src/kinds/lock-kinds.js'
import { counters, loose, type CpuCounters } from './helpers.js'

/** Expected values inside the section (softirqDisableCnt: RT only; always 0 on a normal kernel). */
interface Expected {
  readonly preemptCount: number
  readonly irqsDisabled: boolean
  readonly migrationDisabled: number
  readonly rcuReadLockNesting: number
  readonly softirqCount: number
}

interface Row {
  readonly normal: Expected
  readonly rt: Expected
}

const NOTHING: Expected = { preemptCount: 0, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 }

const MATRIX: { readonly [K in LockKind]: { readonly [M in keyof (typeof METHODS)[K]]: Row } } = {
  raw_spinlock_t: {
    // raw_spin_lock: preempt_disable on both kernels.
    withLocked: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
    },
    withLockedIrq: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
    },
    withLockedIrqSave: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
    },
    // raw_spin_lock_bh: SOFTIRQ_LOCK_OFFSET 0x201 on !RT; on RT 0x200 into the task's count, preempt_count
    // untouched, first BH entry of a preemptible task: migrate_disable + rcu_read_lock.
    withLockedBh: {
      normal: { preemptCount: 0x201, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0x200 },
    },
  },
  spinlock_t: {
    withLocked: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    // spin_lock_irq / _irqsave on RT leave the interrupt flag alone.
    withLockedIrq: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withLockedIrqSave: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    // RT spin_lock_bh: local_bh_disable (migrate 1, rcu 1) + rt_spin_lock (migrate 2, rcu 2).
    withLockedBh: {
      normal: { preemptCount: 0x201, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 2, softirqCount: 0x200 },
    },
  },
  rwlock_t: {
    withLocked: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withRead: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withWrite: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withReadIrq: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withWriteIrq: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withReadIrqSave: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withWriteIrqSave: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withReadBh: {
      normal: { preemptCount: 0x201, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 2, softirqCount: 0x200 },
    },
    withWriteBh: {
      normal: { preemptCount: 0x201, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 2, softirqCount: 0x200 },
    },
  },
  local_lock_t: {
    // RT local_lock: migrate_disable, then spin_lock (migrate_disable again, rcu_read_lock).
    withLocked: {
      normal: { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    // !RT local_lock_irq[save]: interrupts off, no preempt_disable.
    withLockedIrq: {
      normal: { preemptCount: 0, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 1, softirqCount: 0 },
    },
    withLockedIrqSave: {
      normal: { preemptCount: 0, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 1, softirqCount: 0 },
    },
  },
  mutex: {
    withLocked: { normal: NOTHING, rt: NOTHING },
  },
  rw_semaphore: {
    withLocked: { normal: NOTHING, rt: NOTHING },
    withRead: { normal: NOTHING, rt: NOTHING },
    withWrite: { normal: NOTHING, rt: NOTHING },
  },
  // SpinLockIrq: spin_lock_irqsave every time.
  SpinLockIrq: {
    withLocked: {
      normal: { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0 },
      rt: { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1, softirqCount: 0 },
    },
  },
}

/** A lock of `kind` named 'l' protecting `data` (local_lock_t: `init` makes the per-CPU data). */
const makeLock = (k: Kernel, kind: LockKind, data: object, init: (cpu: number) => object): object => {
  switch (kind) {
    case 'raw_spinlock_t':
      return k.rawSpinLock('l', data)
    case 'spinlock_t':
      return k.spinLock('l', data)
    case 'rwlock_t':
      return k.rwLock('l', data)
    case 'mutex':
      return k.mutex('l', data)
    case 'rw_semaphore':
      return k.rwSemaphore('l', data)
    case 'local_lock_t':
      return k.localLock('l', init)
    case 'SpinLockIrq':
      return k.spinLockIrq('l', data)
  }
}

const rows: [LockKind, string, Row][] = Object.entries(MATRIX).flatMap(([kind, methods]) =>
  Object.entries(methods as Record<string, Row>).map(([method, row]): [LockKind, string, Row] => [kind as LockKind, method, row]),
)

describe('the matrix covers every method of every kind', () => {
  it('has one row per METHODS entry, no more', () => {
    const expected = Object.entries(METHODS).flatMap(([kind, methods]) => Object.keys(methods).map((m) => `${kind}.${m}`))
    expect(rows.map(([kind, method]) => `${kind}.${method}`).sort()).toEqual(expected.sort())
    expect(rows).toHaveLength(25)
  })
})

describe.each([false, true])('preemptRt=%s', (preemptRt) => {
  it.each(rows)('%s.%s', (kind, method, row) => {
    const expected = preemptRt ? row.rt : row.normal
    const k = createKernel({ preemptRt })
    const data = { protected: kind }
    const initCalls: number[] = []
    const perCpu: object[] = []
    const init = (cpu: number): object => {
      initCalls.push(cpu)
      const d = { cpu }
      perCpu.push(d)
      return d
    }
    const lock = makeLock(k, kind, data, init)
    const kernelBefore = k.snapshot()
    let inside: CpuCounters | undefined
    let heldInside: readonly string[] = []
    let seenData: unknown
    let taskBefore: unknown
    let taskAfter: unknown
    let heldAfter: readonly string[] = ['?']
    const result = k.run((ctx) => {
      taskBefore = k.snapshot()
      const r = loose(lock, method)(ctx, (_c, d) => {
        inside = counters(k.cpu(0))
        heldInside = k.heldLocks()
        seenData = d
        return 'result'
      })
      taskAfter = k.snapshot()
      heldAfter = k.heldLocks()
      return r
    })

    expect(result).toBe('result')
    expect(inside).toEqual({
      preemptCount: expected.preemptCount,
      irqsDisabled: expected.irqsDisabled,
      migrationDisabled: expected.migrationDisabled,
      rcuReadLockNesting: expected.rcuReadLockNesting,
      softirqCount: expected.softirqCount,
      // softirq_count() reads the task's softirq_disable_cnt on RT; on a normal kernel it stays 0.
      softirqDisableCnt: preemptRt ? expected.softirqCount : 0,
    })
    expect(heldInside).toEqual(['l'])
    expect(heldAfter).toEqual([])
    expect(taskAfter).toEqual(taskBefore)
    expect(k.snapshot()).toEqual(kernelBefore)
    expect(k.heldLocks()).toEqual([])
    expect(k.diagnostics).toEqual([])
    if (kind === 'local_lock_t') {
      expect(initCalls).toEqual([0])
      expect(seenData).toBe(perCpu[0])
      expect(seenData).toEqual({ cpu: 0 })
    } else {
      expect(seenData).toBe(data)
      expect(initCalls).toEqual([])
    }
  })
})

describe.each([false, true])('local_lock_t per-CPU data, preemptRt=%s', (preemptRt) => {
  it('init(cpu) runs once per CPU, and each CPU sees its own object', () => {
    const k = createKernel({ preemptRt, cpus: 2 })
    const made: { cpu: number; hits: number }[] = []
    const ll = k.localLock('pcp', (cpu) => {
      const d = { cpu, hits: 0 }
      made.push(d)
      return d
    })
    const seen: { cpu: number; hits: number }[] = []
    const take = (cpu: number) =>
      k.run(
        (ctx) =>
          ll.withLocked(ctx, (_c, d) => {
            d.hits++
            seen.push(d)
          }),
        { cpu },
      )
    take(0)
    take(1)
    take(0)
    take(1)
    take(1)
    expect(made.map((d) => d.cpu)).toEqual([0, 1])
    expect(made[0]).not.toBe(made[1])
    expect(seen[0]).toBe(made[0])
    expect(seen[1]).toBe(made[1])
    expect(seen[2]).toBe(made[0])
    expect(seen[3]).toBe(made[1])
    expect(seen[4]).toBe(made[1])
    expect(made).toEqual([
      { cpu: 0, hits: 2 },
      { cpu: 1, hits: 3 },
    ])
    expect(k.diagnostics).toEqual([])
  })

  it('the section on CPU 1 counts on CPU 1 only', () => {
    const k = createKernel({ preemptRt, cpus: 2 })
    const ll = k.localLock('pcp', (cpu) => ({ cpu }))
    let cpu0: CpuCounters | undefined
    let cpu1: CpuCounters | undefined
    let held: readonly (readonly string[])[] = []
    k.run(
      (ctx) =>
        ll.withLocked(ctx, (c, d) => {
          expect(c.cpuId).toBe(1)
          expect(d).toEqual({ cpu: 1 })
          cpu0 = counters(k.cpu(0))
          cpu1 = counters(k.cpu(1))
          held = [k.heldLocks(0), k.heldLocks(1)]
        }),
      { cpu: 1 },
    )
    expect(cpu0).toEqual({ preemptCount: 0, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0, softirqDisableCnt: 0 })
    expect(cpu1).toEqual(
      preemptRt
        ? { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 1, softirqCount: 0, softirqDisableCnt: 0 }
        : { preemptCount: 1, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0, softirqDisableCnt: 0 },
    )
    expect(held).toEqual([[], ['pcp']])
  })
})

describe.each([false, true])('nesting adds up, preemptRt=%s', (preemptRt) => {
  it('spin_lock_irqsave inside spin_lock_bh inside mutex: counts add, each unlock takes back its own', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    const bh = k.spinLock('bh', {})
    const irq = k.spinLock('irq', {})
    const seen: CpuCounters[] = []
    k.run((ctx) =>
      m.withLocked(ctx, (c1) => {
        seen.push(counters(k.cpu(0)))
        bh.withLockedBh(c1, (c2) => {
          seen.push(counters(k.cpu(0)))
          irq.withLockedIrqSave(c2, () => {
            seen.push(counters(k.cpu(0)))
            expect(k.heldLocks()).toEqual(['m', 'bh', 'irq'])
          })
          seen.push(counters(k.cpu(0)))
          expect(k.heldLocks()).toEqual(['m', 'bh'])
        })
        seen.push(counters(k.cpu(0)))
      }),
    )
    const none = { preemptCount: 0, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0, softirqDisableCnt: 0 }
    const inBh = preemptRt
      ? { preemptCount: 0, irqsDisabled: false, migrationDisabled: 2, rcuReadLockNesting: 2, softirqCount: 0x200, softirqDisableCnt: 0x200 }
      : { preemptCount: 0x201, irqsDisabled: false, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200, softirqDisableCnt: 0 }
    const inIrq = preemptRt
      ? { preemptCount: 0, irqsDisabled: false, migrationDisabled: 3, rcuReadLockNesting: 3, softirqCount: 0x200, softirqDisableCnt: 0x200 }
      : { preemptCount: 0x202, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0, softirqCount: 0x200, softirqDisableCnt: 0 }
    expect(seen).toEqual([none, inBh, inIrq, inBh, none])
    expect(k.diagnostics).toEqual([])
  })
})
