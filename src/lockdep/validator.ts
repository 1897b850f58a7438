/**
 * The lockdep-style validator, after `__lock_acquire()` in kernel/locking/lockdep.c:
 *   (NMI)                 lockdep_off(): only verify_lock_unused()
 *   check_wait_context()  invalid wait context (LD_WAIT_*), O(1) from the chain cache
 *   mark_usage()          IRQ-usage states, inconsistent states and irq inversions
 *   validate_chain()      once per new chain: recursive locking, then check_prevs_add(): each
 *                         new dependency, readers included, typed -(SR/ER/SN/EN)-> (deps.ts),
 *                         checked along strong paths only (bfs.ts): circular dependency,
 *                         irq-safe -> irq-unsafe
 *   MAX_LOCK_DEPTH        48 held locks per task
 *   mark_held_locks()     when interrupts / bottom halves come back on (hardirqsOn/softirqsOn)
 * Like the kernel, the first report turns the checks off (`debug_locks_off()`) unless `keepGoing`.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Diagnostic } from '../diagnostics/types.js'
import { lockNames, type HeldLock, type IrqContext } from '../locks/held.js'
import type { ResolvedOptions } from '../options.js'
import { ChainCache, type ChainNode } from './chains.js'
import { type BfsMatch, type BfsStats, bfs, pathTo } from './bfs.js'
import { ClassRegistry, classKey, LockList, type LockClass, type Origin } from './classes.js'
import { type ClassTypes, classTypesOf, type LockdepKind, type LockdepMapName } from './maps.js'
import { calcDep, calcDepb, type ReadState } from './deps.js'
import { LOCK_ORDER_TITLE, TITLES, badIrqDependencyTitle } from '../diagnostics/titles.js'
import { circularScenario, classLine, classNameLine, inconsistentHeader, irqContextSummary, irqScenario, origin, usageScenario } from './reports.js'
import { banner, dumpStackLine, heldLockLines, LOCKDEP_TURNED_OFF, lockName, nestLockName } from './splat.js'
import {
  LOCK_ENABLED_HARDIRQ,
  LOCK_ENABLED_SOFTIRQ,
  LOCK_USAGE_DIR_MASK,
  LOCK_USAGE_READ_MASK,
  LOCK_USAGE_STATES,
  LOCK_USED,
  LOCK_USED_IN_HARDIRQ,
  LOCK_USED_IN_SOFTIRQ,
  LOCK_USED_READ,
  LOCKF_ENABLED_IRQ_ALL,
  LOCKF_IRQ,
  LOCKF_USED,
  LOCKF_USED_IN_IRQ_ALL,
  LOCKF_USED_READ,
  exclusiveBit,
  exclusiveMask,
  findExclusiveMatch,
  originalMask,
  stateName,
  stateOf,
  usageStr,
} from './usage.js'
import { waitValues, type WaitValues } from './wait-types.js'

/** `MAX_LOCK_DEPTH` (include/linux/sched.h). */
export const MAX_LOCK_DEPTH = 48

/**
 * lockdep's counters, from {@link Kernel.lockdepStats}.
 *
 * @example
 * ```ts
 * import { createKernel, type LockdepStats } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.mutex('a', 0)
 * const b = kernel.spinLock('b', 0)
 * kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => undefined)))
 * const stats: LockdepStats = kernel.lockdepStats()
 * console.log(stats.classes, stats.dependencies) // 2 1
 * ```
 */
export interface LockdepStats {
  /** False with `lockdep: false`, or once a report switched it off. */
  readonly active: boolean
  /** Lock classes seen. */
  readonly classes: number
  /** Distinct held-lock chains validated (each once). */
  readonly chains: number
  /** Edges in the class dependency graph. */
  readonly dependencies: number
}

/** The acquisition being validated. */
export interface NextLock {
  readonly name: string
  readonly kind: LockdepKind
  readonly mode: 'write' | 'read'
  /** A recursive read (rwlock_t readers where they are recursive): read == 2. */
  readonly recursiveRead: boolean
  /** `hlock->trylock`: no wait-context check, no USED_IN usage, no dependency of its own. */
  readonly trylock: boolean
  /** The nest_lock's lock id (`spin_lock_nest_lock()`), or null. */
  readonly nestLock: number | null
  /** The lock's id (for the nest_lock and cmp_fn checks). */
  readonly lock: number
  /** The lockdep key's name (the lock's class name unless `lockdep_set_class()` changed it). */
  readonly key: string
  /** The subclass of this acquisition (`spin_lock_nested()`), 0 otherwise. */
  readonly subclass: number
  /** `hlock->check`: false for a class lockdep does not validate (rcu_read_lock's map, novalidate). */
  readonly check: boolean
}

/**
 * `task_irq_context()`: `LOCK_CHAIN_HARDIRQ_CONTEXT * !!lockdep_hardirq_context() +
 * LOCK_CHAIN_SOFTIRQ_CONTEXT * !!task->softirq_context` (2 * hardirq + softirq, so a hardirq
 * taken while serving softirqs is 3). PREEMPT_RT never counts softirq_context (0c1d7a2c2d32).
 */
export const irqContextOf = (cpu: Cpu): IrqContext => ((cpu.inHardirq() ? 2 : 0) + (!cpu.preemptRt && cpu.inServingSoftirq() ? 1 : 0)) as IrqContext

/** lockdep's task wait contexts, by what reports call them, and the wait type each allows. */
const TASK_WAIT_CONTEXTS = {
  'a threadable interrupt handler': 'config',
  'hardirq context': 'spin',
  'softirq context': 'config',
  'task context': 'max',
} as const satisfies Record<string, keyof WaitValues>
type TaskWaitContext = keyof typeof TASK_WAIT_CONTEXTS

/** The read state of a held lock or an acquisition (`held_lock::read`). */
export const readOf = (h: { readonly mode: 'write' | 'read'; readonly recursiveRead: boolean }): ReadState => (h.mode === 'write' ? 0 : h.recursiveRead ? 2 : 1)

/** `usage_skip()`: "Skip local_lock() for irq inversion detection" (any non-LD_LOCK_NORMAL class). */
const usageSkip: BfsMatch = (n) => n.cls.lockType !== 'normal'

/** `usage_match()`: after an only-`*R` path only the write usage bits count. */
const usageMatch =
  (mask: number): BfsMatch =>
  (n) =>
    ((n.onlyXr ? n.cls.usage & LOCKF_IRQ : n.cls.usage) & mask) !== 0

type BaseFields = 'cpu' | 'task' | 'heldLocks' | 'preemptCount' | 'report'
const NO_ORDER: ReadonlyMap<string, number> = new Map()
/** A declared order's ranks (most kernels declare none: one empty map for them all). */
const orderRankOf = (order: readonly string[]): ReadonlyMap<string, number> =>
  order.length === 0 ? NO_ORDER : new Map(order.map((name, rank) => [name, rank]))

/** A diagnostic without the fields every report fills in the same way, plus its own lines. */
type Draft = Diagnostic extends infer D ? (D extends Diagnostic ? Omit<D, BaseFields> & { readonly lines: readonly string[] } : never) : never

export class Lockdep {
  readonly #options: ResolvedOptions
  readonly #wait: WaitValues
  readonly #report: (d: Diagnostic) => void
  readonly #orderRank: ReadonlyMap<string, number>
  readonly classes = new ClassRegistry()
  readonly chains: ChainCache
  /** `debug_locks`: cleared by the first report unless keepGoing. */
  #debugLocks: boolean
  /** Dependencies (prev -> next edges; the kernel's `nr_list_entries` counts both lists: twice this). */
  #dependencies = 0
  /** `max_lockdep_depth`. */
  #maxDepthSeen = 0
  /** How many classes have a USED_IN usage, per irq state (HARDIRQ, SOFTIRQ). */
  readonly #usedIn: [number, number] = [0, 0]
  /** `max_bfs_queue_depth`, updated by every search (the /proc files' counts included). */
  readonly bfsStats: BfsStats = { maxQueueDepth: 0 }

  /** The machine's locks by id, for the names reports print of a lock known by id (the nest lock). */
  readonly #locks: readonly { readonly name: string }[]

  constructor(options: ResolvedOptions, report: (d: Diagnostic) => void, locks: readonly { readonly name: string }[]) {
    this.#options = options
    this.#locks = locks
    this.#wait = waitValues(options.proveRawLockNesting)
    this.#report = report
    this.#orderRank = orderRankOf(options.lockOrder)
    this.#debugLocks = options.lockdep
    this.chains = new ChainCache(this.#wait.max)
  }

  /** Whether the checks still run (false with `lockdep: false`, or after the first report). */
  get active(): boolean {
    return this.#debugLocks
  }

  /** CONFIG_LOCKDEP: false only with `lockdep: false` (then no held-lock lines are printed anywhere). */
  get configured(): boolean {
    return this.#options.lockdep
  }

  /** The LD_WAIT_* values of this kernel (PROVE_RAW_LOCK_NESTING or not), for the held-lock lines. */
  get wait(): WaitValues {
    return this.#wait
  }

  /** `max_lockdep_depth`: the deepest held-lock stack seen. */
  get maxDepthSeen(): number {
    return this.#maxDepthSeen
  }

  /** What /proc/lockdep_stats would show: lock classes, validated chains, dependencies. */
  stats(): LockdepStats {
    return { active: this.#debugLocks, classes: this.classes.size, chains: this.chains.count, dependencies: this.#dependencies }
  }

  /** `wait_type_inner` of a class, as it was made (classes.ts). */
  #inner(cls: LockClass): number {
    return this.#wait[cls.types.inner]
  }

  /** `wait_type_inner` of a class as a number, cached on the class (`hlock_class(next)->wait_type_inner`). */
  #innerOf(cls: LockClass): number {
    if (cls.waitInner < 0) cls.waitInner = this.#inner(cls)
    return cls.waitInner
  }

  /** The chain the next lock in this irq context extends: the last held lock's, or empty. */
  #chainBefore(held: readonly HeldLock[], irqContext: IrqContext): ChainNode {
    const last = held.at(-1)
    if (last !== undefined && last.irqContext === irqContext && last.chainId !== null) return this.chains.byId(last.chainId)
    return this.chains.roots[irqContext] as ChainNode
  }

  /**
   * Validates taking `next` with `held` held; returns the chain it ends (its node's `cls` is
   * the class) for the held-lock record, or null once lockdep is off.
   */
  acquire(cpu: Cpu, held: readonly HeldLock[], next: NextLock, known: LockClass | null, irqContext: IrqContext): ChainNode | null {
    if (!this.#debugLocks) return null
    // __nmi_enter() calls lockdep_off(): lock_acquire() only runs verify_lock_unused()
    // (`if (lockdep_nmi() && !trylock)`), and nothing is recorded.
    // An NMI is hardirq context too (irq_context >= 2): task code pays no NMI test.
    if (irqContext >= 2 && cpu.inNmi()) {
      if (!next.trylock) this.#verifyLockUnused(cpu, held, next)
      return null
    }
    const cls = known ?? this.classes.get(next.key, next.kind, next.subclass)
    const before = this.#chainBefore(held, irqContext)
    // __lock_acquire(): `if (hlock->class_idx == class_idx && nest_lock) { ... return 2; }` — the
    // same class on top of the stack is merged into that entry (hlock->references) before any
    // check, the nest_lock's "not held" one included, so it adds nothing to the chain.
    if (next.nestLock !== null) {
      const top = held.at(-1)
      if (top !== undefined && top.classId === cls.id) return top.chainId === null ? null : this.chains.byId(top.chainId)
    }
    // __lock_acquire(): check_wait_context() (returns at once for a trylock), then
    // mark_usage(), then validate_chain() (never for a trylock or an unchecked class).
    const inner = this.#innerOf(cls)
    if (!next.trylock) this.#checkWaitContext(cpu, held, next, cls.types, before, irqContext)
    if (!this.#debugLocks) return null
    // mark_usage(): `if (!check) goto lock_used;` — only LOCK_USED (LOCK_USED_READ for a read).
    if (next.check) this.#markUsage(cpu, held, cls, next, irqContext)
    else this.#mark(cpu, held, cls, readOf(next), next.mode === 'read' ? LOCK_USED_READ : LOCK_USED)
    if (!this.#debugLocks) return null
    // The chain key includes the read state of each lock: hlock_id() is `class_idx | (read << MAX_LOCKDEP_KEYS_BITS)`.
    const chain = before.child(cls, readOf(next), inner)
    // After mark_usage() and the chain key: `if (nest_lock && !__lock_is_held(nest_lock, -1)) {
    // print_lock_nested_lock_not_held(curr, hlock); return 0; }` ("Nested lock was not taken").
    if (next.nestLock !== null && !held.some((h) => h.lock === next.nestLock)) {
      this.#nestLockNotHeld(cpu, held, next, cls)
      return null
    }
    if (!next.trylock && next.check && this.chains.add(chain)) {
      this.#validateChain(cpu, held, next, cls, irqContext)
      if (!this.#debugLocks) return null
    }
    // A trylock may be taken in any order: it cannot wait, so it cannot deadlock (our own check).
    if (!next.trylock) this.#checkDeclaredOrder(cpu, held, next)
    // `curr->lockdep_depth++` comes before the check: the report lists all 48.
    const depth = held.length + 1
    if (depth > this.#maxDepthSeen) this.#maxDepthSeen = depth
    if (depth >= MAX_LOCK_DEPTH) this.#maxDepth(cpu, held, next, depth)
    return chain
  }

  /**
   * One of lockdep's maps (maps.ts) taken as a recursive read: `rcu_read_lock` with check == 0,
   * RT's `local_bh` with check == 1. The chain it ends, or null once lockdep is off (or in NMI,
   * where `lockdep_off()` leaves only verify_lock_unused(), which a read of a class only ever
   * read never fails).
   */
  acquireMap(cpu: Cpu, held: readonly HeldLock[], next: NextLock, cls: LockClass, irqContext: IrqContext): ChainNode | null {
    if (!this.#debugLocks || (irqContext >= 2 && cpu.inNmi())) return null
    const before = this.#chainBefore(held, irqContext)
    // check_wait_context() runs whatever `check` is, but the maps' wait_type_outer is
    // LD_WAIT_FREE, below every curr_inner (LD_WAIT_SPIN at the least): it never reports.
    if (next.check) {
      this.#markUsage(cpu, held, cls, next, irqContext)
      if (!this.#debugLocks) return null
    } else {
      // mark_usage(): `if (!check) goto lock_used;` — only LOCK_USED (LOCK_USED_READ for a read).
      this.#mark(cpu, held, cls, 2, LOCK_USED_READ)
    }
    const chain = before.child(cls, 2, this.#innerOf(cls))
    // validate_chain(): `if (!hlock->trylock && hlock->check && lookup_chain_cache_add(...))` —
    // a check == 0 map extends the chain key but its own chain is neither cached nor validated.
    if (next.check && this.chains.add(chain)) {
      this.#validateChain(cpu, held, next, cls, irqContext)
      if (!this.#debugLocks) return null
    }
    const depth = held.length + 1
    if (depth > this.#maxDepthSeen) this.#maxDepthSeen = depth
    if (depth >= MAX_LOCK_DEPTH) this.#maxDepth(cpu, held, next, depth, cls, next.check)
    return chain
  }

  /**
   * After `held[index]` was removed: `reacquire_held_locks()` — the locks above it are acquired
   * again in order, so each gets its new chain, and a chain not seen before is validated
   * (check_prevs_add() then adds the dependency on the lock now below it). Their usage and wait
   * context were checked when they were first taken and are not re-marked here.
   */
  release(cpu: Cpu, held: readonly HeldLock[], index: number): void {
    for (let i = index; i < held.length; i++) {
      const h = held[i] as HeldLock
      if (h.classId === null || h.chainId === null) continue
      const prev = i > 0 ? held[i - 1] : undefined
      const base =
        prev !== undefined && prev.irqContext === h.irqContext && prev.chainId !== null
          ? this.chains.byId(prev.chainId)
          : (this.chains.roots[h.irqContext] as ChainNode)
      const cls = this.classes.byId(h.classId)
      const chain = base.child(cls, readOf(h), this.#innerOf(cls))
      h.chainId = chain.id
      // `__lock_acquire()` again: a trylock or a check == 0 entry (a map, a novalidate class) is only re-chained.
      if (this.#debugLocks && h.check && !h.trylock && this.chains.add(chain)) this.#validateChain(cpu, held.slice(0, i), h, cls, h.irqContext)
    }
  }

  /**
   * `reacquire_held_locks()` after `lock_set_class()` changed `held[index]`'s class: that entry
   * and every one above it go through `__lock_acquire()` again, checks included.
   */
  reacquire(cpu: Cpu, held: readonly HeldLock[], index: number): void {
    for (let i = index; i < held.length; i++) {
      const h = held[i] as HeldLock
      if (!this.#debugLocks || h.classId === null) return
      h.chainId = this.acquire(cpu, held.slice(0, i), h, this.classes.byId(h.classId), h.irqContext)?.id ?? null
    }
  }

  /** Only the wait-context check, for a lock taken and dropped inside one call (the allocator's). */
  checkWaitOnly(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    if (!this.#debugLocks || cpu.inNmi()) return
    const irqContext = irqContextOf(cpu)
    // No class is registered for it (the kernel's zone->lock has its own): its kind's types.
    this.#checkWaitContext(cpu, held, next, classTypesOf(next.kind), this.#chainBefore(held, irqContext), irqContext)
  }

  /**
   * `print_unlock_imbalance_bug()` begins `if (!debug_locks_off()) return;`: whether to print
   * the report (lockdep was on), turning lockdep off unless keepGoing.
   */
  unlockImbalance(): boolean {
    if (!this.#debugLocks) return false
    if (!this.#options.lockdepKeepGoing) this.#debugLocks = false
    return true
  }

  /** `debug_locks_off()`: whether lockdep was on (the caller prints then), turning it off unless keepGoing. */
  debugLocksOff(): boolean {
    return this.unlockImbalance()
  }

  // ── mark_held_locks() ──────────────────────────────────────────────────────────────────
  /**
   * `lockdep_hardirqs_on_prepare()`: interrupts come back on, so every lock still held gets
   * HARDIRQ-ON (and SOFTIRQ-ON when bottom halves are on too). Not in NMI or hardirq context.
   */
  hardirqsOn(cpu: Cpu, held: readonly HeldLock[]): void {
    if (!this.#debugLocks || held.length === 0 || cpu.inNmi() || cpu.inHardirq()) return
    if (!this.#markHeldLocks(cpu, held, LOCK_ENABLED_HARDIRQ)) return
    if (cpu.softirqCount() === 0) this.#markHeldLocks(cpu, held, LOCK_ENABLED_SOFTIRQ)
  }

  /** `lockdep_softirqs_on()`: bottom halves come back on; with interrupts on, held locks get SOFTIRQ-ON. */
  softirqsOn(cpu: Cpu, held: readonly HeldLock[]): void {
    if (!this.#debugLocks || held.length === 0 || cpu.inNmi() || cpu.irqsDisabled) return
    this.#markHeldLocks(cpu, held, LOCK_ENABLED_SOFTIRQ)
  }

  /** `mark_held_locks()`: false once a report turned lockdep off. */
  #markHeldLocks(cpu: Cpu, held: readonly HeldLock[], baseBit: number): boolean {
    for (const h of held) {
      // mark_held_locks(): `if (!hlock->check) continue;`
      if (h.classId === null || !h.check) continue
      const read = readOf(h)
      this.#mark(cpu, held, this.classes.byId(h.classId), read, baseBit + (read !== 0 ? LOCK_USAGE_READ_MASK : 0))
      if (!this.#debugLocks) return false
    }
    return true
  }

  // ── verify_lock_unused() (NMI) ─────────────────────────────────────────────────────────
  #verifyLockUnused(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    const cls = this.classes.find(classKey(next.key, next.subclass))
    if (cls === null) return
    // "READ locks only conflict with USED, such that if we only ever use READ locks, there is no deadlock possible -- RCU."
    const mask = LOCKF_USED | (next.mode === 'read' ? 0 : LOCKF_USED_READ)
    if ((cls.usage & mask) === 0) return
    this.#inconsistent(cpu, held, cls, LOCK_USED, LOCK_USAGE_STATES)
  }

  // ── mark_usage() ───────────────────────────────────────────────────────────────────────
  /** `irqContext` is task_irq_context(): bit 1 lockdep_hardirq_context(), bit 0 softirq_context. */
  #markUsage(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, next: NextLock, irqContext: IrqContext): void {
    const hread = readOf(next)
    const read = hread !== 0 ? LOCK_USAGE_READ_MASK : 0
    const hardirq = (irqContext & 2) !== 0
    const softirq = (irqContext & 1) !== 0
    const irqsOn = !cpu.irqsDisabled
    const softirqsOn = cpu.softirqCount() === 0
    // "If non-trylock use in a hardirq or softirq context, then mark the lock as used in these contexts".
    const usedIn = !next.trylock
    // Usually every bit this acquisition sets is set already: nothing to mark, nothing to check.
    let bits = 1 << (read ? LOCK_USED_READ : LOCK_USED)
    if (usedIn && hardirq) bits |= 1 << (LOCK_USED_IN_HARDIRQ + read)
    if (usedIn && softirq) bits |= 1 << (LOCK_USED_IN_SOFTIRQ + read)
    if (irqsOn) {
      bits |= 1 << (LOCK_ENABLED_HARDIRQ + read)
      if (softirqsOn) bits |= 1 << (LOCK_ENABLED_SOFTIRQ + read)
    }
    if ((cls.usage & bits) === bits) return
    if (usedIn && hardirq) this.#mark(cpu, held, cls, hread, LOCK_USED_IN_HARDIRQ + read)
    if (this.#debugLocks && usedIn && softirq) this.#mark(cpu, held, cls, hread, LOCK_USED_IN_SOFTIRQ + read)
    if (irqsOn) {
      if (this.#debugLocks) this.#mark(cpu, held, cls, hread, LOCK_ENABLED_HARDIRQ + read)
      if (this.#debugLocks && softirqsOn) this.#mark(cpu, held, cls, hread, LOCK_ENABLED_SOFTIRQ + read)
    }
    if (this.#debugLocks) this.#mark(cpu, held, cls, hread, read ? LOCK_USED_READ : LOCK_USED)
  }

  /** `mark_lock()`: set the bit (its origin kept up to LOCK_USED), then `mark_lock_irq()`. */
  #mark(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, hread: ReadState, bit: number): void {
    if (cls.usage & (1 << bit)) return
    cls.usage |= 1 << bit
    if (bit <= LOCK_USED) cls.usageOrigin.set(bit, this.#origin(cpu))
    if (bit >= LOCK_USED) return
    if ((bit & LOCK_USAGE_DIR_MASK) === 0) this.#usedIn[stateOf(bit) === 'HARDIRQ' ? 0 : 1]++
    this.#markLockIrq(cpu, held, cls, hread, bit)
  }

  /** `mark_lock_irq()`: the class's own exclusive states, then the dependencies' (strong paths only). */
  #markLockIrq(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, hread: ReadState, bit: number): void {
    const excl = exclusiveBit(bit)
    const read = bit & LOCK_USAGE_READ_MASK
    // valid_state(): the exclusive write bit, and for a write also the exclusive read bit.
    const bad = cls.usage & (1 << excl) ? excl : !read && cls.usage & (1 << (excl | LOCK_USAGE_READ_MASK)) ? excl | LOCK_USAGE_READ_MASK : -1
    if (bad >= 0) {
      this.#inconsistent(cpu, held, cls, bad, bit)
      return
    }
    const mask = (1 << excl) | (1 << (excl | LOCK_USAGE_READ_MASK))
    // ENABLED looks backwards (bfs_init_rootb: only_xr = read != 0) for a lock that took this one
    // and is USED_IN; USED_IN looks forwards (bfs_init_root: only_xr = read == 2).
    const forwards = (bit & LOCK_USAGE_DIR_MASK) === 0
    const root = { cls, onlyXr: forwards ? hread === 2 : hread !== 0 }
    const target = bfs(root, forwards, usageMatch(mask), usageSkip, this.bfsStats)
    if (target === null) return
    const which = target.cls.usage & (1 << excl) ? excl : excl | LOCK_USAGE_READ_MASK
    this.#inversionByUsage(cpu, held, cls, pathTo(target), forwards, stateName(which))
  }

  // ── check_wait_context() ───────────────────────────────────────────────────────────────
  /** lockdep's task wait context: which of TASK_WAIT_CONTEXTS the code on this CPU runs in. */
  #taskWaitContext(cpu: Cpu, irqContext: IrqContext): TaskWaitContext {
    if (irqContext >= 2) return cpu.hardirqThreaded ? 'a threadable interrupt handler' : 'hardirq context'
    return irqContext === 1 ? 'softirq context' : 'task context'
  }
  #checkWaitContext(cpu: Cpu, held: readonly HeldLock[], next: NextLock, types: ClassTypes, before: ChainNode, irqContext: IrqContext): void {
    // The caller skips it for a trylock: check_wait_context() returns at once `if (!next_inner || next->trylock)`.
    // `next_outer = next->wait_type_outer ?: next->wait_type_inner` (the class's, as made).
    const nextOuter = this.#wait[types.outer]
    const taskContext = this.#taskWaitContext(cpu, irqContext)
    const taskWait = this.#wait[TASK_WAIT_CONTEXTS[taskContext]]
    // The held entries of this irq context, lockdep's maps included (rcu_read_lock, RT's
    // local_bh: inner LD_WAIT_CONFIG), are in the chain's heldInner.
    const currInner = Math.min(taskWait, before.heldInner)
    if (nextOuter <= currInner) return
    const task = cpu.current
    // The error path only: name the held entry that set the limit.
    let what: string = taskContext
    const culprit =
      currInner === taskWait
        ? undefined
        : held.find(
            (h) =>
              h.irqContext === irqContext && this.#wait[(h.classId === null ? classTypesOf(h.kind) : this.classes.byId(h.classId).types).inner] === currInner,
          )
    if (culprit !== undefined) what = lockName(culprit)
    const label = lockName(next)
    this.#fire(cpu, held, {
      kind: 'invalid-wait-context',
      title: TITLES.invalidWait,
      lock: label,
      context: what,
      lines: [
        ...banner(TITLES.invalidWait),
        `${task.comm}/${task.pid} is trying to lock:`,
        classLine(this.#classOf(next), this.#wait),
        'other info that might help us debug this:',
        `context-{${taskWait}:${taskWait}}`,
      ],
      // print_lock_invalid_wait_context(): `pr_warn("context-{%d:%d}\n", ...); lockdep_print_held_locks(curr);`
      heldGap: false,
    })
  }

  // ── validate_chain() ───────────────────────────────────────────────────────────────────
  #validateChain(cpu: Cpu, held: readonly HeldLock[], next: NextLock, cls: LockClass, irqContext: IrqContext): void {
    const nread = readOf(next)
    // check_deadlock(): the class already held by this task, unless read-after-read is allowed
    // ("if ((next->read == 2) && prev->read) continue;"), the class's cmp_fn orders the two
    // instances ("cmp_fn(prev->instance, next->instance) < 0"), or the nest_lock is held ("We're
    // holding the nest_lock, which serializes this lock's nesting behaviour": return 2).
    let nest = false
    for (const prev of held) {
      if (next.nestLock !== null && prev.lock === next.nestLock) nest = true
      if (prev.classId !== cls.id) continue
      if (nread === 2 && prev.mode === 'read') continue
      const cmp = cls.cmpFn === null ? null : cls.cmpFn(prev.lock, next.lock)
      if (cmp !== null && cmp < 0) continue
      if (nest) return
      this.#recursive(cpu, held, next, prev, cmp)
      return
    }
    // check_prevs_add(): every held lock in this irq context, innermost first, gets the edge
    // prev -> next (recursive readers too, since 5.10); the walk stops after the first entry
    // that is not a trylock ("Stop after the first non-trylock entry, as non-trylock entries
    // have added their own direct dependencies already"). `if (hlock->check)`: rcu_read_lock's
    // map is walked past (the distance still counts it).
    for (let i = held.length - 1; i >= 0; i--) {
      const prev = held[i] as HeldLock
      if (prev.irqContext !== irqContext) break
      if (prev.classId === null || !prev.check) continue
      // check_prev_add(): the same class ordered by its cmp_fn adds no edge (returns 2).
      const ordered = prev.classId === cls.id && cls.cmpFn !== null && cls.cmpFn(prev.lock, next.lock) < 0
      if (!ordered && !this.#checkPrevAdd(cpu, held, prev, this.classes.byId(prev.classId), next, cls, nread, held.length - i)) return
      if (!prev.trylock) break
    }
  }

  /** `check_prev_add()`: the edge prev -> next, unless it closes a strong cycle or an irq inversion. */
  #checkPrevAdd(
    cpu: Cpu,
    held: readonly HeldLock[],
    prevHeld: HeldLock,
    prev: LockClass,
    next: NextLock,
    cls: LockClass,
    nread: ReadState,
    distance: number,
  ): boolean {
    const pread = readOf(prevHeld)
    // check_noncircular(): from next (only_xr = next->read == 2) forwards to prev;
    // hlock_conflict(): "B -> A is -(E*)->" or "A -> .. -> B is -(*N)->".
    const conflict = bfs({ cls, onlyXr: nread === 2 }, true, (n) => n.cls === prev && (pread === 0 || !n.onlyXr), null, this.bfsStats)
    if (conflict !== null) {
      if (cls === prev) this.#recursive(cpu, held, next, prevHeld, null)
      else this.#circular(cpu, held, cls, prev, pathTo(conflict), nread !== 0, pread !== 0)
      return false
    }
    if (!this.#checkIrqUsage(cpu, held, prev, pread, cls, nread)) return false
    const dep = calcDep(pread, nread)
    const existing = prev.after.get(cls)
    if (existing !== undefined) {
      // "Is the <prev> -> <next> dependency already present?": widen its kinds.
      const back = cls.before.get(prev) as LockList
      if (distance === 1) existing.distance = back.distance = 1
      existing.dep |= dep
      back.dep |= calcDepb(pread, nread)
      return true
    }
    const o = this.#origin(cpu)
    prev.after.set(cls, new LockList(cls, dep, distance, o))
    cls.before.set(prev, new LockList(prev, calcDepb(pread, nread), distance, o))
    this.#dependencies++
    return true
  }

  /**
   * `check_irq_usage()`: gather the USED_IN usage behind prev (backwards, strong paths), look
   * forwards from next for an exclusive ENABLED usage, then narrow down to one pair of bits.
   */
  #checkIrqUsage(cpu: Cpu, held: readonly HeldLock[], prev: LockClass, pread: ReadState, next: LockClass, nread: ReadState): boolean {
    // No class has been used in an interrupt yet: the accumulated mask is 0; skip the walks.
    if (this.#usedIn[0] === 0 && this.#usedIn[1] === 0) return true
    const backRoot = { cls: prev, onlyXr: pread !== 0 }
    let usage = 0
    // usage_accumulate(): after an only-`S*` path only the write bits count.
    bfs(
      backRoot,
      false,
      (n) => {
        usage |= n.onlyXr ? n.cls.usage & LOCKF_IRQ : n.cls.usage
        return false
      },
      usageSkip,
      this.bfsStats,
    )
    usage &= LOCKF_USED_IN_IRQ_ALL
    if (usage === 0) return true
    const unsafe = bfs({ cls: next, onlyXr: nread === 2 }, true, usageMatch(exclusiveMask(usage)), usageSkip, this.bfsStats)
    if (unsafe === null) return true
    const safe = bfs(backRoot, false, usageMatch(originalMask(unsafe.cls.usage & LOCKF_ENABLED_IRQ_ALL)), usageSkip, this.bfsStats)
    if (safe === null) return true
    const pair = findExclusiveMatch(safe.cls.usage, unsafe.cls.usage)
    if (pair === null) return true
    // safe … prev (the backward path, reversed) → next … unsafe
    const chain = pathTo(safe).reverse().concat(pathTo(unsafe))
    this.#badIrqDependency(cpu, held, prev, next, chain, pair.bit, pair.excl)
    return false
  }

  // ── our own: the declared order ────────────────────────────────────────────────────────
  #checkDeclaredOrder(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    if (this.#orderRank.size === 0) return
    const rank = this.#orderRank.get(next.name)
    if (rank === undefined) return
    const later = held.find((h) => (this.#orderRank.get(h.name) ?? -1) > rank)
    if (later === undefined) return
    const t = cpu.current
    const label = lockName(next)
    const laterLabel = lockName(later)
    // Not lockdep's: it does not switch lockdep off.
    this.#report({
      ...this.#base(cpu, held),
      kind: 'lock-order',
      title: LOCK_ORDER_TITLE,
      lock: label,
      heldLater: laterLabel,
      report: [
        ...banner(LOCK_ORDER_TITLE),
        `${t.comm}/${t.pid} is trying to acquire ${label}`,
        `while holding ${laterLabel}, which the declared lock order puts after it:`,
        `  ${this.#options.lockOrder.join(' -> ')}`,
        ...heldLockLines(t.comm, t.pid, held, this),
      ].join('\n'),
    })
  }

  // ── reports ────────────────────────────────────────────────────────────────────────────
  #origin(cpu: Cpu): Origin {
    return { comm: cpu.current.comm, pid: cpu.current.pid, cpu: cpu.id }
  }

  /** The class of `l` (for the report lines: registered already on the paths that print it). */
  #classOf(l: { readonly name: string; readonly kind: LockdepKind }): LockClass {
    return classTypesOf(l.kind).map ? this.classes.map(l.kind as LockdepMapName) : this.classes.get(l.name, l.kind)
  }

  /** A held-lock entry for `next`, for the one report that lists it before it is pushed. */
  #heldShape(cpu: Cpu, next: NextLock): Omit<HeldLock, 'classId' | 'chainId'> {
    return {
      name: next.name,
      kind: next.kind,
      variant: 'plain',
      mode: next.mode,
      recursiveRead: next.recursiveRead,
      cpu: cpu.id,
      irqContext: irqContextOf(cpu),
      lock: next.lock,
      flags: null,
      irqLock: false,
      check: true,
      trylock: next.trylock,
      nestLock: next.nestLock,
      key: next.key,
      subclass: next.subclass,
    }
  }

  #base(cpu: Cpu, held: readonly HeldLock[]): { title: string; cpu: number; task: string; heldLocks: readonly string[]; preemptCount: number } {
    return { title: '', cpu: cpu.id, task: cpu.current.comm, heldLocks: lockNames(held), preemptCount: cpu.preemptCount }
  }

  /** Records a lockdep report (with the held locks appended) and turns lockdep off unless keepGoing. */
  #fire(cpu: Cpu, held: readonly HeldLock[], d: Draft & { readonly heldGap?: boolean; readonly trailer?: readonly string[] }): void {
    if (!this.#options.lockdepKeepGoing) this.#debugLocks = false
    const t = cpu.current
    // Most print_*_bug() end `lockdep_print_held_locks(curr); pr_warn("\nstack backtrace:\n"); dump_stack();`
    // after a scenario that ends with a blank line ("\n *** DEADLOCK ***\n\n").
    const { lines, heldGap = true, trailer = ['', 'stack backtrace:', dumpStackLine(cpu.id, t.pid, t.comm)], ...rest } = d
    this.#report({
      ...this.#base(cpu, held),
      ...rest,
      report: [...lines, ...(heldGap ? [''] : []), ...heldLockLines(t.comm, t.pid, held, this), ...trailer].join('\n'),
    } as Diagnostic)
  }

  #recursive(cpu: Cpu, held: readonly HeldLock[], next: NextLock, prev: HeldLock, cmp: number | null): void {
    const t = cpu.current
    const label = lockName(next)
    const cls = prev.classId === null ? this.classes.get(prev.name, prev.kind) : this.classes.byId(prev.classId)
    this.#fire(cpu, held, {
      kind: 'recursive-locking',
      title: TITLES.recursive,
      lock: label,
      lines: [
        ...banner(TITLES.recursive),
        `${t.comm}/${t.pid} is trying to acquire lock:`,
        classLine(cls, this.#wait),
        '',
        'but task is already holding lock:',
        classLine(cls, this.#wait),
        ...(cmp === null ? [] : [`and the lock comparison function returns ${cmp}:`]),
        '',
        'other info that might help us debug this:',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0',
        '       ----',
        `  lock(${cls.name});`,
        `  lock(${cls.name});`,
        '',
        ' *** DEADLOCK ***',
        '',
        ' May be due to missing lock nesting notation',
      ],
    })
  }

  /** print_lock_nested_lock_not_held(). */
  #nestLockNotHeld(cpu: Cpu, held: readonly HeldLock[], next: NextLock, cls: LockClass): void {
    const t = cpu.current
    this.#fire(cpu, held, {
      kind: 'nested-lock-not-held',
      title: TITLES.nestLockNotHeld,
      lock: lockName(next),
      lines: [
        ...banner(TITLES.nestLockNotHeld),
        `${t.comm}/${t.pid} is trying to lock:`,
        classLine(cls, this.#wait),
        '',
        'but this task is not holding:',
        nestLockName(next.nestLock === null ? null : (this.#locks[next.nestLock] ?? null)),
        // print_lock_nested_lock_not_held(): a stack dump, then `pr_warn("\nother info that might
        // help us debug this:\n"); lockdep_print_held_locks(curr);` and a second stack dump.
        '',
        'stack backtrace:',
        dumpStackLine(cpu.id, t.pid, t.comm),
        '',
        'other info that might help us debug this:',
      ],
      heldGap: false,
    })
  }

  /** print_circular_bug(): `path` runs next → … → prev along existing edges; `rlock(` for readers. */
  #circular(cpu: Cpu, held: readonly HeldLock[], next: LockClass, prev: LockClass, path: readonly LockClass[], nextRead: boolean, prevRead: boolean): void {
    const t = cpu.current
    const parent = path.at(-2) ?? next
    const entries = [...path].reverse()
    this.#fire(cpu, held, {
      kind: 'circular-dependency',
      title: TITLES.circular,
      lock: lockName(next),
      held: lockName(prev),
      chain: path.map((c) => c.name),
      lines: [
        ...banner(TITLES.circular),
        `${t.comm}/${t.pid} is trying to acquire lock:`,
        classLine(next, this.#wait),
        '',
        'but task is already holding lock:',
        classLine(prev, this.#wait),
        '',
        'which lock already depends on the new lock.',
        '',
        '',
        'the existing dependency chain (in reverse order) is:',
        ...entries.flatMap((c, i) => {
          const from = entries[i + 1]
          return [
            '',
            `-> #${entries.length - 1 - i}${classNameLine(c, this.#wait)}:`,
            from === undefined ? `       being taken now, while holding ${prev.name}` : `       taken while holding ${from.name}`,
            from === undefined ? origin(this.#origin(cpu)) : origin(from.after.get(c)?.origin),
          ]
        }),
        '',
        'other info that might help us debug this:',
        '',
        ...circularScenario(next.name, parent.name, prev.name, nextRead, prevRead),
      ],
    })
  }

  #inconsistent(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, prevBit: number, newBit: number): void {
    const t = cpu.current
    this.#fire(cpu, held, {
      kind: 'inconsistent-lock-state',
      title: TITLES.inconsistent,
      lock: lockName(cls),
      from: usageStr(prevBit),
      to: usageStr(newBit),
      lines: [
        ...inconsistentHeader(prevBit, newBit),
        `${t.comm}/${t.pid} ${irqContextSummary(cpu)} takes:`,
        classLine(cls, this.#wait),
        `{${usageStr(prevBit)}} state was registered at:`,
        origin(cls.usageOrigin.get(prevBit)),
        '',
        'other info that might help us debug this:',
        ...usageScenario(cls.name),
      ],
    })
  }

  /** print_irq_inversion_bug(): `path` runs from `cls` along the searched direction. */
  #inversionByUsage(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, path: readonly LockClass[], forwards: boolean, irqclass: string): void {
    const state = irqclass.startsWith('HARDIRQ') ? 'HARDIRQ' : 'SOFTIRQ'
    const t = cpu.current
    const other = path.at(-1) as LockClass
    // forwards: cls (now used in irq) took `other` (irq-unsafe). backwards: `other` (irq-safe) took cls.
    const chain = forwards ? path : [...path].reverse()
    const safe = chain[0] as LockClass
    const unsafe = chain.at(-1) as LockClass
    this.#fire(cpu, held, {
      kind: 'irq-inversion',
      title: TITLES.inversion,
      irq: state,
      via: 'usage-change',
      safe: safe.name,
      unsafe: unsafe.name,
      chain: chain.map((c) => c.name),
      lines: [
        ...banner(TITLES.inversion),
        `${t.comm}/${t.pid} just changed the state of lock:`,
        classLine(cls, this.#wait),
        forwards
          ? `but this lock took another, ${irqclass}-unsafe lock in the past:`
          : `but this lock was taken by another, ${irqclass}-safe lock in the past:`,
        // print_lock_name(NULL, other->class); pr_warn("\n\nand interrupts could create inverse lock ordering between them.\n\n");
        // pr_warn("\nother info that might help us debug this:\n");
        classNameLine(other, this.#wait),
        '',
        '',
        'and interrupts could create inverse lock ordering between them.',
        '',
        '',
        'other info that might help us debug this:',
        ...irqScenario(safe.name, (chain[1] ?? unsafe).name, unsafe.name),
      ],
    })
  }

  /**
   * print_bad_irq_dependency(): the new edge prev → next links `chain[0]` (safe, usage `safeBit`)
   * to its last (unsafe, usage `unsafeBit`); the irqclass is `state_name(backward_bit)`.
   */
  #badIrqDependency(
    cpu: Cpu,
    held: readonly HeldLock[],
    prev: LockClass,
    next: LockClass,
    chain: readonly LockClass[],
    safeBit: number,
    unsafeBit: number,
  ): void {
    const t = cpu.current
    const safe = chain[0] as LockClass
    const unsafe = chain.at(-1) as LockClass
    const irqclass = stateName(safeBit)
    const title = badIrqDependencyTitle(irqclass)
    this.#fire(cpu, held, {
      kind: 'irq-inversion',
      title,
      irq: stateOf(safeBit),
      via: 'new-dependency',
      safe: safe.name,
      unsafe: unsafe.name,
      chain: chain.map((c) => c.name),
      lines: [
        ...banner(title, 53),
        `${t.comm}/${t.pid} ${irqContextSummary(cpu)} is trying to acquire:`,
        classLine(next, this.#wait),
        '',
        'and this task is already holding:',
        classLine(prev, this.#wait),
        'which would create a new lock dependency:',
        // print_lock_name(prev, ...); pr_cont(" ->"); print_lock_name(next, ...); pr_cont("\n");
        `${classNameLine(prev, this.#wait)} ->${classNameLine(next, this.#wait)}`,
        '',
        `but this new dependency connects a ${irqclass}-irq-safe lock:`,
        // print_lock_name(NULL, backwards_entry->class); pr_warn("\n... which became %s-irq-safe at:\n", irqclass);
        classNameLine(safe, this.#wait),
        '',
        `... which became ${irqclass}-irq-safe at:`,
        origin(safe.usageOrigin.get(safeBit)),
        '',
        `to a ${irqclass}-irq-unsafe lock:`,
        classNameLine(unsafe, this.#wait),
        '',
        `... which became ${irqclass}-irq-unsafe at:`,
        `...${origin(unsafe.usageOrigin.get(unsafeBit))}`,
        '',
        'other info that might help us debug this:',
        '',
        ...irqScenario(safe.name, (prev === safe ? next : prev).name, unsafe.name),
      ],
    })
  }

  /** The MAX_LOCK_DEPTH report lists every held lock, the one just taken included. */
  #maxDepth(
    cpu: Cpu,
    held: readonly HeldLock[],
    next: NextLock,
    depth: number,
    cls: LockClass | null = this.classes.find(classKey(next.key, next.subclass)),
    check = true,
  ): void {
    const nextHeld: HeldLock = { ...this.#heldShape(cpu, next), check, classId: cls === null ? null : cls.id, chainId: null }
    this.#fire(cpu, [...held, nextHeld], {
      kind: 'max-lock-depth',
      title: TITLES.maxDepth,
      depth,
      lines: [TITLES.maxDepth, `turning off the locking correctness validator.`, `depth: ${depth}  max: ${MAX_LOCK_DEPTH}!`],
      // __lock_acquire(): `debug_locks_off(); ... lockdep_print_held_locks(current); debug_show_all_locks();
      // dump_stack();` — debug_show_all_locks() finds lockdep off already.
      heldGap: false,
      trailer: [LOCKDEP_TURNED_OFF, dumpStackLine(cpu.id, cpu.current.pid, cpu.current.comm)],
    })
  }
}
