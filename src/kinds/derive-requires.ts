/**
 * The callback and guard method types of a kind whose spec `requires` a proof (the v6
 * `SpinLockIrq` token design): {@link Locked} / {@link Guarded} with the requirement checked
 * first (rules/requires.ts). Apart from locks/methods.ts so that the kinds that require nothing
 * — every kernel lock — never instantiate it.
 */
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { NotThenable } from '../rules/error.js'
import type { Guard } from '../locks/guard.js'
import type { AcquireFullCheck, Acquired, HeldAs, LockLabel } from '../rules/acquire.js'
import type { RequireCheck } from '../rules/requires.js'
import type { KindRef } from './kind-of.js'
import type { Variant } from './spec.js'

/** The requirement, then every ordinary rule of the acquisition (the model flavour's too, locks/model-defined.ts). */
export type RequiringCheck<K extends KindRef, N extends string, V extends string, T extends CtxState, F extends string, M extends 'read' | 'write'> =
  RequireCheck<K, N, T> extends infer Q ? (unknown extends Q ? AcquireFullCheck<K, N, V, T, F, M> : Q) : never

/** A `withLocked`-style method of a kind that requires a proof. */
export type LockedRequiring<K extends KindRef, N extends string, V extends Variant, D, F extends string, M extends 'read' | 'write'> = <T extends CtxState, R>(
  ctx: Context<T> & NoInfer<RequiringCheck<K, N, V, T, F, M>>,
  cb: (ctx: Context<Acquired<K, N, V, T, HeldAs<K, N, M>>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
) => R

/** A guard method of a kind that requires a proof. */
export type GuardedRequiring<K extends KindRef, N extends string, V extends Variant, D, F extends string, M extends 'read' | 'write'> = <T extends CtxState>(
  ctx: Context<T> & NoInfer<RequiringCheck<K, N, V, T, F, M>>,
) => Guard<Acquired<K, N, V, T, HeldAs<K, N, M>>, D>
