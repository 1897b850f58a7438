/**
 * `__might_resched()` (kernel/sched/core.c): the check and the splat it prints.
 *   BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580
 *   in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: task
 *   preempt_count: 1, expected: 0
 *   RCU nest depth: 0, expected: 0
 *   1 lock held by task/1:            (debug_show_held_locks(); "INFO: lockdep is turned off." after a lockdep report)
 *    #0: (stats){+.+.}-{3:3}, spinlock_t 'stats'
 *   CPU: 0 UID: 0 PID: 1 Comm: task   (dump_stack())
 * Not printed: print_irqtrace_events() with interrupts off, "Preemption disabled at:" (no
 * instruction pointers here). Not modelled: the one-report-per-second rate limit (`prev_jiffy`).
 */
import type { Cpu } from '../machine/cpu.js'
import { preemptCount } from '../machine/predicates.js'
import { debugShowHeldLocks, dumpStackLine } from '../lockdep/splat.js'
import type { HeldLinesLockdep } from '../lockdep/splat.js'
import { lockNames, type HeldLock } from '../locks/held.js'
import type { SleepingInAtomicDiagnostic } from './types.js'
import { SLEEPING_IN_ATOMIC_TITLE } from './titles.js'

/** What the caller expects to hold while it may sleep: the offsets of `__might_resched()`. */
export interface Resched {
  readonly preemptOffset: number
  readonly rcuOffset: number
}

export const NO_OFFSETS: Resched = { preemptOffset: 0, rcuOffset: 0 }

/** `__might_resched()`'s test: preempt_count and the RCU depth are what the caller expects, interrupts on (nothing to report). */
export const reschedAllowed = (cpu: Cpu, preemptOffset: number, rcuOffset: number): boolean =>
  preemptCount(cpu.state) === preemptOffset && cpu.current.rcuReadLockNesting === rcuOffset && !cpu.irqsDisabled

/** Null when sleeping is fine here, else the diagnostic (the caller records it). */
export const checkMightResched = (
  cpu: Cpu,
  what: string,
  /** The task's held locks, asked for only when there is something to report. */
  heldOf: () => readonly HeldLock[],
  offsets: Resched = NO_OFFSETS,
  /** The kernel's lockdep, for the held-lock lines (its LD_WAIT_* values and classes). */
  lockdep: HeldLinesLockdep,
): SleepingInAtomicDiagnostic | null => {
  if (reschedAllowed(cpu, offsets.preemptOffset, offsets.rcuOffset)) return null
  const count = preemptCount(cpu.state)
  const rcuDepth = cpu.current.rcuReadLockNesting
  const irqsOff = cpu.irqsDisabled
  const task = cpu.current
  const held = heldOf()
  const heldLocks = lockNames(held)
  const lines = [
    `${SLEEPING_IN_ATOMIC_TITLE} at ${what}`,
    `in_atomic(): ${count !== 0 ? 1 : 0}, irqs_disabled(): ${irqsOff ? 1 : 0}, non_block: 0, pid: ${task.pid}, name: ${task.comm}`,
    `preempt_count: ${count.toString(16)}, expected: ${offsets.preemptOffset.toString(16)}`,
    `RCU nest depth: ${rcuDepth}, expected: ${offsets.rcuOffset}`,
    // debug_show_held_locks(current): "INFO: lockdep is turned off." once a report turned it off.
    ...debugShowHeldLocks(task.comm, task.pid, held, lockdep),
    dumpStackLine(cpu.id, task.pid, task.comm),
  ]
  return {
    kind: 'sleeping-in-atomic',
    title: SLEEPING_IN_ATOMIC_TITLE,
    cpu: cpu.id,
    task: task.comm,
    heldLocks,
    preemptCount: count,
    what,
    inAtomic: count !== 0,
    irqsDisabled: irqsOff,
    rcuDepth,
    report: lines.join('\n'),
  }
}
