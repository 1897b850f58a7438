/**
 * Nesting annotations at compile time. lockdep tells classes apart by key *and subclass*
 * (`register_lock_class(lock, subclass, …)`, printed `name/subclass`), so a second instance of
 * a held class is fine under a subclass not held yet (`spin_lock_nested(lock,
 * SINGLE_DEPTH_NESTING)`), and under a held nest_lock, which serializes the instances
 * (`check_deadlock()`: "We're holding the nest_lock, which serializes this lock's nesting
 * behaviour."). Both compose with the ordinary rules (AcquireCheck / Acquired).
 */
import type { CtxState, With } from './state.js'
import type { LockproofError } from './error.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { AcquireCheck, LockLabel } from './acquire.js'
import type { ClassKey, Subclass } from '../locks/subclass.js'

export { type ClassKey, SINGLE_DEPTH_NESTING, type Subclass } from '../locks/subclass.js'

/** The rules for taking N under subclass S: the ordinary ones, with the class being N/S. */
export type NestedAcquireCheck<K extends KindRef, N extends string, S extends Subclass, T extends CtxState, F extends string> = AcquireCheck<
  K,
  ClassKey<N, S>,
  T,
  F
>

type NestLockError<
  K extends KindRef,
  N extends string,
  M extends string,
> = LockproofError<`WARNING: Nested lock was not taken: ${LockLabel<K, N>} names '${M}' as its nest_lock, which is not held`>

/**
 * `spin_lock_nest_lock(lock, nest)`: the nest lock M must be held; then another instance of
 * N's class may be taken (the wait and order rules still apply, against the other held classes),
 * else the ordinary rules.
 */
export type NestLockCheck<K extends KindRef, N extends string, M extends string, T extends CtxState, F extends string> = [M] extends [T['held']]
  ? [N] extends [T['held']]
    ? AcquireCheck<K, N, With<T, { held: Exclude<T['held'], N> }>, F>
    : AcquireCheck<K, N, T, F>
  : NestLockError<K, N, M>
