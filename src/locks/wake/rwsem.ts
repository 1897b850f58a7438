/**
 * rw_semaphore on a normal kernel (kernel/locking/rwsem.c). Waiters queue FIFO (`rwsem_add_waiter()`:
 * `list_add_tail`); an unlock that leaves the semaphore free wakes by the head
 * (`rwsem_wake()` → `rwsem_mark_wake(sem, RWSEM_WAKE_ANY, …)`):
 * - a writer at the head is woken alone and not granted the lock ("Until the task is actually
 *   later awoken later by the caller, other writers are able to steal it"): it retries in
 *   `rwsem_try_write_lock()`;
 * - a reader at the head: every queued reader, up to MAX_READERS_WAKEUP (0x100), writers skipped
 *   (`if (waiter->type == RWSEM_WAITING_FOR_WRITE) continue;`), is granted the lock by the waker
 *   (their bias added, `smp_store_release(&waiter->task, NULL)`) — readers in any order.
 * Steals: a new writer takes a free semaphore when no handoff is set
 * (`rwsem_try_write_lock_unqueued()`: `while (!(count & (RWSEM_LOCK_MASK|RWSEM_FLAG_HANDOFF)))`,
 * then the same in `rwsem_try_write_lock()`); a new reader steals one no writer holds when no
 * other reader holds it (`rwsem_down_read_slowpath()`: `if ((owner & RWSEM_READER_OWNED) && (rcnt
 * > 1) && !(count & RWSEM_WRITER_LOCKED)) goto queue;` then `if (!(count & (RWSEM_WRITER_LOCKED |
 * RWSEM_FLAG_HANDOFF)))` steal); with waiters the fast paths fail (RWSEM_FLAG_WAITERS in
 * RWSEM_READ_FAILED_MASK; `rwsem_write_trylock()` needs RWSEM_UNLOCKED_VALUE), and so do the
 * trylocks. A queued reader only ever gets the lock granted (`if (!smp_load_acquire(&waiter.task))
 * break;`).
 * Not modelled: RWSEM_FLAG_HANDOFF, which a waiter sets only after RWSEM_WAIT_TIMEOUT (4 ms, or
 * at once for an RT task): a model has no time between steps, so every order it explores is an
 * order of the first 4 ms; the handoff's orders are the same orders with the stealer's arrival
 * later. Also not modelled: the 256-reader batch limit.
 */
import { dequeue, enqueue, type Holders, type LockWaiter, type Wake, type WakePolicy } from './policy.js'

export class Rwsem implements WakePolicy {
  readonly #q: LockWaiter[] = []
  /** Readers granted by a wake-up that have not run yet: they count as holders. */
  readonly #granted: LockWaiter[] = []
  busy(): boolean {
    return this.#q.length !== 0 || this.#granted.length !== 0
  }
  admits(w: LockWaiter | null, mode: 'read' | 'write', h: Holders): boolean {
    if (w?.granted === true) return true
    if (mode === 'write') {
      if (this.#granted.length !== 0) return false
      return w !== null || this.#q.length === 0
    }
    if (w?.queued === true) return false
    if (w === null) return this.#q.length === 0
    // The slow path's steal: no other reader holds it (or is granted it).
    return this.#q.length === 0 || h.readers + this.#granted.length === 0
  }
  waits(w: LockWaiter): void {
    enqueue(this.#q, w)
  }
  took(w: LockWaiter | null): void {
    if (w === null) return
    if (w.granted) {
      w.granted = false
      const at = this.#granted.indexOf(w)
      if (at >= 0) this.#granted.splice(at, 1)
      return
    }
    dequeue(this.#q, w)
  }
  released(_mode: 'read' | 'write', h: Holders, wake: Wake): void {
    // __up_read(): only when the count has no lock bits left; __up_write(): always (then free).
    if (h.writer || h.readers !== 0 || this.#granted.length !== 0) return
    this.#markWake(h, wake)
  }
  /** rwsem_mark_wake(RWSEM_WAKE_ANY): the head writer alone, or every queued reader granted. */
  #markWake(h: Holders, wake: Wake): void {
    const head = this.#q[0]
    if (head === undefined) return
    if (head.mode === 'write') {
      wake(head)
      return
    }
    // A writer holding it makes the grant back out (`if (unlikely(oldcount & RWSEM_WRITER_MASK))`).
    if (h.writer) return
    for (const r of this.#q.filter((x) => x.mode === 'read')) {
      dequeue(this.#q, r)
      r.granted = true
      this.#granted.push(r)
      wake(r)
    }
  }
  left(w: LockWaiter, h: Holders, wake: Wake): void {
    // rwsem_del_wake_waiter(): the first waiter leaving wakes the new head.
    if (dequeue(this.#q, w) && this.#q.length !== 0) this.#markWake(h, wake)
  }
  inTheWay(): LockWaiter | null {
    return this.#granted[0] ?? this.#q[0] ?? null
  }
}
