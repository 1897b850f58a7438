/**
 * The lockdep-style validator, after `__lock_acquire()` in kernel/locking/lockdep.c:
 *   mark_usage()          IRQ-usage states, inconsistent states and irq inversions
 *   check_wait_context()  invalid wait context (LD_WAIT_*), O(1) from the chain cache
 *   validate_chain()      once per new chain: recursive locking, then each new dependency
 *                         (circular dependency, irq-safe -> irq-unsafe)
 *   MAX_LOCK_DEPTH        48 held locks per task
 * Like the kernel, the first report turns the checks off (`debug_locks_off()`) unless `keepGoing`.
 */
import type { Cpu } from '../cpu/cpu.js'
import type { Diagnostic } from '../diagnostics.js'
import type { HeldLock, IrqContext } from '../locks/held.js'
import { LOCK_KINDS, type LockKind } from '../locks/kinds.js'
import type { ResolvedOptions } from '../options.js'
import { ChainCache, type ChainNode } from './chains.js'
import { ClassRegistry, search, type LockClass, type Origin } from './classes.js'
import {
  TITLES,
  badIrqDependencyTitle,
  circularScenario,
  classLine,
  inconsistentHeader,
  irqContextSummary,
  irqScenario,
  origin,
  usageScenario,
} from './reports.js'
import { banner, heldLockLines, lockName } from './splat.js'
import {
  LOCK_ENABLED_HARDIRQ,
  LOCK_ENABLED_SOFTIRQ,
  LOCK_USAGE_DIR_MASK,
  LOCK_USAGE_READ_MASK,
  LOCK_USED_IN_HARDIRQ,
  LOCK_USED_IN_SOFTIRQ,
  exclusiveBit,
  stateOf,
  usageStr,
  type IrqState,
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
  readonly kind: LockKind
  readonly mode: 'write' | 'read'
  /** A recursive read (rwlock_t readers where they are recursive): read == 2. */
  readonly recursiveRead: boolean
}

export const LOCK_ORDER_TITLE = 'lockproof: declared lock order broken'

/** lockdep's `irq_context` of the code running on this CPU now. */
export const irqContextOf = (cpu: Cpu): IrqContext => (cpu.inHardirq() ? 2 : cpu.inServingSoftirq() ? 1 : 0)

/** lockdep's task wait contexts, by what reports call them, and the wait type each allows. */
const TASK_WAIT_CONTEXTS = {
  'a threadable interrupt handler': 'config',
  'hardirq context': 'spin',
  'softirq context': 'config',
  'task context': 'max',
} as const satisfies Record<string, keyof WaitValues>
type TaskWaitContext = keyof typeof TASK_WAIT_CONTEXTS

/** Per irq state: its index, and the masks of "used in" and "enabled" (write and read). */
const STATES: readonly { readonly state: IrqState; readonly index: 0 | 1; readonly usedInMask: number; readonly enabledMask: number }[] = [
  {
    state: 'HARDIRQ',
    index: 0,
    usedInMask: (1 << LOCK_USED_IN_HARDIRQ) | (2 << LOCK_USED_IN_HARDIRQ),
    enabledMask: (1 << LOCK_ENABLED_HARDIRQ) | (2 << LOCK_ENABLED_HARDIRQ),
  },
  {
    state: 'SOFTIRQ',
    index: 1,
    usedInMask: (1 << LOCK_USED_IN_SOFTIRQ) | (2 << LOCK_USED_IN_SOFTIRQ),
    enabledMask: (1 << LOCK_ENABLED_SOFTIRQ) | (2 << LOCK_ENABLED_SOFTIRQ),
  },
]

type BaseFields = 'cpu' | 'task' | 'heldLocks' | 'preemptCount' | 'report'
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
  #dependencies = 0
  /** How many classes have a USED_IN usage, per irq state (HARDIRQ, SOFTIRQ). */
  readonly #usedIn: [number, number] = [0, 0]

  constructor(options: ResolvedOptions, report: (d: Diagnostic) => void) {
    this.#options = options
    this.#wait = waitValues(options.proveRawLockNesting)
    this.#report = report
    this.#orderRank = new Map(options.lockOrder.map((name, rank) => [name, rank]))
    this.#debugLocks = options.lockdep
    this.chains = new ChainCache(this.#wait.max)
  }

  /** Whether the checks still run (false with `lockdep: false`, or after the first report). */
  get active(): boolean {
    return this.#debugLocks
  }

  /** What /proc/lockdep_stats would show: lock classes, validated chains, dependencies. */
  stats(): LockdepStats {
    return { active: this.#debugLocks, classes: this.classes.size, chains: this.chains.count, dependencies: this.#dependencies }
  }

  #inner(kind: LockKind): number {
    return this.#wait[LOCK_KINDS[kind].wait]
  }

  /** The chain the next lock in this irq context extends: the last held lock's, or empty. */
  #chainBefore(held: readonly HeldLock[], irqContext: IrqContext): ChainNode {
    const last = held.at(-1)
    if (last !== undefined && last.irqContext === irqContext && last.chain !== null) return last.chain
    return this.chains.roots[irqContext] as ChainNode
  }

  /**
   * Validates taking `next` with `held` held; returns the chain it ends (its node's `cls` is
   * the class) for the held-lock record, or null once lockdep is off.
   */
  acquire(cpu: Cpu, held: readonly HeldLock[], next: NextLock, cls: LockClass, irqContext: IrqContext): ChainNode | null {
    if (!this.#debugLocks) return null
    const before = this.#chainBefore(held, irqContext)
    // __lock_acquire(): check_wait_context(), then mark_usage(), then validate_chain().
    this.#checkWaitContext(cpu, held, next, before)
    if (!this.#debugLocks) return null
    this.#markUsage(cpu, held, cls, next)
    if (!this.#debugLocks) return null
    // The chain key includes the read state of each lock (hlock->read).
    const chain = before.child(cls, next.mode === 'read', this.#inner(next.kind))
    if (this.chains.add(chain)) {
      this.#validateChain(cpu, held, next, cls, irqContext)
      if (!this.#debugLocks) return null
    }
    this.#checkDeclaredOrder(cpu, held, next)
    if (held.length + 1 >= MAX_LOCK_DEPTH) this.#maxDepth(cpu, held, held.length + 1)
    return chain
  }

  /** After `held[index]` was removed: the locks above it get their chains recomputed (reacquire). */
  release(held: readonly HeldLock[], index: number): void {
    for (let i = index; i < held.length; i++) {
      const h = held[i] as HeldLock
      if (h.cls === null || h.chain === null) continue
      const prev = i > 0 ? held[i - 1] : undefined
      const base = prev !== undefined && prev.irqContext === h.irqContext && prev.chain !== null ? prev.chain : (this.chains.roots[h.irqContext] as ChainNode)
      h.chain = base.child(h.cls, h.mode === 'read', this.#inner(h.kind))
    }
  }

  /** Only the wait-context check, for a lock taken and dropped inside one call (the allocator's). */
  checkWaitOnly(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    if (!this.#debugLocks) return
    this.#checkWaitContext(cpu, held, next, this.#chainBefore(held, irqContextOf(cpu)))
  }

  // ── mark_usage() ───────────────────────────────────────────────────────────────────────
  #markUsage(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, next: NextLock): void {
    const read = next.mode === 'read' ? LOCK_USAGE_READ_MASK : 0
    // Usually every bit this acquisition sets is set already: nothing to mark, nothing to check.
    let bits = 0
    if (cpu.inHardirq()) bits |= 1 << (LOCK_USED_IN_HARDIRQ + read)
    if (cpu.inServingSoftirq()) bits |= 1 << (LOCK_USED_IN_SOFTIRQ + read)
    if (!cpu.irqsDisabled) {
      bits |= 1 << (LOCK_ENABLED_HARDIRQ + read)
      if (cpu.softirqCount() === 0) bits |= 1 << (LOCK_ENABLED_SOFTIRQ + read)
    }
    if ((cls.usage & bits) === bits) return
    if (cpu.inHardirq()) this.#mark(cpu, held, cls, LOCK_USED_IN_HARDIRQ + read)
    if (this.#debugLocks && cpu.inServingSoftirq()) this.#mark(cpu, held, cls, LOCK_USED_IN_SOFTIRQ + read)
    if (!cpu.irqsDisabled) {
      if (this.#debugLocks) this.#mark(cpu, held, cls, LOCK_ENABLED_HARDIRQ + read)
      if (this.#debugLocks && cpu.softirqCount() === 0) this.#mark(cpu, held, cls, LOCK_ENABLED_SOFTIRQ + read)
    }
  }

  /** `mark_lock()` + `mark_lock_irq()`: set the bit, then check the class and its dependencies. */
  #mark(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, bit: number): void {
    if (cls.usage & (1 << bit)) return
    cls.usage |= 1 << bit
    cls.usageOrigin.set(bit, this.#origin(cpu))
    if ((bit & LOCK_USAGE_DIR_MASK) === 0) this.#usedIn[stateOf(bit) === 'HARDIRQ' ? 0 : 1]++
    const excl = exclusiveBit(bit)
    const read = bit & LOCK_USAGE_READ_MASK
    for (const bad of read ? [excl] : [excl, excl | LOCK_USAGE_READ_MASK]) {
      if (cls.usage & (1 << bad)) {
        this.#inconsistent(cpu, held, cls, bad, bit)
        return
      }
    }
    const mask = (1 << excl) | (1 << (excl | LOCK_USAGE_READ_MASK))
    const forwards = (bit & LOCK_USAGE_DIR_MASK) === 0
    // USED_IN looks forwards for a lock it took that is ENABLED; ENABLED looks backwards for a
    // lock that took it and is USED_IN.
    const path = search(cls, forwards, (c) => c !== cls && (c.usage & mask) !== 0)
    if (path !== null) this.#inversionByUsage(cpu, held, cls, path, forwards, stateOf(bit))
  }

  // ── check_wait_context() ───────────────────────────────────────────────────────────────
  /** lockdep's task wait context: which of TASK_WAIT_CONTEXTS the code on this CPU runs in. */
  #taskWaitContext(cpu: Cpu): TaskWaitContext {
    if (cpu.inHardirq()) return cpu.hardirqThreaded ? 'a threadable interrupt handler' : 'hardirq context'
    return cpu.inServingSoftirq() ? 'softirq context' : 'task context'
  }

  /** The innermost wait type the context allows before held locks: the task's, or RCU's or RT local_bh's map. */
  #contextInner(cpu: Cpu, taskWait: number): number {
    const w = this.#wait
    const task = cpu.current
    let inner = taskWait
    if (task.rcuReadLockNesting > 0 && w.config < inner) inner = w.config
    if (this.#options.preemptRt && task.softirqDisableCnt > 0 && w.config < inner) inner = w.config
    return inner
  }

  #checkWaitContext(cpu: Cpu, held: readonly HeldLock[], next: NextLock, before: ChainNode): void {
    const nextOuter = this.#inner(next.kind)
    const taskContext = this.#taskWaitContext(cpu)
    const taskWait = this.#wait[TASK_WAIT_CONTEXTS[taskContext]]
    const contextInner = this.#contextInner(cpu, taskWait)
    const currInner = Math.min(contextInner, before.heldInner)
    if (nextOuter <= currInner) return
    const task = cpu.current
    // rcu_read_lock()'s map (outer FREE, inner CONFIG) and RT's "local_bh" map (inner CONFIG).
    let what: string = contextInner === taskWait ? taskContext : task.rcuReadLockNesting > 0 ? 'rcu_read_lock()' : 'local_bh_disable()'
    // The error path only: name the held lock that set the limit.
    const irqContext = irqContextOf(cpu)
    const culprit = held.find((h) => h.irqContext === irqContext && this.#inner(h.kind) === currInner)
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
        classLine(this.classes.get(next.name, next.kind), this.#waitOf),
        'other info that might help us debug this:',
        `context-{${taskWait}:${taskWait}}`,
        `(the innermost allowed wait type here is ${currInner}, set by ${what})`,
      ],
    })
  }

  // ── validate_chain() ───────────────────────────────────────────────────────────────────
  #validateChain(cpu: Cpu, held: readonly HeldLock[], next: NextLock, cls: LockClass, irqContext: IrqContext): void {
    // check_deadlock(): the class already held by this task, unless read-after-read is allowed.
    const prevSame = held.find((h) => h.name === next.name && !(next.recursiveRead && next.mode === 'read' && h.mode === 'read'))
    if (prevSame !== undefined) {
      this.#recursive(cpu, held, next, prevSame)
      return
    }
    // check_prevs_add(): an edge from the previous lock in this irq context (skipping
    // recursive readers, which add no dependency).
    for (let i = held.length - 1; i >= 0; i--) {
      const prev = held[i] as HeldLock
      if (prev.irqContext !== irqContext) break
      if (prev.cls === null) continue
      if (prev.mode === 'read' && prev.kind === 'rwlock_t' && (this.#options.preemptRt || prev.irqContext !== 0)) continue
      this.#addDependency(cpu, held, prev.cls, cls)
      return
    }
  }

  /** `check_prev_add()`: a new edge prev → next, unless it closes a cycle or an irq inversion. */
  #addDependency(cpu: Cpu, held: readonly HeldLock[], prev: LockClass, next: LockClass): void {
    if (prev.after.has(next)) return
    const cycle = search(next, true, (c) => c === prev)
    if (cycle !== null) {
      this.#circular(cpu, held, next, prev, cycle)
      return
    }
    for (const { state, index, usedInMask, enabledMask } of STATES) {
      // No class has been used in this interrupt yet: nothing can be irq-safe; skip the walk.
      if (this.#usedIn[index] === 0) continue
      const safePath = search(prev, false, (c) => (c.usage & usedInMask) !== 0)
      if (safePath === null) continue
      const unsafePath = search(next, true, (c) => (c.usage & enabledMask) !== 0)
      if (unsafePath === null) continue
      // safe … prev (backwards path reversed) → next … unsafe
      const chain = [...safePath].reverse().concat(unsafePath)
      this.#badIrqDependency(cpu, held, prev, next, chain, state)
      return
    }
    prev.after.set(next, this.#origin(cpu))
    next.before.add(prev)
    this.#dependencies++
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
        ...heldLockLines(t.comm, t.pid, held),
      ].join('\n'),
    })
  }

  // ── reports ────────────────────────────────────────────────────────────────────────────
  #origin(cpu: Cpu): Origin {
    return { comm: cpu.current.comm, pid: cpu.current.pid, cpu: cpu.id }
  }

  #waitOf = (c: LockClass): number => this.#inner(c.kind)

  #base(cpu: Cpu, held: readonly HeldLock[]): { title: string; cpu: number; task: string; heldLocks: readonly string[]; preemptCount: number } {
    return { title: '', cpu: cpu.id, task: cpu.current.comm, heldLocks: held.map((h) => h.name), preemptCount: cpu.preemptCount }
  }

  /** Records a lockdep report (with the held locks appended) and turns lockdep off unless keepGoing. */
  #fire(cpu: Cpu, held: readonly HeldLock[], d: Draft): void {
    if (!this.#options.lockdepKeepGoing) this.#debugLocks = false
    const t = cpu.current
    const { lines, ...rest } = d
    this.#report({
      ...this.#base(cpu, held),
      ...rest,
      report: [...lines, '', ...heldLockLines(t.comm, t.pid, held), '', `CPU: ${cpu.id} PID: ${t.pid} Comm: ${t.comm}`].join('\n'),
    } as Diagnostic)
  }

  #recursive(cpu: Cpu, held: readonly HeldLock[], next: NextLock, prev: HeldLock): void {
    const t = cpu.current
    const label = lockName(next)
    this.#fire(cpu, held, {
      kind: 'recursive-locking',
      title: TITLES.recursive,
      lock: label,
      lines: [
        ...banner(TITLES.recursive),
        `${t.comm}/${t.pid} is trying to acquire lock:`,
        classLine(this.classes.get(next.name, next.kind), this.#waitOf),
        '',
        'but task is already holding lock:',
        classLine(prev.cls ?? this.classes.get(prev.name, prev.kind), this.#waitOf),
        '',
        'other info that might help us debug this:',
        ' Possible unsafe locking scenario:',
        '',
        '       CPU0',
        '       ----',
        `  lock(${next.name});`,
        `  lock(${next.name});`,
        '',
        ' *** DEADLOCK ***',
        '',
        ' May be due to missing lock nesting notation',
      ],
    })
  }

  /** print_circular_bug(): `path` runs next → … → prev along existing edges. */
  #circular(cpu: Cpu, held: readonly HeldLock[], next: LockClass, prev: LockClass, path: readonly LockClass[]): void {
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
        classLine(next, this.#waitOf),
        '',
        'but task is already holding lock:',
        classLine(prev, this.#waitOf),
        '',
        'which lock already depends on the new lock.',
        '',
        '',
        'the existing dependency chain (in reverse order) is:',
        ...entries.flatMap((c, i) => {
          const from = entries[i + 1]
          return [
            '',
            `-> #${entries.length - 1 - i}${classLine(c, this.#waitOf)}:`,
            from === undefined ? `       being taken now, while holding ${prev.name}` : `       taken while holding ${from.name}`,
            from === undefined ? origin(this.#origin(cpu)) : origin(from.after.get(c)),
          ]
        }),
        '',
        'other info that might help us debug this:',
        '',
        ...circularScenario(next.name, parent.name, prev.name),
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
        classLine(cls, this.#waitOf),
        `{${usageStr(prevBit)}} state was registered at:`,
        origin(cls.usageOrigin.get(prevBit)),
        '',
        'other info that might help us debug this:',
        ...usageScenario(cls.name),
      ],
    })
  }

  /** print_irq_inversion_bug(): `path` runs from `cls` along the searched direction. */
  #inversionByUsage(cpu: Cpu, held: readonly HeldLock[], cls: LockClass, path: readonly LockClass[], forwards: boolean, state: IrqState): void {
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
        classLine(cls, this.#waitOf),
        forwards ? `but this lock took another, ${state}-unsafe lock in the past:` : `but this lock was taken by another, ${state}-safe lock in the past:`,
        classLine(other, this.#waitOf),
        '',
        'and interrupts could create inverse lock ordering between them.',
        '',
        'other info that might help us debug this:',
        ...irqScenario(safe.name, (chain[1] ?? unsafe).name, unsafe.name),
      ],
    })
  }

  /** print_bad_irq_dependency(): the new edge prev → next links `chain[0]` (safe) to its last (unsafe). */
  #badIrqDependency(cpu: Cpu, held: readonly HeldLock[], prev: LockClass, next: LockClass, chain: readonly LockClass[], state: IrqState): void {
    const t = cpu.current
    const safe = chain[0] as LockClass
    const unsafe = chain.at(-1) as LockClass
    const title = badIrqDependencyTitle(state)
    this.#fire(cpu, held, {
      kind: 'irq-inversion',
      title,
      irq: state,
      via: 'new-dependency',
      safe: safe.name,
      unsafe: unsafe.name,
      chain: chain.map((c) => c.name),
      lines: [
        ...banner(title, 53),
        `${t.comm}/${t.pid} ${irqContextSummary(cpu)} is trying to acquire:`,
        classLine(next, this.#waitOf),
        '',
        'and this task is already holding:',
        classLine(prev, this.#waitOf),
        'which would create a new lock dependency:',
        ` (${prev.name}) -> (${next.name})`,
        '',
        `but this new dependency connects a ${state}-irq-safe lock:`,
        classLine(safe, this.#waitOf),
        `... which became ${state}-irq-safe at:`,
        origin(safe.usageOrigin.get(state === 'HARDIRQ' ? LOCK_USED_IN_HARDIRQ : LOCK_USED_IN_SOFTIRQ)),
        '',
        `to a ${state}-irq-unsafe lock:`,
        classLine(unsafe, this.#waitOf),
        `... which became ${state}-irq-unsafe at:`,
        origin(unsafe.usageOrigin.get(state === 'HARDIRQ' ? LOCK_ENABLED_HARDIRQ : LOCK_ENABLED_SOFTIRQ)),
        '',
        'other info that might help us debug this:',
        '',
        ...irqScenario(safe.name, (prev === safe ? next : prev).name, unsafe.name),
      ],
    })
  }

  #maxDepth(cpu: Cpu, held: readonly HeldLock[], depth: number): void {
    this.#fire(cpu, held, {
      kind: 'max-lock-depth',
      title: TITLES.maxDepth,
      depth,
      lines: [TITLES.maxDepth, `turning off the locking correctness validator.`, `depth: ${depth}  max: ${MAX_LOCK_DEPTH}!`],
    })
  }
}
