/**
 * Outside audit: what the queueing and cancelling calls return, from the kernel's code.
 * - `queue_delayed_work_on()`: `if (!test_and_set_bit(WORK_STRUCT_PENDING_BIT, …) && …) { …; ret = true; }`;
 *   `__queue_delayed_work()`: `if (!delay) { __queue_work(cpu, wq, &dwork->work); return; }`.
 * - `flush_delayed_work()`: `if (timer_delete_sync(&dwork->timer)) __queue_work(…); … return flush_work(&dwork->work);`.
 * - `cancel_delayed_work_sync()`: true when it was pending (its timer deleted: the work never runs).
 * - `irq_work_queue()`: `if (!irq_work_claim(work)) return false;` — false while still pending.
 * - A tasklet scheduled from its own callback runs again: `tasklet_clear_sched()` before the
 *   callback, so `tasklet_schedule()` there queues it once more.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('delayed work: queue / queue again / flush_delayed_work() runs it now / delay 0 queues at once / cancel of an armed one', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const runs: number[] = []
    const dw = k.initDelayedWork('dw', () => void runs.push(k.jiffies))
    k.run((ctx) => {
      expect(wq.queueDelayedWork(ctx, dw, 100)).toBe(true)
      expect(wq.queueDelayedWork(ctx, dw, 5)).toBe(false)
      expect(dw.flushDelayedWork(ctx)).toBe(true)
      expect(runs).toEqual([0])
      expect(dw.flushDelayedWork(ctx)).toBe(false) // idle: nothing to wait for
      expect(wq.queueDelayedWork(ctx, dw, 0)).toBe(true)
      expect(dw.pending).toBe(true)
    })
    expect(runs).toEqual([0, 0])
    k.run((ctx) => {
      wq.queueDelayedWork(ctx, dw, 50)
      expect(dw.cancelDelayedWorkSync(ctx)).toBe(true)
      expect(dw.cancelDelayedWorkSync(ctx)).toBe(false)
    })
    k.advance(100)
    expect(runs).toEqual([0, 0])
    expect(k.diagnostics).toEqual([])
  })

  it('irq_work_queue(): false while the work is still pending (interrupts off: the IPI waits)', () => {
    const k = createKernel({ preemptRt })
    let runs = 0
    const iw = k.initIrqWork('iw', () => void runs++, { hard: true })
    k.run((ctx) =>
      ctx.core.localIrqSave((c) => {
        expect(iw.irqWorkQueue(c)).toBe(true)
        expect(iw.irqWorkQueue(c)).toBe(false)
        expect(runs).toBe(0)
      }),
    )
    expect(runs).toBe(1)
  })

  it('a tasklet that schedules itself runs again (SCHED is cleared before the callback)', () => {
    const k = createKernel({ preemptRt })
    let runs = 0
    const t = k.taskletSetup('self', (ctx, tl) => {
      runs++
      if (runs < 3) tl.taskletSchedule(ctx)
    })
    k.run((ctx) => t.taskletSchedule(ctx))
    expect(runs).toBe(3)
    expect(t.scheduled).toBe(false)
  })
})
