import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, UINT_MAX, type Context, type CtxState } from '../../src/index.js'

type Loose = (ctx: Context<CtxState>, ...args: unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

describe.each([false, true])('completions (preemptRt: %s)', (preemptRt) => {
  it('complete() from a hardirq handler that is never threaded: allowed on both kernels (raw swait lock), no report', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('fw')
    kernel.requestIrq(5, 'fw', (ctx) => done.complete(ctx), { noThread: true })
    kernel.raiseIrq(5)
    kernel.raiseIrq(5)
    expect(done.done).toBe(2)
    kernel.run((ctx) => {
      done.waitForCompletion(ctx)
      expect(done.waitForCompletionTimeout(ctx, 10)).toBe(10)
    })
    expect(done.done).toBe(0)
    expect(kernel.clockMs).toBe(0)
    expect(kernel.diagnostics).toEqual([])
  })

  it('a missing complete(): wait_for_completion() is the hung-task report; nothing stays queued', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('probe')
    expect(() => kernel.run((ctx) => done.waitForCompletion(ctx), { comm: 'modprobe' })).toThrowError(
      /^INFO: task modprobe:\d+ blocked for more than 120 seconds\.: completion 'probe' can never be woken: nothing else runs under kernel\.run\(\)$/,
    )
    expect(() => kernel.run((ctx) => done.waitForCompletionIo(ctx))).toThrowError(DeadlockError)
    expect(() => kernel.run((ctx) => done.waitForCompletionInterruptible(ctx))).toThrowError(
      /^lockproof: task task-\d+:\d+ blocked forever in TASK_INTERRUPTIBLE \(not reported by the hung-task detector\): completion 'probe' can never be woken/,
    )
    // complete() after the failed waits counts for the next waiter: no entry was left queued.
    kernel.run((ctx) => done.complete(ctx))
    expect(done.done).toBe(1)
    expect(kernel.run((ctx) => done.tryWaitForCompletion(ctx))).toBe(true)
    expect(kernel.run((ctx) => done.tryWaitForCompletion(ctx))).toBe(false)
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('timeouts return 0 after running the clock; interruptible forms return 0 or the jiffies left', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('c')
    expect(kernel.run((ctx) => done.waitForCompletionTimeout(ctx, 30))).toBe(0)
    expect(kernel.run((ctx) => done.waitForCompletionInterruptibleTimeout(ctx, 20))).toBe(0)
    expect(kernel.run((ctx) => done.waitForCompletionKillableTimeout(ctx, 0))).toBe(0)
    expect(kernel.clockMs).toBe(50)
    kernel.run((ctx) => done.complete(ctx))
    expect(kernel.run((ctx) => done.waitForCompletionInterruptible(ctx))).toBe(0)
    kernel.run((ctx) => done.complete(ctx))
    // Completed already, timeout 0: `timeout ?: 1`.
    expect(kernel.run((ctx) => done.waitForCompletionIoTimeout(ctx, 0))).toBe(1)
  })

  it('complete_all(): done = UINT_MAX, every wait passes until reinit_completion(); completion_done() tells an unconsumed complete()', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('c')
    kernel.run((ctx) => {
      expect(done.completionDone(ctx)).toBe(false)
      done.completeAll(ctx)
      expect(done.done).toBe(UINT_MAX)
      done.waitForCompletion(ctx)
      done.waitForCompletionKillable(ctx)
      expect(done.completionDone(ctx)).toBe(true)
    })
    done.reinitCompletion()
    expect(kernel.run((ctx) => done.completionDone(ctx))).toBe(false)
  })

  it('complete_all() from a hardirq handler RT would not thread: "Not in threaded context on PREEMPT_RT as expected", on both kernels, once', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('c')
    kernel.requestIrq(5, 'timer', (ctx) => loose(done.completeAll)(ctx), { noThread: true })
    kernel.raiseIrq(5)
    kernel.raiseIrq(5)
    const w = kernel.diagnostics.filter((d) => d.kind === 'kernel-warning')
    expect(w.map((d) => d.title)).toEqual([
      'WARNING: kernel/sched/completion.c at complete_all(): lockdep_assert_RT_in_threaded_ctx(): Not in threaded context on PREEMPT_RT as expected',
    ])
    expect(done.done).toBe(UINT_MAX)
  })

  it('complete_all() from a threadable handler (threaded on RT): no warning', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('c')
    kernel.requestIrq(6, 'dev', (ctx) => done.completeAll(ctx))
    kernel.raiseIrq(6)
    expect(kernel.diagnostics).toEqual([])
    expect(done.done).toBe(UINT_MAX)
  })

  it('wait_for_completion() under a spinlock is the might-sleep report (even with done > 0)', () => {
    const kernel = createKernel({ preemptRt })
    const done = kernel.completion('c')
    const lock = kernel.spinLock('s', {})
    kernel.run((ctx) => {
      done.complete(ctx)
      lock.withLocked(ctx, (ctx) => loose(done.waitForCompletion)(ctx))
    })
    const d = kernel.diagnostics.filter((x) => x.kind === 'sleeping-in-atomic')
    expect(d.map((x) => x.report.split('\n')[0])).toEqual(['BUG: sleeping function called from invalid context at wait_for_completion()'])
    expect(done.done).toBe(0)
  })
})

describe('the sleep gives the CPU up (kernel.run())', () => {
  it('PREEMPT_RT: the irq thread woken while the task held a mutex runs when the task sleeps in wait_for_completion(), and completes it', () => {
    const kernel = createKernel({ preemptRt: true, trace: true })
    const done = kernel.completion('fw')
    const m = kernel.mutex('m', {})
    kernel.requestIrq(5, 'dev', (ctx) => done.complete(ctx))
    kernel.run((ctx) =>
      m.withLocked(ctx, (ctx) => {
        ctx.raiseIrq(5) // the thread is woken, but does not preempt a task holding a lock
        expect(done.done).toBe(0)
        done.waitForCompletion(ctx)
      }),
    )
    expect(done.done).toBe(0)
    expect(kernel.diagnostics).toEqual([])
    expect(kernel.trace.some((e) => e.event === 'sched_switch' && e.nextComm === 'irq/5-dev')).toBe(true)
  })
})
