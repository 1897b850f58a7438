/**
 * `defineLockKind()`'s checks at compile time, where a type can tell: an unknown step, a variant
 * on one configuration only, an unlock sequence that does not undo the lock sequence (as sets of
 * steps: how often each occurs is checked at run time only), a wait type that contradicts the
 * category, a method naming a variant the kind has no sequences for. Each is a
 * {@link LockproofError} whose message names the kind; the run-time checks (define.ts) say the same.
 * Evaluated once per defined kind: nothing here is instantiated at a lock site.
 */
import type { LockproofError } from '../rules/error.js'
import type { Category, LockKindSpec, Variant } from './spec.js'
import type { Step, StepUndo } from './steps.js'

/** One configuration's sequences, before they are checked: any step name. */
export interface OpsInput {
  readonly lock: readonly string[]
  readonly unlock: readonly string[]
}

/** A variant table before it is checked: either configuration may be missing. */
export type VariantTableInput = { readonly [V in Variant]?: { readonly normal?: OpsInput; readonly rt?: OpsInput } }

/** What `defineLockKind()` accepts: a {@link LockKindSpec} whose sequences (and category) are not checked yet. */
export interface LockKindInput extends Omit<LockKindSpec, 'variants' | 'readVariants' | 'category'> {
  readonly category: { readonly normal?: Category; readonly rt?: Category }
  readonly variants: VariantTableInput
  readonly readVariants: VariantTableInput | null
}

type Err<S extends LockKindInput, M extends string> = LockproofError<`defineLockKind(${S['kind']}): ${M}`>

/** Variant table T's per-configuration entries, each with its variant name V and configuration C. */
type Sequences<T> = {
  [V in keyof T & Variant]-?: {
    [C in 'normal' | 'rt']-?: T[V] extends { readonly [P in C]: infer O extends OpsInput }
      ? { v: V; c: C; lock: O['lock'][number]; unlock: O['unlock'][number] }
      : never
  }['normal' | 'rt']
}[keyof T & Variant]

/** Every sequence of a spec, write and read side. */
type AllSequences<S extends LockKindInput> = Sequences<S['variants']> | (S['readVariants'] extends null ? never : Sequences<S['readVariants']>)

type UnknownSteps<S extends LockKindInput> = Exclude<AllSequences<S>['lock'] | AllSequences<S>['unlock'], Step>

/** The variants that lack a configuration (an optional variant's `undefined` is its absence, not a missing configuration). */
type OneConfig<T> = {
  [V in keyof T & Variant]-?: Exclude<T[V], undefined> extends { readonly normal: OpsInput; readonly rt: OpsInput } ? never : V
}[keyof T & Variant]

/** The undo steps lock steps L call for. */
type UndoOf<L> = L extends Step ? Exclude<StepUndo[L], null> : never

/** The steps that undo another (`release`, `preempt_enable`, …): a lock sequence that performs one undoes nothing of its own. */
type UndoStep = Exclude<StepUndo[Step], null>

/** The first unbalanced sequence's message, or never. */
type Unbalanced<Q> = Q extends { v: infer V extends string; c: infer C extends string; lock: infer L; unlock: infer U }
  ? [Extract<L, UndoStep>] extends [never]
    ? BalancedLock<V, C, L, U>
    : `${V} (${C}): the lock steps perform '${Extract<L, UndoStep> & string}', an unlock step, which nothing in the lock sequence calls for`
  : never

/** The message of a lock sequence without unlock steps whose unlock sequence does not undo it, or never. */
type BalancedLock<V extends string, C extends string, L, U> = 'acquire' extends L
  ? [Exclude<UndoOf<L>, U>] extends [never]
    ? [Exclude<U, UndoOf<L>>] extends [never]
      ? never
      : `${V} (${C}): the unlock step '${Exclude<U, UndoOf<L>> & string}' undoes no lock step`
    : `${V} (${C}): the unlock steps do not undo the lock steps: '${Exclude<UndoOf<L>, U> & string}' is missing`
  : `${V} (${C}): the lock steps have no 'acquire'`

/** The wait type on one configuration: 'config' spins on a normal kernel and sleeps on PREEMPT_RT. */
type WaitOn<W, C extends 'normal' | 'rt'> = W extends 'config' ? (C extends 'rt' ? 'sleep' : 'spin') : W

type WaitMismatch<S extends LockKindInput, C extends 'normal' | 'rt'> = WaitAgainst<S['category'][C], S['wait'], C, ''>

/** The same for the lockdep map's `wait_type_inner` (LD_WAIT_INV is not wait-checked: it contradicts nothing). */
type LockdepWaitMismatch<S extends LockKindInput, C extends 'normal' | 'rt'> = S['lockdep'] extends { readonly waitInner: infer W extends string }
  ? W extends 'inv'
    ? never
    : WaitAgainst<S['category'][C], W, C, 'lockdep.waitInner '>
  : never

/** Category `Cat` against wait type `W` on configuration C (`Field` names where W was written). */
type WaitAgainst<Cat, W extends string, C extends 'normal' | 'rt', Field extends string> = Cat extends 'sleeping'
  ? WaitOn<W, C> extends 'sleep'
    ? never
    : `a sleeping kind with a spinning wait type (${Field}'${W}' on ${C})`
  : WaitOn<W, C> extends 'sleep'
    ? `a spinning kind with a sleeping wait type (${Field}'${W}' on ${C})`
    : never

/** The configuration `category` gives no value for. */
type CategoryGap<S extends LockKindInput> = S['category'] extends { readonly normal: Category; readonly rt: Category }
  ? never
  : S['category'] extends { readonly normal: Category }
    ? 'rt'
    : 'normal'

/** The read side's variants that lack a configuration. */
type ReadOneConfig<S extends LockKindInput> = S['readVariants'] extends null ? never : OneConfig<S['readVariants']>

/** The method entries that name a variant the kind has no sequences for. */
type MissingVariant<S extends LockKindInput> = {
  [P in keyof (S['methods'] & S['guards'] & S['annotated'])]: (S['methods'] & S['guards'] & S['annotated'])[P] extends readonly [infer V, ...unknown[]]
    ? V extends keyof S['variants']
      ? never
      : P & string
    : never
}[keyof (S['methods'] & S['guards'] & S['annotated'])]

/**
 * `unknown` when spec S passes every compile-time check, else the first failure's error. A spec
 * whose type is not literal (its `kind` is any string: one built at run time, as the design
 * check's twins are) cannot be told apart at compile time: only the run time checks it.
 */
export type SpecCheck<S extends LockKindInput> = string extends S['kind'] ? unknown : LiteralSpecCheck<S>

/** {@link SpecCheck} of a spec written as a literal. */
type LiteralSpecCheck<S extends LockKindInput> = [UnknownSteps<S>] extends [never]
  ? [OneConfig<S['variants']>] extends [never]
    ? [ReadOneConfig<S>] extends [never]
      ? [CategoryGap<S>] extends [never]
        ? BalanceCheck<S>
        : Err<S, `the category gives no value for ${CategoryGap<S> & string} (a kind needs normal and rt)`>
      : Err<S, `the read variant '${ReadOneConfig<S> & string}' has sequences for one configuration only (a variant needs normal and rt)`>
    : Err<S, `the variant '${OneConfig<S['variants']> & string}' has sequences for one configuration only (a variant needs normal and rt)`>
  : Err<S, `unknown step '${UnknownSteps<S> & string}'`>

/** The checks after the sequences' shape: balance, the wait types against the category, the methods' variants. */
type BalanceCheck<S extends LockKindInput> = [Unbalanced<AllSequences<S>>] extends [never]
  ? [WaitMismatch<S, 'normal'> | WaitMismatch<S, 'rt'>] extends [never]
    ? [LockdepWaitMismatch<S, 'normal'> | LockdepWaitMismatch<S, 'rt'>] extends [never]
      ? [MissingVariant<S>] extends [never]
        ? unknown
        : Err<S, `the method '${MissingVariant<S>}' takes a variant the kind has no sequences for`>
      : Err<S, LockdepWaitMismatch<S, 'normal'> | LockdepWaitMismatch<S, 'rt'>>
    : Err<S, WaitMismatch<S, 'normal'> | WaitMismatch<S, 'rt'>>
  : Err<S, Unbalanced<AllSequences<S>>>
