/**
 * Strict FIFO: the lock goes to the waiter that queued first, and nobody arriving later takes it
 * ahead of a queued waiter.
 * - qspinlock (raw_spinlock_t on both kernels, spinlock_t on a normal kernel;
 *   kernel/locking/qspinlock.c): the fast path takes only a lock word of 0
 *   (`queued_spin_lock()`: `atomic_try_cmpxchg_acquire(&lock->val, &val, _Q_LOCKED_VAL)`), the
 *   slow path queues on any pending bit or tail (`if (val & ~_Q_LOCKED_MASK) goto queue;`), and
 *   the tail stays set until the last waiter takes the lock (`n,0,0 -> 0,0,1`); the pending waiter
 *   is the first arrival and goes before the queue head, which waits for `!(VAL &
 *   _Q_LOCKED_PENDING_MASK)`. `queued_spin_trylock()` fails on any non-zero word, so a trylock
 *   fails while waiters queue even when the lock itself is free.
 * - rt_mutex (mutex and the shipped rt_mutex kind on PREEMPT_RT, rt_mutex on both;
 *   kernel/locking/rtmutex.c): `rt_mutex_slowunlock()` → `mark_wakeup_next_waiter()` wakes the
 *   top waiter, which stays queued until it takes the lock; another task takes it only if
 *   `rt_mutex_steal()` lets it, and without RT_MUTEX_BUILD_SPINLOCKS an equal-priority task never
 *   steals. A model's tasks all have one priority, so the top waiter is the first queued.
 */
import { dequeue, enqueue, type Holders, type LockWaiter, type Wake, type WakePolicy } from './policy.js'

export class FifoHandoff implements WakePolicy {
  readonly #q: LockWaiter[] = []
  busy(): boolean {
    return this.#q.length !== 0
  }
  admits(w: LockWaiter | null): boolean {
    return this.#q.length === 0 || this.#q[0] === w
  }
  waits(w: LockWaiter): void {
    enqueue(this.#q, w)
  }
  took(w: LockWaiter | null): void {
    if (w !== null) dequeue(this.#q, w)
  }
  released(_mode: 'read' | 'write', _h: Holders, wake: Wake): void {
    const head = this.#q[0]
    if (head !== undefined) wake(head)
  }
  left(w: LockWaiter, h: Holders, wake: Wake): void {
    // remove_waiter(): the next top waiter takes a free lock when it runs.
    if (dequeue(this.#q, w) && !h.writer && h.readers === 0) this.released('write', h, wake)
  }
  inTheWay(): LockWaiter | null {
    return this.#q[0] ?? null
  }
}
