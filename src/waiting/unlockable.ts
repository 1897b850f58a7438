/**
 * A lock's guard that can give its lock up for a while and take it back: Rust's
 * `Guard::do_unlocked()` (rust/kernel/sync/lock.rs: `B::unlock(...)`, then a ScopeGuard that runs
 * `B::relock(...)` — "uses the same locking method as the original lock operation" — around
 * `cb()`), which `CondVar::wait()` uses around `schedule_timeout()`. In the kernel it is
 * `pub(crate)`: only the kernel crate (CondVar) calls it; lockproof offers it to models too.
 */
import type { Context, Guard } from '../exec/context.js'
import type { NotThenable } from '../rules/error.js'
import type { CtxState } from '../rules/state.js'

declare const outerBrand: unique symbol

/**
 * A guard from a lock's `lock…()` method: `S` is the state inside the lock, `O` the state of the
 * context the lock was taken from — what is true while `doUnlocked()` has given the lock up.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const inner = kernel.spinLock('Process::inner', { ready: false })
 * kernel.run((ctx) => {
 *   using g = inner.lock(ctx)
 *   g.doUnlocked((ctx) => ctx.msleep(1)) // the spinlock is released around the sleep, then re-taken
 *   g.data.ready = true
 * })
 * ```
 */
export interface UnlockableGuard<S extends CtxState, D, O extends CtxState> extends Guard<S, D> {
  /** @internal Phantom: the state outside the lock. Never present at run time. */
  readonly [outerBrand]?: O
  /**
   * `Guard::do_unlocked(cb)`: releases the lock (its unlock steps), runs `cb` in a context with the
   * state outside the lock, and re-takes it the same way (its lock steps, lockdep again) — also
   * when `cb` throws. The guard's own context cannot be used meanwhile.
   */
  doUnlocked<R>(cb: (ctx: Context<O>) => NotThenable<R, 'a do_unlocked() callback'>): R
}
