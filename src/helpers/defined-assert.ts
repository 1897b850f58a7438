/**
 * lockdep's assertions and `LockedBy` over a defined kind's lock (`kernel.lock(kind, …)`): its
 * label read from the spec its type carries, and the one thing such a kind may lack, a
 * `struct lockdep_map`. `lockdep_assert_held(l)` is `lock_is_held(&(l)->dep_map)`
 * (include/linux/lockdep.h), so on a lock without a map (bit_spin_lock: an unsigned long's bit)
 * it does not compile in C; lockproof refuses it at compile time and, for untyped callers, with
 * an InvalidArgumentError before anything is checked.
 */
import { InvalidArgumentError } from '../errors.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { LockRuntime } from '../locks/lock.js'
import type { LockproofError } from '../rules/error.js'
import type { LockLabel } from '../rules/acquire.js'
import type { HeldKindOf, HoldableLock } from './defined-takes.js'

/** Lock L's kind as the rules read it: a built-in's name, or its defined kind's spec. */
type KindRefOf<L extends HoldableLock> = HeldKindOf<L> extends infer K extends KindRef ? K : never

/** How reports name lock L: `` `${label} '${name}'` ``. */
export type LockLabelOf<L extends HoldableLock> = LockLabel<KindRefOf<L>, L['name']>

/** `true` unless L's kind says it has no lockdep map (`lockdep: null`). */
export type HasMap<L extends HoldableLock> = KindRefOf<L> extends { readonly lockdep: null } ? false : true

/** The refusal of assertion `What` on lock L, whose kind has no lockdep map. */
export type NoMapError<
  L extends HoldableLock,
  What extends string,
> = LockproofError<`${What}(${L['name']}): ${LockLabelOf<L>} has no lockdep map (its kind's lockdep is null), so lockdep cannot tell whether it is held`>

/** The run-time refusal of the same, for untyped callers. */
export const refuseMapless = (runtime: LockRuntime<unknown>, assertion: string): void => {
  if (runtime.spec.lockdep === null) {
    throw new InvalidArgumentError(
      `${assertion}: ${runtime.label} has no lockdep map (its kind's lockdep is null), so lockdep cannot tell whether it is held; nothing was checked`,
    )
  }
}
