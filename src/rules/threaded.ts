/**
 * `lockdep_assert_RT_in_threaded_ctx()` (include/linux/lockdep.h, with CONFIG_PROVE_RAW_LOCK_NESTING,
 * on both kernels): `WARN_ONCE(… lockdep_hardirq_context() && !(current->hardirq_threaded ||
 * current->irq_config), "Not in threaded context on PREEMPT_RT as expected\n")` — complete_all()
 * asserts it, because swake_up_all_locked() wakes an unbounded number of tasks under a raw lock.
 * A force-threaded handler passes; a hardirq handler that is never threaded does not.
 */
import type { NoThreadIrqState } from './proofs.js'
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

export type ThreadedCheck<S extends CtxState, What extends string> = 'nmi' extends S['exec']
  ? 'spin' extends S['wait']
    ? LockproofError<`${What} in NMI context: WARNING: Not in threaded context on PREEMPT_RT as expected`>
    : unknown
  : 'hardirq' extends S['exec']
    ? S['why'] extends NoThreadIrqState['why']
      ? LockproofError<`${What} ${NoThreadIrqState['why']}: WARNING: Not in threaded context on PREEMPT_RT as expected (lockdep_assert_RT_in_threaded_ctx(); use complete(), or a threaded handler)`>
      : unknown
    : unknown
