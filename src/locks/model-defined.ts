/**
 * The generator-flavoured members of a defined kind whose spec `requires` a proof (the v6
 * `SpinLockIrq` token), for `k.lock(kind, name, data)` in a model (locks/model-api.ts
 * `ModelLockOf`): its callbacks and guards check the proof first, as its createKernel() lock's
 * do (kinds/derive-requires.ts). Apart from model-api.ts so that the kinds that require nothing
 * — every kernel lock — never instantiate it.
 */
import type { Context } from '../exec/context.js'
import type { Op } from '../exec/wait.js'
import type { CtxState } from '../rules/state.js'
import type { Acquired, HeldAs } from '../rules/acquire.js'
import type { UnlockableGuard } from '../waiting/unlockable.js'
import type { RequiringCheck } from '../kinds/derive-requires.js'
import type { Mode, Variant } from '../kinds/spec.js'
import type { AnyKindFacts } from '../kinds/facts.js'

/** A `withLocked`-style model method of a kind that requires a proof: the section is a generator function (a `ModelSection`). */
export type ModelLockedRequiring<K extends AnyKindFacts, N extends string, V extends Variant, D, F extends string, M extends Mode> = <T extends CtxState, R>(
  ctx: Context<T> & NoInfer<RequiringCheck<K, N, V, T, F, M>>,
  cb: (ctx: Context<Acquired<K, N, V, T, HeldAs<K, N, M>>>, data: D) => Op<R>,
) => Op<R>

/** A guard model method of a kind that requires a proof. */
export type ModelGuardedRequiring<K extends AnyKindFacts, N extends string, V extends Variant, D, F extends string, M extends Mode> = <T extends CtxState>(
  ctx: Context<T> & NoInfer<RequiringCheck<K, N, V, T, F, M>>,
) => Op<UnlockableGuard<Acquired<K, N, V, T, HeldAs<K, N, M>>, D, T>>

/**
 * One member of a kind that requires a proof, from its descriptor E (kinds/derive.ts
 * `MembersOf`): callbacks and guards check the proof; trylocks and annotated forms are typed as
 * any kind's (`Otherwise`, the member model-api.ts would give).
 */
export type RequiringMember<
  K extends AnyKindFacts,
  N extends string,
  D,
  F extends string,
  E extends { readonly form: string; readonly v: Variant; readonly m: Mode },
  Otherwise,
> = E['form'] extends 'locked'
  ? ModelLockedRequiring<K, N, E['v'], D, F, E['m']>
  : E['form'] extends 'guarded'
    ? ModelGuardedRequiring<K, N, E['v'], D, F, E['m']>
    : Otherwise
