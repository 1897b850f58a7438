/**
 * The model kernel: what a model's setup function receives, fresh for every execution. Its lock
 * factories are createKernel()'s, generator-flavoured (src/locks/model-api.ts); tasks, interrupt
 * and softirq handlers are declared on CPUs as generator functions; `msleep`, `condResched` and
 * `cpuRelax` are scheduling points to run with `yield*`.
 */
import type { Context } from '../context.js'
import type { NoThreadIrqState, SoftirqState, ThreadableIrqState } from '../../rules/proofs.js'
import type { CtxState, FreshTaskState } from '../../rules/state.js'
import type { CanSleep } from '../../rules/sleep.js'
import type { DeclaredAfter } from '../../rules/acquire.js'
import type { ResolvedOptions } from '../../options.js'
import { InvalidArgumentError } from '../../errors.js'
import { KIND_SPECS } from '../../kinds/registry.js'
import { definedSpec } from '../../kinds/defined.js'
import { newLockRuntime } from '../../locks/new-lock.js'
import type { LockKindSpec } from '../../kinds/spec.js'
import {
  buildModelLock,
  retireModelLock,
  type ModelLocalLock,
  type ModelLockOf,
  type ModelMutex,
  type ModelRawSpinLock,
  type ModelRwLock,
  type ModelRwSemaphore,
  type ModelSpinLock,
  type ModelSpinLockIrq,
} from '../../locks/model-api.js'
import { ScopeContext } from '../scope.js'
import { assertIrqLine, softirqNr, type SoftirqName } from '../irq-registry.js'
import { POINT, type Op, type WaitChannel } from '../wait.js'
import type { KernelParts } from '../executor.js'
import type { ModelExecutor, ModelTask, Signal } from './executor.js'
import { trackOp } from './op.js'
import { isEager, MODEL_FACTORIES, makePlugged, type ModelFactories, type ModelHost, type Plugged, type PluggedFactories } from './factories.js'
import { touchShared } from '../explore/touched.js'

const PLUGGED_ENTRIES: readonly (readonly [string, Plugged<unknown>])[] = Object.entries(MODEL_FACTORIES satisfies ModelFactories)

/**
 * A task declared by `k.task()`: who it is (the handle `k.signal()` takes).
 *
 * @example
 * ```ts
 * import { defineModel, type ModelTaskHandle } from 'lockproof'
 *
 * defineModel((k) => {
 *   const t: ModelTaskHandle = k.task('worker', { cpu: 0 }, function* () {})
 *   console.log(t.comm, t.pid, t.cpu) // 'worker' 1 0
 * })
 * ```
 */
export interface ModelTaskHandle {
  /** Its pid (declaration order, from 1). */
  readonly pid: number
  /** Its name. */
  readonly comm: string
  /** The CPU it is bound to. */
  readonly cpu: number
}

/**
 * Where and how a model's interrupt arrives.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelIrqOptions } from 'lockproof'
 *
 * const eth: ModelIrqOptions = { cpu: 0, name: 'eth0', arrivals: 2 }
 * defineModel((k) => { k.irq(5, eth, function* () {}) })
 * ```
 */
export interface ModelIrqOptions {
  /** The CPU it arrives on. Default 0. */
  readonly cpu?: number
  /** request_irq()'s name. Default `irq<line>`. */
  readonly name?: string
  /** IRQF_NO_THREAD: hard interrupt context on both kernels. */
  readonly noThread?: boolean
  /** How many times it may arrive in one execution. Default: `runModel()`'s `irqArrivals` (1). */
  readonly arrivals?: number
}

const SIGNALS: readonly Signal[] = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2']

/** Set by ModelKernelBase's static block: its constructor is private. */
let makeModelKernel: <O extends readonly string[]>(exec: ModelExecutor, parts: KernelParts, irqArrivals: number) => ModelKernelBase<O>

/** Set by ModelKernelBase's static block. */
let retireLocks: (k: ModelKernelBase<readonly string[]>) => void

/** @internal A fresh model kernel for one execution (runModel()); the plugged factories are added by its constructor. */
export const newModelKernel = <O extends readonly string[]>(exec: ModelExecutor, parts: KernelParts, irqArrivals: number): ModelKernel<O> =>
  makeModelKernel<O>(exec, parts, irqArrivals) as ModelKernel<O>

/** @internal Cuts the locks `k` made off their execution, which has ended (locks/model-api.ts `retireModelLock`). */
export const retireModelKernel = (k: ModelKernelBase<readonly string[]>): void => retireLocks(k)

/** The model kernel's own members; {@link ModelKernel} adds the plugged factories (./factories.ts). */
export class ModelKernelBase<in out Order extends readonly string[] = readonly []> {
  /** The options of this execution, defaults filled in. */
  readonly options: ResolvedOptions
  /** The declared lock order. */
  readonly lockOrder: Order
  readonly #exec: ModelExecutor
  readonly #parts: KernelParts
  readonly #tasks = new Map<ModelTaskHandle, ModelTask>()
  readonly #irqArrivals: number
  #channels = 0

  /** The lock objects made in this execution (to retire when it has ended). */
  readonly #locks: object[] = []

  static {
    makeModelKernel = <O extends readonly string[]>(exec: ModelExecutor, parts: KernelParts, irqArrivals: number) =>
      new ModelKernelBase<O>(exec, parts, irqArrivals)
    retireLocks = (k) => {
      for (const lock of k.#locks) retireModelLock(lock)
      k.#locks.length = 0
    }
  }

  /** Made by runModel() for each execution ({@link newModelKernel}); private, so the published types name none of its parts. */
  private constructor(exec: ModelExecutor, parts: KernelParts, irqArrivals: number) {
    this.#exec = exec
    this.#parts = parts
    this.options = parts.options
    this.lockOrder = parts.options.lockOrder as Order
    this.#irqArrivals = irqArrivals
    const host: ModelHost = {
      parts,
      lockHost: exec.lockHost,
      contextHost: exec.contextHost,
      waker: exec,
      channel: (kind, name) => this.#channel(kind, name),
      track: (op, what) => trackOp(op, what, exec),
      irqArrivals,
    }
    this.#host = host
    for (const [name, entry] of PLUGGED_ENTRIES) if (isEager(entry)) this.#pluggedOf(name, entry)
  }

  readonly #host: ModelHost
  /** The plugged factories made so far in this execution, by name. */
  readonly #plugged = new Map<string, unknown>()

  #pluggedOf(name: string, entry: Plugged<unknown>): unknown {
    let made = this.#plugged.get(name)
    if (made === undefined) {
      made = makePlugged(entry, this.#host)
      this.#plugged.set(name, made)
    }
    return made
  }

  // The plugged members: a getter each on the prototype, made once (./factories.ts runs a
  // factory at its member's first read in an execution).
  static {
    for (const [name, entry] of PLUGGED_ENTRIES)
      Object.defineProperty(ModelKernelBase.prototype, name, {
        get(this: ModelKernelBase<readonly string[]>): unknown {
          return this.#pluggedOf(name, entry)
        },
        enumerable: true,
      })
  }

  /** How many simulated CPUs this execution has. */
  get cpuCount(): number {
    return this.#parts.cpus.length
  }

  /** `jiffies`: the simulated clock at HZ=1000 (a timer's expiry moves it; src/deferred/model/). */
  get jiffies(): number {
    return this.#parts.machine.clockMs
  }

  #channel(kind: string, name: string): WaitChannel {
    return Object.freeze({ id: this.#channels++, kind, name })
  }

  #lock(spec: LockKindSpec, name: unknown, data: unknown): object {
    const lock = buildModelLock(newLockRuntime(this.#exec.lockHost, spec, name, data), this.#exec)
    this.#locks.push(lock)
    return lock
  }

  /**
   * A lock of a kind made by `defineLockKind()` (the built-ins' specs included), as
   * createKernel()'s `lock(kind, name, data)`: its generator-flavoured methods and their type
   * rules are the spec's (locks/model-api.ts `ModelLockOf`). `data` is the one value of a
   * 'shared' kind, or a per-CPU kind's `init(cpu)`.
   *
   * @example
   * ```ts
   * import { defineModel, RT_MUTEX } from 'lockproof'
   *
   * defineModel((k) => {
   *   const pi = k.lock(RT_MUTEX, 'pi', { prio: 0 })
   *   k.task('boost', { cpu: 0 }, function* (ctx) {
   *     yield* pi.withLocked(ctx, function* (ctx, p) {
   *       yield* k.msleep(ctx, 1) // an rt_mutex sleeps: fine inside it
   *       p.prio++
   *     })
   *   })
   * })
   * ```
   */
  lock<S extends LockKindSpec & { readonly data: 'shared' }, const N extends string, D>(
    kind: S,
    name: N,
    data: D,
  ): ModelLockOf<S, N, D, DeclaredAfter<Order, N>>
  lock<S extends LockKindSpec & { readonly data: 'per-cpu' }, const N extends string, D>(
    kind: S,
    name: N,
    init: (cpu: number) => D,
  ): ModelLockOf<S, N, D, DeclaredAfter<Order, N>>
  lock(kind: unknown, name: unknown, data: unknown): object {
    return this.#lock(definedSpec('lock()', kind), name, data)
  }

  // ── locks: createKernel()'s factories, generator-flavoured ─────────────────────────────
  /** `raw_spinlock_t` protecting `data`. */
  rawSpinLock<const N extends string, D>(name: N, data: D): ModelRawSpinLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.raw_spinlock_t, name, data) as ModelRawSpinLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `spinlock_t` protecting `data`. */
  spinLock<const N extends string, D>(name: N, data: D): ModelSpinLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.spinlock_t, name, data) as ModelSpinLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `rwlock_t` protecting `data`. */
  rwLock<const N extends string, D>(name: N, data: D): ModelRwLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.rwlock_t, name, data) as ModelRwLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `struct mutex` protecting `data`. */
  mutex<const N extends string, D>(name: N, data: D): ModelMutex<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.mutex, name, data) as ModelMutex<N, D, DeclaredAfter<Order, N>>
  }
  /** `struct rw_semaphore` protecting `data`. */
  rwSemaphore<const N extends string, D>(name: N, data: D): ModelRwSemaphore<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.rw_semaphore, name, data) as ModelRwSemaphore<N, D, DeclaredAfter<Order, N>>
  }
  /** Rust-style `SpinLockIrq`. */
  spinLockIrq<const N extends string, D>(name: N, data: D): ModelSpinLockIrq<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.SpinLockIrq, name, data) as ModelSpinLockIrq<N, D, DeclaredAfter<Order, N>>
  }
  /** `local_lock_t` with per-CPU data. */
  localLock<const N extends string, D>(name: N, init: (cpu: number) => D): ModelLocalLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.local_lock_t, name, init) as ModelLocalLock<N, D, DeclaredAfter<Order, N>>
  }

  // ── tasks and handlers ─────────────────────────────────────────────────────────────────
  /** A task `comm` bound to a CPU (default 0), runnable from the start: a generator function run in task context. */
  task(comm: string, options: { readonly cpu?: number }, body: (ctx: Context<FreshTaskState>) => Op<unknown>): ModelTaskHandle {
    if (typeof comm !== 'string' || comm === '') throw new InvalidArgumentError('task(): the comm must be a non-empty string')
    if (typeof body !== 'function') throw new InvalidArgumentError('task(): the body must be a generator function (function*)')
    const cpu = options?.cpu ?? 0
    const t = this.#exec.addTask(cpu, comm, body as (ctx: Context<CtxState>) => unknown)
    const handle: ModelTaskHandle = Object.freeze({ pid: t.task.pid, comm, cpu })
    this.#tasks.set(handle, t)
    return handle
  }

  /**
   * `request_irq()` of a model: the handler (a generator function) of interrupt `line` on a CPU.
   * It arrives as a choice wherever that CPU has interrupts on, up to `arrivals` times.
   * Force-threaded on RT (and with `threadIrqs`) unless `noThread`.
   */
  irq(line: number, options: ModelIrqOptions & { readonly noThread?: false }, handler: (ctx: Context<ThreadableIrqState>) => Op<unknown>): void
  irq(line: number, options: ModelIrqOptions & { readonly noThread: true }, handler: (ctx: Context<NoThreadIrqState>) => Op<unknown>): void
  irq(line: number, options: ModelIrqOptions, handler: (ctx: Context<ThreadableIrqState | NoThreadIrqState>) => Op<unknown>): void
  irq(line: number, options: ModelIrqOptions, handler: (ctx: never) => Op<unknown>): void {
    assertIrqLine('irq()', line)
    if (typeof handler !== 'function') throw new InvalidArgumentError('irq(): the handler must be a generator function (function*)')
    const arrivals = options?.arrivals ?? this.#irqArrivals
    if (!Number.isInteger(arrivals) || arrivals < 0) throw new InvalidArgumentError('irq(): arrivals must be a whole number ≥ 0')
    this.#exec.addIrq(options?.cpu ?? 0, {
      line,
      name: options?.name ?? `irq${line}`,
      noThread: options?.noThread === true,
      handler: handler as (ctx: Context<CtxState>) => Op<unknown>,
      arrivals,
      thread: null,
      again: false,
    })
  }

  /**
   * `open_softirq()` of a model: the handler of softirq `nr`, run where the kernel runs softirqs
   * (it may wait in ksoftirqd and at an irq_exit(), not yet at a task's local_bh_enable()).
   * `raises` on `cpu`: how often a device's interrupt raises it.
   */
  softirq(
    nr: number | SoftirqName,
    handler: (ctx: Context<SoftirqState>) => Op<unknown>,
    options: { readonly cpu?: number; readonly raises?: number } = {},
  ): void {
    const n = softirqNr('softirq()', nr)
    if (typeof handler !== 'function') throw new InvalidArgumentError('softirq(): the handler must be a generator function (function*)')
    this.#exec.softirqHandlers[n] = handler as (ctx: Context<CtxState>) => Op<unknown>
    const raises = options.raises ?? 0
    if (raises > 0) this.#exec.addSoftirqRaises(options.cpu ?? 0, n, raises)
  }

  /**
   * Sends `sig` to a task (from setup: pending from the start; from a task: at once). A wait in
   * TASK_INTERRUPTIBLE ends with 'signal' on any signal, one in TASK_KILLABLE on SIGKILL only
   * (signal_pending_state()); the signal stays pending.
   */
  signal(task: ModelTaskHandle, sig: Signal): void {
    const t = this.#tasks.get(task)
    if (t === undefined) throw new InvalidArgumentError('signal(): not a task of this model')
    if (!SIGNALS.includes(sig)) throw new InvalidArgumentError(`signal(): the signal is one of ${SIGNALS.join(', ')}`)
    // From a task: another task's signals and wait change with no point naming them (src/exec/explore/touched.ts).
    touchShared()
    this.#exec.signal(t, sig)
  }

  // ── scheduling points ──────────────────────────────────────────────────────────────────
  /** `msleep(ms)`: the task sleeps in TASK_UNINTERRUPTIBLE until its timer fires (schedule()'s own checks, no might_sleep()). */
  msleep<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'msleep()'>>, ms: number): Op<void> {
    return trackOp(this.#msleep(ctx, ms), 'k.msleep(ctx, ms)', this.#exec)
  }

  *#msleep(ctx: unknown, ms: number): Op<void> {
    const c = ScopeContext.from(ctx, 'msleep()')
    const cpu = c.assertUsable('msleep()')
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('msleep(): ms must be a finite number ≥ 0')
    // msleep() has no might_sleep(): schedule() itself checks (schedule_debug(), rcu_note_context_switch()).
    this.#parts.reporter.schedule(cpu, 'msleep()')
    if (this.options.trace) this.#parts.reporter.traceEvent(cpu, { event: 'msleep', ms })
    // schedule_timeout_uninterruptible(): nothing wakes it but its timer.
    yield { tag: 'wait', channel: this.#channel('timer', `msleep(${ms})`), state: 'TASK_UNINTERRUPTIBLE', spin: false, timeoutMs: ms }
  }

  /**
   * `msleep_interruptible(ms)`: sleeps in TASK_INTERRUPTIBLE until its timer fires or a signal is
   * pending (kernel/time/sleep_timeout.c: `while (timeout && !signal_pending(current))`);
   * returns the milliseconds left (0: slept the whole time).
   */
  msleepInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'msleep_interruptible()'>>, ms: number): Op<number> {
    return trackOp(this.#msleepInterruptible(ctx, ms), 'k.msleepInterruptible(ctx, ms)', this.#exec)
  }

  *#msleepInterruptible(ctx: unknown, ms: number): Op<number> {
    const c = ScopeContext.from(ctx, 'msleep_interruptible()')
    const cpu = c.assertUsable('msleep_interruptible()')
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('msleep_interruptible(): ms must be a finite number ≥ 0')
    this.#parts.reporter.schedule(cpu, 'msleep_interruptible()')
    const clock = this.#parts.machine
    const end = clock.clockMs + ms
    const reason = yield {
      tag: 'wait',
      channel: this.#channel('timer', `msleep_interruptible(${ms})`),
      state: 'TASK_INTERRUPTIBLE',
      spin: false,
      timeoutMs: ms,
    }
    return reason === 'signal' ? Math.max(0, end - clock.clockMs) : 0
  }

  /** `cond_resched()`: a point where another task may run (might-sleep rules apply). */
  condResched<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'cond_resched()'>>): Op<void> {
    return trackOp(this.#point(ctx, 'cond_resched()', true), 'k.condResched(ctx)', this.#exec)
  }

  /** `cpu_relax()`: a scheduling point in a busy-wait loop, allowed anywhere. */
  cpuRelax(ctx: Context<CtxState>): Op<void> {
    return trackOp(this.#point(ctx, 'cpu_relax()', false), 'k.cpuRelax(ctx)', this.#exec)
  }

  *#point(ctx: unknown, what: string, mightSleep: boolean): Op<void> {
    const cpu = ScopeContext.from(ctx, what).assertUsable(what)
    if (mightSleep) this.#parts.reporter.mightSleep(cpu, what)
    yield POINT
  }
}

/**
 * What a model's setup receives: a fresh kernel per execution, with createKernel()'s lock
 * factories generator-flavoured, tasks and handlers as generator functions, and the plugged
 * primitives (semaphores, completions, … as other modules add them).
 *
 * @example
 * ```ts
 * import { defineModel, runModel, type ModelKernel } from 'lockproof'
 *
 * const setup = (k: ModelKernel) => {
 *   const a = k.spinLock('a', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (_ctx, d) { d.n++ }) })
 * }
 * console.log(runModel(defineModel(setup)).outcome.kind) // 'completed'
 * ```
 */
export interface ModelKernel<in out Order extends readonly string[] = readonly []> extends ModelKernelBase<Order>, PluggedFactories {}
