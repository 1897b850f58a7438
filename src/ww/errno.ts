/**
 * The error numbers ww_mutex_lock() returns, negated as the kernel returns them
 * (include/uapi/asm-generic/errno.h `#define EDEADLK 35`, `#define EALREADY 114`;
 * errno-base.h `#define EINTR 4`).
 */

/**
 * `EDEADLK` (35): `ww_mutex_lock()` returns `-EDEADLK` to the context that must back off.
 *
 * @example
 * ```ts
 * import { EDEADLK } from 'lockproof'
 *
 * const mustBackOff = (ret: number) => ret === -EDEADLK
 * console.log(mustBackOff(-35)) // true
 * ```
 */
export const EDEADLK = 35

/**
 * `EALREADY` (114): `ww_mutex_lock()` returns `-EALREADY` when the acquire context already holds the lock.
 *
 * @example
 * ```ts
 * import { EALREADY } from 'lockproof'
 *
 * console.log(-EALREADY) // -114
 * ```
 */
export const EALREADY = 114

/** `-EINTR`: a signal ended `ww_mutex_lock_interruptible()`'s sleep. */
export const NEG_EINTR = -4
export const NEG_EDEADLK = -35
export const NEG_EALREADY = -114
