/** lockdep subclasses: what a (lock, subclass) pair is held as. Shared by the type rules and the nesting API. */

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
