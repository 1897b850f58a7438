/**
 * The synchronous driver of the waiting seam (./wait.ts): what a wait becomes under `kernel.run`,
 * where nothing else can run. A wait with a timeout advances the simulated clock and resumes with
 * 'timeout'; any other can never end: it is reported in the kernel's words (the hung-task report
 * for a TASK_UNINTERRUPTIBLE sleep, the soft / hard lockup for a spin with interrupts on / off,
 * src/exec/model/watchdog-reports.ts) and throws DeadlockError. Written once, for every primitive
 * whose synchronous flavour drives its op with `runSync()` (semaphores, completions, …).
 */
import type { Cpu } from '../machine/cpu.js'
import { DeadlockError } from '../errors.js'
import type { LockWaitYield } from '../locks/lock.js'
import type { KernelParts } from './executor.js'
import { runSync, type Op, type WaitYield, type WakeReason } from './wait.js'
import { lockWaitReport, waitForeverReport } from './model/watchdog-reports.js'

/** `onWait` for `runSync()` on `cpu`: resumes a timed wait after its timeout, reports and throws for any other. */
export const syncOnWait =
  (parts: KernelParts, cpu: Cpu) =>
  (y: WaitYield): WakeReason => {
    if (y.timeoutMs !== undefined) {
      parts.machine.clockMs += y.timeoutMs
      return 'timeout'
    }
    const site = { cpu, task: cpu.current, lockdep: parts.lockdep }
    // A wait in interrupt context cannot sleep: its CPU stays busy, as a spin's does.
    const spin = y.spin || cpu.inInterrupt()
    const blocked = (y as Partial<LockWaitYield>).blocked
    const d =
      blocked !== undefined
        ? lockWaitReport(site, blocked, spin, y.state, parts.options.preemptRt)
        : waitForeverReport(site, `${y.channel.kind} '${y.channel.name}'`, spin, y.state)
    parts.reporter.report(d)
    throw new DeadlockError(`${d.title}: ${y.channel.kind} '${y.channel.name}' can never be woken: nothing else runs under kernel.run()`)
  }

/** Drives `op` to its end on `cpu` under kernel.run: waits by {@link syncOnWait}, points by `onPoint` (the executor's scheduling point). */
export const runSyncOp = <R>(parts: KernelParts, cpu: Cpu, op: Op<R>, onPoint: (cpu: Cpu) => void): R => runSync(op, syncOnWait(parts, cpu), () => onPoint(cpu))
