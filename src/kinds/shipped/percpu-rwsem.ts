/**
 * `struct percpu_rw_semaphore` (include/linux/percpu-rwsem.h, kernel/locking/percpu-rwsem.c),
 * defined through the public `defineLockKind()`. `percpu_down_read()`: `might_sleep();
 * rwsem_acquire_read(&sem->dep_map, 0, 0, _RET_IP_);` then a preempt_disable() …
 * preempt_enable() pair around the per-CPU count (no net change); `percpu_up_read()`:
 * `rwsem_release()`; `percpu_down_write()`: `might_sleep(); rwsem_acquire(…)`. The same code on
 * PREEMPT_RT. Its map is made by `lockdep_init_map(&sem->dep_map, name, key, 0)` (or statically
 * `{ .name = #lockname }`): LD_WAIT_INV, which lockdep does not wait-check — the compiler and
 * `might_sleep()` still do (docs/SEMANTICS.md §16). `percpu_down_read_trylock()`: no
 * `might_sleep()`, `preempt_disable()` … `preempt_enable()` around the per-CPU count, then
 * `rwsem_acquire_read(&sem->dep_map, 0, 1, _RET_IP_)` if taken; no context check, so it may be
 * tried anywhere (docs/SEMANTICS.md §27). There is no write trylock (`__percpu_down_write_trylock()`
 * is static).
 */
import { defineLockKind } from '../define.js'
import { both, SLEEPING } from '../sequences.js'

export type PercpuRwsemMethods = {
  /** `percpu_down_read()` … `percpu_up_read()` around `cb`. */
  readonly withRead: readonly ['plain', 'read']
  /** `percpu_down_write()` … `percpu_up_write()` around `cb`. */
  readonly withWrite: readonly ['plain', 'write']
}

export type PercpuRwsemGuards = {
  /** `percpu_down_read()` as a guard (`guard(percpu_read)`). */
  readonly read: readonly ['plain', 'read']
  /** `percpu_down_write()` as a guard (`guard(percpu_write)`). */
  readonly write: readonly ['plain', 'write']
}

export type PercpuRwsemAnnotated = {
  /** `percpu_down_read_trylock()` … `percpu_up_read()` around `cb`: never sleeps, from any context. */
  readonly withTryRead: readonly ['plain', 'read', 'try', false]
  /** `percpu_down_read_trylock()` as a guard (`guard(percpu_read_try)`). */
  readonly tryRead: readonly ['plain', 'read', 'try', true]
}

const METHODS: PercpuRwsemMethods = { withRead: ['plain', 'read'], withWrite: ['plain', 'write'] }
const GUARDS: PercpuRwsemGuards = { read: ['plain', 'read'], write: ['plain', 'write'] }
const ANNOTATED: PercpuRwsemAnnotated = { withTryRead: ['plain', 'read', 'try', false], tryRead: ['plain', 'read', 'try', true] }

/**
 * `struct percpu_rw_semaphore`: sleeps on both kernels; reads are `rwsem_acquire_read()`
 * (read = 1, not recursive); its lockdep map is LD_WAIT_INV.
 *
 * @example
 * ```ts
 * import { createKernel, PERCPU_RW_SEMAPHORE } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hotplug = kernel.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', { online: 4 })
 * kernel.run((ctx) => hotplug.withRead(ctx, (_ctx, d) => d.online))
 * ```
 */
export const PERCPU_RW_SEMAPHORE = defineLockKind({
  kind: 'percpu_rw_semaphore',
  label: 'percpu_rw_semaphore',
  category: both('sleeping'),
  wait: 'sleep',
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'inv', waitOuter: null, lockType: 'normal' },
  trylock: { context: 'by-wait', call: 'percpu_down_read_trylock', warn: both(null) },
  requires: [],
  data: 'shared',
  methods: METHODS,
  guards: GUARDS,
  annotated: ANNOTATED,
})
