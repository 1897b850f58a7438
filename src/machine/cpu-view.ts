/** A read-only window on one simulated CPU: `kernel.cpu(0).preemptCount`, `.inAtomic()`, … */
import type { Cpu } from './cpu.js'
import { publicTask, snapshotCpu, type CpuState, type TaskStruct } from './cpu-state.js'

let makeView: (cpu: Cpu) => CpuView

/** The view of `cpu` (the kernel's; not exported from the package). */
export const cpuViewOf = (cpu: Cpu): CpuView => makeView(cpu)

/**
 * A read-only window on one simulated CPU, from {@link Kernel.cpu}: its `preempt_count`,
 * interrupt flag and pending work, and the kernel's context predicates (`in_atomic()`, …).
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLockedBh(ctx, () => {
 *   const cpu = kernel.cpu(0)
 *   console.log(cpu.preemptCount.toString(16), cpu.inAtomic(), cpu.inSoftirq()) // '201' true true
 * }))
 * ```
 */
export class CpuView {
  readonly #cpu: Cpu
  /** Made by the kernel only (private: its parameter, the raw CPU, stays out of the published types). */
  private constructor(cpu: Cpu) {
    this.#cpu = cpu
  }
  static {
    makeView = (cpu) => new CpuView(cpu)
  }
  /** The CPU number. */
  get id(): number {
    return this.#cpu.id
  }
  /** The raw preempt_count word, need-resched bit included. */
  get preemptCountRaw(): number {
    return this.#cpu.state.preemptCount
  }
  /** `preempt_count()`. */
  get preemptCount(): number {
    return this.#cpu.preemptCount
  }
  /** `irqs_disabled()`: the interrupt flag is off. */
  get irqsDisabled(): boolean {
    return this.#cpu.irqsDisabled
  }
  /** Depth of counted interrupt disabling (local_interrupt_disable). */
  get interruptDisableCount(): number {
    return this.#cpu.state.interruptDisableCount
  }
  /** Interrupt lines raised while interrupts were off, to be taken when they come back on. */
  get pendingIrqs(): readonly number[] {
    return [...this.#cpu.state.pendingIrqs]
  }
  /** `local_softirq_pending()`. */
  get softirqPending(): number {
    return this.#cpu.state.softirqPending
  }
  /** The running task's counters (a copy). */
  get current(): Readonly<TaskStruct> {
    return publicTask(this.#cpu.current)
  }
  /** `in_nmi()`. */
  inNmi(): boolean {
    return this.#cpu.inNmi()
  }
  /** `in_hardirq()`. */
  inHardirq(): boolean {
    return this.#cpu.inHardirq()
  }
  /** `in_serving_softirq()`: a softirq handler is running. */
  inServingSoftirq(): boolean {
    return this.#cpu.inServingSoftirq()
  }
  /** `in_softirq()`: serving a softirq, or bottom halves disabled. */
  inSoftirq(): boolean {
    return this.#cpu.inSoftirq()
  }
  /** `in_interrupt()`: NMI, hardirq or softirq count non-zero. */
  inInterrupt(): boolean {
    return this.#cpu.inInterrupt()
  }
  /** `in_task()`: process context. */
  inTask(): boolean {
    return this.#cpu.inTask()
  }
  /** `in_atomic()`: preempt_count non-zero. */
  inAtomic(): boolean {
    return this.#cpu.inAtomic()
  }
  /** `preemptible()`: preempt_count zero and interrupts on. */
  preemptible(): boolean {
    return this.#cpu.preemptible()
  }
  /** `softirq_count()` (the task's count on RT). */
  softirqCount(): number {
    return this.#cpu.softirqCount()
  }
  /** A deep copy of the whole state, for comparing before and after. */
  snapshot(): CpuState {
    return snapshotCpu(this.#cpu.state)
  }
}
