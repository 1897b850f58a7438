/**
 * Outside audit: NET_RX polling (net/core/dev.c, v6.18 copies in the index).
 * `net_rx_action()` polls each scheduled instance once per round: `budget -= napi_poll(n,
 * &repoll);` puts one that used its whole weight on `repoll`, and only after the loop
 * `list_splice_tail(&repoll, &list); list_splice(&list, &sd->poll_list); if
 * (!list_empty(&sd->poll_list)) __raise_softirq_irqoff(NET_RX_SOFTIRQ);` — the next poll is the
 * next NET_RX round. kernel/softirq.c `handle_softirqs()` runs the bits pending at its start and
 * restarts with what is pending then, lowest first: a tasklet the first poll scheduled runs after
 * the second poll (NET_RX_SOFTIRQ 3 < TASKLET_SOFTIRQ 6), before the third.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('a full-weight poll is polled again in the next NET_RX round, not in the same net_rx_action()', () => {
    const k = createKernel({ preemptRt })
    const order: string[] = []
    const tl = k.taskletSetup('tl', () => void order.push('tasklet'))
    let polls = 0
    const napi = k.netifNapiAdd('eth0', (ctx, n, budget) => {
      polls++
      order.push(`poll${polls}`)
      if (polls === 1) tl.taskletSchedule(ctx)
      if (polls < 4) return budget
      n.napiCompleteDone(ctx, 0)
      return 0
    })
    k.requestIrq(9, 'eth0', (ctx) => void napi.napiSchedule(ctx))
    k.raiseIrq(9)
    expect(order).toEqual(['poll1', 'poll2', 'tasklet', 'poll3', 'poll4'])
    expect(napi.scheduled).toBe(false)
    expect(k.diagnostics).toEqual([])
  })

  it('two instances: each polled once per round, in scheduling order, the repolled one after', () => {
    const k = createKernel({ preemptRt })
    const order: string[] = []
    const left = { a: 2, b: 1 }
    const mk = (name: 'a' | 'b') =>
      k.netifNapiAdd(name, (ctx, n, budget) => {
        order.push(name)
        left[name]--
        if (left[name] > 0) return budget
        n.napiCompleteDone(ctx, 1)
        return 1
      })
    const a = mk('a')
    const b = mk('b')
    k.requestIrq(9, 'nic', (ctx) => {
      a.napiSchedule(ctx)
      b.napiSchedule(ctx)
    })
    k.raiseIrq(9)
    expect(order).toEqual(['a', 'b', 'a'])
  })
})
