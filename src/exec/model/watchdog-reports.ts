/**
 * The reports of a wait that can never end, in the kernel's words (docs/waiting.md lists the
 * sources): the hung-task detector for a TASK_UNINTERRUPTIBLE sleep (kernel/hung_task.c
 * check_hung_task()), the soft-lockup watchdog for a CPU spinning with interrupts on and the
 * hard-lockup (NMI) watchdog for one spinning with them off (kernel/watchdog.c). Where the kernel
 * has no report (TASK_RTLOCK_WAIT, TASK_KILLABLE and TASK_INTERRUPTIBLE sleeps are not watched by
 * the hung-task detector) the text is lockproof's own, and says so.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Task } from '../../machine/machine.js'
import type { Diagnostic } from '../../diagnostics/types.js'
import { heldLockLines, type HeldLinesLockdep } from '../../lockdep/splat.js'
import { lockNames } from '../../locks/held.js'
import type { BlockedOutcome } from '../../machine/outcome.js'
import type { WaitState } from '../wait.js'

/** CONFIG_DEFAULT_HUNG_TASK_TIMEOUT (lib/Kconfig.debug: `default 120`). */
export const HUNG_TASK_TIMEOUT_S = 120
/** kernel/watchdog.c: `watchdog_thresh = 10`; the soft-lockup threshold is twice that. */
export const WATCHDOG_THRESH_S = 10
/**
 * The soft-lockup report's duration. The watchdog hrtimer samples every thresh*2/5 = 4 s
 * (`sample_period`) and reports at the first sample with `now > period_ts + 2*thresh`, printing
 * `now - touch_ts`; both timestamps are `get_timestamp()` = `running_clock() >> 30`, units of
 * 2^30 ns (1.074 s), not seconds. The spin began after the last touch (a sample at 0); the sample
 * at 20 s reads floor(20e9 / 2^30) = 18 (not past 20), the one at 24 s reads floor(24e9 / 2^30) =
 * 22: "stuck for 22s!".
 */
export const SOFT_LOCKUP_REPORTED_S = Math.floor((24 * 1e9) / 2 ** 30)

/** Who waits where: the CPU, the waiting task, its held locks. */
export interface WaitSite {
  readonly cpu: Cpu
  readonly task: Task
  readonly lockdep: HeldLinesLockdep
}

const site = (s: WaitSite) => ({ cpu: s.cpu.id, task: s.task.comm, heldLocks: lockNames(s.task.held), preemptCount: s.cpu.preemptCount })
const held = (s: WaitSite): string[] => heldLockLines(s.task.comm, s.task.pid, s.task.held, s.lockdep)

/** check_hung_task()'s first line. */
export const hungTaskTitle = (comm: string, pid: number): string => `INFO: task ${comm}:${pid} blocked for more than ${HUNG_TASK_TIMEOUT_S} seconds.`
/** watchdog_timer_fn(), with pr_fmt "watchdog: ". */
export const softLockupTitle = (cpu: number, comm: string, pid: number): string =>
  `watchdog: BUG: soft lockup - CPU#${cpu} stuck for ${SOFT_LOCKUP_REPORTED_S}s! [${comm}:${pid}]`
/** watchdog_hardlockup_check() (`"CPU%u: Watchdog detected hard LOCKUP on cpu %u\n", this_cpu, cpu`; the CPU's own perf NMI). */
export const hardLockupTitle = (cpu: number): string => `watchdog: CPU${cpu}: Watchdog detected hard LOCKUP on cpu ${cpu}`
/** No kernel report: lockproof's words. */
export const unwatchedTitle = (comm: string, pid: number, state: WaitState): string =>
  `lockproof: task ${comm}:${pid} blocked forever in ${state} (not reported by the hung-task detector)`

/** The title for a wait by its kind: spinning (interrupts on or off) or sleeping in `state`. */
export const waitTitle = (s: WaitSite, spin: boolean, state: WaitState): string => {
  const { cpu, task } = s
  if (spin) return cpu.irqsDisabled ? hardLockupTitle(cpu.id) : softLockupTitle(cpu.id, cpu.current.comm, cpu.current.pid)
  return state === 'TASK_UNINTERRUPTIBLE' ? hungTaskTitle(task.comm, task.pid) : unwatchedTitle(task.comm, task.pid, state)
}

/** check_hung_task()'s lines after the first (print_tainted(), the sysctl hint), or the lockup's. */
const bodyLines = (s: WaitSite, spin: boolean, state: WaitState): string[] => {
  if (spin) return []
  if (state === 'TASK_UNINTERRUPTIBLE') {
    return ['      Not tainted lockproof', '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.']
  }
  return [`The hung-task detector checks only TASK_UNINTERRUPTIBLE sleepers (check_hung_uninterruptible_tasks()); ${s.task.comm} is in ${state}.`]
}

/** The sides of a lock wait: the waiter's and the holder's (rw_semaphore's blocker line names both). */
export interface LockWaitSides {
  readonly mode: 'read' | 'write'
  readonly holderMode: 'read' | 'write'
}

const role = (m: 'read' | 'write'): string => (m === 'read' ? '<reader>' : '<writer>')

/**
 * CONFIG_DETECT_HUNG_TASK_BLOCKER (`depends on !PREEMPT_RT`), kernel/hung_task.c
 * debug_show_blocker(): the lock's likely owner, after the report.
 */
const blockerLines = (s: WaitSite, blocked: BlockedOutcome, sides: LockWaitSides): string[] => {
  const t = s.task
  const h = blocked.holder
  if (blocked.lock.kind === 'mutex') return [`INFO: task ${t.comm}:${t.pid} is blocked on a mutex likely owned by task ${h.comm}:${h.pid}.`]
  if (blocked.lock.kind === 'rw_semaphore') {
    return [`INFO: task ${t.comm}:${t.pid} ${role(sides.mode)} blocked on an rw-semaphore likely owned by task ${h.comm}:${h.pid} ${role(sides.holderMode)}`]
  }
  return []
}

/** A lock wait that can never end (`blocked`: the holder the acquire step found). */
export const lockWaitReport = (s: WaitSite, blocked: BlockedOutcome, spin: boolean, state: WaitState, preemptRt: boolean, sides: LockWaitSides): Diagnostic => {
  const title = waitTitle(s, spin, state)
  const h = blocked.holder
  const verb = spin ? 'spins on' : 'sleeps on'
  const blocker = !spin && state === 'TASK_UNINTERRUPTIBLE' && !preemptRt ? blockerLines(s, blocked, sides) : []
  const why = `${s.task.comm}/${s.task.pid} ${verb} ${blocked.lock.label}, held by ${h.comm}/${h.pid} (CPU ${h.cpu}), and nothing can make progress`
  return {
    kind: 'deadlock',
    title,
    ...site(s),
    lock: blocked.lock.label,
    holder: { comm: h.comm, pid: h.pid, cpu: h.cpu },
    report: [title, ...bodyLines(s, spin, state), ...blocker, why, ...held(s)].join('\n'),
  }
}

/** Any other wait that can never end (a completion, a semaphore, a wait queue, …). */
export const waitForeverReport = (s: WaitSite, channel: string, spin: boolean, state: WaitState): Diagnostic => {
  const title = waitTitle(s, spin, state)
  const why = `${s.task.comm}/${s.task.pid} ${spin ? 'spins' : 'sleeps'} on ${channel}, and nothing can wake it`
  return { kind: 'wait-forever', title, ...site(s), channel, state, report: [title, ...bodyLines(s, spin, state), why, ...held(s)].join('\n') }
}
