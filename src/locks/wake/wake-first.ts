/**
 * An unlock wakes the first waiter, and the lock is free: whoever runs first takes it (a new
 * arrival may steal it from the woken waiter). The woken waiter stays first in the queue.
 * - mutex on a normal kernel (kernel/locking/mutex.c): `__mutex_unlock_slowpath()` wakes
 *   `list_first_entry(&lock->wait_list, …)` only; `__mutex_trylock()` takes any lock without an
 *   owner task (a new arrival's slow path tries it before queueing). A first waiter that was woken
 *   and finds the lock taken sets MUTEX_FLAG_HANDOFF (`__mutex_trylock_or_handoff(lock, first)`
 *   after `schedule_preempt_disabled()`); the next unlock then hands the lock to the first waiter
 *   (`__mutex_handoff(lock, next)`: owner = next | MUTEX_FLAG_PICKUP), which nobody else can take
 *   (`if (flags & MUTEX_FLAG_PICKUP) { if (task != curr) break; …`). The flags are cleared when the
 *   list empties (`__mutex_remove_waiter()`). All of that is modelled, step for step.
 * - rtlock (spinlock_t, rwlock_t's inner rtmutex, local_lock_t on PREEMPT_RT;
 *   kernel/locking/rtmutex.c, spinlock_rt.c): the top waiter is woken, and with
 *   RT_MUTEX_BUILD_SPINLOCKS `rt_mutex_steal()` lets an equal-priority non-RT task take the lock
 *   ahead of it (`return rt_waiter_node_equal(&waiter->tree, &top_waiter->tree);`). No handoff.
 */
import { dequeue, enqueue, type Holders, type LockWaiter, type Wake, type WakePolicy } from './policy.js'

export class WakeFirst implements WakePolicy {
  readonly #q: LockWaiter[] = []
  /** MUTEX_FLAG_HANDOFF. */
  #handoff = false
  /** The waiter the lock was handed to (MUTEX_FLAG_PICKUP), or null. */
  #pickup: LockWaiter | null = null
  constructor(
    /** mutex: the HANDOFF/PICKUP protocol; rtlock: none. */
    readonly handoff: boolean,
  ) {}
  busy(): boolean {
    return this.#pickup !== null
  }
  admits(w: LockWaiter | null): boolean {
    return this.#pickup === null || this.#pickup === w
  }
  waits(w: LockWaiter): void {
    if (!w.queued) {
      enqueue(this.#q, w)
      return
    }
    // A woken first waiter found it taken: __mutex_trylock_or_handoff(lock, first) sets HANDOFF.
    if (this.handoff && this.#pickup === null && this.#q[0] === w) this.#handoff = true
  }
  took(w: LockWaiter | null): void {
    if (w === null) return
    if (this.#pickup === w) {
      this.#pickup = null
      w.granted = false
    }
    dequeue(this.#q, w)
    if (this.#q.length === 0) this.#handoff = false
  }
  released(_mode: 'read' | 'write', _h: Holders, wake: Wake): void {
    const first = this.#q[0]
    if (first === undefined) return
    if (this.#handoff) {
      this.#handoff = false
      this.#pickup = first
      first.granted = true
    }
    wake(first)
  }
  left(w: LockWaiter): void {
    dequeue(this.#q, w)
    if (this.#q.length === 0) this.#handoff = false
  }
  inTheWay(): LockWaiter | null {
    return this.#pickup
  }
}
