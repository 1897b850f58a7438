/**
 * A defined kind's lock factory, `kernel.lockOf(kind)`: `(name, data) => lock`, the kind fixed
 * once, as `kernel.spinLock` has its kind in its name. Each lock is the one
 * `kernel.lock(kind, name, data)` makes, typed as cheaply as a built-in's: no type parameter for
 * the kind at the lock site, and, where the kind's member tables are one of the tables lockproof
 * ships (kinds/shapes.ts), a written interface over its facts instead of the mapped type over its
 * members (docs/defining-kinds.md, "Cost"). Everything here is evaluated once per kind.
 */
import type { DeclaredAfter } from '../rules/acquire.js'
import type { FormTable } from './derive-forms.js'
import type { MemberEntry, MemberEntriesOf, NamedMembers } from './derive-named.js'
import type { AnyKindFacts } from './facts.js'
import type { ShapeName, ShapeOf, ShapeTable } from './shapes.js'
import type { LockKindSpec } from './spec.js'

/**
 * The lock types a factory can make: the written shapes, and `mapped` for any other tables (the
 * kind's members by name, kinds/derive-named.ts: the same member types as derive.ts `Members`).
 */
export interface FactoryLocks<K extends AnyKindFacts, N extends string, D, F extends string, E extends MemberEntry> extends ShapeTable<K, N, D, F> {
  readonly mapped: NamedMembers<E['name'], E, FormTable<K, N, D, F>>
}

/** A lock type's name in {@link FactoryLocks}. */
export type FactoryShape = ShapeName | 'mapped'

/**
 * Makes locks of one kind with one `data` for all CPUs: `Shape` the lock type, `Facts` the
 * kind's facts, `Order` the kernel's declared lock order, `E` the kind's members as entries
 * where its shape is `mapped` ({@link EntriesFor}).
 */
export type LockFactory<Shape extends FactoryShape, Facts extends AnyKindFacts, Order extends readonly string[], E extends MemberEntry> = <
  const N extends string,
  D,
>(
  name: N,
  data: D,
) => FactoryLocks<Facts, N, D, DeclaredAfter<Order, N>, E>[Shape]

/** Makes locks of one kind with per-CPU data, each CPU's copy made by `init(cpu)` on first use. */
export type PerCpuLockFactory<Shape extends FactoryShape, Facts extends AnyKindFacts, Order extends readonly string[], E extends MemberEntry> = <
  const N extends string,
  D,
>(
  name: N,
  init: (cpu: number) => D,
) => FactoryLocks<Facts, N, D, DeclaredAfter<Order, N>, E>[Shape]

/** The lock type of kind S's factory: its shape where its tables are one lockproof ships, else the mapped type. */
export type ShapeFor<S extends LockKindSpec> = [ShapeOf<S>] extends [never] ? 'mapped' : ShapeOf<S>

/**
 * Kind S's members as entries where it has no written shape, else never: computed with the
 * factory, once per kind, so that a lock site pays none of it.
 */
export type EntriesFor<S extends LockKindSpec> = [ShapeOf<S>] extends [never] ? MemberEntriesOf<S> : never
