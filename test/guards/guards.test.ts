/**
 * Guards (`using g = lock.lock(ctx)`): the CPU state each kind's guard methods leave inside and
 * after, on both kernels; what a guard's context may and may not do; double unlocks, leaks,
 * guards held at task exit, exceptions through nested `using` blocks, and plain-JS misuse.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, InvalidArgumentError, ShadowedContextError, StaleContextError, WrongCpuError, type Kernel } from '../../src/index.js'
import { GUARD_LEAK_TITLE } from '../../src/diagnostics/titles.js'
import { DoubleUnlockError } from '../../src/errors.js'
import { GUARD_METHODS } from '../../src/locks/api.js'
import type { LockKind } from '../../src/kinds/lock-kinds.js'
import { kinds, looseGuard, makeLock, type LooseGuard } from './helpers.js'
import { eventText } from '../../src/export/trace.js'

/** The CPU counters a guard changes. */
interface State {
  readonly preemptCount: number
  readonly irqsDisabled: boolean
  readonly interruptDisableCount: number
  readonly migrationDisabled: number
  readonly rcuReadLockNesting: number
}

const state = (k: Kernel): State => {
  const v = k.cpu(0)
  return {
    preemptCount: v.preemptCount,
    irqsDisabled: v.irqsDisabled,
    interruptDisableCount: v.interruptDisableCount,
    migrationDisabled: v.current.migrationDisabled,
    rcuReadLockNesting: v.current.rcuReadLockNesting,
  }
}

const s = (preemptCount: number, irqsDisabled: boolean, interruptDisableCount: number, migrationDisabled = 0, rcuReadLockNesting = 0): State => ({
  preemptCount,
  irqsDisabled,
  interruptDisableCount,
  migrationDisabled,
  rcuReadLockNesting,
})

interface Row {
  readonly normal: State
  readonly rt: State
}

// Normal kernel: the raw sequences; IRQ variants use counted disabling (count 1) by default.
const PLAIN: Row = { normal: s(1, false, 0), rt: s(0, false, 0, 1, 1) }
const IRQ: Row = { normal: s(1, true, 1), rt: s(0, false, 0, 1, 1) }
// spin_lock_bh: SOFTIRQ_LOCK_OFFSET (0x201) on a normal kernel; RT: local_bh_disable() (first
// entry: migrate_disable + rcu_read_lock) then rt_spin_lock (another of each).
const BH: Row = { normal: s(0x201, false, 0), rt: s(0, false, 0, 2, 2) }
const SLEEPING: Row = { normal: s(0, false, 0), rt: s(0, false, 0) }
const RAW_PLAIN: Row = { normal: s(1, false, 0), rt: s(1, false, 0) }
const RAW_IRQ: Row = { normal: s(1, true, 1), rt: s(1, true, 1) }
// raw_spin_lock_bh on RT: SOFTIRQ_LOCK_OFFSET with PREEMPT_LOCK_OFFSET 0 → the task's BH count only.
const RAW_BH: Row = { normal: s(0x201, false, 0), rt: s(0, false, 0, 1, 1) }
// local_lock_t on RT: migrate_disable(), then spin_lock() of the per-CPU lock.
const LOCAL_RT = s(0, false, 0, 2, 1)

const TABLE: { readonly [K in LockKind]: { readonly [M in keyof (typeof GUARD_METHODS)[K]]: Row } } = {
  raw_spinlock_t: { lock: RAW_PLAIN, lockIrq: RAW_IRQ, lockIrqSave: RAW_IRQ, lockBh: RAW_BH },
  spinlock_t: { lock: PLAIN, lockIrq: IRQ, lockIrqSave: IRQ, lockBh: BH },
  rwlock_t: {
    lock: PLAIN,
    read: PLAIN,
    write: PLAIN,
    readIrq: IRQ,
    writeIrq: IRQ,
    readIrqSave: IRQ,
    writeIrqSave: IRQ,
    readBh: BH,
    writeBh: BH,
  },
  mutex: { lock: SLEEPING },
  rw_semaphore: { lock: SLEEPING, read: SLEEPING, write: SLEEPING },
  local_lock_t: {
    lock: { normal: s(1, false, 0), rt: LOCAL_RT },
    // local_lock_irq[save]() on a normal kernel: interrupts off only, no preempt_disable().
    lockIrq: { normal: s(0, true, 1), rt: LOCAL_RT },
    lockIrqSave: { normal: s(0, true, 1), rt: LOCAL_RT },
  },
  SpinLockIrq: { lock: IRQ },
}

const cases = Object.entries(TABLE).flatMap(([kind, methods]) =>
  Object.entries(methods as Record<string, Row>).flatMap(([method, row]) =>
    [false, true].map((preemptRt) => [kind as LockKind, method, preemptRt, preemptRt ? row.rt : row.normal] as const),
  ),
)

describe('guard methods: CPU state inside and after', () => {
  it('the table covers every guard method of every kind', () => {
    for (const [kind, methods] of Object.entries(GUARD_METHODS)) {
      expect(Object.keys(TABLE[kind as LockKind]).sort()).toEqual(Object.keys(methods).sort())
    }
  })

  it.each(cases)('%s.%s (preemptRt=%s)', (kind, method, preemptRt, inside) => {
    const k = createKernel({ preemptRt })
    const data = { n: 1 }
    const lock = makeLock(k, kind, 'l', data)
    const initial = k.snapshot()
    k.run((ctx) => {
      const before = k.snapshot()
      const g = looseGuard(lock, method)(ctx)
      expect(g.held).toBe(true)
      expect(g.data).toBe(data)
      expect(state(k)).toEqual(inside)
      expect(k.heldLocks()).toEqual(['l'])
      g.unlock()
      expect(g.held).toBe(false)
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
    })
    expect(k.snapshot()).toEqual(initial)
    expect(k.diagnostics).toEqual([])
  })

  it.each([
    ['raw_spinlock_t', 'lockIrqSave', s(1, true, 0)],
    ['raw_spinlock_t', 'lockIrq', s(1, true, 0)],
    ['spinlock_t', 'lockIrqSave', s(1, true, 0)],
    ['rwlock_t', 'readIrq', s(1, true, 0)],
    ['local_lock_t', 'lockIrqSave', s(0, true, 0)],
    ['SpinLockIrq', 'lock', s(1, true, 0)],
  ] as const)("irqDisable: 'save-restore' — %s.%s turns interrupts off without counting", (kind, method, inside) => {
    const k = createKernel({ irqDisable: 'save-restore' })
    const lock = makeLock(k, kind, 'l', 0)
    const initial = k.snapshot()
    k.run((ctx) => {
      const g = looseGuard(lock, method)(ctx)
      expect(state(k)).toEqual(inside)
      g.unlock()
      expect(state(k)).toEqual(s(0, false, 0))
    })
    expect(k.snapshot()).toEqual(initial)
    expect(k.diagnostics).toEqual([])
  })

  it('nested guards add up, and `using` releases them at the end of the block', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      {
        using a = stats.lockIrqSave(ctx)
        using b = hw.lockIrqSave(a.ctx)
        expect(b.held).toBe(true)
        expect(state(k)).toEqual(s(2, true, 2))
        expect(k.heldLocks()).toEqual(['stats', 'hw'])
      }
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual([])
    })
    expect(k.diagnostics).toEqual([])
  })
})

describe("a guard's context", () => {
  it('is stale after unlock(): every use throws StaleContextError and nothing changes', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    let handled = 0
    k.requestIrq(1, 'dev', () => {
      handled++
    })
    k.run((ctx) => {
      const g = hw.lockIrqSave(ctx)
      const stale = g.ctx
      expect(stale.live).toBe(true)
      g.unlock()
      expect(stale.live).toBe(false)
      const before = k.snapshot()
      expect(() => stale.raiseIrq(1)).toThrow(StaleContextError)
      expect(() => dev.lockIrqSave(stale)).toThrow(StaleContextError)
      expect(() => dev.withLocked(stale, () => 0)).toThrow(StaleContextError)
      expect(() => looseGuard(hw, 'lock')(stale)).toThrow(StaleContextError)
      expect(() => stale.preemptDisable(() => 0)).toThrow(StaleContextError)
      expect(() => stale.localInterruptDisable()).toThrow(StaleContextError)
      expect(() => stale.core.localIrqSave(() => 0)).toThrow(StaleContextError)
      expect(() => (stale as unknown as { mightSleep(): void }).mightSleep()).toThrow(StaleContextError)
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual([])
      expect(handled).toBe(0)
      // The outer context is the innermost again.
      using again = hw.lock(ctx)
      expect(again.held).toBe(true)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('shadows the outer context while held: ShadowedContextError, nothing changes', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.requestIrq(1, 'dev', () => undefined)
    k.run((ctx) => {
      const g = stats.lock(ctx)
      const before = k.snapshot()
      expect(() => hw.lock(ctx)).toThrow(ShadowedContextError)
      expect(() => hw.withLockedIrqSave(ctx, () => 0)).toThrow(ShadowedContextError)
      expect(() => ctx.preemptDisable(() => 0)).toThrow(ShadowedContextError)
      expect(() => ctx.localInterruptDisable()).toThrow(ShadowedContextError)
      expect(() => ctx.raiseIrq(1)).toThrow(ShadowedContextError)
      expect(() => ctx.mightSleep()).toThrow(ShadowedContextError)
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual(['stats'])
      expect(g.held).toBe(true)
      g.unlock()
      using h = hw.lock(ctx)
      expect(h.held).toBe(true)
      expect(k.heldLocks()).toEqual(['hw'])
    })
    expect(k.diagnostics).toEqual([])
  })

  it('an inner guard shadows an outer one; dropping the outer first leaves the inner usable', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const ga = a.lock(ctx)
      const gb = b.lock(ga.ctx)
      expect(() => hw.lock(ga.ctx)).toThrow(ShadowedContextError)
      ga.unlock()
      expect(k.heldLocks()).toEqual(['b'])
      expect(() => hw.lock(ga.ctx)).toThrow(StaleContextError)
      expect(() => hw.lock(ctx)).toThrow(ShadowedContextError)
      {
        using h = hw.lock(gb.ctx)
        expect(h.held).toBe(true)
        expect(k.heldLocks()).toEqual(['b', 'hw'])
        expect(k.cpu(0).preemptCount).toBe(2)
      }
      gb.unlock()
      expect(k.cpu(0).preemptCount).toBe(0)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('a guard unlocked from another CPU is refused (WrongCpuError) and stays held', () => {
    const k = createKernel({ cpus: 2 })
    const stats = k.spinLock('stats', 0)
    k.run((ctx) => {
      const g = stats.lock(ctx)
      k.run(
        () => {
          expect(() => g.unlock()).toThrow(WrongCpuError)
        },
        { cpu: 1 },
      )
      expect(g.held).toBe(true)
      expect(k.heldLocks(0)).toEqual(['stats'])
      expect(k.cpu(0).preemptCount).toBe(1)
      g.unlock()
      expect(k.cpu(0).preemptCount).toBe(0)
    })
    // debug_spin_unlock(): "spinlock wrong owner" — reported once, nothing else.
    expect(k.diagnostics).toHaveLength(1)
    expect(k.diagnostics[0]).toMatchObject({
      kind: 'unlock-wrong-owner',
      title: 'BUG: spinlock wrong owner on CPU#1, task-2/2',
      cpu: 1,
      lock: "spinlock_t 'stats'",
      owner: { comm: 'task-1', pid: 1, cpu: 0 },
    })
  })

  it('on RT a spinlock_t is an rtmutex: the owner check of sleeping locks', () => {
    const k = createKernel({ cpus: 2, preemptRt: true })
    const cfg = k.mutex('cfg', 0)
    k.run((ctx) => {
      const g = cfg.lock(ctx)
      k.run(() => expect(() => g.unlock()).toThrow(WrongCpuError), { cpu: 1 })
      g.unlock()
    })
    expect(k.diagnostics.map((d) => d.title)).toEqual(['WARNING: DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)'])
  })
})

describe('unlocking twice', () => {
  it.each([false, true])('throws DoubleUnlockError and reports a bad unlock balance (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const stats = k.spinLock('stats', 0)
    k.run((ctx) => {
      const g = stats.lockIrqSave(ctx)
      g.unlock()
      const before = k.snapshot()
      expect(() => g.unlock()).toThrow(DoubleUnlockError)
      expect(g.held).toBe(false)
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual([])
    })
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
    const d = k.diagnostics[0]
    expect(d?.title).toBe('WARNING: bad unlock balance detected!')
    if (d?.kind !== 'bad-unlock-balance') throw new Error('expected a bad-unlock-balance report')
    expect(d.lock).toBe("spinlock_t 'stats'")
    expect(d.heldLocks).toEqual([])
    expect(d.report).toContain('is trying to release lock (stats)')
    expect(d.report).toContain('but there are no more locks to release!')
  })

  it('[Symbol.dispose]() after unlock() is a no-op (no error, no report, nothing changes)', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      {
        using g = hw.lockIrqSave(ctx)
        g.unlock()
        expect(k.snapshot()).toEqual(before)
        g[Symbol.dispose]()
        g[Symbol.dispose]()
        expect(k.snapshot()).toEqual(before)
      }
      expect(k.snapshot()).toEqual(before)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('[Symbol.dispose]() on a held guard releases it, like unlock()', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      const g = hw.lockIrq(ctx)
      g[Symbol.dispose]()
      expect(g.held).toBe(false)
      expect(k.snapshot()).toEqual(before)
      expect(() => g.unlock()).toThrow(DoubleUnlockError)
    })
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
  })
})

describe('a guard that outlives its scope', () => {
  it.each([
    [false, 'counted'],
    [false, 'save-restore'],
    [true, 'counted'],
    [true, 'save-restore'],
  ] as const)("left held when a preempt_disable() callback ends: 'guard-leak', released (preemptRt=%s, %s)", (preemptRt, irqDisable) => {
    const k = createKernel({ preemptRt, irqDisable })
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      let leaked: LooseGuard | undefined
      let heldInside: readonly string[] = []
      ctx.preemptDisable((p) => {
        leaked = hw.lockIrqSave(p)
        heldInside = k.heldLocks()
      })
      expect(heldInside).toEqual(['hw'])
      expect(kinds(k)).toEqual(['guard-leak'])
      const d = k.diagnostics[0]
      if (d?.kind !== 'guard-leak') throw new Error('expected a guard-leak report')
      expect(d.title).toBe(GUARD_LEAK_TITLE)
      expect(d.lock).toBe("raw_spinlock_t 'hw'")
      expect(d.heldLocks).toEqual(['hw'])
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
      expect(leaked?.held).toBe(false)
      // Already released: disposing it is a no-op.
      leaked?.[Symbol.dispose]()
      expect(k.diagnostics).toHaveLength(1)
      // The outer context is usable again.
      using g = hw.lock(ctx)
      expect(g.held).toBe(true)
    })
    expect(kinds(k)).toEqual(['guard-leak'])
  })

  it('several leaked guards are released innermost first, each reported', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    const c = k.rawSpinLock('c', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      ctx.rcuReadLock((r) => {
        const ga = a.lockIrqSave(r)
        const gb = b.lock(ga.ctx)
        c.lock(gb.ctx)
      })
      expect(k.diagnostics.map((d) => (d.kind === 'guard-leak' ? d.lock : d.kind))).toEqual(["raw_spinlock_t 'c'", "spinlock_t 'b'", "spinlock_t 'a'"])
      expect(k.diagnostics.map((d) => d.heldLocks)).toEqual([['a', 'b', 'c'], ['a', 'b'], ['a']])
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
    })
  })

  it("left held by an interrupt or softirq handler: 'guard-leak' when the handler returns, released", () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const s = k.spinLock('s', 0)
    k.requestIrq(1, 'dev', (c) => void hw.lockIrqSave(c), { noThread: true })
    k.openSoftirq('TIMER', (c) => void s.lock(c))
    const initial = k.snapshot()
    k.run((ctx) => {
      const before = k.snapshot()
      ctx.raiseIrq(1)
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
      ctx.localBhDisable((b) => b.raiseSoftirq('TIMER'))
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
    })
    expect(k.diagnostics.map((d) => (d.kind === 'guard-leak' ? d.lock : d.kind))).toEqual(["raw_spinlock_t 'hw'", "spinlock_t 's'"])
    expect(k.snapshot()).toEqual(initial)
  })

  it("still held when the task ends: 'held-lock-at-exit', released", () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const initial = k.snapshot()
    let g: LooseGuard | undefined
    k.run((ctx) => {
      g = stats.lockIrqSave(ctx)
    })
    expect(kinds(k)).toEqual(['held-lock-at-exit'])
    const d = k.diagnostics[0]
    expect(d?.title).toBe('WARNING: lock held when returning to user space!')
    expect(d?.heldLocks).toEqual(['stats'])
    expect(d?.report).toContain("lockproof: spinlock_t 'stats' released now")
    expect(g?.held).toBe(false)
    expect(k.heldLocks()).toEqual([])
    expect(k.snapshot()).toEqual(initial)
    // The lock works again.
    k.run((ctx) => {
      using again = stats.lock(ctx)
      expect(again.held).toBe(true)
      expect(k.heldLocks()).toEqual(['stats'])
    })
    expect(kinds(k)).toEqual(['held-lock-at-exit'])
  })

  it.each([false, true])('two guards held at task end (save-restore, preemptRt=%s): both reported and released, no stale flags', (preemptRt) => {
    const k = createKernel({ preemptRt, irqDisable: 'save-restore' })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    const initial = k.snapshot()
    k.run((ctx) => {
      const g = hw.lockIrqSave(ctx)
      dev.lockIrqSave(g.ctx)
    })
    // Released innermost first, so the restores run in LIFO order: interrupts end up on.
    expect(kinds(k)).toEqual(['held-lock-at-exit', 'held-lock-at-exit'])
    expect(k.diagnostics.map((d) => d.heldLocks)).toEqual([['hw', 'dev'], ['hw']])
    expect(k.snapshot()).toEqual(initial)
  })
})

describe('exceptions through nested `using` blocks', () => {
  it.each([false, true])('release everything in reverse order; the error propagates unchanged (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt, trace: true })
    const cfg = k.mutex('cfg', 0)
    const stats = k.spinLock('stats', 0)
    const queue = k.spinLockIrq('queue', 0)
    const hw = k.rawSpinLock('hw', 0)
    const boom = new Error('boom')
    const initial = k.snapshot()
    k.run((ctx) => {
      const before = k.snapshot()
      let caught: unknown
      let mark = -1
      try {
        using g1 = cfg.lock(ctx)
        using g2 = stats.lockBh(g1.ctx)
        {
          using g3 = queue.lock(g2.ctx)
          using g4 = hw.lockIrqSave(g3.ctx)
          expect(k.heldLocks()).toEqual(['cfg', 'stats', 'queue', 'hw'])
          expect(g4.held).toBe(true)
          mark = k.trace.length
          throw boom
        }
      } catch (error) {
        caught = error
      }
      expect(caught).toBe(boom)
      expect(k.heldLocks()).toEqual([])
      expect(k.snapshot()).toEqual(before)
      const unlocks = k.trace.slice(mark).filter((e) => eventText(e).startsWith('unlock '))
      expect(unlocks.map((e) => eventText(e))).toEqual([
        "unlock raw_spinlock_t 'hw'",
        "unlock SpinLockIrq 'queue'",
        "unlock spinlock_t 'stats'",
        "unlock mutex 'cfg'",
      ])
    })
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it('a guard unlocked before the throw is not released again', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.rawSpinLock('b', 0)
    const boom = new RangeError('out of range')
    k.run((ctx) => {
      const before = k.snapshot()
      expect(() => {
        using ga = a.lockIrqSave(ctx)
        using gb = b.lockIrqSave(ga.ctx)
        ga.unlock() // out of order: counted, so interrupts stay off
        expect(k.cpu(0).irqsDisabled).toBe(true)
        expect(gb.held).toBe(true)
        throw boom
      }).toThrow(boom)
      expect(k.snapshot()).toEqual(before)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('a throw inside a callback scope opened from a guard context unwinds the scope and the guards', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const hw = k.rawSpinLock('hw', 0)
    const boom = new Error('inner')
    k.run((ctx) => {
      const before = k.snapshot()
      expect(() => {
        using ga = a.lock(ctx)
        ga.ctx.preemptDisable((p) => {
          using gh = hw.lockIrq(p)
          expect(gh.held).toBe(true)
          throw boom
        })
      }).toThrow(boom)
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual([])
    })
    expect(k.diagnostics).toEqual([])
  })
})

describe('plain-JavaScript misuse', () => {
  const guardCases = Object.entries(GUARD_METHODS).flatMap(([kind, methods]) => Object.keys(methods).map((m) => [kind as LockKind, m] as const))

  it.each(guardCases)('%s.%s(notAContext) → InvalidArgumentError, nothing changes', (kind, method) => {
    const k = createKernel()
    const lock = makeLock(k, kind, 'l', 0)
    const other = k.spinLock('other', 0)
    k.run((ctx) => {
      const before = k.snapshot()
      const g = other.lock(ctx)
      for (const bad of [undefined, null, {}, 'ctx', 0, lock, g, { ctx: g.ctx }, () => ctx]) {
        expect(() => looseGuard(lock, method)(bad)).toThrow(InvalidArgumentError)
      }
      expect(() => looseGuard(lock, method)(undefined)).toThrow(`.${method}: the argument must be a context`)
      g.unlock()
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual([])
    })
    expect(k.diagnostics).toEqual([])
  })
})
