/**
 * The lockdep-style validator: checks each acquisition against what the task holds, the way
 * kernel/locking/lockdep.c does in `__lock_acquire()`. Like the kernel, the first report turns
 * the checks off (`debug_locks_off()`) unless `keepGoing` is set.
 */
import type { Cpu } from '../cpu/cpu.js'
import type { Diagnostic } from '../diagnostics.js'
import type { ResolvedOptions } from '../options.js'
import type { HeldLock, IrqContext } from '../locks/held.js'
import { LOCK_KINDS, type LockKind } from '../locks/kinds.js'
import { banner, heldLockLines, lockName } from './splat.js'
import { waitValues, type WaitValues } from './wait-types.js'

/** The acquisition being validated. */
export interface NextLock {
  readonly name: string
  readonly kind: LockKind
  readonly mode: 'write' | 'read'
  /** rwlock_t readers are recursive (read == 2): read-after-read of the class is allowed. */
  readonly recursiveRead: boolean
}

export const INVALID_WAIT_CONTEXT_TITLE = '[ BUG: Invalid wait context ]'
export const RECURSIVE_LOCKING_TITLE = 'WARNING: possible recursive locking detected'
export const LOCK_ORDER_TITLE = 'lockproof: declared lock order broken'

/** lockdep's `irq_context` of the code running on this CPU now. */
export const irqContextOf = (cpu: Cpu): IrqContext => (cpu.inHardirq() ? 2 : cpu.inServingSoftirq() ? 1 : 0)

export class Lockdep {
  readonly #options: ResolvedOptions
  readonly #wait: WaitValues
  readonly #report: (d: Diagnostic) => void
  readonly #orderRank: ReadonlyMap<string, number>
  /** `debug_locks`: cleared by the first report unless keepGoing. */
  #debugLocks: boolean

  constructor(options: ResolvedOptions, report: (d: Diagnostic) => void) {
    this.#options = options
    this.#wait = waitValues(options.proveRawLockNesting)
    this.#report = report
    this.#orderRank = new Map(options.lockOrder.map((name, rank) => [name, rank]))
    this.#debugLocks = options.lockdep
  }

  /** Whether the checks still run (false with `lockdep: false`, or after the first report). */
  get active(): boolean {
    return this.#debugLocks
  }

  /** The checks of `__lock_acquire()` that look at the held stack, in the kernel's order. */
  checkAcquire(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    if (!this.#debugLocks) return
    this.#checkWaitContext(cpu, held, next)
    if (!this.#debugLocks) return
    this.#checkDeadlock(cpu, held, next)
    if (!this.#debugLocks) return
    this.#checkDeclaredOrder(cpu, held, next)
  }

  /** `task_wait_context()`: what the interrupt context allows before any lock is counted. */
  #taskWaitContext(cpu: Cpu): { value: number; what: string } {
    const w = this.#wait
    if (cpu.inHardirq()) {
      return cpu.hardirqThreaded ? { value: w.config, what: 'a threadable interrupt handler' } : { value: w.spin, what: 'hardirq context' }
    }
    if (cpu.inServingSoftirq()) return { value: w.config, what: 'softirq context' }
    return { value: w.max, what: 'task context' }
  }

  /** `check_wait_context()`: the new lock's outer wait type against the innermost allowed. */
  #checkWaitContext(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    const w = this.#wait
    let { value: currInner, what } = this.#taskWaitContext(cpu)
    // rcu_read_lock()'s map (outer FREE, inner CONFIG) and RT's "local_bh" map (inner CONFIG).
    const task = cpu.current
    if (task.rcuReadLockNesting > 0 && w.config < currInner) {
      currInner = w.config
      what = 'rcu_read_lock()'
    }
    if (this.#options.preemptRt && task.softirqDisableCnt > 0 && w.config < currInner) {
      currInner = w.config
      what = 'local_bh_disable()'
    }
    const irqContext = irqContextOf(cpu)
    for (const h of held) {
      if (h.irqContext !== irqContext) continue
      const inner = w[LOCK_KINDS[h.kind].wait]
      if (inner < currInner) {
        currInner = inner
        what = lockName(h)
      }
    }
    const nextOuter = w[LOCK_KINDS[next.kind].wait]
    if (nextOuter <= currInner) return
    const label = lockName(next)
    const t = cpu.current
    this.#fire({
      kind: 'invalid-wait-context',
      title: INVALID_WAIT_CONTEXT_TITLE,
      cpu: cpu.id,
      task: t.comm,
      heldLocks: held.map((h) => h.name),
      preemptCount: cpu.preemptCount,
      lock: label,
      context: what,
      report: [
        ...banner(INVALID_WAIT_CONTEXT_TITLE),
        `${t.comm}/${t.pid} is trying to lock:`,
        ` (${next.name}){${next.mode}}-{${nextOuter}:${nextOuter}}, ${label}`,
        `other info that might help us debug this:`,
        `context-{${currInner}:${currInner}} (${what})`,
        ...heldLockLines(t.comm, t.pid, held),
        `CPU: ${cpu.id} PID: ${t.pid} Comm: ${t.comm}`,
      ].join('\n'),
    })
  }

  /** `check_deadlock()`: the same class already held by this task (AA). */
  #checkDeadlock(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    const prev = held.find((h) => h.name === next.name && !(next.recursiveRead && next.mode === 'read' && h.mode === 'read'))
    if (prev === undefined) return
    const t = cpu.current
    const label = lockName(next)
    this.#fire({
      kind: 'recursive-locking',
      title: RECURSIVE_LOCKING_TITLE,
      cpu: cpu.id,
      task: t.comm,
      heldLocks: held.map((h) => h.name),
      preemptCount: cpu.preemptCount,
      lock: label,
      report: [
        ...banner(RECURSIVE_LOCKING_TITLE),
        `${t.comm}/${t.pid} is trying to acquire lock:`,
        ` (${next.name}){${next.mode}}, ${label}`,
        '',
        'but task is already holding lock:',
        ` (${prev.name}){${prev.mode}}, ${lockName(prev)}`,
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
        '',
        ...heldLockLines(t.comm, t.pid, held),
      ].join('\n'),
    })
  }

  /** A class declared earlier in `lockOrder` taken while a later one is held. */
  #checkDeclaredOrder(cpu: Cpu, held: readonly HeldLock[], next: NextLock): void {
    const rank = this.#orderRank.get(next.name)
    if (rank === undefined) return
    const later = held.find((h) => (this.#orderRank.get(h.name) ?? -1) > rank)
    if (later === undefined) return
    const t = cpu.current
    // Our own check, not lockdep's: it does not switch lockdep off.
    this.#report({
      kind: 'lock-order',
      title: LOCK_ORDER_TITLE,
      cpu: cpu.id,
      task: t.comm,
      heldLocks: held.map((h) => h.name),
      preemptCount: cpu.preemptCount,
      lock: lockName(next),
      heldLater: lockName(later),
      report: [
        ...banner(LOCK_ORDER_TITLE),
        `${t.comm}/${t.pid} is trying to acquire ${lockName(next)}`,
        `while holding ${lockName(later)}, which the declared lock order puts after it:`,
        `  ${this.#options.lockOrder.join(' -> ')}`,
        ...heldLockLines(t.comm, t.pid, held),
      ].join('\n'),
    })
  }

  #fire(d: Diagnostic): void {
    if (!this.#options.lockdepKeepGoing) this.#debugLocks = false
    this.#report(d)
  }
}
