/**
 * Waiting for yourself: a callback that waits for its own object's callback to finish. The kernel
 * runs each callback holding something of its object, so the context of a callback holds a
 * marker for it (docs/SEMANTICS.md §26):
 * - a timer_list: call_timer_fn() holds a copy of `timer->lockdep_map` around the callback, and
 *   `timer_delete_sync()` takes that map — lockdep's "possible recursive locking detected", then
 *   `__try_to_del_timer_sync()` returns -1 for ever (kernel/time/timer.c);
 * - a work item: process_one_work() holds `(work_completion)<work>`; `flush_work()` and
 *   `cancel_work_sync()` touch it — recursive locking, then a wait for the running instance;
 * - an hrtimer: `hrtimer_try_to_cancel()` returns -1 while its callback runs (`base->running ==
 *   timer`), so `hrtimer_cancel()` loops for ever; no lockdep map (kernel/time/hrtimer.c);
 * - an irq thread: `synchronize_irq()` waits for `desc->threads_active` to drop to 0, which its
 *   own thread never does while it waits (kernel/irq/manage.c).
 */
import type { CtxState, With } from './state.js'
import type { LockproofError } from './error.js'

/**
 * What a callback's context holds while it runs for object `N` of kind `What`: `timer_list 'poll'`.
 * `never` when N is not a literal (then nothing can be told apart).
 *
 * @example
 * ```ts
 * import type { RunningCallback } from 'lockproof'
 *
 * const held: RunningCallback<'timer_list', '&priv->poll'> = "timer_list '&priv->poll'"
 * console.log(held)
 * ```
 */
export type RunningCallback<What extends string, N extends string | number> = string extends N ? never : number extends N ? never : `${What} '${N}'`

/**
 * The state a callback of object `N` starts in: `S`, holding {@link RunningCallback}.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type InCallbackOf, type TimerState } from 'lockproof'
 *
 * // A callback written apart from its timer_setup() names the state it runs in.
 * const poll = (ctx: Context<InCallbackOf<TimerState, 'timer_list', 'poll'>>) => ctx.cpuId
 * createKernel().timerSetup('poll', poll)
 * ```
 */
export type InCallbackOf<S extends CtxState, What extends string, N extends string | number> = [RunningCallback<What, N>] extends [never]
  ? S
  : With<S, Holding<S['held'] | RunningCallback<What, N>>>

/** The part of a state {@link InCallbackOf} overrides. */
interface Holding<H extends string> {
  /** The held classes, the callback's marker among them. */
  readonly held: H
}

/**
 * `unknown` unless `Call` waits for object `N`'s callback from inside it (the context holds its
 * {@link RunningCallback}), else the error. A context whose held set is unknown (a proof type)
 * passes: the run time still reports it.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type CtxState, type SelfWaitCheck } from 'lockproof'
 *
 * // A helper that waits for a timer refuses its own callback as timer_delete_sync() does.
 * const stop = <T extends CtxState>(ctx: Context<T> & SelfWaitCheck<T, 'timer_list', 't', 'timer_delete_sync()'>) => ctx.cpuId
 * createKernel().run((ctx) => stop(ctx))
 * ```
 */
export type SelfWaitCheck<T extends CtxState, What extends string, N extends string | number, Call extends string> = [RunningCallback<What, N>] extends [never]
  ? unknown
  : string extends T['held']
    ? unknown
    : [RunningCallback<What, N>] extends [T['held']]
      ? LockproofError<`${Call} from the callback of ${RunningCallback<What, N>} waits for that callback, which cannot finish before it returns: it waits for itself for ever`>
      : unknown

/**
 * A callback's type, its parameters checked both ways (a method's, as `strictFunctionTypes`
 * leaves them): a function written for the callback's state without the marker
 * (`(ctx: Context<TimerState>) => …`) is still accepted. Only the `held` marker can differ so:
 * every other field of a state is a literal.
 */
export type Callback<Args extends unknown[], R> = { bivariant(...args: Args): R }['bivariant']
