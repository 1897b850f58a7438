/**
 * `struct rt_mutex` (kernel/locking/rtmutex_api.c), defined through the public
 * `defineLockKind()`: a priority-inheriting sleeping lock on both configurations.
 * `__rt_mutex_lock_common()`: `might_sleep(); mutex_acquire_nest(&lock->dep_map, …)`;
 * `rt_mutex_unlock()`: `mutex_release(&lock->dep_map, _RET_IP_)`; `__rt_mutex_init()`:
 * `lockdep_init_map_wait(&lock->dep_map, name, key, 0, LD_WAIT_SLEEP)`; `rt_mutex_trylock()`:
 * `if (IS_ENABLED(CONFIG_DEBUG_RT_MUTEXES) && WARN_ON_ONCE(!in_task())) return 0;` on both
 * configurations (docs/SEMANTICS.md §16).
 */
import { defineLockKind } from '../define.js'
import { both, SLEEPING } from '../sequences.js'

export type RtMutexMethods = {
  /** `rt_mutex_lock()` … `rt_mutex_unlock()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
  /**
   * `rt_mutex_lock_interruptible()` … `rt_mutex_unlock()` around `cb`: the same steps as
   * `rt_mutex_lock()` (TASK_INTERRUPTIBLE only changes how a signal ends the wait; the synchronous
   * kernel delivers none, so it never returns -EINTR here).
   */
  readonly withLockedInterruptible: readonly ['plain', 'write']
}

export type RtMutexGuards = {
  /** `rt_mutex_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
  /** `rt_mutex_lock_interruptible()` as a guard. */
  readonly lockInterruptible: readonly ['plain', 'write']
}

export type RtMutexAnnotated = {
  /** `rt_mutex_trylock()` around `cb`: task context only (`WARN_ON_ONCE(!in_task())`, then 0). */
  readonly withTryLocked: readonly ['plain', 'write', 'try', false]
  /** `rt_mutex_trylock()` as a guard. */
  readonly tryLock: readonly ['plain', 'write', 'try', true]
  /** `rt_mutex_lock_nested(lock, subclass)` around `cb`. */
  readonly withLockedNested: readonly ['plain', 'write', 'nested', false]
  /** `rt_mutex_lock_nested()` as a guard. */
  readonly lockNested: readonly ['plain', 'write', 'nested', true]
}

const METHODS: RtMutexMethods = { withLocked: ['plain', 'write'], withLockedInterruptible: ['plain', 'write'] }
const GUARDS: RtMutexGuards = { lock: ['plain', 'write'], lockInterruptible: ['plain', 'write'] }
const ANNOTATED: RtMutexAnnotated = {
  withTryLocked: ['plain', 'write', 'try', false],
  tryLock: ['plain', 'write', 'try', true],
  withLockedNested: ['plain', 'write', 'nested', false],
  lockNested: ['plain', 'write', 'nested', true],
}

const TRYLOCK_WARN = 'kernel/locking/rtmutex_api.c rt_mutex_trylock: WARN_ON_ONCE(!in_task())'

/**
 * `struct rt_mutex`: sleeps on both kernels (LD_WAIT_SLEEP); task context only.
 *
 * @example
 * ```ts
 * import { createKernel, RT_MUTEX } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const pi = kernel.lock(RT_MUTEX, 'pi', { owner: 0 })
 * kernel.run((ctx) => pi.withLocked(ctx, (ctx, d) => { ctx.msleep(1); d.owner = 1 }))
 * ```
 */
export const RT_MUTEX = defineLockKind({
  kind: 'rt_mutex',
  label: 'rt_mutex',
  category: both('sleeping'),
  wait: 'sleep',
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' },
  trylock: { context: 'task', call: 'rt_mutex_trylock', warn: both(TRYLOCK_WARN) },
  requires: [],
  data: 'shared',
  methods: METHODS,
  guards: GUARDS,
  annotated: ANNOTATED,
})
