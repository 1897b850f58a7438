/**
 * An operation of the model kernel as it is handed out: the op generator, wrapped so that the
 * executor can tell one that was made and never run (a forgotten `yield*`) — from the task's end,
 * or at once when its result is used as if it had run.
 */
import { ForgottenYieldError } from '../../errors.js'
import type { Op, WakeReason, Yielded } from '../wait.js'

/** Where made-but-unstarted operations are kept: the frame (task or handler) that made them. */
export interface OpTracker {
  /** The set of the frame running now (null outside any: setup code). */
  unstartedSet(): Set<TrackedOp<unknown>> | null
}

const forgotten = (what: string, member: string): ForgottenYieldError =>
  new ForgottenYieldError(`${what} returns an operation that has not run: use \`yield* ${what}\` (read .${member} of its result)`)

export class TrackedOp<R> implements Op<R> {
  readonly #inner: Op<R>
  #owner: Set<TrackedOp<unknown>> | null
  /** The call, as errors name it (`spinlock_t 'a'.withLocked(ctx, …)`). */
  readonly what: string

  constructor(inner: Op<R>, what: string, tracker: OpTracker) {
    this.#inner = inner
    this.what = what
    this.#owner = tracker.unstartedSet()
    this.#owner?.add(this)
  }

  next(...args: [] | [WakeReason | undefined]): IteratorResult<Yielded, R> {
    if (this.#owner !== null) {
      this.#owner.delete(this)
      this.#owner = null
    }
    return this.#inner.next(...args)
  }
  return(value: R): IteratorResult<Yielded, R> {
    return this.#inner.return(value)
  }
  throw(error: unknown): IteratorResult<Yielded, R> {
    return this.#inner.throw(error)
  }
  [Symbol.iterator](): this {
    return this
  }
  /** `using g = a.lock(ctx)` without `yield*`: the lock was never taken. */
  [Symbol.dispose](): void {
    if (this.#owner !== null) throw forgotten(this.what, '[Symbol.dispose]')
  }
  // What a guard or a TryResult has: reading it from the operation itself is a forgotten yield*.
  get data(): never {
    throw forgotten(this.what, 'data')
  }
  get ctx(): never {
    throw forgotten(this.what, 'ctx')
  }
  get held(): never {
    throw forgotten(this.what, 'held')
  }
  get taken(): never {
    throw forgotten(this.what, 'taken')
  }
  get value(): never {
    throw forgotten(this.what, 'value')
  }
  get unlock(): never {
    throw forgotten(this.what, 'unlock')
  }
}
