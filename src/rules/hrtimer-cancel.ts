/**
 * `hrtimer_cancel()` (kernel/time/hrtimer.c): `do { ret = hrtimer_try_to_cancel(timer); if (ret < 0)
 * hrtimer_cancel_wait_running(timer); } while (ret < 0);`. While the callback runs, a timer that
 * expires in hardirq is waited for with `cpu_relax()`; on PREEMPT_RT a timer that expires in
 * softirq (every one not `_HARD` there) with `spin_lock_bh(&base->cpu_base->softirq_expiry_lock)`,
 * a sleeping lock the HRTIMER softirq holds across its callbacks. Portable, for a timer not set up
 * `_HARD`: not where a spinlock_t may not be taken, and for a `_SOFT` one not from hard interrupt
 * context (a normal kernel would spin on a softirq callback it interrupted). Never from its own
 * callback (./self-wait.ts). docs/SEMANTICS.md §26.
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'
import type { WhyOf } from './sleep.js'
import type { SelfWaitCheck } from './self-wait.js'

type SleepsOnRtError<T extends CtxState> =
  LockproofError<`hrtimer_cancel() may sleep on PREEMPT_RT, where this timer expires in softirq: hrtimer_cancel_wait_running() takes spin_lock_bh(&cpu_base->softirq_expiry_lock) (${WhyOf<T>})`>

type SoftInHardirqError<T extends CtxState> =
  LockproofError<`hrtimer_cancel() of a HRTIMER_MODE_SOFT timer must not be called from hard interrupt context: it may spin on the softirq callback it interrupted (${WhyOf<T>})`>

/** The rule for a timer that expires in softirq on PREEMPT_RT (mode M not `_HARD`). */
type SoftExpiryCheck<T extends CtxState, M extends string> = [T['exec']] extends ['nmi']
  ? SleepsOnRtError<T>
  : [T['wait']] extends ['spin']
    ? SleepsOnRtError<T>
    : [M] extends [`${string}_SOFT`]
      ? [T['exec']] extends ['hardirq']
        ? SoftInHardirqError<T>
        : unknown
      : unknown

/**
 * `unknown` when `hrtimer_cancel()` of timer N, set up with mode M, may be called here on both
 * kernels, else the error.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type CtxState, type Hrtimer, type HrtimerCancelCheck } from 'lockproof'
 *
 * const stop = <T extends CtxState>(ctx: Context<T> & HrtimerCancelCheck<T, 'tick', 'HRTIMER_MODE_REL'>, t: Hrtimer<'tick', 'HRTIMER_MODE_REL'>) =>
 *   t.hrtimerCancel(ctx)
 * const kernel = createKernel()
 * const t = kernel.hrtimerSetup('tick', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL')
 * kernel.run((ctx) => stop(ctx, t))
 * ```
 */
export type HrtimerCancelCheck<T extends CtxState, N extends string, M extends string> = ([M] extends [`${string}_HARD`] ? unknown : SoftExpiryCheck<T, M>) &
  SelfWaitCheck<T, 'hrtimer', N, 'hrtimer_cancel()'>
