import type { DiagnosticBase } from './base.js'
import type { KernelWarningDiagnostic, ProofFalsifiedDiagnostic } from './proof-diagnostics.js'
import type { RtTrylockDiagnostic } from './rt-trylock.js'

export type { DiagnosticBase } from './base.js'

/**
 * Which counter went wrong, and how.
 *
 * @example
 * ```ts
 * import type { BadCountingDiagnostic, CountingField } from 'lockproof'
 *
 * const field = (d: BadCountingDiagnostic): CountingField => d.field // 'preempt', 'rcu', 'migrate', …
 * ```
 */
export type CountingField = 'preempt' | 'softirq' | 'hardirq' | 'nmi' | 'interrupt-disable' | 'migrate' | 'rcu'

/**
 * A counter was decremented below zero or incremented past its field (DEBUG_PREEMPT's warnings).
 *
 * @example
 * ```ts
 * import { createKernel, type BadCountingDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is BadCountingDiagnostic => d.kind === 'bad-counting')
 * console.log(found.map((d) => `${d.field} ${d.problem}`))
 * ```
 */
export interface BadCountingDiagnostic extends DiagnosticBase {
  /** Discriminant: `'bad-counting'`. */
  readonly kind: 'bad-counting'
  /** Which counter. */
  readonly field: CountingField
  /** Below zero, or past the field's width. */
  readonly problem: 'underflow' | 'overflow'
}

/**
 * `__might_resched()`: something that may sleep ran where it must not (kernel/sched/core.c).
 *
 * @example
 * ```ts
 * import { createKernel, type SleepingInAtomicDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is SleepingInAtomicDiagnostic => d.kind === 'sleeping-in-atomic')
 * console.log(found.map((d) => `${d.what}: in_atomic() ${d.inAtomic}, irqs_disabled() ${d.irqsDisabled}, RCU ${d.rcuDepth}`))
 * ```
 */
export interface SleepingInAtomicDiagnostic extends DiagnosticBase {
  /** Discriminant: `'sleeping-in-atomic'`. */
  readonly kind: 'sleeping-in-atomic'
  /** What tried to sleep: `might_sleep()`, `msleep()`, or a lock (`mutex 'cfg'`). */
  readonly what: string
  /** `in_atomic()` at the call. */
  readonly inAtomic: boolean
  /** `irqs_disabled()` at the call. */
  readonly irqsDisabled: boolean
  /** The task's RCU read-side nesting. */
  readonly rcuDepth: number
}

/**
 * lockdep's `check_wait_context()`: a lock taken where its wait type is not allowed.
 *
 * @example
 * ```ts
 * import { createKernel, type InvalidWaitContextDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is InvalidWaitContextDiagnostic => d.kind === 'invalid-wait-context')
 * console.log(found.map((d) => `${d.lock} under ${d.context}`))
 * ```
 */
export interface InvalidWaitContextDiagnostic extends DiagnosticBase {
  /** Discriminant: `'invalid-wait-context'`. */
  readonly kind: 'invalid-wait-context'
  /** The lock being taken (`spinlock_t 'stats'`). */
  readonly lock: string
  /** The innermost held lock or context that forbids it (`raw_spinlock_t 'hw'`, `hardirq`). */
  readonly context: string
}

/**
 * lockdep's `check_deadlock()`: a class taken again while held (AA), without nesting annotation.
 *
 * @example
 * ```ts
 * import { createKernel, type RecursiveLockingDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is RecursiveLockingDiagnostic => d.kind === 'recursive-locking')
 * console.log(found.map((d) => d.lock))
 * ```
 */
export interface RecursiveLockingDiagnostic extends DiagnosticBase {
  /** Discriminant: `'recursive-locking'`. */
  readonly kind: 'recursive-locking'
  /** The lock taken again (`spinlock_t 'stats'`). */
  readonly lock: string
}

/**
 * The acquisition can never succeed: its holder cannot run before this context finishes.
 *
 * @example
 * ```ts
 * import { createKernel, type DeadlockDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is DeadlockDiagnostic => d.kind === 'deadlock')
 * console.log(found.map((d) => `${d.lock} held by ${d.holder.comm} on CPU ${d.holder.cpu}`))
 * ```
 */
export interface DeadlockDiagnostic extends DiagnosticBase {
  /** Discriminant: `'deadlock'`. */
  readonly kind: 'deadlock'
  /** The lock that cannot be acquired. */
  readonly lock: string
  /**
   * The task holding it, and its CPU.
   *
   * @property __type.comm - The holder's name.
   * @property __type.pid - The holder's pid.
   * @property __type.cpu - The CPU the holder runs on.
   */
  readonly holder: { readonly comm: string; readonly pid: number; readonly cpu: number }
}

/**
 * A kernel's declared `lockOrder` broken at run time (JavaScript callers; the types refuse it).
 *
 * @example
 * ```ts
 * import { createKernel, type LockOrderDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is LockOrderDiagnostic => d.kind === 'lock-order')
 * console.log(found.map((d) => `${d.lock} taken while ${d.heldLater} is held`))
 * ```
 */
export interface LockOrderDiagnostic extends DiagnosticBase {
  /** Discriminant: `'lock-order'`. */
  readonly kind: 'lock-order'
  /** The lock being taken. */
  readonly lock: string
  /** The held class that the declared order puts after it. */
  readonly heldLater: string
}

/**
 * `check_noncircular()`: the new dependency closes a cycle in the class graph.
 *
 * @example
 * ```ts
 * import { createKernel, type CircularDependencyDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is CircularDependencyDiagnostic => d.kind === 'circular-dependency')
 * console.log(found.map((d) => d.chain.join(' -> ')))
 * ```
 */
export interface CircularDependencyDiagnostic extends DiagnosticBase {
  /** Discriminant: `'circular-dependency'`. */
  readonly kind: 'circular-dependency'
  /** The lock being taken. */
  readonly lock: string
  /** The held lock the new edge starts from. */
  readonly held: string
  /** The existing chain from `lock` to `held`, class names in order: lock → … → held. */
  readonly chain: readonly string[]
}

/**
 * `print_usage_bug()`: a class used in an interrupt and with that interrupt enabled.
 *
 * @example
 * ```ts
 * import { createKernel, type InconsistentLockStateDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is InconsistentLockStateDiagnostic => d.kind === 'inconsistent-lock-state')
 * console.log(found.map((d) => `${d.lock}: {${d.from}} -> {${d.to}}`))
 * ```
 */
export interface InconsistentLockStateDiagnostic extends DiagnosticBase {
  /** Discriminant: `'inconsistent-lock-state'`. */
  readonly kind: 'inconsistent-lock-state'
  /** The lock class. */
  readonly lock: string
  /** The usage recorded before, e.g. `HARDIRQ-ON-W`. */
  readonly from: string
  /** The usage now, e.g. `IN-HARDIRQ-W`. */
  readonly to: string
}

/**
 * An interrupt-safe lock ordered before an interrupt-unsafe one: found when a usage changes
 * (`possible irq lock inversion dependency detected`) or a new dependency links them
 * (`HARDIRQ-safe -> HARDIRQ-unsafe lock order detected`).
 *
 * @example
 * ```ts
 * import { createKernel, type IrqInversionDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is IrqInversionDiagnostic => d.kind === 'irq-inversion')
 * console.log(found.map((d) => `${d.irq}-safe ${d.safe} before ${d.irq}-unsafe ${d.unsafe} (${d.via})`))
 * ```
 */
export interface IrqInversionDiagnostic extends DiagnosticBase {
  /** Discriminant: `'irq-inversion'`. */
  readonly kind: 'irq-inversion'
  /** The interrupt kind the safe class is used in. */
  readonly irq: 'HARDIRQ' | 'SOFTIRQ'
  /** Found at a usage change, or at a new dependency. */
  readonly via: 'usage-change' | 'new-dependency'
  /** The class used in the interrupt. */
  readonly safe: string
  /** The class taken with that interrupt enabled. */
  readonly unsafe: string
  /** safe → … → unsafe. */
  readonly chain: readonly string[]
}

/**
 * `print_unlock_imbalance_bug()`: releasing a lock the task does not hold.
 *
 * @example
 * ```ts
 * import { createKernel, type BadUnlockBalanceDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is BadUnlockBalanceDiagnostic => d.kind === 'bad-unlock-balance')
 * console.log(found.map((d) => d.lock))
 * ```
 */
export interface BadUnlockBalanceDiagnostic extends DiagnosticBase {
  /** Discriminant: `'bad-unlock-balance'`. */
  readonly kind: 'bad-unlock-balance'
  /** What was released. */
  readonly lock: string
}

/**
 * A task ended (returned to user space) with locks still held.
 *
 * @example
 * ```ts
 * import { createKernel, type HeldLockAtExitDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is HeldLockAtExitDiagnostic => d.kind === 'held-lock-at-exit')
 * console.log(found.map((d) => `${d.task}: ${d.heldLocks.join(', ')}`))
 * ```
 */
export interface HeldLockAtExitDiagnostic extends DiagnosticBase {
  /** Discriminant: `'held-lock-at-exit'`. */
  readonly kind: 'held-lock-at-exit'
}

/**
 * More than MAX_LOCK_DEPTH (48) locks held by one task.
 *
 * @example
 * ```ts
 * import { createKernel, type MaxLockDepthDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is MaxLockDepthDiagnostic => d.kind === 'max-lock-depth')
 * console.log(found.map((d) => d.depth))
 * ```
 */
export interface MaxLockDepthDiagnostic extends DiagnosticBase {
  /** Discriminant: `'max-lock-depth'`. */
  readonly kind: 'max-lock-depth'
  /** The depth reached. */
  readonly depth: number
}

/**
 * A guard unlocked by a task other than the one that took it (its owner), here always on another
 * CPU: DEBUG_SPINLOCK's "spinlock wrong owner" for spinning kinds, DEBUG_MUTEXES' owner check for
 * sleeping ones. The unlock is refused (WrongCpuError) and the lock stays held.
 *
 * @example
 * ```ts
 * import { createKernel, type UnlockWrongOwnerDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel({ cpus: 2 })
 * const found = kernel.diagnostics.filter((d): d is UnlockWrongOwnerDiagnostic => d.kind === 'unlock-wrong-owner')
 * console.log(found.map((d) => `${d.lock} owned by ${d.owner.comm}`))
 * ```
 */
export interface UnlockWrongOwnerDiagnostic extends DiagnosticBase {
  /** Discriminant: `'unlock-wrong-owner'`. */
  readonly kind: 'unlock-wrong-owner'
  /** The lock (`spinlock_t 'stats'`). */
  readonly lock: string
  /**
   * The task that holds it.
   *
   * @property __type.comm - The owner's name.
   * @property __type.pid - The owner's pid.
   * @property __type.cpu - The CPU the owner took the lock on.
   */
  readonly owner: { readonly comm: string; readonly pid: number; readonly cpu: number }
}

/**
 * A guard still held when the scope it was taken in ended: released there, and reported.
 *
 * @example
 * ```ts
 * import { createKernel, type GuardLeakDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is GuardLeakDiagnostic => d.kind === 'guard-leak')
 * console.log(found.map((d) => d.lock))
 * ```
 */
export interface GuardLeakDiagnostic extends DiagnosticBase {
  /** Discriminant: `'guard-leak'`. */
  readonly kind: 'guard-leak'
  /** The lock (or `local_interrupt_disable()`) whose guard outlived its scope. */
  readonly lock: string
}

/**
 * Interrupts came back on while a lock taken "with interrupts off" is still held — what a
 * save/restore guard dropped out of order does (Rust-for-Linux issue #998). An interrupt whose
 * handler takes that lock can now deadlock the CPU.
 *
 * @example
 * ```ts
 * import { createKernel, type IrqsOnUnderIrqLockDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is IrqsOnUnderIrqLockDiagnostic => d.kind === 'irqs-on-under-irq-lock')
 * console.log(found.map((d) => `${d.droppedBy} re-enabled interrupts under ${d.locks.join(', ')}`))
 * ```
 */
export interface IrqsOnUnderIrqLockDiagnostic extends DiagnosticBase {
  /** Discriminant: `'irqs-on-under-irq-lock'`. */
  readonly kind: 'irqs-on-under-irq-lock'
  /** The lock(s) still held that were taken with interrupts disabled. */
  readonly locks: readonly string[]
  /** The guard whose unlock turned interrupts back on. */
  readonly droppedBy: string
}

/**
 * A task started with interrupts on and ended with them off (a stale flags restore).
 *
 * @example
 * ```ts
 * import { createKernel, type IrqsDisabledAtExitDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is IrqsDisabledAtExitDiagnostic => d.kind === 'irqs-disabled-at-exit')
 * console.log(found.map((d) => d.task))
 * ```
 */
export interface IrqsDisabledAtExitDiagnostic extends DiagnosticBase {
  /** Discriminant: `'irqs-disabled-at-exit'`. */
  readonly kind: 'irqs-disabled-at-exit'
}

/**
 * `spin_lock_nest_lock()` / `mutex_lock_nest_lock()` without the nest lock held
 * (lockdep's `print_lock_nested_lock_not_held()`).
 *
 * @example
 * ```ts
 * import { createKernel, type NestedLockNotHeldDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is NestedLockNotHeldDiagnostic => d.kind === 'nested-lock-not-held')
 * console.log(found.map((d) => d.lock))
 * ```
 */
export interface NestedLockNotHeldDiagnostic extends DiagnosticBase {
  /** Discriminant: `'nested-lock-not-held'`. */
  readonly kind: 'nested-lock-not-held'
  /** The lock taken with a nest_lock annotation. */
  readonly lock: string
}

/**
 * A sleeping lock's trylock outside task context where the kernel checks it: on PREEMPT_RT
 * `mutex_trylock()` does `WARN_ON_ONCE(!in_task())` (CONFIG_DEBUG_RT_MUTEXES) and fails.
 *
 * @example
 * ```ts
 * import { createKernel, type TrylockInInterruptDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const found = kernel.diagnostics.filter((d): d is TrylockInInterruptDiagnostic => d.kind === 'trylock-in-interrupt')
 * console.log(found.map((d) => d.lock))
 * ```
 */
export interface TrylockInInterruptDiagnostic extends DiagnosticBase {
  /** Discriminant: `'trylock-in-interrupt'`. */
  readonly kind: 'trylock-in-interrupt'
  /** The lock whose trylock was refused. */
  readonly lock: string
}

/**
 * A `WARN_ON()` fired: one of lockdep's assertions (`lockdep_assert_held()` and its family,
 * include/linux/lockdep.h) found its condition false. The kernel prints the `cut here` line and
 * `WARNING: CPU: <cpu> PID: <pid> at <function>`, then goes on; so does lockproof.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertHeld, type AnyContext, type LockdepAssertDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const port = kernel.spinLock('port', { tx: 0 })
 * const txChars = (ctx: AnyContext) => lockdepAssertHeld(ctx, port, 'serial8250_tx_chars') // held set unknown: run time
 * kernel.run((ctx) => txChars(ctx))
 * const found = kernel.diagnostics.filter((d): d is LockdepAssertDiagnostic => d.kind === 'lockdep-assert')
 * console.log(found.map((d) => d.assertion)) // ['lockdep_assert_held(port)']
 * ```
 */
export interface LockdepAssertDiagnostic extends DiagnosticBase {
  /** Discriminant: `'lockdep-assert'`. */
  readonly kind: 'lockdep-assert'
  /** The assertion that failed, as the source spells it: `lockdep_assert_held(port)`. */
  readonly assertion: string
  /** The function it is in (`%pS` in the kernel's line): the helper's name, or the assertion's. */
  readonly where: string
}

/**
 * A wait that nothing can ever end (the model executor, and the synchronous driver of waits): a
 * completion never completed, a semaphore never upped. Lock waits are {@link DeadlockDiagnostic}s.
 * The title is the hung-task report for a TASK_UNINTERRUPTIBLE sleep; lockproof's own words where
 * the kernel reports nothing (TASK_KILLABLE, TASK_INTERRUPTIBLE, TASK_RTLOCK_WAIT).
 *
 * @example
 * ```ts
 * import type { Diagnostic, WaitForeverDiagnostic } from 'lockproof'
 *
 * const stuck = (ds: readonly Diagnostic[]) => ds.filter((d): d is WaitForeverDiagnostic => d.kind === 'wait-forever').map((d) => d.channel)
 * console.log(stuck([]))
 * ```
 */
export interface WaitForeverDiagnostic extends DiagnosticBase {
  /** Discriminant: `'wait-forever'`. */
  readonly kind: 'wait-forever'
  /** What the task waits on, as `kind 'name'` (`completion 'done'`). */
  readonly channel: string
  /** The task's state while it waits (`TASK_UNINTERRUPTIBLE`, …; `TASK_RUNNING` for a spin). */
  readonly state: 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE' | 'TASK_RTLOCK_WAIT' | 'TASK_RUNNING'
}

/**
 * Everything the simulated kernel reports: `kernel.diagnostics`, and the payload of a
 * {@link KernelSplat}. A discriminated union on `kind`.
 *
 * @example
 * ```ts
 * import { createKernel, type Diagnostic } from 'lockproof'
 *
 * const summary = (d: Diagnostic): string => {
 *   switch (d.kind) {
 *     case 'invalid-wait-context': return `${d.lock} under ${d.context}`
 *     case 'circular-dependency': return d.chain.join(' -> ')
 *     default: return d.title
 *   }
 * }
 * console.log(createKernel().diagnostics.map(summary))
 * ```
 */
export type Diagnostic =
  | SchedulingWhileAtomicDiagnostic
  | WaitForeverDiagnostic
  | ProofFalsifiedDiagnostic
  | KernelWarningDiagnostic
  | NestedLockNotHeldDiagnostic
  | TrylockInInterruptDiagnostic
  | UnlockWrongOwnerDiagnostic
  | IrqsDisabledAtExitDiagnostic
  | GuardLeakDiagnostic
  | IrqsOnUnderIrqLockDiagnostic
  | CircularDependencyDiagnostic
  | InconsistentLockStateDiagnostic
  | IrqInversionDiagnostic
  | BadUnlockBalanceDiagnostic
  | HeldLockAtExitDiagnostic
  | MaxLockDepthDiagnostic
  | BadCountingDiagnostic
  | SleepingInAtomicDiagnostic
  | InvalidWaitContextDiagnostic
  | RecursiveLockingDiagnostic
  | DeadlockDiagnostic
  | LockOrderDiagnostic
  | LockdepAssertDiagnostic
  | RtTrylockDiagnostic

/**
 * `schedule()` entered from atomic context by a sleep that has no `might_sleep()` of its own
 * (`msleep()`, `CondVar::wait()`): kernel/sched/core.c `__schedule_bug()`, "BUG: scheduling while
 * atomic: comm/pid/0x%08x" with the count inside `__schedule()`. With only interrupts off the
 * kernel prints nothing (schedule() returns with them on): that title is lockproof's.
 *
 * @example
 * ```ts
 * import { createKernel, type SchedulingWhileAtomicDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is SchedulingWhileAtomicDiagnostic => d.kind === 'scheduling-while-atomic')
 * console.log(found.map((d) => `${d.what}: preempt_count ${d.preemptCount}, irqs_disabled() ${d.irqsDisabled}`))
 * ```
 */
export interface SchedulingWhileAtomicDiagnostic extends DiagnosticBase {
  /** Discriminant: `'scheduling-while-atomic'`. */
  readonly kind: 'scheduling-while-atomic'
  /** What scheduled: `msleep()`, `CondVar::wait()`. */
  readonly what: string
  /** `irqs_disabled()` at the call. */
  readonly irqsDisabled: boolean
}

/**
 * The `kind` of every diagnostic: `'sleeping-in-atomic'`, `'circular-dependency'`, ….
 *
 * @example
 * ```ts
 * import { createKernel, type DiagnosticKind } from 'lockproof'
 *
 * const count = new Map<DiagnosticKind, number>()
 * for (const d of createKernel().diagnostics) count.set(d.kind, (count.get(d.kind) ?? 0) + 1)
 * ```
 */
export type DiagnosticKind = Diagnostic['kind']
