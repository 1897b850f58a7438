/**
 * The one place a kernel's diagnostics go: recorded, traced, and thrown as a KernelSplat with
 * `onDiagnostic: 'throw'`. It also keeps the trace (every state change, with `trace: true`) and
 * the once-only state of the kernel's WARN_ON_ONCE() sites. Report texts: ./kernel-reports.ts.
 */
import { claimNames, falseClaims } from '../exec/claims.js'
import type { Cpu } from '../machine/cpu.js'
import type { Machine, Task } from '../machine/machine.js'
import type { TraceEvent, TracePayload } from '../machine/events.js'
import type { CountingField, Diagnostic } from './types.js'
import { CountingError, GuardOrderError, KernelSplat } from '../errors.js'
import { lockName } from '../lockdep/splat.js'
import type { Lockdep } from '../lockdep/validator.js'
import type { HeldLocks } from '../locks/held.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import type { ResolvedOptions } from '../options.js'
import { latencyFlags } from '../export/trace.js'
import {
  badUnlockReport,
  countingReport,
  deadlockReport,
  irqsLeftDisabledReport,
  irqsOnUnderIrqLockReport,
  kernelWarningReport,
  leakReport,
  proofFalsifiedReport,
  type Site,
} from './kernel-reports.js'
import { checkMightResched, reschedAllowed } from './might-sleep.js'
import { checkSchedule } from './schedule-bug.js'
import { rcuSuspiciousReport } from './rcu-suspicious.js'
import type { KernelWarning } from './proof-diagnostics.js'
import { countingTitle } from './titles.js'
import { kindSpec } from '../kinds/registry.js'

export class Reporter {
  readonly diagnostics: Diagnostic[] = []

  constructor(
    /** The run's state: the event log and the WARN_ON_ONCE() sites that fired live there. */
    readonly machine: Machine,
    readonly options: ResolvedOptions,
    /** This kernel's CPUs by id (a diagnostic's `cpu` is traced on its CPU). */
    readonly cpus: readonly Cpu[],
    readonly held: HeldLocks,
    readonly lockdep: Lockdep,
  ) {}

  /** Records a diagnostic; with `onDiagnostic: 'throw'` throws it as a KernelSplat. */
  report(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic)
    const cpu = this.cpus[diagnostic.cpu]
    if (cpu !== undefined && this.options.trace) this.traceEvent(cpu, { event: 'diagnostic', kind: diagnostic.kind, title: diagnostic.title, diagnostic })
    if (this.options.onDiagnostic === 'throw') throw new KernelSplat(diagnostic)
  }

  /** The machine's event log (`trace: true`). */
  get trace(): readonly TraceEvent[] {
    return this.machine.events
  }

  /** Appends one event to the machine's log (callers test `options.trace` first, so nothing is built without it). */
  traceEvent(cpu: Cpu, payload: TracePayload): void {
    const events = this.machine.events
    const task = cpu.current
    events.push({
      seq: events.length,
      cpu: cpu.id,
      pid: task.pid,
      comm: task.comm,
      ...payload,
      preemptCount: cpu.state.preemptCount,
      irqsDisabled: cpu.state.irqsDisabled,
      flags: latencyFlags(cpu),
      clockMs: this.machine.clockMs,
    } satisfies TraceEvent)
  }

  /** `sched_switch`, recorded after `cpu` runs `next`. */
  traceSwitch(cpu: Cpu, prev: Task, next: Task): void {
    if (this.options.trace) this.traceEvent(cpu, { event: 'sched_switch', prevPid: prev.pid, prevComm: prev.comm, nextPid: next.pid, nextComm: next.comm })
  }

  /** Where a report on `cpu` happens: its running task and that task's held locks. */
  #site(cpu: Cpu): Site {
    const task = cpu.current
    return { cpu, task, held: this.held.of(task), lockdep: this.lockdep }
  }

  /** `might_sleep()`: reports when sleeping is not allowed here. */
  mightSleep(cpu: Cpu, what: string): void {
    // The usual case first: nothing to report, no closure made (a lock's might_sleep step runs at every acquisition).
    if (reschedAllowed(cpu, 0, 0)) return
    const diagnostic = checkMightResched(cpu, what, () => this.held.of(cpu.current), undefined, this.lockdep)
    if (diagnostic !== null) this.report(diagnostic)
  }

  /**
   * A voluntary `schedule()` without a might_sleep() before it (`msleep()`, `CondVar::wait()`):
   * `schedule_debug()`'s "BUG: scheduling while atomic", then `rcu_note_context_switch()`'s WARN_ONCE.
   */
  schedule(cpu: Cpu, what: string): void {
    const { diagnostic, rcuWarning } = checkSchedule(cpu, what, () => this.held.of(cpu.current), this.lockdep)
    if (diagnostic !== null) this.report(diagnostic)
    if (rcuWarning) this.warnOnce(cpu, 'rcu-voluntary-context-switch')
  }

  /** `__might_resched()` with these offsets. */
  mightResched(cpu: Cpu, what: string, preemptOffset: number, rcuOffset: number): void {
    if (reschedAllowed(cpu, preemptOffset, rcuOffset)) return
    const d = checkMightResched(cpu, what, () => this.held.of(cpu.current), { preemptOffset, rcuOffset }, this.lockdep)
    if (d !== null) this.report(d)
  }

  /** The task ended with interrupts off although it started with them on (the caller turns them back on). */
  irqsLeftDisabled(cpu: Cpu, task: Task): void {
    this.report(irqsLeftDisabledReport(cpu, task))
  }

  /**
   * A guard's unlock turned interrupts back on. Anything that still relies on them being off —
   * a lock taken with an IRQ-disabling variant, a live local_interrupt_disable() — is now
   * unsafe: what a save/restore guard dropped out of order does (Rust-for-Linux #998). The
   * caller then takes the interrupts raised meanwhile.
   */
  irqsOnUnderIrqLock(cpu: Cpu, droppedBy: string): void {
    const held = this.held.of(cpu.current)
    const needing = held.filter((h) => h.irqLock).map(lockName)
    if (cpu.state.interruptDisableCount > 0) needing.push(`local_interrupt_disable() (depth ${cpu.state.interruptDisableCount})`)
    if (needing.length > 0) this.report(irqsOnUnderIrqLockReport(this.#site(cpu), droppedBy, needing))
  }

  /**
   * Interrupts, preemption or BH came back on while live contexts on `cpu` carry proofs: report
   * those in `mask` (the ones this transition can have made false) that are false now.
   */
  proofsMayBeFalse(cpu: Cpu, by: string, mask: number): void {
    const bits = falseClaims(cpu) & mask
    if (bits !== 0) this.report(proofFalsifiedReport(this.#site(cpu), by, bits, false))
  }

  /**
   * A guard's unlock would falsify proofs `bits`: reported, then refused with nothing changed —
   * unless `guardDrop: 'report'`, where the drop goes on and the unlock reports what it falsified.
   */
  refuseDrop(cpu: Cpu, what: string, bits: number): void {
    if (this.options.guardDrop === 'report') return
    this.report(proofFalsifiedReport(this.#site(cpu), what, bits, true))
    throw new GuardOrderError(
      `${what}: releasing this guard now would make ${claimNames(bits).join(', ')} false for a live context; release the guards taken from its context first`,
    )
  }

  /** A WARN_ON_ONCE() of the kernel: each site once per kernel. lockdep_assert_*() only while lockdep is on. */
  warnOnce(cpu: Cpu, warning: KernelWarning, detail = ''): void {
    if (warning === 'bh-enable-irqs-disabled' && !this.lockdep.active) return
    const warned = this.machine.warned
    if (warned.includes(warning)) return
    warned.push(warning)
    this.report(kernelWarningReport(this.#site(cpu), warning, detail))
  }

  /** `RCU_LOCKDEP_WARN()`: `lockdep_rcu_suspicious()` once per site (its static `__warned`), only while lockdep is on. */
  rcuLockdepWarn(cpu: Cpu, file: string, where: string, message: string): void {
    if (!this.lockdep.active) return
    const key = `RCU_LOCKDEP_WARN\u0000${file}\u0000${message}`
    const fired = this.machine.warnedAsserts
    if (fired.includes(key)) return
    fired.push(key)
    this.report(rcuSuspiciousReport(this.#site(cpu), file, where, message))
  }

  /** `print_unlock_imbalance_bug()`: releasing what is no longer held. */
  badUnlock(cpu: Cpu, what: string, className: string = what): void {
    // print_unlock_imbalance_bug(): `if (!debug_locks_off()) return;` — only while lockdep is on, and it turns it off.
    if (!this.lockdep.unlockImbalance()) return
    this.report(badUnlockReport(this.#site(cpu), what, className))
  }

  /** A guard outlived its scope: 'held-lock-at-exit' when the task ended, else 'guard-leak'. */
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void {
    this.report(leakReport(this.#site(cpu), what, reason))
  }

  /** Records the counting report and throws a CountingError; never returns. */
  countingError(cpu: Cpu, field: CountingField, problem: 'underflow' | 'overflow', detail: string): never {
    this.report(countingReport(this.#site(cpu), field, problem, detail))
    throw new CountingError(`${countingTitle(field, problem)}: ${detail}`)
  }

  /** The 'blocked' outcome where nothing can wait: the deadlock report; returns the error's message. */
  deadlock(cpu: Cpu, o: BlockedOutcome, spinning: boolean, rtlock = false): string {
    // spin_bug(): `if (!debug_locks_off()) return;` — it prints only while debug_locks is on (always
    // without lockdep, where nothing else clears it) and turns lockdep off.
    // A kind without a lockdep map (bit_spin_lock: a bit of a word, include/linux/bit_spinlock.h)
    // has no DEBUG_SPINLOCK owner check either: only the lockup watchdog sees it spin.
    const spinBug =
      !spinning || o.holder.cpu !== cpu.id || (kindSpec(o.lock.kind).lockdep !== null && (!this.lockdep.configured || this.lockdep.debugLocksOff()))
    const { diagnostic, message } = deadlockReport(this.#site(cpu), o, spinning, rtlock, spinBug)
    this.report(diagnostic)
    return message
  }
}
