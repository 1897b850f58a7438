/** Lock classes, their IRQ usage and the dependency graph between them (lockdep's `lock_class`). */
import { InvalidArgumentError } from '../errors.js'
import type { ReadState } from './deps.js'
import { type ClassTypes, classTypesOf, type LockdepKind, type LockdepMapName, type LockType } from './maps.js'

/** Where a dependency or a usage state was first seen: the kernel prints a stack trace there. */
export interface Origin {
  readonly comm: string
  readonly pid: number
  readonly cpu: number
}

/**
 * One `struct lock_list` entry: an edge to `cls` in a class's `locks_after` (or, for the
 * reverse list, from `cls` in `locks_before`), with the DEP_*_MASK bits of every kind of
 * acquisition pair seen on it (deps.ts), and the distance in the held-lock stack (1: adjacent).
 */
export class LockList {
  constructor(
    readonly cls: LockClass,
    public dep: number,
    public distance: number,
    readonly origin: Origin,
  ) {}
}

export type { LockType } from './maps.js'

export class LockClass {
  /** IRQ-usage bits (usage.ts), LOCK_USED and LOCK_USED_READ included. */
  usage = 0
  /** Where each usage bit was first set. */
  readonly usageOrigin = new Map<number, Origin>()
  /** `locks_after`: this class was held when each of these was taken, in insertion order. */
  readonly after = new Map<LockClass, LockList>()
  /** `locks_before`: the reverse entries, with the backward dependency bits (`calc_depb()`). */
  readonly before = new Map<LockClass, LockList>()
  /** `lock_type`, and the rest of what the class was made with (its kind's `struct lockdep_map` fields). */
  readonly lockType: LockType
  /** The kind's label, wait types and read rule: lockdep reads them here, not from the kind. */
  readonly types: ClassTypes
  /** `lock_set_cmp_fn()`: orders two instances of this class, by lock id (negative: `a` before `b`). */
  cmpFn: ((a: number, b: number) => number) | null = null
  /**
   * `wait_type_inner` as a number of its kernel's LD_WAIT_* values, found on first use by the
   * validator (-1 until then): one load on the class instead of two lookups by name.
   */
  waitInner = -1

  constructor(
    readonly id: number,
    /** As lockdep prints it: the key's name, then `/subclass` for a subclass other than 0. */
    readonly name: string,
    readonly kind: LockdepKind,
    /** The subclass this class is of its key (`class->subclass`), printed `name/subclass`. */
    readonly subclass = 0,
  ) {
    this.types = classTypesOf(kind)
    this.lockType = this.types.lockType
  }
}

/** The registry key of (key, subclass): `key` for subclass 0, `key/subclass` otherwise (as lockdep prints the class). */
export const classKey = (key: string, subclass: number): string => (subclass === 0 ? key : `${key}/${subclass}`)

/**
 * The key `lockdep_set_novalidate_class()` gives a lock (`__lockdep_no_validate__`): its
 * acquisitions are `check = 0`, and reports print this class name.
 *
 * @example
 * ```ts
 * import { NO_VALIDATE_KEY } from 'lockproof'
 *
 * console.log(NO_VALIDATE_KEY) // '__lockdep_no_validate__'
 * ```
 */
export const NO_VALIDATE_KEY = '__lockdep_no_validate__'

/** `MAX_LOCKDEP_SUBCLASSES` (include/linux/lockdep_types.h). */
export const MAX_LOCKDEP_SUBCLASSES = 8

export class ClassRegistry {
  readonly #byName = new Map<string, LockClass>()
  /** The maps' classes apart: their key is the map, not a name a lock could also have. */
  readonly #maps = new Map<LockdepMapName, LockClass>()
  /** Every class in registration order (`lock_classes[]`). */
  readonly #all: LockClass[] = []
  /** The kind each class name (key) was first given to, by a lock or `lockdep_set_class()`. */
  readonly #kindOfName = new Map<string, LockdepKind>()

  /**
   * `who` (a lock of `kind`) takes the class name `name`. The kernel keys a class per
   * `lock_class_key`, so locks of two kinds never share one; lockproof's class is its name (the
   * compile-time rules know no other), so a second kind under a name in use is refused. The
   * novalidate key is one class for every kind, as `__lockdep_no_validate__` is.
   */
  claim(name: string, kind: LockdepKind, who: string): void {
    if (name === NO_VALIDATE_KEY) return
    const first = this.#kindOfName.get(name)
    if (first === undefined) this.#kindOfName.set(name, kind)
    else if (first !== kind) {
      throw new InvalidArgumentError(
        `${who}: the lock class name '${name}' is already used by a ${first} in this kernel; a ${kind} cannot share a ${first}'s class (the kernel keys classes per lock_class_key): give it another name`,
      )
    }
  }

  /** The class of key `name` and `subclass`, registered on first use (lockdep's `register_lock_class`). */
  get(name: string, kind: LockdepKind, subclass = 0): LockClass {
    const key = classKey(name, subclass)
    let c = this.#byName.get(key)
    if (c === undefined) {
      c = new LockClass(this.#all.length, key, kind, subclass)
      this.#byName.set(key, c)
      this.#all.push(c)
    }
    return c
  }

  /** The class of one of the maps (its name is the map's: `rcu_read_lock`, `local_bh`). */
  map(map: LockdepMapName): LockClass {
    let c = this.#maps.get(map)
    if (c === undefined) {
      c = new LockClass(this.#all.length, map, map)
      this.#maps.set(map, c)
      this.#all.push(c)
    }
    return c
  }

  /** Only a lookup (`look_up_lock_class()`): null for a class never registered. */
  find(name: string): LockClass | null {
    return this.#byName.get(name) ?? null
  }

  /** The class with id `id` (a held-lock entry's `classId`; `lock_classes[class_idx]`). */
  byId(id: number): LockClass {
    return this.#all[id] as LockClass
  }

  /** Every class, in registration order (the order of `lock_classes[]`). */
  all(): IterableIterator<LockClass> {
    return this.#all.values()
  }

  get size(): number {
    return this.#all.length
  }
}

/** A search root (`bfs_init_root()` / `bfs_init_rootb()`): a held lock's class and read state. */
export interface BfsRoot {
  readonly cls: LockClass
  /** `only_xr` of the root: forwards `read == 2`, backwards `read != 0`. */
  readonly onlyXr: boolean
}

export type { ReadState }
