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
import type { LockKind, VariantOf } from './lock-kinds.js'
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

/** Every method table of kind K, as one type (the three tables never share a member name). */
type TablesOf<K extends LockKind> = SpecOf<K>['methods'] & SpecOf<K>['guards'] & SpecOf<K>['annotated']

/** Which method type a member is: a callback, a guard, or an annotated form as callback or guard. */
type Form = 'locked' | 'guarded' | 'try' | 'try-guard' | 'nested' | 'nested-guard' | 'nest-lock' | 'nest-lock-guard'

/**
 * Kind K's members, each as its form, variant and typed side. It depends on K only, so it is
 * computed once per kind; each lock then maps it onto its N, D and F.
 */
export type MembersOf<K extends LockKind> = {
  readonly [P in keyof TablesOf<K>]: TablesOf<K>[P] extends readonly [infer V extends VariantOf<K>, infer M extends Mode]
    ? { readonly form: P extends keyof SpecOf<K>['methods'] ? 'locked' : 'guarded'; readonly v: V; readonly m: TypedMode<K, M> }
    : TablesOf<K>[P] extends readonly [infer V extends VariantOf<K>, Mode, infer A extends 'try' | 'nested' | 'nest-lock', infer G extends boolean]
      ? { readonly form: G extends true ? `${A}-guard` : A; readonly v: V; readonly m: 'write' }
      : never
}

/** One member's type from its descriptor E (a {@link MembersOf} entry); the common forms are tested first. */
type MemberType<
  K extends LockKind,
  N extends string,
  D,
  F extends string,
  E extends { readonly form: Form; readonly v: VariantOf<K>; readonly m: Mode },
> = E['form'] extends 'locked'
  ? Locked<K, N, E['v'], D, F, E['m']>
  : E['form'] extends 'guarded'
    ? Guarded<K, N, E['v'], D, F, E['m']>
    : E['form'] extends 'try'
      ? TryLocked<K, N, E['v'], D>
      : E['form'] extends 'try-guard'
        ? TryGuarded<K, N, E['v'], D>
        : E['form'] extends 'nested'
          ? LockedNested<K, N, E['v'], D, F>
          : E['form'] extends 'nested-guard'
            ? GuardedNested<K, N, E['v'], D, F>
            : E['form'] extends 'nest-lock'
              ? LockedNestLock<K, N, E['v'], D, F>
              : GuardedNestLock<K, N, E['v'], D, F>

/** The methods of kind K for lock class N with data D: one member per entry of its spec's tables, with the entry's JSDoc. */
export type MethodsOf<K extends LockKind, N extends string, D, F extends string> = {
  readonly [P in keyof MembersOf<K>]: MemberType<K, N, D, F, MembersOf<K>[P]>
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
export type LockOf<K extends LockKind, N extends string, D, F extends string> = LockCommon<K, N> & MethodsOf<K, N, D, F>

/** The method entry shapes, for a spec's tables. */
export type { AnnotatedEntry, MethodEntry }
