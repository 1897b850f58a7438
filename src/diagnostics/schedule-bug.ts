/**
 * What `schedule()` itself checks, for the sleeps that reach it without a `might_sleep()`:
 * `msleep()` (kernel/time/sleep_timeout.c: `while (timeout) timeout =
 * schedule_timeout_uninterruptible(timeout);`) and Rust's `CondVar::wait()` (`schedule_timeout()`
 * under `do_unlocked()`).
 *   BUG: scheduling while atomic: task/1/0x00000002     (kernel/sched/core.c __schedule_bug())
 *   1 lock held by task/1:                              (debug_show_held_locks(prev))
 *    #0: (s){+.+.}-{3:3}, spinlock_t 's'
 *   Modules linked in:                                  (print_modules())
 *   CPU: 0 UID: 0 PID: 1 Comm: task                     (dump_stack())
 */
import type { Cpu } from '../machine/cpu.js'
import { preemptCount } from '../machine/predicates.js'
import { debugShowHeldLocks, dumpStackLine } from '../lockdep/splat.js'
import type { HeldLinesLockdep } from '../lockdep/splat.js'
import { lockNames, type HeldLock } from '../locks/held.js'
import type { SchedulingWhileAtomicDiagnostic } from './types.js'
import { schedulingWhileAtomicTitle, SCHEDULING_IRQS_OFF_TITLE } from './titles.js'

/** What a voluntary `schedule()` prints: `schedule_debug()`'s report, then `rcu_note_context_switch()`'s warning. */
export interface ScheduleCheck {
  readonly diagnostic: SchedulingWhileAtomicDiagnostic | null
  /** `rcu_note_context_switch()`: `WARN_ONCE(!preempt && rcu_preempt_depth() > 0, "Voluntary context switch within RCU read-side critical section!")`. */
  readonly rcuWarning: boolean
}

const OK: ScheduleCheck = Object.freeze({ diagnostic: null, rcuWarning: false })
const RCU_ONLY: ScheduleCheck = Object.freeze({ diagnostic: null, rcuWarning: true })

/** The checks of a voluntary `schedule()` from `cpu`'s current task, at `what`. */
export const checkSchedule = (cpu: Cpu, what: string, heldOf: () => readonly HeldLock[], lockdep: HeldLinesLockdep): ScheduleCheck => {
  const count = preemptCount(cpu.state)
  const irqsOff = cpu.irqsDisabled
  // `__schedule_loop()`: `preempt_disable(); __schedule(sched_mode);` and `schedule_debug()`:
  // `if (unlikely(in_atomic_preempt_off())) { __schedule_bug(prev); preempt_count_set(PREEMPT_DISABLED); }`
  // with in_atomic_preempt_off() `(preempt_count() != PREEMPT_DISABLE_OFFSET)`: the caller's count is not 0.
  const rcuWarning = cpu.current.rcuReadLockNesting > 0
  if (count === 0 && !irqsOff) return rcuWarning ? RCU_ONLY : OK
  const task = cpu.current
  const held = heldOf()
  // The kernel prints the count inside __schedule(), one preempt_disable() above the caller's.
  const title = count !== 0 ? schedulingWhileAtomicTitle(task.comm, task.pid, count + 1) : SCHEDULING_IRQS_OFF_TITLE
  const lines =
    count !== 0
      ? [title, ...debugShowHeldLocks(task.comm, task.pid, held, lockdep), 'Modules linked in:', dumpStackLine(cpu.id, task.pid, task.comm)]
      : [
          title,
          `${task.comm}/${task.pid} at ${what}: preempt_count 0, so schedule_debug() is silent, and schedule() returns with interrupts on`,
          ...debugShowHeldLocks(task.comm, task.pid, held, lockdep),
        ]
  return {
    rcuWarning,
    diagnostic: {
      kind: 'scheduling-while-atomic',
      title,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: lockNames(held),
      preemptCount: count,
      what,
      irqsDisabled: irqsOff,
      report: lines.join('\n'),
    },
  }
}
