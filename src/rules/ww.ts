/**
 * The compile-time rules of wound/wait mutexes (include/linux/ww_mutex.h, kernel/locking/mutex.c):
 * - `ww_acquire_init()` acquires the context's `dep_map` and a `first_lock_dep_map` of the class's
 *   mutex class with LD_WAIT_SLEEP (`lockdep_init_map_wait(…, LD_WAIT_SLEEP)`): only where a mutex
 *   could be taken, and one context per class per task (a second is lockdep's recursive locking
 *   on `<class>_acquire`: "Mixing different contexts for the same w/w class … is hence also forbidden");
 * - `ww_mutex_lock()` may sleep (`might_sleep()` in `__mutex_lock_common()`);
 * - with a context of the class held, a ww_mutex of it taken without the context is the same
 *   lockdep class without its nest lock: recursive locking ("Mixing of context-based w/w mutex
 *   acquiring and single w/w mutex locking … is so forbidden");
 * - a context takes the ww_mutexes of its own class only
 *   (`DEBUG_LOCKS_WARN_ON(ww_ctx->ww_class != ww->ww_class)`).
 */
import type { LockproofError } from './error.js'
import type { CanSleep, WhyOf } from './sleep.js'
import type { CtxState, With } from './state.js'

/** How a held acquire context of class C appears in a state's `held`: its dep_map's class. */
export type WwAcquireHeld<C extends string> = `${C}_acquire`

/** Inside `ww_acquire_init()` … `ww_acquire_fini()`: the context's map is held. */
export type WwAcquiredIn<C extends string, T extends CtxState> = With<T, { held: T['held'] | WwAcquireHeld<C> }>

/** The one thing every acquire context has at the type level: its class. */
export interface WwCtxOfClass<C extends string> {
  /** The ww_class the context was initialised with. */
  readonly wwClass: C
}

/** `unknown` when `ww_acquire_init()` of class C is valid in S, else the error. */
export type WwAcquireCheck<C extends string, S extends CtxState> = string extends S['held']
  ? unknown
  : [WwAcquireHeld<C>] extends [S['held']]
    ? LockproofError<`ww_acquire_init(${C}): possible recursive locking detected: this task already holds an acquire context of ww_class '${C}' (${WwAcquireHeld<C>}); one acquire context per class and task`>
    : [S['wait']] extends ['sleep']
      ? unknown
      : LockproofError<`ww_acquire_init(${C}): Invalid wait context: its first_lock_dep_map is a mutex map (LD_WAIT_SLEEP), which cannot be taken here (${WhyOf<S>})`>

type MixedError<
  What extends string,
  C extends string,
> = LockproofError<`${What}(${C}_mutex, NULL): possible recursive locking detected: an acquire context of ww_class '${C}' is held here, and a ww_mutex taken without it is the same lockdep class (${C}_mutex) without its nest lock; pass the context`>

/** `unknown` when `ww_mutex_lock*()` of class C with context A (or null) may be called in S, else the error. */
export type WwLockCheck<What extends string, C extends string, S extends CtxState, A> =
  CanSleep<S, `${What}(${C}_mutex)`> extends infer E
    ? unknown extends E
      ? [A] extends [null]
        ? string extends S['held']
          ? unknown
          : [WwAcquireHeld<C>] extends [S['held']]
            ? MixedError<What, C>
            : unknown
        : unknown
      : E
    : never

/** `unknown` when context A is of class C (or null), else the error. */
export type WwClassCheck<What extends string, C extends string, A> =
  A extends WwCtxOfClass<infer AC>
    ? [AC] extends [C]
      ? unknown
      : LockproofError<`${What}(): the acquire context is of ww_class '${AC}' and the ww_mutex of '${C}': a context takes the ww_mutexes of its own class only (DEBUG_LOCKS_WARN_ON(ww_ctx->ww_class != ww->ww_class))`>
    : unknown
