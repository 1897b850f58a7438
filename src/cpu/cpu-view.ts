/** A read-only window on one simulated CPU: `kernel.cpu(0).preemptCount`, `.inAtomic()`, … */
import type { Cpu } from './cpu.js'
import { snapshotCpu, type CpuState, type TaskState } from './state.js'

export class CpuView {
  readonly #cpu: Cpu
  /** @internal */
  constructor(cpu: Cpu) {
    this.#cpu = cpu
  }
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
  get irqsDisabled(): boolean {
    return this.#cpu.irqsDisabled
  }
  /** Depth of counted interrupt disabling (local_interrupt_disable). */
  get interruptDisableCount(): number {
    return this.#cpu.state.interruptDisableCount
  }
  get pendingIrqs(): readonly number[] {
    return [...this.#cpu.state.pendingIrqs]
  }
  /** `local_softirq_pending()`. */
  get softirqPending(): number {
    return this.#cpu.state.softirqPending
  }
  /** The running task's counters (a copy). */
  get current(): Readonly<TaskState> {
    return { ...this.#cpu.current }
  }
  inNmi(): boolean {
    return this.#cpu.inNmi()
  }
  inHardirq(): boolean {
    return this.#cpu.inHardirq()
  }
  inServingSoftirq(): boolean {
    return this.#cpu.inServingSoftirq()
  }
  inSoftirq(): boolean {
    return this.#cpu.inSoftirq()
  }
  inInterrupt(): boolean {
    return this.#cpu.inInterrupt()
  }
  inTask(): boolean {
    return this.#cpu.inTask()
  }
  inAtomic(): boolean {
    return this.#cpu.inAtomic()
  }
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
