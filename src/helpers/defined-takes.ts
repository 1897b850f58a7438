/**
 * The type-level facts `takes()` and `helper()` read off a lock of a defined kind
 * (`kernel.lock(defineLockKind(…), name, data)`, kinds/derive.ts `LockOf`): its spec, inferred
 * from the lock's type (`LockOf<S, N, D, F>` carries it as a type argument), its variants and
 * sides. Only such locks instantiate these: a built-in's lock is typed by its own interface.
 */
import type { LockOf } from '../kinds/derive.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { VariantOf } from '../kinds/lock-kinds.js'
import type { LockKindSpec, Mode } from '../kinds/spec.js'
import type { AnyLock } from '../locks/any-lock.js'

/** A take's run-time `kind`: a built-in's name, or a defined kind's `kind` (K is its spec or its facts). */
export type KindNameOf<K extends KindRef> = K extends string ? K : K extends { readonly kind: infer Name extends string } ? Name : never

/** The side of one method entry. */
type EntryMode<E> = E extends readonly [unknown, infer M extends Mode, ...unknown[]] ? M : never

/**
 * The sides a defined kind may be taken with: 'write' always, 'read' where one of its methods
 * takes it for read (percpu_rw_semaphore's `withReadLocked`), as takes() checks at run time.
 */
export type ModesOf<S extends LockKindSpec> =
  | 'write'
  | EntryMode<S['methods'][keyof S['methods']] | S['guards'][keyof S['guards']] | S['annotated'][keyof S['annotated']]>

/** takes()'s default variant for a defined kind: 'plain' where it has one (else a variant must be named). */
export type DefaultVariant<S extends LockKindSpec> = VariantOf<S> & 'plain'

/** takes()'s arguments after the lock: the variant may be left out only where the kind has a plain one. */
export type TakeArgs<S extends LockKindSpec, V, M> = 'plain' extends VariantOf<S> ? [variant?: V, mode?: M] : [variant: V, mode?: M]

/** A lock a helper's `mustHold` may list: a built-in's, or a defined kind's (any object with a kind name and a class). */
export interface HoldableLock {
  /** The lock kind's name (a built-in's or a defined kind's `kind`). */
  readonly kind: string
  /** The lock class. */
  readonly name: string
}

/** The kind of a `mustHold` lock: a built-in's name, or the spec a defined kind's lock type carries (never: neither). */
export type HeldKindOf<H extends HoldableLock> = H extends AnyLock
  ? H['kind']
  : H extends LockOf<infer S extends LockKindSpec, infer _N, infer _D, infer _F>
    ? S
    : never
