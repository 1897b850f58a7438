/** Lock classes, their IRQ usage and the dependency graph between them (lockdep's `lock_class`). */
import type { LockKind } from '../locks/kinds.js'

/** Where a dependency or a usage state was first seen: the kernel prints a stack trace there. */
export interface Origin {
  readonly comm: string
  readonly pid: number
  readonly cpu: number
}

export class LockClass {
  /** IRQ-usage bits (usage.ts). */
  usage = 0
  /** Where each usage bit was first set. */
  readonly usageOrigin = new Map<number, Origin>()
  /** Dependencies: this class was held when each of these was taken (`locks_after`). */
  readonly after = new Map<LockClass, Origin>()
  /** The reverse edges (`locks_before`), for backward searches. */
  readonly before = new Set<LockClass>()

  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: LockKind,
  ) {}
}

export class ClassRegistry {
  readonly #byName = new Map<string, LockClass>()

  /** The class of `name`, registered on first use (lockdep's `register_lock_class`). */
  get(name: string, kind: LockKind): LockClass {
    let c = this.#byName.get(name)
    if (c === undefined) {
      c = new LockClass(this.#byName.size, name, kind)
      this.#byName.set(name, c)
    }
    return c
  }

  get size(): number {
    return this.#byName.size
  }
}

/**
 * Breadth-first search along `after` (forwards) or `before` (backwards) edges from `start`
 * (inclusive) for a class that `match`es; returns the path start … match, or null.
 */
export const search = (start: LockClass, forwards: boolean, match: (c: LockClass) => boolean): LockClass[] | null => {
  const parent = new Map<LockClass, LockClass | null>([[start, null]])
  const queue: LockClass[] = [start]
  for (let i = 0; i < queue.length; i++) {
    const c = queue[i] as LockClass
    if (match(c)) {
      const path: LockClass[] = []
      for (let at: LockClass | null = c; at !== null; at = parent.get(at) ?? null) path.push(at)
      return path.reverse()
    }
    for (const n of forwards ? c.after.keys() : c.before) {
      if (!parent.has(n)) {
        parent.set(n, c)
        queue.push(n)
      }
    }
  }
  return null
}
