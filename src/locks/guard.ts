/**
 * A held lock as a value: `using g = lock.lock(ctx)`. `g.ctx` is the context inside the lock
 * (typed as the callback form's), `g.data` the protected data; `unlock()` or leaving the `using`
 * scope releases it. Guards may be released in any order; see `irqDisable` for what that means
 * for interrupts.
 */
import type { Context, Guard } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'

export type { Guard } from '../exec/context.js'

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
