/**
 * Outside audit: in which context each deferred callback runs, read off the CPU as the kernel's
 * predicates would see it (preempt_count, interrupts, in_serving_softirq(), softirq_count(),
 * in_task(), RCU depth, migrate_disable), on both kernels. Each expectation is from the kernel:
 * kernel/time/timer.c, hrtimer.c (`__hrtimer_setup()`), kernel/softirq.c (`handle_softirqs()`,
 * `run_ktimerd()`, RT `__local_bh_disable_ip()`), kernel/irq_work.c, kernel/irq/manage.c
 * (`irq_forced_thread_fn()`), kernel/rcu/tree.c (`use_softirq`, `rcu_cpu_kthread()`).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type AnyContext } from '../../src/index.js'
import { bhOffTaskIn, hardirqOver, PREEMPT_OFFSET, rtSoftirqIn, softirqIn, taskIn, where, type Where } from './where.js'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('timer_list: TIMER softirq at the tick’s irq exit; RT: ktimers/0 (raise_timer_softirq() → run_ktimerd())', () => {
    const k = createKernel({ preemptRt })
    const seen: Where[] = []
    const t = k.timerSetup('&p->t', (ctx) => void seen.push(where(k, ctx)))
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 3))
    k.advance(3)
    expect(seen).toEqual([preemptRt ? rtSoftirqIn('ktimers/0') : softirqIn('swapper/0')])
  })

  it('hrtimer: default mode hardirq, moved to the HRTIMER softirq on RT; _HARD hardirq on both; _SOFT softirq on both', () => {
    const k = createKernel({ preemptRt })
    const seen = new Map<string, Where>()
    const cb = (tag: string) => (ctx: AnyContext) => {
      seen.set(tag, where(k, ctx))
      return 'HRTIMER_NORESTART' as const
    }
    const def = k.hrtimerSetup('def', cb('def'), 'HRTIMER_MODE_REL')
    const hard = k.hrtimerSetup('hard', cb('hard'), 'HRTIMER_MODE_REL_HARD')
    const soft = k.hrtimerSetup('soft', cb('soft'), 'HRTIMER_MODE_REL_SOFT')
    k.run((ctx) => {
      def.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL')
      hard.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL_HARD')
      soft.hrtimerStart(ctx, 2, 'HRTIMER_MODE_REL_SOFT')
    })
    k.advance(2)
    const softirq = preemptRt ? rtSoftirqIn('ktimers/0') : softirqIn('swapper/0')
    expect(seen.get('hard')).toEqual(hardirqOver('swapper/0'))
    expect(seen.get('def')).toEqual(preemptRt ? softirq : hardirqOver('swapper/0'))
    expect(seen.get('soft')).toEqual(softirq)
    expect(k.diagnostics).toEqual([])
  })

  it('work item: a kworker of the queueing CPU, process context on both kernels', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const seen: Where[] = []
    const w = k.initWork('&p->work', (ctx) => void seen.push(where(k, ctx)))
    k.run((ctx) => wq.queueWork(ctx, w))
    expect(seen).toEqual([taskIn('kworker/0:1')])
  })

  it('WQ_BH work queued from a task: raise_softirq_irqoff() outside interrupt wakes ksoftirqd (TASKLET softirq)', () => {
    const k = createKernel({ preemptRt })
    const bh = k.allocWorkqueue('events_bh', { bh: true })
    const seen: Where[] = []
    const w = k.initWork('&p->bh', (ctx) => void seen.push(where(k, ctx)), { bh: true })
    k.run((ctx) => bh.queueWork(ctx, w))
    expect(seen).toEqual([preemptRt ? rtSoftirqIn('ksoftirqd/0') : softirqIn('ksoftirqd/0')])
  })

  it('irq_work: the self-IPI’s hardirq over the queueing task; RT without IRQ_WORK_HARD_IRQ: the lazy list, irq_work/0', () => {
    const k = createKernel({ preemptRt })
    const seen = new Map<string, Where>()
    const lazy = k.initIrqWork('lazy', (ctx) => void seen.set('lazy', where(k, ctx)))
    const hard = k.initIrqWork('hard', (ctx) => void seen.set('hard', where(k, ctx)), { hard: true })
    let comm = ''
    k.run((ctx) => {
      comm = ctx.comm
      lazy.irqWorkQueue(ctx)
      hard.irqWorkQueue(ctx)
    })
    expect(seen.get('hard')).toEqual(hardirqOver(comm))
    expect(seen.get('lazy')).toEqual(preemptRt ? taskIn('irq_work/0') : hardirqOver(comm))
  })

  it('threaded irq: primary hardirq (RT: forced into irq/N-name with BH off, interrupts on), thread_fn in its thread (RT: irq/N-s-name)', () => {
    const k = createKernel({ preemptRt })
    const seen = new Map<string, Where>()
    k.requestThreadedIrq(
      5,
      'eth0',
      (ctx) => {
        seen.set('primary', where(k, ctx))
        return 'IRQ_WAKE_THREAD'
      },
      (ctx) => void seen.set('thread', where(k, ctx)),
    )
    k.raiseIrq(5)
    expect(seen.get('primary')).toEqual(preemptRt ? bhOffTaskIn('irq/5-eth0', true) : hardirqOver('swapper/0'))
    // The secondary action has no IRQTF_FORCED_THREAD: irq_thread_fn(), no BH disabling.
    expect(seen.get('thread')).toEqual(taskIn(preemptRt ? 'irq/5-s-eth0' : 'irq/5-eth0'))
  })

  it('IRQF_ONESHOT primary and IRQF_NO_THREAD handler stay in hardirq on RT (irq_setup_forced_threading() returns 0)', () => {
    const k = createKernel({ preemptRt })
    const seen = new Map<string, Where>()
    k.requestThreadedIrq(
      6,
      'i2c',
      (ctx) => {
        seen.set('oneshot', where(k, ctx))
        return 'IRQ_WAKE_THREAD'
      },
      (ctx) => void seen.set('thread', where(k, ctx)),
      { oneshot: true },
    )
    k.requestIrq(7, 'timer-ish', (ctx) => void seen.set('nothread', where(k, ctx)), { noThread: true })
    k.raiseIrq(6)
    k.raiseIrq(7)
    expect(seen.get('oneshot')).toEqual(hardirqOver('swapper/0'))
    expect(seen.get('nothread')).toEqual(hardirqOver('swapper/0'))
    expect(seen.get('thread')).toEqual(taskIn('irq/6-i2c'))
  })

  it('tasklet scheduled from a hardirq handler: at irq exit; RT: in the forced thread at its local_bh_enable()', () => {
    const k = createKernel({ preemptRt })
    const seen: Where[] = []
    const t = k.taskletSetup('&p->tl', (ctx) => void seen.push(where(k, ctx)))
    k.requestIrq(7, 'dev', (ctx) => {
      t.taskletSchedule(ctx)
      return 'IRQ_HANDLED'
    })
    k.raiseIrq(7)
    expect(seen).toEqual([preemptRt ? rtSoftirqIn('irq/7-dev') : softirqIn('swapper/0')])
  })

  it('call_rcu() callback: RCU_SOFTIRQ; RT (use_softirq = !PREEMPT_RT): rcuc/0 under local_bh_disable(), not serving a softirq', () => {
    const k = createKernel({ preemptRt })
    const seen: Where[] = []
    k.run((ctx) => k.callRcu(ctx, (c) => void seen.push(where(k, c))))
    k.advance(3)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toEqual(preemptRt ? bhOffTaskIn('rcuc/0', true) : softirqIn(seen[0]?.comm ?? ''))
    if (!preemptRt) expect(['swapper/0', 'ksoftirqd/0']).toContain(seen[0]?.comm)
  })
})

describe('threadirqs on a normal kernel (force_irqthreads() without PREEMPT_RT)', () => {
  it('a default-mode hrtimer stays in hardirq (only PREEMPT_RT moves it); _SOFT and timer_list go to ktimers/0', () => {
    const k = createKernel({ threadIrqs: true })
    const seen = new Map<string, Where>()
    const def = k.hrtimerSetup(
      'def',
      (ctx) => {
        seen.set('def', where(k, ctx))
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    const soft = k.hrtimerSetup(
      'soft',
      (ctx) => {
        seen.set('soft', where(k, ctx))
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_SOFT',
    )
    const t = k.timerSetup('t', (ctx) => void seen.set('timer', where(k, ctx)))
    k.run((ctx) => {
      def.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL')
      soft.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_SOFT')
      t.modTimer(ctx, k.jiffies + 1)
    })
    k.advance(1)
    expect(seen.get('def')).toEqual(hardirqOver('swapper/0'))
    // Not RT: the softirq count is in preempt_count, no RCU or migrate side effects.
    expect(seen.get('soft')).toEqual(softirqIn('ktimers/0'))
    expect(seen.get('timer')).toEqual(softirqIn('ktimers/0'))
  })

  it('a forced handler runs with BH and interrupts off (irq_forced_thread_fn(): local_irq_disable() when !PREEMPT_RT)', () => {
    const k = createKernel({ threadIrqs: true })
    const seen = new Map<string, Where>()
    const tl = k.taskletSetup('tl', (ctx) => void seen.set('tasklet', where(k, ctx)))
    k.requestIrq(5, 'dev', (ctx) => {
      seen.set('handler', where(k, ctx))
      tl.taskletSchedule(ctx)
      return 'IRQ_HANDLED'
    })
    k.raiseIrq(5)
    expect(seen.get('handler')).toEqual(bhOffTaskIn('irq/5-dev', false, true))
    // local_bh_enable() → __local_bh_enable_ip(): preempt_count_sub(cnt - 1), do_softirq() with PREEMPT_OFFSET left.
    expect(seen.get('tasklet')).toEqual(softirqIn('irq/5-dev', PREEMPT_OFFSET))
  })

  it('a softirq raised by an IRQF_NO_THREAD handler goes to ksoftirqd (invoke_softirq(): force_irqthreads() → wakeup_softirqd())', () => {
    const k = createKernel({ threadIrqs: true })
    const seen: Where[] = []
    const tl = k.taskletSetup('tl', (ctx) => void seen.push(where(k, ctx)))
    k.requestIrq(
      6,
      'nt',
      (ctx) => {
        tl.taskletSchedule(ctx)
        return 'IRQ_HANDLED'
      },
      { noThread: true },
    )
    k.raiseIrq(6)
    expect(seen).toEqual([softirqIn('ksoftirqd/0')])
  })
})
