/**
 * qrwlock (rwlock_t on a normal kernel; kernel/locking/qrwlock.c, include/asm-generic/qrwlock.h):
 * waiters queue in order on the inner `wait_lock` (an arch_spinlock_t, FIFO). The queue head
 * makes its claim visible in the lock word: a reader adds its `_QR_BIAS`
 * (`arch_spin_lock(&lock->wait_lock); atomic_add(_QR_BIAS, &lock->cnts);`), a writer sets
 * `_QW_WAITING`; the next waiter becomes head when the head has the lock and drops `wait_lock`.
 * - A reader in interrupt context does not queue: `if (unlikely(in_interrupt()))` it spins until
 *   no writer holds the lock (`!(VAL & _QW_LOCKED)`), past a waiting writer, with its bias counted.
 * - A new reader's fast path fails on a waiting or locked writer (`cnts & _QW_WMASK`) and queues.
 * - A writer's fast path and `queued_write_trylock()` take only a lock word of 0: no holder, no
 *   head claim, no spinning interrupt reader. A claimed head writer takes it when the word is
 *   `_QW_WAITING` alone (`atomic_cond_read_relaxed(&lock->cnts, VAL == _QW_WAITING)`).
 * Between one head's entry and the next head's claim the word may be 0, and a new writer's fast
 * path may then take the lock ahead of the queue: that is modelled (a new head claims at its step).
 */
import { dequeue, enqueue, type Holders, type LockWaiter, type Wake, type WakePolicy } from './policy.js'

export class Qrwlock implements WakePolicy {
  readonly #q: LockWaiter[] = []
  /** Interrupt-context readers spinning in queued_read_lock_slowpath(), bias counted. */
  readonly #spinning: LockWaiter[] = []
  busy(): boolean {
    return this.#q.length !== 0 || this.#spinning.length !== 0
  }
  #headClaimed(mode: 'read' | 'write'): boolean {
    const head = this.#q[0]
    return head?.claimed === true && head.mode === mode
  }
  admits(w: LockWaiter | null, mode: 'read' | 'write'): boolean {
    if (w?.queued) {
      // Only the head holds wait_lock; it claims at this step and goes in when the holders let it.
      if (this.#q[0] !== w) return false
      return mode === 'read' || this.#spinning.length === 0
    }
    if (mode === 'read') {
      // In interrupt: past a waiting writer. Otherwise the fast path fails on _QW_WAITING.
      return w?.inInterrupt || !this.#headClaimed('write')
    }
    // The word must be 0: no claimed head (reader bias or _QW_WAITING), no spinning reader's bias.
    const head = this.#q[0]
    return (head === undefined || !head.claimed) && this.#spinning.length === 0
  }
  waits(w: LockWaiter): void {
    if (w.mode === 'read' && w.inInterrupt) {
      if (!this.#spinning.includes(w)) this.#spinning.push(w)
      return
    }
    enqueue(this.#q, w)
    if (this.#q[0] === w) w.claimed = true
  }
  took(w: LockWaiter | null, _h: Holders, wake: Wake): void {
    if (w === null) return
    const s = this.#spinning.indexOf(w)
    if (s >= 0) this.#spinning.splice(s, 1)
    if (!dequeue(this.#q, w)) return
    w.claimed = false
    // arch_spin_unlock(&lock->wait_lock): the next waiter becomes head and claims at its step.
    const next = this.#q[0]
    if (next !== undefined) wake(next)
  }
  released(_mode: 'read' | 'write', h: Holders, wake: Wake): void {
    if (h.writer) return
    for (const r of this.#spinning) wake(r)
    const head = this.#q[0]
    if (head === undefined) return
    if (head.mode === 'read' || (h.readers === 0 && this.#spinning.length === 0)) wake(head)
  }
  left(w: LockWaiter, h: Holders, wake: Wake): void {
    const s = this.#spinning.indexOf(w)
    if (s >= 0) this.#spinning.splice(s, 1)
    if (dequeue(this.#q, w)) {
      w.claimed = false
      const next = this.#q[0]
      if (next !== undefined) wake(next)
    }
    this.released('read', h, wake)
  }
  inTheWay(): LockWaiter | null {
    return this.#q[0] ?? this.#spinning[0] ?? null
  }
}
