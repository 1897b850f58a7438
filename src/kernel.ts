/**
 * createKernel: wiring only — options → the simulated CPUs, the handler registries, lockdep, the
 * reporter (src/diagnostics/) and the synchronous executor (src/exec/), and the lock factories.
 * Everything that runs does so synchronously and deterministically.
 */
import type { Cpu } from './machine/cpu.js'
import type { Context } from './exec/context.js'
import type { NmiState, NoThreadIrqState, SoftirqState, ThreadableIrqState } from './rules/proofs.js'
import type { FreshTaskState } from './rules/state.js'
import type { NotThenable } from './rules/error.js'
import { type CpuView, cpuViewOf } from './machine/cpu-view.js'
import { type IrqRegistry, assertIrqLine, softirqNr, type SoftirqName } from './exec/irq-registry.js'
import { snapshotCpu, type CpuState } from './machine/cpu-state.js'
import type { Machine } from './machine/machine.js'
import type { Diagnostic } from './diagnostics/types.js'
import { InvalidArgumentError } from './errors.js'
import { cpuIndexArg, cpuOptionArg, resolveOptions, type KernelOptions, type ResolvedOptions } from './options.js'
import type { TraceEvent } from './machine/events.js'
import type { HeldLocks } from './locks/held.js'
import type { LockHost } from './locks/lock.js'
import { newLockRuntime } from './locks/new-lock.js'
import { KIND_SPECS } from './kinds/registry.js'
import { definedSpec } from './kinds/defined.js'
import type { LockKindSpec } from './kinds/spec.js'
import type { Members, MemberTags } from './kinds/derive.js'
import type { FormTable } from './kinds/derive-forms.js'
import type { FactsOf, PerCpuKindSpec, SharedKindSpec } from './kinds/facts.js'
import type { EntriesFor, LockFactory, PerCpuLockFactory, ShapeFor } from './kinds/factory.js'
import { LockMapRuntime, type LockMap } from './lockdep/lock-map.js'
import { buildLock, type LocalLock, type Mutex, type RawSpinLock, type RwLock, type RwSemaphore, type SpinLock, type SpinLockIrq } from './locks/api.js'
import type { DeclaredAfter } from './rules/acquire.js'
import type { Lockdep, LockdepStats } from './lockdep/validator.js'
import { type LockdepProcFile, readProcFile } from './lockdep/proc.js'
import { type LockGraph, lockGraphOf } from './export/lock-graph.js'
import type { Reporter } from './diagnostics/reporter.js'
import { SyncExecutor } from './exec/sync.js'
import { createKernelParts } from './exec/parts.js'
import { lockHostFor } from './exec/hosts.js'
import { SyncWaiting, syncWaitHost } from './waiting/factories.js'
import type { SyncDrive } from './exec/sync-wait.js'
import type { Semaphore } from './waiting/semaphore.js'
import type { Completion } from './waiting/completion.js'
import type { WaitQueueHead } from './waiting/wait-queue.js'
import type { CondVar } from './waiting/condvar.js'
import { ScopeContext } from './exec/scope.js'
import type { AnyContext } from './rules/proofs.js'
import type { CtxState } from './rules/state.js'
import type { CanSleep } from './rules/sleep.js'
import type { BhCheck } from './rules/irq.js'
import type { RcuReadLockedBhIn, RcuReadLockedSchedIn } from './rules/rcu.js'
import { Deferred } from './deferred/runtime.js'
import { Subsystems } from './deferred/subsystems.js'
import type { Callback, SelfWaitCheck } from './rules/self-wait.js'
import { TimerListRuntime, type TimerCallbackState, type TimerList } from './deferred/timer.js'
import { HrtimerRuntime, type Hrtimer, type HrtimerCallbackState, type HrtimerMode, type HrtimerRestart } from './deferred/hrtimer.js'
import {
  DelayedWorkRuntime,
  WorkRuntime,
  WorkqueueRuntime,
  type DelayedWork,
  type Work,
  type WorkFnState,
  type Workqueue,
  type WorkqueueFlags,
} from './deferred/workqueue.js'
import type { IrqReturn, IrqThreadFnState } from './deferred/threaded-irq.js'
import { IrqWorkRuntime, type IrqWork, type IrqWorkStateOf } from './deferred/irq-work.js'
import { TaskletRuntime, type Tasklet } from './deferred/tasklet.js'
import { NAPI_POLL_WEIGHT, NapiRuntime, type Napi, type NapiPoll } from './deferred/napi.js'
import type { OneshotPrimaryState, RcuCallbackState, TaskletState } from './deferred/states.js'
import type { SeqCount, SeqCountLocked, SeqLock } from './seqlock/api.js'
import { buildSeqlock, type LockMethods } from './seqlock/seqlock.js'
import { buildSeqcount, buildSeqcountLocked } from './seqlock/seqcount.js'
import type { SeqLockKind } from './rules/seqcount.js'
import type { WwClass, WwMutex } from './ww/api.js'
import { buildWwClass, buildWwMutex } from './ww/build.js'

/**
 * Where and as whom {@link Kernel.run} starts a task.
 *
 * @example
 * ```ts
 * import { createKernel, type RunOptions } from 'lockproof'
 *
 * const kernel = createKernel({ cpus: 2 })
 * const where: RunOptions = { cpu: 1, comm: 'kworker/1:0' }
 * kernel.run((ctx) => console.log(ctx.cpuId, ctx.comm), where) // 1 'kworker/1:0'
 * ```
 */
export interface RunOptions {
  /** The CPU to run on. Default 0. */
  readonly cpu?: number
  /** The task's name (`comm`). Default `task-<pid>`. */
  readonly comm?: string
}

/**
 * How {@link Kernel.requestIrq} registers a handler (its `request_irq()` flags).
 *
 * @example
 * ```ts
 * import { createKernel, type IrqOptions } from 'lockproof'
 *
 * // IRQF_NO_THREAD: the handler stays in hard interrupt context on both kernels.
 * const timer: IrqOptions = { noThread: true }
 * createKernel().requestIrq(0, 'timer', (ctx) => console.log(ctx.cpuId), { noThread: true })
 * console.log(timer)
 * ```
 */
export interface IrqOptions {
  /** IRQF_NO_THREAD: never force-threaded; hard interrupt context on both kernels. */
  readonly noThread?: boolean
}

/** Set by Kernel's static block: a kernel's machine, for tests (not exported from the package). */
let machineOfKernel: (kernel: Kernel) => Machine

/** @internal The machine of `kernel`: all state its runs change, as plain data (src/machine/machine.ts). */
export const machineOf = (kernel: Kernel): Machine => machineOfKernel(kernel)

/**
 * A whole simulated machine: N CPUs, their interrupts, and what they report.
 *
 * Made by {@link createKernel}; its lock factories, `run`, interrupt registration and
 * inspection methods are the whole runtime API.
 *
 * @example
 * ```ts
 * import { Kernel, createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ cpus: 2 })
 * console.log(kernel instanceof Kernel, kernel.cpuCount) // true 2
 * kernel.run((ctx) => ctx.msleep(10), { cpu: 1 })
 * console.log(kernel.clockMs, kernel.diagnostics) // 10 []
 * ```
 */
export class Kernel<Order extends readonly string[] = readonly string[]> {
  /** The options this kernel was created with, defaults filled in. */
  readonly options: ResolvedOptions
  readonly #cpus: readonly Cpu[]
  readonly #views: CpuView[]
  readonly #irq: IrqRegistry
  readonly #held: HeldLocks
  readonly #lockdep: Lockdep
  readonly #reporter: Reporter
  /** Everything a run changes, as plain data (src/machine/machine.ts). */
  readonly #machine: Machine
  static {
    machineOfKernel = (kernel) => kernel.#machine
  }
  readonly #exec: SyncExecutor
  readonly #lockHost: LockHost
  /** The waiting primitives' factories (src/waiting/). */
  readonly #waiting: SyncWaiting
  /** How a synchronous primitive's op runs (the one synchronous driver): sequence locks' readers, ww_mutex_lock(). */
  readonly #drive: SyncDrive
  /** Timers, workqueues, threaded irqs, irq_work, tasklets, NAPI, RCU (src/deferred/). */
  readonly #deferred: Deferred
  readonly #sub: Subsystems
  /** The declared lock order (a literal tuple type when given `as const` or inline); `[]` when none was. */
  readonly lockOrder: Order

  constructor(options: KernelOptions<Order> = {}) {
    this.options = resolveOptions(options)
    // The validated array itself. `Order` is only inferred from `options.lockOrder`: with none
    // given it is `readonly string[]`, which `[]` is.
    this.lockOrder = this.options.lockOrder as Order
    const parts = createKernelParts(this.options)
    this.#machine = parts.machine
    this.#lockdep = parts.lockdep
    this.#reporter = parts.reporter
    this.#cpus = parts.cpus
    this.#irq = parts.irq
    this.#held = parts.held
    const exec = new SyncExecutor(parts)
    this.#exec = exec
    this.#lockHost = lockHostFor(exec, parts)
    this.#waiting = new SyncWaiting(syncWaitHost(parts, this.#lockHost, exec))
    this.#drive = this.#waiting.host.drive
    this.#deferred = new Deferred(parts, exec, this.#lockHost)
    this.#sub = new Subsystems(this.#deferred)
    this.#views = this.#cpus.map((c) => cpuViewOf(c))
  }

  // ── inspection ─────────────────────────────────────────────────────────────────────────
  /** Everything reported so far, oldest first. */
  get diagnostics(): readonly Diagnostic[] {
    return this.#reporter.diagnostics
  }
  /** Every state change, when created with `trace: true`. */
  get trace(): readonly TraceEvent[] {
    return this.#machine.events
  }
  /** Simulated time in milliseconds (advanced by msleep). */
  get clockMs(): number {
    return this.#machine.clockMs
  }
  /** How many simulated CPUs this kernel has (`cpus`). */
  get cpuCount(): number {
    return this.#cpus.length
  }
  /** A read-only view of CPU `i`. */
  cpu(i = 0): CpuView {
    return this.#views[this.#cpuIndex('cpu()', i)] as CpuView
  }
  /** Deep copies of every CPU's state. */
  snapshot(): CpuState[] {
    return this.#cpus.map((c) => snapshotCpu(c.state))
  }
  /** lockdep's counters: classes, validated chains, dependencies, and whether it is still on. */
  lockdepStats(): LockdepStats {
    return this.#lockdep.stats()
  }
  /**
   * lockdep's own files as `cat` shows them, in the layouts of kernel/locking/lockdep_proc.c:
   * `'/proc/lockdep'` (classes with FD/BD counts and usage, their direct dependencies),
   * `'/proc/lockdep_chains'` (each validated chain with its irq_context), `'/proc/lockdep_stats'`.
   * Class keys (`%p`) are synthetic; there are no stack traces (their counters are 0).
   */
  readProc(file: LockdepProcFile): string {
    return readProcFile(this.#lockdep, file)
  }
  /**
   * lockdep's class graph now, as data: each class with its kind, usage, wait types and FD/BD
   * counts, each dependency with its types (EN/ER/SN/SR), and the declared `lockOrder`. Render it
   * with `lockGraphToDot()`. Like reading /proc/lockdep, it runs the FD/BD searches.
   */
  lockGraph(): LockGraph {
    return lockGraphOf(this.#lockdep, this.options.lockOrder)
  }
  /** Forgets every diagnostic reported so far (lockdep's own state is kept). */
  clearDiagnostics(): void {
    this.#reporter.diagnostics.length = 0
  }

  // ── locks ──────────────────────────────────────────────────────────────────────────────
  /**
   * A lock of the kind `spec` (kinds/registry.ts): every factory below is this with its kind's
   * spec. `data` is the one value of a 'shared' kind, or a per-CPU kind's `init(cpu)`.
   */
  #lock(spec: LockKindSpec, name: unknown, data: unknown): object {
    return buildLock(newLockRuntime(this.#lockHost, spec, name, data))
  }

  /**
   * A lock of a kind made by `defineLockKind()` (the built-ins' specs included): its methods and
   * their type rules are the spec's (kinds/derive.ts `LockOf`). `data` is the one value of a
   * 'shared' kind, or a per-CPU kind's `init(cpu)`.
   *
   * The return type is `LockOf<S, N, D, DeclaredAfter<Order, N>>` written out (the same type):
   * each alias layer costs about 4 instantiations per lock site (docs/defining-kinds.md, "Cost").
   * For the locks of a kind used more than once, its factory {@link Kernel.lockOf} makes the
   * same locks at a built-in factory's cost per lock site.
   */
  lock<S extends SharedKindSpec, const N extends string, D>(
    kind: S,
    name: N,
    data: D,
  ): Members<MemberTags<S>, FormTable<FactsOf<S>, N, D, DeclaredAfter<Order, N>>>
  lock<S extends PerCpuKindSpec, const N extends string, D>(
    kind: S,
    name: N,
    init: (cpu: number) => D,
  ): Members<MemberTags<S>, FormTable<FactsOf<S>, N, D, DeclaredAfter<Order, N>>>
  lock(kind: unknown, name: unknown, data: unknown): object {
    return this.#lock(definedSpec('lock()', kind), name, data)
  }

  /**
   * The lock factory of a kind made by `defineLockKind()`: `(name, data) => lock` (a per-CPU
   * kind's: `(name, init) => lock`), each lock the one `kernel.lock(kind, name, data)` makes. The
   * cheapest form: a lock site costs what a built-in factory's does (docs/defining-kinds.md, "Cost").
   *
   * @example
   * ```ts
   * import { createKernel, RT_MUTEX } from 'lockproof'
   *
   * const kernel = createKernel()
   * const newRtMutex = kernel.lockOf(RT_MUTEX)
   * const pi = newRtMutex('pi', { prio: 0 })
   * kernel.run((ctx) => pi.withLocked(ctx, (ctx, p) => { ctx.msleep(1); p.prio++ }))
   * ```
   */
  lockOf<S extends SharedKindSpec>(kind: S): LockFactory<ShapeFor<S>, FactsOf<S>, Order, EntriesFor<S>>
  lockOf<S extends PerCpuKindSpec>(kind: S): PerCpuLockFactory<ShapeFor<S>, FactsOf<S>, Order, EntriesFor<S>>
  lockOf(kind: unknown): (name: never, data: never) => object {
    const spec = definedSpec('lockOf()', kind)
    return (name, data) => this.#lock(spec, name, data)
  }

  /** `raw_spinlock_t` protecting `data`; `name` is its lock class. */
  rawSpinLock<const N extends string, D>(name: N, data: D): RawSpinLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.raw_spinlock_t, name, data) as RawSpinLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `spinlock_t` protecting `data`. */
  spinLock<const N extends string, D>(name: N, data: D): SpinLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.spinlock_t, name, data) as SpinLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `rwlock_t` protecting `data`. */
  rwLock<const N extends string, D>(name: N, data: D): RwLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.rwlock_t, name, data) as RwLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `struct mutex` protecting `data`. */
  mutex<const N extends string, D>(name: N, data: D): Mutex<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.mutex, name, data) as Mutex<N, D, DeclaredAfter<Order, N>>
  }
  /** `struct rw_semaphore` protecting `data`. */
  rwSemaphore<const N extends string, D>(name: N, data: D): RwSemaphore<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.rw_semaphore, name, data) as RwSemaphore<N, D, DeclaredAfter<Order, N>>
  }
  /** Rust-style `SpinLockIrq`: every acquisition is spin_lock_irqsave(). */
  spinLockIrq<const N extends string, D>(name: N, data: D): SpinLockIrq<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.SpinLockIrq, name, data) as SpinLockIrq<N, D, DeclaredAfter<Order, N>>
  }
  /** `local_lock_t` with per-CPU data: `init(cpu)` makes each CPU's copy on first use. */
  localLock<const N extends string, D>(name: N, init: (cpu: number) => D): LocalLock<N, D, DeclaredAfter<Order, N>> {
    return this.#lock(KIND_SPECS.local_lock_t, name, init) as LocalLock<N, D, DeclaredAfter<Order, N>>
  }

  // ── sequence locks (src/seqlock/, docs/seqlocks.md) ─────────────────────────────────
  /** `seqlock_t` (`seqlock_init()`) protecting `data`: its spinlock_t is class `name`, its seqcount's map `name.seqcount`. */
  seqlock<const N extends string, D>(name: N, data: D): SeqLock<N, D, DeclaredAfter<Order, N>> {
    const spin = this.#lock(KIND_SPECS.spinlock_t, name, data) as LockMethods
    return buildSeqlock(this.#lockHost, spin, name, data, this.#drive) as SeqLock<N, D, DeclaredAfter<Order, N>>
  }
  /** `seqcount_t` (`seqcount_init()`) for `data`: writers must disable preemption themselves, on both kernels. */
  seqcount<const N extends string, D>(name: N, data: D): SeqCount<N, D> {
    return buildSeqcount(this.#lockHost, this.#seqName('seqcount_t', name), data, this.#drive) as SeqCount<N, D>
  }
  /** `seqcount_raw_spinlock_t` (`seqcount_raw_spinlock_init(s, lock)`): writers hold `lock`. */
  seqcountRawSpinlock<const N extends string, LN extends string, D>(
    name: N,
    lock: { readonly kind: 'raw_spinlock_t'; readonly name: LN },
    data: D,
  ): SeqCountLocked<'raw_spinlock_t', N, LN, D> {
    return this.#seqcountLocked('raw_spinlock_t', name, lock, data) as SeqCountLocked<'raw_spinlock_t', N, LN, D>
  }
  /** `seqcount_spinlock_t` (`seqcount_spinlock_init(s, lock)`): writers hold `lock`; RT readers may take it. */
  seqcountSpinlock<const N extends string, LN extends string, D>(
    name: N,
    lock: { readonly kind: 'spinlock_t'; readonly name: LN },
    data: D,
  ): SeqCountLocked<'spinlock_t', N, LN, D> {
    return this.#seqcountLocked('spinlock_t', name, lock, data) as SeqCountLocked<'spinlock_t', N, LN, D>
  }
  /** `seqcount_rwlock_t` (`seqcount_rwlock_init(s, lock)`): writers hold `lock`; RT readers may read_lock() it. */
  seqcountRwlock<const N extends string, LN extends string, D>(
    name: N,
    lock: { readonly kind: 'rwlock_t'; readonly name: LN },
    data: D,
  ): SeqCountLocked<'rwlock_t', N, LN, D> {
    return this.#seqcountLocked('rwlock_t', name, lock, data) as SeqCountLocked<'rwlock_t', N, LN, D>
  }
  /** `seqcount_mutex_t` (`seqcount_mutex_init(s, lock)`): writers hold `lock` (and run preempt-off on a normal kernel); RT readers may take it. */
  seqcountMutex<const N extends string, LN extends string, D>(
    name: N,
    lock: { readonly kind: 'mutex'; readonly name: LN },
    data: D,
  ): SeqCountLocked<'mutex', N, LN, D> {
    return this.#seqcountLocked('mutex', name, lock, data) as SeqCountLocked<'mutex', N, LN, D>
  }
  #seqcountLocked(kind: SeqLockKind, name: unknown, lock: unknown, data: unknown): object {
    return buildSeqcountLocked(this.#lockHost, kind, this.#seqName(`seqcount_${kind}`, name), lock, data, this.#drive)
  }
  #seqName(what: string, name: unknown): string {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${what}: the class name must be a non-empty string`)
    return name
  }

  // ── wound/wait mutexes (src/ww/, docs/ww-mutex.md) ───────────────────────────────────
  /** `DEFINE_WD_CLASS(name)`: a wait-die ww_class (the younger context backs off at once). */
  defineWdClass<const C extends string>(name: C): WwClass<C> {
    return buildWwClass(this.#lockHost, this.#seqName('DEFINE_WD_CLASS', name), true) as WwClass<C>
  }
  /** `DEFINE_WW_CLASS(name)`: a wound-wait ww_class (an older context wounds a younger holder). */
  defineWwClass<const C extends string>(name: C): WwClass<C> {
    return buildWwClass(this.#lockHost, this.#seqName('DEFINE_WW_CLASS', name), false) as WwClass<C>
  }
  /** `ww_mutex_init(lock, ww_class)` protecting `data`. */
  wwMutex<const C extends string, D>(wwClass: WwClass<C>, data: D): WwMutex<C, D> {
    return buildWwMutex(this.#lockHost, wwClass, data, this.#drive) as WwMutex<C, D>
  }

  /**
   * A bare lockdep map (`struct lockdep_map`, `lockdep_init_map()`): `lock_map_acquire()` /
   * `lock_map_release()` tell lockdep about a wait that is no lock (workqueue flushes, …).
   */
  lockMap<const N extends string>(name: N): LockMap<N> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('lockdep_map: the class name must be a non-empty string')
    return Object.freeze(new LockMapRuntime(this.#lockHost, name))
  }

  // ── waiting (src/waiting/, docs/waiting.md) ────────────────────────────────────────────
  /** `DEFINE_SEMAPHORE(name, count)`: a counting semaphore; its raw_spinlock_t is lockdep class `(name).lock`. */
  semaphore<const N extends string>(name: N, count: number): Semaphore<N> {
    return this.#waiting.semaphore(name, count)
  }
  /** `DECLARE_COMPLETION(name)`: a completion; its swait raw_spinlock_t is lockdep class `(name).wait.lock`. */
  completion<const N extends string>(name: N): Completion<N> {
    return this.#waiting.completion(name)
  }
  /** `DECLARE_WAIT_QUEUE_HEAD(name)`: a wait queue head; its spinlock_t is lockdep class `name.lock`. */
  waitQueue<const N extends string>(name: N): WaitQueueHead<N> {
    return this.#waiting.waitQueue(name)
  }
  /** Rust's `new_condvar!(name)`: a CondVar; its wait queue head's spinlock_t is lockdep class `name`. */
  condVar<const N extends string>(name: N): CondVar<N> {
    return this.#waiting.condVar(name)
  }

  /** The lock classes a task on CPU `i` holds now, outermost first. */
  heldLocks(i = 0): readonly string[] {
    return this.#held.names((this.#cpus[this.#cpuIndex('heldLocks()', i)] as Cpu).current)
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────────
  /**
   * Runs `cb` as a new task in process context on a CPU (default 0), and returns its result.
   * The CPU must be idle: a task cannot start on a CPU in the middle of another's code.
   */
  run<R>(cb: (ctx: Context<FreshTaskState>) => NotThenable<R, 'a task'>, options: RunOptions = {}): R {
    if (typeof cb !== 'function') throw new InvalidArgumentError('run(): the task must be a function')
    const cpu = this.#cpus[this.#cpuOption('run()', options)] as Cpu
    return this.#exec.run(cb as (ctx: Context<FreshTaskState>) => R, cpu, options.comm)
  }

  // ── interrupts ─────────────────────────────────────────────────────────────────────────
  /**
   * `request_irq()`. The handler may be force-threaded (always on RT, with `threadIrqs` on a normal
   * kernel): then it runs in its own kernel thread with bottom halves off. `{ noThread: true }`
   * (IRQF_NO_THREAD) keeps it in hard interrupt context on both kernels.
   */
  requestIrq<R>(
    line: number,
    name: string,
    handler: (ctx: Context<ThreadableIrqState>) => NotThenable<R, 'an interrupt handler'>,
    options?: { readonly noThread?: false },
  ): void
  requestIrq<R>(
    line: number,
    name: string,
    handler: (ctx: Context<NoThreadIrqState>) => NotThenable<R, 'an interrupt handler'>,
    options: { readonly noThread: true },
  ): void
  /** Options not known at compile time: the handler must be right both threaded and not (the stricter of the two states). */
  requestIrq<R>(
    line: number,
    name: string,
    handler: (ctx: Context<ThreadableIrqState | NoThreadIrqState>) => NotThenable<R, 'an interrupt handler'>,
    options: IrqOptions,
  ): void
  requestIrq(line: number, name: string, handler: (ctx: never) => unknown, options: IrqOptions = {}): void {
    this.#irq.requestIrq(line, name, handler, options?.noThread)
  }

  /** `open_softirq()`: the handler of softirq `nr` (0–9, or its name such as 'TIMER'). */
  openSoftirq<R>(nr: number | SoftirqName, handler: (ctx: Context<SoftirqState>) => NotThenable<R, 'a softirq handler'>): void {
    this.#irq.openSoftirq(nr, handler)
  }

  /** Registers an NMI handler under `name`. */
  requestNmi<R>(name: string, handler: (ctx: Context<NmiState>) => NotThenable<R, 'an NMI handler'>): void {
    this.#irq.requestNmi(name, handler)
  }

  /** Asserts interrupt `line` on a CPU from outside any task (a device). */
  raiseIrq(line: number, options: { readonly cpu?: number } = {}): void {
    this.#fromOutside('raiseIrq()', options, (cpu) => this.#exec.raiseIrq(cpu, assertIrqLine('raiseIrq()', line)))
  }

  /** `raise_softirq()` on a CPU from outside any task. */
  raiseSoftirq(nr: number | SoftirqName, options: { readonly cpu?: number } = {}): void {
    this.#fromOutside('raiseSoftirq()', options, (cpu) => this.#exec.raiseSoftirq(cpu, softirqNr('raiseSoftirq()', nr)))
  }

  /** Delivers the NMI registered as `name` on a CPU. */
  raiseNmi(name: string, options: { readonly cpu?: number } = {}): void {
    this.#fromOutside('raiseNmi()', options, (cpu) => this.#exec.raiseNmi(cpu, name))
  }

  // ── deferred work (src/deferred/, docs/deferred.md) ────────────────────────────────────
  /** `jiffies`: the simulated clock at HZ=1000 (one jiffy is one millisecond; the same clock as `clockMs`). */
  get jiffies(): number {
    return this.#deferred.jiffies
  }

  /**
   * Time passes by `ms`: at each expiry on the way the local timer interrupt is taken on that
   * CPU — hard hrtimers run in it, timer_list and soft hrtimers in the TIMER / HRTIMER softirq
   * (`ktimers/N` on PREEMPT_RT or with `threadIrqs`), RCU callbacks after their grace period.
   */
  advance(ms: number): void {
    this.#deferred.advance(ms)
  }

  /** `timer_setup()`: a `timer_list` whose callback runs in the TIMER softirq; `name` (the setup site) is its lockdep class. */
  timerSetup<const N extends string, R>(
    name: N,
    fn: Callback<[ctx: Context<TimerCallbackState<N>>, timer: TimerList<N>], NotThenable<R, 'a timer callback'>>,
  ): TimerList<N> {
    return new TimerListRuntime<N>(this.#deferred, name, fn as (ctx: Context<TimerCallbackState<N>>, timer: TimerList<N>) => unknown)
  }

  /**
   * `hrtimer_setup()`: where the callback runs follows `mode` — `_HARD` hardirq on both kernels,
   * `_SOFT` the HRTIMER softirq on both, neither hardirq on a normal kernel and softirq on RT.
   */
  hrtimerSetup<const N extends string, const M extends HrtimerMode>(
    name: N,
    fn: Callback<[ctx: Context<HrtimerCallbackState<N, M>>, timer: Hrtimer<N, M>], HrtimerRestart>,
    mode: M,
  ): Hrtimer<N, M> {
    return new HrtimerRuntime<N, M>(this.#deferred, name, fn, mode)
  }

  /** `alloc_workqueue()`: work runs in kworkers (process context), or from the TASKLET softirq with `{ bh: true }` (WQ_BH). */
  allocWorkqueue<const N extends string>(name: N, flags: WorkqueueFlags & { readonly bh: true }): Workqueue<N, 'bh'>
  allocWorkqueue<const N extends string>(name: N, flags?: WorkqueueFlags & { readonly bh?: false }): Workqueue<N, 'task'>
  allocWorkqueue(name: string, flags: WorkqueueFlags = {}): Workqueue<string, 'task' | 'bh'> {
    return new WorkqueueRuntime(this.#deferred, this.#sub.pools, name, flags) as unknown as Workqueue<string, 'task' | 'bh'>
  }

  /** `INIT_WORK()`: a work item, run in a kworker (may sleep); `{ bh: true }` for a WQ_BH workqueue (softirq). */
  initWork<const N extends string, R>(
    name: N,
    fn: Callback<[ctx: Context<WorkFnState<N, 'bh'>>], NotThenable<R, 'a work function'>>,
    flags: { readonly bh: true },
  ): Work<N, 'bh'>
  initWork<const N extends string, R>(
    name: N,
    fn: Callback<[ctx: Context<WorkFnState<N, 'task'>>], NotThenable<R, 'a work function'>>,
    flags?: { readonly bh?: false },
  ): Work<N, 'task'>
  initWork(name: string, fn: (ctx: never) => unknown, flags: { readonly bh?: boolean } = {}): Work<string, 'task' | 'bh'> {
    const bh = typeof flags === 'object' && flags !== null && flags.bh === true
    return new WorkRuntime(this.#deferred, this.#sub.pools, name, fn as (ctx: Context<CtxState>) => unknown, bh ? 'bh' : 'task')
  }

  /** `INIT_DELAYED_WORK()`: a work item and the timer that queues it (`queueDelayedWork()`). */
  initDelayedWork<const N extends string, R>(name: N, fn: Callback<[ctx: Context<WorkFnState<N, 'task'>>], NotThenable<R, 'a work function'>>): DelayedWork<N> {
    return new DelayedWorkRuntime(this.#deferred, this.#sub.pools, name, fn as (ctx: Context<CtxState>) => unknown) as unknown as DelayedWork<N>
  }

  /**
   * `request_threaded_irq()`: `handler` in hardirq (force-threaded on RT unless `oneshot`), `threadFn`
   * in the irq thread (process context, may sleep) when the handler returns IRQ_WAKE_THREAD.
   * `{ oneshot: true }` (IRQF_ONESHOT): the line stays masked until `threadFn` returns, the handler
   * stays in hardirq on both kernels, and it may be null (irq_default_primary_handler()).
   */
  requestThreadedIrq<R, const L extends number>(
    line: L,
    name: string,
    handler: ((ctx: Context<OneshotPrimaryState>) => IrqReturn) | null,
    threadFn: Callback<[ctx: Context<IrqThreadFnState<L>>], NotThenable<R, 'an irq thread function'>>,
    flags: { readonly oneshot: true },
  ): void
  requestThreadedIrq<R, const L extends number>(
    line: L,
    name: string,
    handler: (ctx: Context<ThreadableIrqState>) => IrqReturn,
    threadFn: Callback<[ctx: Context<IrqThreadFnState<L>>], NotThenable<R, 'an irq thread function'>>,
    flags?: { readonly oneshot?: false },
  ): void
  requestThreadedIrq(
    line: number,
    name: string,
    handler: ((ctx: never) => IrqReturn) | null,
    threadFn: (ctx: never) => unknown,
    flags?: { readonly oneshot?: boolean },
  ): void {
    this.#sub.threadedIrqs.request(line, name, handler, threadFn, flags)
  }

  /** `synchronize_irq()`: waits for running handlers of `line` (spins for hardirq, sleeps for the thread). */
  synchronizeIrq<T extends CtxState, const L extends number>(
    ctx: Context<T> & CanSleep<T, 'synchronize_irq()'> & SelfWaitCheck<T, 'irq', L, 'synchronize_irq()'>,
    line: L,
  ): void {
    this.#sub.threadedIrqs.synchronizeIrq(ctx, line)
  }
  /** `disable_irq()`: masks `line` and waits for its running handlers (may sleep). */
  disableIrq<T extends CtxState, const L extends number>(
    ctx: Context<T> & CanSleep<T, 'disable_irq()'> & SelfWaitCheck<T, 'irq', L, 'disable_irq()'>,
    line: L,
  ): void {
    this.#sub.threadedIrqs.disableIrq(ctx, line)
  }
  /** `disable_irq_nosync()`: masks `line` without waiting. Any context. */
  disableIrqNosync(ctx: AnyContext, line: number): void {
    this.#sub.threadedIrqs.disableIrqNosync(ctx, line)
  }
  /** `enable_irq()`: undoes one disable; a line raised meanwhile is taken now. */
  enableIrq(ctx: AnyContext, line: number): void {
    this.#sub.threadedIrqs.enableIrq(ctx, line)
  }
  /** `free_irq()`: waits for running handlers, then removes the handler (may sleep; not from interrupt context). */
  freeIrq<T extends CtxState, const L extends number>(ctx: Context<T> & CanSleep<T, 'free_irq()'> & SelfWaitCheck<T, 'irq', L, 'free_irq()'>, line: L): void {
    this.#sub.threadedIrqs.freeIrq(ctx, line)
  }

  /** `init_irq_work()`: callbacks in hardirq; on PREEMPT_RT in `irq_work/N` unless `{ hard: true }` (IRQ_WORK_INIT_HARD). */
  initIrqWork<const N extends string, R>(
    name: N,
    fn: (ctx: Context<IrqWorkStateOf<true>>, work: IrqWork<N>) => NotThenable<R, 'an irq_work callback'>,
    flags: { readonly hard: true },
  ): IrqWork<N>
  initIrqWork<const N extends string, R>(
    name: N,
    fn: (ctx: Context<IrqWorkStateOf<false>>, work: IrqWork<N>) => NotThenable<R, 'an irq_work callback'>,
    flags?: { readonly hard?: false },
  ): IrqWork<N>
  initIrqWork(name: string, fn: (ctx: never, work: never) => unknown, flags: { readonly hard?: boolean } = {}): IrqWork<string> {
    const hard = typeof flags === 'object' && flags !== null && flags.hard === true
    return new IrqWorkRuntime(this.#deferred, this.#sub.irqWorks, name, fn as ConstructorParameters<typeof IrqWorkRuntime>[3], hard)
  }

  /** `tasklet_setup()`: a tasklet, run in the TASKLET (or HI) softirq. */
  taskletSetup<const N extends string, R>(name: N, fn: (ctx: Context<TaskletState>, tasklet: Tasklet<N>) => NotThenable<R, 'a tasklet'>): Tasklet<N> {
    return new TaskletRuntime(this.#deferred, this.#sub.tasklets, name, fn as ConstructorParameters<typeof TaskletRuntime>[3]) as unknown as Tasklet<N>
  }

  /** `netif_napi_add_weight()`: a NAPI instance whose `poll` runs in the NET_RX softirq with `weight` as its budget (default 64). */
  netifNapiAdd<const N extends string>(name: N, poll: NapiPoll<N>, weight: number = NAPI_POLL_WEIGHT): Napi<N> {
    return new NapiRuntime(this.#deferred, this.#sub.napi, name, poll as NapiPoll<string>, weight) as unknown as Napi<N>
  }

  /** `call_rcu()`: `fn` runs after a grace period, in the RCU softirq (normal kernel) or `rcuc/N` with BH off (RT). Not from NMI. */
  callRcu<R>(ctx: AnyContext, fn: (ctx: Context<RcuCallbackState>) => NotThenable<R, 'an RCU callback'>): void {
    const cpu = this.#deferred.cpuOf(ctx, 'call_rcu()')
    this.#sub.rcu.callRcu(cpu, fn as (ctx: Context<RcuCallbackState>) => unknown)
  }
  /** `synchronize_rcu()`: waits for a grace period (sleeps); never returns inside a read-side section. */
  synchronizeRcu<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'synchronize_rcu()'>): void {
    this.#sub.rcu.synchronizeRcu(ctx)
  }
  /** `rcu_barrier()`: waits until every callback queued so far has run (sleeps). */
  rcuBarrier<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'rcu_barrier()'>): void {
    this.#sub.rcu.rcuBarrier(ctx)
  }
  /** `rcu_read_lock_bh()` … `rcu_read_unlock_bh()`: local_bh_disable() and the `rcu_read_lock_bh` map (LD_WAIT_CONFIG inner). */
  rcuReadLockBh<T extends CtxState, R>(
    ctx: Context<T> & BhCheck<T, 'rcu_read_lock_bh()'>,
    cb: (ctx: Context<RcuReadLockedBhIn<T>>) => NotThenable<R, 'an RCU-bh read-side section'>,
  ): R {
    return this.#rcuFlavour(ctx, 'rcu_read_lock_bh()', 'bh', cb) as R
  }
  /** `rcu_read_lock_sched()` … `rcu_read_unlock_sched()`: preempt_disable() and the `rcu_read_lock_sched` map (LD_WAIT_SPIN inner). */
  rcuReadLockSched<T extends CtxState, R>(ctx: Context<T>, cb: (ctx: Context<RcuReadLockedSchedIn<T>>) => NotThenable<R, 'an RCU-sched read-side section'>): R {
    return this.#rcuFlavour(ctx, 'rcu_read_lock_sched()', 'sched', cb) as R
  }

  #rcuFlavour(ctx: unknown, op: string, flavour: 'bh' | 'sched', cb: unknown): unknown {
    if (typeof cb !== 'function') throw new InvalidArgumentError(`${op}: the section must be a function`)
    const scope = ScopeContext.from(ctx, op)
    const cpu = this.#deferred.cpuOf(ctx, op)
    const rcu = this.#sub.rcu
    const maps = this.#deferred.parts.maps
    const map = flavour === 'bh' ? 'rcu_read_lock_bh' : 'rcu_read_lock_sched'
    const body = (inner: Context<CtxState>): unknown => {
      const task = cpu.current
      // local_bh_disable() / preempt_disable(), then rcu_lock_acquire(&rcu_bh_lock_map / &rcu_sched_lock_map);
      // the unlock releases the map first (include/linux/rcupdate.h).
      maps.acquire(cpu, map)
      try {
        rcu.enterFlavoured(task, 1)
        try {
          return (cb as (c: Context<CtxState>) => unknown)(inner)
        } finally {
          rcu.enterFlavoured(task, -1)
        }
      } finally {
        maps.release(cpu, map)
      }
    }
    return flavour === 'bh' ? scope.localBhDisable(body) : scope.preemptDisable(body)
  }

  #fromOutside(what: string, options: unknown, act: (cpu: Cpu) => void): void {
    this.#exec.fromOutside(this.#cpus[this.#cpuOption(what, options)] as Cpu, act)
  }

  #cpuIndex(what: string, i: unknown): number {
    return cpuIndexArg(what, i, this.#cpus.length)
  }

  #cpuOption(what: string, options: unknown): number {
    return cpuOptionArg(what, options, this.#cpus.length)
  }
}

/**
 * Makes a simulated kernel. `lockOrder` is kept as a literal tuple type for the order rule.
 *
 * A lock class named in `lockOrder` may not be taken while a class declared after it is held:
 * the compiler refuses it, and plain JavaScript gets a `lock-order` diagnostic.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true, lockOrder: ['dev', 'stats'] })
 * const dev = kernel.mutex('dev', { open: 0 })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => dev.withLocked(ctx, (ctx) => stats.withLocked(ctx, (_ctx, s) => s.hits++)))
 * ```
 */
export const createKernel = <const Order extends readonly string[] = readonly []>(options: KernelOptions<Order> = {}): Kernel<Order> =>
  new Kernel<Order>(options)
