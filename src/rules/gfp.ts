/** Where memory may be allocated (Documentation/locking/locktypes.rst, "raw_spinlock_t on RT"). */
import type { CanSleep, WhyOf } from './sleep.js'
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

/**
 * The allocation flags `ctx.kmalloc()` takes: `GFP_KERNEL` may sleep; `GFP_ATOMIC` does not, but
 * takes the allocator's `spinlock_t` locks, which sleep on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { createKernel, type Gfp } from 'lockproof'
 *
 * const kernel = createKernel()
 * const gfp: Gfp = 'GFP_KERNEL'
 * kernel.run((ctx) => ctx.kmalloc(64, gfp))
 * ```
 */
export type Gfp = 'GFP_KERNEL' | 'GFP_ATOMIC'

type AtomicAllocError<Why extends string> =
  LockproofError<`Invalid wait context: kmalloc(GFP_ATOMIC) takes the allocator's spinlock_t locks, which sleep on PREEMPT_RT (${Why})`>

/**
 * GFP_KERNEL: as might_sleep(). GFP_ATOMIC: fine under spinlock_t, not where only raw locks are
 * allowed. Not distributive: a flag that *may* be GFP_KERNEL (the union `Gfp`) is checked as one.
 */
export type GfpCheck<T extends CtxState, G extends Gfp> = [G] extends ['GFP_ATOMIC']
  ? 'spin' extends T['wait']
    ? AtomicAllocError<WhyOf<T>>
    : unknown
  : CanSleep<T, 'kmalloc(GFP_KERNEL)'>
