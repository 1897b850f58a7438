/**
 * Dependency types (kernel/locking/lockdep.c, "DEP_*_BIT in lock_list::dep"): for an edge
 * prev -> next, whether prev is a shared (S) or exclusive (E) locker and whether next is a
 * recursive reader (R) or not (N). "bit0 is prev->read == 0, bit1 is next->read != 2".
 */

/** `held_lock::read`: 0 exclusive, 1 non-recursive read, 2 recursive read. */
export type ReadState = 0 | 1 | 2

export const DEP_SR_MASK = 1 << 0
export const DEP_ER_MASK = 1 << 1
export const DEP_SN_MASK = 1 << 2
export const DEP_EN_MASK = 1 << 3

/** `calc_dep()`: `1U << ((prev->read == 0) + ((next->read != 2) << 1))`. */
export const calcDep = (prev: ReadState, next: ReadState): number => 1 << ((prev === 0 ? 1 : 0) + ((next !== 2 ? 1 : 0) << 1))

/** `calc_depb()`, the bits of the backward entry: `(next->read != 2) + ((prev->read == 0) << 1)`. */
export const calcDepb = (prev: ReadState, next: ReadState): number => 1 << ((next !== 2 ? 1 : 0) + ((prev === 0 ? 1 : 0) << 1))

/** `-(xR)->` then `-(Sx)->` is no strong path; -(S*)-> are masked after an only-`*R` step. */
export const SHARED_FROM_MASK = DEP_SR_MASK | DEP_SN_MASK
export const NON_RECURSIVE_TO_MASK = DEP_SN_MASK | DEP_EN_MASK
