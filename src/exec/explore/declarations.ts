/**
 * What a model's setup declared (locks, tasks, handlers, in order), checked in every execution
 * against the first without building a string per declaration: each declaration's method and
 * plain arguments are compared in place with the first execution's, and strings are built only
 * from where they differ (to name the difference, ./driver.ts checkDeclarations). An execution
 * that declares the same returns the first execution's list itself.
 */

/** How a declaration's argument reads: plain values as JSON, an options object's plain fields, `ƒ` for a function. */
export const describeArg = (a: unknown): string =>
  typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean'
    ? JSON.stringify(a)
    : typeof a === 'object' && a !== null && !Array.isArray(a)
      ? `{${Object.entries(a)
          .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
          .map(([k, v]) => `${k}:${JSON.stringify(v)}`)
          .join(',')}}`
      : typeof a === 'function'
        ? 'ƒ'
        : typeof a

export const describeDeclaration = (method: string, args: readonly unknown[]): string => `${method}(${args.map(describeArg).join(', ')})`

const isPlain = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/**
 * An argument as the first execution passed it, enough to tell that a later one reads the same:
 * a plain value itself, an options object's plain fields in order (key, value, key, value, …),
 * else what describeArg prints (`ƒ`, `object`, `undefined`, …).
 */
type ArgShape = { readonly plain: string | number | boolean } | { readonly fields: readonly unknown[] } | { readonly text: string }

const shapeOf = (a: unknown): ArgShape => {
  if (isPlain(a)) return { plain: a }
  if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
    const fields: unknown[] = []
    for (const [k, v] of Object.entries(a)) if (isPlain(v)) fields.push(k, v)
    return { fields }
  }
  return { text: describeArg(a) }
}

/** Two plain values JSON prints alike: the same, or numbers it cannot print (NaN and ±Infinity are all `null`). */
const samePlain = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'number' && typeof b === 'number' && !Number.isFinite(a) && !Number.isFinite(b))

/** True only when `a` reads as `shape` did (false may still read the same: the caller then compares strings). */
const sameFields = (a: object, fields: readonly unknown[]): boolean => {
  let at = 0
  for (const k of Object.keys(a)) {
    const v: unknown = (a as Record<string, unknown>)[k]
    if (!isPlain(v)) continue
    if (fields[at] !== k || !samePlain(fields[at + 1], v)) return false
    at += 2
  }
  return at === fields.length
}

const fits = (a: unknown, shape: ArgShape): boolean => {
  if ('plain' in shape) return samePlain(a, shape.plain)
  if ('fields' in shape) return typeof a === 'object' && a !== null && !Array.isArray(a) && sameFields(a, shape.fields)
  return !isPlain(a) && (typeof a !== 'object' || a === null || Array.isArray(a)) && describeArg(a) === shape.text
}

interface Shape {
  readonly method: string
  readonly args: readonly ArgShape[]
}

/** One runner's declarations (one kernel: its setup may read which), over its executions. */
export class DeclarationLog {
  /** The first execution's declarations, and their shapes. */
  #first: string[] | null = null
  #shapes: Shape[] = []
  /** This execution's strings, once it has declared something that does not fit the first's (null: all fit so far). */
  #now: string[] | null = []
  #count = 0
  #closed: boolean | null = null
  readonly #isClosed: (declarations: readonly string[]) => boolean

  /** `isClosed`: the model declares nothing the lock probe cannot see (./lock-probe.ts), from its declarations. */
  constructor(isClosed: (declarations: readonly string[]) => boolean) {
    this.#isClosed = isClosed
  }

  /** Executions begun (the first is 1). */
  executions = 0

  /** An execution's setup begins. */
  begin(): void {
    this.executions++
    this.#count = 0
    this.#now = this.#first === null ? [] : null
  }

  record(method: string, args: readonly unknown[]): void {
    const i = this.#count++
    const first = this.#first
    if (first === null) {
      ;(this.#now as string[]).push(describeDeclaration(method, args))
      this.#shapes.push({ method, args: args.map(shapeOf) })
      return
    }
    if (this.#now === null) {
      const shape = this.#shapes[i]
      if (shape !== undefined && shape.method === method && shape.args.length === args.length && args.every((a, j) => fits(a, shape.args[j] as ArgShape)))
        return
      this.#now = first.slice(0, i)
    }
    this.#now.push(describeDeclaration(method, args))
  }

  /** This execution's declarations so far (the first execution's list itself when they are the same). */
  list(): readonly string[] {
    const first = this.#first
    if (first === null) {
      this.#first = this.#now as string[]
      return this.#first
    }
    if (this.#now === null) {
      if (this.#count === first.length) return first
      this.#now = first.slice(0, this.#count)
    }
    return this.#now
  }

  /** The first execution's declarations (null before its setup ended). */
  first(): readonly string[] | null {
    return this.#first
  }

  /** Whether this execution's declarations are closed (asked after its setup). */
  closed(): boolean {
    const now = this.list()
    if (now !== this.#first) return this.#isClosed(now)
    this.#closed ??= this.#isClosed(now)
    return this.#closed
  }
}
