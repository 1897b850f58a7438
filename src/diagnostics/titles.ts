/**
 * Every report's title (its first line), in one place: the kernel's own, exactly, and
 * lockproof's. Exported as values, so that `d.title === GUARD_LEAK_TITLE` selects reports.
 */
import { hardLockupTitle, hungTaskTitle, softLockupTitle, unwatchedTitle } from '../exec/model/watchdog-reports.js'
import type { CountingField } from './types.js'
import type { KernelWarning } from './proof-diagnostics.js'

/** lockdep's report titles (kernel/locking/lockdep.c). */
export const TITLES = {
  circular: 'WARNING: possible circular locking dependency detected',
  recursive: 'WARNING: possible recursive locking detected',
  inconsistent: 'WARNING: inconsistent lock state',
  inversion: 'WARNING: possible irq lock inversion dependency detected',
  invalidWait: '[ BUG: Invalid wait context ]',
  maxDepth: 'BUG: MAX_LOCK_DEPTH too low!',
  nestLockNotHeld: 'WARNING: Nested lock was not taken',
} as const

/** A declared `lockOrder` broken at run time (lockproof's own check, reported as lockdep reports). */
export const LOCK_ORDER_TITLE = 'lockproof: declared lock order broken'

/** `WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected` (irqclass `HARDIRQ-READ` for a read usage). */
export const badIrqDependencyTitle = (irqclass: string): string => `WARNING: ${irqclass}-safe -> ${irqclass}-unsafe lock order detected`

/** The warning's first line, as the kernel prints it (the function and the condition). */
export const kernelWarningTitle = (w: KernelWarning, detail = ''): string => {
  switch (w) {
    case 'bh-disable-in-hardirq':
      return 'WARNING: kernel/softirq.c at __local_bh_disable_ip(): WARN_ON_ONCE(in_hardirq())'
    case 'bh-enable-in-hardirq':
      return 'WARNING: kernel/softirq.c at __local_bh_enable_ip(): WARN_ON_ONCE(in_hardirq())'
    case 'bh-enable-irqs-disabled':
      return 'WARNING: kernel/softirq.c at __local_bh_enable_ip(): lockdep_assert_irqs_enabled()'
    case 'irq-handler-enabled-interrupts':
      return `WARNING: kernel/irq/handle.c at __handle_irq_event_percpu(): ${detail} enabled interrupts`
    case 'not-in-threaded-context':
      return `WARNING: ${detail}: lockdep_assert_RT_in_threaded_ctx(): Not in threaded context on PREEMPT_RT as expected`
    case 'rcu-voluntary-context-switch':
      return 'WARNING: kernel/rcu/tree_plugin.h at rcu_note_context_switch(): Voluntary context switch within RCU read-side critical section!'
    case 'bogus-irq-restore':
      return 'WARNING: kernel/locking/irqflag-debug.c at warn_bogus_irq_restore(): raw_local_irq_restore() called with IRQs enabled'
  }
}

/**
 * The title of a {@link ProofFalsifiedDiagnostic}.
 *
 * @example
 * ```ts
 * import { createKernel, PROOF_FALSIFIED_TITLE } from 'lockproof'
 *
 * const lies = createKernel().diagnostics.filter((d) => d.title === PROOF_FALSIFIED_TITLE)
 * console.log(lies.length) // 0
 * ```
 */
export const PROOF_FALSIFIED_TITLE = 'lockproof: a live context proves what is no longer true'

/**
 * The title of a {@link GuardLeakDiagnostic}.
 *
 * @example
 * ```ts
 * import { createKernel, GUARD_LEAK_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === GUARD_LEAK_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const GUARD_LEAK_TITLE = 'lockproof: guard still held when its scope ended'
/**
 * The title of an {@link IrqsOnUnderIrqLockDiagnostic}.
 *
 * @example
 * ```ts
 * import { createKernel, IRQS_ON_UNDER_IRQ_LOCK_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === IRQS_ON_UNDER_IRQ_LOCK_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const IRQS_ON_UNDER_IRQ_LOCK_TITLE =
  'lockproof: interrupts enabled while an IRQ-disabling lock is held (guards dropped out of order, Rust-for-Linux #998)'
/**
 * The title of an {@link IrqsDisabledAtExitDiagnostic}.
 *
 * @example
 * ```ts
 * import { createKernel, IRQS_DISABLED_AT_EXIT_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === IRQS_DISABLED_AT_EXIT_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const IRQS_DISABLED_AT_EXIT_TITLE = 'lockproof: task ended with interrupts disabled'
/**
 * The title of a {@link BadUnlockBalanceDiagnostic}, as the kernel prints it.
 *
 * @example
 * ```ts
 * import { createKernel, BAD_UNLOCK_BALANCE_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === BAD_UNLOCK_BALANCE_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const BAD_UNLOCK_BALANCE_TITLE = 'WARNING: bad unlock balance detected!'
/**
 * The title of a {@link HeldLockAtExitDiagnostic}, as the kernel prints it.
 *
 * @example
 * ```ts
 * import { createKernel, HELD_LOCK_AT_EXIT_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === HELD_LOCK_AT_EXIT_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const HELD_LOCK_AT_EXIT_TITLE = 'WARNING: lock held when returning to user space!'

/**
 * The title of a {@link SleepingInAtomicDiagnostic}, as the kernel prints it.
 *
 * @example
 * ```ts
 * import { createKernel, SLEEPING_IN_ATOMIC_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === SLEEPING_IN_ATOMIC_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const SLEEPING_IN_ATOMIC_TITLE = 'BUG: sleeping function called from invalid context'

/**
 * The warning the kernel prints for each counting mistake (DEBUG_PREEMPT, migrate_enable, RCU).
 *
 * @example
 * ```ts
 * import { countingTitle } from 'lockproof'
 *
 * console.log(countingTitle('preempt', 'underflow')) // WARNING: DEBUG_LOCKS_WARN_ON(val > preempt_count())
 * ```
 */
export const countingTitle = (field: CountingField, problem: 'underflow' | 'overflow'): string => {
  if (field === 'preempt' || field === 'softirq' || field === 'hardirq' || field === 'nmi') {
    return problem === 'underflow' ? 'WARNING: DEBUG_LOCKS_WARN_ON(val > preempt_count())' : `WARNING: ${field} field of preempt_count overflows`
  }
  if (field === 'migrate') return 'WARNING: migrate_enable() without migrate_disable()'
  if (field === 'rcu') return problem === 'underflow' ? 'WARNING: rcu_read_unlock() without rcu_read_lock()' : 'WARNING: RCU nesting overflows'
  return problem === 'underflow' ? 'WARNING: local_interrupt_enable() without local_interrupt_disable()' : 'WARNING: interrupt-disable count overflows'
}

/** CONFIG_DEBUG_SPINLOCK's `spin_bug()` and lockdep's owner check for a sleeping lock (unlock-wrong-owner). */
export const wrongOwnerTitle = (sleeping: boolean, cpu: number, comm: string, pid: number): string =>
  sleeping ? 'WARNING: DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)' : `BUG: spinlock wrong owner on CPU#${cpu}, ${comm}/${pid}`

/**
 * A lock that can never be taken: `spin_bug()`'s recursion on the holder's own CPU; across CPUs
 * the watchdogs' words, as current kernels have no spinlock lockup report of their own
 * (spinlock_debug.c: "We are now relying on the NMI watchdog to detect lockup") — the hard
 * lockup when the spinner has interrupts off, the soft lockup otherwise; for a sleeping lock the
 * hung-task report, except for an RT sleeping spinlock (TASK_RTLOCK_WAIT), which
 * check_hung_uninterruptible_tasks() does not look at: lockproof's own words then.
 * `spinBug`: `spin_bug()` begins `if (!debug_locks_off()) return;` — once a lockdep report turned
 * debug_locks off it prints nothing and the CPU spins until a lockup watchdog reports it.
 */
export const deadlockTitle = (
  spinning: boolean,
  sameCpu: boolean,
  cpu: number,
  comm: string,
  pid: number,
  irqsOff = false,
  rtlock = false,
  spinBug = true,
): string =>
  spinning
    ? sameCpu && spinBug
      ? `BUG: spinlock recursion on CPU#${cpu}, ${comm}/${pid}`
      : irqsOff
        ? hardLockupTitle(cpu)
        : softLockupTitle(cpu, comm, pid)
    : rtlock
      ? unwatchedTitle(comm, pid, 'TASK_RTLOCK_WAIT')
      : hungTaskTitle(comm, pid)

/** `__WARN_printf()`'s first line: `WARNING: CPU: 0 PID: 1 at <where>`. */
export const warnAtTitle = (cpu: number, pid: number, where: string): string => `WARNING: CPU: ${cpu} PID: ${pid} at ${where}`

/**
 * `__schedule_bug()` (kernel/sched/core.c): `printk(KERN_ERR "BUG: scheduling while atomic:
 * %s/%d/0x%08x\n", prev->comm, prev->pid, preempt_count());` — the count inside `__schedule()`.
 *
 * @example
 * ```ts
 * import { schedulingWhileAtomicTitle } from 'lockproof'
 *
 * console.log(schedulingWhileAtomicTitle('task-1', 1, 2)) // BUG: scheduling while atomic: task-1/1/0x00000002
 * ```
 */
export const schedulingWhileAtomicTitle = (comm: string, pid: number, count: number): string =>
  `BUG: scheduling while atomic: ${comm}/${pid}/0x${count.toString(16).padStart(8, '0')}`

/**
 * A voluntary schedule() with only interrupts off: the kernel prints nothing (schedule_debug()
 * looks at preempt_count only); lockproof's words.
 *
 * @example
 * ```ts
 * import { createKernel, SCHEDULING_IRQS_OFF_TITLE } from 'lockproof'
 *
 * const found = createKernel().diagnostics.filter((d) => d.title === SCHEDULING_IRQS_OFF_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const SCHEDULING_IRQS_OFF_TITLE = 'lockproof: scheduling with interrupts disabled (the kernel does not report it)'
