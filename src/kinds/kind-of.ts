/**
 * A lock kind at the type level: a built-in's name (`'spinlock_t'`, what the public interfaces
 * `SpinLock<N, D>` … are written with), or a defined kind's spec type (what
 * `defineLockKind()` returns). Every type-level rule reads a kind's facts through
 * {@link KindOf}, so a defined kind follows the same rules as a built-in, from its spec (as its
 * facts, kinds/facts.ts).
 */
import type { KindName as LockKind, KindSpecs } from './registry.js'
import type { LockKindSpec } from './spec.js'
import type { AnyKindFacts, FactsOf } from './facts.js'

/**
 * A built-in kind's name, a defined kind's spec, or its facts (what a defined kind's locks carry
 * in their method types, kinds/facts.ts): the first type argument of `Locked` and `Guarded`.
 *
 * @example
 * ```ts
 * import { type KindRef, RT_MUTEX } from 'lockproof'
 *
 * const kinds: KindRef[] = ['spinlock_t', RT_MUTEX]
 * console.log(kinds.length) // 2
 * ```
 */
export type KindRef = SpecRef | AnyKindFacts

/** A built-in kind's name or a kind's spec: what `LockOf` is written with (a kind with method tables). */
export type SpecRef = LockKind | LockKindSpec

/**
 * What a lock's method types carry as its kind: a built-in's name as it is, a defined kind's
 * spec as its facts (kinds/facts.ts), which TypeScript never instantiates again per lock.
 */
export type RuleKind<K extends SpecRef> = K extends LockKindSpec ? FactsOf<K> : K

/** The spec of kind K: the registry's entry for a built-in's name, the spec (or its facts) itself otherwise. */
export type KindOf<K extends KindRef> = K extends string ? KindSpecs[K & LockKind] : K

/**
 * A kind's name at run time: a built-in's, or any defined kind's (what `lock.kind`, held-lock
 * entries and trace events carry).
 */
export type AnyKindName = LockKind | (string & Record<never, never>)
