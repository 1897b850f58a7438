/**
 * A held lock as a value: `using g = lock.lock(ctx)`. `g.ctx` is the context inside the lock
 * (typed as the callback form's), `g.data` the protected data; `unlock()` or leaving the `using`
 * scope releases it. Guards may be released in any order; see `irqDisable` for what that means
 * for interrupts.
 */
import type { Context, Guard } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import type { Op } from '../exec/wait.js'

export type { Guard } from '../exec/context.js'

/**
 * What a lock's guard does for `doUnlocked()` (src/waiting/unlockable.ts): `unlock` gives the
 * lock up and returns the context to run in meanwhile (the state outside the lock); `relock`
 * ends that context and takes the lock back. Null for guards that are no lock's.
 */
export interface Relock {
  unlock(op: string, token: unknown): Context<CtxState>
  relock(op: string, inner: Context<CtxState>, token: unknown): void
  /** `relock` as an op: in a model, a contended lock is waited for as its acquisition waits. */
  relockOp(op: string, inner: Context<CtxState>, token: unknown): Op<void>
}

export class LockGuard<D> implements Guard<CtxState, D> {
  readonly #release: (g: LockGuard<D>) => void
  #held = true
  /** @internal The lock's do_unlocked() protocol (null: not a lock's guard). */
  readonly relocker: Relock | null
  /** @internal What the relocker knows this guard's acquisition by (no closure per guard). */
  readonly token: unknown

  /** @internal */
  constructor(
    readonly ctx: Context<CtxState>,
    readonly data: D,
    release: (g: LockGuard<D>) => void,
    relocker: Relock | null = null,
    token: unknown = null,
  ) {
    this.#release = release
    this.relocker = relocker
    this.token = token
  }

  /** Rust's `Guard::do_unlocked()`: see UnlockableGuard (src/waiting/unlockable.ts). */
  doUnlocked<R>(cb: (ctx: Context<CtxState>) => R): R {
    const r = this.relocker
    if (r === null) throw new InvalidArgumentError('do_unlocked(): this guard holds no lock (local_interrupt_disable())')
    if (typeof cb !== 'function') throw new InvalidArgumentError('do_unlocked(): the callback must be a function')
    const inner = r.unlock('do_unlocked()', this.token)
    let result: R
    try {
      result = cb(inner)
    } catch (error) {
      try {
        r.relock('do_unlocked()', inner, this.token)
      } catch {
        /* the callback's error wins */
      }
      throw error
    }
    r.relock('do_unlocked()', inner, this.token)
    return result
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
