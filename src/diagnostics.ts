/**
 * What the simulated kernel reports, as a discriminated union on `kind`. Each carries the
 * kernel's own title and a `report` laid out like the kernel's splat.
 */
export interface DiagnosticBase {
  /** The kernel's first line for this report, exactly. */
  readonly title: string
  readonly cpu: number
  /** `comm` of the task running on that CPU, or null when none was (idle). */
  readonly task: string | null
  /** Lock classes the task held, outermost first. */
  readonly heldLocks: readonly string[]
  readonly preemptCount: number
  /** The whole multi-line splat. */
  readonly report: string
}

/** Which counter went wrong, and how. */
export type CountingField = 'preempt' | 'softirq' | 'hardirq' | 'nmi' | 'interrupt-disable' | 'migrate' | 'rcu'

/** A counter was decremented below zero or incremented past its field (DEBUG_PREEMPT's warnings). */
export interface BadCountingDiagnostic extends DiagnosticBase {
  readonly kind: 'bad-counting'
  readonly field: CountingField
  readonly problem: 'underflow' | 'overflow'
}

/** `__might_resched()`: something that may sleep ran where it must not (kernel/sched/core.c). */
export interface SleepingInAtomicDiagnostic extends DiagnosticBase {
  readonly kind: 'sleeping-in-atomic'
  /** What tried to sleep: `might_sleep()`, `msleep()`, or a lock (`mutex 'cfg'`). */
  readonly what: string
  readonly inAtomic: boolean
  readonly irqsDisabled: boolean
  readonly rcuDepth: number
}

/** lockdep's `check_wait_context()`: a lock taken where its wait type is not allowed. */
export interface InvalidWaitContextDiagnostic extends DiagnosticBase {
  readonly kind: 'invalid-wait-context'
  /** The lock being taken (`spinlock_t 'stats'`). */
  readonly lock: string
  /** The innermost held lock or context that forbids it (`raw_spinlock_t 'hw'`, `hardirq`). */
  readonly context: string
}

/** lockdep's `check_deadlock()`: a class taken again while held (AA), without nesting annotation. */
export interface RecursiveLockingDiagnostic extends DiagnosticBase {
  readonly kind: 'recursive-locking'
  readonly lock: string
}

/** The acquisition can never succeed: its holder cannot run before this context finishes. */
export interface DeadlockDiagnostic extends DiagnosticBase {
  readonly kind: 'deadlock'
  readonly lock: string
  /** The task holding it, and its CPU. */
  readonly holder: { readonly comm: string; readonly pid: number; readonly cpu: number }
}

/** A kernel's declared `lockOrder` broken at run time (JavaScript callers; the types refuse it). */
export interface LockOrderDiagnostic extends DiagnosticBase {
  readonly kind: 'lock-order'
  readonly lock: string
  readonly heldLater: string
}

/** `check_noncircular()`: the new dependency closes a cycle in the class graph. */
export interface CircularDependencyDiagnostic extends DiagnosticBase {
  readonly kind: 'circular-dependency'
  /** The lock being taken. */
  readonly lock: string
  /** The held lock the new edge starts from. */
  readonly held: string
  /** The existing chain from `lock` to `held`, class names in order: lock → … → held. */
  readonly chain: readonly string[]
}

/** `print_usage_bug()`: a class used in an interrupt and with that interrupt enabled. */
export interface InconsistentLockStateDiagnostic extends DiagnosticBase {
  readonly kind: 'inconsistent-lock-state'
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
 */
export interface IrqInversionDiagnostic extends DiagnosticBase {
  readonly kind: 'irq-inversion'
  readonly irq: 'HARDIRQ' | 'SOFTIRQ'
  readonly via: 'usage-change' | 'new-dependency'
  /** The class used in the interrupt. */
  readonly safe: string
  /** The class taken with that interrupt enabled. */
  readonly unsafe: string
  /** safe → … → unsafe. */
  readonly chain: readonly string[]
}

/** `print_unlock_imbalance_bug()`: releasing a lock the task does not hold. */
export interface BadUnlockBalanceDiagnostic extends DiagnosticBase {
  readonly kind: 'bad-unlock-balance'
  readonly lock: string
}

/** A task ended (returned to user space) with locks still held. */
export interface HeldLockAtExitDiagnostic extends DiagnosticBase {
  readonly kind: 'held-lock-at-exit'
}

/** More than MAX_LOCK_DEPTH (48) locks held by one task. */
export interface MaxLockDepthDiagnostic extends DiagnosticBase {
  readonly kind: 'max-lock-depth'
  readonly depth: number
}

/** A guard still held when the scope it was taken in ended: released there, and reported. */
export interface GuardLeakDiagnostic extends DiagnosticBase {
  readonly kind: 'guard-leak'
  readonly lock: string
}

/**
 * Interrupts came back on while a lock taken "with interrupts off" is still held — what a
 * save/restore guard dropped out of order does (Rust-for-Linux issue #998). An interrupt whose
 * handler takes that lock can now deadlock the CPU.
 */
export interface IrqsOnUnderIrqLockDiagnostic extends DiagnosticBase {
  readonly kind: 'irqs-on-under-irq-lock'
  /** The lock(s) still held that were taken with interrupts disabled. */
  readonly locks: readonly string[]
  /** The guard whose unlock turned interrupts back on. */
  readonly droppedBy: string
}

/** A task started with interrupts on and ended with them off (a stale flags restore). */
export interface IrqsDisabledAtExitDiagnostic extends DiagnosticBase {
  readonly kind: 'irqs-disabled-at-exit'
}

export type Diagnostic =
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

export type DiagnosticKind = Diagnostic['kind']

export const GUARD_LEAK_TITLE = 'lockproof: guard still held when its scope ended'
export const IRQS_ON_UNDER_IRQ_LOCK_TITLE =
  'lockproof: interrupts enabled while an IRQ-disabling lock is held (guards dropped out of order, Rust-for-Linux #998)'
export const IRQS_DISABLED_AT_EXIT_TITLE = 'lockproof: task ended with interrupts disabled'
export const BAD_UNLOCK_BALANCE_TITLE = 'WARNING: bad unlock balance detected!'
export const HELD_LOCK_AT_EXIT_TITLE = 'WARNING: lock held when returning to user space!'

export const SLEEPING_IN_ATOMIC_TITLE = 'BUG: sleeping function called from invalid context'

/** The warning the kernel prints for each counting mistake (DEBUG_PREEMPT, migrate_enable, RCU). */
export const countingTitle = (field: CountingField, problem: 'underflow' | 'overflow'): string => {
  if (field === 'preempt' || field === 'softirq' || field === 'hardirq' || field === 'nmi') {
    return problem === 'underflow'
      ? 'WARNING: DEBUG_LOCKS_WARN_ON(val > preempt_count())'
      : `WARNING: ${field} field of preempt_count overflows`
  }
  if (field === 'migrate') return 'WARNING: migrate_enable() without migrate_disable()'
  if (field === 'rcu') return problem === 'underflow' ? 'WARNING: rcu_read_unlock() without rcu_read_lock()' : 'WARNING: RCU nesting overflows'
  return problem === 'underflow'
    ? 'WARNING: local_interrupt_enable() without local_interrupt_disable()'
    : 'WARNING: interrupt-disable count overflows'
}
