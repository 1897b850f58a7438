/**
 * The seam between user code and the machine. An executor runs user code — tasks, interrupt,
 * softirq and NMI handlers, deferred work — and decides what runs next; the machine (the CPUs,
 * locks, lockdep) only changes state and returns outcomes (src/machine/outcome.ts). The
 * synchronous executor (./sync.ts) is `kernel.run`; the explorer of a later issue is a second one
 * over the same machine (docs/executors.md).
 */
import type { Context } from '../context/public.js'
import type { TaskCtx } from '../context/state.js'
import type { Cpu } from '../cpu/cpu.js'
import type { BlockedOutcome } from '../machine/outcome.js'

/** What the machine's interrupt delivery (./delivery.ts) asks the executor to run. */
export interface InterruptHandlers {
  /** The 'irq' outcome: the primary handler of `line`, in hardirq context (entered by the machine). */
  hardirq(cpu: Cpu, line: number): void
  /** One softirq of a handle_softirqs() round: the handler of `nr` (the CPU is serving softirqs). */
  softirq(cpu: Cpu, nr: number): void
}

/**
 * An executor over one kernel's machine. The synchronous one runs everything on the JavaScript
 * call stack, at once; an explorer runs the same calls as steps it schedules.
 */
export interface Executor extends InterruptHandlers {
  /** Runs `cb` as a new task on `cpu` named `comm` (default `task-<pid>`); the synchronous executor returns its result. */
  run<R>(cb: (ctx: Context<TaskCtx>) => R, cpu: Cpu, comm: string | undefined): R
  /** A device asserts interrupt `line` on `cpu` (from outside any task). */
  raiseIrq(cpu: Cpu, line: number): void
  /** `raise_softirq(nr)` on `cpu`. */
  raiseSoftirq(cpu: Cpu, nr: number): void
  /** Delivers the NMI registered as `name` on `cpu`, whatever the interrupt flag. */
  raiseNmi(cpu: Cpu, name: string): void
  /**
   * The 'blocked' outcome of a lock acquisition. Never returns: the synchronous executor reports
   * a deadlock and throws DeadlockError (nothing can wait on one call stack); an explorer would
   * park the task (it re-executes from scratch, so it never needs to resume this stack).
   */
  blocked(cpu: Cpu, outcome: BlockedOutcome): never
  /** A scheduling point on `cpu`: a scope ended, a task returned. Runs woken irq threads and ksoftirqd. */
  schedulingPoint(cpu: Cpu): void
}

/** One schedulable unit of an explored execution (a task, a handler, an interrupt arrival). */
export type StepId = number

/**
 * The explorer's strategies (DPOR, random, PCT, …), one a file behind this interface. Each
 * execution re-runs the program's setup from scratch; `nextStep` picks among the runnable steps
 * at each scheduling point (the points where a generator task yields).
 */
export interface Scheduler {
  /** Starts the next execution; null when the bounded space is done. */
  newExecution(): Schedule | null
  /** The step to run next, or null to end this execution. */
  nextStep(runnable: readonly StepId[], current: StepId | null): StepId | null
}

/** The decisions of one execution, replayable (a counterexample is its schedule). */
export interface Schedule {
  readonly choices: readonly StepId[]
}
