/**
 * The chain cache (lockdep's `lookup_chain_cache_add()`): each sequence of held classes in one
 * irq context is a node of a trie, so a chain seen before is found in O(1) from its parent and
 * is validated once. Exact: no hash, so no collisions. Each node also keeps the innermost wait
 * type of its held locks, so `check_wait_context()` of a known chain is O(1) as well.
 */
import type { LockClass } from './classes.js'
import type { ReadState } from './deps.js'

export class ChainNode {
  /**
   * The children by `hlock->read` (0, 1, 2): `hlock_id()` is `class_idx | (read <<
   * MAX_LOCKDEP_KEYS_BITS)`, so the chain key tells a recursive read from a plain one.
   */
  readonly #children: [Map<LockClass, ChainNode> | null, Map<LockClass, ChainNode> | null, Map<LockClass, ChainNode> | null] = [null, null, null]
  /** The last write child looked up: nesting repeats, so most lookups skip the map. */
  #lastCls: LockClass | null = null
  #lastChild: ChainNode | null = null
  /** The same for reads (rcu_read_lock's map is read at nearly every RT acquisition), with its read state. */
  #lastReadCls: LockClass | null = null
  #lastRead: ReadState = 1
  #lastReadChild: ChainNode | null = null
  /** validate_chain() has run for this chain. */
  validated = false
  /** The chain's id: its index in the cache's `nodes` (a held-lock entry refers to its chain by it). */
  readonly id: number

  constructor(
    /** Every node of the cache, by id: a new node enters itself. */
    readonly nodes: ChainNode[],
    readonly cls: LockClass | null,
    readonly parent: ChainNode | null,
    /** min(wait_type_inner) over the chain's classes (LD_WAIT_MAX for the empty chain). */
    readonly heldInner: number,
    readonly depth: number,
    /** The chain's `irq_context` (the root it grows from). */
    readonly irqContext: number,
  ) {
    this.id = nodes.length
    nodes.push(this)
  }

  /** The chain's classes, outermost first (`lock_chain_get_class()` for i in 0..depth). */
  classes(): LockClass[] {
    const out: LockClass[] = []
    for (let n: ChainNode | null = this; n !== null && n.cls !== null; n = n.parent) out.push(n.cls)
    return out.reverse()
  }

  /** The chain extended by `cls` taken with read state `read` (`hlock->read`), created on first use. */
  child(cls: LockClass, read: ReadState, inner: number): ChainNode {
    if (read === 0 ? cls === this.#lastCls : cls === this.#lastReadCls && read === this.#lastRead)
      return (read === 0 ? this.#lastChild : this.#lastReadChild) as ChainNode
    // Made at the first child: every execution's cache has four roots, most of whose maps stay empty.
    let children = this.#children[read]
    if (children === null) {
      children = new Map()
      this.#children[read] = children
    }
    let node = children.get(cls)
    if (node === undefined) {
      // LD_WAIT_INV (a bare lockdep_map) constrains nothing: check_wait_context()'s `if (prev_inner)`.
      node = new ChainNode(this.nodes, cls, this, inner === 0 ? this.heldInner : Math.min(this.heldInner, inner), this.depth + 1, this.irqContext)
      children.set(cls, node)
    }
    if (read === 0) {
      this.#lastCls = cls
      this.#lastChild = node
    } else {
      this.#lastReadCls = cls
      this.#lastRead = read
      this.#lastReadChild = node
    }
    return node
  }
}

export class ChainCache {
  /** One empty chain per irq context (task, softirq, hardirq, hardirq in softirq): the chain key restarts there. */
  readonly roots: readonly ChainNode[]
  /** The validated chains in the order they were added (`lock_chains[]`). */
  readonly #validated: ChainNode[] = []

  /** Every chain node by id (the roots first). */
  readonly #nodes: ChainNode[] = []

  constructor(maxWait: number) {
    this.roots = [0, 1, 2, 3].map((irqContext) => new ChainNode(this.#nodes, null, null, maxWait, 0, irqContext))
  }

  /** The chain node with id `id` (a held-lock entry's `chainId`). */
  byId(id: number): ChainNode {
    return this.#nodes[id] as ChainNode
  }

  /** Every validated chain, oldest first. */
  get validated(): readonly ChainNode[] {
    return this.#validated
  }

  /** Number of distinct chains validated so far. */
  get count(): number {
    return this.#validated.length
  }

  /** Marks a chain validated; true the first time (the caller validates it then). */
  add(node: ChainNode): boolean {
    if (node.validated) return false
    node.validated = true
    this.#validated.push(node)
    return true
  }
}
