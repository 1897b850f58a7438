/**
 * The typed faces of wound/wait mutexes (include/linux/ww_mutex.h): a ww_class, its acquire
 * contexts, and its ww_mutexes. ww_mutexes are not scoped: the back-off after -EDEADLK unlocks
 * them in any order, so `lock()` returns the kernel's code and `unlock()` releases.
 */
import type { Context } from '../exec/context.js'
import type { NotThenable } from '../rules/error.js'
import type { CtxState } from '../rules/state.js'
import type { WwAcquireCheck, WwAcquiredIn, WwClassCheck, WwCtxOfClass, WwLockCheck } from '../rules/ww.js'

/**
 * A `struct ww_acquire_ctx` of class C, from {@link WwClass.acquire}: one transaction that takes
 * several ww_mutexes of C in any order; its stamp orders it against other transactions (smaller:
 * older, the one that wins).
 *
 * @example
 * ```ts
 * import { createKernel, type WwAcquireCtx } from 'lockproof'
 *
 * const kernel = createKernel()
 * const resv = kernel.defineWwClass('reservation_ww_class')
 * kernel.run((ctx) => resv.acquire(ctx, (_ctx, actx: WwAcquireCtx<'reservation_ww_class'>) => console.log(actx.stamp))) // 1
 * ```
 */
export interface WwAcquireCtx<C extends string> extends WwCtxOfClass<C> {
  /** `ctx->stamp`: the class's counter when the context was made. */
  readonly stamp: number
  /** `ctx->acquired`: how many ww_mutexes it holds now. */
  readonly acquired: number
  /** `ctx->wounded`: an older context wounded it (wound-wait); its next contended lock returns -EDEADLK. */
  readonly wounded: boolean
  /** `ww_acquire_done()`: the acquire phase is over; locking more with this context WARNs. */
  done(ctx: Context<CtxState>): void
}

/**
 * What ww_mutex_lock() returns: 0, -EDEADLK (back off), -EALREADY (this context holds it).
 *
 * @example
 * ```ts
 * import { EALREADY, EDEADLK, type WwLockResult } from 'lockproof'
 *
 * const explain = (r: WwLockResult) => (r === 0 ? 'taken' : r === -EDEADLK ? 'back off' : r === -EALREADY ? 'already ours' : 'never')
 * console.log(explain(-35)) // 'back off'
 * ```
 */
export type WwLockResult = 0 | -35 | -114

/**
 * `struct ww_mutex` of class C protecting `data`: a mutex (an rt_mutex on PREEMPT_RT) with
 * deadlock avoidance between acquire contexts of its class. Read `data` only while holding it.
 *
 * @example
 * ```ts
 * import { createKernel, EDEADLK, type WwMutex } from 'lockproof'
 *
 * const kernel = createKernel()
 * const resv = kernel.defineWwClass('reservation_ww_class')
 * const bo: WwMutex<'reservation_ww_class', { size: number }> = kernel.wwMutex(resv, { size: 4096 })
 * kernel.run((ctx) =>
 *   resv.acquire(ctx, (ctx, actx) => {
 *     if (bo.lock(ctx, actx) === -EDEADLK) return
 *     bo.data.size *= 2
 *     bo.unlock(ctx)
 *   }),
 * )
 * ```
 */
export interface WwMutex<C extends string, D> {
  /** Always `'ww_mutex'`. */
  readonly kind: 'ww_mutex'
  /** The lockdep class every ww_mutex of C shares: `#ww_class "_mutex"`. */
  readonly name: `${C}_mutex`
  /** The ww_class. */
  readonly wwClass: C
  /** The protected data. */
  readonly data: D
  /** `ww_mutex_is_locked()`. */
  readonly locked: boolean
  /** `ww_mutex_lock(lock, ctx)`: 0, -EDEADLK or -EALREADY; `null` for a single lock without a context. */
  lock<T extends CtxState, A extends WwAcquireCtx<string> | null>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock', C, A>>,
  ): WwLockResult
  /** `ww_mutex_lock_interruptible()`: as lock, or -EINTR (-4) when a signal ends the sleep. */
  lockInterruptible<T extends CtxState, A extends WwAcquireCtx<string> | null>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_interruptible', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_interruptible', C, A>>,
  ): WwLockResult | -4
  /** `ww_mutex_lock_slow()`: after -EDEADLK, with nothing else of the context held, sleep until this one is free. */
  lockSlow<T extends CtxState, A extends WwAcquireCtx<string>>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_slow', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_slow', C, A>>,
  ): void
  /** `ww_mutex_lock_slow_interruptible()`: 0, or -EINTR. */
  lockSlowInterruptible<T extends CtxState, A extends WwAcquireCtx<string>>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_slow_interruptible', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_slow_interruptible', C, A>>,
  ): 0 | -4
  /** `ww_mutex_trylock()`: 1 when taken, 0 otherwise (no deadlock handling). */
  trylock<T extends CtxState, A extends WwAcquireCtx<string> | null>(ctx: Context<T>, actx: A & NoInfer<WwClassCheck<'ww_mutex_trylock', C, A>>): 0 | 1
  /** `ww_mutex_unlock()`. */
  unlock(ctx: Context<CtxState>): void
}

/**
 * A `struct ww_class` (`DEFINE_WD_CLASS` / `DEFINE_WW_CLASS`): the algorithm (wait-die or
 * wound-wait), the stamp counter, and the lockdep classes `C_acquire` and `C_mutex`.
 *
 * @example
 * ```ts
 * import { createKernel, type WwClass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cls: WwClass<'crtc_ww_class'> = kernel.defineWdClass('crtc_ww_class')
 * console.log(cls.waitDie) // true
 * ```
 */
export interface WwClass<C extends string> {
  /** Always `'ww_class'`. */
  readonly kind: 'ww_class'
  /** The class name (`#classname`). */
  readonly name: C
  /** `is_wait_die`: wait-die (`DEFINE_WD_CLASS`) or wound-wait (`DEFINE_WW_CLASS`). */
  readonly waitDie: boolean
  /**
   * `ww_acquire_init()` … `ww_acquire_fini()` around `cb`: every ww_mutex taken with the context
   * must be unlocked before `cb` returns (`DEBUG_LOCKS_WARN_ON(ctx->acquired)` otherwise).
   */
  acquire<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<WwAcquireCheck<C, T>>,
    cb: (ctx: Context<WwAcquiredIn<C, T>>, actx: WwAcquireCtx<C>) => NotThenable<R, 'a ww_acquire_ctx section'>,
  ): R
}
