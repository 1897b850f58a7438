/**
 * RCU callbacks and waits (kernel/rcu/tree.c, kernel/rcu/update.c). `call_rcu()` queues a callback
 * that runs after a grace period: from RCU_SOFTIRQ on a normal kernel (`use_softirq` defaults to
 * `!IS_ENABLED(CONFIG_PREEMPT_RT)`), in the per-CPU `rcuc/N` kthread on PREEMPT_RT, which calls
 * `rcu_core()` with bottom halves off (`rcu_cpu_kthread()`). lockproof's grace period ends at a
 * tick when no CPU's running task is inside a read-side section (rcu_read_lock(),
 * rcu_read_lock_bh(), rcu_read_lock_sched()). `synchronize_rcu()` and `rcu_barrier()` sleep; inside
 * a read-side section they can never return ("Illegal synchronize_rcu() in RCU read-side critical
 * section"). Not modelled: rcu_nocbs / CONFIG_RCU_NOCB_CPU offloading (rcuo kthreads),
 * expedited grace periods, RCU_BOOST, the `rcu_callback` map (rcu_lock_acquire(): check = 0).
 */
import type { Cpu } from '../machine/cpu.js'
import type { Task } from '../machine/machine.js'
import type { Context } from '../exec/context.js'
import { CLAIM_BH } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import { raiseSoftirq } from '../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../exec/irq-registry.js'
import type { Op } from '../exec/wait.js'
import type { Kthread } from './kthreads.js'
import type { Deferred, DeferredChannel } from './runtime.js'
import type { RcuCallbackState } from './states.js'

type RcuCallback = (ctx: Context<RcuCallbackState>) => unknown

export class Rcu {
  readonly #d: Deferred
  /** Per CPU: callbacks waiting for a grace period, and those whose grace period has ended. */
  readonly #waiting: RcuCallback[][]
  readonly #ready: RcuCallback[][]
  readonly #rcuc: Kthread[]
  readonly #channel: DeferredChannel
  /** rcu_read_lock_bh() / rcu_read_lock_sched() sections of each task (rcu_read_lock() is the task's own counter). */
  readonly #flavoured = new Map<Task, number>()

  constructor(d: Deferred) {
    this.#d = d
    this.#waiting = d.parts.cpus.map(() => [])
    this.#ready = d.parts.cpus.map(() => [])
    this.#channel = d.channel('rcu_state', 'grace period', () => null)
    // rcu_spawn_core_kthreads(): .thread_comm = "rcuc/%u" when !use_softirq; rcu_cpu_kthread(): local_bh_disable(); rcu_core(); local_bh_enable().
    this.#rcuc = d.parts.cpus.map((cpu) => ({
      comm: `rcuc/${cpu.id}`,
      policy: 'fifo',
      run: (ctx) => {
        ctx.localBhDisable(() => this.#invoke(cpu))
      },
    }))
    // rcu_init(): if (use_softirq) open_softirq(RCU_SOFTIRQ, rcu_core_si).
    if (!d.preemptRt) d.onSoftirq('RCU', (cpu) => this.#invoke(cpu))
    d.tickHooks.push((cpu) => this.#tick(cpu))
    d.tickWants.push((cpu) => (this.#waiting[cpu.id] as RcuCallback[]).length > 0 || (this.#ready[cpu.id] as RcuCallback[]).length > 0)
  }

  callRcu(cpu: Cpu, fn: RcuCallback): void {
    if (typeof fn !== 'function') throw new InvalidArgumentError('call_rcu(): the callback must be a function')
    ;(this.#waiting[cpu.id] as RcuCallback[]).push(fn)
  }

  /** Whether some CPU's running task is inside a read-side section (the grace period cannot end). */
  #readerRunning(): boolean {
    return this.#d.parts.cpus.some((c) => this.inReader(c.current))
  }

  inReader(task: Task): boolean {
    return task.rcuReadLockNesting > 0 || (this.#flavoured.get(task) ?? 0) > 0
  }

  /** rcu_sched_clock_irq(): a grace period ends when no reader runs; ready callbacks are invoked (invoke_rcu_core()). */
  #tick(cpu: Cpu): void {
    if (!this.#readerRunning()) this.#gracePeriod()
    if ((this.#ready[cpu.id] as RcuCallback[]).length > 0) this.#invokeCore(cpu)
  }

  #gracePeriod(): void {
    for (const [i, w] of this.#waiting.entries()) (this.#ready[i] as RcuCallback[]).push(...w.splice(0))
  }

  /** `invoke_rcu_core()`: raise RCU_SOFTIRQ, or wake rcuc/N (`invoke_rcu_core_kthread()`). */
  #invokeCore(cpu: Cpu): void {
    if (this.#d.preemptRt) this.#d.exec.kthreads.wake(cpu.id, this.#rcuc[cpu.id] as Kthread)
    else raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf('RCU'))
  }

  /** `rcu_do_batch()`: each ready callback in a context of its own (BH off). */
  #invoke(cpu: Cpu): void {
    const ready = this.#ready[cpu.id] as RcuCallback[]
    for (let fn = ready.shift(); fn !== undefined; fn = ready.shift()) this.#d.exec.callback(cpu, fn, CLAIM_BH, 'an RCU callback')
  }

  enterFlavoured(task: Task, delta: 1 | -1): void {
    const n = (this.#flavoured.get(task) ?? 0) + delta
    if (n === 0) this.#flavoured.delete(task)
    else this.#flavoured.set(task, n)
  }

  /** `synchronize_rcu()`: RCU_LOCKDEP_WARN in a reader, might_sleep(), then wait for a grace period. */
  synchronizeRcu(ctx: unknown, op = 'synchronize_rcu()'): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, op)
    if (this.inReader(cpu.current))
      d.parts.reporter.rcuLockdepWarn(cpu, 'kernel/rcu/tree.c', 'synchronize_rcu', 'Illegal synchronize_rcu() in RCU read-side critical section')
    d.parts.reporter.mightSleep(cpu, op)
    d.wait(cpu, this.#gpOp(cpu))
    this.#gracePeriod()
  }

  *#gpOp(cpu: Cpu): Op<void> {
    // wait_rcu_gp(): a completion, TASK_UNINTERRUPTIBLE; the grace period waits for this very reader.
    while (this.inReader(cpu.current)) yield { tag: 'wait', channel: this.#channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }

  /** `rcu_barrier()`: mutex_lock(&rcu_state.barrier_mutex) (sleeps), then waits until every queued callback has run. */
  rcuBarrier(ctx: unknown): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'rcu_barrier()')
    d.parts.reporter.mightSleep(cpu, 'rcu_barrier()')
    d.wait(cpu, this.#gpOp(cpu))
    this.#gracePeriod()
    for (const c of d.parts.cpus) if ((this.#ready[c.id] as RcuCallback[]).length > 0) d.exec.fromOutside(c, (x) => this.#invokeCore(x))
    d.wait(cpu, this.#barrierOp())
  }

  *#barrierOp(): Op<void> {
    while (this.#ready.some((r) => r.length > 0)) yield { tag: 'wait', channel: this.#channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }
}
