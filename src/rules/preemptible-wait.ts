/**
 * What waits by spinning on a normal kernel and by sleeping on PREEMPT_RT needs:
 * `timer_delete_sync()` (kernel/time/timer.c `__timer_delete_sync()`: `WARN_ON(in_hardirq() && …)`;
 * on RT `lockdep_assert_preemption_enabled()` before the sleeping slow path
 * `del_timer_wait_running()`). Portable: not in hard interrupt context, and not where only raw
 * spinning locks may be taken (preemption or interrupts off on RT). spinlock_t held is fine.
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'
import type { WhyOf } from './sleep.js'

/**
 * `unknown` when the wait is fine here on both kernels, else the error.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type CtxState, type PreemptibleWaitCheck, type TimerList } from 'lockproof'
 *
 * // A helper that deletes a timer takes what timer_delete_sync() takes.
 * const stop = <T extends CtxState>(ctx: Context<T> & PreemptibleWaitCheck<T, 'timer_delete_sync()'>, t: TimerList) => t.timerDeleteSync(ctx)
 * const kernel = createKernel()
 * const t = kernel.timerSetup('t', () => 0)
 * kernel.run((ctx) => stop(ctx, t))
 * ```
 */
export type PreemptibleWaitCheck<S extends CtxState, What extends string> = [S['exec']] extends ['hardirq' | 'nmi']
  ? LockproofError<`${What} must not be called from hard interrupt context: it waits for a callback that cannot run (${WhyOf<S>})`>
  : [S['wait']] extends ['spin']
    ? LockproofError<`${What} may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled() (${WhyOf<S>})`>
    : unknown

/**
 * `unknown` outside hard interrupt and NMI context, else the error (`WARN_ON_ONCE(in_hardirq())`).
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type CtxState, type NotInHardirqCheck, type Work } from 'lockproof'
 *
 * const cancel = <T extends CtxState>(ctx: Context<T> & NotInHardirqCheck<T, 'cancel_work_sync()'>, w: Work<string, 'bh'>) => w.cancelWorkSync(ctx)
 * const kernel = createKernel()
 * const w = kernel.initWork('w', () => 0, { bh: true })
 * kernel.run((ctx) => cancel(ctx, w))
 * ```
 */
export type NotInHardirqCheck<S extends CtxState, What extends string> = [S['exec']] extends ['hardirq' | 'nmi']
  ? LockproofError<`${What} must not be called from hard interrupt context: WARN_ON_ONCE(in_hardirq()) (${WhyOf<S>})`>
  : unknown
