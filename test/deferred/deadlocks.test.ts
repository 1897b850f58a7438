/**
 * The deadlocks issue #16 documents, found at run time on both kernels — through lockdep's maps
 * where the kernel has them (timer_list, workqueues), as the wait that never ends where it has
 * none (synchronize_irq(), hrtimer_cancel(), tasklet_kill(), RCU) — and the nearest valid patterns.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, type Diagnostic } from '../../src/index.js'
import { loose } from './loose.js'

const kinds = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.kind)
const titles = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.title)

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  describe('timer_delete_sync()', () => {
    it('while holding a lock the callback takes: lockdep reports the circular dependency through the timer map', () => {
      const k = createKernel({ preemptRt })
      const lock = k.spinLock('priv->lock', { n: 0 })
      const t = k.timerSetup('&priv->timer', (ctx) => lock.withLocked(ctx, (_ctx, d) => void d.n++))
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(1) // lockdep learns &priv->timer → priv->lock
      // spin_lock_bh(): the lock is softirq-safe (the callback takes it in the TIMER softirq).
      k.run((ctx) => lock.withLockedBh(ctx, (ctx) => t.timerDeleteSync(ctx)))
      const d = k.diagnostics.find((x) => x.kind === 'circular-dependency')
      expect(d?.report).toContain('&priv->timer')
      expect(d?.report).toContain('priv->lock')
    })

    it('the old name del_timer_sync() is the same call', () => {
      const k = createKernel({ preemptRt })
      const lock = k.spinLock('l', 0)
      const t = k.timerSetup('t', (ctx) => lock.withLocked(ctx, () => 0))
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(1)
      k.run((ctx) => lock.withLockedBh(ctx, (ctx) => t.delTimerSync(ctx)))
      expect(kinds(k.diagnostics)).toContain('circular-dependency')
    })

    it('from its own callback: recursive locking on the timer map, then the wait that never ends', () => {
      const k = createKernel({ preemptRt })
      const t = k.timerSetup('self', (ctx, timer) => {
        loose(timer, 'timerDeleteSync')(ctx) // the types refuse it (type-tests/runrules-self-wait.test-d.ts)
      })
      k.run((ctx) => t.modTimer(ctx, 1))
      expect(() => k.advance(1)).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
      // normal: cpu_relax() with interrupts on (soft lockup); RT: spin_lock_bh(&base->expiry_lock), held by ktimers itself.
      expect(titles(k.diagnostics)[1]).toBe(
        preemptRt
          ? 'lockproof: task ktimers/0:2 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'
          : 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]',
      )
    })

    it('valid: no lock held, or a lock the callback does not take; returns whether it was pending', () => {
      const k = createKernel({ preemptRt })
      const lock = k.spinLock('l', 0)
      const other = k.spinLock('other', 0)
      const t = k.timerSetup('t', (ctx) => lock.withLocked(ctx, () => 0))
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(1)
      k.run((ctx) => {
        t.modTimer(ctx, 10)
        expect(other.withLocked(ctx, (ctx) => t.timerDeleteSync(ctx))).toBe(true)
        expect(t.timerDeleteSync(ctx)).toBe(false)
      })
      expect(k.diagnostics).toEqual([])
    })

    it('RT: under a raw spinlock lockdep_assert_preemption_enabled() fires; a normal kernel spins there legally', () => {
      const k = createKernel({ preemptRt })
      const raw = k.rawSpinLock('raw', 0)
      const t = k.timerSetup('t', () => 0)
      k.run((ctx) => raw.withLocked(ctx, (ctx) => loose(t, 'timerDeleteSync')(ctx)))
      expect(titles(k.diagnostics)).toEqual(preemptRt ? ['WARNING: CPU: 0 PID: 1 at __timer_delete_sync'] : [])
    })

    it('from a hardirq handler: WARN_ON(in_hardirq())', () => {
      const k = createKernel({ preemptRt })
      const t = k.timerSetup('t', () => 0)
      k.requestIrq(4, 'dev', (ctx) => loose(t, 'timerDeleteSync')(ctx), { noThread: true })
      k.raiseIrq(4)
      const asserts = k.diagnostics.flatMap((d) => (d.kind === 'lockdep-assert' ? [d.assertion] : []))
      expect(asserts[0]).toBe('WARN_ON(in_hardirq() && !(timer->flags & TIMER_IRQSAFE))')
    })
  })

  describe('workqueues', () => {
    it('flush_work() from its own work: recursive locking on (work_completion), then a hung kworker', () => {
      const k = createKernel({ preemptRt })
      const wq = k.allocWorkqueue('events')
      const w = k.initWork('reset', (ctx) => {
        wq.queueWork(ctx, w)
        loose(w, 'flushWork')(ctx) // the types refuse it (type-tests/runrules-self-wait.test-d.ts)
      })
      expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
      expect(k.diagnostics[0]?.report).toContain('(work_completion)reset')
      expect(titles(k.diagnostics)[1]).toBe('INFO: task kworker/0:1:2 blocked for more than 120 seconds.')
    })

    it('flush_work() while holding a mutex the work takes: the circular dependency, then the kworker blocks on the mutex', () => {
      const k = createKernel({ preemptRt })
      const cfg = k.mutex('cfg', 0)
      const wq = k.allocWorkqueue('events')
      const w = k.initWork('reset', (ctx) => cfg.withLocked(ctx, () => 0))
      expect(() =>
        k.run((ctx) =>
          cfg.withLocked(ctx, (ctx) => {
            wq.queueWork(ctx, w)
            w.flushWork(ctx)
          }),
        ),
      ).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['circular-dependency', 'deadlock'])
      expect(k.diagnostics[0]?.report).toContain('(work_completion)reset')
    })

    it('flush_work() of an idle work under that mutex tells lockdep nothing (start_flush_work(): already_gone), as the kernel', () => {
      const k = createKernel({ preemptRt })
      const cfg = k.mutex('cfg', 0)
      const w = k.initWork('reset', (ctx) => cfg.withLocked(ctx, () => 0))
      k.run((ctx) => cfg.withLocked(ctx, (ctx) => expect(w.flushWork(ctx)).toBe(false)))
      expect(k.diagnostics).toEqual([])
    })

    it('valid: flush_work() under a lock the work does not take runs the work meanwhile', () => {
      const k = createKernel({ preemptRt })
      const other = k.mutex('other', 0)
      const cfg = k.mutex('cfg', { n: 0 })
      const wq = k.allocWorkqueue('events')
      const w = k.initWork('reset', (ctx) => cfg.withLocked(ctx, (_ctx, c) => void c.n++))
      k.run((ctx) =>
        other.withLocked(ctx, (ctx) => {
          wq.queueWork(ctx, w)
          expect(w.flushWork(ctx)).toBe(true)
          expect(w.pending).toBe(false)
        }),
      )
      expect(k.diagnostics).toEqual([])
    })

    it('cancel_work_sync() from its own work: recursive locking, then the wait for itself', () => {
      const k = createKernel({ preemptRt })
      const wq = k.allocWorkqueue('events')
      const w = k.initWork('w', (ctx) => {
        loose(w, 'cancelWorkSync')(ctx) // the types refuse it (type-tests/runrules-self-wait.test-d.ts)
      })
      expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    })

    it('cancel_work_sync() of a pending work takes it off the queue (true); of an idle one, false', () => {
      const k = createKernel({ preemptRt })
      const wq = k.allocWorkqueue('events')
      const runs: number[] = []
      const w = k.initWork('w', () => runs.push(1))
      const other = k.mutex('other', 0)
      k.run((ctx) =>
        other.withLocked(ctx, (ctx) => {
          // Queued by a task holding a lock: the kworker does not preempt it.
          wq.queueWork(ctx, w)
          expect(w.cancelWorkSync(ctx)).toBe(true)
          expect(w.cancelWorkSync(ctx)).toBe(false)
        }),
      )
      expect(runs).toEqual([])
    })

    it('flush_workqueue() from a work on the same workqueue: recursive locking on (wq_completion)', () => {
      const k = createKernel({ preemptRt })
      const wq = k.allocWorkqueue('events')
      const w = k.initWork('w', (ctx) => wq.flushWorkqueue(ctx))
      expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
      expect(k.diagnostics[0]?.report).toContain('(wq_completion)events')
    })

    it('flush_work() of another work on an ordered workqueue from a work on it: recursive on (wq_completion); on a concurrent one, none', () => {
      for (const ordered of [true, false]) {
        const k = createKernel({ preemptRt })
        const wq = k.allocWorkqueue('q', { ordered })
        const a = k.initWork('a', () => 0)
        const b = k.initWork('b', (ctx) => {
          wq.queueWork(ctx, a)
          a.flushWork(ctx)
        })
        if (ordered) expect(() => k.run((ctx) => wq.queueWork(ctx, b))).toThrow(DeadlockError)
        else k.run((ctx) => wq.queueWork(ctx, b))
        expect(kinds(k.diagnostics).slice(0, 1)).toEqual(ordered ? ['recursive-locking'] : [])
      }
    })

    it('destroy_workqueue(): drains, then refuses new work with the kernel warning', () => {
      const k = createKernel({ preemptRt })
      const wq = k.allocWorkqueue('gone')
      const runs: number[] = []
      const w = k.initWork('w', () => runs.push(1))
      const other = k.mutex('other', 0)
      k.run((ctx) =>
        other.withLocked(ctx, (ctx) => {
          wq.queueWork(ctx, w)
          wq.destroyWorkqueue(ctx) // the kworker runs while it sleeps
          expect(runs).toEqual([1])
          expect(wq.queueWork(ctx, w)).toBe(false)
        }),
      )
      expect(k.diagnostics.map((d) => d.kind === 'lockdep-assert' && d.assertion)).toEqual(['workqueue: cannot queue w on wq gone'])
    })

    it('flush_work() from softirq context: sleeping in atomic', () => {
      const k = createKernel({ preemptRt })
      const w = k.initWork('w', () => 0)
      const t = k.timerSetup('t', (ctx) => {
        loose(w, 'flushWork')(ctx)
      })
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(1)
      expect(kinds(k.diagnostics)[0]).toBe('sleeping-in-atomic')
    })
  })

  describe('synchronize_irq() / disable_irq() / free_irq()', () => {
    it('synchronize_irq() from the handler itself: hard lockup in hardirq (normal), a hung irq thread (RT)', () => {
      const k = createKernel({ preemptRt })
      k.requestIrq(5, 'eth0', (ctx) => loose(k, 'synchronizeIrq')(ctx, 5))
      expect(() => k.raiseIrq(5)).toThrow(DeadlockError)
      const last = k.diagnostics.at(-1)
      expect(last?.kind).toBe('wait-forever')
      expect(last?.title).toBe(
        preemptRt ? 'INFO: task irq/5-eth0:1 blocked for more than 120 seconds.' : 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0',
      )
      // normal: __synchronize_hardirq() spins before wait_event()'s might_sleep(), so the lockup is all;
      // RT: the forced thread gets past the spin and might_sleep()s with BH off (RCU nest depth 1).
      expect(kinds(k.diagnostics)).toEqual(preemptRt ? ['sleeping-in-atomic', 'wait-forever'] : ['wait-forever'])
    })

    it('synchronize_irq() from thread_fn: waits for its own thread — a hung task on both kernels', () => {
      const k = createKernel({ preemptRt })
      k.requestThreadedIrq(
        5,
        'eth0',
        () => 'IRQ_WAKE_THREAD',
        (ctx) => loose(k, 'synchronizeIrq')(ctx, 5), // the types refuse it (type-tests/runrules-self-wait.test-d.ts)
      )
      expect(() => k.raiseIrq(5)).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['wait-forever'])
      expect(titles(k.diagnostics)[0]).toMatch(/^INFO: task irq\/5-(s-)?eth0:\d+ blocked for more than 120 seconds\.$/)
    })

    it('disable_irq() while holding a mutex thread_fn takes, its thread woken: the thread runs meanwhile and blocks on the mutex', () => {
      const k = createKernel({ preemptRt })
      const cfg = k.mutex('cfg', 0)
      k.requestThreadedIrq(
        5,
        'eth0',
        () => 'IRQ_WAKE_THREAD',
        (ctx) => cfg.withLocked(ctx, () => 0),
        { oneshot: true },
      )
      expect(() =>
        k.run((ctx) =>
          cfg.withLocked(ctx, (ctx) => {
            ctx.raiseIrq(5) // the primary wakes the thread; it cannot preempt a task holding a lock
            k.disableIrq(ctx, 5)
          }),
        ),
      ).toThrow(DeadlockError)
      expect(k.diagnostics.at(-1)?.title).toBe('INFO: task irq/5-eth0:2 blocked for more than 120 seconds.')
    })

    it('valid: synchronize_irq() / disable_irq() / enable_irq() / free_irq() from a task with the handler idle', () => {
      const k = createKernel({ preemptRt })
      const runs: string[] = []
      k.requestIrq(5, 'eth0', (ctx) => void runs.push(ctx.comm))
      k.run((ctx) => {
        k.synchronizeIrq(ctx, 5)
        k.disableIrq(ctx, 5)
        ctx.raiseIrq(5) // masked: IRQS_PENDING
        expect(runs).toEqual([])
        k.enableIrq(ctx, 5) // replayed
      })
      expect(runs).toEqual([preemptRt ? 'irq/5-eth0' : 'task-1'])
      k.run((ctx) => k.freeIrq(ctx, 5))
      k.raiseIrq(5)
      expect(runs).toHaveLength(1)
      expect(k.diagnostics).toEqual([])
    })

    it('enable_irq() at depth 0: "Unbalanced enable for IRQ"; free_irq() from interrupt context warns', () => {
      const k = createKernel({ preemptRt })
      k.requestIrq(6, 'x', () => 0)
      k.run((ctx) => k.enableIrq(ctx, 6))
      k.requestIrq(7, 'y', (ctx) => loose(k, 'freeIrq')(ctx, 6))
      k.raiseIrq(7)
      const asserts = k.diagnostics.flatMap((d) => (d.kind === 'lockdep-assert' ? [d.assertion] : []))
      expect(asserts).toEqual(['Unbalanced enable for IRQ 6', 'Trying to free IRQ 6 from IRQ context!'])
    })
  })

  describe('hrtimer_cancel() and tasklet_kill(): no lockdep map, the wait that never ends', () => {
    it('hrtimer_cancel() from its own callback', () => {
      const k = createKernel({ preemptRt })
      const t = k.hrtimerSetup(
        'h',
        (ctx, timer) => {
          loose(timer, 'hrtimerCancel')(ctx) // the types refuse it (type-tests/runrules-self-wait.test-d.ts)
          return 'HRTIMER_NORESTART'
        },
        'HRTIMER_MODE_REL',
      )
      k.run((ctx) => t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
      expect(() => k.advance(1)).toThrow(DeadlockError)
      expect(k.diagnostics.at(-1)?.title).toBe(
        preemptRt
          ? 'lockproof: task ktimers/0:2 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'
          : 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0',
      )
    })

    it('tasklet_kill() from the tasklet itself', () => {
      const k = createKernel({ preemptRt })
      const t = k.taskletSetup('t', (ctx, self) => loose(self, 'taskletKill')(ctx))
      // Run by ksoftirqd (raised from a task): sleeping in atomic, then the wait for itself.
      expect(() => k.run((ctx) => t.taskletSchedule(ctx))).toThrow(DeadlockError)
      expect(k.diagnostics.at(-1)?.title).toBe('INFO: task ksoftirqd/0:2 blocked for more than 120 seconds.')
      expect(kinds(k.diagnostics)).toEqual(['sleeping-in-atomic', 'wait-forever'])
    })
  })

  describe('RCU', () => {
    it('synchronize_rcu() inside rcu_read_lock(): the RCU-lockdep warning, then a hung task', () => {
      const k = createKernel({ preemptRt })
      expect(() => k.run((ctx) => ctx.rcuReadLock((ctx) => loose(k, 'synchronizeRcu')(ctx)))).toThrow(DeadlockError)
      const asserts = k.diagnostics.flatMap((d) => (d.kind === 'lockdep-assert' ? [d.assertion] : []))
      expect(asserts).toEqual(['Illegal synchronize_rcu() in RCU read-side critical section'])
      expect(k.diagnostics.at(-1)?.title).toBe('INFO: task task-1:1 blocked for more than 120 seconds.')
    })

    it('rcu_barrier() inside rcu_read_lock_bh() / rcu_read_lock_sched(): never returns', () => {
      for (const flavour of ['bh', 'sched'] as const) {
        const k = createKernel({ preemptRt })
        const lock = loose(k, flavour === 'bh' ? 'rcuReadLockBh' : 'rcuReadLockSched')
        expect(() => k.run((ctx) => lock(ctx, (ctx: unknown) => loose(k, 'rcuBarrier')(ctx)))).toThrow(DeadlockError)
        expect(k.diagnostics.at(-1)?.kind).toBe('wait-forever')
      }
    })

    it('a spinlock_t inside rcu_read_lock_sched(): rcu_sched_lock_map (LD_WAIT_SPIN inner) makes it an invalid wait context on both kernels; on RT also sleeping in atomic (SEMANTICS §24)', () => {
      const k = createKernel({ preemptRt })
      const s = k.spinLock('s', 0)
      k.run((ctx) => k.rcuReadLockSched(ctx, (ctx) => loose(s, 'withLocked')(ctx, () => 0)))
      expect(kinds(k.diagnostics)).toEqual(preemptRt ? ['invalid-wait-context', 'sleeping-in-atomic'] : ['invalid-wait-context'])
    })

    it('valid: a spinlock_t inside rcu_read_lock_bh()', () => {
      const k = createKernel({ preemptRt })
      const s = k.spinLock('s', 0)
      k.run((ctx) => k.rcuReadLockBh(ctx, (ctx) => s.withLocked(ctx, () => 0)))
      expect(k.diagnostics).toEqual([])
    })

    it('a reader running at the tick holds the grace period back', () => {
      const k = createKernel({ preemptRt })
      const ran: number[] = []
      k.run((ctx) => {
        k.callRcu(ctx, () => ran.push(k.jiffies))
        ctx.rcuReadLock(() => k.advance(5))
        expect(ran).toEqual([])
      })
      k.advance(1)
      expect(ran).toEqual([6])
    })
  })
})
