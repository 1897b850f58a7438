/**
 * `__bfs()` (kernel/locking/lockdep.c): breadth-first search for a *strong* dependency path,
 * one with no `-(*R)->` step followed by a `-(S*)->` step. Each node keeps `only_xr`: the step
 * into it left only `-(*R)->` kinds, so the next step drops `-(S*)->` kinds. A class is visited
 * once (`lock_accessed()`), when it is taken from the queue, whether or not the step is strong,
 * exactly as the kernel does. `skip` is tested before `match` (usage_skip()).
 */
import type { BfsRoot, LockClass, LockList } from './classes.js'
import { NON_RECURSIVE_TO_MASK, SHARED_FROM_MASK } from './deps.js'

/** A `struct lock_list` on the search tree: the class reached, how, and from where. */
export interface BfsNode {
  readonly cls: LockClass
  readonly parent: BfsNode | null
  /** The graph entry this step followed (null for the root). */
  readonly entry: LockList | null
  onlyXr: boolean
  /** The first entry of an expanded list: what the kernel's queue holds. */
  readonly head: boolean
}

export type BfsMatch = (node: BfsNode) => boolean

/**
 * `max_bfs_queue_depth`: the kernel queues only the first entry of each list it expands (the
 * rest are reached as siblings), so its queue holds one element per list not yet started.
 */
export interface BfsStats {
  maxQueueDepth: number
}

export const bfs = (root: BfsRoot, forwards: boolean, match: BfsMatch, skip: BfsMatch | null, stats?: BfsStats): BfsNode | null => {
  const accessed = new Set<LockClass>()
  const queue: BfsNode[] = [{ cls: root.cls, parent: null, entry: null, onlyXr: root.onlyXr, head: false }]
  let queued = 0
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as BfsNode
    if (node.head) queued--
    if (accessed.has(node.cls)) continue
    accessed.add(node.cls)
    if (node.parent !== null && node.entry !== null) {
      let dep = node.entry.dep
      if (node.parent.onlyXr) dep &= ~SHARED_FROM_MASK
      if (dep === 0) continue
      node.onlyXr = (dep & NON_RECURSIVE_TO_MASK) === 0
    }
    if (skip?.(node)) continue
    if (match(node)) return node
    const list = forwards ? node.cls.after : node.cls.before
    let first = true
    for (const entry of list.values()) {
      queue.push({ cls: entry.cls, parent: node, entry, onlyXr: false, head: first })
      if (first) {
        queued++
        if (stats !== undefined && queued > stats.maxQueueDepth) stats.maxQueueDepth = queued
      }
      first = false
    }
  }
  return null
}

/** The classes from the root to `node`, root first. */
export const pathTo = (node: BfsNode): LockClass[] => {
  const path: LockClass[] = []
  for (let at: BfsNode | null = node; at !== null; at = at.parent) path.push(at.cls)
  return path.reverse()
}

/** `lockdep_count_forward_deps()` / `_backward_deps()`: classes the search reaches (root included). */
export const countDeps = (cls: LockClass, forwards: boolean, stats?: BfsStats): number => {
  let count = 0
  bfs(
    { cls, onlyXr: false },
    forwards,
    () => {
      count++
      return false
    },
    null,
    stats,
  )
  return count
}
