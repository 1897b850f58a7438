/**
 * Nesting annotations at compile time. lockdep tells classes apart by key *and subclass*
 * (`register_lock_class(lock, subclass, …)`, printed `name/subclass`), so a second instance of
 * a held class is fine under a subclass not held yet (`spin_lock_nested(lock,
 * SINGLE_DEPTH_NESTING)`), and under a held nest_lock, which serializes the instances
 * (`check_deadlock()`: "We're holding the nest_lock, which serializes this lock's nesting
 * behaviour."). Both compose with the ordinary rules (AcquireCheck / Acquired).
 */
import type { CtxState, With } from '../context/state.js'
import type { LockproofError } from '../context/type-error.js'
import type { LockKind } from './kinds.js'
import type { AcquireCheck, LockLabel } from './rules.js'

/**
 * A lockdep subclass: 0 … MAX_LOCKDEP_SUBCLASSES - 1 (8, include/linux/lockdep_types.h).
 *
 * @example
 * ```ts
 * import type { Subclass } from 'lockproof'
 *
 * const I_MUTEX_PARENT: Subclass = 1 // as fs.h's enum inode_i_mutex_lock_class
 * ```
 */
export type Subclass = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7

/**
 * `SINGLE_DEPTH_NESTING` (include/linux/lockdep.h: "For trivial one-depth nesting of a
 * lock-class"): the subclass of the one inner instance.
 *
 * @example
 * ```ts
 * import { createKernel, SINGLE_DEPTH_NESTING } from 'lockproof'
 *
 * const kernel = createKernel()
 * const [outer, inner] = [kernel.spinLock('node', 0), kernel.spinLock('node', 0)]
 * kernel.run((ctx) => outer.withLocked(ctx, (ctx) => inner.withLockedNested(ctx, SINGLE_DEPTH_NESTING, () => 0)))
 * ```
 */
export const SINGLE_DEPTH_NESTING = 1

/**
 * The class a (lock, subclass) pair is held as: `N` for subclass 0, `N/S` otherwise, as lockdep
 * prints it (`__print_lock_name()`: `if (class->subclass) printk(KERN_CONT "/%d", class->subclass);`).
 *
 * @example
 * ```ts
 * import type { ClassKey } from 'lockproof'
 *
 * const held: ClassKey<'inode', 1> = 'inode/1'
 * ```
 */
export type ClassKey<N extends string, S extends Subclass> = S extends 0 ? N : `${N}/${S}`

/** The rules for taking N under subclass S: the ordinary ones, with the class being N/S. */
export type NestedAcquireCheck<K extends LockKind, N extends string, S extends Subclass, T extends CtxState, F extends string> = AcquireCheck<
  K,
  ClassKey<N, S>,
  T,
  F
>

type NestLockError<
  K extends LockKind,
  N extends string,
  M extends string,
> = LockproofError<`WARNING: Nested lock was not taken: ${LockLabel<K, N>} names '${M}' as its nest_lock, which is not held`>

/**
 * `spin_lock_nest_lock(lock, nest)`: the nest lock M must be held; then another instance of
 * N's class may be taken (the wait rules still apply), else the ordinary rules.
 */
export type NestLockCheck<K extends LockKind, N extends string, M extends string, T extends CtxState, F extends string> = [M] extends [T['held']]
  ? [N] extends [T['held']]
    ? AcquireCheck<K, N, With<T, { held: string }>, F>
    : AcquireCheck<K, N, T, F>
  : NestLockError<K, N, M>
