/**
 * The invalid programs the type rules refuse, written as plain JavaScript (casts through
 * unknown): the run time reports them as the kernel would.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat, type Diagnostic, type Kernel } from '../../src/index.js'
import { DeadlockError } from '../../src/errors.js'
import { kinds, loose, looseCtx } from './helpers.js'

const SLEEPING = 'BUG: sleeping function called from invalid context'
const INVALID_WAIT = '[ BUG: Invalid wait context ]'
const RECURSIVE = 'WARNING: possible recursive locking detected'

const only = <K extends Diagnostic['kind']>(k: Kernel, kind: K): Extract<Diagnostic, { kind: K }> => {
  const found = k.diagnostics.filter((d): d is Extract<Diagnostic, { kind: K }> => d.kind === kind)
  expect(found).toHaveLength(1)
  return found[0] as Extract<Diagnostic, { kind: K }>
}

describe('spinlock_t inside raw_spinlock_t', () => {
  const program = (k: Kernel) => {
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    return k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 'done')))
  }

  it('normal kernel (PROVE_RAW_LOCK_NESTING default on): invalid wait context, and nothing else', () => {
    const k = createKernel()
    expect(program(k)).toBe('done')
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    const d = only(k, 'invalid-wait-context')
    expect(d).toMatchObject({
      title: INVALID_WAIT,
      cpu: 0,
      task: 'task-1',
      lock: "spinlock_t 'stats'",
      context: "raw_spinlock_t 'hw'",
      heldLocks: ['hw'],
      preemptCount: 2,
    })
    expect(d.report.split('\n').slice(0, 5)).toEqual([
      '=============================',
      INVALID_WAIT,
      '-----------------------------',
      'task-1/1 is trying to lock:',
      ' (stats){....}-{3:3}, spinlock_t',
    ])
    expect(d.report).toContain('context-{5:5}')
    expect(d).toMatchObject({ context: "raw_spinlock_t 'hw'" })
    expect(d.report).toContain('1 lock held by task-1/1:\n #0: (hw)')
  })

  it('normal kernel with proveRawLockNesting: false: no diagnostic at all', () => {
    const k = createKernel({ preemptRt: false, proveRawLockNesting: false })
    expect(program(k)).toBe('done')
    expect(k.diagnostics).toEqual([])
  })

  it('PREEMPT_RT with proveRawLockNesting: false: the lock sleeps, so sleeping-in-atomic', () => {
    const k = createKernel({ preemptRt: true, proveRawLockNesting: false })
    expect(program(k)).toBe('done')
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
    const d = only(k, 'sleeping-in-atomic')
    expect(d).toMatchObject({
      title: SLEEPING,
      what: "spinlock_t 'stats'",
      inAtomic: true,
      irqsDisabled: false,
      rcuDepth: 0,
      preemptCount: 1,
      heldLocks: ['hw', 'stats'],
      task: 'task-1',
    })
    expect(d.report.split('\n').slice(0, 4)).toEqual([
      `${SLEEPING} at spinlock_t 'stats'`,
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 1, expected: 0',
      'RCU nest depth: 0, expected: 0',
    ])
  })

  it('PREEMPT_RT with the default: invalid wait context (annotation first), then sleeping-in-atomic', () => {
    const k = createKernel({ preemptRt: true })
    expect(program(k)).toBe('done')
    expect(kinds(k)).toEqual(['invalid-wait-context', 'sleeping-in-atomic'])
    expect(k.diagnostics.map((d) => d.title)).toEqual([INVALID_WAIT, SLEEPING])
  })
})

describe.each([false, true])('mutex inside spinlock_t, preemptRt=%s', (preemptRt) => {
  it('sleeping-in-atomic, then invalid wait context (lockdep on)', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    const sleep = only(k, 'sleeping-in-atomic')
    // Normal kernel: preempt_count 1. RT: preempt_count 0 but the spinlock's rcu_read_lock.
    expect(sleep).toMatchObject(
      preemptRt
        ? { what: "mutex 'm'", inAtomic: false, irqsDisabled: false, preemptCount: 0, rcuDepth: 1, heldLocks: ['s'] }
        : { what: "mutex 'm'", inAtomic: true, irqsDisabled: false, preemptCount: 1, rcuDepth: 0, heldLocks: ['s'] },
    )
    expect(sleep.report).toContain(preemptRt ? 'RCU nest depth: 1, expected: 0' : 'preempt_count: 1, expected: 0')
    expect(only(k, 'invalid-wait-context')).toMatchObject({ lock: "mutex 'm'", context: "spinlock_t 's'", title: INVALID_WAIT })
    expect(k.heldLocks()).toEqual([])
  })

  it('lockdep: false: the might_sleep report only', () => {
    const k = createKernel({ preemptRt, lockdep: false })
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
  })
})

describe.each([false, true])('interrupt handlers, preemptRt=%s', (preemptRt) => {
  it('mutex in a hardirq (IRQF_NO_THREAD) handler: sleeping-in-atomic with interrupts off, invalid wait context', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    k.requestIrq(3, 'dev', (ctx) => void loose(m)(ctx, () => undefined), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    expect(only(k, 'sleeping-in-atomic')).toMatchObject({ what: "mutex 'm'", inAtomic: true, irqsDisabled: true, preemptCount: 0x10000, task: 'task-1' })
    expect(only(k, 'sleeping-in-atomic').report).toContain('in_atomic(): 1, irqs_disabled(): 1')
    expect(only(k, 'sleeping-in-atomic').report).toContain('preempt_count: 10000, expected: 0')
    expect(only(k, 'invalid-wait-context')).toMatchObject({ lock: "mutex 'm'", context: 'hardirq context' })
    expect(k.heldLocks()).toEqual([])
  })

  it('spinlock_t in an IRQF_NO_THREAD handler: invalid wait context', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'dev', (ctx) => void loose(s)(ctx, () => undefined), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    // On RT the lock also sleeps: rtlock_might_resched() in hardirq with interrupts off.
    expect(kinds(k)).toEqual(preemptRt ? ['invalid-wait-context', 'sleeping-in-atomic'] : ['invalid-wait-context'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ lock: "spinlock_t 's'", context: 'hardirq context', preemptCount: preemptRt ? 0x10000 : 0x10001 })
  })

  it('spinlock_t in a threadable handler: fine (LD_WAIT_CONFIG; a thread on RT)', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    let ran = 0
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => void ran++))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(ran).toBe(1)
    expect(k.diagnostics).toEqual([])
  })
})

describe('spinlock_t with interrupts disabled by local_irq_save()', () => {
  it('PREEMPT_RT: sleeping-in-atomic with irqs_disabled(): 1 (lockdep does not see the irq flag)', () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', {})
    k.run((ctx) => ctx.core.localIrqSave((c) => loose(s)(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
    const d = only(k, 'sleeping-in-atomic')
    expect(d).toMatchObject({ what: "spinlock_t 's'", inAtomic: false, irqsDisabled: true, preemptCount: 0, rcuDepth: 0 })
    expect(d.report).toContain('in_atomic(): 0, irqs_disabled(): 1, non_block: 0, pid: 1, name: task-1')
  })

  it('normal kernel: nothing', () => {
    const k = createKernel({ preemptRt: false })
    const s = k.spinLock('s', {})
    k.run((ctx) => ctx.core.localIrqSave((c) => loose(s)(c, () => undefined)))
    expect(k.diagnostics).toEqual([])
  })
})

describe.each([false, true])('spinlock_t inside rcu_read_lock(), preemptRt=%s', (preemptRt) => {
  it('nothing: RT spinlocks tolerate the RCU depth they find', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    let rcuInside = -1
    k.run((ctx) =>
      ctx.rcuReadLock((c) =>
        s.withLocked(c, () => {
          rcuInside = k.cpu(0).current.rcuReadLockNesting
        }),
      ),
    )
    expect(rcuInside).toBe(preemptRt ? 2 : 1)
    expect(k.diagnostics).toEqual([])
  })
})

describe.each([false, true])('msleep() under spinlock_t, preemptRt=%s', (preemptRt) => {
  // msleep() has no might_sleep(): schedule()'s own checks report (kernel/sched/core.c schedule_debug(),
  // kernel/rcu/tree_plugin.h rcu_note_context_switch()).
  it('scheduling while atomic; on RT (preempt_count 0) the RCU section of rt_spin_lock() warns', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).msleep(10)))
    expect(kinds(k)).toEqual([preemptRt ? 'kernel-warning' : 'scheduling-while-atomic'])
    const d = k.diagnostics[0]
    expect(d?.heldLocks).toEqual(['s'])
    if (preemptRt) {
      expect(d).toMatchObject({ warning: 'rcu-voluntary-context-switch', preemptCount: 0 })
    } else {
      expect(d).toMatchObject({ what: 'msleep()', preemptCount: 1, title: 'BUG: scheduling while atomic: task-1/1/0x00000002' })
    }
    // rt_spin_lock() ends with rcu_read_lock(): lockdep lists its map after the lock.
    expect(d?.report).toContain(
      preemptRt
        ? "2 locks held by task-1/1:\n #0: (s){+.+.}-{3:3}, spinlock_t 's'\n #1: (rcu_read_lock){....}-{1:3}, rcu_read_lock()"
        : "1 lock held by task-1/1:\n #0: (s){+.+.}-{3:3}, spinlock_t 's'",
    )
    expect(k.clockMs).toBe(10)
  })
})

describe.each([false, true])('the same lock taken twice (AA), preemptRt=%s', (preemptRt) => {
  it.each([
    ['spinlock_t', (k: Kernel) => k.spinLock('a', {}), 'withLocked'],
    ['raw_spinlock_t', (k: Kernel) => k.rawSpinLock('a', {}), 'withLockedIrqSave'],
    ['mutex', (k: Kernel) => k.mutex('a', {}), 'withLocked'],
    ['rwlock_t write after read', (k: Kernel) => k.rwLock('a', {}), 'withRead'],
  ] as const)('%s: recursive locking, then deadlock, a DeadlockError, the state restored', (name, make, method) => {
    const k = createKernel({ preemptRt })
    const lock = make(k)
    const innerMethod = name === 'rwlock_t write after read' ? 'withWrite' : method
    let caught: unknown
    let inOuter: unknown
    let afterCatch: unknown
    let heldAfterCatch: readonly string[] = []
    k.run((ctx) =>
      loose(lock, method)(ctx, (c) => {
        inOuter = k.snapshot()
        try {
          loose(lock, innerMethod)(c, () => 'unreachable')
        } catch (e) {
          caught = e
        }
        afterCatch = k.snapshot()
        heldAfterCatch = k.heldLocks()
      }),
    )
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
    expect(caught).toBeInstanceOf(DeadlockError)
    expect(afterCatch).toEqual(inOuter)
    expect(heldAfterCatch).toEqual(['a'])
    expect(k.heldLocks()).toEqual([])
    const label = name === 'rwlock_t write after read' ? 'rwlock_t' : name
    expect(only(k, 'recursive-locking')).toMatchObject({ title: RECURSIVE, lock: `${label} 'a'`, heldLocks: ['a'] })
    const spinning = name === 'raw_spinlock_t' || (!preemptRt && name !== 'mutex')
    // A sleeping spinlock_t / rwlock_t on RT waits in TASK_RTLOCK_WAIT, which the hung-task detector skips.
    // spin_bug() prints nothing after lockdep's report (`if (!debug_locks_off()) return;`): the
    // soft-lockup watchdog reports the spin (preemption off, interrupts on; the irqsave raw lock: the hard lockup).
    const title = spinning
      ? name === 'raw_spinlock_t'
        ? 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'
        : 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'
      : name === 'mutex'
        ? 'INFO: task task-1:1 blocked for more than 120 seconds.'
        : 'lockproof: task task-1:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'
    expect(only(k, 'deadlock')).toMatchObject({ title, lock: `${label} 'a'`, holder: { comm: 'task-1', pid: 1, cpu: 0 }, cpu: 0 })
    expect((caught as Error).message).toContain(title)
    // Not held any more: taken again cleanly (lockdep is off after its first report, so count the deadlocks).
    k.run((ctx) => loose(lock, method)(ctx, () => undefined))
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
  })
})

describe.each([false, true])('same class, different instance, preemptRt=%s', (preemptRt) => {
  it('recursive locking only: no deadlock, the section completes', () => {
    const k = createKernel({ preemptRt })
    const a1 = k.spinLock('a', { id: 1 })
    const a2 = k.spinLock('a', { id: 2 })
    let inner: unknown
    let held: readonly string[] = []
    const r = k.run((ctx) =>
      a1.withLocked(ctx, (c) =>
        loose(a2)(c, (_c2, d) => {
          inner = d
          held = k.heldLocks()
          return 'ok'
        }),
      ),
    )
    expect(r).toBe('ok')
    expect(inner).toEqual({ id: 2 })
    expect(held).toEqual(['a', 'a'])
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(only(k, 'recursive-locking').report).toContain(' Possible unsafe locking scenario:')
    expect(k.heldLocks()).toEqual([])
  })
})

describe('rwlock_t read after read', () => {
  it('PREEMPT_RT: readers are recursive, no report', () => {
    const k = createKernel({ preemptRt: true })
    const rw = k.rwLock('rw', {})
    let held: readonly string[] = []
    k.run((ctx) =>
      rw.withRead(ctx, (c) =>
        loose(rw, 'withRead')(c, () => {
          held = k.heldLocks()
        }),
      ),
    )
    expect(held).toEqual(['rw', 'rw'])
    expect(k.diagnostics).toEqual([])
  })

  it('normal kernel, task context: qrwlock readers are not recursive there, recursive locking (no deadlock)', () => {
    const k = createKernel({ preemptRt: false })
    const rw = k.rwLock('rw', {})
    k.run((ctx) => rw.withRead(ctx, (c) => loose(rw, 'withRead')(c, () => undefined)))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })

  it('normal kernel, in an interrupt: recursive readers, no report', () => {
    const k = createKernel({ preemptRt: false })
    const rw = k.rwLock('rw', {})
    let held: readonly string[] = []
    k.requestIrq(
      2,
      'dev',
      (ctx) =>
        void rw.withRead(ctx, (c) =>
          loose(rw, 'withRead')(c, () => {
            held = k.heldLocks()
          }),
        ),
    )
    k.run((ctx) => ctx.raiseIrq(2))
    expect(held).toEqual(['rw', 'rw'])
    expect(k.diagnostics).toEqual([])
  })
})

describe('rwlock_t: a write after a read of the same class (PREEMPT_RT)', () => {
  it('write_lock after read_lock is not a recursive read: recursive locking, then deadlock', () => {
    const k = createKernel({ preemptRt: true })
    const rw = k.rwLock('rw', {})
    expect(() => k.run((ctx) => rw.withRead(ctx, (c) => loose(rw, 'withWrite')(c, () => undefined)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
  })

  it('a chain validated with read_lock does not stand for the same classes taken with write_lock (circular dependency found)', () => {
    const k = createKernel({ preemptRt: true })
    const rw = k.rwLock('rw', {})
    const x = k.spinLock('x', {})
    // rw (read) -> x, then rw (write) -> x: the second records the dependency rw -> x.
    k.run((ctx) => rw.withRead(ctx, (c) => x.withLocked(c, () => undefined)))
    k.run((ctx) => rw.withWrite(ctx, (c) => x.withLocked(c, () => undefined)))
    expect(k.diagnostics).toEqual([])
    // x -> rw (write) closes the cycle.
    k.run((ctx) => x.withLocked(ctx, (c) => loose(rw, 'withWrite')(c, () => undefined)))
    expect(kinds(k)).toEqual(['circular-dependency'])
  })
})

describe.each([false, true])('declared lockOrder broken at run time, preemptRt=%s', (preemptRt) => {
  it("a 'lock-order' diagnostic naming both locks", () => {
    const k = createKernel({ preemptRt, lockOrder: ['outer', 'inner'] })
    const outer = k.spinLock('outer', {})
    const inner = k.spinLock('inner', {})
    k.run((ctx) => inner.withLocked(ctx, (c) => loose(outer)(c, () => undefined)))
    expect(kinds(k)).toEqual(['lock-order'])
    const d = only(k, 'lock-order')
    expect(d).toMatchObject({
      title: 'lockproof: declared lock order broken',
      lock: "spinlock_t 'outer'",
      heldLater: "spinlock_t 'inner'",
      heldLocks: ['inner'],
    })
    expect(d.report).toContain('  outer -> inner')
  })

  it('the declared order followed: nothing', () => {
    const k = createKernel({ preemptRt, lockOrder: ['outer', 'inner'] })
    const outer = k.spinLock('outer', {})
    const inner = k.spinLock('inner', {})
    k.run((ctx) => outer.withLocked(ctx, (c) => inner.withLocked(c, () => undefined)))
    expect(k.diagnostics).toEqual([])
  })

  it('by class name: inner held under subclass 1 (spin_lock_nested()) is still after outer', () => {
    const k = createKernel({ preemptRt, lockOrder: ['outer', 'inner'] })
    const outer = k.spinLock('outer', {})
    const inner = k.spinLock('inner', {})
    k.run((ctx) => inner.withLockedNested(ctx, 1, (c) => loose(outer)(c, () => undefined)))
    expect(only(k, 'lock-order')).toMatchObject({ lock: "spinlock_t 'outer'", heldLater: "spinlock_t 'inner'" })
  })

  it('twin: subclasses in the declared order, and another subclass of a held class: nothing', () => {
    const k = createKernel({ preemptRt, lockOrder: ['outer', 'inner'] })
    const outer = k.spinLock('outer', {})
    const inner = k.spinLock('inner', {})
    const inner2 = k.spinLock('inner', {})
    k.run((ctx) => outer.withLockedNested(ctx, 1, (c) => inner.withLockedNested(c, 1, () => undefined)))
    k.run((ctx) => inner.withLocked(ctx, (c) => inner2.withLockedNested(c, 1, () => undefined)))
    expect(k.diagnostics).toEqual([])
  })

  it('kernel.lockOrder is the declared order at run time, [] when none was declared', () => {
    expect(createKernel({ preemptRt, lockOrder: ['outer', 'inner'] }).lockOrder).toEqual(['outer', 'inner'])
    expect(createKernel({ preemptRt }).lockOrder).toEqual([])
  })
})

describe.each([false, true])("onDiagnostic: 'throw', preemptRt=%s", (preemptRt) => {
  it('KernelSplat at the first report: the CPU as before, nothing held, the lock usable again', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    const before = k.snapshot()
    let caught: unknown
    try {
      k.run((ctx) => raw.withLockedIrqSave(ctx, (c) => loose(s, 'withLockedBh')(c, () => 'unreachable')))
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(KernelSplat)
    expect((caught as KernelSplat).diagnostic.kind).toBe('invalid-wait-context')
    expect((caught as KernelSplat).diagnostic).toBe(k.diagnostics[0])
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
    // The spinlock was never left owned: it can be taken (no deadlock).
    k.run((ctx) => s.withLockedBh(ctx, () => undefined))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
  })

  it('caught inside the outer section: that section state exactly as it was', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    let inOuter: unknown
    let afterCatch: unknown
    let caught: unknown
    k.run((ctx) =>
      s.withLocked(ctx, (c) => {
        inOuter = k.snapshot()
        try {
          loose(m)(c, () => undefined)
        } catch (e) {
          caught = e
        }
        afterCatch = k.snapshot()
        expect(k.heldLocks()).toEqual(['s'])
      }),
    )
    expect((caught as KernelSplat).diagnostic.kind).toBe('sleeping-in-atomic')
    expect(afterCatch).toEqual(inOuter)
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
  })

  it('a report raised after the lock annotation (RT rtlock_might_resched) undoes the acquisition too', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw', proveRawLockNesting: false })
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    const before = k.snapshot()
    let caught: unknown
    try {
      k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 'inside')))
    } catch (e) {
      caught = e
    }
    if (preemptRt) {
      expect((caught as KernelSplat).diagnostic.kind).toBe('sleeping-in-atomic')
    } else {
      expect(caught).toBeUndefined()
    }
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
    expect(k.run((ctx) => s.withLocked(ctx, () => 'again'))).toBe('again')
    expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
  })
})

describe.each([false, true])('lockdep: false, preemptRt=%s', (preemptRt) => {
  it('no lockdep reports, but might_sleep and deadlock reports remain', () => {
    const k = createKernel({ preemptRt, lockdep: false })
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('s', {})
    const a = k.spinLock('a', {})
    const a2 = k.spinLock('a', {})
    const m = k.mutex('m', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => undefined)))
    // Normal kernel: only lockdep would see it. RT: the lock's might-resched check.
    expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
    k.clearDiagnostics()
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => undefined)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
    k.clearDiagnostics()
    k.run((ctx) => a.withLocked(ctx, (c) => loose(a2)(c, () => undefined)))
    expect(k.diagnostics).toEqual([])
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => undefined)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['deadlock'])
    expect(k.heldLocks()).toEqual([])
  })
})

describe.each([false, true])('a lock held by a task on another CPU, preemptRt=%s', (preemptRt) => {
  it('deadlock diagnostic naming the holder, DeadlockError, both CPUs restored', () => {
    const k = createKernel({ preemptRt, cpus: 2 })
    const s = k.spinLock('shared', {})
    const before = k.snapshot()
    let caught: unknown
    let cpu0Inside: unknown
    let cpu0AfterCatch: unknown
    k.run((ctx) =>
      s.withLocked(ctx, () => {
        cpu0Inside = k.cpu(0).snapshot()
        try {
          k.run((ctx1) => s.withLocked(ctx1, () => 'unreachable'), { cpu: 1, comm: 'other' })
        } catch (e) {
          caught = e
        }
        cpu0AfterCatch = k.cpu(0).snapshot()
        expect(k.heldLocks(0)).toEqual(['shared'])
        expect(k.heldLocks(1)).toEqual([])
      }),
    )
    expect(caught).toBeInstanceOf(DeadlockError)
    expect(kinds(k)).toEqual(['deadlock'])
    // Current kernels have no spinlock lockup report: the soft lockup watchdog reports the spinner;
    // on RT the waiter sleeps in TASK_RTLOCK_WAIT, which the hung-task detector does not look at.
    const title = preemptRt
      ? 'lockproof: task other:2 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'
      : 'watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [other:2]'
    expect(only(k, 'deadlock')).toMatchObject({
      title,
      cpu: 1,
      task: 'other',
      lock: "spinlock_t 'shared'",
      holder: { comm: 'task-1', pid: 1, cpu: 0 },
      heldLocks: [],
    })
    expect(only(k, 'deadlock').report).toContain("spinlock_t 'shared' is held by task-1/1 on CPU 0, which cannot run until other gives up CPU 1")
    expect(cpu0AfterCatch).toEqual(cpu0Inside)
    expect(k.snapshot()).toEqual(before)
    // Released by CPU 0: CPU 1 can take it now.
    expect(k.run((ctx1) => s.withLocked(ctx1, () => 'mine'), { cpu: 1 })).toBe('mine')
  })
})

describe.each([false, true])('an IRQF_NO_THREAD handler taking a lock the interrupted task holds, preemptRt=%s', (preemptRt) => {
  // The task took it with interrupts on (HARDIRQ-ON-W); the handler takes it in hardirq
  // (IN-HARDIRQ-W). lockdep's mark_usage() runs before validate_chain()'s AA check, so the
  // first report is the inconsistent state, which switches lockdep off; then the CPU spins on
  // a lock its own interrupted task holds.
  const program = (k: Kernel, keepGoing = false) => {
    const raw = k.rawSpinLock('dev', {})
    k.requestIrq(9, 'dev', (ctx) => void raw.withLocked(ctx, () => undefined), { noThread: true })
    const before = k.snapshot()
    let caught: unknown
    let inSection: unknown
    let afterCatch: unknown
    k.run((ctx) =>
      raw.withLocked(ctx, (c) => {
        inSection = k.snapshot()
        try {
          c.raiseIrq(9)
        } catch (e) {
          caught = e
        }
        afterCatch = k.snapshot()
      }),
    )
    expect(caught).toBeInstanceOf(DeadlockError)
    expect(only(k, 'deadlock')).toMatchObject({
      // lockdep's report came first, so spin_bug() is silent: the handler spins with interrupts off.
      // With keepGoing debug_locks stays on and spin_bug() prints.
      title: keepGoing ? 'BUG: spinlock recursion on CPU#0, task-1/1' : 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0',
      holder: { comm: 'task-1', cpu: 0 },
      preemptCount: 0x10002,
    })
    expect(afterCatch).toEqual(inSection)
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
  }

  it('raw_spinlock_t: inconsistent lock state {HARDIRQ-ON-W} -> {IN-HARDIRQ-W}, then the deadlock', () => {
    const k = createKernel({ preemptRt })
    program(k)
    expect(kinds(k)).toEqual(['inconsistent-lock-state', 'deadlock'])
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({
      title: 'WARNING: inconsistent lock state',
      lock: "raw_spinlock_t 'dev'",
      from: 'HARDIRQ-ON-W',
      to: 'IN-HARDIRQ-W',
    })
  })

  it('raw_spinlock_t with lockdep keepGoing: inconsistent state, recursive locking, deadlock', () => {
    const k = createKernel({ preemptRt, lockdep: { keepGoing: true } })
    program(k, true)
    expect(kinds(k)).toEqual(['inconsistent-lock-state', 'recursive-locking', 'deadlock'])
    expect(only(k, 'recursive-locking')).toMatchObject({ title: RECURSIVE, lock: "raw_spinlock_t 'dev'" })
  })

  it('normal kernel, spinlock_t, proveRawLockNesting off: inconsistent lock state, then deadlock', () => {
    if (preemptRt) return
    const k = createKernel({ proveRawLockNesting: false })
    const s = k.spinLock('dev', {})
    k.requestIrq(9, 'dev', (ctx) => void loose(s)(ctx, () => undefined), { noThread: true })
    const before = k.snapshot()
    expect(() => k.run((ctx) => s.withLocked(ctx, (c) => c.raiseIrq(9)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['inconsistent-lock-state', 'deadlock'])
    expect(k.snapshot()).toEqual(before)
  })

  it('normal kernel, spinlock_t (PROVE_RAW_LOCK_NESTING): check_wait_context() runs before mark_usage(): invalid wait context, then deadlock', () => {
    if (preemptRt) return
    const k = createKernel()
    const s = k.spinLock('dev', {})
    k.requestIrq(9, 'dev', (ctx) => void loose(s)(ctx, () => undefined), { noThread: true })
    expect(() => k.run((ctx) => s.withLocked(ctx, (c) => c.raiseIrq(9)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['invalid-wait-context', 'deadlock'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ lock: "spinlock_t 'dev'", context: 'hardirq context' })
  })
})

describe.each([false, true])('spinlock_t taken in task context, later in an IRQF_NO_THREAD handler (not nested), preemptRt=%s', (preemptRt) => {
  it('the wait context is checked first (lockdep.c __lock_acquire: check_wait_context, then mark_usage)', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'dev', (ctx) => void loose(s)(ctx, () => undefined), { noThread: true })
    k.run((ctx) => s.withLocked(ctx, () => undefined))
    expect(k.diagnostics).toEqual([])
    k.raiseIrq(3)
    expect(k.diagnostics[0]).toMatchObject({ kind: 'invalid-wait-context', lock: "spinlock_t 's'", context: 'hardirq context' })
  })
})

describe.each([false, true])('kmalloc, preemptRt=%s', (preemptRt) => {
  it('GFP_KERNEL under spinlock_t: sleeping-in-atomic', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    const buf = k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).kmalloc(32, 'GFP_KERNEL')))
    expect(buf).toBeInstanceOf(Uint8Array)
    expect(buf.length).toBe(32)
    expect(kinds(k)).toEqual(['sleeping-in-atomic'])
    expect(only(k, 'sleeping-in-atomic').what).toBe('kmalloc(GFP_KERNEL)')
  })

  it('GFP_ATOMIC under raw_spinlock_t: invalid wait context (zone->lock), and on RT sleeping-in-atomic too', () => {
    const k = createKernel({ preemptRt })
    const raw = k.rawSpinLock('hw', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => looseCtx(c).kmalloc(32, 'GFP_ATOMIC')))
    expect(kinds(k)).toEqual(preemptRt ? ['invalid-wait-context', 'sleeping-in-atomic'] : ['invalid-wait-context'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ lock: "spinlock_t 'zone->lock'", context: "raw_spinlock_t 'hw'" })
    if (preemptRt) expect(only(k, 'sleeping-in-atomic')).toMatchObject({ what: 'kmalloc(GFP_ATOMIC): zone->lock', preemptCount: 1 })
  })

  it('GFP_ATOMIC under spinlock_t: fine on both kernels', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.run((ctx) => s.withLocked(ctx, (c) => c.kmalloc(8, 'GFP_ATOMIC')))
    expect(k.diagnostics).toEqual([])
  })
})
