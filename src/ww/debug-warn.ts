/**
 * `DEBUG_LOCKS_WARN_ON(c)` (include/linux/debug_locks.h): `if (debug_locks_off() && !debug_locks_silent)
 * WARN(1, "DEBUG_LOCKS_WARN_ON(%s)", #c);` — the first one turns lockdep off, and only a check that
 * found lockdep on prints. The ww_mutex checks of DEBUG_WW_MUTEXES (kernel/locking/ww_mutex.h,
 * include/linux/ww_mutex.h) report through it.
 */
import { warnAtTitle } from '../diagnostics/titles.js'
import { CUT_HERE, END_TRACE } from '../helpers/warn.js'
import type { LockHost } from '../locks/lock.js'
import type { Cpu } from '../machine/cpu.js'

/** Reports `DEBUG_LOCKS_WARN_ON(cond)` at `where` when `failed`; true when it failed (the kernel's `__ret`). */
export const debugLocksWarnOn = (host: LockHost, cpu: Cpu, failed: boolean, cond: string, where: string): boolean => {
  if (!failed) return false
  if (!host.lockdep.debugLocksOff()) return true
  const task = cpu.current
  const title = warnAtTitle(cpu.id, task.pid, where)
  const assertion = `DEBUG_LOCKS_WARN_ON(${cond})`
  host.report({
    kind: 'lockdep-assert',
    title,
    cpu: cpu.id,
    task: task.comm,
    heldLocks: host.held.names(task),
    preemptCount: cpu.preemptCount,
    assertion,
    where,
    report: [CUT_HERE, title, assertion, `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`, END_TRACE].join('\n'),
  })
  return true
}
