/**
 * The typed lock interfaces, derived from a kind's spec: one member per entry of its method
 * tables (kinds/methods.ts), typed by the entry's variant and side. The mapping is homomorphic
 * over the spec's tables, so a member keeps the JSDoc written on its entry. The public interfaces
 * (locks/api.ts `RawSpinLock` … `LocalLock`) are written out and checked to be exactly
 * {@link LockOf} of their kind (type-tests/kinds-derive.test-d.ts); a defined kind's locks
 * (`kernel.lock(kind, …)`) are `LockOf` of its spec.
 *
 * Cost: each entry becomes a tag (`locked|irqsave|write`) once per kind; a lock's member is one
 * indexed access into the written-out {@link FormTable}, resolved only when the member is used.
 */
import type { FormTable } from './derive-forms.js'
import type { KindOf, KindRef } from './kind-of.js'
import type { AnnotatedEntry, MethodEntry, Mode, Variant } from './spec.js'

/** Kind K's spec. */
type SpecOf<K extends KindRef> = KindOf<K>

/**
 * The side a method's types track: reads are told apart only where reads may recurse
 * (`read_lock_is_recursive()`, rwlock_t: `ReadHeld`, the recursive-read check); an rw_semaphore
 * read is typed as its write (the held class is the same).
 */
type TypedMode<K extends KindRef, M extends Mode> = SpecOf<K>['readRecursion'] extends 'read_lock_is_recursive' ? M : 'write'

/** Every method table of kind K, as one type (the three tables never share a member name). */
type TablesOf<K extends KindRef> = SpecOf<K>['methods'] & SpecOf<K>['guards'] & SpecOf<K>['annotated']

/**
 * A callback or a guard; `…-requiring`: of a kind whose spec `requires` a proof
 * (rules/requires.ts), so that only such kinds instantiate that check.
 */
type PlainForm<K extends KindRef, P> = SpecOf<K>['requires'] extends readonly []
  ? P extends keyof SpecOf<K>['methods']
    ? 'locked'
    : 'guarded'
  : P extends keyof SpecOf<K>['methods']
    ? 'locked-requiring'
    : 'guarded-requiring'

/**
 * Kind K's members, each as the tag of its method type in {@link FormTable}: form, variant and
 * typed side. It depends on K only, so it is computed once per kind.
 */
type MemberTags<K extends KindRef> = {
  readonly [P in keyof TablesOf<K>]: TablesOf<K>[P] extends readonly [infer V extends Variant, infer M extends Mode]
    ? `${PlainForm<K, P>}|${V}|${TypedMode<K, M>}` & Tag
    : TablesOf<K>[P] extends readonly [infer V extends Variant, Mode, infer A extends 'try' | 'nested' | 'nest-lock', infer G extends boolean]
      ? `${G extends true ? `${A}-guard` : A}|${V}|write` & Tag
      : never
}

/** Every tag {@link FormTable} has. */
type Tag = keyof FormTable<KindRef, string, unknown, string>

/** The methods of kind K for lock class N with data D: one member per entry of its spec's tables, with the entry's JSDoc. */
export type MethodsOf<K extends KindRef, N extends string, D, F extends string> = {
  readonly [P in keyof MemberTags<K>]: FormTable<K, N, D, F>[MemberTags<K>[P]]
}

/** What every lock object carries besides its methods (K: the kind's name). */
export interface LockCommon<K extends string, N extends string> {
  /** The lock kind, as the kernel names its type. */
  readonly kind: K
  /** The lock class. */
  readonly name: N
}

/**
 * The typed lock of kind K, class N, data D, with F the classes a declared lock order puts after
 * N: its `kind` and `name`, and every method its spec lists.
 */
export type LockOf<K extends KindRef, N extends string, D, F extends string> = LockCommon<SpecOf<K>['kind'], N> & MethodsOf<K, N, D, F>

/** The method entry shapes, for a spec's tables. */
export type { AnnotatedEntry, MethodEntry }
