/**
 * The model flavour of wound/wait mutexes (src/exec/model/): the same objects as createKernel()'s,
 * with every call that may wait handed out as an operation to run with `yield*` — the acquire
 * section (a generator function), `lock`, `lockInterruptible`, `lockSlow`,
 * `lockSlowInterruptible`. `trylock` and `unlock` never wait and stay plain.
 */
import type { Context } from '../exec/context.js'
import type { Op } from '../exec/wait.js'
import type { CtxState } from '../rules/state.js'
import type { WwAcquireCheck, WwAcquiredIn, WwClassCheck, WwLockCheck } from '../rules/ww.js'
import type { WwAcquireCtx, WwLockResult } from './api.js'

/**
 * A ww_class in a model: `acquire()` is `ww_acquire_init()` … `ww_acquire_fini()` around a generator section.
 *
 * @example
 * ```ts
 * import { defineModel, runModel } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const cls = k.defineWdClass('crtc_ww_class')
 *   const a = k.wwMutex(cls, 0)
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     yield* cls.acquire(ctx, function* (ctx, actx) {
 *       yield* a.lock(ctx, actx)
 *       a.unlock(ctx)
 *     })
 *   })
 * })
 * console.log(runModel(m).outcome.kind) // 'completed'
 * ```
 */
export interface ModelWwClass<C extends string> {
  /** Always `'ww_class'`. */
  readonly kind: 'ww_class'
  /** The class name. */
  readonly name: C
  /** Wait-die (`DEFINE_WD_CLASS`) or wound-wait. */
  readonly waitDie: boolean
  /** `ww_acquire_init()` … `ww_acquire_fini()` around a generator section, run with `yield*`. */
  acquire<T extends CtxState, R>(ctx: Context<T> & NoInfer<WwAcquireCheck<C, T>>, cb: (ctx: Context<WwAcquiredIn<C, T>>, actx: WwAcquireCtx<C>) => Op<R>): Op<R>
}

/**
 * A ww_mutex in a model: the calls that may wait are operations (`yield* m.lock(ctx, actx)`).
 *
 * @example
 * ```ts
 * import { defineModel, EDEADLK } from 'lockproof'
 *
 * defineModel((k) => {
 *   const cls = k.defineWwClass('reservation_ww_class')
 *   const bo = k.wwMutex(cls, { size: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     yield* cls.acquire(ctx, function* (ctx, actx) {
 *       if ((yield* bo.lock(ctx, actx)) === -EDEADLK) return
 *       bo.data.size++
 *       bo.unlock(ctx)
 *     })
 *   })
 * })
 * ```
 */
export interface ModelWwMutex<C extends string, D> {
  /** Always `'ww_mutex'`. */
  readonly kind: 'ww_mutex'
  /** The lockdep class every ww_mutex of C shares. */
  readonly name: `${C}_mutex`
  /** The ww_class. */
  readonly wwClass: C
  /** The protected data. */
  readonly data: D
  /** `ww_mutex_is_locked()`. */
  readonly locked: boolean
  /** `ww_mutex_lock()`: 0, -EDEADLK, -EALREADY. */
  lock<T extends CtxState, A extends WwAcquireCtx<string> | null>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock', C, A>>,
  ): Op<WwLockResult>
  /** `ww_mutex_lock_interruptible()`: also -EINTR (-4). */
  lockInterruptible<T extends CtxState, A extends WwAcquireCtx<string> | null>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_interruptible', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_interruptible', C, A>>,
  ): Op<WwLockResult | -4>
  /** `ww_mutex_lock_slow()`: sleeps until the contended lock is free. */
  lockSlow<T extends CtxState, A extends WwAcquireCtx<string>>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_slow', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_slow', C, A>>,
  ): Op<void>
  /** `ww_mutex_lock_slow_interruptible()`: 0, or -EINTR. */
  lockSlowInterruptible<T extends CtxState, A extends WwAcquireCtx<string>>(
    ctx: Context<T> & NoInfer<WwLockCheck<'ww_mutex_lock_slow_interruptible', C, T, A>>,
    actx: A & NoInfer<WwClassCheck<'ww_mutex_lock_slow_interruptible', C, A>>,
  ): Op<0 | -4>
  /** `ww_mutex_trylock()`: never waits. */
  trylock<T extends CtxState, A extends WwAcquireCtx<string> | null>(ctx: Context<T>, actx: A & NoInfer<WwClassCheck<'ww_mutex_trylock', C, A>>): 0 | 1
  /** `ww_mutex_unlock()`. */
  unlock(ctx: Context<CtxState>): void
}
