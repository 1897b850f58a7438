/**
 * Where each deferred callback runs, on a normal kernel and on PREEMPT_RT (docs/deferred.md's
 * table): the task it runs in, hardirq / serving softirq / task, interrupts, and BH.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type AnyContext, type Kernel } from '../../src/index.js'

interface Seen {
  comm: string
  hardirq: boolean
  servingSoftirq: boolean
  task: boolean
  irqsOff: boolean
  /** softirq_count() ≠ 0: BH off (or serving). */
  bhOff: boolean
}

const look = (k: Kernel, ctx: AnyContext): Seen => {
  const v = k.cpu(ctx.cpuId)
  return {
    comm: ctx.comm,
    hardirq: v.inHardirq(),
    servingSoftirq: v.inServingSoftirq(),
    task: v.inTask(),
    irqsOff: v.irqsDisabled,
    bhOff: v.softirqCount() !== 0,
  }
}

const SOFTIRQ_NORMAL = { comm: 'swapper/0', hardirq: false, servingSoftirq: true, task: false, irqsOff: false, bhOff: true }
const SOFTIRQ_KTIMERS = { comm: 'ktimers/0', hardirq: false, servingSoftirq: true, task: false, irqsOff: false, bhOff: true }
const HARDIRQ = { comm: 'swapper/0', hardirq: true, servingSoftirq: false, task: false, irqsOff: true, bhOff: false }

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('timer_list: the TIMER softirq at irq exit; ktimers/0 on RT', () => {
    const k = createKernel({ preemptRt })
    const seen: Seen[] = []
    const t = k.timerSetup('&priv->watchdog', (ctx) => {
      seen.push(look(k, ctx))
    })
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 10))
    k.advance(9)
    expect(seen).toEqual([])
    expect(t.pending).toBe(true)
    k.advance(1)
    expect(seen).toEqual([preemptRt ? SOFTIRQ_KTIMERS : SOFTIRQ_NORMAL])
    expect(t.pending).toBe(false)
    expect(k.jiffies).toBe(10)
    expect(k.diagnostics).toEqual([])
  })

  it('hrtimer: default mode hardirq on normal, HRTIMER softirq on RT; _HARD hardirq and _SOFT softirq on both', () => {
    const k = createKernel({ preemptRt })
    const seen: Record<string, Seen> = {}
    const def = k.hrtimerSetup(
      'def',
      (ctx) => {
        seen.def = look(k, ctx)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    const hard = k.hrtimerSetup(
      'hard',
      (ctx) => {
        seen.hard = look(k, ctx)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    const soft = k.hrtimerSetup(
      'soft',
      (ctx) => {
        seen.soft = look(k, ctx)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_SOFT',
    )
    expect([def.expiresIn, hard.expiresIn, soft.expiresIn]).toEqual([preemptRt ? 'softirq' : 'hardirq', 'hardirq', 'softirq'])
    k.run((ctx) => {
      def.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL')
      hard.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL_HARD')
      soft.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL_SOFT')
    })
    k.advance(2)
    const softSeen = preemptRt ? SOFTIRQ_KTIMERS : SOFTIRQ_NORMAL
    expect(seen).toEqual({ def: preemptRt ? softSeen : HARDIRQ, hard: HARDIRQ, soft: softSeen })
    expect(k.diagnostics).toEqual([])
  })

  it('hrtimer: HRTIMER_RESTART after hrtimer_forward_now() fires again', () => {
    const k = createKernel({ preemptRt })
    const at: number[] = []
    const t = k.hrtimerSetup(
      'beat',
      (ctx, timer) => {
        at.push(k.jiffies)
        timer.hrtimerForwardNow(ctx, 4)
        return at.length < 3 ? 'HRTIMER_RESTART' : 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    k.run((ctx) => t.hrtimerStart(ctx, 4, 'HRTIMER_MODE_REL_HARD'))
    k.advance(20)
    expect(at).toEqual([4, 8, 12])
    expect(t.active).toBe(false)
  })

  it('threadIrqs on a normal kernel: timers in ktimers/0 too (force_irqthreads())', () => {
    const k = createKernel({ preemptRt, threadIrqs: !preemptRt })
    const seen: string[] = []
    const t = k.timerSetup('t', (ctx) => {
      seen.push(ctx.comm)
    })
    k.run((ctx) => t.modTimer(ctx, 1))
    k.advance(1)
    expect(seen).toEqual(['ktimers/0'])
  })

  it('workqueue: work in a kworker, process context, may sleep; WQ_BH work from the TASKLET softirq', () => {
    const k = createKernel({ preemptRt })
    const seen: Seen[] = []
    const wq = k.allocWorkqueue('events')
    const bhq = k.allocWorkqueue('events_bh', { bh: true })
    const w = k.initWork('w', (ctx) => {
      seen.push(look(k, ctx))
      ctx.msleep(5)
    })
    const b = k.initWork('b', (ctx) => seen.push(look(k, ctx)), { bh: true })
    k.run((ctx) => {
      expect(wq.queueWork(ctx, w)).toBe(true)
      expect(wq.queueWork(ctx, w)).toBe(false) // pending already
      bhq.queueWork(ctx, b)
    })
    // ksoftirqd (woken by raise_softirq() from a task) runs first, then the SCHED_NORMAL kworker.
    expect(seen).toEqual([
      { comm: 'ksoftirqd/0', hardirq: false, servingSoftirq: true, task: false, irqsOff: false, bhOff: true },
      { comm: 'kworker/0:1', hardirq: false, servingSoftirq: false, task: true, irqsOff: false, bhOff: false },
    ])
    expect(k.clockMs).toBe(5)
    expect(k.diagnostics).toEqual([])
  })

  it('delayed work: queued by its timer, runs in a kworker', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const runs: string[] = []
    const dw = k.initDelayedWork('poll', (ctx) => runs.push(`${ctx.comm}@${k.jiffies}`))
    k.run((ctx) => wq.queueDelayedWork(ctx, dw, 50))
    expect(dw.pending).toBe(true)
    k.advance(50)
    expect(runs).toEqual(['kworker/0:1@50'])
    expect(dw.pending).toBe(false)
  })

  it('threaded irq: the primary in hardirq (a thread on RT), thread_fn in the irq thread', () => {
    const k = createKernel({ preemptRt })
    const seen: string[] = []
    k.requestThreadedIrq(
      5,
      'eth0',
      (ctx) => {
        seen.push(`primary ${ctx.comm} hardirq=${k.cpu(0).inHardirq()}`)
        return 'IRQ_WAKE_THREAD'
      },
      (ctx) => {
        seen.push(`thread ${ctx.comm} task=${k.cpu(0).inTask()} bh=${k.cpu(0).softirqCount()}`)
        ctx.msleep(1)
      },
    )
    k.raiseIrq(5)
    expect(seen).toEqual(
      preemptRt
        ? ['primary irq/5-eth0 hardirq=false', 'thread irq/5-s-eth0 task=true bh=0']
        : ['primary swapper/0 hardirq=true', 'thread irq/5-eth0 task=true bh=0'],
    )
    expect(k.diagnostics).toEqual([])
  })

  it('IRQF_ONESHOT: the primary stays in hardirq on both kernels; the line is masked until thread_fn returns', () => {
    const k = createKernel({ preemptRt })
    const seen: string[] = []
    k.requestThreadedIrq(
      6,
      'i2c',
      (ctx) => {
        seen.push(`primary ${ctx.comm}`)
        return 'IRQ_WAKE_THREAD'
      },
      (ctx) => {
        seen.push(`thread ${ctx.comm}`)
        // Raised while masked: replayed once the thread is done.
        if (seen.length === 2) ctx.raiseIrq(6)
        seen.push('thread done')
      },
      { oneshot: true },
    )
    k.raiseIrq(6)
    expect(seen).toEqual(['primary swapper/0', 'thread irq/6-i2c', 'thread done', 'primary irq/6-i2c', 'thread irq/6-i2c', 'thread done'])
  })

  it('request_threaded_irq(handler = NULL) needs IRQF_ONESHOT (-EINVAL), and then runs thread_fn', () => {
    const k = createKernel({ preemptRt })
    const bad = k.requestThreadedIrq.bind(k) as (...args: unknown[]) => void
    expect(() => bad(7, 'x', null, () => 0)).toThrow('Threaded irq requested with handler=NULL and !ONESHOT for x (irq 7) (-EINVAL)')
    const runs: string[] = []
    k.requestThreadedIrq(7, 'x', null, (ctx) => runs.push(ctx.comm), { oneshot: true })
    k.raiseIrq(7)
    expect(runs).toEqual(['irq/7-x'])
  })

  it('irq_work: queued from NMI; hardirq on normal, irq_work/0 on RT unless IRQ_WORK_HARD_IRQ', () => {
    const k = createKernel({ preemptRt })
    const seen: Record<string, Seen> = {}
    const lazy = k.initIrqWork('flush', (ctx) => {
      seen.flush = look(k, ctx)
    })
    const hard = k.initIrqWork(
      'hard',
      (ctx) => {
        seen.hard = look(k, ctx)
      },
      { hard: true },
    )
    k.requestNmi('perf', (ctx) => {
      expect(lazy.irqWorkQueue(ctx)).toBe(true)
      expect(lazy.irqWorkQueue(ctx)).toBe(false)
      hard.irqWorkQueue(ctx)
      expect(seen).toEqual({}) // after the NMI returns
    })
    k.raiseNmi('perf')
    expect(seen).toEqual({
      flush: preemptRt ? { comm: 'irq_work/0', hardirq: false, servingSoftirq: false, task: true, irqsOff: false, bhOff: false } : HARDIRQ,
      hard: HARDIRQ,
    })
    expect(k.diagnostics).toEqual([])
  })

  it('tasklet: TASKLET / HI softirq, scheduled once while pending', () => {
    const k = createKernel({ preemptRt })
    const seen: Seen[] = []
    const t = k.taskletSetup('rx', (ctx) => {
      seen.push(look(k, ctx))
    })
    k.requestIrq(3, 'dev', (ctx) => {
      t.taskletSchedule(ctx)
      t.taskletSchedule(ctx)
    })
    k.raiseIrq(3)
    expect(seen).toHaveLength(1)
    // RT: the forced irq thread's local_bh_enable() runs it in that thread.
    expect(seen[0]).toEqual({ ...SOFTIRQ_NORMAL, comm: preemptRt ? 'irq/3-dev' : 'swapper/0' })
    k.run((ctx) => t.taskletKill(ctx))
    expect(k.diagnostics).toEqual([])
  })

  it('NAPI: napi_schedule from the handler; poll in NET_RX with its weight; a full-budget poll is polled again', () => {
    const k = createKernel({ preemptRt })
    let rx = 100
    const polls: string[] = []
    const napi = k.netifNapiAdd('eth0', (ctx, n, budget) => {
      const done = Math.min(rx, budget)
      rx -= done
      polls.push(`${ctx.comm} ${budget} ${done} softirq=${k.cpu(0).inServingSoftirq()}`)
      if (done < budget) n.napiCompleteDone(ctx, done)
      return done
    })
    k.requestIrq(9, 'eth0', (ctx) => {
      expect(napi.napiSchedule(ctx)).toBe(true)
    })
    k.raiseIrq(9)
    const comm = preemptRt ? 'irq/9-eth0' : 'swapper/0'
    expect(polls).toEqual([`${comm} 64 64 softirq=true`, `${comm} 64 36 softirq=true`])
    expect(napi.scheduled).toBe(false)
  })

  it('call_rcu: after a grace period, the RCU softirq on normal, rcuc/0 with BH off on RT', () => {
    const k = createKernel({ preemptRt })
    const seen: Seen[] = []
    k.run((ctx) => k.callRcu(ctx, (ctx) => seen.push(look(k, ctx))))
    expect(seen).toEqual([])
    k.advance(1)
    expect(seen).toEqual([preemptRt ? { comm: 'rcuc/0', hardirq: false, servingSoftirq: false, task: true, irqsOff: false, bhOff: true } : SOFTIRQ_NORMAL])
  })

  it('rcu_barrier() runs what is queued; synchronize_rcu() outside a reader returns', () => {
    const k = createKernel({ preemptRt })
    const ran: string[] = []
    k.run((ctx) => {
      k.callRcu(ctx, (ctx) => ran.push(ctx.comm))
      k.synchronizeRcu(ctx)
      k.rcuBarrier(ctx)
      expect(ran).toEqual([preemptRt ? 'rcuc/0' : 'ksoftirqd/0'])
    })
    expect(k.diagnostics).toEqual([])
  })
})
