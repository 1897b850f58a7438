/**
 * Sleeps that reach schedule() without a might_sleep() of their own: msleep()
 * (kernel/time/sleep_timeout.c: `while (timeout) timeout = schedule_timeout_uninterruptible(timeout);`,
 * and schedule_timeout() has none either) and Rust's CondVar::wait(). What the kernel prints is
 * schedule()'s: kernel/sched/core.c `schedule_debug()`: `if (unlikely(in_atomic_preempt_off()))
 * { __schedule_bug(prev); ... }` with `__schedule_bug()`: `printk(KERN_ERR "BUG: scheduling while
 * atomic: %s/%d/0x%08x\n", prev->comm, prev->pid, preempt_count()); debug_show_held_locks(prev);
 * print_modules(); ... dump_stack();`, called inside `__schedule_loop()`'s `preempt_disable()`;
 * then kernel/rcu/tree_plugin.h `rcu_note_context_switch()`: `WARN_ONCE(!preempt &&
 * rcu_preempt_depth() > 0, "Voluntary context switch within RCU read-side critical section!");`.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { kinds, loose, looseCtx, only } from '../lockdep/helpers.js'

describe('msleep() from atomic context', () => {
  it('under spin_lock(): "BUG: scheduling while atomic: task-1/1/0x00000002" (one above the caller, inside __schedule())', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).msleep(3)))
    const d = only(k, 'scheduling-while-atomic')
    expect(d.report.split('\n')).toEqual([
      'BUG: scheduling while atomic: task-1/1/0x00000002',
      '1 lock held by task-1/1:',
      " #0: (s){+.+.}-{3:3}, spinlock_t 's'",
      'Modules linked in:',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
    expect(d).toMatchObject({ what: 'msleep()', preemptCount: 1, irqsDisabled: false })
    // The sleep still happens (the clock moves), and lockdep stays on (LOCKDEP_STILL_OK).
    expect(k.clockMs).toBe(3)
    expect(k.lockdepStats().active).toBe(true)
  })

  it('under spin_lock_bh(): the count is printed %08x: 0x00000202', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLockedBh(ctx, (c) => looseCtx(c).msleep(1)))
    expect(only(k, 'scheduling-while-atomic').title).toBe('BUG: scheduling while atomic: task-1/1/0x00000202')
  })

  it('after a lockdep report: debug_show_held_locks() says lockdep is off', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const s = k.spinLock('s', 0)
    k.run((ctx) => hw.withLocked(ctx, (c) => loose(s)(c, (c2) => looseCtx(c2).msleep(1))))
    expect(kinds(k)).toEqual(['invalid-wait-context', 'scheduling-while-atomic'])
    expect(k.diagnostics[1]?.report.split('\n').slice(0, 2)).toEqual(['BUG: scheduling while atomic: task-1/1/0x00000003', 'INFO: lockdep is turned off.'])
  })

  it('inside rcu_read_lock() (preemptible RCU): not atomic, rcu_note_context_switch() warns, once', () => {
    const k = createKernel()
    k.run((ctx) => ctx.rcuReadLock((c) => looseCtx(c).msleep(1)))
    k.run((ctx) => ctx.rcuReadLock((c) => looseCtx(c).msleep(1)))
    const d = only(k, 'kernel-warning')
    expect(d).toMatchObject({
      warning: 'rcu-voluntary-context-switch',
      title: 'WARNING: kernel/rcu/tree_plugin.h at rcu_note_context_switch(): Voluntary context switch within RCU read-side critical section!',
    })
  })

  it('PREEMPT_RT, under spinlock_t: preempt_count 0, so only the RCU warning (rt_spin_lock() took rcu_read_lock())', () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).msleep(1)))
    expect(kinds(k)).toEqual(['kernel-warning'])
  })

  it('PREEMPT_RT, under raw_spinlock_t: scheduling while atomic as on the normal kernel', () => {
    const k = createKernel({ preemptRt: true })
    const r = k.rawSpinLock('r', 0)
    k.run((ctx) => r.withLocked(ctx, (c) => looseCtx(c).msleep(1)))
    expect(only(k, 'scheduling-while-atomic').title).toBe('BUG: scheduling while atomic: task-1/1/0x00000002')
  })

  it('with only interrupts off the kernel is silent; lockproof still reports it, in its own words', () => {
    const k = createKernel()
    k.run((ctx) => ctx.core.localIrqSave((c) => looseCtx(c).msleep(1)))
    const d = only(k, 'scheduling-while-atomic')
    expect(d.title).toBe('lockproof: scheduling with interrupts disabled (the kernel does not report it)')
    expect(d).toMatchObject({ preemptCount: 0, irqsDisabled: true })
  })

  it('twin: in plain task context, under a mutex and under migrate_disable(): silent', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt })
      const m = k.mutex('m', 0)
      k.run((ctx) => {
        ctx.msleep(1)
        m.withLocked(ctx, (c) => c.msleep(1))
        ctx.migrateDisable((c) => looseCtx(c).msleep(1))
      })
      expect(k.diagnostics).toEqual([])
    }
  })
})

describe('might_sleep() callers keep __might_resched()', () => {
  it('mutex_lock() under spin_lock(): "BUG: sleeping function called from invalid context" (mutex.c: might_sleep() first)', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    const m = k.mutex('m', 0)
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => 0)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    expect(k.diagnostics[0]?.title).toBe('BUG: sleeping function called from invalid context')
  })
})
