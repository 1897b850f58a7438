/**
 * The error numbers the waiting primitives return, negated as the kernel returns them
 * (include/uapi/asm-generic/errno-base.h `#define EINTR 4`, errno.h `#define ETIME 62`,
 * include/linux/errno.h `#define ERESTARTSYS 512`).
 */

/** `-EINTR`: mutex_lock_interruptible(), down_interruptible(), down_read_killable(), … interrupted by a signal. */
export const EINTR = 4
/** `-ETIME`: down_timeout() timed out (not -ETIMEDOUT). */
export const ETIME = 62
/** `-ERESTARTSYS`: wait_for_completion_interruptible(), wait_event_interruptible(), … interrupted by a signal. */
export const ERESTARTSYS = 512

/**
 * lockproof's clock counts milliseconds, and a jiffy is one of them: the simulated kernel has
 * `HZ = 1000` (CONFIG_HZ_1000), so timeouts in jiffies and `msecs_to_jiffies()` are the identity.
 *
 * @example
 * ```ts
 * import { createKernel, HZ } from 'lockproof'
 *
 * const kernel = createKernel()
 * const sem = kernel.semaphore('s', 0)
 * console.log(kernel.run((ctx) => sem.downTimeout(ctx, HZ / 10)), kernel.clockMs) // -62 100
 * ```
 */
export const HZ = 1000

/** The negated values, as the functions return them (literal types: `0 | -4`). */
export const NEG_EINTR = -4
export const NEG_ETIME = -62
export const NEG_ERESTARTSYS = -512
