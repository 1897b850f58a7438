/**
 * `lockdep_assert_RT_in_threaded_ctx()` (include/linux/lockdep.h, with CONFIG_PROVE_RAW_LOCK_NESTING,
 * on both kernels): `WARN_ONCE(… lockdep_hardirq_context() && !(current->hardirq_threaded ||
 * current->irq_config), "Not in threaded context on PREEMPT_RT as expected\n")` — complete_all()
 * asserts it, because swake_up_all_locked() wakes an unbounded number of tasks under a raw lock.
 * A force-threaded handler passes, as do hrtimers and irq_work that are not hard (irq_config);
 * a hardirq handler that is never threaded, a hard hrtimer or a hard irq_work item does not.
 */
import type { NoThreadIrqState } from './proofs.js'
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

/**
 * The reasons of the hard interrupt states that are never threaded: an IRQF_NO_THREAD handler's,
 * and those of src/deferred/states.ts `InHardirqState` (the IRQF_ONESHOT primary handler, a
 * HRTIMER_MODE_HARD callback, an IRQ_WORK_HARD_IRQ item), which all end "(hardirq on both kernels)".
 * A raw lock taken there leaves the reason as it is (the wait type is 'spin' already); in a
 * threadable handler it replaces it, and there the assertion holds (hardirq_threaded on a normal
 * kernel, a thread on RT).
 */
type NeverThreadedWhy = NoThreadIrqState['why'] | `${string}(hardirq on both kernels)`

export type ThreadedCheck<S extends CtxState, What extends string> = 'nmi' extends S['exec']
  ? 'spin' extends S['wait']
    ? LockproofError<`${What} in NMI context: WARNING: Not in threaded context on PREEMPT_RT as expected`>
    : unknown
  : 'hardirq' extends S['exec']
    ? S['why'] extends NeverThreadedWhy
      ? LockproofError<`${What} ${S['why']}: WARNING: Not in threaded context on PREEMPT_RT as expected (lockdep_assert_RT_in_threaded_ctx(); use complete(), or a threaded handler)`>
      : unknown
    : unknown
