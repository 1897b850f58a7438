/**
 * createKernel: wires the options, the simulated CPUs, the interrupt registries and the
 * diagnostics. Everything that runs does so synchronously and deterministically.
 */
import { type ContextHost, ScopeContext } from './context/context.js'
import { NO_FAILURE, refuseThenable } from './context/protocol.js'
import type { Context } from './context/public.js'
import type { NmiState, NoThreadIrqState, SoftirqState, ThreadableIrqState } from './context/proofs.js'
import type { CtxState, TaskCtx } from './context/state.js'
import type { Gfp } from './context/gfp-rules.js'
import type { NotThenable } from './context/type-error.js'
import { Cpu, type CpuHost } from './cpu/cpu.js'
import { type CpuView, cpuViewOf } from './cpu/cpu-view.js'
import { preemptCountLayoutOf } from './cpu/layout.js'
import { SOFTIRQ_NAMES } from './irq/registry.js'
import { IrqRegistry, assertIrqLine, softirqNr, type SoftirqName } from './irq/registry.js'
import { createCpuState, createTaskState, snapshotCpu, type CpuState, type TaskState } from './cpu/state.js'
import { preemptCount } from './cpu/predicates.js'
import type { CountingField, Diagnostic } from './diagnostics.js'
import {
  BAD_UNLOCK_BALANCE_TITLE,
  GUARD_LEAK_TITLE,
  HELD_LOCK_AT_EXIT_TITLE,
  IRQS_DISABLED_AT_EXIT_TITLE,
  IRQS_ON_UNDER_IRQ_LOCK_TITLE,
  PROOF_FALSIFIED_TITLE,
  countingTitle,
  kernelWarningTitle,
} from './report/titles.js'
import { banner, heldLockLines, lockName } from './lockdep/splat.js'
import { CountingError, GuardOrderError, InvalidArgumentError, KernelSplat, SchedulingError } from './errors.js'
import { CLAIM_BH, CLAIM_IRQ, CLAIM_IRQS_OFF, CLAIM_PREEMPT, claimNames, falseClaims } from './context/claims.js'
import type { KernelWarning } from './report/proof-diagnostics.js'
import { resolveOptions, type KernelOptions, type ResolvedOptions } from './options.js'
import { latencyFlags, type TraceEvent } from './trace.js'
import { HeldLocks } from './locks/held.js'
import { LockRuntime, type LockHost } from './locks/lock.js'
import { KIND_SPECS, type KindName, type KindSpecs } from './kinds/registry.js'
import { perCpuData } from './locks/per-cpu-data.js'
import { LockMapRuntime, type LockMap } from './lockdep/lock-map.js'
import { buildLock, type LocalLock, type Mutex, type RawSpinLock, type RwLock, type RwSemaphore, type SpinLock, type SpinLockIrq } from './locks/api.js'
import type { DeclaredAfter } from './locks/rules.js'
import { registerWarnHost, type WarnHost } from './helpers/warn.js'
import { Lockdep, type LockdepStats } from './lockdep/validator.js'
import { HeldMaps } from './lockdep/held-maps.js'
import { LOCKDEP_PROC_FILES, type LockdepProcFile, procLockdep, procLockdepChains, procLockdepStats } from './lockdep/proc.js'
import { checkMightResched as checkResched } from './report/might-sleep.js'

/** How a report words each proof. */
const PROOF_WORDS = { IrqDisabled: 'interrupts', PreemptDisabled: 'preemption', BhDisabled: 'bottom halves' } as const

/** The second line of each kernel warning: what went wrong, in words. */
const WARNING_WHY: Record<KernelWarning, string> = {
  'bh-disable-in-hardirq': 'local_bh_disable() in hard interrupt context',
  'bh-enable-in-hardirq': 'local_bh_enable() in hard interrupt context',
  'bh-enable-irqs-disabled': 'local_bh_enable() with interrupts disabled; with TRACE_IRQFLAGS it ends in local_irq_enable()',
  'irq-handler-enabled-interrupts': 'the handler returned with interrupts enabled; they are disabled again',
}

/** `KMALLOC_MAX_SIZE` (include/linux/slab.h): `1UL << (MAX_PAGE_ORDER + PAGE_SHIFT)`, 4 MiB with x86-64's 10 and 12. */
const KMALLOC_MAX_SIZE = 1 << (10 + 12)

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

/** The allocator's zone->lock, as an instance for lockdep (never held across a call). */
const ZONE_LOCK = {}

/** Ends a task's or handler's root context: guards still held then are reported and released. */
const closeRoot = (ctx: ScopeContext, reason: 'scope' | 'task', executing: Cpu[]): void => {
  try {
    ScopeContext.close(ctx, noExit, reason)
  } finally {
    executing.pop()
  }
}
const noExit = (): void => undefined

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
  readonly #executing: Cpu[] = []
  readonly #irq = new IrqRegistry()
  readonly #diagnostics: Diagnostic[] = []
  readonly #trace: TraceEvent[] = []
  /** The WARN_ON_ONCE() sites that have fired. */
  readonly #warned = new Set<KernelWarning>()
  #nextPid = 1
  #traceSeq = 0
  #clockMs = 0
  #deferredRunning = false
  readonly #held = new HeldLocks()
  readonly #lockdep: Lockdep
  readonly #maps: HeldMaps
  readonly #lockHost: LockHost
  readonly #contextHost: ContextHost
  /** The declared lock order (a literal tuple type when given `as const` or inline); `[]` when none was. */
  readonly lockOrder: Order

  constructor(options: KernelOptions<Order> = {}) {
    this.options = resolveOptions(options)
    // The validated array itself. `Order` is only inferred from `options.lockOrder`: with none
    // given it is `readonly string[]`, which `[]` is.
    this.lockOrder = this.options.lockOrder as Order
    const cpuHost: CpuHost = {
      preemptRt: this.options.preemptRt,
      forceIrqThreads: this.options.preemptRt || this.options.threadIrqs,
      layout: preemptCountLayoutOf(this.options.preemptCountLayout),
      tracing: this.options.trace,
      countingError: (cpu, field, problem, detail) => this.#countingError(cpu, field, problem, detail),
      handleIrq: (cpu, line) => this.#handleIrq(cpu, line),
      handleSoftirq: (cpu, nr) => this.#handleSoftirq(cpu, nr),
      trace: (cpu, event) => this.#traceEvent(cpu, event),
      traceIrqflags: this.options.lockdep,
      proofsMayBeFalse: (cpu, by, mask) => this.#proofsMayBeFalse(cpu, by, mask),
      warn: (cpu, warning) => this.#warnOnce(cpu, warning),
      // lockdep's mark_held_locks(): locks still held when interrupts / BH come back on.
      hardirqsOn: (cpu) => this.#lockdep.hardirqsOn(cpu, this.#held.of(cpu.current)),
      softirqsOn: (cpu) => this.#lockdep.softirqsOn(cpu, this.#held.of(cpu.current)),
      // rcu_read_lock()'s and RT local_bh's lockdep maps, on the held-lock stack.
      lockMapAcquire: (cpu, map) => this.#maps.acquire(cpu, map),
      lockMapRelease: (cpu, map) => this.#maps.release(cpu, map),
    }
    this.#lockdep = new Lockdep(this.options, (d) => this.#report(d))
    this.#maps = new HeldMaps(this.#lockdep, this.#held)
    const cpus: Cpu[] = []
    this.#lockHost = {
      options: this.options,
      cpus,
      executingCpu: () => this.#executing.at(-1) ?? null,
      held: this.#held,
      lockdep: this.#lockdep,
      report: (d) => this.#report(d),
      mightResched: (cpu, what, preemptOffset, rcuOffset) => {
        const d = checkResched(cpu, what, () => this.#held.of(cpu.current), { preemptOffset, rcuOffset }, this.#lockdep.wait)
        if (d !== null) this.#report(d)
      },
      trace: (cpu, event) => this.#traceEvent(cpu, event),
      reportLeak: (cpu, what, reason) => this.#reportLeak(cpu, what, reason),
      irqsBackOn: (cpu, droppedBy) => this.#irqsBackOn(cpu, droppedBy),
      badUnlock: (cpu, what, className) => this.#badUnlock(cpu, what, className),
      refuseDrop: (cpu, what, bits) => this.#refuseDrop(cpu, what, bits),
    }
    cpus.push(...Array.from({ length: this.options.cpus }, (_, i) => new Cpu(createCpuState(i), cpuHost)))
    this.#cpus = cpus
    const warnHost: WarnHost = {
      report: (d) => this.#report(d),
      debugLocks: () => this.#lockdep.active,
      heldNames: (task) => this.#held.names(task),
      preemptRt: this.options.preemptRt,
      fired: new Set(),
    }
    for (const cpu of this.#cpus) registerWarnHost(cpu, warnHost)
    this.#views = this.#cpus.map((c) => cpuViewOf(c))
    this.#contextHost = {
      executingCpu: () => this.#executing.at(-1) ?? null,
      heldOf: (task) => this.#held.of(task),
      mightSleep: (cpu, what) => this.#mightSleep(cpu, what),
      msleep: (cpu, ms) => this.#msleep(cpu, ms),
      raiseIrq: (cpu, line) => this.#raiseIrq(cpu, line),
      raiseSoftirq: (cpu, nr) => this.#raiseSoftirq(cpu, nr),
      raiseNmi: (cpu, name) => this.#raiseNmi(cpu, name),
      kmalloc: (cpu, size, gfp) => this.#kmalloc(cpu, size, gfp),
      reportLeak: (cpu, what, reason) => this.#reportLeak(cpu, what, reason),
      irqsBackOn: (cpu, droppedBy) => this.#irqsBackOn(cpu, droppedBy),
      badUnlock: (cpu, what) => this.#badUnlock(cpu, what),
      refuseDrop: (cpu, what, bits) => this.#refuseDrop(cpu, what, bits),
      proofsBornFalse: (cpu, gains) => this.#proofsMayBeFalse(cpu, 'a new context whose proof is false from the start', gains),
      traceIrqflags: this.options.lockdep,
      scopeEnded: (cpu) => this.#runDeferred(cpu),
    }
  }

  // ── inspection ─────────────────────────────────────────────────────────────────────────
  /** Everything reported so far, oldest first. */
  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics
  }
  /** Every state change, when created with `trace: true`. */
  get trace(): readonly TraceEvent[] {
    return this.#trace
  }
  /** Simulated time in milliseconds (advanced by msleep). */
  get clockMs(): number {
    return this.#clockMs
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
    switch (file) {
      case '/proc/lockdep':
        return procLockdep(this.#lockdep)
      case '/proc/lockdep_chains':
        return procLockdepChains(this.#lockdep)
      case '/proc/lockdep_stats':
        return procLockdepStats(this.#lockdep)
      default:
        throw new InvalidArgumentError(`readProc(): no file ${String(file)} (lockdep has ${LOCKDEP_PROC_FILES.join(', ')})`)
    }
  }
  /** Forgets every diagnostic reported so far (lockdep's own state is kept). */
  clearDiagnostics(): void {
    this.#diagnostics.length = 0
  }

  // ── locks ──────────────────────────────────────────────────────────────────────────────
  /**
   * A lock of the kind `spec` (kinds/registry.ts): every factory below is this with its kind's
   * spec. `data` is the one value of a 'shared' kind, or a per-CPU kind's `init(cpu)`.
   */
  #lock(spec: KindSpecs[KindName], name: unknown, data: unknown): object {
    if (spec.data === 'per-cpu' && typeof data !== 'function') {
      throw new InvalidArgumentError(`${spec.kind}: the per-CPU data needs an init function (cpu) => data`)
    }
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${spec.kind}: the lock class name must be a non-empty string`)
    // A JavaScript caller's init was checked above to be a function.
    const dataOf = spec.data === 'per-cpu' ? perCpuData(data as (cpu: number) => unknown) : () => data
    return buildLock(new LockRuntime(this.#lockHost, spec.kind, name, dataOf))
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
  run<R>(cb: (ctx: Context<TaskCtx>) => NotThenable<R, 'a task'>, options: RunOptions = {}): R {
    if (typeof cb !== 'function') throw new InvalidArgumentError('run(): the task must be a function')
    const cpu = this.#cpus[this.#cpuOption('run()', options)] as Cpu
    if (cpu.current !== cpu.state.idle || cpu.scopeIds.length > 0) {
      throw new SchedulingError(`run(): CPU ${cpu.id} is running ${cpu.current.comm}; start the task on another CPU`)
    }
    const pid = this.#nextPid++
    const task = createTaskState(pid, options.comm ?? `task-${pid}`)
    const irqsWereDisabled = cpu.state.irqsDisabled
    let result: R | undefined
    // The first error wins (with onDiagnostic: 'throw', the first diagnostic's splat).
    let failure: unknown = NO_FAILURE
    try {
      result = this.#runTask(cpu, task, cb as (ctx: Context<TaskCtx>) => R)
    } catch (error) {
      failure = error
    }
    if (cpu.state.irqsDisabled && !irqsWereDisabled) {
      try {
        this.#irqsLeftDisabled(cpu, task)
      } catch (error) {
        if (failure === NO_FAILURE) failure = error
      }
    }
    if (failure !== NO_FAILURE) throw failure
    this.#runDeferred(cpu)
    return refuseThenable(result as R, 'run()', 'the task returned a Promise; a simulated task runs synchronously')
  }

  /** Runs `cb` in `task` on `cpu`, with a fresh root context; the interrupted task comes back after. */
  #runTask<S extends CtxState, R>(cpu: Cpu, task: TaskState, cb: (ctx: Context<S>) => R): R {
    const previous = cpu.state.current
    cpu.state.current = task
    this.#traceEvent(cpu, `sched_switch ${previous.comm} => ${task.comm}`)
    try {
      return this.#inRootContext(cpu, cb, 'task')
    } finally {
      cpu.state.current = previous
      this.#traceEvent(cpu, `sched_switch ${task.comm} => ${previous.comm}`)
    }
  }

  /** Runs `cb` with a new root context on `cpu` (a task, or a handler on the interrupted task). */
  #inRootContext<S extends CtxState, R>(cpu: Cpu, cb: (ctx: Context<S>) => R, reason: 'scope' | 'task' = 'scope', claims = 0): R {
    const ctx = ScopeContext.root(this.#contextHost, cpu, cpu.current, claims)
    this.#executing.push(cpu)
    return ScopeContext.runIn(ctx, cb, undefined, closeRoot, reason, this.#executing)
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
    this.#fromOutside('raiseIrq()', options, (cpu) => this.#raiseIrq(cpu, assertIrqLine('raiseIrq()', line)))
  }

  /** `raise_softirq()` on a CPU from outside any task. */
  raiseSoftirq(nr: number | SoftirqName, options: { readonly cpu?: number } = {}): void {
    this.#fromOutside('raiseSoftirq()', options, (cpu) => this.#raiseSoftirq(cpu, softirqNr('raiseSoftirq()', nr)))
  }

  /** Delivers the NMI registered as `name` on a CPU. */
  raiseNmi(name: string, options: { readonly cpu?: number } = {}): void {
    this.#fromOutside('raiseNmi()', options, (cpu) => this.#raiseNmi(cpu, name))
  }

  #fromOutside(what: string, options: unknown, act: (cpu: Cpu) => void): void {
    const cpu = this.#cpus[this.#cpuOption(what, options)] as Cpu
    this.#executing.push(cpu)
    try {
      act(cpu)
    } finally {
      this.#executing.pop()
    }
  }

  #raiseIrq(cpu: Cpu, line: number): void {
    assertIrqLine('raise_irq()', line)
    cpu.raiseIrq(line)
    this.#runDeferred(cpu)
  }

  #raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void {
    cpu.raiseSoftirq(softirqNr('raise_softirq()', nr))
    this.#runDeferred(cpu)
  }

  #raiseNmi(cpu: Cpu, name: string): void {
    const handler = this.#irq.nmis.get(name)
    if (handler === undefined) throw new InvalidArgumentError(`raise_nmi(): no NMI handler named '${String(name)}'`)
    // The NMI gate masks interrupts too: irqs_disabled() is true in NMI context.
    const irqsWereDisabled = cpu.state.irqsDisabled
    cpu.nmiEnter()
    cpu.state.irqsDisabled = true
    try {
      this.#refuseHandlerThenable(`NMI handler '${name}'`, this.#inRootContext<NmiState, unknown>(cpu, handler, 'scope', CLAIM_IRQS_OFF))
    } finally {
      cpu.nmiExit()
      cpu.state.irqsDisabled = irqsWereDisabled
    }
    // Returning from the NMI unmasks interrupts: what was raised meanwhile is taken now.
    cpu.deliverPendingIrqs()
    this.#runDeferred(cpu)
  }

  /** The primary handler, in hardirq context: runs it, or wakes its thread when force-threaded. */
  #handleIrq(cpu: Cpu, line: number): void {
    const action = this.#irq.irqs.get(line)
    if (action === undefined) {
      this.#traceEvent(cpu, `irq ${line}: spurious (no handler)`)
      return
    }
    if (!action.noThread && this.#forceThreaded()) {
      // irq_default_primary_handler(): IRQ_WAKE_THREAD.
      cpu.state.wokenIrqThreads.push(line)
      this.#traceEvent(cpu, `irq_handler_entry ${line} ${action.name}: wake irq/${line}-${action.name}`)
      return
    }
    this.#traceEvent(cpu, `irq_handler_entry ${line} ${action.name}`)
    const threaded = cpu.hardirqThreaded
    // lockdep_hardirq_threaded(): a handler that RT would thread may take spinlock_t (LD_WAIT_CONFIG).
    cpu.hardirqThreaded = !action.noThread
    try {
      // NoThreadIrqState proves interrupts, preemption and BH off; ThreadableIrqState only BH off.
      const claims = action.noThread ? CLAIM_IRQS_OFF : CLAIM_BH
      this.#refuseHandlerThenable(`irq ${line} handler '${action.name}'`, this.#inRootContext<CtxState, unknown>(cpu, action.handler, 'scope', claims))
    } finally {
      cpu.hardirqThreaded = threaded
      // __handle_irq_event_percpu(): WARN_ONCE(!irqs_disabled(), "irq %u handler %pS enabled interrupts"), then local_irq_disable().
      if (!cpu.state.irqsDisabled) {
        try {
          this.#warnOnce(cpu, 'irq-handler-enabled-interrupts', `irq ${line} handler ${action.name}`)
        } finally {
          cpu.localIrqDisable()
        }
      }
    }
    this.#traceEvent(cpu, `irq_handler_exit ${line} ${action.name}`)
  }

  /** A handler that returned a Promise or thenable (untyped code): refused as run() refuses one; its rejection is handled. */
  #refuseHandlerThenable(what: string, result: unknown): void {
    refuseThenable(result, what, 'the handler returned a Promise; a handler must finish synchronously')
  }

  /** `force_irqthreads()`: always on RT; on a normal kernel only with `threadirqs`. */
  #forceThreaded(): boolean {
    return this.options.preemptRt || this.options.threadIrqs
  }

  /**
   * `irq_forced_thread_fn()`: BH off around the handler, and on a normal kernel interrupts off
   * too. The handler's context (which proves BH off) ends before they come back on.
   */
  #runIrqThread(cpu: Cpu, line: number): void {
    const action = this.#irq.irqs.get(line)
    if (action === undefined) return
    const rt = this.options.preemptRt
    const task = createTaskState(this.#nextPid++, `irq/${line}-${action.name}`)
    const previous = cpu.state.current
    cpu.state.current = task
    this.#traceEvent(cpu, `sched_switch ${previous.comm} => ${task.comm}`)
    try {
      cpu.localBhDisable()
      if (!rt) cpu.localIrqDisable()
      try {
        const result = this.#inRootContext<ThreadableIrqState, unknown>(cpu, action.handler, 'task', CLAIM_BH)
        this.#refuseHandlerThenable(`irq ${line} thread handler '${action.name}'`, result)
      } finally {
        if (!rt) cpu.localIrqEnable()
        cpu.localBhEnable()
      }
    } finally {
      cpu.state.current = previous
      this.#traceEvent(cpu, `sched_switch ${task.comm} => ${previous.comm}`)
    }
  }

  #handleSoftirq(cpu: Cpu, nr: number): void {
    const handler = this.#irq.softirqs[nr]
    if (handler === undefined) {
      this.#traceEvent(cpu, `softirq ${SOFTIRQ_NAMES[nr] ?? nr}: no handler`)
      return
    }
    this.#traceEvent(cpu, `softirq_entry vec=${nr} [action=${SOFTIRQ_NAMES[nr] ?? nr}]`)
    this.#refuseHandlerThenable(`softirq ${SOFTIRQ_NAMES[nr] ?? nr} handler`, this.#inRootContext<SoftirqState, unknown>(cpu, handler, 'scope', CLAIM_BH))
    this.#traceEvent(cpu, `softirq_exit vec=${nr} [action=${SOFTIRQ_NAMES[nr] ?? nr}]`)
  }

  /**
   * A point where this CPU may schedule: preemptible, not in interrupt, the running task holding
   * no locks. Woken irq threads run first (they have RT priority), then ksoftirqd.
   */
  #runDeferred(cpu: Cpu): void {
    const s = cpu.state
    if ((s.wokenIrqThreads.length !== 0 || s.ksoftirqdWoken) && !this.#deferredRunning) this.#runWoken(cpu)
  }

  #runWoken(cpu: Cpu): void {
    const s = cpu.state
    if (!cpu.preemptible() || cpu.inInterrupt() || !this.#mayPreemptCurrent(cpu)) return
    this.#deferredRunning = true
    this.#executing.push(cpu)
    try {
      while (s.wokenIrqThreads.length > 0) this.#runIrqThread(cpu, s.wokenIrqThreads.shift() as number)
      if (s.ksoftirqdWoken) {
        this.#runTask(cpu, createTaskState(this.#nextPid++, `ksoftirqd/${cpu.id}`), () => cpu.runKsoftirqd())
      }
    } finally {
      this.#executing.pop()
      this.#deferredRunning = false
    }
  }

  /** Deferred work never preempts a task holding locks: it would wait for them anyway. */
  #mayPreemptCurrent(cpu: Cpu): boolean {
    return this.#held.count(cpu.current) === 0
  }

  // ── sleeping ───────────────────────────────────────────────────────────────────────────

  #mightSleep(cpu: Cpu, what: string): void {
    const diagnostic = checkResched(cpu, what, () => this.#held.of(cpu.current), undefined, this.#lockdep.wait)
    if (diagnostic !== null) this.#report(diagnostic)
  }

  #msleep(cpu: Cpu, ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('msleep(): ms must be a finite number ≥ 0')
    this.#mightSleep(cpu, 'msleep()')
    this.#clockMs += ms
    this.#traceEvent(cpu, `msleep ${ms}`)
  }

  /**
   * `kmalloc()`: GFP_KERNEL may sleep; GFP_ATOMIC does not, but takes the allocator's spinlock_t
   * locks (zone->lock), which sleep on RT — so not under a raw spinlock or with interrupts off.
   */
  #kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array {
    if (!Number.isInteger(size) || size < 0) throw new InvalidArgumentError('kmalloc(): size must be a whole number ≥ 0')
    if (size > KMALLOC_MAX_SIZE) {
      throw new InvalidArgumentError(`kmalloc(): ${size} bytes is more than KMALLOC_MAX_SIZE (${KMALLOC_MAX_SIZE}: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT))`)
    }
    if (gfp === 'GFP_KERNEL') this.#mightSleep(cpu, 'kmalloc(GFP_KERNEL)')
    else if (gfp === 'GFP_ATOMIC') {
      this.#lockdep.checkWaitOnly(cpu, this.#held.of(cpu.current), {
        name: 'zone->lock',
        kind: 'spinlock_t',
        mode: 'write',
        recursiveRead: false,
        trylock: false,
        nestLock: null,
        instance: ZONE_LOCK,
        key: 'zone->lock',
        subclass: 0,
        check: true,
      })
      if (this.options.preemptRt) this.#lockHost.mightResched(cpu, 'kmalloc(GFP_ATOMIC): zone->lock', 0, cpu.current.rcuReadLockNesting)
    } else throw new InvalidArgumentError("kmalloc(): gfp must be 'GFP_KERNEL' or 'GFP_ATOMIC'")
    this.#traceEvent(cpu, `kmalloc ${size} ${gfp}`)
    return new Uint8Array(size)
  }

  // ── reports ────────────────────────────────────────────────────────────────────────────
  /** Records a diagnostic; with `onDiagnostic: 'throw'` throws it as a KernelSplat. */
  #report(diagnostic: Diagnostic): void {
    this.#diagnostics.push(diagnostic)
    const cpu = this.#cpus[diagnostic.cpu]
    if (cpu !== undefined) this.#traceEvent(cpu, diagnostic.title)
    if (this.options.onDiagnostic === 'throw') throw new KernelSplat(diagnostic)
  }

  /**
   * The task ended with interrupts off although it started with them on: what save/restore
   * guards dropped out of order leave behind (the last restore brings back "disabled").
   * Reported, then interrupts are turned back on so the simulation can go on.
   */
  #irqsLeftDisabled(cpu: Cpu, task: TaskState): void {
    try {
      this.#report({
        kind: 'irqs-disabled-at-exit',
        title: IRQS_DISABLED_AT_EXIT_TITLE,
        cpu: cpu.id,
        task: task.comm,
        heldLocks: [],
        preemptCount: cpu.preemptCount,
        report: [
          ...banner(IRQS_DISABLED_AT_EXIT_TITLE),
          `${task.comm}/${task.pid} started with interrupts enabled and ended with them disabled.`,
          'A flags restore brought back a state saved under a lock that was already released',
          '(save/restore guards dropped out of order). Interrupts are re-enabled now.',
        ].join('\n'),
      })
    } finally {
      cpu.localIrqEnable()
    }
  }

  /**
   * A guard's unlock turned interrupts back on. Anything that still relies on them being off —
   * a lock taken with an IRQ-disabling variant, a live local_interrupt_disable() — is now
   * unsafe: what a save/restore guard dropped out of order does (Rust-for-Linux #998). Then the
   * interrupts raised meanwhile are taken.
   */
  #irqsBackOn(cpu: Cpu, droppedBy: string): void {
    const held = this.#held.of(cpu.current)
    const needing = held.filter((h) => h.irqLock).map(lockName)
    if (cpu.state.interruptDisableCount > 0) needing.push(`local_interrupt_disable() (depth ${cpu.state.interruptDisableCount})`)
    try {
      if (needing.length > 0) this.#reportIrqsOnUnderIrqLock(cpu, droppedBy, needing)
    } finally {
      // Taken even when the report throws (onDiagnostic: 'throw'): the flag is on either way.
      cpu.deliverPendingIrqs()
    }
  }

  #reportIrqsOnUnderIrqLock(cpu: Cpu, droppedBy: string, needing: readonly string[]): void {
    const task = cpu.current
    const held = this.#held.of(task)
    this.#report({
      kind: 'irqs-on-under-irq-lock',
      title: IRQS_ON_UNDER_IRQ_LOCK_TITLE,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: this.#held.names(task),
      preemptCount: cpu.preemptCount,
      locks: needing,
      droppedBy,
      report: [
        ...banner(IRQS_ON_UNDER_IRQ_LOCK_TITLE),
        `${task.comm}/${task.pid} released ${droppedBy}, and its saved flags turned interrupts back on,`,
        'while this still relies on them being off:',
        ...needing.map((n) => `  ${n}`),
        'An interrupt whose handler takes one of those locks now deadlocks this CPU.',
        'Fix: release in reverse order (use callbacks), or count interrupt disabling',
        "(local_interrupt_disable(); the default irqDisable: 'counted').",
        ...heldLockLines(task.comm, task.pid, held, this.#lockdep.wait),
      ].join('\n'),
    })
  }

  /**
   * Interrupts, preemption or BH came back on while live contexts on `cpu` carry proofs: report
   * those in `mask` (the ones this transition can have made false) that are false now.
   */
  #proofsMayBeFalse(cpu: Cpu, by: string, mask: number): void {
    const bits = falseClaims(cpu) & mask
    if (bits !== 0) this.#reportProofFalsified(cpu, by, bits, false)
  }

  /**
   * A guard's unlock would falsify proofs `bits`: reported, then refused with nothing changed —
   * unless `guardDrop: 'report'`, where the drop goes on and the unlock reports what it falsified.
   */
  #refuseDrop(cpu: Cpu, what: string, bits: number): void {
    if (this.options.guardDrop === 'report') return
    this.#reportProofFalsified(cpu, what, bits, true)
    throw new GuardOrderError(
      `${what}: releasing this guard now would make ${claimNames(bits).join(', ')} false for a live context; release the guards taken from its context first`,
    )
  }

  #reportProofFalsified(cpu: Cpu, by: string, bits: number, refused: boolean): void {
    const task = cpu.current
    const proofs = claimNames(bits)
    const contexts = Math.max(bits & CLAIM_IRQ ? cpu.claimIrq : 0, bits & CLAIM_PREEMPT ? cpu.claimPreempt : 0, bits & CLAIM_BH ? cpu.claimBh : 0)
    const what = proofs.map((p) => PROOF_WORDS[p]).join(', ')
    this.#report({
      kind: 'proof-falsified',
      title: PROOF_FALSIFIED_TITLE,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: this.#held.names(task),
      preemptCount: cpu.preemptCount,
      proofs,
      by,
      contexts,
      refused,
      report: [
        ...banner(PROOF_FALSIFIED_TITLE),
        refused
          ? `${task.comm}/${task.pid} tries to release ${by}, which would turn ${what} back on,`
          : `${task.comm}/${task.pid}: ${by} turned ${what} back on,`,
        `while a live context on CPU ${cpu.id} proves them off (${proofs.join(', ')}).`,
        refused
          ? 'Refused: the guard stays held. Release the guards taken from its context first.'
          : 'Code holding that context relies on something no longer true (a nested _irq unlock, a _bh release, a guard dropped early).',
        ...heldLockLines(task.comm, task.pid, this.#held.of(task), this.#lockdep.wait),
      ].join('\n'),
    })
  }

  /** A WARN_ON_ONCE() of the kernel: each site once per kernel. lockdep_assert_*() only while lockdep is on. */
  #warnOnce(cpu: Cpu, warning: KernelWarning, detail = ''): void {
    if (warning === 'bh-enable-irqs-disabled' && !this.#lockdep.active) return
    if (this.#warned.has(warning)) return
    this.#warned.add(warning)
    const task = cpu.current
    const title = kernelWarningTitle(warning, detail)
    this.#report({
      kind: 'kernel-warning',
      warning,
      title,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: this.#held.names(task),
      preemptCount: cpu.preemptCount,
      report: [
        title,
        `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`,
        WARNING_WHY[warning],
        ...heldLockLines(task.comm, task.pid, this.#held.of(task), this.#lockdep.wait),
      ].join('\n'),
    })
  }

  /** `print_unlock_imbalance_bug()`: releasing what is no longer held. */
  #badUnlock(cpu: Cpu, what: string, className: string = what): void {
    // print_unlock_imbalance_bug(): `if (!debug_locks_off()) return;` — only while lockdep is on, and it turns it off.
    if (!this.#lockdep.unlockImbalance()) return
    const task = cpu.current
    this.#report({
      kind: 'bad-unlock-balance',
      title: BAD_UNLOCK_BALANCE_TITLE,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: this.#held.names(task),
      preemptCount: cpu.preemptCount,
      lock: what,
      report: [
        ...banner(BAD_UNLOCK_BALANCE_TITLE),
        `${task.comm}/${task.pid} is trying to release lock (${className}) at:`,
        `  ${what}: guard.unlock()`,
        'but there are no more locks to release!',
        '',
        'other info that might help us debug this:',
        ...heldLockLines(task.comm, task.pid, this.#held.of(task), this.#lockdep.wait),
      ].join('\n'),
    })
  }

  /** A guard outlived its scope: 'held-lock-at-exit' when the task ended, else 'guard-leak'. */
  #reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void {
    const task = cpu.current
    const held = this.#held.of(task)
    const base = { cpu: cpu.id, task: task.comm, heldLocks: this.#held.names(task), preemptCount: cpu.preemptCount }
    const lines = (title: string, first: string): string =>
      [...banner(title), first, ...heldLockLines(task.comm, task.pid, held, this.#lockdep.wait)].join('\n')
    if (reason === 'task') {
      this.#report({
        ...base,
        kind: 'held-lock-at-exit',
        title: HELD_LOCK_AT_EXIT_TITLE,
        report: lines(HELD_LOCK_AT_EXIT_TITLE, `${task.comm}/${task.pid} is leaving the kernel with locks still held! (${what} released now)`),
      })
    } else {
      this.#report({
        ...base,
        kind: 'guard-leak',
        title: GUARD_LEAK_TITLE,
        lock: what,
        report: lines(GUARD_LEAK_TITLE, `${task.comm}/${task.pid}: the guard of ${what} outlived the scope it was taken in; released there.`),
      })
    }
  }

  #countingError(cpu: Cpu, field: CountingField, problem: 'underflow' | 'overflow', detail: string): never {
    const title = countingTitle(field, problem)
    const task = cpu.current
    this.#report({
      kind: 'bad-counting',
      title,
      field,
      problem,
      cpu: cpu.id,
      task: task.comm,
      heldLocks: this.#held.names(task),
      preemptCount: preemptCount(cpu.state),
      report: [title, `${detail}; refused, nothing changed`, `CPU: ${cpu.id} PID: ${task.pid} Comm: ${task.comm}`].join('\n'),
    })
    throw new CountingError(`${title}: ${detail}`)
  }

  #traceEvent(cpu: Cpu, event: string): void {
    if (!this.options.trace) return
    const task = cpu.current
    this.#trace.push({
      seq: this.#traceSeq++,
      cpu: cpu.id,
      pid: task.pid,
      comm: task.comm,
      event,
      preemptCount: cpu.state.preemptCount,
      irqsDisabled: cpu.state.irqsDisabled,
      flags: latencyFlags(cpu),
    })
  }

  /** A CPU number from a caller that may ignore the types; `arg` names the argument in the error. */
  #cpuIndex(what: string, i: unknown, arg = 'the CPU number'): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) {
      const got = typeof i === 'string' ? `'${i}' (a string)` : typeof i === 'number' ? String(i) : `a value of type ${i === null ? 'null' : typeof i}`
      throw new InvalidArgumentError(`${what}: ${arg} must be a whole number, got ${got}`)
    }
    if (i < 0 || i >= this.#cpus.length) throw new InvalidArgumentError(`${what}: no CPU ${i} (this kernel has ${this.#cpus.length})`)
    return i
  }

  /** The `{ cpu }` options of run() and the raise methods, checked for callers that ignore the types. */
  #cpuOption(what: string, options: unknown): number {
    if (options === undefined) return 0
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`${what}: the options must be an object such as { cpu: 1 }`)
    const cpu = (options as { readonly cpu?: unknown }).cpu
    return cpu === undefined ? 0 : this.#cpuIndex(what, cpu, 'options.cpu')
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
