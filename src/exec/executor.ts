/**
 * The seam between user code and the machine. An executor runs user code — tasks, interrupt,
 * softirq and NMI handlers, deferred work — and decides what runs next. The CPU layer only changes
 * state and returns outcomes (src/machine/outcome.ts); the lock and scope steps call ./delivery.ts,
 * which runs the handlers; lockdep calls a user's `lockSetCmpFn()` comparison and the lock runtime
 * a `local_lock_t`'s `init(cpu)`. The
 * synchronous executor (./sync.ts) is `kernel.run`; the explorer of a later issue is a second one
 * over the same machine (docs/executors.md).
 */
import type { Gfp } from '../rules/gfp.js'
import type { Cpu } from '../machine/cpu.js'
import type { IrqRegistry, SoftirqName } from './irq-registry.js'
import type { Lockdep } from '../lockdep/validator.js'
import type { HeldMaps } from '../lockdep/held-maps.js'
import type { HeldLocks } from '../locks/held.js'
import type { Machine } from '../machine/machine.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import type { ResolvedOptions } from '../options.js'
import type { Reporter } from '../diagnostics/reporter.js'
import type { Waker } from './wait.js'

/** What an executor drives: one kernel's machine, handler registries, lockdep and reporter. */
export interface KernelParts {
  readonly options: ResolvedOptions
  /** Everything a run changes, as plain data (src/machine/machine.ts). */
  readonly machine: Machine
  /** The objects behind the machine's lock ids (a lockdep cmp_fn compares lock objects). */
  readonly lockObjects: Map<number, object>
  readonly cpus: readonly Cpu[]
  readonly irq: IrqRegistry
  readonly held: HeldLocks
  readonly lockdep: Lockdep
  readonly reporter: Reporter
  /** lockdep's own maps on the held-lock stacks (rcu_read_lock_bh()/_sched() take theirs through it). */
  readonly maps: HeldMaps
}

/** What the machine's interrupt delivery (./delivery.ts) asks the executor to run. */
export interface InterruptHandlers {
  /** The 'irq' outcome: the primary handler of `line`, in hardirq context (entered by the machine). */
  hardirq(cpu: Cpu, line: number): void
  /** One softirq of a handle_softirqs() round: the handler of `nr` (the CPU is serving softirqs). */
  softirq(cpu: Cpu, nr: number): void
}

/**
 * What the machine, the contexts and the locks ask of whoever runs user code (./hosts.ts wires
 * it in). The synchronous executor does each at once on the JavaScript call stack; an explorer
 * makes the scheduling points (`msleep`, `schedulingPoint`, `blocked`) places where it may switch.
 * How user code is started is each executor's own: `SyncExecutor.run(cb, cpu)`, an explorer's
 * `explore(setup, scheduler)`.
 */
export interface Executor extends InterruptHandlers, Waker {
  /** The CPU whose code is running now (the innermost task, handler or outside call), or null. */
  executingCpu(): Cpu | null
  /** Interrupt `line` asserted on `cpu` (by a device or a context). */
  raiseIrq(cpu: Cpu, line: number): void
  /** `raise_softirq(nr)` on `cpu`. */
  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void
  /** Delivers the NMI registered as `name` on `cpu`, whatever the interrupt flag. */
  raiseNmi(cpu: Cpu, name: string): void
  /** `msleep()`: the task sleeps (a scheduling point). */
  msleep(cpu: Cpu, ms: number): void
  /** `kmalloc()`: GFP_KERNEL may sleep (a scheduling point). */
  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array
  /** A guard's unlock turned interrupts back on: check what still needs them off, then take the pending ones. */
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  /**
   * The 'blocked' outcome of a lock acquisition: the steps before `acquire` have run and lockdep
   * has validated (the kernel's lock_acquire() precedes spinning), so an explorer resumes at the
   * `acquire` step; the owner and the held-lock entry are unchanged. Never returns: the
   * synchronous executor reports a deadlock and throws DeadlockError (nothing can wait on one
   * call stack); an explorer parks the task and runs another (docs/executors.md).
   */
  blocked(cpu: Cpu, outcome: BlockedOutcome): never
  /** A scope ended or a task returned on `cpu`: the woken irq threads and ksoftirqd may run. */
  schedulingPoint(cpu: Cpu): void
}

/** One schedulable unit of an explored execution (a task's next step, an interrupt arrival). */
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
