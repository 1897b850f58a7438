/**
 * A defined kind's lock type by member name, for kinds whose tables are their own (no written
 * shape, kinds/shapes.ts): what `kernel.lockOf(kind)` returns for them. Each member is the one
 * derive.ts `Members` gives (an indexed access into the lock's {@link FormTable}, by the same tag
 * as derive.ts `MemberTags`), but the kind's part is made of literals only: each member as a
 * {@link MemberEntry} of its name and tag. A type made of literals is never instantiated again, so per lock
 * TypeScript instantiates the mapped type and the lock's table, not the kind's tag map (a mapped
 * type, which it instantiates again wherever it is passed: docs/defining-kinds.md, "Cost").
 */
import type { FormTable } from './derive-forms.js'
import type { KindRef } from './kind-of.js'
import type { LockKindSpec, Mode, Variant } from './spec.js'

/** Every tag {@link FormTable} has. */
type Tag = keyof FormTable<KindRef, string, unknown, string>

/**
 * One member: its name and its tag in {@link FormTable}. An interface, not a tuple: matching a
 * reference to it compares its two arguments, where a tuple is compared with an array's members.
 */
export interface MemberEntry<Name extends PropertyKey = PropertyKey, T extends Tag = Tag> {
  readonly name: Name
  readonly tag: T
}

/** The entries of a callback or guard table T: `Form` the form, `Read` what a read entry is typed as (derive.ts `TypedMode`). */
type SideEntries<T, Form extends 'locked' | 'guarded' | 'locked-requiring' | 'guarded-requiring', Read extends Mode> = {
  readonly [P in keyof T]: T[P] extends readonly [infer V extends Variant, infer M extends Mode]
    ? MemberEntry<P, `${Form}|${V}|${M extends 'read' ? Read : 'write'}`>
    : never
}[keyof T]

/** The entries of an annotated table T (trylocks, `_nested`, `_nest_lock`: always typed as writes). */
type AnnotatedEntries<T> = {
  readonly [P in keyof T]: T[P] extends readonly [infer V extends Variant, Mode, infer A extends 'try' | 'nested' | 'nest-lock', infer G extends boolean]
    ? MemberEntry<P, `${G extends true ? `${A}-guard` : A}|${V}|write`>
    : never
}[keyof T]

/** Spec S's members as entries, its `kind` and `name` included: derive.ts `MemberTags` of S, as tuples. Computed once per kind. */
export type MemberEntriesOf<S extends LockKindSpec> = [
  S['requires'] extends readonly [] ? ['locked', 'guarded'] : ['locked-requiring', 'guarded-requiring'],
  S['readRecursion'] extends 'read_lock_is_recursive' ? 'read' : 'write',
] extends [[infer L extends 'locked' | 'locked-requiring', infer G extends 'guarded' | 'guarded-requiring'], infer Read extends Mode]
  ?
      | SideEntries<S['methods'], L, Read>
      | SideEntries<S['guards'], G, Read>
      | AnnotatedEntries<S['annotated']>
      | MemberEntry<'kind', 'kind'>
      | MemberEntry<'name', 'name'>
  : never

/** The tag of member P among entries E: a conditional type, so cached by (E, P), once per kind and member. */
type TagAt<E extends MemberEntry, P extends PropertyKey> = E extends MemberEntry<P> ? E['tag'] : never

/** Each member of entries E as its method type in `Table`. */
export type NamedMembers<Names extends PropertyKey, E extends MemberEntry, Table extends { readonly [T in Tag]: unknown }> = {
  readonly [P in Names]: Table[TagAt<E, P>]
}
