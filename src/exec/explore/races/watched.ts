/**
 * Watched data: while the explorer runs, a lock's data and a per-CPU variable's copies are handed
 * out as proxies that tell ./data-races.ts of each access. One proxy per object per execution,
 * shared by every context and acquisition, so identity is kept (`d.head === d.head`, a pointer
 * kept across two acquisitions still compares equal); whether an access was protected is not the
 * proxy's business — it is what the accessing context held, read at the access.
 *
 * What counts as an access (the C analogy: a load or store of a field):
 * - a read: a property get (`d.n`, `d.list` — also when the list is then changed in place),
 *   `in`, a property descriptor; `Object.keys` and `for…in` read the property list;
 * - a write: a set, a define, a delete (adding or deleting a property also writes the list).
 * Plain objects and arrays reached through watched data are watched too (`d.list.push(x)` writes
 * `d.list[0]` and `d.list.length`); a value written in is stored unwrapped, so the raw data never
 * holds a proxy. Not watched: class instances (private fields and internal slots do not work
 * through a proxy), Map, Set, typed arrays and other built-ins, functions, symbol keys, methods
 * read from the prototype (`arr.push` itself), and any reference taken from outside the lock (the
 * object passed to the factory is the raw data).
 */
import type { DataRaces, WatchedRoot } from './data-races.js'
import { KEYS } from './data-races.js'

/** Objects the watch wraps: plain objects and arrays (a proxy keeps their behaviour whole). */
const watchable = (v: unknown): v is object => {
  if (typeof v !== 'object' || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  return Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null
}

const childPath = (path: string, key: PropertyKey): string => (typeof key === 'string' && /^\d+$/.test(key) ? `${path}[${key}]` : `${path}.${String(key)}`)

/** The proxies of one execution. */
export class Watch {
  readonly #proxies = new WeakMap<object, object>()
  readonly #roots = new WeakMap<object, WatchedRoot>()
  readonly #targets = new WeakMap<object, object>()
  readonly #handler: ProxyHandler<object>

  constructor(races: DataRaces) {
    const rootOf = (t: object): WatchedRoot => this.#roots.get(t) as WatchedRoot
    const read = (t: object, key: PropertyKey): void => {
      if (typeof key !== 'symbol') races.access(t, key, false, rootOf(t))
    }
    const write = (t: object, key: PropertyKey): void => {
      if (typeof key === 'symbol') return
      const root = rootOf(t)
      if (!Object.hasOwn(t, key)) races.access(t, KEYS, true, root)
      races.access(t, key, true, root)
    }
    this.#handler = {
      get: (t, key, receiver) => {
        const value: unknown = Reflect.get(t, key, receiver)
        if (typeof key === 'symbol' || (typeof value === 'function' && !Object.hasOwn(t, key))) return value
        const root = rootOf(t)
        races.access(t, key, false, root)
        if (!watchable(value) || this.#targets.has(value)) return value
        // A proxy's get must return a non-configurable, non-writable property's own value.
        const d = Reflect.getOwnPropertyDescriptor(t, key)
        if (d !== undefined && d.configurable === false && d.writable === false) return value
        return this.#wrap(value, { channel: root.channel, path: childPath(root.path, key) })
      },
      set: (t, key, value, receiver) => {
        write(t, key)
        // Receiver the proxy itself: set on the target directly (no second round through the traps).
        return Reflect.set(t, key, this.#unwrap(value), receiver === this.#proxies.get(t) ? t : receiver)
      },
      defineProperty: (t, key, desc) => {
        write(t, key)
        return Reflect.defineProperty(t, key, 'value' in desc ? { ...desc, value: this.#unwrap(desc.value) } : desc)
      },
      deleteProperty: (t, key) => {
        if (typeof key !== 'symbol' && Object.hasOwn(t, key)) {
          races.access(t, KEYS, true, rootOf(t))
          races.access(t, key, true, rootOf(t))
        }
        return Reflect.deleteProperty(t, key)
      },
      has: (t, key) => {
        read(t, key)
        return Reflect.has(t, key)
      },
      ownKeys: (t) => {
        races.access(t, KEYS, false, rootOf(t))
        return Reflect.ownKeys(t)
      },
      getOwnPropertyDescriptor: (t, key) => {
        read(t, key)
        return Reflect.getOwnPropertyDescriptor(t, key)
      },
    }
  }

  /** `value` as handed out to the model: its proxy if it is a plain object or array, else itself. */
  wrap<T>(value: T, root: WatchedRoot): T {
    return watchable(value) && !this.#targets.has(value) ? (this.#wrap(value, root) as T) : value
  }

  #wrap(target: object, root: WatchedRoot): object {
    let p = this.#proxies.get(target)
    if (p === undefined) {
      p = new Proxy(target, this.#handler)
      this.#proxies.set(target, p)
      this.#roots.set(target, root)
      this.#targets.set(p, target)
    }
    return p
  }

  #unwrap(value: unknown): unknown {
    return typeof value === 'object' && value !== null ? (this.#targets.get(value) ?? value) : value
  }
}

const watches = new WeakMap<DataRaces, Watch>()

/** The proxies of the execution whose watch is `races`. */
export const watchOf = (races: DataRaces): Watch => {
  let w = watches.get(races)
  if (w === undefined) {
    w = new Watch(races)
    watches.set(races, w)
  }
  return w
}
