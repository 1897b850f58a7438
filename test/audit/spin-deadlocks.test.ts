/**
 * What the kernel prints when a CPU spins on a lock its own code holds, from
 * kernel/locking/spinlock_debug.c (Kingxukai/linux @9b44fff6): `debug_spin_lock_before()`:
 * `SPIN_BUG_ON(READ_ONCE(lock->owner) == current, lock, "recursion");` and `spin_bug()`: `if
 * (!debug_locks_off()) return; spin_dump(lock, msg);`. lockdep's `spin_acquire()` runs first, so
 * after its report (the AA, the inconsistent lock state) spin_bug() is silent and the CPU spins
 * until a lockup watchdog (kernel/watchdog.c) reports it.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, lockdepSetNovalidateClass } from '../../src/index.js'
import { DeadlockError } from '../../src/errors.js'
import { kinds, loose, only } from '../lockdep/helpers.js'

const HARD_LOCKUP = 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'
const SOFT_LOCKUP = 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'

describe('spin_bug() and the lockup watchdogs', () => {
  it('AA spin_lock() with lockdep on: lockdep reports, spin_bug() is silent, the soft lockup (interrupts on)', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 0)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
    expect(only(k, 'deadlock').title).toBe(SOFT_LOCKUP)
  })

  it('AA spin_lock_irqsave(): the hard lockup (the spinner has interrupts off)', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    expect(() => k.run((ctx) => a.withLockedIrqSave(ctx, (c) => loose(a, 'withLockedIrqSave')(c, () => 0)))).toThrow(DeadlockError)
    expect(only(k, 'deadlock').title).toBe(HARD_LOCKUP)
  })

  it("without lockdep, spin_bug() prints: the title, spin_dump()'s lock line, dump_stack() — and no banner", () => {
    const k = createKernel({ lockdep: false })
    const a = k.spinLock('a', 0)
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 0)))).toThrow(DeadlockError)
    const d = only(k, 'deadlock')
    expect(d.title).toBe('BUG: spinlock recursion on CPU#0, task-1/1')
    expect(d.report.split('\n').slice(0, 4)).toEqual([
      'BUG: spinlock recursion on CPU#0, task-1/1',
      " lock: spinlock_t 'a', .magic: dead4ead, .owner: task-1/1, .owner_cpu: 0",
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
      "lockproof: spinlock_t 'a' is held by task-1/1 on CPU 0, which cannot run until task-1 gives up CPU 0",
    ])
  })

  it('a handler over the task holding its raw lock, lockdep on: the inconsistent lock state, then the hard lockup', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('dev', 0)
    k.requestIrq(9, 'dev', (ctx) => void raw.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) =>
      raw.withLocked(ctx, (c) => {
        expect(() => c.raiseIrq(9)).toThrow(DeadlockError)
      }),
    )
    expect(kinds(k)).toEqual(['inconsistent-lock-state', 'deadlock'])
    expect(only(k, 'deadlock').title).toBe(HARD_LOCKUP)
  })

  it('a novalidate class (check == 0): lockdep is silent, spin_bug() prints and turns lockdep off', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    lockdepSetNovalidateClass(a)
    const x = k.mutex('x', 0)
    const y = k.mutex('y', 0)
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 0)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['deadlock'])
    expect(only(k, 'deadlock').title).toBe('BUG: spinlock recursion on CPU#0, task-1/1')
    expect(k.lockdepStats().active).toBe(false)
    // debug_locks is off: a later AB/BA goes unreported.
    k.run((ctx) => x.withLocked(ctx, (c) => y.withLocked(c, () => 0)))
    k.run((ctx) => y.withLocked(ctx, (c) => loose(x)(c, () => 0)))
    expect(kinds(k)).toEqual(['deadlock'])
  })

  it('twin: the same AB/BA without the spin before it is reported', () => {
    const k = createKernel()
    const x = k.mutex('x', 0)
    const y = k.mutex('y', 0)
    k.run((ctx) => x.withLocked(ctx, (c) => y.withLocked(c, () => 0)))
    k.run((ctx) => y.withLocked(ctx, (c) => loose(x)(c, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
  })

  it('twin: the handler after the unlock takes the lock and nothing is reported', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('dev', 0)
    k.requestIrq(9, 'dev', (ctx) => void raw.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => raw.withLockedIrqSave(ctx, (c) => c.raiseIrq(9)))
    expect(k.diagnostics).toEqual([])
  })
})
