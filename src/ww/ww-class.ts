/**
 * `struct ww_class` (include/linux/ww_mutex.h): `DEFINE_WD_CLASS(classname)` (wait-die,
 * `is_wait_die = 1`) and `DEFINE_WW_CLASS(classname)` (wound-wait, 0), with
 * `.acquire_name = #ww_class "_acquire"` and `.mutex_name = #ww_class "_mutex"`. The stamp
 * counter orders the acquire contexts: `ctx->stamp = atomic_long_inc_return_relaxed(&ww_class->stamp)`,
 * so a smaller stamp is an older context.
 */
import { LockMapRuntime } from '../lockdep/lock-map.js'
import type { LockHost } from '../locks/lock.js'

export class WwClassRuntime {
  /** The last stamp handed out (`atomic_long_t stamp`, 0 at `__WW_CLASS_INITIALIZER`). */
  stamp = 0
  /** Every acquire context's `dep_map`: `lockdep_init_map(&ctx->dep_map, ww_class->acquire_name, &ww_class->acquire_key, 0)`. */
  readonly acquireMap: LockMapRuntime<string>
  /** The class every ww_mutex of this class (and each context's `first_lock_dep_map`) has in lockdep. */
  readonly mutexName: string
  /** The machine id standing for the contexts' `first_lock_dep_map`s (one class, no owner). */
  readonly firstLockId: number
  /** Which of this class's ww_mutexes a task (by pid) sleeps on: a wound wakes it there. */
  readonly sleepingOn = new Map<number, { wakeAll(): void }>()

  constructor(
    readonly host: LockHost,
    readonly name: string,
    readonly isWaitDie: boolean,
  ) {
    this.acquireMap = new LockMapRuntime(host, `${name}_acquire`)
    this.mutexName = `${name}_mutex`
    host.lockdep.classes.claim(this.mutexName, 'mutex', `ww_mutex '${this.mutexName}'`)
    this.firstLockId = host.addLock('mutex', this.mutexName, this).id
  }
}
