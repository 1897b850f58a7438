/**
 * The reports the kernel object used to build inline: each a pure function from where it happened
 * (a {@link Site}) to the diagnostic. The Reporter (./reporter.ts) decides whether and when.
 */
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT, claimNames } from '../exec/claims.js'
import type { Cpu } from '../machine/cpu.js'
import type { Task } from '../machine/machine.js'
import type { CountingField, Diagnostic } from './types.js'
import { banner, dumpStackLine, heldLockLines } from '../lockdep/splat.js'
import type { HeldLinesLockdep } from '../lockdep/splat.js'
import { lockNames, type HeldLock } from '../locks/held.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import type { KernelWarning } from './proof-diagnostics.js'
import {
  BAD_UNLOCK_BALANCE_TITLE,
  GUARD_LEAK_TITLE,
  HELD_LOCK_AT_EXIT_TITLE,
  IRQS_DISABLED_AT_EXIT_TITLE,
  IRQS_ON_UNDER_IRQ_LOCK_TITLE,
  PROOF_FALSIFIED_TITLE,
  countingTitle,
  deadlockTitle,
  kernelWarningTitle,
} from './titles.js'

/** Where a report happens: the CPU, its running task and that task's held-lock stack. */
export interface Site {
  readonly cpu: Cpu
  readonly task: Task
  readonly held: readonly HeldLock[]
  /** The kernel's lockdep, for the held-lock lines (its LD_WAIT_* values and classes). */
  readonly lockdep: HeldLinesLockdep
}

/** How a report words each proof. */
const PROOF_WORDS = { IrqDisabled: 'interrupts', PreemptDisabled: 'preemption', BhDisabled: 'bottom halves' } as const

/** The second line of each kernel warning: what went wrong, in words. */
const WARNING_WHY: Record<KernelWarning, string> = {
  'bh-disable-in-hardirq': 'local_bh_disable() in hard interrupt context',
  'bh-enable-in-hardirq': 'local_bh_enable() in hard interrupt context',
  'bh-enable-irqs-disabled': 'local_bh_enable() with interrupts disabled; with TRACE_IRQFLAGS it ends in local_irq_enable()',
  'irq-handler-enabled-interrupts': 'the handler returned with interrupts enabled; they are disabled again',
  'rcu-voluntary-context-switch':
    'rcu_note_context_switch(): a voluntary schedule() (msleep(), CondVar::wait()) inside rcu_read_lock() — on PREEMPT_RT also inside spinlock_t, which takes it',
  'bogus-irq-restore':
    'local_irq_restore() with interrupts already enabled: something between the save and the restore turned them on (an _irq unlock, local_irq_enable())',
  'not-in-threaded-context':
    'in hard interrupt context that PREEMPT_RT does not thread (IRQF_NO_THREAD, a hard timer): complete_all() wakes every waiter under a raw lock there',
}

const heldLines = (s: Site): string[] => heldLockLines(s.task.comm, s.task.pid, s.held, s.lockdep)

/** What every report says of its site (DiagnosticBase's cpu, task, heldLocks, preemptCount). */
const siteFields = (s: Site) => ({ cpu: s.cpu.id, task: s.task.comm, heldLocks: lockNames(s.held), preemptCount: s.cpu.preemptCount })

/**
 * The task ended with interrupts off although it started with them on: what save/restore
 * guards dropped out of order leave behind (the last restore brings back "disabled").
 */
export const irqsLeftDisabledReport = (cpu: Cpu, task: Task): Diagnostic => ({
  kind: 'irqs-disabled-at-exit',
  title: IRQS_DISABLED_AT_EXIT_TITLE,
  cpu: cpu.id,
  task: task.comm,
  heldLocks: [],
  preemptCount: cpu.preemptCount,
  report: [
    ...banner(IRQS_DISABLED_AT_EXIT_TITLE),
    `${task.comm}/${task.pid} started with interrupts enabled and ended with them disabled.`,
    'A flags restore brought back a state saved under a lock that was already released',
    '(save/restore guards dropped out of order). Interrupts are re-enabled now.',
  ].join('\n'),
})

/** A guard's unlock turned interrupts back on while `needing` still relies on them being off. */
export const irqsOnUnderIrqLockReport = (s: Site, droppedBy: string, needing: readonly string[]): Diagnostic => {
  const { task } = s
  return {
    kind: 'irqs-on-under-irq-lock',
    title: IRQS_ON_UNDER_IRQ_LOCK_TITLE,
    ...siteFields(s),
    locks: needing,
    droppedBy,
    report: [
      ...banner(IRQS_ON_UNDER_IRQ_LOCK_TITLE),
      `${task.comm}/${task.pid} released ${droppedBy}, and its saved flags turned interrupts back on,`,
      'while this still relies on them being off:',
      ...needing.map((n) => `  ${n}`),
      'An interrupt whose handler takes one of those locks now deadlocks this CPU.',
      'Fix: release in reverse order (use callbacks), or count interrupt disabling',
      "(local_interrupt_disable(); the default irqDisable: 'counted').",
      ...heldLines(s),
    ].join('\n'),
  }
}

/** Proofs `bits` of a live context are false after `by` (`refused`: the drop that would do it was refused). */
export const proofFalsifiedReport = (s: Site, by: string, bits: number, refused: boolean): Diagnostic => {
  const { cpu, task } = s
  const proofs = claimNames(bits)
  const contexts = Math.max(bits & CLAIM_IRQ ? cpu.claimIrq : 0, bits & CLAIM_PREEMPT ? cpu.claimPreempt : 0, bits & CLAIM_BH ? cpu.claimBh : 0)
  const what = proofs.map((p) => PROOF_WORDS[p]).join(', ')
  return {
    kind: 'proof-falsified',
    title: PROOF_FALSIFIED_TITLE,
    ...siteFields(s),
    proofs,
    by,
    contexts,
    refused,
    report: [
      ...banner(PROOF_FALSIFIED_TITLE),
      refused
        ? `${task.comm}/${task.pid} tries to release ${by}, which would turn ${what} back on,`
        : `${task.comm}/${task.pid}: ${by} turned ${what} back on,`,
      `while a live context on CPU ${cpu.id} proves them off (${proofs.join(', ')}).`,
      refused
        ? 'Refused: the guard stays held. Release the guards taken from its context first.'
        : 'Code holding that context relies on something no longer true (a nested _irq unlock, a _bh release, a guard dropped early).',
      ...heldLines(s),
    ].join('\n'),
  }
}

/** A WARN_ON_ONCE() of the kernel. */
export const kernelWarningReport = (s: Site, warning: KernelWarning, detail: string): Diagnostic => {
  const { cpu, task } = s
  const title = kernelWarningTitle(warning, detail)
  return {
    kind: 'kernel-warning',
    warning,
    title,
    ...siteFields(s),
    report: [title, `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`, WARNING_WHY[warning], ...heldLines(s)].join('\n'),
  }
}

/** `print_unlock_imbalance_bug()`: releasing what is no longer held. */
export const badUnlockReport = (s: Site, what: string, className: string): Diagnostic => {
  const { task } = s
  return {
    kind: 'bad-unlock-balance',
    title: BAD_UNLOCK_BALANCE_TITLE,
    ...siteFields(s),
    lock: what,
    report: [
      ...banner(BAD_UNLOCK_BALANCE_TITLE),
      `${task.comm}/${task.pid} is trying to release lock (${className}) at:`,
      `  ${what}: guard.unlock()`,
      'but there are no more locks to release!',
      '',
      'other info that might help us debug this:',
      ...heldLines(s),
      // `pr_warn("\nstack backtrace:\n"); dump_stack();`
      '',
      'stack backtrace:',
      dumpStackLine(s.cpu.id, task.pid, task.comm),
    ].join('\n'),
  }
}

/** A guard outlived its scope: 'held-lock-at-exit' when the task ended, else 'guard-leak'. */
export const leakReport = (s: Site, what: string, reason: 'scope' | 'task'): Diagnostic => {
  const { task } = s
  const base = siteFields(s)
  const lines = (title: string, first: string, ...after: string[]): string => [...banner(title), first, ...heldLines(s), ...after].join('\n')
  if (reason === 'task') {
    // lockdep_sys_exit(): `pr_warn("%s/%d is leaving the kernel with locks still held!\n", ...);
    // lockdep_print_held_locks(curr);` — no stack dump. What lockproof does next is its own line.
    return {
      ...base,
      kind: 'held-lock-at-exit',
      title: HELD_LOCK_AT_EXIT_TITLE,
      report: lines(HELD_LOCK_AT_EXIT_TITLE, `${task.comm}/${task.pid} is leaving the kernel with locks still held!`, `lockproof: ${what} released now`),
    }
  }
  return {
    ...base,
    kind: 'guard-leak',
    title: GUARD_LEAK_TITLE,
    lock: what,
    report: lines(GUARD_LEAK_TITLE, `${task.comm}/${task.pid}: the guard of ${what} outlived the scope it was taken in; released there.`),
  }
}

/** A preempt_count field (or task counter) would wrap: refused, nothing changed. */
export const countingReport = (s: Site, field: CountingField, problem: 'underflow' | 'overflow', detail: string): Diagnostic => {
  const { cpu, task } = s
  const title = countingTitle(field, problem)
  return {
    kind: 'bad-counting',
    title,
    field,
    problem,
    ...siteFields(s),
    report: [title, `${detail}; refused, nothing changed`, `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`].join('\n'),
  }
}

/** The 'blocked' outcome where nothing can wait: a deadlock (`spinning`: the lock spins on this kernel; `rtlock`: a lock that spins on the normal kernel sleeps on this one). */
export const deadlockReport = (
  s: Site,
  o: BlockedOutcome,
  spinning: boolean,
  rtlock = false,
  /** `spin_bug()` prints (debug_locks was still on); else a lockup watchdog reports the spin. */
  spinBug = true,
): { readonly diagnostic: Diagnostic; readonly message: string } => {
  const { cpu, task: t } = s
  const holder = o.holder
  const recursion = spinning && holder.cpu === cpu.id && spinBug
  const title = deadlockTitle(spinning, holder.cpu === cpu.id, cpu.id, t.comm, t.pid, cpu.state.irqsDisabled, rtlock, spinBug)
  const message = `${o.lock.label} is held by ${holder.comm}/${holder.pid} on CPU ${holder.cpu}, which cannot run until ${t.comm} gives up CPU ${cpu.id}`
  // spin_dump(): `printk(KERN_EMERG " lock: %pS, .magic: %08x, .owner: %s/%d, .owner_cpu: %d\n", ...); dump_stack();`
  // (SPINLOCK_MAGIC 0xdead4ead); the watchdogs and the hung-task detector print no banner either.
  const kernelLines = recursion
    ? [` lock: ${o.lock.label}, .magic: dead4ead, .owner: ${holder.comm}/${holder.pid}, .owner_cpu: ${holder.cpu}`, dumpStackLine(cpu.id, t.pid, t.comm)]
    : !spinning && !rtlock
      ? // check_hung_task(): `pr_err("      %s %s %.*s\n", print_tainted(), ...)` and the sysctl hint (as the model's
        // report), then debug_show_blocker() (CONFIG_DETECT_HUNG_TASK_BLOCKER, `depends on !PREEMPT_RT`) for a mutex.
        [
          '      Not tainted lockproof',
          '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
          ...(o.lock.kind === 'mutex' && !cpu.preemptRt
            ? [`INFO: task ${t.comm}:${t.pid} is blocked on a mutex likely owned by task ${holder.comm}:${holder.pid}.`]
            : []),
        ]
      : []
  return {
    message: `${title}: ${message}`,
    diagnostic: {
      kind: 'deadlock',
      title,
      ...siteFields(s),
      lock: o.lock.label,
      holder: { comm: holder.comm, pid: holder.pid, cpu: holder.cpu },
      report: [title, ...kernelLines, `lockproof: ${message}`, ...heldLines(s)].join('\n'),
    },
  }
}
