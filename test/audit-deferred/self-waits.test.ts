/**
 * Outside audit: waiting for a deferred callback from inside it (or from where it cannot finish),
 * as an untyped JavaScript caller would write it (the types refuse these calls). Each expected
 * report is what the kernel's code path does:
 * - timer_delete_sync(): lockdep's recursive timer map (`call_timer_fn()` holds it), then
 *   `__try_to_del_timer_sync()` returns -1 for ever: `cpu_relax()` with interrupts on (normal),
 *   `spin_lock_bh(&base->expiry_lock)` the softirq itself holds (RT).
 * - hrtimer_cancel(): no map; `hrtimer_cancel_wait_running()` is `cpu_relax()` except on RT for a
 *   soft timer (`softirq_expiry_lock`).
 * - cancel_work_sync() / flush_work() / flush_workqueue(): the work's (or wq's) map again, then
 *   `wait_for_completion()` on a barrier queued behind the running work: the kworker hangs.
 * - synchronize_irq(): `__synchronize_hardirq()` spins before `wait_event()` (and its might_sleep()).
 * - tasklet_kill(): `wait_on_bit_lock()` / `wait_on_bit()` — both begin with might_sleep().
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, type AnyContext, type Diagnostic } from '../../src/index.js'
import { untyped } from './untyped.js'

const kinds = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.kind)
const titles = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.title)
const SOFT_LOCKUP_IDLE = 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]'
const HARD_LOCKUP = 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'
const rtlockForever = (comm: string): string => `lockproof: task ${comm} blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)`
const hung = (comm: string): string => `INFO: task ${comm} blocked for more than 120 seconds.`

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('timer_delete_sync() from its own callback: recursive timer map, then soft lockup (normal) / expiry_lock (RT)', () => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('&p->t', (ctx, timer) => void untyped(timer, 'timerDeleteSync')(ctx))
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 1))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('&p->t')
    expect(titles(k.diagnostics)[1]).toBe(preemptRt ? rtlockForever('ktimers/0:2') : SOFT_LOCKUP_IDLE)
  })

  it('timer_shutdown_sync() from its own callback: the same path (__timer_delete_sync(timer, true))', () => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('&p->t', (ctx, timer) => void untyped(timer, 'timerShutdownSync')(ctx))
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 1))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
  })

  it('valid: timer_delete() (no wait) from its own callback, and timer_delete_sync() once the callback is done', () => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('&p->t', (ctx, timer) => {
      timer.modTimer(ctx, k.jiffies + 5)
      expect(timer.timerDelete(ctx)).toBe(true)
    })
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 1))
    k.advance(10)
    k.run((ctx) => expect(t.timerDeleteSync(ctx)).toBe(false))
    expect(k.diagnostics).toEqual([])
  })

  it.each([
    ['HRTIMER_MODE_REL_HARD', HARD_LOCKUP, HARD_LOCKUP],
    ['HRTIMER_MODE_REL', HARD_LOCKUP, rtlockForever('ktimers/0:2')],
    ['HRTIMER_MODE_REL_SOFT', SOFT_LOCKUP_IDLE, rtlockForever('ktimers/0:2')],
  ] as const)('hrtimer_cancel() from its own %s callback: no lockdep map, only the wait that never ends', (mode, normal, rt) => {
    const k = createKernel({ preemptRt })
    const h = k.hrtimerSetup(
      'h',
      (ctx: AnyContext, timer) => {
        untyped(timer, 'hrtimerCancel')(ctx)
        return 'HRTIMER_NORESTART'
      },
      mode,
    )
    k.run((ctx) => untyped(h, 'hrtimerStart')(ctx, 1, mode))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(titles(k.diagnostics)).toEqual([preemptRt ? rt : normal])
  })

  it('valid: hrtimer_try_to_cancel() from its own callback returns -1 (running) and does not wait', () => {
    const k = createKernel({ preemptRt })
    const got: number[] = []
    const h = k.hrtimerSetup(
      'h',
      (ctx, timer) => {
        got.push(timer.hrtimerTryToCancel(ctx))
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    k.run((ctx) => h.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD'))
    k.advance(1)
    expect(got).toEqual([-1])
    expect(k.diagnostics).toEqual([])
  })

  it.each(['cancelWorkSync', 'flushWork'] as const)('%s() from the work itself: recursive (work_completion) map, then the kworker hangs', (method) => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const w = k.initWork('&p->work', (ctx) => void untyped(w, method)(ctx))
    expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('(work_completion)&p->work')
    expect(titles(k.diagnostics)[1]).toBe(hung('kworker/0:1:2'))
  })

  it('flush_work() of another work of the same ordered workqueue (max_active 1): recursive (wq_completion) map, then the hang', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('ordered_wq', { ordered: true })
    const b = k.initWork('b', () => 0)
    const a = k.initWork('a', (ctx) => {
      wq.queueWork(ctx, b)
      b.flushWork(ctx) // compiles: another work; the ordered queue makes it wait behind a
    })
    expect(() => k.run((ctx) => wq.queueWork(ctx, a))).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('(wq_completion)ordered_wq')
  })

  it('valid: the same flush on a plain (concurrency-managed) workqueue: another kworker runs b', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const ran: string[] = []
    const b = k.initWork('b', (ctx) => void ran.push(ctx.comm))
    const a = k.initWork('a', (ctx) => {
      wq.queueWork(ctx, b)
      expect(b.flushWork(ctx)).toBe(true)
    })
    k.run((ctx) => wq.queueWork(ctx, a))
    expect(ran).toEqual(['kworker/0:2'])
    expect(k.diagnostics).toEqual([])
  })

  it('flush_workqueue() from one of its own works: recursive (wq_completion) map, then the hang', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('mywq')
    const a = k.initWork('a', (ctx) => void untyped(wq, 'flushWorkqueue')(ctx))
    expect(() => k.run((ctx) => wq.queueWork(ctx, a))).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('(wq_completion)mywq')
  })

  it('synchronize_irq() from its own handler: the hardirq spin alone (normal); RT: the forced thread might_sleep()s, then hangs', () => {
    const k = createKernel({ preemptRt })
    k.requestIrq(5, 'dev', (ctx) => void untyped(k, 'synchronizeIrq')(ctx, 5))
    expect(() => k.raiseIrq(5)).toThrow(DeadlockError)
    if (preemptRt) {
      expect(titles(k.diagnostics)).toEqual(['BUG: sleeping function called from invalid context', hung('irq/5-dev:1')])
      expect(k.diagnostics[0]?.report).toContain('\nRCU nest depth: 1, expected: 0\n')
    } else {
      expect(titles(k.diagnostics)).toEqual([HARD_LOCKUP])
    }
  })

  it('synchronize_irq() from its thread_fn: threads_active counts itself — a hung irq thread on both kernels', () => {
    const k = createKernel({ preemptRt })
    k.requestThreadedIrq(5, 'dev', null, (ctx) => void untyped(k, 'synchronizeIrq')(ctx, 5), { oneshot: true })
    expect(() => k.raiseIrq(5)).toThrow(DeadlockError)
    expect(titles(k.diagnostics)).toEqual([hung('irq/5-dev:1')])
  })

  it('synchronize_irq() of an idle line from hardirq: the spin passes, then wait_event()’s might_sleep() reports', () => {
    const k = createKernel({ preemptRt })
    k.requestIrq(6, 'other', () => 'IRQ_HANDLED')
    k.requestIrq(5, 'dev', (ctx) => void untyped(k, 'synchronizeIrq')(ctx, 6), { noThread: true })
    k.raiseIrq(5)
    expect(titles(k.diagnostics)).toEqual(['BUG: sleeping function called from invalid context'])
    expect(k.diagnostics[0]?.report).toContain('in_atomic(): 1, irqs_disabled(): 1,')
  })

  it('disable_irq() in atomic context: one might_sleep() report (the kernel rate-limits the second, in wait_event())', () => {
    const k = createKernel({ preemptRt })
    const raw = k.rawSpinLock('raw', 0)
    k.requestIrq(5, 'dev', () => 'IRQ_HANDLED')
    k.run((ctx) => raw.withLocked(ctx, (c) => void untyped(k, 'disableIrq')(c, 5)))
    expect(titles(k.diagnostics)).toEqual(['BUG: sleeping function called from invalid context'])
    expect(k.diagnostics[0]?.report).toContain('sleeping function called from invalid context at disable_irq()')
  })

  it('tasklet_kill() from its own callback: might_sleep() in the softirq, then tasklet_unlock_wait() never returns', () => {
    const k = createKernel({ preemptRt })
    const t = k.taskletSetup('tl', (ctx, tl) => void untyped(tl, 'taskletKill')(ctx))
    expect(() => k.run((ctx) => t.taskletSchedule(ctx))).toThrow(DeadlockError)
    expect(titles(k.diagnostics)).toEqual(['BUG: sleeping function called from invalid context', hung('ksoftirqd/0:2')])
  })

  it('valid: tasklet_kill() from a task once it ran, and of a tasklet never scheduled', () => {
    const k = createKernel({ preemptRt })
    const t = k.taskletSetup('tl', () => 0)
    const idle = k.taskletSetup('idle', () => 0)
    k.run((ctx) => {
      t.taskletSchedule(ctx)
      t.taskletKill(ctx)
      idle.taskletKill(ctx)
    })
    expect(k.diagnostics).toEqual([])
  })
})
