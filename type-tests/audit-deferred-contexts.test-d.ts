// An outside audit of what each deferred callback may do, as the types state it for both kernels
// (the runtime twins: test/audit-deferred/rt-changes.test.ts, might-sleep.test.ts):
// - wake_up() takes the head's spinlock_t (LD_WAIT_CONFIG): allowed where lockdep's irq_config
//   (default-mode hrtimer, default irq_work: lockdep_hrtimer_enter() / lockdep_irq_work_enter())
//   or hardirq_threaded (a threadable handler) allows spinlock_t in hardirq on a normal kernel and
//   RT runs the callback in a thread; refused in a _HARD hrtimer, an IRQ_WORK_HARD_IRQ work and an
//   IRQF_ONESHOT primary (hardirq on both kernels).
// - complete_all(): lockdep_assert_RT_in_threaded_ctx() — refused in those three, allowed in the others.
// - Nothing that runs in a softirq on either kernel may sleep (timer_list, _SOFT and default-mode
//   hrtimers, tasklets, WQ_BH work, RCU callbacks); a work item and a thread_fn may.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const wqh = kernel.waitQueue('wqh')
const done = kernel.completion('done')
const cfg = kernel.mutex('cfg', 0)

kernel.hrtimerSetup(
  'def',
  (ctx) => {
    wqh.wakeUp(ctx)
    done.completeAll(ctx)
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context
    expectError(ctx.msleep(1))
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL',
)
kernel.hrtimerSetup(
  'hard',
  (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t
    expectError(wqh.wakeUp(ctx))
    // @expect-error complete_all() in a HRTIMER_MODE_HARD hrtimer callback (hardirq on both kernels)
    expectError(done.completeAll(ctx))
    done.complete(ctx)
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_HARD',
)
kernel.hrtimerSetup(
  'soft',
  (ctx) => {
    wqh.wakeUp(ctx)
    done.completeAll(ctx)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context
    expectError(cfg.withLocked(ctx, () => 0))
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_SOFT',
)
kernel.initIrqWork('lazy', (ctx) => {
  wqh.wakeUp(ctx)
  done.completeAll(ctx)
})
kernel.initIrqWork(
  'hardwork',
  (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t
    expectError(wqh.wakeUp(ctx))
    // @expect-error complete_all() in an IRQ_WORK_HARD_IRQ irq_work callback (hardirq on both kernels)
    expectError(done.completeAll(ctx))
    done.complete(ctx)
  },
  { hard: true },
)
kernel.requestThreadedIrq(
  6,
  'i2c',
  (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t
    expectError(wqh.wakeUp(ctx))
    return 'IRQ_WAKE_THREAD'
  },
  (ctx) => {
    cfg.withLocked(ctx, () => 0)
    ctx.msleep(1)
  },
  { oneshot: true },
)
kernel.requestIrq(7, 'dev', (ctx) => {
  wqh.wakeUp(ctx)
  done.completeAll(ctx)
  // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
  expectError(ctx.msleep(1))
})
kernel.taskletSetup('tl', (ctx) => {
  wqh.wakeUp(ctx)
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in a tasklet (TASKLET softirq))
  expectError(cfg.withLocked(ctx, () => 0))
})
kernel.run((ctx) =>
  kernel.callRcu(ctx, (ctx) => {
    wqh.wakeUp(ctx)
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an RCU callback (RCU softirq))
    expectError(ctx.msleep(1))
  }),
)
kernel.initWork(
  'bhw',
  (ctx) => {
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in a WQ_BH work item (TASKLET softirq))
    expectError(ctx.msleep(1))
  },
  { bh: true },
)
kernel.initWork('w', (ctx) => {
  cfg.withLocked(ctx, () => 0)
  ctx.msleep(1)
  wqh.waitEvent(ctx, () => true)
})
