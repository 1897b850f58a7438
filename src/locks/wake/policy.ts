/**
 * Who gets a lock after an unlock, as each kind's kernel implementation decides it (the model
 * flavour only: nothing waits under kernel.run). A lock keeps one policy object; the lock runtime
 * (../lock.ts) asks it at each acquire step whether a lock its holders leave free may be taken
 * (a queue may hold it for a waiter), tells it when an attempt must wait, took the lock, or gave
 * up, and lets it pick whom an unlock wakes. Each waiter waits on a channel of its own, so a wake
 * names exactly the waiters the kernel would make runnable. docs/SEMANTICS.md §"Who gets a lock
 * after an unlock" has the kernel facts, each with its source.
 */
import type { WaitChannel } from '../../exec/wait.js'

/** One waiting acquisition, as the policy queues it. */
export class LockWaiter {
  /** Its own wait channel: the lock's id, kind and name (reports print the lock), its own identity (a wake names it alone). */
  readonly channel: WaitChannel
  /** In the policy's queue. */
  queued = false
  /** Handed the lock by an unlock (mutex PICKUP, an rwsem reader grant): no one else may take it first. */
  granted = false
  /** qrwlock: the queue head's claim is in the lock word; rwbase: the writer holds the inner rtmutex. */
  claimed = false
  constructor(
    lock: WaitChannel,
    readonly mode: 'read' | 'write',
    /** The waiting task (a report names it when it is in the way). */
    readonly pid: number,
    readonly comm: string,
    readonly cpu: number,
    /** `in_interrupt()` at its first attempt (qrwlock lets such readers past a waiting writer). */
    readonly inInterrupt: boolean,
  ) {
    this.channel = Object.freeze({ id: lock.id, kind: lock.kind, name: lock.name })
  }
}

/** The lock's holders at the moment the policy is asked. */
export interface Holders {
  readonly writer: boolean
  readonly readers: number
}

/** Makes a waiter runnable (the executor's wake of its channel). */
export type Wake = (w: LockWaiter) => void

/**
 * A kind's wake discipline on one kernel. `w` is null for an attempt that never waits (a trylock,
 * or the synchronous relock of do_unlocked()): it is never queued.
 */
export interface WakePolicy {
  /** Anything queued or claimed: while false every attempt the holders allow is admitted (and nothing is asked). */
  busy(): boolean
  /** May this attempt take the lock, which its holders leave free for `mode`? */
  admits(w: LockWaiter | null, mode: 'read' | 'write', h: Holders): boolean
  /** The attempt must wait (held, or refused by the queue): queue it, set what the kernel sets. */
  waits(w: LockWaiter, h: Holders, wake: Wake): void
  /** The attempt took the lock: out of the queue; wake whoever may go on now. */
  took(w: LockWaiter | null, h: Holders, wake: Wake): void
  /** An unlock of `mode`; `h`: the holders after it. */
  released(mode: 'read' | 'write', h: Holders, wake: Wake): void
  /** A waiter gave up (a signal, an abandoned op). */
  left(w: LockWaiter, h: Holders, wake: Wake): void
  /** The waiter an admitted-by-holders attempt was refused for (a report names it as what it waits on). */
  inTheWay(): LockWaiter | null
}

/** Removes `w` from `q` (if there); true when it was the head. */
export const dequeue = (q: LockWaiter[], w: LockWaiter): boolean => {
  const at = q.indexOf(w)
  if (at < 0) return false
  q.splice(at, 1)
  w.queued = false
  return at === 0
}

export const enqueue = (q: LockWaiter[], w: LockWaiter): void => {
  if (w.queued) return
  q.push(w)
  w.queued = true
}

/**
 * No discipline: every waiter is woken at each unlock and the first to run takes the lock.
 * `bit_spin_lock()` is exactly that (include/linux/bit_spinlock.h: `while
 * (unlikely(test_and_set_bit_lock(bitnum, addr)))` — whoever's test-and-set comes first wins); a
 * kind defined with defineLockKind() gets it too, as nothing is known of its queue.
 */
export class AnyWaiter implements WakePolicy {
  readonly #q: LockWaiter[] = []
  busy(): boolean {
    return false
  }
  admits(): boolean {
    return true
  }
  waits(w: LockWaiter): void {
    enqueue(this.#q, w)
  }
  took(w: LockWaiter | null): void {
    if (w !== null) dequeue(this.#q, w)
  }
  released(_mode: 'read' | 'write', _h: Holders, wake: Wake): void {
    for (const w of this.#q) wake(w)
  }
  left(w: LockWaiter): void {
    dequeue(this.#q, w)
  }
  inTheWay(): LockWaiter | null {
    return null
  }
}
