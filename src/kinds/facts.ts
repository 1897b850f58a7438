/**
 * A defined kind's facts as the type rules read them (label, wait type, read rule, requires,
 * trylock rule, each variant's lock steps): what a lock of a kind made by `defineLockKind()`
 * carries through its method types in place of the spec.
 *
 * Why: the spec's type is an object literal's, which TypeScript re-instantiates (and counts)
 * every time a generic type that carries it is instantiated: a few times per lock site. A
 * reference to the interface {@link KindFacts} whose type arguments are literals and tuples of
 * literals is, like a built-in's name, never instantiated again. It is computed once per kind
 * (a type alias's instantiation is cached by its arguments); the object members the rules read
 * (`variants`, `trylock`) are resolved once per kind too (docs/defining-kinds.md, "Cost").
 */
import type { WaitType } from '../rules/state.js'
import type { LockKindSpec, ReadRecursion, Variant } from './spec.js'
import type { Step, StepProof } from './steps.js'

/** One variant's lock steps on one configuration: `readonly ['plain', 'rt', readonly ['acquire', …]]`. */
type StepsEntry = readonly [variant: Variant, config: 'normal' | 'rt', lock: readonly Step[]]

/** A trylock rule's compile-time half (kinds/spec.ts `TrylockSpec`): where it may be tried, and the call's name. */
export interface TrylockFacts<C extends 'task' | 'irqs-on' | 'by-wait', Call extends string> {
  readonly context: C
  readonly call: Call
}

/**
 * A kind's facts: the fields of {@link LockKindSpec} the type rules read, with the same names
 * and types (so `KindOf` passes it through and every rule reads it as it reads a spec).
 */
export interface KindFacts<
  Kind extends string,
  Label extends string,
  Wait extends WaitType,
  Recursion extends ReadRecursion,
  Requires extends readonly StepProof[],
  Try extends TrylockFacts<'task' | 'irqs-on' | 'by-wait', string> | null,
  Steps extends StepsEntry,
> {
  readonly kind: Kind
  readonly label: Label
  readonly wait: Wait
  readonly readRecursion: Recursion
  readonly requires: Requires
  readonly trylock: Try
  /** Each variant's lock steps per configuration, as a spec's `variants` (the rules read `lock` only). */
  readonly variants: { readonly [V in Steps[0]]: { readonly [C in 'normal' | 'rt']: { readonly lock: Extract<Steps, readonly [V, C, unknown]>[2] } } }
}

/** Any kind's facts. */
export type AnyKindFacts = KindFacts<
  string,
  string,
  WaitType,
  ReadRecursion,
  readonly StepProof[],
  TrylockFacts<'task' | 'irqs-on' | 'by-wait', string> | null,
  StepsEntry
>

/** Spec S's variants' lock steps, as a union of {@link StepsEntry}. */
type StepsOf<S extends LockKindSpec> = {
  [V in keyof S['variants'] & Variant]: S['variants'][V] extends {
    readonly normal: { readonly lock: infer L extends readonly Step[] }
    readonly rt: { readonly lock: infer R extends readonly Step[] }
  }
    ? readonly [V, 'normal', L] | readonly [V, 'rt', R]
    : never
}[keyof S['variants'] & Variant]

/** Spec S's trylock rule as {@link TrylockFacts}, or null. */
type TrylockOf<S extends LockKindSpec> = S['trylock'] extends {
  readonly context: infer C extends 'task' | 'irqs-on' | 'by-wait'
  readonly call: infer Call extends string
}
  ? TrylockFacts<C, Call>
  : null

/**
 * The facts of spec S. The arguments are inferred first, so that the reference to
 * {@link KindFacts} is made of literals only (not deferred, hence never re-instantiated).
 */
export type FactsOf<S extends LockKindSpec> = [StepsOf<S>, TrylockOf<S>] extends [
  infer Steps extends StepsEntry,
  infer Try extends TrylockFacts<'task' | 'irqs-on' | 'by-wait', string> | null,
]
  ? KindFacts<S['kind'], S['label'], S['wait'], S['readRecursion'], S['requires'], Try, Steps>
  : never

/** A kind with one `data` for all CPUs: `kernel.lock(kind, name, data)` (a named interface: an inline intersection costs 2 instantiations per call). */
export interface SharedKindSpec extends LockKindSpec {
  readonly data: 'shared'
}

/** A kind with per-CPU data: `kernel.lock(kind, name, init)`. */
export interface PerCpuKindSpec extends LockKindSpec {
  readonly data: 'per-cpu'
}
