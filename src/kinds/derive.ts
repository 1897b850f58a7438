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
 * The table is instantiated with the kind's facts (kinds/facts.ts), not its spec, so the method
 * types carry only literals, as a built-in's do with its name.
 */
import type { FormTable } from './derive-forms.js'
import type { VariantOf } from './lock-kinds.js'
import type { KindOf, KindRef, RuleKind, SpecRef } from './kind-of.js'
import type { AnnotatedEntry, MethodEntry, Mode, Variant } from './spec.js'

/** Kind K's spec. */
type SpecOf<K extends SpecRef> = KindOf<K>

/**
 * The side a method's types track: reads are told apart only where reads may recurse
 * (`read_lock_is_recursive()`, rwlock_t: `ReadHeld`, the recursive-read check); an rw_semaphore
 * read is typed as its write (the held class is the same).
 */
type TypedMode<K extends SpecRef, M extends Mode> = SpecOf<K>['readRecursion'] extends 'read_lock_is_recursive' ? M : 'write'

/** Every method table of kind K, as one type (the three tables never share a member name), and the lock's `kind` and `name`. */
type TablesOf<K extends SpecRef> = SpecOf<K>['methods'] & SpecOf<K>['guards'] & SpecOf<K>['annotated'] & CommonEntries

/** The two members every lock has besides its methods, as entries whose tag is their own name. */
interface CommonEntries {
  /** The lock kind, as the kernel names its type. */
  readonly kind: 'kind'
  /** The lock class. */
  readonly name: 'name'
}

/**
 * A callback or a guard; `…-requiring`: of a kind whose spec `requires` a proof
 * (rules/requires.ts), so that only such kinds instantiate that check.
 */
type PlainForm<K extends SpecRef, P> = SpecOf<K>['requires'] extends readonly []
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
export type MemberTags<K extends SpecRef> = {
  readonly [P in keyof TablesOf<K>]: TablesOf<K>[P] extends 'kind' | 'name'
    ? TablesOf<K>[P]
    : TablesOf<K>[P] extends readonly [infer V extends Variant, infer M extends Mode]
      ? `${PlainForm<K, P>}|${V}|${TypedMode<K, M>}` & Tag
      : TablesOf<K>[P] extends readonly [infer V extends Variant, Mode, infer A extends 'try' | 'nested' | 'nest-lock', infer G extends boolean]
        ? `${G extends true ? `${A}-guard` : A}|${V}|write` & Tag
        : never
}

/** Every tag {@link FormTable} has. */
type Tag = keyof FormTable<KindRef, string, unknown, string>

/** A kind's member tags, as {@link Members} takes them (what {@link MemberTags} computes). */
export type TagsOf<Tags> = { readonly [P in keyof Tags]: Tag | 'kind' | 'name' }

/**
 * Each member of `Tags` as its method type in `Table`. Two parameters, both instantiated before
 * (the kind's tags once per kind, the lock's table once per lock), so that a member's type costs
 * one indexed access, not a substitution of the kind, class, data and order.
 */
export type Members<Tags extends TagsOf<Tags>, Table extends { readonly [T in Tag | 'kind' | 'name']: unknown }> = {
  readonly [P in keyof Tags]: Table[Tags[P]]
}

/**
 * Kind K's members, each as its form, variant and typed side: the descriptors the model
 * flavour's lock types map (locks/model-api.ts `ModelLockOf`). Computed once per kind.
 */
export type MembersOf<K extends SpecRef> = {
  readonly [P in keyof SpecTablesOf<K>]: SpecTablesOf<K>[P] extends readonly [infer V extends VariantOf<K>, infer M extends Mode]
    ? { readonly form: P extends keyof SpecOf<K>['methods'] ? 'locked' : 'guarded'; readonly v: V; readonly m: TypedMode<K, M> }
    : SpecTablesOf<K>[P] extends readonly [infer V extends VariantOf<K>, Mode, infer A extends 'try' | 'nested' | 'nest-lock', infer G extends boolean]
      ? { readonly form: G extends true ? `${A}-guard` : A; readonly v: V; readonly m: 'write' }
      : never
}

/** Kind K's three method tables, without the common members. */
type SpecTablesOf<K extends SpecRef> = SpecOf<K>['methods'] & SpecOf<K>['guards'] & SpecOf<K>['annotated']

/** The methods of kind K for lock class N with data D: one member per entry of its spec's tables, with the entry's JSDoc. */
export type MethodsOf<K extends SpecRef, N extends string, D, F extends string> = Members<MemberTags<K>, FormTable<RuleKind<K>, N, D, F>>

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
 *
 * @example
 * ```ts
 * import { createKernel, type LockOf, RT_MUTEX } from 'lockproof'
 *
 * const kernel = createKernel()
 * const pi: LockOf<typeof RT_MUTEX, 'pi', number, never> = kernel.lock(RT_MUTEX, 'pi', 0)
 * kernel.run((ctx) => pi.withLocked(ctx, (ctx) => ctx.msleep(1)))
 * ```
 */
export type LockOf<K extends SpecRef, N extends string, D, F extends string> = MethodsOf<K, N, D, F>

/** The method entry shapes, for a spec's tables. */
export type { AnnotatedEntry, MethodEntry }
