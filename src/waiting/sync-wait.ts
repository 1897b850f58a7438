/**
 * The synchronous flavour's answer to a wait, in ONE place (the sched helper's sync driver
 * replaces `syncOnWait` when it lands): nothing else runs on one call stack, so a wait with a
 * timeout runs the clock through it and resumes with 'timeout', and a wait without one can never
 * end — for a TASK_UNINTERRUPTIBLE sleeper that is kernel/hung_task.c's report ("INFO: task
 * %s:%d blocked for more than %ld seconds."), thrown as a DeadlockError; interruptible and
 * killable sleepers are not hung-task reported (check_hung_uninterruptible_tasks() skips
 * TASK_WAKEKILL and !TASK_UNINTERRUPTIBLE), so their error says that.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Machine } from '../machine/machine.js'
import { DeadlockError } from '../errors.js'
import { runSync, type Op, type WaitYield, type WakeReason } from '../exec/wait.js'

/** CONFIG_DEFAULT_HUNG_TASK_TIMEOUT (lib/Kconfig.debug: `default 120`). */
export const HUNG_TASK_TIMEOUT_SECS = 120

export const syncOnWait = (machine: Machine, cpu: Cpu, y: WaitYield): WakeReason => {
  if (y.timeoutMs !== undefined) {
    machine.clockMs += Math.max(0, y.timeoutMs)
    return 'timeout'
  }
  const t = cpu.current
  const on = `${y.channel.kind} '${y.channel.name}'`
  if (y.state === 'TASK_UNINTERRUPTIBLE') {
    throw new DeadlockError(
      `INFO: task ${t.comm}:${t.pid} blocked for more than ${HUNG_TASK_TIMEOUT_SECS} seconds.\n  waiting on ${on}: nothing else runs in kernel.run(), so nothing can wake it`,
    )
  }
  throw new DeadlockError(
    `task ${t.comm}:${t.pid} sleeps forever in ${y.state} on ${on}: nothing else runs in kernel.run(), so nothing can wake it (the hung-task detector does not report ${y.state} sleepers)`,
  )
}

/**
 * runSync with that answer. A wait that throws leaves the op suspended at its yield: the error is
 * thrown into it there, so its `finally` blocks take its waiter entry off again (nothing is left
 * queued), and then rethrown.
 */
export const driveSync = <R>(machine: Machine, cpu: Cpu, op: Op<R>): R => {
  try {
    return runSync(op, (y) => syncOnWait(machine, cpu, y))
  } catch (error) {
    try {
      op.throw(error)
    } catch {
      /* the op rethrows it: the original is thrown below */
    }
    throw error
  }
}
