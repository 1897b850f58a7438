/**
 * Tasklets (kernel/softirq.c): `tasklet_schedule()` queues it on this CPU and raises
 * TASKLET_SOFTIRQ (`tasklet_hi_schedule()`: HI_SOFTIRQ) from any context; the callback runs in
 * that softirq (`tasklet_action_common()`), never twice at once (TASKLET_STATE_RUN).
 * `tasklet_kill()` sleeps (`wait_on_bit_lock(… TASK_UNINTERRUPTIBLE)`) until a scheduled tasklet
 * has run and a running one is done; the kernel has no lockdep map there.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import type { CtxState } from '../rules/state.js'
import type { CanSleep } from '../rules/sleep.js'
import { CLAIM_BH } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import { raiseSoftirq } from '../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../exec/irq-registry.js'
import type { Op } from '../exec/wait.js'
import type { Deferred, DeferredChannel, Runner } from './runtime.js'
import type { TaskletState } from './states.js'

/**
 * A `struct tasklet_struct`, from {@link Kernel.taskletSetup}.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const rx = kernel.spinLock('rx', { n: 0 })
 * const t = kernel.taskletSetup('rx_tasklet', (ctx) => rx.withLocked(ctx, (_ctx, r) => { r.n++ }))
 * kernel.requestIrq(5, 'dev', (ctx) => { t.taskletSchedule(ctx) })
 * kernel.raiseIrq(5) // the tasklet runs at irq exit (normal kernel) or in the irq thread's local_bh_enable() (RT)
 * ```
 */
export interface Tasklet<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'tasklet_struct'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** TASKLET_STATE_SCHED. */
  readonly scheduled: boolean
  /** `tasklet_schedule()`: TASKLET_SOFTIRQ; a no-op while scheduled. Any context. */
  taskletSchedule(ctx: AnyContext): void
  /** `tasklet_hi_schedule()`: HI_SOFTIRQ. Any context. */
  taskletHiSchedule(ctx: AnyContext): void
  /** `tasklet_kill()`: waits until it is neither scheduled nor running (sleeps). */
  taskletKill<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'tasklet_kill()'>): void
}

export class Tasklets {
  readonly #lists: { TASKLET: TaskletRuntime[]; HI: TaskletRuntime[] }[]
  constructor(d: Deferred) {
    this.#lists = d.parts.cpus.map(() => ({ TASKLET: [], HI: [] }))
    // softirq_init(): open_softirq(TASKLET_SOFTIRQ, tasklet_action); open_softirq(HI_SOFTIRQ, tasklet_hi_action).
    d.onSoftirq('TASKLET', (cpu) => this.#action(cpu, 'TASKLET'))
    d.onSoftirq('HI', (cpu) => this.#action(cpu, 'HI'))
  }

  /** `__tasklet_schedule_common()`: on this CPU's list, then raise_softirq_irqoff(). */
  schedule(cpu: Cpu, t: TaskletRuntime, vec: 'TASKLET' | 'HI'): void {
    ;(this.#lists[cpu.id] as { TASKLET: TaskletRuntime[]; HI: TaskletRuntime[] })[vec].push(t)
    raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf(vec))
  }

  #action(cpu: Cpu, vec: 'TASKLET' | 'HI'): void {
    const list = (this.#lists[cpu.id] as { TASKLET: TaskletRuntime[]; HI: TaskletRuntime[] })[vec]
    const taken = list.splice(0)
    for (const t of taken) t.run(cpu)
  }
}

export class TaskletRuntime implements Tasklet {
  readonly kind = 'tasklet_struct'
  readonly #d: Deferred
  readonly #list: Tasklets
  readonly #fn: (ctx: Context<TaskletState>, t: Tasklet) => unknown
  readonly #channel: DeferredChannel
  #scheduled = false
  #running: Runner | null = null
  constructor(
    d: Deferred,
    list: Tasklets,
    readonly name: string,
    fn: (ctx: Context<TaskletState>, t: Tasklet) => unknown,
  ) {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('tasklet_setup(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('tasklet_setup(): the callback must be a function')
    this.#d = d
    this.#list = list
    this.#fn = fn
    this.#channel = d.channel('tasklet_struct', name, () => this.#running)
  }

  get scheduled(): boolean {
    return this.#scheduled
  }

  taskletSchedule(ctx: AnyContext): void {
    this.#schedule(ctx, 'tasklet_schedule()', 'TASKLET')
  }

  taskletHiSchedule(ctx: AnyContext): void {
    this.#schedule(ctx, 'tasklet_hi_schedule()', 'HI')
  }

  #schedule(ctx: AnyContext, op: string, vec: 'TASKLET' | 'HI'): void {
    const cpu = this.#d.cpuOf(ctx, op)
    // if (!test_and_set_bit(TASKLET_STATE_SCHED, &t->state)) __tasklet_schedule(t).
    if (this.#scheduled) return
    this.#scheduled = true
    this.#list.schedule(cpu, this, vec)
  }

  /** `tasklet_action_common()`: tasklet_trylock() (TASKLET_STATE_RUN), SCHED cleared, the callback, tasklet_unlock(). */
  run(cpu: Cpu): void {
    this.#scheduled = false
    this.#running = this.#d.runnerOn(cpu)
    try {
      this.#d.exec.callback(cpu, (ctx: Context<TaskletState>) => this.#fn(ctx, this), CLAIM_BH, `tasklet '${this.name}'`)
    } finally {
      this.#running = null
    }
  }

  taskletKill(ctx: AnyContext): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'tasklet_kill()')
    // if (in_interrupt()) pr_notice("Attempt to kill tasklet from interrupt\n") — a notice, then the sleeping wait.
    d.parts.reporter.mightSleep(cpu, 'tasklet_kill()')
    d.wait(cpu, this.#killOp())
  }

  /** `wait_on_bit_lock(&t->state, TASKLET_STATE_SCHED, TASK_UNINTERRUPTIBLE); tasklet_unlock_wait(t)`. */
  *#killOp(): Op<void> {
    while (this.#scheduled || this.#running !== null) yield { tag: 'wait', channel: this.#channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }
}
