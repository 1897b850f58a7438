// Deferred work (issue #16): each callback's context, the waits' rules, and the nearest valid patterns.
import { expectError, expectType } from 'tsd'
import {
  createKernel,
  type Context,
  type FreshTaskState,
  type HardHrtimerState,
  type HrtimerState,
  type InCallbackOf,
  type IrqReturn,
  type SoftHrtimerState,
  type TimerState,
} from '../src/index.js'

const kernel = createKernel()
const stats = kernel.spinLock('stats', { n: 0 })
const hw = kernel.rawSpinLock('hw', { n: 0 })
const cfg = kernel.mutex('cfg', { n: 0 })
const wq = kernel.allocWorkqueue('events')
const bhq = kernel.allocWorkqueue('events_bh', { bh: true })

// ── timer_list: the TIMER softirq ──────────────────────────────────────────────────────────
const timer = kernel.timerSetup('&priv->timer', (ctx, t) => {
  expectType<Context<InCallbackOf<TimerState, 'timer_list', '&priv->timer'>>>(ctx) // its own map held (runrules)
  stats.withLocked(ctx, () => 0)
  t.modTimer(ctx, kernel.jiffies + 10)
  // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
  expectError(ctx.msleep(1))
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
  expectError(cfg.withLocked(ctx, () => 0))
})

kernel.run((ctx) => {
  timer.timerDeleteSync(ctx)
  timer.delTimerSync(ctx)
  // spinlock_t held: spins on a normal kernel, preemptible on RT — fine on both.
  stats.withLocked(ctx, (ctx) => timer.timerDeleteSync(ctx))
  hw.withLocked(ctx, (ctx) => {
    timer.timerDelete(ctx)
    // @expect-error timer_delete_sync() may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled() (raw_spinlock_t 'hw' is held)
    expectError(timer.timerDeleteSync(ctx))
  })
})
kernel.requestIrq(
  1,
  'dev',
  (ctx) => {
    // @expect-error timer_delete_sync() must not be called from hard interrupt context
    expectError(timer.timerDeleteSync(ctx))
  },
  { noThread: true },
)

// ── hrtimer: the mode decides ──────────────────────────────────────────────────────────────
kernel.hrtimerSetup(
  'def',
  (ctx) => {
    expectType<Context<InCallbackOf<HrtimerState, 'hrtimer', 'def'>>>(ctx)
    // lockdep's irq_config: spinlock_t is allowed in a default-mode callback (softirq on RT).
    stats.withLocked(ctx, () => 0)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an hrtimer callback (hardirq; HRTIMER softirq on PREEMPT_RT))
    expectError(cfg.withLocked(ctx, () => 0))
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL',
)
kernel.hrtimerSetup(
  'hard',
  (ctx) => {
    expectType<Context<InCallbackOf<HardHrtimerState, 'hrtimer', 'hard'>>>(ctx)
    hw.withLocked(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in a HRTIMER_MODE_HARD hrtimer callback (hardirq on both kernels))
    expectError(stats.withLocked(ctx, () => 0))
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_HARD',
)
const soft = kernel.hrtimerSetup(
  'soft',
  (ctx) => {
    expectType<Context<InCallbackOf<SoftHrtimerState, 'hrtimer', 'soft'>>>(ctx)
    stats.withLocked(ctx, () => 0)
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_SOFT',
)
kernel.run((ctx) => {
  soft.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_SOFT')
  // @expect-error Argument of type '"HRTIMER_MODE_REL"' is not assignable to parameter of type
  expectError(soft.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
})

// ── workqueues: kworkers may sleep; WQ_BH work may not ─────────────────────────────────────
const work = kernel.initWork('&priv->reset', (ctx) => {
  expectType<Context<InCallbackOf<FreshTaskState, 'work_struct', '&priv->reset'>>>(ctx)
  cfg.withLocked(ctx, (ctx) => ctx.msleep(1))
})
const bhWork = kernel.initWork(
  'bh',
  (ctx) => {
    stats.withLocked(ctx, () => 0)
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in a WQ_BH work item (TASKLET softirq))
    expectError(ctx.msleep(1))
  },
  { bh: true },
)
kernel.run((ctx) => {
  wq.queueWork(ctx, work)
  bhq.queueWork(ctx, bhWork)
  // @expect-error Argument of type 'Work<"bh", "bh">' is not assignable to parameter of type 'Work<string, "task">'
  expectError(wq.queueWork(ctx, bhWork))
  work.flushWork(ctx)
  work.cancelWorkSync(ctx)
  wq.flushWorkqueue(ctx)
  stats.withLocked(ctx, (ctx) => {
    wq.queueWork(ctx, work)
    // @expect-error flush_work() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(work.flushWork(ctx))
    // A BH work may be cancelled from atomic context (busy-wait).
    bhWork.cancelWorkSync(ctx)
  })
})

// ── threaded interrupts ────────────────────────────────────────────────────────────────────
kernel.requestThreadedIrq(
  5,
  'eth0',
  (ctx): IrqReturn => {
    stats.withLocked(ctx, () => 0)
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
    expectError(ctx.msleep(1))
    return 'IRQ_WAKE_THREAD'
  },
  (ctx) => {
    expectType<Context<InCallbackOf<FreshTaskState, 'irq', 5>>>(ctx)
    cfg.withLocked(ctx, (ctx) => ctx.msleep(1))
  },
)
kernel.requestThreadedIrq(
  6,
  'i2c',
  (ctx) => {
    hw.withLocked(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in the primary handler of an IRQF_ONESHOT interrupt (hardirq on both kernels))
    expectError(stats.withLocked(ctx, () => 0))
    return 'IRQ_WAKE_THREAD'
  },
  (ctx) => ctx.msleep(1),
  { oneshot: true },
)
kernel.requestThreadedIrq(7, 'spi', null, (ctx) => ctx.msleep(1), { oneshot: true })
// IRQF_ONESHOT is required with handler = NULL.
// @expect-error Argument of type 'null' is not assignable
expectError(kernel.requestThreadedIrq(8, 'bad', null, (ctx: Context<FreshTaskState>) => ctx.msleep(1)))
kernel.run((ctx) => {
  kernel.synchronizeIrq(ctx, 5)
  kernel.disableIrq(ctx, 5)
  kernel.enableIrq(ctx, 5)
  kernel.freeIrq(ctx, 7)
})
kernel.requestIrq(9, 'x', (ctx) => {
  kernel.disableIrqNosync(ctx, 5)
  // @expect-error synchronize_irq() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
  expectError(kernel.synchronizeIrq(ctx, 5))
})

// ── irq_work ───────────────────────────────────────────────────────────────────────────────
const iw = kernel.initIrqWork('flush', (ctx) => {
  stats.withLocked(ctx, () => 0)
  // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an irq_work callback (hardirq; the irq_work/N thread on PREEMPT_RT))
  expectError(ctx.msleep(1))
})
kernel.initIrqWork(
  'hard',
  (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in an IRQ_WORK_HARD_IRQ irq_work callback (hardirq on both kernels))
    expectError(stats.withLocked(ctx, () => 0))
  },
  { hard: true },
)
kernel.requestNmi('perf', (ctx) => {
  iw.irqWorkQueue(ctx)
})

// ── tasklets, NAPI, RCU callbacks: softirq ─────────────────────────────────────────────────
const tasklet = kernel.taskletSetup('rx', (ctx) => {
  stats.withLocked(ctx, () => 0)
  // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in a tasklet (TASKLET softirq))
  expectError(ctx.msleep(1))
})
kernel.netifNapiAdd('eth0', (ctx, napi, budget) => {
  stats.withLocked(ctx, () => 0)
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in a NAPI poll (NET_RX softirq))
  expectError(cfg.withLocked(ctx, () => 0))
  napi.napiCompleteDone(ctx, 0)
  return budget - budget
})
kernel.run((ctx) => {
  tasklet.taskletSchedule(ctx)
  tasklet.taskletKill(ctx)
  kernel.callRcu(ctx, (ctx) => {
    stats.withLocked(ctx, () => 0)
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an RCU callback (RCU softirq))
    expectError(ctx.msleep(1))
  })
  kernel.synchronizeRcu(ctx)
  kernel.rcuBarrier(ctx)
  ctx.rcuReadLock((ctx) => {
    // @expect-error synchronize_rcu() may sleep: BUG: sleeping function called from invalid context
    expectError(kernel.synchronizeRcu(ctx))
  })
  kernel.rcuReadLockBh(ctx, (ctx) => {
    stats.withLocked(ctx, () => 0)
    // @expect-error rcu_barrier() may sleep
    expectError(kernel.rcuBarrier(ctx))
  })
  kernel.rcuReadLockSched(ctx, (ctx) => {
    hw.withLocked(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here
    expectError(stats.withLocked(ctx, () => 0))
  })
})
