/**
 * Outside audit: the order in which one softirq round runs what a hardirq raised.
 * kernel/softirq.c `handle_softirqs()` walks the pending bits lowest first (`ffs(pending)`):
 * HI_SOFTIRQ (0) before TASKLET_SOFTIRQ (6); `tasklet_action()` runs
 * `workqueue_softirq_action(false)` (WQ_BH work) before `tasklet_action_common()` — whichever
 * was set up first.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it.each([true, false])('HI tasklet, then WQ_BH work, then the TASKLET list (tasklets set up first: %s)', (taskletsFirst) => {
    const k = createKernel({ preemptRt })
    const order: string[] = []
    const mk = (): { t: ReturnType<typeof k.taskletSetup>; h: ReturnType<typeof k.taskletSetup> } => ({
      t: k.taskletSetup('lo', () => void order.push('tasklet')),
      h: k.taskletSetup('hi', () => void order.push('hi tasklet')),
    })
    const first = taskletsFirst ? mk() : null
    const bq = k.allocWorkqueue('events_bh', { bh: true })
    const bw = k.initWork('bw', () => void order.push('bh work'), { bh: true })
    const { t, h } = first ?? mk()
    k.requestIrq(5, 'dev', (ctx) => {
      t.taskletSchedule(ctx)
      bq.queueWork(ctx, bw)
      h.taskletHiSchedule(ctx)
      return 'IRQ_HANDLED'
    })
    k.raiseIrq(5)
    expect(order).toEqual(['hi tasklet', 'bh work', 'tasklet'])
    expect(k.diagnostics).toEqual([])
  })
})
