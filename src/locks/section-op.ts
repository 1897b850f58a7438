/**
 * A lock's section as a model operation (`yield* lock.withLocked(ctx, function* … )`), written as
 * an iterator object rather than a generator: the generator it replaces delegated to the section
 * with `yield*` and kept its whole frame in a generator object, for every section of every
 * execution. This one does what that generator did, observably the same: the same yields, the
 * same `next`/`throw`/`return` at every suspension (ECMA-262 `yield*` for the delegation to the
 * section and to the waits, the generator states around it, "Generator is already running"), and
 * it tracks itself as made and not started (the forgotten `yield*`, ../exec/model/op.ts).
 * The lock's own work is in its subclass (src/locks/lock.ts `WithLockOp`).
 */
import { type OpTracker, type Track, TRACK, opStarted, tracksItself, type UnstartedOps } from '../exec/model/op.js'
import { POINT, type Op, type Yielded } from '../exec/wait.js'

/** %GeneratorPrototype% and the methods every generator object inherits from it, as the engine made them. */
const GENERATOR_PROTOTYPE = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())) as Generator
const GENERATOR_NEXT = GENERATOR_PROTOTYPE.next
/** %IteratorPrototype%[@@iterator]: returns `this`. */
const ITERATOR_SELF = GENERATOR_PROTOTYPE[Symbol.iterator]

/**
 * A generator object whose `yield*` is known without reading its members: made by a `function*`
 * (its prototype's prototype is %GeneratorPrototype%), nothing of the iteration overridden on it,
 * its prototype or %GeneratorPrototype%. Then GetIterator() gives the object itself and its
 * `next` is %GeneratorPrototype%.next — reading them would look them up through a prototype made
 * for this one function (a section's `function* () {}` is a new function each time), which the
 * engine caches for nothing. `throw` and `return` are read when they are used, as `yield*` does.
 */
const isPlainGenerator = (o: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(o)
  return (
    typeof proto === 'object' &&
    proto !== null &&
    Object.getPrototypeOf(proto) === GENERATOR_PROTOTYPE &&
    GENERATOR_PROTOTYPE.next === GENERATOR_NEXT &&
    GENERATOR_PROTOTYPE[Symbol.iterator] === ITERATOR_SELF &&
    !Object.hasOwn(o, 'next') &&
    !Object.hasOwn(o, Symbol.iterator) &&
    !Object.hasOwn(proto, 'next') &&
    !Object.hasOwn(proto, Symbol.iterator)
  )
}

/** Where it is, as a generator's state and the `yield` it is suspended at. */
const START = 0
const AT_POINT = 1
const WAITING = 2
const IN_SECTION = 3
const AT_END = 4
const DONE = 5
const RUNNING = 6

/** How it is resumed. */
const NEXT = 0
const THROW = 1
const RETURN = 2

/** A result of `next()` and its siblings, as a generator returns them. */
type Result = IteratorResult<Yielded, unknown>

const notAnObject = (r: unknown): TypeError => new TypeError(`Iterator result ${String(r)} is not an object`)

/** An iterator result must be an object (`yield*`'s `innerResult`); then it is read as one. */
const checked = (r: unknown): Result => {
  if ((typeof r !== 'object' || r === null) && typeof r !== 'function') throw notAnObject(r)
  return r as Result
}

/** V8's words for calling what is not a function. */
const notAFunction = (m: unknown): TypeError =>
  new TypeError(m === undefined || m === null ? `${String(m)} is not a function` : `${typeof m} ${String(m)} is not a function`)

/** GetMethod(): undefined or null is none; anything else must be callable. */
const methodOf = (it: object, key: 'throw' | 'return'): ((this: unknown, v?: unknown) => unknown) | undefined => {
  const m: unknown = (it as Record<string, unknown>)[key]
  if (m === undefined || m === null) return undefined
  if (typeof m !== 'function') throw notAFunction(m)
  return m as (this: unknown, v?: unknown) => unknown
}

export abstract class LockSectionOp implements Track {
  // Track: the op as made and not yet started, in the frame that made it.
  readonly what: string
  started = false
  owner: UnstartedOps | null = null
  readonly [TRACK]: Track | undefined

  #state = START
  /** The iterator `yield*` delegates to now (the waits, or the section) and the section's `next`. */
  #inner: object | null = null
  #innerNext: unknown = null
  /** The section's value; or, when `#returning`, the value of a `return` out of the section (its close runs on the way out). */
  #result: unknown = undefined
  #returning = false

  /** `tracker`: the frame that runs it is told it was made (null: a caller that tracks it itself, as `trackOp` does). */
  constructor(what: string, tracker: OpTracker | null) {
    this.what = what
    if (tracker === null) this[TRACK] = undefined
    else {
      this[TRACK] = this
      const owner = tracker.unstartedSet()
      this.owner = owner
      owner?.add(this)
    }
  }

  // ── what the lock does at each point (src/locks/lock.ts) ───────────────────────────────
  /** The scheduling point before the acquisition. */
  protected abstract point(): Yielded
  /** The lock steps: -1 when they all ran, else the acquire step that must wait. */
  protected abstract take(): number
  /** The waits of an acquisition whose acquire step `at` found the lock held. */
  protected abstract waiting(at: number): Op<boolean>
  /** The section's scope. */
  protected abstract push(): void
  /** The section's op (the callback called in its scope, and checked). */
  protected abstract section(): object
  /** The section's end: its scope, then the unlock steps. */
  protected abstract close(): void
  /** The same when the section did not return: its error (or return) wins over the close's. */
  protected abstract closeQuietly(): void

  [Symbol.iterator](): this {
    return this
  }

  next(v?: unknown): Result {
    return this.#resume(NEXT, v)
  }

  throw(e?: unknown): Result {
    return this.#resume(THROW, e)
  }

  return(v?: unknown): Result {
    return this.#resume(RETURN, v)
  }

  #resume(how: number, v: unknown): Result {
    const s = this.#state
    if (s === RUNNING) throw new TypeError('Generator is already running')
    if (s === DONE) {
      if (how === THROW) throw v
      return { value: how === RETURN ? v : undefined, done: true }
    }
    this.#state = RUNNING
    try {
      return this.#run(s, how, v)
    } catch (error) {
      this.#state = DONE
      throw error
    }
  }

  #run(s: number, how: number, v: unknown): Result {
    switch (s) {
      case START:
      case AT_POINT:
      case AT_END:
        // Suspended at the start or at a plain yield: a throw ends it there, a return returns.
        if (how === THROW) throw v
        if (how === RETURN) {
          this.#state = DONE
          return { value: v, done: true }
        }
        if (s === START) {
          if (this[TRACK] !== undefined) opStarted(this)
          this.#state = AT_POINT
          return { value: this.point(), done: false }
        }
        if (s === AT_END) {
          this.#state = DONE
          return { value: this.#result, done: true }
        }
        return this.#taken(this.take(), v)
      case WAITING:
        return this.#wait(how, v)
      default:
        return this.#inSection(how, v)
    }
  }

  /** After the lock steps' first run: the waits (a generator of the lock's, delegated to), or the section. */
  #taken(at: number, _v: unknown): Result {
    if (at < 0) return this.#open()
    this.#inner = this.waiting(at)
    return this.#wait(NEXT, undefined)
  }

  /** `yield* this.waiting(at)`: its value is not used. */
  #wait(how: number, v: unknown): Result {
    const w = this.#inner as Op<boolean>
    let r: IteratorResult<Yielded, boolean>
    if (how === NEXT) r = w.next(v as undefined)
    else if (how === THROW) r = w.throw(v)
    else {
      r = w.return(v as boolean)
      if (r.done === true) {
        this.#state = DONE
        return { value: r.value, done: true }
      }
    }
    if (r.done !== true) {
      this.#state = WAITING
      return r
    }
    this.#inner = null
    return this.#open()
  }

  /** The section's scope, then `yield* section` (GetIterator(): its [Symbol.iterator]() and `next`, read once). */
  #open(): Result {
    this.push()
    let r: Result | null
    try {
      const section = this.section()
      if (isPlainGenerator(section)) {
        this.#inner = section
        this.#innerNext = GENERATOR_NEXT
      } else {
        const iteratorOf: unknown = (section as { [Symbol.iterator]?: unknown })[Symbol.iterator]
        if (typeof iteratorOf !== 'function') throw new TypeError('object is not iterable (cannot read property Symbol(Symbol.iterator))')
        const it: unknown = iteratorOf.call(section)
        if ((typeof it !== 'object' || it === null) && typeof it !== 'function') throw new TypeError('Result of the Symbol.iterator method is not an object')
        this.#inner = it as object
        this.#innerNext = (it as { next?: unknown }).next
      }
      r = this.#delegate(NEXT, undefined)
    } catch (error) {
      this.closeQuietly()
      throw error
    }
    return this.#after(r)
  }

  /** Resumed inside the section: as `yield*` resumes its iterator. */
  #inSection(how: number, v: unknown): Result {
    let r: Result | null
    try {
      r = this.#delegate(how, v)
    } catch (error) {
      this.closeQuietly()
      throw error
    }
    return this.#after(r)
  }

  /** One resumption of the section: its result when it yields; null when it is done or returns out of the op (`#result`, `#returning`). */
  #delegate(how: number, v: unknown): Result | null {
    const it = this.#inner as object
    let r: Result | null
    if (how === NEXT) {
      const next = this.#innerNext
      if (typeof next !== 'function') throw notAFunction(next)
      r = checked(next.call(it, v))
    } else if (how === THROW) {
      const thrower = methodOf(it, 'throw')
      if (thrower === undefined) {
        // yield*: no `throw` ends the delegation; the iterator is closed first (IteratorClose()).
        const closer = methodOf(it, 'return')
        if (closer !== undefined) checked(closer.call(it))
        throw new TypeError("The iterator does not provide a 'throw' method.")
      }
      r = checked(thrower.call(it, v))
    } else {
      const closer = methodOf(it, 'return')
      if (closer === undefined) {
        this.#returning = true
        this.#result = v
        return null
      }
      r = checked(closer.call(it, v))
      if (!r.done) return r
      this.#returning = true
      this.#result = r.value
      return null
    }
    if (!r.done) return r
    this.#result = r.value
    return null
  }

  /** What a resumption of the section comes to: yielded on, a return out of the op (the close runs), or the section's end (the close, then the last point). */
  #after(r: Result | null): Result {
    if (r !== null) {
      this.#state = IN_SECTION
      return r
    }
    this.#inner = null
    this.#innerNext = null
    if (this.#returning) {
      const value = this.#result
      this.#result = undefined
      this.closeQuietly()
      this.#state = DONE
      return { value, done: true }
    }
    this.close()
    this.#state = AT_END
    return { value: POINT, done: false }
  }
}

// What a guard or a TryResult has, read from the op itself: a forgotten `yield*` (as the generator ops').
tracksItself(LockSectionOp)
Object.defineProperty(LockSectionOp.prototype, Symbol.toStringTag, { value: 'Generator', configurable: true })
