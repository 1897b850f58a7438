/**
 * `struct irq_work` in a model: the runtime of kernel.run (../irq-work.ts); `irq_work_queue()`
 * raises the irq_work self-IPI (kernel line -2), taken at the queueing CPU's next point with
 * interrupts on. Its hardirq frame runs the raised list (`irq_work_run()`) and, on a normal kernel,
 * the lazy one; on PREEMPT_RT a work not marked IRQ_WORK_HARD_IRQ goes on the lazy list and runs
 * in `irq_work/N` (`run_irq_workd()`), a kernel thread of the model.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import { CLAIM_IRQS_OFF } from '../../exec/claims.js'
import type { Op } from '../../exec/wait.js'
import { IrqWorkRuntime, type IrqWorkQueuing, type IrqWorkStateOf } from '../irq-work.js'
import { IRQ_WORK_LINE } from '../lines.js'
import { invoke, ModelDeferred, type ModelKthread, runByTheModel } from './core.js'
import { touchShared } from '../../exec/explore/touched.js'

/**
 * A `struct irq_work` of a model, from `k.initIrqWork()`.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const log = k.spinLock('log', { lines: 0 })
 *   const flush = k.initIrqWork('printk_flush', function* (ctx) {
 *     yield* log.withLocked(ctx, function* (_ctx, l) { l.lines++ })
 *   })
 *   k.task('t', { cpu: 0 }, function* (ctx) { flush.irqWorkQueue(ctx) })
 * })
 * ```
 */
export interface ModelIrqWork<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'irq_work'
  /** Its name. */
  readonly name: N
  /** IRQ_WORK_HARD_IRQ (`IRQ_WORK_INIT_HARD()`): hardirq on both kernels. */
  readonly hard: boolean
  /** `irq_work_is_pending()`. */
  readonly pending: boolean
  /** `irq_work_queue()`: from any context; false if it was pending. */
  irqWorkQueue(ctx: AnyContext): boolean
}

/**
 * `init_irq_work()` of a model: `{ hard: true }` for IRQ_WORK_INIT_HARD().
 *
 * @example
 * ```ts
 * import { defineModel, type ModelInitIrqWork } from 'lockproof'
 *
 * defineModel((k) => {
 *   const init: ModelInitIrqWork = k.initIrqWork
 *   const hw = k.rawSpinLock('hw', 0)
 *   init('hard', function* (ctx) { yield* hw.withLocked(ctx, function* () {}) }, { hard: true })
 * })
 * ```
 */
export interface ModelInitIrqWork {
  <const N extends string>(
    name: N,
    fn: (ctx: Context<IrqWorkStateOf<true>>, work: ModelIrqWork<N>) => Op<unknown>,
    flags: { readonly hard: true },
  ): ModelIrqWork<N>
  <const N extends string>(
    name: N,
    fn: (ctx: Context<IrqWorkStateOf<false>>, work: ModelIrqWork<N>) => Op<unknown>,
    flags?: { readonly hard?: false },
  ): ModelIrqWork<N>
}

/** A queued work: the runtime and how it runs. */
interface Queued {
  readonly rt: IrqWorkRuntime
  readonly run: (cpu: Cpu, claims: number) => Op<void>
}

/** The model's irq_work lists (one per execution): the IPI's frame and the irq_work/N threads. */
class ModelIrqWorks implements IrqWorkQueuing {
  readonly #d: ModelDeferred
  readonly #raised: Queued[][]
  readonly #lazy: Queued[][]
  readonly #threads: (ModelKthread | null)[]
  readonly #runs = new WeakMap<IrqWorkRuntime, Queued>()

  private constructor(d: ModelDeferred) {
    this.#d = d
    this.#raised = d.parts.cpus.map(() => [])
    this.#lazy = d.parts.cpus.map(() => [])
    this.#threads = d.parts.cpus.map(() => null)
    for (const cpu of d.parts.cpus) {
      d.exec.addIrq(cpu.id, {
        line: IRQ_WORK_LINE,
        name: 'irq_work',
        noThread: true,
        handler: () => this.#ipi(cpu),
        // Only ever raised (irq_work_raise()), never a declared arrival.
        arrivals: 0,
        thread: null,
        again: false,
      })
    }
  }

  static readonly #of = new WeakMap<ModelDeferred, ModelIrqWorks>()
  static of(d: ModelDeferred): ModelIrqWorks {
    let w = ModelIrqWorks.#of.get(d)
    if (w === undefined) {
      w = new ModelIrqWorks(d)
      ModelIrqWorks.#of.set(d, w)
    }
    return w
  }

  add(q: Queued): void {
    this.#runs.set(q.rt, q)
  }

  /** `__irq_work_queue_local()`: RT and !IRQ_WORK_HARD_IRQ → lazy_list, else raised_list; the IPI either way. */
  queue(cpu: Cpu, w: IrqWorkRuntime): void {
    const q = this.#runs.get(w)
    if (q === undefined) return
    ;((this.#d.preemptRt && !w.hard ? this.#lazy : this.#raised)[cpu.id] as Queued[]).push(q)
    this.#d.exec.raiseIrq(cpu, IRQ_WORK_LINE)
  }

  /** `irq_work_run()` in the IPI: the raised list; then the lazy one (normal kernel) or `wake_irq_workd()` (RT). */
  *#ipi(cpu: Cpu): Op<void> {
    yield* this.#runList(cpu, this.#raised, CLAIM_IRQS_OFF)
    if (!this.#d.preemptRt) {
      yield* this.#runList(cpu, this.#lazy, CLAIM_IRQS_OFF)
      return
    }
    if ((this.#lazy[cpu.id] as Queued[]).length === 0) return
    let t = this.#threads[cpu.id] ?? null
    if (t === null) {
      // irq_workd: .thread_comm = "irq_work/%u"; run_irq_workd(): the lazy list.
      t = this.#d.kthread(cpu.id, `irq_work/${cpu.id}`, (k) => this.#workd(cpu, k))
      this.#threads[cpu.id] = t
    }
    this.#d.kick(t)
  }

  *#workd(cpu: Cpu, k: ModelKthread): Op<void> {
    for (;;) {
      if ((this.#lazy[cpu.id] as Queued[]).length === 0) yield* this.#d.idle(k)
      else yield* this.#runList(cpu, this.#lazy, 0)
    }
  }

  *#runList(cpu: Cpu, lists: Queued[][], claims: number): Op<void> {
    const list = lists[cpu.id] as Queued[]
    for (let q = list.shift(); q !== undefined; q = list.shift()) yield* q.run(cpu, claims)
  }
}

export const initIrqWorkFactory = (host: object): ModelInitIrqWork => {
  const init = (name: string, fn: (ctx: never, work: never) => Op<unknown>, flags: { readonly hard?: boolean } = {}): ModelIrqWork => {
    const d = ModelDeferred.of(host)
    const lists = ModelIrqWorks.of(d)
    const hard = typeof flags === 'object' && flags !== null && flags.hard === true
    const rt = new IrqWorkRuntime(d, lists, name, runByTheModel, hard)
    const what = `irq_work '${name}'`
    const work: ModelIrqWork = Object.freeze({
      kind: 'irq_work' as const,
      name,
      hard,
      get pending() {
        touchShared()
        return rt.pending
      },
      irqWorkQueue: (ctx: AnyContext) => rt.irqWorkQueue(ctx),
    })
    // irq_work_single(): pending cleared, lockdep_irq_work_enter(), the callback.
    lists.add({
      rt,
      run: function* (cpu, claims) {
        const threaded = rt.enterCallback(cpu)
        try {
          yield* d.callbackOp(cpu, claims, what, (ctx) => invoke(what, fn, ctx, work))
        } finally {
          cpu.hardirqThreaded = threaded
        }
      },
    })
    return work
  }
  return init as ModelInitIrqWork
}
