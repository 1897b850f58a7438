import { describe, expect, it } from 'vitest'
import { createKernel, type Context, type CtxState } from '../../src/index.js'

type Loose = (ctx: Context<CtxState>, ...args: unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

describe.each([false, true])('wait queues (preemptRt: %s)', (preemptRt) => {
  it('wait_event() with a true condition returns after one check; the condition gets the waiter’s context', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('rx_wait')
    const seen: string[] = []
    kernel.run(
      (ctx) =>
        wq.waitEvent(ctx, (c) => {
          seen.push(c.comm)
          return true
        }),
      { comm: 'reader' },
    )
    expect(seen).toEqual(['reader'])
    expect(kernel.diagnostics).toEqual([])
  })

  it('a condition nobody makes true: checked before sleeping (twice: the wrapper, then after prepare_to_wait_event()), then the hung-task report', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('rx_wait')
    let checks = 0
    expect(() =>
      kernel.run(
        (ctx) =>
          wq.waitEvent(ctx, () => {
            checks++
            return false
          }),
        { comm: 'reader' },
      ),
    ).toThrowError(
      /^INFO: task reader:\d+ blocked for more than 120 seconds\.: wait_queue_head 'rx_wait' can never be woken: nothing else runs under kernel\.run\(\)$/,
    )
    expect(checks).toBe(2)
    // Recorded as the model executor records it: kernel/hung_task.c's report.
    expect(kernel.diagnostics.map((d) => [d.kind, d.title])).toEqual([
      ['wait-forever', expect.stringMatching(/^INFO: task reader:\d+ blocked for more than 120 seconds\.$/)],
    ])
    // Nothing stays queued: a later wake-up has nobody to wake, and takes and drops the head's lock cleanly.
    kernel.run((ctx) => wq.wakeUpAll(ctx))
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })

  it('wait_event_timeout(): 0 when still false after the timeout, 1 when true just then, the jiffies left when true at once', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('q')
    expect(kernel.run((ctx) => wq.waitEventTimeout(ctx, () => false, 40))).toBe(0)
    expect(kernel.clockMs).toBe(40)
    const at = kernel.clockMs
    expect(kernel.run((ctx) => wq.waitEventTimeout(ctx, () => kernel.clockMs >= at + 5, 5))).toBe(1)
    expect(kernel.run((ctx) => wq.waitEventInterruptibleTimeout(ctx, () => true, 7))).toBe(7)
    expect(kernel.run((ctx) => wq.waitEventInterruptible(ctx, () => true))).toBe(0)
    expect(kernel.run((ctx) => wq.waitEventKillable(ctx, () => true))).toBe(0)
  })

  it('wake_up() from a force-threaded handler: fine on both kernels', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('q')
    kernel.requestIrq(9, 'nic', (ctx) => wq.wakeUp(ctx))
    kernel.raiseIrq(9)
    expect(kernel.diagnostics).toEqual([])
  })

  it('wake_up() from a hardirq handler RT does not thread: lockdep "Invalid wait context" on both kernels, and on RT the sleeping spinlock_t’s might-sleep report', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('q')
    kernel.requestIrq(0, 'timer', (ctx) => loose(wq.wakeUp)(ctx), { noThread: true })
    kernel.raiseIrq(0)
    const kinds = kernel.diagnostics.map((d) => d.kind)
    // rt_spin_lock(): spin_acquire() (lockdep) before rtlock_might_resched().
    expect(kinds).toEqual(preemptRt ? ['invalid-wait-context', 'sleeping-in-atomic'] : ['invalid-wait-context'])
    expect(kernel.diagnostics.find((d) => d.kind === 'invalid-wait-context')?.report).toContain('q.lock')
  })

  it('wait_event() under a spinlock is the might-sleep report, even when the condition is true', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('q')
    const lock = kernel.spinLock('s', {})
    kernel.run((ctx) => lock.withLocked(ctx, (ctx) => loose(wq.waitEvent)(ctx, () => true)))
    expect(kernel.diagnostics.map((d) => d.report.split('\n')[0])).toEqual(['BUG: sleeping function called from invalid context at wait_event()'])
  })

  it('bad arguments are named errors, nothing queued', () => {
    const kernel = createKernel({ preemptRt })
    const wq = kernel.waitQueue('q')
    kernel.run((ctx) => {
      expect(() => loose(wq.waitEvent)(ctx, 1)).toThrowError(/wait_event\(\): the condition must be a function/)
      expect(() => loose(wq.waitEventTimeout)(ctx, () => true, -1)).toThrowError(/integer ≥ 0/)
      expect(() => loose(wq.wakeUpNr)(ctx, 'x')).toThrowError(/nr must be an integer/)
    })
    expect(() => kernel.waitQueue('')).toThrowError(/non-empty string/)
  })
})

describe('wait_event_timeout(): the condition is checked again right after schedule_timeout() (___wait_event()’s second check)', () => {
  it('a condition that becomes true while the task sleeps: 1 when it is seen just as the timeout ran out', () => {
    const kernel = createKernel({ trace: true })
    const wq = kernel.waitQueue('q')
    const seen: number[] = []
    const r = kernel.run((ctx) =>
      wq.waitEventTimeout(
        ctx,
        () => {
          seen.push(kernel.clockMs)
          return kernel.clockMs >= 20
        },
        20,
      ),
    )
    // The wrapper, after prepare_to_wait_event(), then after the sleep: no further turn.
    expect(seen).toEqual([0, 0, 20])
    expect(r).toBe(1)
    // The head's lock: prepare_to_wait_event(), then finish_wait() (the entry is still queued) — no second prepare.
    expect(kernel.trace.filter((e) => e.event === 'lock' && e.name === 'q.lock')).toHaveLength(2)
  })
})
