/**
 * Outside audit: a task sleeping in a wait is woken by deferred work, on both kernels, and the
 * timed forms return what is left (kernel/sched/completion.c: "0 if timed out, and positive (at
 * least 1, or number of jiffies left till timeout) if completed"; include/linux/wait.h
 * wait_event_timeout(): "the remaining jiffies (at least 1) if the @condition evaluated to true
 * before the @timeout elapsed"). HZ = 1000: a jiffy is 1 ms.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('complete() from a timer_list callback ends wait_for_completion_timeout() with the jiffies left', () => {
    const k = createKernel({ preemptRt })
    const done = k.completion('done')
    const t = k.timerSetup('t', (ctx) => done.complete(ctx))
    k.run((ctx) => {
      t.modTimer(ctx, k.jiffies + 5)
      expect(done.waitForCompletionTimeout(ctx, 10)).toBe(5)
      expect(k.jiffies).toBe(5)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('wake_up() from a default-mode hrtimer ends wait_event_timeout() (hardirq on normal, ktimers/0 on RT)', () => {
    const k = createKernel({ preemptRt })
    const wqh = k.waitQueue('wqh')
    let ready = false
    const h = k.hrtimerSetup(
      'h',
      (ctx) => {
        ready = true
        wqh.wakeUp(ctx)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    k.run((ctx) => {
      h.hrtimerStart(ctx, 3, 'HRTIMER_MODE_REL')
      expect(wqh.waitEventTimeout(ctx, () => ready, 10)).toBe(7)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('up() from a tasklet the interrupt scheduled: down() takes the unit (RT: the tasklet runs in the irq thread)', () => {
    const k = createKernel({ preemptRt })
    const sem = k.semaphore('sem', 0)
    const ran: string[] = []
    const tl = k.taskletSetup('tl', (ctx) => {
      ran.push(ctx.comm)
      sem.up(ctx)
    })
    k.requestIrq(5, 'dev', (ctx) => tl.taskletSchedule(ctx))
    k.run((ctx) => {
      ctx.raiseIrq(5)
      sem.down(ctx)
      expect(sem.count).toBe(0)
    })
    expect(ran).toEqual([preemptRt ? 'irq/5-dev' : 'task-1'])
    expect(k.diagnostics).toEqual([])
  })

  it('the timeout passes when the timer comes later: 0', () => {
    const k = createKernel({ preemptRt })
    const done = k.completion('done')
    const t = k.timerSetup('t', (ctx) => done.complete(ctx))
    k.run((ctx) => {
      t.modTimer(ctx, k.jiffies + 20)
      expect(done.waitForCompletionTimeout(ctx, 10)).toBe(0)
      expect(k.jiffies).toBe(10)
    })
  })
})
