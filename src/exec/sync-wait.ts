/**
 * The synchronous driver of the waiting seam (./wait.ts): what a wait becomes under `kernel.run`,
 * written once for every primitive whose synchronous flavour drives an op (semaphores,
 * completions, flush_work(), timer_delete_sync(), synchronize_rcu(), …).
 *
 * A sleeping wait gives its CPU up (schedule()): what is woken on that CPU runs meanwhile, and
 * what is woken on an idle CPU runs there (a spinning wait keeps its CPU, so only the idle CPUs
 * run). When something ran the op re-checks its condition ('woken'). A wait with a timeout then
 * lets time pass: the clock stops at each timer expiry on the way (the timer fires at its place,
 * and what it wakes runs) until the timeout has passed ('timeout'). A wait nothing can end is
 * reported in the kernel's words (the hung-task report for a TASK_UNINTERRUPTIBLE sleep, the soft
 * / hard lockup for a spin with interrupts on / off, src/exec/model/watchdog-reports.ts) — naming
 * who runs what is waited for when the channel knows it — and throws DeadlockError. A lock's wait
 * (one that names the holder: ww_mutex_lock(), …) is reported as every contended lock under
 * kernel.run is (./blocked.ts), so a lock reads the same whichever path found it held.
 */
import type { Cpu } from '../machine/cpu.js'
import { DeadlockError } from '../errors.js'
import { isLockWait } from '../locks/lock.js'
import type { KernelParts } from './executor.js'
import { runSync, type Op, type WaitChannel, type WaitYield, type WakeReason } from './wait.js'
import { waitForeverReport } from './model/watchdog-reports.js'
import { reportBlocked } from './blocked.js'

/** Who runs what a wait waits for (a kworker running the flushed work, …): the report names it. */
export interface Runner {
  readonly comm: string
  readonly pid: number
  readonly cpu: number
}

/** A channel that can name who runs what is waited for (deferred work's channels). */
export interface RunnerChannel extends WaitChannel {
  runner(): Runner | null
}

/** The simulated clock with its timer expiries (src/deferred/runtime.ts; a bare clock without it). */
export interface SyncClock {
  /** The earliest armed expiry later than `now` (+Infinity: none). */
  nextExpiryAfter(now: number): number
  /** Time passes by `ms`, firing what expires on the way. */
  advance(ms: number): void
}

/** What runs while a task waits under kernel.run (the synchronous executor). */
export interface SyncWaitHost {
  /** The waiter gives `cpu` up: what is woken there runs; whether anything ran. */
  sleepPoint(cpu: Cpu): boolean
  /** What is woken on an idle CPU runs there; whether anything ran. */
  runIdleCpu(cpu: Cpu): boolean
  readonly clock: SyncClock
  /**
   * Whether `channel` was woken since the last wait on it (and forgets it). A wake-up that comes
   * between the waiter's queueing and its yield — the work run at the unlock of the primitive's
   * own lock — sets the task running again in the kernel, so schedule() returns at once.
   */
  takeWake?(channel: WaitChannel): boolean
}

/** How the synchronous flavour of a primitive runs its op on the caller's CPU (`runSyncOp()` with the executor as host). */
export type SyncDrive = <R>(cpu: Cpu, op: Op<R>) => R

/** A clock with no timers on it (parts without an executor: the driver's unit tests). */
export const bareClock = (parts: KernelParts): SyncClock => ({
  nextExpiryAfter: () => Number.POSITIVE_INFINITY,
  advance: (ms) => {
    parts.machine.clockMs += ms
  },
})

const nothingRuns = (parts: KernelParts): SyncWaitHost => ({ sleepPoint: () => false, runIdleCpu: () => false, clock: bareClock(parts) })

const hasRunner = (c: WaitChannel): c is RunnerChannel => typeof (c as Partial<RunnerChannel>).runner === 'function'

/**
 * `onWait` for `runSync()` on `cpu` (one per driven op: it remembers a timed wait's deadline, so
 * a wait re-yielded after 'woken' keeps it, as the remaining timeout of schedule_timeout() does).
 */
export const syncOnWait = (parts: KernelParts, cpu: Cpu, host: SyncWaitHost = nothingRuns(parts)) => {
  let timed: { channel: WaitChannel; deadline: number } | null = null
  let last: WakeReason | undefined
  const resume = (r: WakeReason): WakeReason => {
    last = r
    return r
  }
  return (y: WaitYield): WakeReason => {
    const clock = parts.machine
    if (y.timeoutMs === undefined) {
      timed = null
    } else {
      const deadline = clock.clockMs + y.timeoutMs
      timed =
        timed !== null && last === 'woken' && timed.channel === y.channel
          ? { channel: y.channel, deadline: Math.min(timed.deadline, deadline) }
          : { channel: y.channel, deadline }
    }
    // A sleep where the CPU cannot schedule (interrupt context, preemption off) is "scheduling while
    // atomic" in the kernel, which still sleeps: only sleepPoint() refuses to run anything there.
    const spin = y.spin
    if (host.takeWake?.(y.channel) === true) return resume('woken')
    if (runOthers(parts, cpu, host, spin)) return resume('woken')
    if (timed !== null) {
      const now = clock.clockMs
      const stop = Math.min(timed.deadline, host.clock.nextExpiryAfter(now))
      host.clock.advance(Math.max(0, stop - now))
      runOthers(parts, cpu, host, spin)
      return resume(stop < timed.deadline ? 'woken' : 'timeout')
    }
    throw new DeadlockError(report(parts, cpu, y, spin))
  }
}

/** The waiter's CPU (when it sleeps) and the idle CPUs run what is woken there. */
const runOthers = (parts: KernelParts, cpu: Cpu, host: SyncWaitHost, spin: boolean): boolean => {
  let ran = !spin && host.sleepPoint(cpu)
  for (const other of parts.cpus) if (other !== cpu) ran = host.runIdleCpu(other) || ran
  return ran
}

/** Reports a wait nothing can end; returns the DeadlockError's message (a lock's wait throws its own, ./blocked.ts). */
const report = (parts: KernelParts, cpu: Cpu, y: WaitYield, spin: boolean): string => {
  const task = cpu.current
  const site = { cpu, task, lockdep: parts.lockdep }
  if (isLockWait(y)) return reportBlocked(parts, cpu, y.blocked, { spinning: spin, rtlock: y.state === 'TASK_RTLOCK_WAIT' })
  if (hasRunner(y.channel)) {
    // What the wait waits for runs in the waiter itself (or nobody runs it): it cannot finish.
    const runner = y.channel.runner() ?? { comm: task.comm, pid: task.pid, cpu: cpu.id }
    const what = `${y.channel.kind} '${y.channel.name}' (run by ${runner.comm}/${runner.pid} on CPU ${runner.cpu})`
    const d = waitForeverReport(site, what, spin, y.state)
    parts.reporter.report(d)
    return `${d.title}: ${task.comm}/${task.pid} waits for ${what}, which cannot finish until ${task.comm} stops waiting`
  }
  const d = waitForeverReport(site, `${y.channel.kind} '${y.channel.name}'`, spin, y.state)
  parts.reporter.report(d)
  return `${d.title}: ${y.channel.kind} '${y.channel.name}' can never be woken: nothing else runs under kernel.run()`
}

/**
 * Drives `op` to its end on `cpu` under kernel.run: waits by {@link syncOnWait}, points by
 * `onPoint` (the executor's scheduling point). A wait that throws leaves the op suspended at its
 * yield: the error is thrown into it there, so its `finally` blocks take its waiter entry off
 * again (nothing is left queued), and then rethrown.
 */
export const runSyncOp = <R>(parts: KernelParts, cpu: Cpu, op: Op<R>, host: SyncWaitHost, onPoint?: (cpu: Cpu) => void): R => {
  try {
    return runSync(op, syncOnWait(parts, cpu, host), onPoint === undefined ? undefined : () => onPoint(cpu))
  } catch (error) {
    try {
      op.throw(error)
    } catch {
      /* the op rethrows it: the original is thrown below */
    }
    throw error
  }
}
