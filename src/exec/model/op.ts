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
  /** The list of the frame running now (null outside any: setup code). */
  unstartedSet(): UnstartedOps | null
}

/** One made operation: what it is, and whether it started (the frame's list holds it until then; null: not listed). */
export interface Track extends Unstarted {
  started: boolean
  owner: UnstartedOps | null
}

/**
 * A frame's made-but-unstarted operations, oldest first: what a Set in insertion order would
 * hold, without a hash table per frame and its rehashing as ops come and go. Nearly always there
 * is at most one (made, then run at once by `yield*`): it is kept in a field, an array only
 * while there are more.
 */
export class UnstartedOps {
  #one: Track | null = null
  /** Two or more, in the order they were made (then #one is null). */
  #more: Track[] | null = null

  add(t: Track): void {
    if (this.#more !== null) this.#more.push(t)
    else if (this.#one === null) this.#one = t
    else {
      this.#more = [this.#one, t]
      this.#one = null
    }
  }

  /** `t` started: it leaves the list. */
  delete(t: Track): void {
    if (this.#one === t) this.#one = null
    else if (this.#more !== null) {
      const at = this.#more.indexOf(t)
      if (at >= 0) this.#more.splice(at, 1)
      if (this.#more.length === 0) this.#more = null
    }
  }

  /** The oldest op not started, or undefined. */
  first(): Unstarted | undefined {
    return this.#more === null ? (this.#one ?? undefined) : this.#more[0]
  }

  /** Forgets them all (they are reported): their later start changes nothing here. */
  clear(): void {
    if (this.#one !== null) this.#one.owner = null
    for (const t of this.#more ?? []) t.owner = null
    this.#one = null
    this.#more = null
  }
}

/** Where an op keeps its record (src/locks/section-op.ts: an op that is its own record). */
export const TRACK: unique symbol = Symbol('lockproof op')
type Marked = { [TRACK]: Track }

const forgotten = (self: Marked, member: string): ForgottenYieldError => {
  const what = self[TRACK].what
  return new ForgottenYieldError(`${what} returns an operation that has not run: use \`yield* ${what}\` (its .${member} was read)`)
}

const getter = (member: string): PropertyDescriptor => ({
  get(this: Partial<Marked>): undefined {
    // An op made without tracking (an internal caller's) reads as any generator object does.
    if (this[TRACK] === undefined) return undefined
    throw forgotten(this as Marked, member)
  },
})

/** Runs `inner`; its first step marks the operation started. */
function* tracked<R>(inner: Op<R>, t: Track): Op<R> {
  t.started = true
  t.owner?.delete(t)
  return yield* inner
}

// What a guard or a TryResult has: reading it from the operation itself is a forgotten `yield*`.
// Defined once on the prototype of every generator `tracked` makes (one object shape for all ops),
// and of the generator methods that track themselves ({@link trackedOp}).
const FORGOTTEN: PropertyDescriptorMap = {
  data: getter('data'),
  ctx: getter('ctx'),
  held: getter('held'),
  taken: getter('taken'),
  value: getter('value'),
  unlock: getter('unlock'),
  // `using g = a.lock(ctx)` without `yield*`: the lock was never taken.
  [Symbol.dispose]: {
    value(this: Partial<Marked>): void {
      const t = this[TRACK]
      if (t !== undefined && !t.started) throw forgotten(this as Marked, '[Symbol.dispose]')
    },
  },
}
Object.defineProperties(tracked.prototype, FORGOTTEN)

/** Gives the generator objects of `fn` (a generator method that calls {@link opStarted} first) the forgotten-`yield*` members. */
export const tracksItself = (fn: { readonly prototype: object }): void => {
  Object.defineProperties(fn.prototype, FORGOTTEN)
}

/** A new op's record in the frame running now, for an op that marks itself started ({@link opStarted}); `markOp` then labels the op. */
export const newTrack = (what: string, tracker: OpTracker): Track => {
  const owner = tracker.unstartedSet()
  const t: Track = { what, started: false, owner }
  owner?.add(t)
  return t
}

/** The first step of an op made with {@link newTrack}: as `tracked` does. */
export const opStarted = (t: Track): void => {
  t.started = true
  t.owner?.delete(t)
}

/** Labels `op` (a generator of a {@link tracksItself} method) with its record: one generator, where trackOp wraps it in a second. */
export const markOp = <R>(op: Op<R>, t: Track): Op<R> => {
  ;(op as Op<R> & Marked)[TRACK] = t
  return op
}

/** Wraps `inner` so that the frame running now knows it was made, until its first step. */
export const trackOp = <R>(inner: Op<R>, what: string, tracker: OpTracker): Op<R> => {
  const owner = tracker.unstartedSet()
  const t: Track = { what, started: false, owner }
  owner?.add(t)
  const op = tracked(inner, t) as Op<R> & Marked
  op[TRACK] = t
  return op
}
