/**
 * What the search needs from one execution of a model, whoever runs it: the model executor
 * (src/exec/model/) through ./run-model.ts, or a test's small transition system. The search never
 * looks inside the machine: it sees choice points (through the Scheduler it hands over) and this.
 */
import type { TraceEvent } from '../../machine/events.js'
import type { Scheduler } from '../model/scheduler.js'

/**
 * The two kernels one call explores.
 *
 * @example
 * ```ts
 * import type { KernelName } from 'lockproof'
 *
 * const both: readonly KernelName[] = ['normal', 'rt']
 * ```
 */
export type KernelName = 'normal' | 'rt'

/**
 * What went wrong in an execution.
 *
 * @example
 * ```ts
 * import type { FailureKind } from 'lockproof'
 *
 * const serious = (k: FailureKind): boolean => k === 'deadlock' || k === 'data-race'
 * ```
 */
export type FailureKind = 'deadlock' | 'diagnostic' | 'assertion' | 'data-race' | 'step-limit'

export interface Failure {
  readonly kind: FailureKind
  /** Two failures with one key are the same bug (the kind and its subject: the locks of a deadlock, a report's title). */
  readonly key: string
  /** One line, as the kernel would title it. */
  readonly title: string
  /** The whole report (a splat, a KCSAN report, the thrown error's message). */
  readonly report: string
  /** A deadlock: the lock classes the stuck tasks wait on or hold (for the lockdep witness). */
  readonly locks?: readonly string[]
}

export interface Execution {
  readonly failures: readonly Failure[]
  /** The event log of this execution (empty when not traced). */
  readonly trace: readonly TraceEvent[]
  /** What the setup declared (locks, tasks, handlers, in order): the same in every execution of one model. */
  readonly declarations: readonly string[]
}

/** Runs the model once from scratch on `kernel`, asking `scheduler` at every choice point; `traced`: keep the event log. */
export type RunExecution = (kernel: KernelName, scheduler: Scheduler, traced?: boolean) => Execution

export const KERNEL_TITLE: Readonly<Record<KernelName, string>> = { normal: 'the normal kernel', rt: 'PREEMPT_RT' }
