/**
 * Workqueues (kernel/workqueue.c): work items run in a kworker (process context, may sleep) or,
 * on a `WQ_BH` workqueue, from the TASKLET softirq. `process_one_work()` holds the workqueue's
 * map `(wq_completion)<wq>` and the work's map `(work_completion)<work>` around the function;
 * `start_flush_work()` touches the work's map (and, for an ordered or WQ_MEM_RECLAIM workqueue,
 * the workqueue's) *only when the work is pending or running*; `__flush_workqueue()` always
 * touches the workqueue's. lockdep finds the flush-under-a-lock-the-work-takes and
 * flush-from-the-work-itself deadlocks through them; the wait itself (a completion) is the
 * synchronous executor's: it runs the kworker meanwhile, or reports the wait that never ends.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import type { CtxState, FreshTaskState } from '../rules/state.js'
import type { CanSleep } from '../rules/sleep.js'
import type { NotInHardirqCheck } from '../rules/preemptible-wait.js'
import type { InCallbackOf, SelfWaitCheck } from '../rules/self-wait.js'
import { CLAIM_BH } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import { localBhEnable, raiseSoftirq } from '../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../exec/irq-registry.js'
import type { Op } from '../exec/wait.js'
import { enterWork, exitWork, flushDependencyViolation } from './flush-dependency.js'
import type { Kthread } from './kthreads.js'
import type { ClockEvent, Deferred, DeferredChannel, DeferredCore, Runner } from './runtime.js'
import type { BhWorkState } from './states.js'

/**
 * Where a work item runs: a kworker ('task') or the TASKLET softirq of a WQ_BH workqueue ('bh').
 *
 * @example
 * ```ts
 * import { createKernel, type WorkKind } from 'lockproof'
 *
 * const kind: WorkKind = createKernel().allocWorkqueue('events_bh', { bh: true }).runsIn // 'bh'
 * console.log(kind)
 * ```
 */
export type WorkKind = 'task' | 'bh'
/**
 * The context a work function of kind K starts in.
 *
 * @example
 * ```ts
 * import type { BhWorkState, WorkStateOf } from 'lockproof'
 *
 * const same = (s: WorkStateOf<'bh'>): BhWorkState => s
 * console.log(typeof same)
 * ```
 */
export type WorkStateOf<K extends WorkKind> = K extends 'bh' ? BhWorkState : FreshTaskState

/**
 * What work N's function runs in: {@link WorkStateOf}, holding `(work_completion)N`
 * (process_one_work()), which `flush_work()` / `cancel_work_sync()` of it from there wait on for ever.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type WorkFnState } from 'lockproof'
 *
 * const reset = (ctx: Context<WorkFnState<'reset', 'task'>>) => ctx.msleep(1)
 * createKernel().initWork('reset', reset)
 * ```
 */
export type WorkFnState<N extends string, K extends WorkKind> = InCallbackOf<WorkStateOf<K>, 'work_struct', N>

/**
 * `alloc_workqueue()` flags lockproof models.
 *
 * @example
 * ```ts
 * import { createKernel, type WorkqueueFlags } from 'lockproof'
 *
 * const flags = { ordered: true, memReclaim: true } as const satisfies WorkqueueFlags
 * createKernel().allocWorkqueue('eth0_wq', flags)
 * ```
 */
export interface WorkqueueFlags {
  /** `WQ_BH`: work runs from the TASKLET softirq. */
  readonly bh?: boolean
  /** `alloc_ordered_workqueue()` (max_active 1): flush_work() also touches the workqueue's map. */
  readonly ordered?: boolean
  /** `WQ_MEM_RECLAIM` (a rescuer): flush_work() also touches the workqueue's map. */
  readonly memReclaim?: boolean
}

/**
 * A `struct work_struct`, from {@link Kernel.initWork}.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', { resets: 0 })
 * const wq = kernel.allocWorkqueue('eth0_wq')
 * const reset = kernel.initWork('&priv->reset_work', (ctx) => cfg.withLocked(ctx, (_ctx, c) => { c.resets++ }))
 * kernel.run((ctx) => { wq.queueWork(ctx, reset); reset.flushWork(ctx) }) // runs in kworker/0:1 meanwhile
 * ```
 */
export interface Work<N extends string = string, K extends WorkKind = WorkKind> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'work_struct'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** Where it runs: a kworker or the TASKLET softirq. */
  readonly runsIn: K
  /** `work_pending()`. */
  readonly pending: boolean
  /** `flush_work()`: waits for the last queued instance to finish (may sleep). True if it waited. */
  flushWork<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'flush_work()'> & SelfWaitCheck<T, 'work_struct', N, 'flush_work()'>): boolean
  /** `cancel_work_sync()`: takes it off its queue and waits for a running instance. True if it was pending. */
  cancelWorkSync<T extends CtxState>(
    ctx: Context<T> &
      (K extends 'bh' ? NotInHardirqCheck<T, 'cancel_work_sync()'> : CanSleep<T, 'cancel_work_sync()'>) &
      SelfWaitCheck<T, 'work_struct', N, 'cancel_work_sync()'>,
  ): boolean
  /** `cancel_work()`: takes it off its queue without waiting. Any context. */
  cancelWork(ctx: AnyContext): boolean
}

/**
 * A `struct delayed_work`, from {@link Kernel.initDelayedWork}: a work item and a TIMER_IRQSAFE timer that queues it.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const wq = kernel.allocWorkqueue('events')
 * const poll = kernel.initDelayedWork('&priv->poll', (ctx) => ctx.msleep(1))
 * kernel.run((ctx) => wq.queueDelayedWork(ctx, poll, 100))
 * kernel.advance(100) // the timer queues it; a kworker runs it
 * kernel.run((ctx) => poll.cancelDelayedWorkSync(ctx))
 * ```
 */
export interface DelayedWork<N extends string = string> extends Work<N, 'task'> {
  /** `cancel_delayed_work_sync()`. */
  cancelDelayedWorkSync<T extends CtxState>(
    ctx: Context<T> & CanSleep<T, 'cancel_delayed_work_sync()'> & SelfWaitCheck<T, 'work_struct', N, 'cancel_delayed_work_sync()'>,
  ): boolean
  /** `flush_delayed_work()`: queues it now if its timer is pending, then flush_work(). */
  flushDelayedWork<T extends CtxState>(
    ctx: Context<T> & CanSleep<T, 'flush_delayed_work()'> & SelfWaitCheck<T, 'work_struct', N, 'flush_delayed_work()'>,
  ): boolean
}

/**
 * A `struct workqueue_struct`, from {@link Kernel.allocWorkqueue}.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const wq = kernel.allocWorkqueue('events_bh', { bh: true })
 * const rx = kernel.spinLock('rx', { n: 0 })
 * const w = kernel.initWork('&priv->bh_work', (ctx) => rx.withLocked(ctx, (_ctx, r) => { r.n++ }), { bh: true })
 * kernel.run((ctx) => { wq.queueWork(ctx, w) }) // runs from the TASKLET softirq
 * ```
 */
export interface Workqueue<N extends string = string, K extends WorkKind = WorkKind> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'workqueue_struct'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** Where its work runs: 'task' (kworkers) or 'bh' (the TASKLET softirq). */
  readonly runsIn: K
  /** `queue_work()`: queues it on this CPU's pool; false if it was pending already. Any context. */
  queueWork(ctx: AnyContext, work: Work<string, K>): boolean
  /** `queue_delayed_work()`: queues it after `delayMs` (its timer); false if pending. Any context. */
  queueDelayedWork(ctx: AnyContext, dwork: K extends 'task' ? DelayedWork : never, delayMs: number): boolean
  /** `flush_workqueue()`: waits for every work queued on it so far (may sleep). */
  flushWorkqueue<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'flush_workqueue()'>): void
  /** `destroy_workqueue()`: drains it; queueing on it afterwards is refused with the kernel's warning. */
  destroyWorkqueue<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'destroy_workqueue()'>): void
}

type WorkFn = (ctx: Context<CtxState>) => unknown

/** Where queued work goes and how much is left: the synchronous kernel's pools ({@link WorkPools}) or a model's. */
export interface WorkQueuing {
  queue(cpu: Cpu, work: WorkRuntime, wq: WorkqueueRuntime): void
  /** Takes `work` off the queue it is on; true if it was there. */
  unqueue(work: WorkRuntime): boolean
  /** Work of `wq` queued or running. */
  busy(wq: WorkqueueRuntime): boolean
}

/** A queued item a worker may start: not running elsewhere, nor of a busy ordered workqueue (max_active 1). */
const mayRun = (i: { readonly work: WorkRuntime; readonly wq: WorkqueueRuntime }): boolean =>
  !i.work.running && !(i.wq.flags.ordered === true && i.wq.running > 0)

/** One CPU's worker pool: the queued items in order and its kworkers (a new one when all are busy: concurrency management). */
interface Pool {
  readonly cpu: number
  readonly items: { readonly work: WorkRuntime; readonly wq: WorkqueueRuntime }[]
  readonly kworkers: Kthread[]
}

/** The pools of one kernel: a kworker pool and a BH pool per CPU. */
export class WorkPools implements WorkQueuing {
  readonly #d: Deferred
  readonly task: Pool[]
  readonly bh: Pool[]
  constructor(d: Deferred) {
    this.#d = d
    this.task = d.parts.cpus.map((cpu) => ({ cpu: cpu.id, items: [], kworkers: [] }))
    this.bh = d.parts.cpus.map((cpu) => ({ cpu: cpu.id, items: [], kworkers: [] }))
    // bh_worker() runs from tasklet_action() (workqueue_softirq_action(false)), before the tasklets.
    d.onSoftirq('TASKLET', (cpu) => this.#drain(cpu, this.bh[cpu.id] as Pool), true)
    // wq_worker_sleeping(): `pool->nr_running--; if (kick_pool(pool))` — with work left and no
    // worker running, an idle worker (a new one if none: the pool keeps one idle) is woken.
    d.exec.kthreads.onSleep((cpuId, comm) => {
      const pool = this.task[cpuId] as Pool
      const cpu = d.parts.cpus[cpuId]
      if (cpu === undefined || !pool.kworkers.some((k) => k.comm === comm) || !pool.items.some(mayRun)) return
      d.exec.kthreads.wake(cpuId, this.#idleWorker(cpu, pool))
    })
  }

  queue(cpu: Cpu, work: WorkRuntime, wq: WorkqueueRuntime): void {
    const pool = (wq.runsIn === 'bh' ? this.bh : this.task)[cpu.id] as Pool
    pool.items.push({ work, wq })
    // kick_bh_pool() raises TASKLET_SOFTIRQ; kick_pool() wakes an idle kworker (a new one when every worker is busy).
    if (wq.runsIn === 'bh') raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf('TASKLET'))
    else this.#d.exec.kthreads.wake(cpu.id, this.#idleWorker(cpu, pool))
  }

  #idleWorker(cpu: Cpu, pool: Pool): Kthread {
    const kthreads = this.#d.exec.kthreads
    const idle = pool.kworkers.find((k) => !kthreads.running.has(k))
    if (idle !== undefined) return idle
    const k: Kthread = { comm: `kworker/${cpu.id}:${pool.kworkers.length + 1}`, policy: 'normal', run: () => this.#drain(cpu, pool) }
    pool.kworkers.push(k)
    return k
  }

  /** Takes `work` off the queue it is on; true if it was there. */
  unqueue(work: WorkRuntime): boolean {
    for (const pool of [...this.task, ...this.bh]) {
      const at = pool.items.findIndex((i) => i.work === work)
      if (at >= 0) {
        pool.items.splice(at, 1)
        return true
      }
    }
    return false
  }

  busy(wq: WorkqueueRuntime): boolean {
    return [...this.task, ...this.bh].some((p) => p.items.some((i) => i.wq === wq)) || wq.running > 0
  }

  /**
   * A worker's loop: the next item that may run — not a work running elsewhere (a work item
   * never runs concurrently with itself: find_worker_executing_work()), nor one of an ordered
   * workqueue that is busy (max_active 1).
   */
  #drain(cpu: Cpu, pool: Pool): void {
    for (;;) {
      const at = pool.items.findIndex(mayRun)
      if (at < 0) return
      const [item] = pool.items.splice(at, 1)
      if (item !== undefined) item.work.process(cpu, item.wq)
    }
  }
}

export class WorkRuntime implements Work<string, WorkKind> {
  readonly kind = 'work_struct'
  readonly #d: DeferredCore
  readonly #pools: WorkQueuing
  readonly #fn: WorkFn
  readonly map
  /** What flush_work() / cancel_work_sync() wait on (a model wakes it when the work ends or is cancelled). */
  readonly channel: DeferredChannel
  #pending = false
  /** The workqueue it was last queued on (`get_work_pwq()` / the pool it last ran in). */
  #wq: WorkqueueRuntime | null = null
  #running: Runner | null = null
  /** Finished runs, for flush_work()'s barrier. */
  #runs = 0
  /** `WORK_CANCEL_DISABLE` while cancel_work_sync() waits: re-queueing fails. */
  #disabled = 0

  constructor(
    d: DeferredCore,
    pools: WorkQueuing,
    readonly name: string,
    fn: WorkFn,
    readonly runsIn: WorkKind,
  ) {
    this.#pools = pools
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('INIT_WORK(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('INIT_WORK(): the work function must be a function')
    this.#d = d
    this.#fn = fn
    // __INIT_WORK(): lockdep_init_map(&(_work)->lockdep_map, "(work_completion)"#_work, &__key, 0).
    this.map = d.lockMap(`(work_completion)${name}`)
    this.channel = d.channel('work_struct', name, () => this.#running)
  }

  get pending(): boolean {
    return this.#pending
  }

  /** `clear_pending_if_disabled()`: queueing fails while cancel_work_sync() (WORK_CANCEL_DISABLE) runs. */
  get disabled(): boolean {
    return this.#disabled > 0
  }

  /** A worker runs it now. */
  get running(): boolean {
    return this.#running !== null
  }

  /** `queue_work_on()`: test_and_set_bit(WORK_STRUCT_PENDING_BIT) and, if it was clear, `__queue_work()`. */
  queue(cpu: Cpu, wq: WorkqueueRuntime): boolean {
    if (this.#pending || this.#disabled > 0) return false
    this.#pending = true
    this.#wq = wq
    this.#pools.queue(cpu, this, wq)
    return true
  }

  /** `process_one_work()` in the kworker (or bh_worker() in the softirq) of `cpu`. */
  process(cpu: Cpu, wq: WorkqueueRuntime): void {
    this.startProcess(cpu, wq)
    const run = (ctx: Context<CtxState>): unknown => {
      this.enterFn(ctx, wq)
      try {
        return this.#fn(ctx)
      } finally {
        this.exitFn(ctx, wq)
      }
    }
    try {
      this.#d.callback(cpu, run, wq.runsIn === 'bh' ? CLAIM_BH : 0, `work '${this.name}'`)
    } finally {
      this.endProcess(wq)
    }
  }

  /** `process_one_work()` up to the function: no longer pending, running on `cpu`. */
  startProcess(cpu: Cpu, wq: WorkqueueRuntime): void {
    this.#pending = false
    this.#running = this.#d.runnerOn(cpu)
    wq.running++
  }

  /** In the function's context: the workqueue's map, then the work's. */
  enterFn(ctx: AnyContext, wq: WorkqueueRuntime): void {
    wq.map.acquire(ctx)
    this.map.acquire(ctx)
    enterWork(this.#d.cpuOf(ctx, 'process_one_work()').current, { wq, work: this.name })
  }

  exitFn(ctx: AnyContext, wq: WorkqueueRuntime): void {
    exitWork(this.#d.cpuOf(ctx, 'process_one_work()').current)
    this.map.release(ctx)
    wq.map.release(ctx)
  }

  /** After the function: one more finished run (flush_work()'s barrier). */
  endProcess(wq: WorkqueueRuntime): void {
    wq.running--
    this.#running = null
    this.#runs++
  }

  flushWork(ctx: AnyContext): boolean {
    return this.#d.wait(this.#d.cpuOf(ctx, 'flush_work()'), this.flushWorkOp(ctx))
  }

  /** `flush_work()`, as an op (kernel.run drives it; a model `yield*`s it). */
  *flushWorkOp(ctx: AnyContext): Op<boolean> {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'flush_work()')
    d.parts.reporter.mightSleep(cpu, 'flush_work()')
    return yield* this.#flush(ctx, false)
  }

  /** `__flush_work()`: `start_flush_work()` (the maps, only with something to wait for), then the barrier's completion. */
  *#flush(ctx: AnyContext, fromCancel: boolean): Op<boolean> {
    const wq = this.#wq
    if (wq === null || (!this.#pending && this.#running === null)) return false
    // The barrier goes after the pending instance, or after the running one.
    const target = this.#runs + (this.#pending && this.#running !== null ? 2 : 1)
    this.#touch(ctx, this.map, wq)
    if (!fromCancel && (wq.flags.ordered === true || wq.flags.memReclaim === true)) this.#touch(ctx, wq.map, wq)
    checkFlushDependency(this.#d, ctx, wq, this.name, fromCancel)
    const bhBusyWait = fromCancel && wq.runsIn === 'bh'
    yield* this.#flushOp(target, bhBusyWait)
    return true
  }

  /** `touch_work_lockdep_map()` / `touch_wq_lockdep_map()`: acquire and release, with BH off for a WQ_BH workqueue. */
  #touch(ctx: AnyContext, map: { acquire(c: AnyContext): void; release(c: AnyContext): void }, wq: WorkqueueRuntime): void {
    if (wq.runsIn === 'bh') {
      // The kernel's local_bh_disable() … local_bh_enable(); from a context that cannot, the touch alone.
      const cpu = this.#d.cpuOf(ctx, 'flush_work()')
      if (!cpu.irqsDisabled && !cpu.inHardirq()) {
        cpu.localBhDisable()
        try {
          map.acquire(ctx)
          map.release(ctx)
        } finally {
          localBhEnable(cpu)
        }
        return
      }
    }
    map.acquire(ctx)
    map.release(ctx)
  }

  *#flushOp(target: number, spin: boolean): Op<void> {
    // wait_for_completion(&barr.done) (TASK_UNINTERRUPTIBLE); a cancelled BH work: try_wait_for_completion() busy-wait.
    while (this.#runs < target && (this.#pending || this.#running !== null)) {
      yield { tag: 'wait', channel: this.channel, state: 'TASK_UNINTERRUPTIBLE', spin }
    }
  }

  cancelWork(ctx: AnyContext): boolean {
    this.#d.cpuOf(ctx, 'cancel_work()')
    return this.#cancel()
  }

  #cancel(): boolean {
    if (!this.#pending) return false
    this.#pools.unqueue(this)
    this.#pending = false
    return true
  }

  cancelWorkSync(ctx: AnyContext): boolean {
    return this.cancelSync(ctx, 'cancel_work_sync()', () => false)
  }

  cancelSync(ctx: AnyContext, op: string, cancelTimer: () => boolean): boolean {
    return this.#d.wait(this.#d.cpuOf(ctx, op), this.cancelSyncOp(ctx, op, cancelTimer))
  }

  /** `__cancel_work_sync()`: `__cancel_work(… | WORK_CANCEL_DISABLE)`, might_sleep() (BH: WARN_ON_ONCE(in_hardirq())), `__flush_work(work, true)`. */
  *cancelSyncOp(ctx: AnyContext, op: string, cancelTimer: () => boolean): Op<boolean> {
    const d = this.#d
    const cpu = d.cpuOf(ctx, op)
    this.#disabled++
    try {
      const ret = cancelTimer() || this.#cancel()
      if (this.runsIn === 'bh') d.warn(ctx, op, cpu.inHardirq(), 'WARN_ON_ONCE(in_hardirq())', '__cancel_work_sync')
      else d.parts.reporter.mightSleep(cpu, op)
      yield* this.#flush(ctx, true)
      return ret
    } finally {
      this.#disabled--
    }
  }
}

export class DelayedWorkRuntime extends WorkRuntime implements ClockEvent {
  readonly base = 'timer'
  expires = 0
  cpu = 0
  #wq: WorkqueueRuntime | null = null
  readonly #dd: DeferredCore

  constructor(d: DeferredCore, pools: WorkQueuing, name: string, fn: WorkFn) {
    super(d, pools, name, fn, 'task')
    this.#dd = d
  }

  /** `queue_delayed_work_on()`: test_and_set_bit(WORK_STRUCT_PENDING_BIT) and `!clear_pending_if_disabled()`, then `__queue_delayed_work()`. */
  queueDelayed(cpu: Cpu, wq: WorkqueueRuntime, delayMs: number): boolean {
    if (this.pending || this.disabled) return false
    this.#queueDelayed(cpu, wq, delayMs)
    return true
  }

  /** `__queue_delayed_work()`: at once for no delay, else its timer on this CPU (TIMER_IRQSAFE: it queues the work from the TIMER softirq). */
  #queueDelayed(cpu: Cpu, wq: WorkqueueRuntime, delayMs: number): void {
    if (delayMs === 0) {
      this.queue(cpu, wq)
      return
    }
    this.#wq = wq
    this.expires = this.#dd.jiffies + delayMs
    this.cpu = cpu.id
    this.#dd.arm(this)
  }

  /** `mod_delayed_work_on()`: `work_grab_pending()` (its timer or its queue), then `__queue_delayed_work()` unless disabled. True if it was pending. */
  modDelayed(ctx: AnyContext, cpu: Cpu, wq: WorkqueueRuntime, delayMs: number): boolean {
    const was = this.cancelDelayedWork(ctx)
    if (!this.disabled) this.#queueDelayed(cpu, wq, delayMs)
    return was
  }

  /** `delayed_work_timer_fn()`: the timer queues the work (no user code runs in the softirq). */
  fire(cpu: Cpu): void {
    if (this.#wq !== null) this.queue(cpu, this.#wq)
  }

  override get pending(): boolean {
    return super.pending || this.#dd.armed(this)
  }

  /** `cancel_delayed_work()`: `__cancel_work(…, WORK_CANCEL_DELAYED)` — its timer or its queue; any context. */
  cancelDelayedWork(ctx: AnyContext): boolean {
    this.#dd.cpuOf(ctx, 'cancel_delayed_work()')
    return this.#dd.disarm(this) || this.cancelWork(ctx)
  }

  cancelDelayedWorkSync(ctx: AnyContext): boolean {
    return this.cancelSync(ctx, 'cancel_delayed_work_sync()', () => this.#dd.disarm(this))
  }

  /** `cancel_delayed_work_sync()`, as an op. */
  cancelDelayedWorkSyncOp(ctx: AnyContext): Op<boolean> {
    return this.cancelSyncOp(ctx, 'cancel_delayed_work_sync()', () => this.#dd.disarm(this))
  }

  flushDelayedWork(ctx: AnyContext): boolean {
    return this.#dd.wait(this.#dd.cpuOf(ctx, 'flush_delayed_work()'), this.flushDelayedWorkOp(ctx))
  }

  /** `flush_delayed_work()`: `local_irq_disable(); if (timer_delete_sync(&dwork->timer)) __queue_work(…); local_irq_enable();` then flush_work(). */
  *flushDelayedWorkOp(ctx: AnyContext): Op<boolean> {
    const cpu = this.#dd.cpuOf(ctx, 'flush_delayed_work()')
    if (this.#dd.disarm(this) && this.#wq !== null) this.queue(cpu, this.#wq)
    return yield* this.flushWorkOp(ctx)
  }
}

export class WorkqueueRuntime implements Workqueue<string, WorkKind> {
  readonly kind = 'workqueue_struct'
  readonly #d: DeferredCore
  readonly #pools: WorkQueuing
  readonly map
  readonly runsIn: WorkKind
  /** What flush_workqueue() waits on (a model wakes it when a work of it ends or is cancelled). */
  readonly channel: DeferredChannel
  running = 0
  #destroyed = false

  constructor(
    d: DeferredCore,
    pools: WorkQueuing,
    readonly name: string,
    readonly flags: WorkqueueFlags,
  ) {
    this.#pools = pools
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('alloc_workqueue(): the name must be a non-empty string')
    if (typeof flags !== 'object' || flags === null) throw new InvalidArgumentError('alloc_workqueue(): the flags must be an object')
    this.#d = d
    this.runsIn = flags.bh === true ? 'bh' : 'task'
    // wq_init_lockdep(): "(wq_completion)" + wq->name (a key per workqueue).
    this.map = d.lockMap(`(wq_completion)${name}`)
    this.channel = d.channel('workqueue_struct', name, () => null)
  }

  queueWork(ctx: AnyContext, work: Work): boolean {
    const cpu = this.#d.cpuOf(ctx, 'queue_work()')
    const w = this.#workArg('queue_work()', work)
    if (!this.#mayQueue(ctx, w)) return false
    return w.queue(cpu, this)
  }

  queueDelayedWork(ctx: AnyContext, dwork: DelayedWork, delayMs: number): boolean {
    return this.queueDelayedRuntime(ctx, this.#workArg('queue_delayed_work()', dwork), delayMs)
  }

  /** `queue_delayed_work()` of a work's runtime (kernel.run's objects are their runtimes; a model's are not). */
  queueDelayedRuntime(ctx: AnyContext, w: WorkRuntime, delayMs: number): boolean {
    const cpu = this.#d.cpuOf(ctx, 'queue_delayed_work()')
    if (!(w instanceof DelayedWorkRuntime)) throw new InvalidArgumentError('queue_delayed_work(): expected a delayed work (initDelayedWork())')
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
      throw new InvalidArgumentError('queue_delayed_work(): the delay must be a finite number ≥ 0')
    if (!this.#mayQueue(ctx, w)) return false
    return w.queueDelayed(cpu, this, delayMs)
  }

  #workArg(op: string, work: unknown): WorkRuntime {
    if (!(work instanceof WorkRuntime)) throw new InvalidArgumentError(`${op}: expected a work item made by this kernel (initWork())`)
    if (work.runsIn !== this.runsIn) {
      throw new InvalidArgumentError(
        `${op}: work '${work.name}' runs in ${work.runsIn === 'bh' ? 'softirq' : 'a kworker'}, workqueue '${this.name}' in ${this.runsIn === 'bh' ? 'softirq (WQ_BH)' : 'kworkers'}`,
      )
    }
    return work
  }

  /** `__queue_work()`: on a destroyed (draining) workqueue, WARN_ONCE(… "workqueue: cannot queue %ps on wq %s\n") and nothing queued. */
  #mayQueue(ctx: AnyContext, w: WorkRuntime): boolean {
    if (!this.#destroyed) return true
    this.#d.warn(ctx, 'queue_work()', true, `workqueue: cannot queue ${w.name} on wq ${this.name}`, '__queue_work')
    return false
  }

  flushWorkqueue(ctx: AnyContext): void {
    this.#d.wait(this.#d.cpuOf(ctx, 'flush_workqueue()'), this.flushWorkqueueOp(ctx, 'flush_workqueue()'))
  }

  destroyWorkqueue(ctx: AnyContext): void {
    this.#d.wait(this.#d.cpuOf(ctx, 'destroy_workqueue()'), this.flushWorkqueueOp(ctx, 'destroy_workqueue()'))
  }

  /**
   * `flush_workqueue()` / `destroy_workqueue()` (drain_workqueue(): __WQ_DRAINING, then flush until
   * empty — chained work may still queue), as an op.
   */
  *flushWorkqueueOp(ctx: AnyContext, op: 'flush_workqueue()' | 'destroy_workqueue()'): Op<void> {
    const d = this.#d
    const cpu = d.cpuOf(ctx, op)
    d.parts.reporter.mightSleep(cpu, op)
    if (op === 'destroy_workqueue()') this.#destroyed = true
    // __flush_workqueue(): touch_wq_lockdep_map(wq) always, then wait for the flush color's works.
    this.map.acquire(ctx)
    this.map.release(ctx)
    checkFlushDependency(d, ctx, this, null, false)
    while (this.#pools.busy(this)) yield { tag: 'wait', channel: this.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }
}

/** `check_flush_dependency()` (./flush-dependency.ts): its WARN_ONCE, one per kernel as the kernel's one static flag. */
const checkFlushDependency = (d: DeferredCore, ctx: AnyContext, target: WorkqueueRuntime, targetFunc: string | null, fromCancel: boolean): void => {
  const message = flushDependencyViolation(d.cpuOf(ctx, 'check_flush_dependency()').current, target, targetFunc, fromCancel)
  const fired = d.parts.machine.warnedAsserts
  if (message === null || fired.includes(FLUSH_DEPENDENCY)) return
  fired.push(FLUSH_DEPENDENCY)
  d.warn(ctx, 'check_flush_dependency()', true, message, 'check_flush_dependency')
}

const FLUSH_DEPENDENCY = 'check_flush_dependency\u0000WQ_MEM_RECLAIM'
