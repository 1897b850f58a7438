/**
 * A lock acquisition that finds its lock held where nothing can wait for it — the 'blocked'
 * outcome under `kernel.run` (./sync.ts), a model's relock that cannot wait (./model/executor.ts)
 * and a lock wait the synchronous driver cannot end (./sync-wait.ts): one rule for the report.
 * How the waiter would wait picks the kernel's words (src/diagnostics/titles.ts deadlockTitle): a
 * spin is the spinlock recursion or the soft / hard lockup, a sleep the hung task, and RT's
 * sleeping spinlock_t / rwlock_t (TASK_RTLOCK_WAIT, rtlock_slowlock_locked()) lockproof's own
 * words, as the hung-task detector does not look at it.
 */
import type { Cpu } from '../machine/cpu.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import { DeadlockError } from '../errors.js'
import { kindSpec } from '../kinds/registry.js'
import type { KernelParts } from './executor.js'

/** How a waiter of a lock of `kind` waits on this kernel (docs/waiting.md). */
export interface LockWaitManner {
  /** It spins (raw_spinlock_t; spinlock_t / rwlock_t on a normal kernel). */
  readonly spinning: boolean
  /** It sleeps in TASK_RTLOCK_WAIT: a lock that spins on the normal kernel sleeps on this one. */
  readonly rtlock: boolean
}

/** The manner by the kind's category on each kernel. */
export const lockWaitManner = (kind: string, preemptRt: boolean): LockWaitManner => {
  const category = kindSpec(kind).category
  const spinning = category[preemptRt ? 'rt' : 'normal'] !== 'sleeping'
  return { spinning, rtlock: !spinning && category.normal !== 'sleeping' }
}

/** Reports the deadlock of `o` (waiting in `manner`) and throws the DeadlockError. */
export const reportBlocked = (parts: Pick<KernelParts, 'reporter'>, cpu: Cpu, o: BlockedOutcome, manner: LockWaitManner): never => {
  throw new DeadlockError(parts.reporter.deadlock(cpu, o, manner.spinning, manner.rtlock))
}

/** The 'blocked' outcome where nothing can wait: the manner by the lock's kind on this kernel. */
export const blockedDeadlock = (parts: Pick<KernelParts, 'options' | 'reporter'>, cpu: Cpu, o: BlockedOutcome): never =>
  reportBlocked(parts, cpu, o, lockWaitManner(o.lock.kind, parts.options.preemptRt))
