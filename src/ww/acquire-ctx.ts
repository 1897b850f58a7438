/**
 * `struct ww_acquire_ctx` (include/linux/ww_mutex.h): the task, the stamp, how many ww_mutexes
 * it holds (`acquired`), whether an older context wounded it, the algorithm
 * (`ctx->is_wait_die = ww_class->is_wait_die`), and DEBUG_WW_MUTEXES's `done_acquire` and
 * `contending_lock`.
 */
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { WwClassRuntime } from './ww-class.js'
import type { WwRecord } from './record.js'

export class WwAcquireCtxRuntime {
  acquired = 0
  wounded = false
  doneAcquire = false
  /** The ww_mutex that returned -EDEADLK, until it is taken (`contending_lock`). */
  contendingLock: object | null = null
  /** Ended by ww_acquire_fini(): any further use is refused. */
  finished = false
  /** The ww_mutexes it holds (a section that throws releases them, as a lock scope releases its lock). */
  readonly locks = new Set<{ unlockOnThrow(ctx: Context<CtxState>): void }>()
  constructor(
    readonly cls: WwClassRuntime,
    readonly stamp: number,
    /** `ctx->task`. */
    readonly pid: number,
    /** The `first_lock_dep_map` acquisition of ww_acquire_init(). */
    readonly firstLock: WwRecord,
  ) {}

  /**
   * `__ww_ctx_less(a, b)`: "FIFO order tie break -- bigger is younger":
   * `return (signed long)(a->stamp - b->stamp) > 0;` (the WW_RT priority comparison is not modelled).
   */
  youngerThan(other: WwAcquireCtxRuntime): boolean {
    return this.stamp - other.stamp > 0
  }
}
