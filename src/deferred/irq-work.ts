/**
 * `struct irq_work` (kernel/irq_work.c): `irq_work_queue()` is NMI-safe and raises the irq_work
 * self-IPI; the callbacks run in that hardirq (`irq_work_run()`), except on PREEMPT_RT, where a
 * work not marked IRQ_WORK_HARD_IRQ goes on the lazy list and runs in the per-CPU `irq_work/N`
 * thread (`run_irq_workd()`, SCHED_FIFO low). A default work in hardirq runs under lockdep's
 * `irq_config` (`lockdep_irq_work_enter()`): spinlock_t is allowed there, as in RT's thread.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import { CLAIM_IRQS_OFF } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import { raiseIrq } from '../exec/delivery.js'
import type { Kthread } from './kthreads.js'
import { IRQ_WORK_LINE } from './lines.js'
import type { Deferred, DeferredCore } from './runtime.js'
import type { HardIrqWorkState, IrqWorkState } from './states.js'

/**
 * The state an irq_work callback starts in: `hard` (IRQ_WORK_HARD_IRQ) or not.
 *
 * @example
 * ```ts
 * import type { HardIrqWorkState, IrqWorkStateOf } from 'lockproof'
 *
 * const same = (s: IrqWorkStateOf<true>): HardIrqWorkState => s
 * console.log(typeof same)
 * ```
 */
export type IrqWorkStateOf<H extends boolean> = H extends true ? HardIrqWorkState : IrqWorkState

/**
 * A `struct irq_work`, from {@link Kernel.initIrqWork}.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const log = kernel.spinLock('log', { lines: 0 })
 * const flush = kernel.initIrqWork('printk_flush', (ctx) => log.withLocked(ctx, (_ctx, l) => { l.lines++ }))
 * kernel.requestNmi('perf', (ctx) => { flush.irqWorkQueue(ctx) }) // NMI-safe
 * kernel.raiseNmi('perf') // the callback runs in irq_work/0 on PREEMPT_RT
 * ```
 */
export interface IrqWork<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'irq_work'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** IRQ_WORK_HARD_IRQ (`IRQ_WORK_INIT_HARD()`): hardirq on both kernels. */
  readonly hard: boolean
  /** `irq_work_is_pending()`. */
  readonly pending: boolean
  /** `irq_work_queue()`: from any context, NMI included; false if it was pending. */
  irqWorkQueue(ctx: AnyContext): boolean
}

/** Where a queued irq_work goes: kernel.run's lists ({@link IrqWorks}) or a model's. */
export interface IrqWorkQueuing {
  queue(cpu: Cpu, w: IrqWorkRuntime): void
}

export class IrqWorks implements IrqWorkQueuing {
  readonly #d: Deferred
  readonly #raised: IrqWorkRuntime[][]
  readonly #lazy: IrqWorkRuntime[][]
  readonly #threads: Kthread[]
  constructor(d: Deferred) {
    this.#d = d
    this.#raised = d.parts.cpus.map(() => [])
    this.#lazy = d.parts.cpus.map(() => [])
    // irq_workd: .thread_comm = "irq_work/%u", sched_set_fifo_low(), run_irq_workd(): the lazy list.
    this.#threads = d.parts.cpus.map((cpu) => ({ comm: `irq_work/${cpu.id}`, policy: 'fifo', run: () => this.#runList(cpu, this.#lazy, 0) }))
    d.irqWorkIpi = (cpu) => this.#run(cpu)
  }

  queue(cpu: Cpu, w: IrqWorkRuntime): void {
    // __irq_work_queue_local(): RT and !IRQ_WORK_HARD_IRQ → lazy_list (rt_lazy_work), else raised_list; the IPI either way.
    const lists = this.#d.preemptRt && !w.hard ? this.#lazy : this.#raised
    ;(lists[cpu.id] as IrqWorkRuntime[]).push(w)
    raiseIrq(cpu, IRQ_WORK_LINE)
  }

  /** `irq_work_run()` in the IPI: the raised list; then the lazy one (normal kernel) or `wake_irq_workd()` (RT). */
  #run(cpu: Cpu): void {
    this.#runList(cpu, this.#raised, CLAIM_IRQS_OFF)
    if (!this.#d.preemptRt) this.#runList(cpu, this.#lazy, CLAIM_IRQS_OFF)
    else if ((this.#lazy[cpu.id] as IrqWorkRuntime[]).length > 0) this.#d.exec.kthreads.wake(cpu.id, this.#threads[cpu.id] as Kthread)
  }

  #runList(cpu: Cpu, lists: IrqWorkRuntime[][], claims: number): void {
    const list = lists[cpu.id] as IrqWorkRuntime[]
    for (let w = list.shift(); w !== undefined; w = list.shift()) w.run(cpu, claims)
  }
}

export class IrqWorkRuntime implements IrqWork {
  readonly kind = 'irq_work'
  readonly #d: DeferredCore
  readonly #list: IrqWorkQueuing
  readonly #fn: (ctx: Context<IrqWorkState | HardIrqWorkState>, work: IrqWork) => unknown
  #pending = false
  constructor(
    d: DeferredCore,
    list: IrqWorkQueuing,
    readonly name: string,
    fn: (ctx: Context<IrqWorkState | HardIrqWorkState>, work: IrqWork) => unknown,
    readonly hard: boolean,
  ) {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('init_irq_work(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('init_irq_work(): the callback must be a function')
    this.#d = d
    this.#list = list
    this.#fn = fn
  }

  get pending(): boolean {
    return this.#pending
  }

  irqWorkQueue(ctx: AnyContext): boolean {
    const cpu = this.#d.cpuOf(ctx, 'irq_work_queue()')
    // irq_work_claim(): only queue if not already pending.
    if (this.#pending) return false
    this.#pending = true
    this.#list.queue(cpu, this)
    return true
  }

  /** `irq_work_single()`: pending cleared, then the callback (lockdep_irq_work_enter(): irq_config unless HARD). */
  run(cpu: Cpu, claims: number): void {
    const threaded = this.enterCallback(cpu)
    try {
      this.#d.callback(cpu, (ctx: Context<IrqWorkState | HardIrqWorkState>) => this.#fn(ctx, this), claims, `irq_work '${this.name}'`)
    } finally {
      cpu.hardirqThreaded = threaded
    }
  }

  /** Before the callback: no longer pending; in hardirq `lockdep_irq_work_enter()` (irq_config unless HARD). Returns what to restore. */
  enterCallback(cpu: Cpu): boolean {
    this.#pending = false
    const threaded = cpu.hardirqThreaded
    if (cpu.inHardirq()) cpu.hardirqThreaded = !this.hard
    return threaded
  }
}
