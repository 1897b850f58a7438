/**
 * `RCU_LOCKDEP_WARN(c, s)` (include/linux/rcupdate.h): once per site, while lockdep runs, it calls
 * `lockdep_rcu_suspicious(__FILE__, __LINE__, s)` (kernel/locking/lockdep.c), which prints
 *   =============================
 *   WARNING: suspicious RCU usage
 *   -----------------------------
 *   kernel/rcu/tree.c:NNNN Illegal synchronize_rcu() in RCU read-side critical section!
 *
 *   other info that might help us debug this:
 *
 *
 *   rcu_scheduler_active = 2, debug_locks = 1
 *   1 lock held by task/1:                       (lockdep_print_held_locks())
 *    #0: …
 *
 *   stack backtrace:
 *   CPU: 0 UID: 0 PID: 1 Comm: task              (dump_stack())
 * Not a WARN(): no "cut here" line, no taint, and lockdep stays on. lockproof has no line
 * numbers: the file is followed by the function. print_kernel_ident() is not printed, as in
 * lockproof's other lockdep reports.
 */
import { banner, dumpStackLine, heldLockLines } from '../lockdep/splat.js'
import { lockNames } from '../locks/held.js'
import type { Site } from './kernel-reports.js'
import type { LockdepAssertDiagnostic } from './types.js'

/** The title of lockdep_rcu_suspicious()'s report. */
export const RCU_SUSPICIOUS_TITLE = 'WARNING: suspicious RCU usage'

/** lockdep_rcu_suspicious()'s report, as a {@link LockdepAssertDiagnostic} (`assertion` is the message `s`). */
export const rcuSuspiciousReport = (s: Site, file: string, where: string, message: string): LockdepAssertDiagnostic => {
  const { cpu, task } = s
  return {
    kind: 'lockdep-assert',
    title: RCU_SUSPICIOUS_TITLE,
    cpu: cpu.id,
    task: task.comm,
    heldLocks: lockNames(s.held),
    preemptCount: cpu.preemptCount,
    assertion: message,
    where,
    report: [
      ...banner(RCU_SUSPICIOUS_TITLE, 29),
      `${file} ${where}(): ${message}!`,
      '',
      'other info that might help us debug this:',
      '',
      '',
      // RCU_SCHEDULER_RUNNING; debug_locks is 1 (RCU_LOCKDEP_WARN() is silent once lockdep is off).
      'rcu_scheduler_active = 2, debug_locks = 1',
      ...heldLockLines(task.comm, task.pid, s.held, s.lockdep),
      '',
      'stack backtrace:',
      dumpStackLine(cpu.id, task.pid, task.comm),
    ].join('\n'),
  }
}
