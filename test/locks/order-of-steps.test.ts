/**
 * The order of the steps inside lock and unlock, seen through what it makes observable: an IRQ
 * pending at irq_restore runs before preempt_enable (so with preempt_count 1), softirqs pending at
 * the unlock of a _bh lock run inside local_bh_enable (0x101 on a normal kernel), and the trace of
 * each operation follows the kernel's sequence (docs/SEMANTICS.md "Lock operations, step by step").
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Context, type Kernel, type FreshTaskState } from '../../src/index.js'
import { kinds, loose } from './helpers.js'
import { eventText } from '../../src/export/trace.js'

const events = (k: Kernel): string[] => k.trace.map((e) => eventText(e))
const indexOf = (k: Kernel, event: string): number => {
  const i = events(k).indexOf(event)
  if (i < 0) throw new Error(`no trace event '${event}'`)
  return i
}

interface IrqSeen {
  preemptCount: number
  irqsDisabled: boolean
  inHardirq: boolean
  comm: string
  held: readonly string[]
}

/** A kernel with a no-thread handler on line 7 that records what it sees. */
const withRecordingIrq = (preemptRt: boolean) => {
  const k = createKernel({ trace: true, preemptRt })
  const seen: IrqSeen[] = []
  k.requestIrq(
    7,
    'dev',
    (ctx) => {
      const v = k.cpu(0)
      seen.push({ preemptCount: v.preemptCount, irqsDisabled: v.irqsDisabled, inHardirq: v.inHardirq(), comm: ctx.comm, held: k.heldLocks(0) })
    },
    { noThread: true },
  )
  return { k, seen }
}

describe('an IRQ pending at unlock is taken between irq_restore/irq_enable and preempt_enable', () => {
  const cases: [string, boolean, (k: Kernel) => { lock: object; method: string; label: string }][] = [
    ['raw_spin_unlock_irqrestore, normal kernel', false, (k) => ({ lock: k.rawSpinLock('hw', {}), method: 'withLockedIrqSave', label: "raw_spinlock_t 'hw'" })],
    ['raw_spin_unlock_irqrestore, PREEMPT_RT', true, (k) => ({ lock: k.rawSpinLock('hw', {}), method: 'withLockedIrqSave', label: "raw_spinlock_t 'hw'" })],
    ['raw_spin_unlock_irq, normal kernel', false, (k) => ({ lock: k.rawSpinLock('hw', {}), method: 'withLockedIrq', label: "raw_spinlock_t 'hw'" })],
    ['raw_spin_unlock_irq, PREEMPT_RT', true, (k) => ({ lock: k.rawSpinLock('hw', {}), method: 'withLockedIrq', label: "raw_spinlock_t 'hw'" })],
    ['spin_unlock_irqrestore, normal kernel', false, (k) => ({ lock: k.spinLock('dev', {}), method: 'withLockedIrqSave', label: "spinlock_t 'dev'" })],
    ['spin_unlock_irq, normal kernel', false, (k) => ({ lock: k.spinLock('dev', {}), method: 'withLockedIrq', label: "spinlock_t 'dev'" })],
    ['read_unlock_irqrestore, normal kernel', false, (k) => ({ lock: k.rwLock('rw', {}), method: 'withReadIrqSave', label: "rwlock_t 'rw' (read)" })],
    ['write_unlock_irqrestore, normal kernel', false, (k) => ({ lock: k.rwLock('rw', {}), method: 'withWriteIrqSave', label: "rwlock_t 'rw'" })],
    ['SpinLockIrq unlock, normal kernel', false, (k) => ({ lock: k.spinLockIrq('sli', {}), method: 'withLocked', label: "SpinLockIrq 'sli'" })],
  ]

  it.each(cases)('%s: the handler sees preempt_count 0x10001', (_name, preemptRt, make) => {
    const { k, seen } = withRecordingIrq(preemptRt)
    const { lock, method, label } = make(k)
    const before = k.snapshot()
    let pendingInside: readonly number[] = []
    let seenInside = -1
    k.run((ctx) =>
      loose(lock, method)(ctx, (c) => {
        ;(c as Context<FreshTaskState>).raiseIrq(7)
        pendingInside = k.cpu(0).pendingIrqs
        seenInside = seen.length
      }),
    )
    expect(pendingInside).toEqual([7])
    expect(seenInside).toBe(0)
    expect(seen).toEqual([{ preemptCount: 0x10001, irqsDisabled: true, inHardirq: true, comm: 'task-1', held: [] }])
    const unlock = indexOf(k, `unlock ${label}`)
    const restore = events(k).findIndex((e, i) => i > unlock && (e === 'local_irq_restore' || e === 'local_irq_enable'))
    const enter = indexOf(k, 'irq_enter')
    const entry = indexOf(k, 'irq_handler_entry 7 dev')
    const exit = indexOf(k, 'irq_exit')
    const preemptEnable = events(k).findIndex((e, i) => i > unlock && e === 'preempt_enable')
    expect(unlock).toBeLessThan(restore)
    expect(restore).toBeLessThan(enter)
    expect(enter).toBeLessThan(entry)
    expect(exit).toBeLessThan(preemptEnable)
    expect(k.trace[enter]?.preemptCount).toBe(0x10001)
    expect(k.trace[preemptEnable]?.preemptCount).toBe(0)
    expect(k.snapshot()).toEqual(before)
    expect(k.diagnostics).toEqual([])
  })

  it('local_unlock_irqrestore on a normal kernel: no preempt_disable, the handler sees 0x10000', () => {
    const { k, seen } = withRecordingIrq(false)
    const ll = k.localLock('pcp', () => ({}))
    k.run((ctx) => ll.withLockedIrqSave(ctx, (c) => c.raiseIrq(7)))
    expect(seen).toEqual([{ preemptCount: 0x10000, irqsDisabled: true, inHardirq: true, comm: 'task-1', held: [] }])
    expect(events(k).indexOf('irq_enter')).toBeGreaterThan(indexOf(k, 'local_irq_restore'))
  })

  it('RT spin_lock_irqsave leaves interrupts on: the IRQ is taken at once, inside the section', () => {
    const { k, seen } = withRecordingIrq(true)
    const s = k.spinLock('dev', {})
    const log: string[] = []
    k.run((ctx) =>
      s.withLockedIrqSave(ctx, (c) => {
        log.push('before raise')
        c.raiseIrq(7)
        log.push(`after raise: ${seen.length}`)
      }),
    )
    expect(log).toEqual(['before raise', 'after raise: 1'])
    expect(seen).toEqual([{ preemptCount: 0x10000, irqsDisabled: true, inHardirq: true, comm: 'task-1', held: ['dev'] }])
    expect(indexOf(k, 'irq_enter')).toBeLessThan(indexOf(k, "unlock spinlock_t 'dev'"))
    expect(events(k)).not.toContain('local_irq_save')
    expect(events(k)).not.toContain('local_irq_restore')
  })

  it('a pending IRQ at the unlock of an inner irqsave lock whose outer one still has interrupts off waits for the outer', () => {
    const { k, seen } = withRecordingIrq(false)
    const outer = k.rawSpinLock('outer', {})
    const inner = k.rawSpinLock('inner', {})
    k.run((ctx) =>
      outer.withLockedIrqSave(ctx, (c1) => {
        inner.withLockedIrqSave(c1, (c2) => c2.raiseIrq(7))
        expect(seen).toEqual([])
        expect(k.cpu(0).pendingIrqs).toEqual([7])
        expect(k.cpu(0).preemptCount).toBe(1)
      }),
    )
    expect(seen).toEqual([{ preemptCount: 0x10001, irqsDisabled: true, inHardirq: true, comm: 'task-1', held: [] }])
  })
})

describe('softirqs raised inside a _bh section run at its unlock', () => {
  interface SoftSeen {
    preemptCount: number
    softirqCount: number
    irqsDisabled: boolean
    inServingSoftirq: boolean
    migrationDisabled: number
    rcuReadLockNesting: number
    comm: string
    held: readonly string[]
  }
  const make = (preemptRt: boolean) => {
    const k = createKernel({ trace: true, preemptRt })
    const seen: SoftSeen[] = []
    k.openSoftirq('NET_RX', (ctx) => {
      const v = k.cpu(0)
      seen.push({
        preemptCount: v.preemptCount,
        softirqCount: v.softirqCount(),
        irqsDisabled: v.irqsDisabled,
        inServingSoftirq: v.inServingSoftirq(),
        migrationDisabled: v.current.migrationDisabled,
        rcuReadLockNesting: v.current.rcuReadLockNesting,
        comm: ctx.comm,
        held: k.heldLocks(0),
      })
    })
    return { k, seen }
  }

  const normal: [string, (k: Kernel) => { lock: object; method: string; label: string }][] = [
    ['spin_unlock_bh', (k) => ({ lock: k.spinLock('s', {}), method: 'withLockedBh', label: "spinlock_t 's'" })],
    ['raw_spin_unlock_bh', (k) => ({ lock: k.rawSpinLock('r', {}), method: 'withLockedBh', label: "raw_spinlock_t 'r'" })],
    ['read_unlock_bh', (k) => ({ lock: k.rwLock('rw', {}), method: 'withReadBh', label: "rwlock_t 'rw' (read)" })],
    ['write_unlock_bh', (k) => ({ lock: k.rwLock('rw', {}), method: 'withWriteBh', label: "rwlock_t 'rw'" })],
  ]

  it.each(normal)('normal kernel, %s: pending until the unlock, then run with preempt_count 0x101', (_n, makeLock) => {
    const { k, seen } = make(false)
    const { lock, method, label } = makeLock(k)
    const before = k.snapshot()
    let pendingInside = -1
    k.run((ctx) =>
      loose(lock, method)(ctx, (c) => {
        ;(c as Context<FreshTaskState>).raiseSoftirq('NET_RX')
        pendingInside = k.cpu(0).softirqPending
        expect(seen).toEqual([])
      }),
    )
    expect(pendingInside).toBe(1 << 3)
    expect(seen).toEqual([
      {
        preemptCount: 0x101,
        softirqCount: 0x100,
        irqsDisabled: false,
        inServingSoftirq: true,
        migrationDisabled: 0,
        rcuReadLockNesting: 0,
        comm: 'task-1',
        held: [],
      },
    ])
    const ev = events(k)
    const unlock = indexOf(k, `unlock ${label}`)
    const bhEnable = ev.findIndex((e, i) => i > unlock && e === 'local_bh_enable')
    const entry = indexOf(k, 'softirq_entry vec=3 [action=NET_RX]')
    expect(unlock).toBeLessThan(bhEnable)
    expect(bhEnable).toBeLessThan(entry)
    expect(k.trace[bhEnable]?.preemptCount).toBe(0x001)
    expect(k.trace[entry]?.preemptCount).toBe(0x101)
    // Run in the task, not handed to ksoftirqd.
    expect(ev.some((e) => e.includes('ksoftirqd'))).toBe(false)
    expect(k.snapshot()).toEqual(before)
  })

  it('PREEMPT_RT spin_unlock_bh: run in the task at local_bh_enable, preempt_count 0, serving count 0x100', () => {
    const { k, seen } = make(true)
    const s = k.spinLock('s', {})
    const before = k.snapshot()
    k.run((ctx) => s.withLockedBh(ctx, (c) => c.raiseSoftirq('NET_RX')))
    // The lock is already dropped (its migrate/RCU level too); BH's own first-entry level remains.
    expect(seen).toEqual([
      {
        preemptCount: 0,
        softirqCount: 0x100,
        irqsDisabled: false,
        inServingSoftirq: true,
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        comm: 'task-1',
        held: [],
      },
    ])
    expect(indexOf(k, "unlock spinlock_t 's'")).toBeLessThan(indexOf(k, 'softirq_entry vec=3 [action=NET_RX]'))
    expect(k.snapshot()).toEqual(before)
  })

  it('PREEMPT_RT raw_spin_unlock_bh: the raw lock is released before the softirqs run (preempt_count 0)', () => {
    const { k, seen } = make(true)
    const r = k.rawSpinLock('r', {})
    k.run((ctx) => r.withLockedBh(ctx, (c) => c.raiseSoftirq('NET_RX')))
    expect(seen).toEqual([
      {
        preemptCount: 0,
        softirqCount: 0x100,
        irqsDisabled: false,
        inServingSoftirq: true,
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        comm: 'task-1',
        held: [],
      },
    ])
    expect(kinds(k)).toEqual([])
  })
})

describe('each operation replays the kernel sequence (trace)', () => {
  /** The trace events of the lock steps and of the unlock steps of one section. */
  const stepsOf = (preemptRt: boolean, make: (k: Kernel) => object, method: string) => {
    const k = createKernel({ trace: true, preemptRt })
    const lock = make(k)
    let start = 0
    let inside = 0
    let end = 0
    let after = 0
    k.run((ctx) => {
      start = k.trace.length
      loose(lock, method)(ctx, () => {
        inside = k.trace.length
        end = k.trace.length
      })
      after = k.trace.length
    })
    const ev = events(k)
    return { lock: ev.slice(start, inside), unlock: ev.slice(end, after), k }
  }

  const cases: [string, boolean, (k: Kernel) => object, string, string[], string[]][] = [
    [
      '!RT raw_spin_lock',
      false,
      (k) => k.rawSpinLock('x', {}),
      'withLocked',
      ['preempt_disable', "lock raw_spinlock_t 'x'"],
      ["unlock raw_spinlock_t 'x'", 'preempt_enable'],
    ],
    [
      '!RT spin_lock_irq',
      false,
      (k) => k.spinLock('x', {}),
      'withLockedIrq',
      ['local_irq_disable', 'preempt_disable', "lock spinlock_t 'x'"],
      ["unlock spinlock_t 'x'", 'local_irq_enable', 'preempt_enable'],
    ],
    [
      '!RT spin_lock_irqsave',
      false,
      (k) => k.spinLock('x', {}),
      'withLockedIrqSave',
      ['local_irq_save', 'preempt_disable', "lock spinlock_t 'x'"],
      ["unlock spinlock_t 'x'", 'local_irq_restore', 'preempt_enable'],
    ],
    [
      '!RT spin_lock_bh',
      false,
      (k) => k.spinLock('x', {}),
      'withLockedBh',
      ['local_bh_disable', "lock spinlock_t 'x'"],
      ["unlock spinlock_t 'x'", 'local_bh_enable'],
    ],
    [
      '!RT read_lock',
      false,
      (k) => k.rwLock('x', {}),
      'withRead',
      ['preempt_disable', "lock rwlock_t 'x' (read)"],
      ["unlock rwlock_t 'x' (read)", 'preempt_enable'],
    ],
    [
      '!RT local_lock',
      false,
      (k) => k.localLock('x', () => ({})),
      'withLocked',
      ['preempt_disable', "lock local_lock_t 'x'"],
      ["unlock local_lock_t 'x'", 'preempt_enable'],
    ],
    [
      '!RT local_lock_irq',
      false,
      (k) => k.localLock('x', () => ({})),
      'withLockedIrq',
      ['local_irq_disable', "lock local_lock_t 'x'"],
      ["unlock local_lock_t 'x'", 'local_irq_enable'],
    ],
    [
      '!RT local_lock_irqsave',
      false,
      (k) => k.localLock('x', () => ({})),
      'withLockedIrqSave',
      ['local_irq_save', "lock local_lock_t 'x'"],
      ["unlock local_lock_t 'x'", 'local_irq_restore'],
    ],
    ['!RT mutex_lock', false, (k) => k.mutex('x', {}), 'withLocked', ["lock mutex 'x'"], ["unlock mutex 'x'"]],
    ['!RT down_read', false, (k) => k.rwSemaphore('x', {}), 'withRead', ["lock rw_semaphore 'x' (read)"], ["unlock rw_semaphore 'x' (read)"]],
    [
      'RT raw_spin_lock_irqsave',
      true,
      (k) => k.rawSpinLock('x', {}),
      'withLockedIrqSave',
      ['local_irq_save', 'preempt_disable', "lock raw_spinlock_t 'x'"],
      ["unlock raw_spinlock_t 'x'", 'local_irq_restore', 'preempt_enable'],
    ],
    [
      'RT raw_spin_lock_bh',
      true,
      (k) => k.rawSpinLock('x', {}),
      'withLockedBh',
      ['migrate_disable', 'rcu_read_lock', 'local_bh_disable', "lock raw_spinlock_t 'x'"],
      ["unlock raw_spinlock_t 'x'", 'migrate_enable', 'rcu_read_unlock', 'local_bh_enable'],
    ],
    [
      'RT spin_lock',
      true,
      (k) => k.spinLock('x', {}),
      'withLocked',
      ["lock spinlock_t 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock spinlock_t 'x'", 'migrate_enable', 'rcu_read_unlock'],
    ],
    [
      'RT spin_lock_irqsave (no irq op)',
      true,
      (k) => k.spinLock('x', {}),
      'withLockedIrqSave',
      ["lock spinlock_t 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock spinlock_t 'x'", 'migrate_enable', 'rcu_read_unlock'],
    ],
    [
      'RT spin_lock_bh',
      true,
      (k) => k.spinLock('x', {}),
      'withLockedBh',
      ['migrate_disable', 'rcu_read_lock', 'local_bh_disable', "lock spinlock_t 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock spinlock_t 'x'", 'migrate_enable', 'rcu_read_unlock', 'migrate_enable', 'rcu_read_unlock', 'local_bh_enable'],
    ],
    // rt_write_unlock drops RCU before migrate_enable; rt_read_unlock the other way round.
    [
      'RT write_lock',
      true,
      (k) => k.rwLock('x', {}),
      'withWrite',
      ["lock rwlock_t 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock rwlock_t 'x'", 'rcu_read_unlock', 'migrate_enable'],
    ],
    [
      'RT read_lock',
      true,
      (k) => k.rwLock('x', {}),
      'withRead',
      ["lock rwlock_t 'x' (read)", 'rcu_read_lock', 'migrate_disable'],
      ["unlock rwlock_t 'x' (read)", 'migrate_enable', 'rcu_read_unlock'],
    ],
    [
      'RT local_lock',
      true,
      (k) => k.localLock('x', () => ({})),
      'withLocked',
      ['migrate_disable', "lock local_lock_t 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock local_lock_t 'x'", 'migrate_enable', 'rcu_read_unlock', 'migrate_enable'],
    ],
    [
      'RT SpinLockIrq',
      true,
      (k) => k.spinLockIrq('x', {}),
      'withLocked',
      ["lock SpinLockIrq 'x'", 'rcu_read_lock', 'migrate_disable'],
      ["unlock SpinLockIrq 'x'", 'migrate_enable', 'rcu_read_unlock'],
    ],
    ['RT mutex_lock', true, (k) => k.mutex('x', {}), 'withLocked', ["lock mutex 'x'"], ["unlock mutex 'x'"]],
  ]

  it.each(cases)('%s', (_n, preemptRt, make, method, lockSteps, unlockSteps) => {
    const { lock, unlock, k } = stepsOf(preemptRt, make, method)
    expect(lock).toEqual(lockSteps)
    expect(unlock).toEqual(unlockSteps)
    expect(k.diagnostics).toEqual([])
  })

  it('!RT spin_lock_bh adds 0x201 in one step', () => {
    const { k } = stepsOf(false, (kk) => kk.spinLock('x', {}), 'withLockedBh')
    expect(k.trace.find((e) => eventText(e) === 'local_bh_disable')?.preemptCount).toBe(0x201)
  })
})

describe('lockdep annotation versus the might-sleep check: which reports first', () => {
  it('RT rt_spin_lock annotates before rtlock_might_resched: invalid wait context, then sleeping', () => {
    const k = createKernel({ preemptRt: true })
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('s', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => undefined)))
    expect(kinds(k)).toEqual(['invalid-wait-context', 'sleeping-in-atomic'])
  })

  it('RT rt_write_lock checks might-resched before the annotation: sleeping, then invalid wait context', () => {
    const k = createKernel({ preemptRt: true })
    const raw = k.rawSpinLock('hw', {})
    const rw = k.rwLock('rw', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(rw, 'withWrite')(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
  })

  it('RT rt_read_lock likewise: sleeping, then invalid wait context', () => {
    const k = createKernel({ preemptRt: true })
    const raw = k.rawSpinLock('hw', {})
    const rw = k.rwLock('rw', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(rw, 'withRead')(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
  })

  it.each([false, true])('mutex_lock: might_sleep before the annotation (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const raw = k.rawSpinLock('hw', {})
    const m = k.mutex('m', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(m)(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
  })
})
