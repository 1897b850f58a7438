/**
 * lockdep's class graph as plain data, read once from the validator: what /proc/lockdep prints
 * (kernel/locking/lockdep_proc.c, l_show(): key, FD/BD, usage characters, name, the direct
 * dependencies) plus what the reports print of each class (print_lock_name(): `{outer:inner}`
 * wait types, the kind's label) and each edge's dependency types (`lock_list::dep`, the DEP_*
 * bits of kernel/locking/lockdep.c). Renderers (lockGraphToDot()) read only this.
 */
import { countDeps } from '../lockdep/bfs.js'
import { DEP_EN_MASK, DEP_ER_MASK, DEP_SN_MASK, DEP_SR_MASK } from '../lockdep/deps.js'
import { classKey } from '../lockdep/proc.js'
import { usageChars } from '../lockdep/usage.js'
import type { Lockdep } from '../lockdep/validator.js'

/**
 * A dependency's type (kernel/locking/lockdep.c, "DEP_*_BIT in lock_list::dep"): the first
 * letter is how the earlier lock was held (Shared or Exclusive), the second how the later one
 * was taken (a Recursive reader or Non-recursive).
 *
 * @example
 * ```ts
 * import type { LockDependencyType } from 'lockproof'
 *
 * const strongest: LockDependencyType = 'EN' // exclusive holder, non-recursive acquirer
 * ```
 */
export type LockDependencyType = 'EN' | 'ER' | 'SN' | 'SR'

/**
 * One lock class of {@link LockGraph}, with what /proc/lockdep and lockdep's reports print of it.
 *
 * @example
 * ```ts
 * import { createKernel, type LockGraphClass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', 0)
 * kernel.run((ctx) => stats.withLocked(ctx, () => undefined))
 * const [c]: readonly LockGraphClass[] = kernel.lockGraph().classes
 * console.log(c?.name, c?.label, c?.usage, c?.waitTypes) // 'stats' 'spinlock_t' '{+.+.}' '{3:3}'
 * ```
 */
export interface LockGraphClass {
  /** The class name as lockdep prints it (`name`, or `name/subclass`). */
  readonly name: string
  /** The `%p` key /proc/lockdep prints (synthetic, the same in every file of this kernel). */
  readonly key: string
  /** The kind it was made from: a lock kind, one of lockdep's maps (`rcu_read_lock`, `local_bh`), or `lockdep_map`. */
  readonly kind: string
  /** How reports name it (`spinlock_t`, `rcu_read_lock()`, …). */
  readonly label: string
  /** The usage characters in braces, as reports print them (`{-.-.}`): per HARDIRQ and SOFTIRQ, write then read. */
  readonly usage: string
  /** `wait_type_outer ?: wait_type_inner`, by its LD_WAIT_* name in lower case (spelt out: lockdep's own type is internal; lockGraphOf() fails to compile if the two drift apart). */
  readonly waitOuter: 'inv' | 'free' | 'spin' | 'config' | 'sleep' | 'max'
  /** `wait_type_inner`, by its LD_WAIT_* name in lower case. */
  readonly waitInner: 'inv' | 'free' | 'spin' | 'config' | 'sleep' | 'max'
  /** `{outer:inner}` as print_lock_name() prints them, in this kernel's numbering (PROVE_RAW_LOCK_NESTING or not). */
  readonly waitTypes: string
  /** `FD:` of /proc/lockdep: the classes reachable forwards along strong paths, itself included. */
  readonly forwardDeps: number
  /** `BD:` of /proc/lockdep: the same backwards. */
  readonly backwardDeps: number
}

/**
 * One dependency `from -> to` of {@link LockGraph} (`from` was held when `to` was taken).
 *
 * @example
 * ```ts
 * import { createKernel, type LockGraphDependency } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.mutex('a', 0)
 * const b = kernel.spinLock('b', 0)
 * kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => undefined)))
 * const [d]: readonly LockGraphDependency[] = kernel.lockGraph().dependencies
 * console.log(d?.from, d?.to, d?.types, d?.distance) // 'a' 'b' ['EN'] 1
 * ```
 */
export interface LockGraphDependency {
  /** The held class's name. */
  readonly from: string
  /** The taken class's name. */
  readonly to: string
  /** The held class's key (unique, where a lock and one of lockdep's maps share a name). */
  readonly fromKey: string
  /** The taken class's key. */
  readonly toKey: string
  /** Every kind of acquisition pair seen on this edge, strongest first. */
  readonly types: readonly LockDependencyType[]
  /** 1: `to` was taken right above `from` (a direct dependency, as /proc/lockdep lists them); more: trylocks were between. */
  readonly distance: number
}

/**
 * lockdep's class graph now, from {@link Kernel.lockGraph}: the classes in registration order,
 * every dependency, and the kernel's declared `lockOrder`.
 *
 * @example
 * ```ts
 * import { createKernel, type LockGraph } from 'lockproof'
 *
 * const kernel = createKernel({ lockOrder: ['a', 'b'] })
 * const graph: LockGraph = kernel.lockGraph()
 * console.log(graph.classes.length, graph.lockOrder) // 0 ['a', 'b']
 * ```
 */
export interface LockGraph {
  /** Every class, in registration order (`lock_classes[]`, as /proc/lockdep lists them). */
  readonly classes: readonly LockGraphClass[]
  /** Every dependency, by the class it starts from, in the order lockdep added them. */
  readonly dependencies: readonly LockGraphDependency[]
  /** The kernel's declared `lockOrder` option. */
  readonly lockOrder: readonly string[]
}

/** Strongest first: an exclusive holder and a non-recursive acquirer close every cycle. */
const DEP_TYPES: readonly (readonly [number, LockDependencyType])[] = [
  [DEP_EN_MASK, 'EN'],
  [DEP_ER_MASK, 'ER'],
  [DEP_SN_MASK, 'SN'],
  [DEP_SR_MASK, 'SR'],
]

/** The types of a `lock_list::dep` mask. */
export const depTypes = (dep: number): LockDependencyType[] => DEP_TYPES.filter(([mask]) => (dep & mask) !== 0).map(([, t]) => t)

/** Reads the graph (the FD/BD searches count towards `max bfs queue depth`, as reading /proc/lockdep does). */
export const lockGraphOf = (lockdep: Lockdep, lockOrder: readonly string[]): LockGraph => {
  const wait = lockdep.wait
  const classes: LockGraphClass[] = []
  const dependencies: LockGraphDependency[] = []
  for (const c of lockdep.classes.all()) {
    classes.push({
      name: c.name,
      key: classKey(c),
      kind: c.kind,
      label: c.types.label,
      usage: usageChars(c.usage),
      waitOuter: c.types.outer,
      waitInner: c.types.inner,
      waitTypes: `{${wait[c.types.outer]}:${wait[c.types.inner]}}`,
      forwardDeps: countDeps(c, true, lockdep.bfsStats),
      backwardDeps: countDeps(c, false, lockdep.bfsStats),
    })
    for (const e of c.after.values())
      dependencies.push({
        from: c.name,
        to: e.cls.name,
        fromKey: classKey(c),
        toKey: classKey(e.cls),
        types: depTypes(e.dep),
        distance: e.distance,
      })
  }
  return { classes, dependencies, lockOrder: [...lockOrder] }
}
