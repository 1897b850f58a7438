/**
 * The typed lock interfaces, derived from a kind's spec: one member per entry of its method
 * tables (kinds/methods.ts), typed by the entry's variant and side. Each mapping is homomorphic
 * over the spec's table, so a member keeps the JSDoc written on its entry. The public interfaces
 * (locks/api.ts `RawSpinLock` … `LocalLock`) extend {@link LockOf} of their kind and add nothing.
 *
 * Cost: a member's type is one conditional (reading the entry) over what the hand-written member
 * was, resolved only when the member is used.
 */
import type { GuardedNested, GuardedNestLock, LockedNested, LockedNestLock, TryGuarded, TryLocked } from '../locks/annotated-api.js'
import type { Guarded, Locked } from '../locks/methods.js'
import type { LockKind, VariantOf } from '../locks/kinds.js'
import type { KindSpecs } from './registry.js'
import type { AnnotatedEntry, MethodEntry, Mode } from './spec.js'

/** Kind K's spec. */
type SpecOf<K extends LockKind> = KindSpecs[K]

/**
 * The side a method's types track: reads are told apart only where reads may recurse
 * (`read_lock_is_recursive()`, rwlock_t: `ReadHeld`, the recursive-read check); an rw_semaphore
 * read is typed as its write (the held class is the same).
 */
type TypedMode<K extends LockKind, M extends Mode> = SpecOf<K>['lockdep']['readRecursion'] extends 'read_lock_is_recursive' ? M : 'write'

/** A callback method's type from its entry: `withLocked…` → {@link Locked}. */
type LockedBy<K extends LockKind, E, N extends string, D, F extends string> = E extends readonly [infer V extends VariantOf<K>, infer M extends Mode]
  ? Locked<K, N, V, D, F, TypedMode<K, M>>
  : never

/** A guard method's type from its entry: `lock…` → {@link Guarded}. */
type GuardedBy<K extends LockKind, E, N extends string, D, F extends string> = E extends readonly [infer V extends VariantOf<K>, infer M extends Mode]
  ? Guarded<K, N, V, D, F, TypedMode<K, M>>
  : never

/** An annotated method's type from its entry: by form (try, nested, nest-lock) and whether it returns a guard. */
type AnnotatedBy<K extends LockKind, E, N extends string, D, F extends string> = E extends readonly [
  infer V extends VariantOf<K>,
  Mode,
  infer Form,
  infer IsGuard,
]
  ? Form extends 'try'
    ? IsGuard extends true
      ? TryGuarded<K, N, V, D>
      : TryLocked<K, N, V, D>
    : Form extends 'nested'
      ? IsGuard extends true
        ? GuardedNested<K, N, V, D, F>
        : LockedNested<K, N, V, D, F>
      : IsGuard extends true
        ? GuardedNestLock<K, N, V, D, F>
        : LockedNestLock<K, N, V, D, F>
  : never

/** The callback methods of kind K (its spec's `methods`). */
export type CallbacksOf<K extends LockKind, N extends string, D, F extends string> = {
  readonly [P in keyof SpecOf<K>['methods']]: LockedBy<K, SpecOf<K>['methods'][P], N, D, F>
}

/** The guard methods of kind K (its spec's `guards`). */
export type GuardsOf<K extends LockKind, N extends string, D, F extends string> = {
  readonly [P in keyof SpecOf<K>['guards']]: GuardedBy<K, SpecOf<K>['guards'][P], N, D, F>
}

/** The trylock, `_nested` and `_nest_lock` methods of kind K (its spec's `annotated`). */
export type AnnotatedOf<K extends LockKind, N extends string, D, F extends string> = {
  readonly [P in keyof SpecOf<K>['annotated']]: AnnotatedBy<K, SpecOf<K>['annotated'][P], N, D, F>
}

/** What every lock object carries besides its methods. */
export interface LockCommon<K extends LockKind, N extends string> {
  /** The lock kind, as the kernel names its type. */
  readonly kind: K
  /** The lock class. */
  readonly name: N
}

/**
 * The typed lock of kind K, class N, data D, with F the classes a declared lock order puts after
 * N: its `kind` and `name`, and every method its spec lists.
 */
export type LockOf<K extends LockKind, N extends string, D, F extends string> = LockCommon<K, N> &
  CallbacksOf<K, N, D, F> &
  GuardsOf<K, N, D, F> &
  AnnotatedOf<K, N, D, F>

/** The method entry shapes, for a spec's tables. */
export type { AnnotatedEntry, MethodEntry }
