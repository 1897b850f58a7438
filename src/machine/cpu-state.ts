/**
 * Per-CPU and per-task state as plain data: numbers, booleans and arrays only, so that a CPU can
 * be snapshotted, compared and replayed.
 */

/**
 * Saved interrupt flags, as `local_irq_save()` returns them. Opaque: pass them back to restore.
 *
 * @example
 * ```ts
 * import { createKernel, type IrqFlags } from 'lockproof'
 *
 * const kernel = createKernel()
 * kernel.run((ctx) => ctx.core.localIrqSave(() => {
 *   const flags: IrqFlags = { irqsDisabled: kernel.cpu(0).irqsDisabled }
 *   console.log(flags) // { irqsDisabled: true }
 * }))
 * ```
 */
export interface IrqFlags {
  /** Interrupts were off when the flags were saved. */
  readonly irqsDisabled: boolean
}

/** The two values local_irq_save() can return: immutable, so one object each is enough. */
export const IRQS_ON: IrqFlags = Object.freeze({ irqsDisabled: false })
export const IRQS_OFF: IrqFlags = Object.freeze({ irqsDisabled: true })

/**
 * A task's own counters, as `kernel.cpu(i).current` shows them.
 *
 * @example
 * ```ts
 * import { createKernel, type TaskStruct } from 'lockproof'
 *
 * const kernel = createKernel()
 * kernel.run((ctx) => ctx.rcuReadLock(() => {
 *   const task: Readonly<TaskStruct> = kernel.cpu(0).current
 *   console.log(task.comm, task.rcuReadLockNesting) // 'task-1' 1
 * }))
 * ```
 */
export interface TaskStruct {
  /** The task id (0 for the idle task). */
  readonly pid: number
  /** The task name (`swapper/N` for the idle task). */
  readonly comm: string
  /** `current->migration_disabled`. */
  migrationDisabled: number
  /** `current->rcu_read_lock_nesting` (preemptible RCU, as on CONFIG_PREEMPT and PREEMPT_RT). */
  rcuReadLockNesting: number
  /** PREEMPT_RT: `current->softirq_disable_cnt`; softirq_count() reads it instead of preempt_count. */
  softirqDisableCnt: number
}

/**
 * @deprecated Renamed {@link TaskStruct} (the kernel's `task_struct`: the run-time task, not a
 * context state).
 *
 * @example
 * ```ts
 * import type { TaskState, TaskStruct } from 'lockproof'
 *
 * const same = (t: TaskState): TaskStruct => t
 * ```
 */
export type TaskState = TaskStruct

/**
 * A simulated CPU's whole state as plain data: `kernel.snapshot()` and `kernel.cpu(i).snapshot()`.
 *
 * @example
 * ```ts
 * import { createKernel, type CpuState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const before: CpuState = kernel.cpu(0).snapshot()
 * kernel.run((ctx) => ctx.preemptDisable(() => undefined))
 * console.log(kernel.cpu(0).snapshot().preemptCount === before.preemptCount) // true: balanced
 * ```
 */
export interface CpuState {
  /** The CPU number. */
  readonly id: number
  /** preempt_count, with the generic layout of include/linux/preempt.h unless the kernel was made with another (`preemptCountLayout`). */
  preemptCount: number
  /** The architecture's interrupt flag: true when interrupts are off. */
  irqsDisabled: boolean
  /** Counted interrupt disabling: the nesting depth of local_interrupt_disable(). */
  interruptDisableCount: number
  /** The flags the outermost local_interrupt_disable() saved (null at depth 0). */
  interruptDisableSaved: IrqFlags | null
  /**
   * The per-CPU `nmi_nesting` of the `'interrupt-count'` layout, where preempt_count keeps only an
   * NMI bit. Always 0 on the mainline layout, which counts NMIs in preempt_count's NMI field.
   */
  nmiNesting: number
  /** Hardirq lines raised while interrupts were off, in raise order. */
  pendingIrqs: number[]
  /** `local_softirq_pending()`: bit n set when softirq n is raised. */
  softirqPending: number
  /** ksoftirqd was woken; it runs at the next point where this CPU may schedule. */
  ksoftirqdWoken: boolean
  /** Force-threaded handlers woken by their interrupt, by line, in wake order; they run likewise. */
  wokenIrqThreads: number[]
  /** The running task; the CPU's idle task (`swapper/N`, pid 0) when nothing else runs. */
  current: TaskStruct
  /** The idle task of this CPU. */
  readonly idle: TaskStruct
}

/** A task's public counters only (the machine's task also carries its held-lock stack). */
export const publicTask = (task: TaskStruct): TaskStruct => ({
  pid: task.pid,
  comm: task.comm,
  migrationDisabled: task.migrationDisabled,
  rcuReadLockNesting: task.rcuReadLockNesting,
  softirqDisableCnt: task.softirqDisableCnt,
})

/** A deep copy of the public fields, for comparing a CPU before and after (tests use it). */
export const snapshotCpu = (cpu: CpuState): CpuState => {
  const idle = publicTask(cpu.idle)
  return {
    id: cpu.id,
    preemptCount: cpu.preemptCount,
    irqsDisabled: cpu.irqsDisabled,
    interruptDisableCount: cpu.interruptDisableCount,
    interruptDisableSaved: cpu.interruptDisableSaved === null ? null : { irqsDisabled: cpu.interruptDisableSaved.irqsDisabled },
    nmiNesting: cpu.nmiNesting,
    pendingIrqs: [...cpu.pendingIrqs],
    softirqPending: cpu.softirqPending,
    ksoftirqdWoken: cpu.ksoftirqdWoken,
    wokenIrqThreads: [...cpu.wokenIrqThreads],
    current: cpu.current === cpu.idle ? idle : publicTask(cpu.current),
    idle,
  }
}
