/**
 * The synchronous flavour's answer to a wait, in ONE place: a wait with a timeout runs the clock
 * through it and resumes with 'timeout'. Otherwise the task gives its CPU up — what is woken there
 * (irq threads, ksoftirqd) and on idle CPUs runs (SyncExecutor.sleepPoint / runIdleCpu, as the
 * deferred-work waits do), and the op re-checks its condition; when nothing ran, nothing can ever
 * wake it: the model executor's report of a wait that never ends (src/exec/model/watchdog-reports.ts:
 * kernel/hung_task.c's "INFO: task %s:%d blocked for more than %ld seconds." for a
 * TASK_UNINTERRUPTIBLE sleeper, lockproof's own words for interruptible and killable ones, which
 * check_hung_uninterruptible_tasks() skips), recorded, then thrown as a DeadlockError.
 */
import type { Cpu } from '../machine/cpu.js'
import type { KernelParts } from '../exec/executor.js'
import type { SyncExecutor } from '../exec/sync.js'
import { DeadlockError } from '../errors.js'
import { waitForeverReport } from '../exec/model/watchdog-reports.js'
import { runSync, type Op, type WaitYield, type WakeReason } from '../exec/wait.js'

export const syncOnWait = (parts: KernelParts, exec: SyncExecutor, cpu: Cpu, y: WaitYield): WakeReason => {
  if (y.timeoutMs !== undefined) {
    parts.machine.clockMs += Math.max(0, y.timeoutMs)
    return 'timeout'
  }
  // A wait in interrupt context cannot sleep: its CPU stays busy, as a spin's does (src/exec/sync-wait.ts).
  const spin = y.spin || cpu.inInterrupt()
  let ran = !spin && exec.sleepPoint(cpu)
  for (const other of parts.cpus) if (other !== cpu) ran = exec.runIdleCpu(other) || ran
  if (ran) return 'woken'
  const on = `${y.channel.kind} '${y.channel.name}'`
  const d = waitForeverReport({ cpu, task: cpu.current, lockdep: parts.lockdep }, on, spin, y.state)
  parts.reporter.report(d)
  // The text of src/exec/sync-wait.ts (the seam's synchronous driver), which this one extends with the sleep point.
  throw new DeadlockError(`${d.title}: ${on} can never be woken: nothing else runs under kernel.run()`)
}

/**
 * runSync with that answer. A wait that throws leaves the op suspended at its yield: the error is
 * thrown into it there, so its `finally` blocks take its waiter entry off again (nothing is left
 * queued), and then rethrown.
 */
export const driveSync = <R>(parts: KernelParts, exec: SyncExecutor, cpu: Cpu, op: Op<R>): R => {
  try {
    return runSync(op, (y) => syncOnWait(parts, exec, cpu, y))
  } catch (error) {
    try {
      op.throw(error)
    } catch {
      /* the op rethrows it: the original is thrown below */
    }
    throw error
  }
}
