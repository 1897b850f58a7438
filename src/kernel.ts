/**
 * createKernel: wiring only — options → the simulated CPUs, the handler registries, lockdep, the
 * reporter (src/diagnostics/) and the synchronous executor (src/exec/), and the lock factories.
 * Everything that runs does so synchronously and deterministically.
 */
import { Cpu, type CpuHost } from './machine/cpu.js'
import type { Context } from './exec/context.js'
import type { NmiState, NoThreadIrqState, SoftirqState, ThreadableIrqState } from './rules/proofs.js'
import type { FreshTaskState } from './rules/state.js'
import type { NotThenable } from './rules/error.js'
import { type CpuView, cpuViewOf } from './machine/cpu-view.js'
import { preemptCountLayoutOf } from './machine/layout.js'
import { IrqRegistry, assertIrqLine, softirqNr, type SoftirqName } from './exec/irq-registry.js'
import { snapshotCpu, type CpuState } from './machine/cpu-state.js'
import { createMachine, type Machine } from './machine/machine.js'
import type { Diagnostic } from './diagnostics/types.js'
import { InvalidArgumentError } from './errors.js'
import { cpuIndexArg, cpuOptionArg, resolveOptions, type KernelOptions, type ResolvedOptions } from './options.js'
import type { TraceEvent } from './machine/events.js'
import { HeldLocks } from './locks/held.js'
import { LockRuntime, type LockHost } from './locks/lock.js'
import { KIND_SPECS } from './kinds/registry.js'
import { definedSpec } from './kinds/defined.js'
import type { LockKindSpec } from './kinds/spec.js'
import type { LockOf } from './kinds/derive.js'
import { perCpuData } from './locks/per-cpu-data.js'
import { LockMapRuntime, type LockMap } from './lockdep/lock-map.js'
import { buildLock, type LocalLock, type Mutex, type RawSpinLock, type RwLock, type RwSemaphore, type SpinLock, type SpinLockIrq } from './locks/api.js'
import type { DeclaredAfter } from './rules/acquire.js'
import { registerWarnHost, type WarnHost } from './helpers/warn.js'
import { Lockdep, type LockdepStats } from './lockdep/validator.js'
import { HeldMaps } from './lockdep/held-maps.js'
import { type LockdepProcFile, readProcFile } from './lockdep/proc.js'
import { Reporter } from './diagnostics/reporter.js'
import { SyncExecutor } from './exec/sync.js'
import type { KernelParts } from './exec/executor.js'
import { lockHostFor } from './exec/hosts.js'

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
  readonly #cpus: Cpu[]
  readonly #views: CpuView[]
  readonly #irq = new IrqRegistry()
  readonly #held = new HeldLocks()
  readonly #lockdep: Lockdep
  readonly #reporter: Reporter
  /** Everything a run changes, as plain data (src/machine/machine.ts). */
  readonly #machine: Machine
  static {
    machineOfKernel = (kernel) => kernel.#machine
  }
  readonly #exec: SyncExecutor
  readonly #lockHost: LockHost
  /** The declared lock order (a literal tuple type when given `as const` or inline); `[]` when none was. */
  readonly lockOrder: Order

  constructor(options: KernelOptions<Order> = {}) {
    this.options = resolveOptions(options)
    // The validated array itself. `Order` is only inferred from `options.lockOrder`: with none
    // given it is `readonly string[]`, which `[]` is.
    this.lockOrder = this.options.lockOrder as Order
    const o = this.options
    const cpus: Cpu[] = []
    const held = this.#held
    // lockdep reports through the reporter, which reads lockdep's state for its texts.
    const machine = createMachine({ cpus: o.cpus })
    this.#machine = machine
    const lockdep = new Lockdep(o, (d) => reporter.report(d), machine.locks)
    const reporter = new Reporter(machine, o, cpus, held, lockdep)
    this.#lockdep = lockdep
    this.#reporter = reporter
    const maps = new HeldMaps(lockdep, held)
    const cpuHost: CpuHost = {
      preemptRt: o.preemptRt,
      forceIrqThreads: o.preemptRt || o.threadIrqs,
      layout: preemptCountLayoutOf(o.preemptCountLayout),
      tracing: o.trace,
      countingError: (cpu, field, problem, detail) => reporter.countingError(cpu, field, problem, detail),
      trace: (cpu, event) => reporter.traceEvent(cpu, event),
      traceIrqflags: o.lockdep,
      proofsMayBeFalse: (cpu, by, mask) => reporter.proofsMayBeFalse(cpu, by, mask),
      warn: (cpu, warning) => reporter.warnOnce(cpu, warning),
      // lockdep's mark_held_locks(): locks still held when interrupts / BH come back on.
      hardirqsOn: (cpu) => lockdep.hardirqsOn(cpu, held.of(cpu.current)),
      softirqsOn: (cpu) => lockdep.softirqsOn(cpu, held.of(cpu.current)),
      // rcu_read_lock()'s and RT local_bh's lockdep maps, on the held-lock stack.
      lockMapAcquire: (cpu, map) => maps.acquire(cpu, map),
      lockMapRelease: (cpu, map) => maps.release(cpu, map),
    }
    cpus.push(...machine.cpus.map((state) => new Cpu(state, cpuHost)))
    this.#cpus = cpus
    const parts: KernelParts = { options: o, machine, lockObjects: new Map(), cpus, irq: this.#irq, held, lockdep, reporter }
    const exec = new SyncExecutor(parts)
    this.#exec = exec
    this.#lockHost = lockHostFor(exec, parts)
    const warnHost: WarnHost = {
      report: (d) => reporter.report(d),
      debugLocks: () => lockdep.active,
      heldNames: (task) => held.names(task),
      preemptRt: o.preemptRt,
      fired: machine.warnedAsserts,
    }
    for (const cpu of this.#cpus) registerWarnHost(cpu, warnHost)
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
    if (spec.data === 'per-cpu' && typeof data !== 'function') {
      throw new InvalidArgumentError(`${spec.kind}: the per-CPU data needs an init function (cpu) => data`)
    }
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${spec.kind}: the lock class name must be a non-empty string`)
    // A JavaScript caller's init was checked above to be a function.
    const dataOf = spec.data === 'per-cpu' ? perCpuData(data as (cpu: number) => unknown) : () => data
    return buildLock(new LockRuntime(this.#lockHost, spec, name, dataOf))
  }

  /**
   * A lock of a kind made by `defineLockKind()` (the built-ins' specs included): its methods and
   * their type rules are the spec's (kinds/derive.ts `LockOf`). `data` is the one value of a
   * 'shared' kind, or a per-CPU kind's `init(cpu)`.
   */
  lock<S extends LockKindSpec & { readonly data: 'shared' }, const N extends string, D>(kind: S, name: N, data: D): LockOf<S, N, D, DeclaredAfter<Order, N>>
  lock<S extends LockKindSpec & { readonly data: 'per-cpu' }, const N extends string, D>(
    kind: S,
    name: N,
    init: (cpu: number) => D,
  ): LockOf<S, N, D, DeclaredAfter<Order, N>>
  lock(kind: unknown, name: unknown, data: unknown): object {
    return this.#lock(definedSpec('lock()', kind), name, data)
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

  /**
   * A bare lockdep map (`struct lockdep_map`, `lockdep_init_map()`): `lock_map_acquire()` /
   * `lock_map_release()` tell lockdep about a wait that is no lock (workqueue flushes, …).
   */
  lockMap<const N extends string>(name: N): LockMap<N> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('lockdep_map: the class name must be a non-empty string')
    return Object.freeze(new LockMapRuntime(this.#lockHost, name))
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
