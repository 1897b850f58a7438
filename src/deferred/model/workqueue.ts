/**
 * Workqueues in a model: the work and workqueue runtimes of kernel.run (../workqueue.ts) — their
 * lockdep maps, barriers and waits — queued on the model's worker pools, whose kworkers are
 * kernel threads of the model (process context, may sleep), so the explorer interleaves them:
 * - a bound workqueue's work runs in a `kworker/N:M` of the queueing CPU's pool, which is
 *   concurrency managed as `kick_pool()` / `wq_worker_sleeping()` have it: an idle worker is
 *   woken only while no worker of the pool is running (a worker that goes to sleep in a work
 *   lets the next one run), a new one made when none is idle;
 * - an unbound workqueue's (`{ unbound: true }`, WQ_UNBOUND) runs in a `kworker/uN:M` on any CPU
 *   (the explorer chooses): unbound pools are not concurrency managed;
 * - a work item never runs concurrently with itself, and an ordered workqueue runs one at a time.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { CanSleep } from '../../rules/sleep.js'
import type { Callback, SelfWaitCheck } from '../../rules/self-wait.js'
import { InvalidArgumentError } from '../../errors.js'
import { POINT, type Op } from '../../exec/wait.js'
import type { Body } from '../../exec/model/executor.js'
import { DelayedWorkRuntime, WorkRuntime, WorkqueueRuntime, type WorkFnState, type WorkQueuing, type WorkqueueFlags } from '../workqueue.js'
import { invoke, ModelDeferred, type ModelKthread, runByTheModel } from './core.js'
import { touchShared } from '../../exec/explore/touched.js'

/**
 * `alloc_workqueue()` flags of a model: kernel.run's, and WQ_UNBOUND.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelWorkqueueFlags } from 'lockproof'
 *
 * const flags = { unbound: true } as const satisfies ModelWorkqueueFlags
 * defineModel((k) => { k.allocWorkqueue('events_unbound', flags) })
 * ```
 */
export interface ModelWorkqueueFlags extends Omit<WorkqueueFlags, 'bh'> {
  /** `WQ_UNBOUND`: its work runs in a kworker of any CPU (the explorer chooses), not concurrency managed. */
  readonly unbound?: boolean
}

/**
 * A `struct work_struct` of a model, from `k.initWork()`: its function runs in a kworker.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const cfg = k.mutex('cfg', { resets: 0 })
 *   const wq = k.allocWorkqueue('eth0_wq')
 *   const reset = k.initWork('&priv->reset_work', function* (ctx) {
 *     yield* cfg.withLocked(ctx, function* (_ctx, c) { c.resets++ })
 *   })
 *   k.task('probe', { cpu: 0 }, function* (ctx) {
 *     wq.queueWork(ctx, reset)
 *     yield* reset.flushWork(ctx)
 *   })
 * })
 * ```
 */
export interface ModelWork<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'work_struct'
  /** Its name: the lockdep class `(work_completion)<name>`. */
  readonly name: N
  /** `work_pending()`. */
  readonly pending: boolean
  /** `flush_work()`: waits for the last queued instance to finish (may sleep); an op. True if it waited. */
  flushWork<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'flush_work()'> & SelfWaitCheck<T, 'work_struct', N, 'flush_work()'>): Op<boolean>
  /** `cancel_work_sync()`: takes it off its queue and waits for a running instance; an op. True if it was pending. */
  cancelWorkSync<T extends CtxState>(
    ctx: Context<T> & CanSleep<T, 'cancel_work_sync()'> & SelfWaitCheck<T, 'work_struct', N, 'cancel_work_sync()'>,
  ): Op<boolean>
  /** `cancel_work()`: takes it off its queue without waiting. Any context. */
  cancelWork(ctx: AnyContext): boolean
}

/**
 * A `struct delayed_work` of a model, from `k.initDelayedWork()`: a work item whose timer queues it.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const stats = k.mutex('stats', { polls: 0 })
 *   const poll = k.initDelayedWork('&priv->poll', function* (ctx) {
 *     yield* stats.withLocked(ctx, function* (_ctx, s) { s.polls++ })
 *   })
 *   k.task('open', { cpu: 0 }, function* (ctx) {
 *     k.scheduleDelayedWork(ctx, poll, 100)
 *     yield* poll.cancelDelayedWorkSync(ctx)
 *   })
 * })
 * ```
 */
export interface ModelDelayedWork<N extends string = string> extends ModelWork<N> {
  /** `delayed_work_pending()`: its timer is armed or the work is queued. */
  readonly pending: boolean
  /** `cancel_delayed_work()`: its timer or its queue, without waiting for a running instance. True if it was pending. Any context. */
  cancelDelayedWork(ctx: AnyContext): boolean
  /** `cancel_delayed_work_sync()`: cancels it and waits for a running instance (may sleep); an op. Under a lock the work takes: a deadlock. */
  cancelDelayedWorkSync<T extends CtxState>(
    ctx: Context<T> & CanSleep<T, 'cancel_delayed_work_sync()'> & SelfWaitCheck<T, 'work_struct', N, 'cancel_delayed_work_sync()'>,
  ): Op<boolean>
  /** `flush_delayed_work()`: a pending timer is cancelled and the work queued now, then `flush_work()`; an op. */
  flushDelayedWork<T extends CtxState>(
    ctx: Context<T> & CanSleep<T, 'flush_delayed_work()'> & SelfWaitCheck<T, 'work_struct', N, 'flush_delayed_work()'>,
  ): Op<boolean>
}

/**
 * A `struct workqueue_struct` of a model, from `k.allocWorkqueue()`.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const wq = k.allocWorkqueue('eth0_wq', { ordered: true })
 *   const w = k.initWork('w', function* () {})
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     wq.queueWork(ctx, w)
 *     yield* wq.flushWorkqueue(ctx)
 *   })
 * })
 * ```
 */
export interface ModelWorkqueue<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'workqueue_struct'
  /** Its name: the lockdep class `(wq_completion)<name>`. */
  readonly name: N
  /** `queue_work()`: queues it on this CPU's pool (any CPU's for an unbound workqueue); false if it was pending. Any context. */
  queueWork(ctx: AnyContext, work: ModelWork): boolean
  /** `queue_delayed_work()`: its timer (on this CPU) queues it after `delayMs` jiffies, at once for 0; false if it was pending. Any context. */
  queueDelayedWork(ctx: AnyContext, dwork: ModelDelayedWork, delayMs: number): boolean
  /** `mod_delayed_work()`: pending or not, (re)queued after `delayMs`; true if it was pending. Any context. */
  modDelayedWork(ctx: AnyContext, dwork: ModelDelayedWork, delayMs: number): boolean
  /** `flush_workqueue()`: waits for every work queued on it so far (may sleep); an op. */
  flushWorkqueue<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'flush_workqueue()'>): Op<void>
  /** `destroy_workqueue()`: drains it; queueing on it afterwards is refused with the kernel's warning; an op. */
  destroyWorkqueue<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'destroy_workqueue()'>): Op<void>
}

/**
 * A model work function: a generator function in a kworker (process context, may sleep).
 *
 * @example
 * ```ts
 * import { defineModel, type ModelKernel, type ModelWorkFn } from 'lockproof'
 *
 * const poll = (k: ModelKernel): ModelWorkFn => function* (ctx) { yield* k.msleep(ctx, 1) }
 * defineModel((k) => { k.initWork('&priv->poll', poll(k)) })
 * ```
 */
export type ModelWorkFn<N extends string = string> = Callback<[ctx: Context<WorkFnState<N, 'task'>>], Op<unknown>>

interface Worker {
  readonly k: ModelKthread
  readonly cpu: Cpu
}

/** A worker pool: a CPU's (concurrency managed) or the unbound one. */
interface Pool {
  /** The bound CPU, or null for the unbound pool. */
  readonly cpu: number | null
  readonly items: { readonly work: WorkRuntime; readonly wq: WorkqueueRuntime }[]
  readonly workers: Worker[]
  /** Per CPU, how many kworkers this pool made there (for `kworker/N:M` names). */
  readonly made: number[]
}

/** The model's pools (one per kernel execution), behind kernel.run's {@link WorkQueuing} seam. */
export class ModelPools implements WorkQueuing {
  readonly #d: ModelDeferred
  readonly #bound: Pool[]
  readonly #unbound: Pool
  // Each work's function, for invoke() (which takes any function): its own N is the work's.
  readonly #fns = new WeakMap<WorkRuntime, { readonly fn: (...args: never[]) => unknown; readonly what: string }>()

  constructor(d: ModelDeferred) {
    this.#d = d
    const n = d.parts.cpus.length
    this.#bound = d.parts.cpus.map((cpu) => ({ cpu: cpu.id, items: [], workers: [], made: new Array<number>(n).fill(0) }))
    this.#unbound = { cpu: null, items: [], workers: [], made: new Array<number>(n).fill(0) }
  }

  static readonly #of = new WeakMap<ModelDeferred, ModelPools>()
  static of(d: ModelDeferred): ModelPools {
    let p = ModelPools.#of.get(d)
    if (p === undefined) {
      p = new ModelPools(d)
      ModelPools.#of.set(d, p)
    }
    return p
  }

  /** The model function of `work` (its runtime holds kernel.run's placeholder). */
  setFn<N extends string>(work: WorkRuntime, fn: ModelWorkFn<N>): void {
    this.#fns.set(work, { fn, what: `work '${work.name}'` })
  }

  #poolOf(cpu: Cpu, wq: WorkqueueRuntime): Pool {
    return unboundOf(wq) ? this.#unbound : (this.#bound[cpu.id] as Pool)
  }

  queue(cpu: Cpu, work: WorkRuntime, wq: WorkqueueRuntime): void {
    const pool = this.#poolOf(cpu, wq)
    pool.items.push({ work, wq })
    this.#kick(pool)
  }

  unqueue(work: WorkRuntime): boolean {
    for (const pool of [...this.#bound, this.#unbound]) {
      const at = pool.items.findIndex((i) => i.work === work)
      if (at < 0) continue
      const [item] = pool.items.splice(at, 1)
      // flush_workqueue() waiters re-check.
      if (item !== undefined) this.#d.wake(item.wq.channel)
      this.#d.wake(work.channel)
      return true
    }
    return false
  }

  busy(wq: WorkqueueRuntime): boolean {
    return wq.running > 0 || [...this.#bound, this.#unbound].some((p) => p.items.some((i) => i.wq === wq))
  }

  /** The next item a worker may run: not a work running elsewhere, nor one of a busy ordered workqueue. */
  #next(pool: Pool): { readonly work: WorkRuntime; readonly wq: WorkqueueRuntime } | null {
    const at = pool.items.findIndex((i) => !i.work.running && !(i.wq.flags.ordered === true && i.wq.running > 0))
    if (at < 0) return null
    return pool.items.splice(at, 1)[0] ?? null
  }

  #runnable(pool: Pool): boolean {
    return pool.items.some((i) => !i.work.running && !(i.wq.flags.ordered === true && i.wq.running > 0))
  }

  /**
   * `kick_pool()`: with runnable work and (bound pools) no worker running, the first idle worker
   * is woken — a new one made when none is idle (the manager's create_worker()). The unbound pool
   * wakes or makes a worker on every CPU: whichever runs first takes the work.
   */
  #kick(pool: Pool): void {
    if (!this.#runnable(pool)) return
    if (pool.cpu !== null) {
      // nr_running: workers neither idle nor asleep in their work.
      if (pool.workers.some((w) => !w.k.idle && w.k.task.task.state === 'TASK_RUNNING')) return
      const idle = pool.workers.find((w) => w.k.idle)
      if (idle !== undefined) this.#d.kick(idle.k)
      else this.#newWorker(pool, pool.cpu)
      return
    }
    for (const cpu of this.#d.parts.cpus) {
      const idle = pool.workers.find((w) => w.k.idle && w.cpu === cpu)
      if (idle !== undefined) this.#d.kick(idle.k)
      else if (!pool.workers.some((w) => w.cpu === cpu && !w.k.idle && w.k.task.task.state === 'TASK_RUNNING')) this.#newWorker(pool, cpu.id)
    }
  }

  #newWorker(pool: Pool, cpu: number): void {
    const m = (pool.made[cpu] ?? 0) + 1
    pool.made[cpu] = m
    const comm = pool.cpu === null ? `kworker/u${cpu}:${m}` : `kworker/${cpu}:${m}`
    const c = this.#d.parts.cpus[cpu] as Cpu
    const k = this.#d.kthread(cpu, comm, (self) => this.#workerBody(pool, { k: self, cpu: c }))
    pool.workers.push({ k, cpu: c })
    // wq_worker_sleeping(): a busy worker going to sleep lets the pool run its next work.
    k.task.onSleep = () => {
      if (!k.idle) this.#kick(pool)
    }
  }

  /** `worker_thread()`: process the runnable work, one item at a time (cond_resched() after each), else idle. */
  *#workerBody(pool: Pool, w: Worker): Body {
    for (;;) {
      const item = this.#next(pool)
      if (item === null) {
        yield* this.#d.idle(w.k)
        continue
      }
      yield* this.#process(w.cpu, item.work, item.wq)
      yield POINT
    }
  }

  /** `process_one_work()`: the maps around the function, then the flushers and the pool are told. */
  *#process(cpu: Cpu, work: WorkRuntime, wq: WorkqueueRuntime): Op<void> {
    const d = this.#d
    const f = this.#fns.get(work)
    work.startProcess(cpu, wq)
    try {
      if (f !== undefined) {
        yield* d.callbackOp(cpu, 0, f.what, function* (ctx) {
          work.enterFn(ctx, wq)
          try {
            yield* invoke(f.what, f.fn, ctx)
          } finally {
            work.exitFn(ctx, wq)
          }
        })
      }
    } finally {
      work.endProcess(wq)
      d.wake(work.channel)
      d.wake(wq.channel)
    }
  }
}

const unbound = new WeakSet<WorkqueueRuntime>()
const unboundOf = (wq: WorkqueueRuntime): boolean => unbound.has(wq)

/** A model work's runtime and the core of the execution that made it. */
const workOf = new WeakMap<object, { readonly rt: WorkRuntime; readonly d: ModelDeferred }>()

/** Records `work` as the model object of `rt` (what queue_work() takes). */
export const registerWork = (work: object, rt: WorkRuntime, d: ModelDeferred): void => {
  workOf.set(work, { rt, d })
}

/** `mod_delayed_work()` on `wq` (kernel.run's workqueues have no such member yet). */
export const modDelayedWork = (d: ModelDeferred, wq: WorkqueueRuntime, ctx: AnyContext, dwork: unknown, delayMs: number): boolean => {
  const cpu = d.cpuOf(ctx, 'mod_delayed_work()')
  const w = workArg(d, dwork)
  if (!(w instanceof DelayedWorkRuntime)) throw new InvalidArgumentError('mod_delayed_work(): expected a delayed work (k.initDelayedWork())')
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)
    throw new InvalidArgumentError('mod_delayed_work(): the delay must be a finite number ≥ 0')
  return w.modDelayed(ctx, cpu, wq, delayMs)
}

export const allocWorkqueueFactory =
  (host: object) =>
  <const N extends string>(name: N, flags: ModelWorkqueueFlags = {}): ModelWorkqueue<N> => {
    const d = ModelDeferred.of(host)
    if (typeof flags !== 'object' || flags === null) throw new InvalidArgumentError('alloc_workqueue(): the flags must be an object')
    if ('bh' in flags) throw new InvalidArgumentError('alloc_workqueue(): WQ_BH workqueues are not modelled in a model yet (kernel.run has them)')
    const rt = new WorkqueueRuntime(d, ModelPools.of(d), name, flags)
    if (flags.unbound === true) unbound.add(rt)
    return Object.freeze({
      kind: 'workqueue_struct' as const,
      name,
      queueWork: (ctx: AnyContext, work: ModelWork) => rt.queueWork(ctx, workArg(d, work)),
      queueDelayedWork: (ctx: AnyContext, dwork: ModelDelayedWork, delayMs: number) => rt.queueDelayedRuntime(ctx, workArg(d, dwork), delayMs),
      modDelayedWork: (ctx: AnyContext, dwork: ModelDelayedWork, delayMs: number) => modDelayedWork(d, rt, ctx, dwork, delayMs),
      flushWorkqueue: (ctx: AnyContext) => d.host.track(rt.flushWorkqueueOp(ctx, 'flush_workqueue()'), 'flush_workqueue()'),
      destroyWorkqueue: (ctx: AnyContext) => d.host.track(rt.flushWorkqueueOp(ctx, 'destroy_workqueue()'), 'destroy_workqueue()'),
    })
  }

export const workArg = (d: ModelDeferred, work: unknown): WorkRuntime => {
  const w = typeof work === 'object' && work !== null ? workOf.get(work) : undefined
  if (w === undefined || w.d !== d) throw new InvalidArgumentError('queue_work(): expected a work item made by this model kernel (k.initWork())')
  return w.rt
}

export const initWorkFactory =
  (host: object) =>
  <const N extends string>(name: N, fn: ModelWorkFn<N>): ModelWork<N> => {
    const d = ModelDeferred.of(host)
    const pools = ModelPools.of(d)
    const rt = new WorkRuntime(d, pools, name, runByTheModel, 'task')
    pools.setFn(rt, fn)
    const work: ModelWork<N> = Object.freeze(workMembers(d, rt, name))
    registerWork(work, rt, d)
    return work
  }

/** The members of a `work_struct` (a delayed work's too: `&dwork->work`); a fresh object, its `pending` a getter. */
export const workMembers = <N extends string>(d: ModelDeferred, rt: WorkRuntime, name: N): ModelWork<N> => ({
  kind: 'work_struct' as const,
  name,
  get pending() {
    touchShared()
    return rt.pending
  },
  flushWork: (ctx: AnyContext) => d.host.track(rt.flushWorkOp(ctx), 'flush_work()'),
  // cancel_work_sync(&dwork->work): without WORK_CANCEL_DELAYED a delayed work's timer stays armed, as in the kernel.
  cancelWorkSync: (ctx: AnyContext) =>
    d.host.track(
      rt.cancelSyncOp(ctx, 'cancel_work_sync()', () => false),
      'cancel_work_sync()',
    ),
  cancelWork: (ctx: AnyContext) => rt.cancelWork(ctx),
})
