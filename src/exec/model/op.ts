/**
 * An operation of the model kernel as it is handed out: the op generator, wrapped so that the
 * executor can tell one that was made and never run (a forgotten `yield*`) — at the task's end,
 * or at once when its result is used as if it had run (a guard's `data` read from the op).
 */
import { ForgottenYieldError } from '../../errors.js'
import type { Op } from '../wait.js'

/** A made operation, until it starts. */
export interface Unstarted {
  /** The call, as errors name it (`spinlock_t 'a'.withLocked(ctx, …)`). */
  readonly what: string
}

/** Where made-but-unstarted operations are kept: the frame (task or handler) running now. */
export interface OpTracker {
  /** The set of the frame running now (null outside any: setup code). */
  unstartedSet(): Set<Unstarted> | null
}

const WHAT: unique symbol = Symbol('lockproof op')
const STARTED: unique symbol = Symbol('lockproof op started')
type Marked = { [WHAT]: string; [STARTED]: boolean }

const forgotten = (self: Marked, member: string): ForgottenYieldError =>
  new ForgottenYieldError(`${self[WHAT]} returns an operation that has not run: use \`yield* ${self[WHAT]}\` (its .${member} was read)`)

const getter = (member: string): PropertyDescriptor => ({
  get(this: Marked): never {
    throw forgotten(this, member)
  },
})

/**
 * What a guard or a TryResult has: reading it from the operation itself is a forgotten `yield*`.
 * Shared by every op (the getters read the op's own marks).
 */
const MEMBERS: PropertyDescriptorMap = {
  data: getter('data'),
  ctx: getter('ctx'),
  held: getter('held'),
  taken: getter('taken'),
  value: getter('value'),
  unlock: getter('unlock'),
  // `using g = a.lock(ctx)` without `yield*`: the lock was never taken.
  [Symbol.dispose]: {
    value(this: Marked): void {
      if (!this[STARTED]) throw forgotten(this, '[Symbol.dispose]')
    },
  },
}

/** Wraps `inner` so that the frame running now knows it was made, until its first step. */
export const trackOp = <R>(inner: Op<R>, what: string, tracker: OpTracker): Op<R> => {
  const owner = tracker.unstartedSet()
  const token: Unstarted = { what }
  const run = function* (this: void): Op<R> {
    owner?.delete(token)
    op[STARTED] = true
    return yield* inner
  }
  const op = Object.defineProperties(run(), MEMBERS) as Op<R> & Marked
  op[WHAT] = what
  op[STARTED] = false
  owner?.add(token)
  return op
}
