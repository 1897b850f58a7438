// An outside audit of lockdep_assert_RT_in_threaded_ctx() (include/linux/lockdep.h: `WARN_ONCE(…
// lockdep_hardirq_context() && !(current->hardirq_threaded || current->irq_config), "Not in
// threaded context on PREEMPT_RT as expected\n")`), which complete_all() asserts: it fires in every
// hard interrupt context that is neither a threadable handler (kernel/irq/handle.c
// __handle_irq_event_percpu(): `if (!(action->flags & (IRQF_NO_THREAD | IRQF_PERCPU | IRQF_ONESHOT)))
// lockdep_hardirq_threaded();`) nor an hrtimer / irq_work that is not hard (lockdep_hrtimer_enter(),
// lockdep_irq_work_enter(): `current->irq_config = 1`): an IRQF_NO_THREAD handler, the primary handler
// of an IRQF_ONESHOT interrupt, a HRTIMER_MODE_HARD callback, an IRQ_WORK_HARD_IRQ item — with locks
// held or not. The nearest valid patterns: complete(), and complete_all() where the kernel threads.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const done = kernel.completion('done')
const r = kernel.rawSpinLock('r', 0)

kernel.requestIrq(
  1,
  'timer',
  (ctx) => {
    r.withLocked(ctx, (ctx) => {
      // @expect-error complete_all() in a hardirq handler that is never threaded (IRQF_NO_THREAD): WARNING: Not in threaded context on PREEMPT_RT as expected
      expectError(done.completeAll(ctx))
      done.complete(ctx)
    })
  },
  { noThread: true },
)
kernel.requestThreadedIrq(
  2,
  'spi',
  (ctx) => {
    // @expect-error complete_all() in the primary handler of an IRQF_ONESHOT interrupt (hardirq on both kernels): WARNING: Not in threaded context on PREEMPT_RT as expected
    expectError(done.completeAll(ctx))
    done.complete(ctx)
    return 'IRQ_WAKE_THREAD'
  },
  (ctx) => done.completeAll(ctx),
  { oneshot: true },
)
kernel.hrtimerSetup(
  'hard',
  (ctx) => {
    // @expect-error complete_all() in a HRTIMER_MODE_HARD hrtimer callback (hardirq on both kernels): WARNING: Not in threaded context on PREEMPT_RT as expected
    expectError(done.completeAll(ctx))
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_HARD',
)
kernel.initIrqWork(
  'hard',
  (ctx) => {
    // @expect-error complete_all() in an IRQ_WORK_HARD_IRQ irq_work callback (hardirq on both kernels): WARNING: Not in threaded context on PREEMPT_RT as expected
    expectError(done.completeAll(ctx))
  },
  { hard: true },
)

// Valid: irq_config / hardirq_threaded contexts (a raw lock held inside them too), and softirq.
kernel.requestIrq(3, 'dev', (ctx) => r.withLocked(ctx, (ctx) => done.completeAll(ctx)))
kernel.hrtimerSetup(
  'default',
  (ctx) => {
    done.completeAll(ctx)
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL',
)
kernel.initIrqWork('lazy', (ctx) => done.completeAll(ctx))
kernel.openSoftirq('TASKLET', (ctx) => done.completeAll(ctx))
