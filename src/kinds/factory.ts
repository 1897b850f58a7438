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
import type { Members, TagsOf } from './derive.js'
import type { AnyKindFacts } from './facts.js'
import type { ShapeName, ShapeOf, ShapeTable } from './shapes.js'
import type { LockKindSpec } from './spec.js'

/** The lock types a factory can make: the written shapes, and `mapped` (derive.ts `Members`) for any other tables. */
export interface FactoryLocks<K extends AnyKindFacts, N extends string, D, F extends string, Tags extends TagsOf<Tags>> extends ShapeTable<K, N, D, F> {
  readonly mapped: Members<Tags, FormTable<K, N, D, F>>
}

/** A lock type's name in {@link FactoryLocks}. */
export type FactoryShape = ShapeName | 'mapped'

/**
 * Makes locks of one kind with one `data` for all CPUs: `Shape` the lock type, `Facts` the
 * kind's facts, `Order` the kernel's declared lock order, `Tags` the kind's member tags.
 */
export type LockFactory<Shape extends FactoryShape, Facts extends AnyKindFacts, Order extends readonly string[], Tags extends TagsOf<Tags>> = <
  const N extends string,
  D,
>(
  name: N,
  data: D,
) => FactoryLocks<Facts, N, D, DeclaredAfter<Order, N>, Tags>[Shape]

/** Makes locks of one kind with per-CPU data, each CPU's copy made by `init(cpu)` on first use. */
export type PerCpuLockFactory<Shape extends FactoryShape, Facts extends AnyKindFacts, Order extends readonly string[], Tags extends TagsOf<Tags>> = <
  const N extends string,
  D,
>(
  name: N,
  init: (cpu: number) => D,
) => FactoryLocks<Facts, N, D, DeclaredAfter<Order, N>, Tags>[Shape]

/** The lock type of kind S's factory: its shape where its tables are one lockproof ships, else the mapped type. */
export type ShapeFor<S extends LockKindSpec> = [ShapeOf<S>] extends [never] ? 'mapped' : ShapeOf<S>
