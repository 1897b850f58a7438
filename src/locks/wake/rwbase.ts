/**
 * PREEMPT_RT's rw_semaphore and rwlock_t (kernel/locking/rwbase_rt.c over an rtmutex `m`):
 * - `rwbase_write_lock()`: take `m` ("Take the rtmutex as a first step"), remove READER_BIAS
 *   ("Force readers into slow path"), then wait until the readers have left
 *   (`__rwbase_write_trylock()`: `if (!atomic_read_acquire(&rwb->readers))`); `m` stays held
 *   until `__rwbase_write_unlock()` restores the bias and unlocks it (waking m's top waiter).
 * - `rwbase_read_lock()`: the fast path takes it while the bias is set (`rwbase_read_trylock()`:
 *   `for (r = atomic_read(&rwb->readers); r < 0;)`), i.e. while no writer has taken `m`, whoever
 *   queues on `m`; otherwise `__rwbase_read_lock()` takes `m` as any waiter, counts itself in and
 *   drops `m` at once.
 * - `__rwbase_read_unlock()`: the last reader wakes the writer that holds `m`.
 * `m`'s waiters follow the rtmutex: FIFO at one priority, and for rwlock_t (built with
 * RT_MUTEX_BUILD_SPINLOCKS, spinlock_rt.c) the lateral steal of an rtlock (./wake-first.ts); the
 * rw_semaphore's rtmutex lets no equal-priority task steal (./fifo.ts).
 */
import { dequeue, enqueue, type Holders, type LockWaiter, type Wake, type WakePolicy } from './policy.js'

export class Rwbase implements WakePolicy {
  /** m's waiters: slow-path readers and writers, in order. */
  readonly #q: LockWaiter[] = []
  /** The writer that holds m and waits for the readers to leave. */
  #pending: LockWaiter | null = null
  constructor(
    /** rwlock_t: an rtlock's lateral steal of m; rw_semaphore: none. */
    readonly steal: boolean,
  ) {}
  busy(): boolean {
    return this.#pending !== null || this.#q.length !== 0
  }
  /** Whether this attempt may take m, free of any writer now. */
  #getsM(w: LockWaiter | null): boolean {
    if (this.#pending !== null) return false
    return this.#q.length === 0 || this.steal || (w !== null && this.#q[0] === w)
  }
  admits(w: LockWaiter | null, mode: 'read' | 'write', h: Holders): boolean {
    if (mode === 'read') {
      // The fast path while the bias is set; a queued reader needs m.
      if (w?.queued) return this.#getsM(w)
      return this.#pending === null
    }
    if (this.#pending === w) return h.readers === 0
    return this.#getsM(w) && h.readers === 0
  }
  waits(w: LockWaiter, h: Holders): void {
    if (w.mode === 'write' && this.#pending !== w && !h.writer && this.#getsM(w)) {
      // It took m; the readers are in the way now.
      dequeue(this.#q, w)
      this.#pending = w
      w.claimed = true
      return
    }
    if (this.#pending !== w) enqueue(this.#q, w)
  }
  took(w: LockWaiter | null, h: Holders, wake: Wake): void {
    if (w === null) return
    if (this.#pending === w) {
      this.#pending = null
      w.claimed = false
      return
    }
    const queued = w.queued
    dequeue(this.#q, w)
    // A slow-path reader dropped m at once: m's next top waiter may take it.
    if (queued && w.mode === 'read') this.#wakeTop(h, wake)
  }
  #wakeTop(h: Holders, wake: Wake): void {
    const top = this.#q[0]
    if (top !== undefined && !h.writer && this.#pending === null) wake(top)
  }
  released(mode: 'read' | 'write', h: Holders, wake: Wake): void {
    if (mode === 'write') this.#wakeTop(h, wake)
    else if (this.#pending !== null && h.readers === 0) wake(this.#pending)
  }
  left(w: LockWaiter, h: Holders, wake: Wake): void {
    if (this.#pending === w) {
      // down_write_killable(): `__rwbase_write_unlock(rwb, 0, flags)` gives m back.
      this.#pending = null
      w.claimed = false
      this.#wakeTop(h, wake)
      return
    }
    if (dequeue(this.#q, w)) this.#wakeTop(h, wake)
  }
  inTheWay(): LockWaiter | null {
    return this.#pending ?? this.#q[0] ?? null
  }
}
