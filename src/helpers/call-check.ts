/**
 * What a helper's call site checks: each declared take with the acquire rule of direct code (so
 * the messages are the same: recursion, wait context, declared order, the `_irq`/`_bh` rules),
 * the locks it must hold, the proofs it needs, and whether it may sleep. `unknown` when all hold,
 * else the errors (a union: each names its rule).
 */
import type { CanSleep, WhyOf } from '../rules/sleep.js'
import type { CtxState, IrqOffOnOne } from '../rules/state.js'
import type { LockproofError } from '../rules/error.js'
import type { AcquireCheck, AcquireFullCheck, AnyStateError, LockLabel } from '../rules/acquire.js'
import type { RequireCheck } from '../rules/requires.js'
import type { LockKindSpec } from '../kinds/spec.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { AnyKindFacts, FactsOf } from '../kinds/facts.js'
import type { HeldKindOf, HoldableLock } from './defined-takes.js'
import type { HelperEffects, Needs } from './spec.js'
import type { Take } from './takes.js'

/** `never` when the check passed (`unknown`), else its error. */
type Failed<C> = unknown extends C ? never : C

/** The acquire rules of one take, as direct code checks the lock call. */
type AcquireRules<K extends KindRef, N extends string, V extends string, F extends string, M extends 'read' | 'write', S extends CtxState> = [V, M] extends [
  'plain' | 'irqsave',
  'write',
]
  ? AcquireCheck<K, N, S, F>
  : AcquireFullCheck<K, N, V, S, F, M>

/** A defined kind's take, checked with its facts (kinds/facts.ts), as its lock's methods are: a kind whose spec `requires` a proof (the v6 token) checks it first, as its methods do (kinds/derive-requires.ts). */
type DefinedRules<
  K extends AnyKindFacts,
  N extends string,
  V extends string,
  F extends string,
  M extends 'read' | 'write',
  S extends CtxState,
> = K['requires'] extends readonly []
  ? AcquireRules<K, N, V, F, M, S>
  : RequireCheck<K, N, S> extends infer Q
    ? unknown extends Q
      ? AcquireRules<K, N, V, F, M, S>
      : Q
    : never

/** One take, checked as the same lock call written directly at the call site (a built-in's as before defined kinds). */
type TakeError<T extends Take, S extends CtxState> =
  T extends Take<infer K, infer N, infer V, infer F, infer M>
    ? Failed<
        K extends LockKindSpec
          ? DefinedRules<FactsOf<K>, N, V, F, M, S>
          : [V, M] extends ['plain' | 'irqsave', 'write']
            ? AcquireCheck<K, N, S, F>
            : AcquireFullCheck<K, N, V, S, F, M>
      >
    : never

type NamesOf<Hs extends readonly HoldableLock[]> = Hs[number]['name']

type MissingHeld<Name extends string, H extends HoldableLock> = H extends HoldableLock
  ? LockproofError<`lockdep_assert_held(${H['name']}): helper ${Name}() must be called holding ${LockLabel<HeldKindOf<H>, H['name']>}, and it is not held here`>
  : never

/** The locks the caller must hold: each in `held` (where `held` is known; else refused, as for locks). */
type HoldError<E extends HelperEffects, S extends CtxState> = [NamesOf<E['mustHold']>] extends [never]
  ? never
  : string extends S['held']
    ? LockproofError<`held locks unknown: helper ${E['name']}() must be called holding ${NamesOf<E['mustHold']>}, which a context typed with a proof cannot show; write the caller with helper() and mustHold (docs/helpers.md)`>
    : [NamesOf<E['mustHold']>] extends [S['held']]
      ? never
      : MissingHeld<E['name'], Extract<E['mustHold'][number], { readonly name: Exclude<NamesOf<E['mustHold']>, S['held']> }>>

/** Why interrupts are not proven off here (item 6: which proof, and why it is missing). */
type IrqWhy<S extends CtxState> = S['irq'] extends IrqOffOnOne
  ? `they are off only on a normal kernel (${WhyOf<S>}): spinlock_t, rwlock_t, local_lock_t and SpinLockIrq _irq/_irqsave, and threadable handlers, leave them on under PREEMPT_RT`
  : `nothing here disables them (${WhyOf<S>})`

type NeedsError<N extends Needs, Name extends string, S extends CtxState> =
  | (N extends { readonly irq: true }
      ? S['irq'] extends true
        ? never
        : LockproofError<`IrqDisabled: helper ${Name}() needs interrupts disabled on both kernels, and ${IrqWhy<S>}`>
      : never)
  | (N extends { readonly preempt: true }
      ? S['preempt'] extends true
        ? never
        : LockproofError<`PreemptDisabled: helper ${Name}() needs preemption disabled on both kernels, and it is not (${WhyOf<S>}): spinlock_t, rwlock_t and local_lock_t leave it on under PREEMPT_RT`>
      : never)
  | (N extends { readonly bh: true }
      ? S['bh'] extends true
        ? never
        : LockproofError<`BhDisabled: helper ${Name}() needs bottom halves disabled on both kernels, and they are not (${WhyOf<S>})`>
      : never)

type SleepError<E extends HelperEffects, S extends CtxState> = E['sleeps'] extends true ? Failed<CanSleep<S, `helper ${E['name']}()`>> : never

type Errors<E extends HelperEffects, S extends CtxState> = TakeError<E['take'], S> | HoldError<E, S> | NeedsError<E['needs'], E['name'], S> | SleepError<E, S>

/** Several broken rules as one error whose message is the union of theirs (readable, not a long alias). */
type Merged<X> = [X] extends [LockproofError<infer M>] ? LockproofError<M> : X

/** `unknown` when calling the helper with effects E is valid in S, else the rules it breaks. */
export type HelperCheck<E extends HelperEffects, S extends CtxState> = 0 extends 1 & S
  ? AnyStateError
  : Errors<E, S> extends infer X
    ? [X] extends [never]
      ? unknown
      : Merged<X>
    : never
