/**
 * The two method types every lock kind is made of: `withLocked`-style (a callback around which
 * the lock is held) and `lock`-style (a guard). kinds/derive.ts maps a kind's method tables onto
 * them. A method's context parameter is `Context<T> & AcquireCheck<…>`: valid nesting leaves it
 * `Context<T>`, invalid nesting adds an impossible member whose text is the kernel's complaint.
 */
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { NotThenable } from '../rules/error.js'
import type { UnlockableGuard } from '../waiting/unlockable.js'
import type { Variant } from '../kinds/spec.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { AcquireCheck, AcquireFullCheck, Acquired, HeldAs, LockLabel } from '../rules/acquire.js'

/**
 * `withLocked`-style method: takes the lock around `cb`, whose context proves what it gives.
 *
 * Taking a lock where a rule forbids it is a compile error naming the lock and the rule.
 *
 * @example
 * ```ts
 * import { createKernel, type Locked } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const take: Locked<'spinlock_t', 'stats', 'plain', { hits: number }, never> = stats.withLocked
 * kernel.run((ctx) => take(ctx, (_ctx, s) => s.hits++))
 * ```
 */
export type Locked<K extends KindRef, N extends string, V extends Variant, D, F extends string, M extends 'read' | 'write' = 'write'> = [V, M] extends [
  'plain' | 'irqsave',
  'write',
]
  ? <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireCheck<K, N, T, F>>,
      cb: (ctx: Context<Acquired<K, N, V, T>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
    ) => R
  : <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireFullCheck<K, N, V, T, F, M>>,
      cb: (ctx: Context<Acquired<K, N, V, T, HeldAs<K, N, M>>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
    ) => R

/**
 * `lock(ctx)`-style method: takes the lock and returns a guard (use it with `using`).
 *
 * @example
 * ```ts
 * import { createKernel, type Guarded } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', { mode: 'fast' })
 * const lockCfg: Guarded<'mutex', 'cfg', 'plain', { mode: string }, never> = cfg.lock
 * kernel.run((ctx) => {
 *   using g = lockCfg(ctx)
 *   g.data.mode = 'safe'
 * })
 * ```
 */
export type Guarded<K extends KindRef, N extends string, V extends Variant, D, F extends string, M extends 'read' | 'write' = 'write'> = [V, M] extends [
  'plain' | 'irqsave',
  'write',
]
  ? <T extends CtxState>(ctx: Context<T> & NoInfer<AcquireCheck<K, N, T, F>>) => UnlockableGuard<Acquired<K, N, V, T>, D, T>
  : <T extends CtxState>(ctx: Context<T> & NoInfer<AcquireFullCheck<K, N, V, T, F, M>>) => UnlockableGuard<Acquired<K, N, V, T, HeldAs<K, N, M>>, D, T>
