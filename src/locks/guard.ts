/**
 * A held lock as a value: `using g = lock.lock(ctx)`. `g.ctx` is the context inside the lock
 * (typed as the callback form's), `g.data` the protected data; `unlock()` or leaving the `using`
 * scope releases it. Guards may be released in any order; see `irqDisable` for what that means
 * for interrupts.
 */
import type { Context } from '../context/public.js'
import type { CtxState } from '../context/state.js'

/**
 * A held lock as a value, for `using`: from a lock's guard methods (`lock`, `lockIrqSave`,
 * `read`, …) and `ctx.localInterruptDisable()`. Guards may be released in any order; see the
 * `irqDisable` option for what that means for interrupts.
 *
 * @example
 * ```ts
 * import { createKernel, type CtxState, type Guard } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const bump = <S extends CtxState>(g: Guard<S, { hits: number }>) => { g.data.hits++ }
 * kernel.run((ctx) => {
 *   using g = stats.lock(ctx)
 *   bump(g)
 * }) // released here, at the end of the `using` scope
 * ```
 */
export interface Guard<S extends CtxState, D> {
  /** The context inside the lock. Stale (throws) once the guard is unlocked. */
  readonly ctx: Context<S>
  /** The data the lock protects (this CPU's copy for a local_lock_t). */
  readonly data: D
  /** True until unlocked. */
  readonly held: boolean
  /** Releases the lock. A second call throws DoubleUnlockError (and reports a bad unlock balance). */
  unlock(): void
  /** Releases the lock if still held; a no-op after unlock(). */
  [Symbol.dispose](): void
}

export class LockGuard<D> implements Guard<CtxState, D> {
  readonly #release: (g: LockGuard<D>) => void
  #held = true

  /** @internal */
  constructor(
    readonly ctx: Context<CtxState>,
    readonly data: D,
    release: (g: LockGuard<D>) => void,
  ) {
    this.#release = release
  }

  get held(): boolean {
    return this.#held
  }

  unlock(): void {
    try {
      this.#release(this)
    } finally {
      // Released even if an interrupt taken at the unlock threw; not if the unlock was refused.
      if (!this.ctx.live) this.#held = false
    }
  }

  [Symbol.dispose](): void {
    if (this.#held) this.unlock()
  }
}
