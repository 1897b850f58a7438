/**
 * The synchronous executor: `kernel.run`. The JavaScript call stack is the scheduler — a task
 * runs to completion; an interrupt handler runs inside the code it interrupts, at the machine's
 * 'irq' outcome; deferred work (woken irq threads, then ksoftirqd) runs at the scheduling points;
 * a 'blocked' outcome is a deadlock (nothing can wait).
 */
import { type ContextHost, ScopeContext } from './scope.js'
import { CLAIM_BH, CLAIM_IRQS_OFF } from './claims.js'
import type { Gfp } from '../rules/gfp.js'
import type { NmiState, SoftirqState, ThreadableIrqState } from '../rules/proofs.js'
import { NO_FAILURE, refuseThenable } from './protocol.js'
import type { Context } from './context.js'
import type { CtxState, FreshTaskState } from '../rules/state.js'
import type { Cpu } from '../machine/cpu.js'
import { exitTask, spawnTask, type Task } from '../machine/machine.js'
import { InvalidArgumentError, SchedulingError } from '../errors.js'
import { SOFTIRQ_NAMES, assertIrqLine, softirqNr, type SoftirqName } from './irq-registry.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import { bindHandlers, deliverPendingIrqs, localBhEnable, localIrqEnable, raiseIrq, raiseSoftirq, runKsoftirqd } from './delivery.js'
import type { Executor, KernelParts } from './executor.js'
import { contextHostFor } from './hosts.js'
import { kmalloc } from './kmalloc.js'
import { KthreadQueue } from '../deferred/kthreads.js'
import { blockedDeadlock } from './blocked.js'
import { irqsBackOn } from './irqs-back-on.js'
import { bareClock, runSyncOp, type SyncClock, type SyncWaitHost } from './sync-wait.js'
import type { Op, WaitChannel } from './wait.js'

/** `msleep()`'s sleep: TASK_UNINTERRUPTIBLE until `ms` have passed (what runs meanwhile does not end it). */
function* msleepOp(m: KernelParts, ms: number): Op<void> {
  const end = m.machine.clockMs + ms
  const channel: WaitChannel = { id: 0, kind: 'timer', name: `msleep(${ms})` }
  while (m.machine.clockMs < end) yield { tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: false, timeoutMs: end - m.machine.clockMs }
}

/** Ends a task's or handler's root context: guards still held then are reported and released. */
const closeRoot = (ctx: ScopeContext, reason: 'scope' | 'task', executing: Cpu[]): void => {
  try {
    ScopeContext.close(ctx, noExit, reason)
  } finally {
    executing.pop()
  }
}
const noExit = (): void => undefined

/** A handler that returned a Promise or thenable (untyped code): refused as run() refuses one; its rejection is handled. */
const refuseHandlerThenable = (what: string, result: unknown): void => {
  refuseThenable(result, what, 'the handler returned a Promise; a handler must finish synchronously')
}

export class SyncExecutor implements Executor, SyncWaitHost {
  readonly #m: KernelParts
  readonly #executing: Cpu[] = []
  #deferredRunning = false
  readonly #woken = new Set<WaitChannel>()
  /** What the contexts this executor makes call back into. */
  readonly contextHost: ContextHost
  /** Kernel threads woken by deferred work (src/deferred/): run at scheduling points. */
  readonly kthreads: KthreadQueue
  /** The clock a timed wait lets pass (the deferred-work core's, with its timer expiries, once it exists). */
  clock: SyncClock

  constructor(m: KernelParts) {
    this.#m = m
    this.clock = bareClock(m)
    this.contextHost = contextHostFor(this, m)
    this.kthreads = new KthreadQueue(m.cpus.length)
    for (const cpu of m.cpus) bindHandlers(cpu, this)
  }

  /** The CPU whose code is running now (the innermost `run`, handler or task), or null. */
  executingCpu(): Cpu | null {
    return this.#executing.at(-1) ?? null
  }

  // ── tasks ──────────────────────────────────────────────────────────────────────────────
  run<R>(cb: (ctx: Context<FreshTaskState>) => R, cpu: Cpu, comm: string | undefined): R {
    if (cpu.current !== cpu.state.idle || cpu.scopeIds.length > 0) {
      throw new SchedulingError(`run(): CPU ${cpu.id} is running ${cpu.current.comm}; start the task on another CPU`)
    }
    const task = spawnTask(this.#m.machine, (pid) => comm ?? `task-${pid}`)
    const irqsWereDisabled = cpu.state.irqsDisabled
    let result: R | undefined
    // The first error wins (with onDiagnostic: 'throw', the first diagnostic's splat).
    let failure: unknown = NO_FAILURE
    try {
      result = this.#runTask(cpu, task, cb)
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
    this.schedulingPoint(cpu)
    return refuseThenable(result as R, 'run()', 'the task returned a Promise; a simulated task runs synchronously')
  }

  /** Runs `cb` in `task` on `cpu`, with a fresh root context; the interrupted task comes back after. */
  #runTask<S extends CtxState, R>(cpu: Cpu, task: Task, cb: (ctx: Context<S>) => R): R {
    const previous = cpu.state.current
    cpu.state.current = task
    this.#m.reporter.traceSwitch(cpu, previous, task)
    try {
      return this.#inRootContext(cpu, cb, 'task')
    } finally {
      cpu.state.current = previous
      exitTask(this.#m.machine, task)
      this.#m.reporter.traceSwitch(cpu, task, previous)
    }
  }

  /** Runs `cb` with a new root context on `cpu` (a task, or a handler on the interrupted task). */
  #inRootContext<S extends CtxState, R>(cpu: Cpu, cb: (ctx: Context<S>) => R, reason: 'scope' | 'task' = 'scope', claims = 0): R {
    const ctx = ScopeContext.root(this.contextHost, cpu, cpu.current, claims)
    this.#executing.push(cpu)
    return ScopeContext.runIn(ctx, cb, undefined, closeRoot, reason, this.#executing)
  }

  /**
   * The task ended with interrupts off although it started with them on: what save/restore
   * guards dropped out of order leave behind. Reported, then interrupts are turned back on so
   * the simulation can go on.
   */
  #irqsLeftDisabled(cpu: Cpu, task: Task): void {
    try {
      this.#m.reporter.irqsLeftDisabled(cpu, task)
    } finally {
      localIrqEnable(cpu)
    }
  }

  /** Interrupts came back on at a guard's unlock: what still needs them off is reported, then the pending ones are taken. */
  irqsBackOn(cpu: Cpu, droppedBy: string): void {
    irqsBackOn(this.#m, cpu, droppedBy)
  }

  /** Nothing can wait on one call stack: the 'blocked' outcome is the deadlock report and error (./blocked.ts). */
  blocked(cpu: Cpu, o: BlockedOutcome): never {
    return blockedDeadlock(this.#m, cpu, o)
  }

  /**
   * Runs a primitive's op (./wait.ts) on `cpu` to its end with the one synchronous driver
   * (./sync-wait.ts): a wait lets woken work run, a timed one lets time pass, one nothing ends is
   * reported and throws DeadlockError; points are this executor's scheduling points. The
   * synchronous methods of waiting primitives call this.
   */
  runOp<R>(cpu: Cpu, op: Op<R>): R {
    return runSyncOp(this.#m, cpu, op, this, (c) => this.schedulingPoint(c))
  }

  /**
   * Nothing parks on one call stack, but a wake-up between a waiter's queueing and its yield must
   * not be lost: the channel is remembered until the next wait on it (./sync-wait.ts takeWake).
   */
  wake(channel: WaitChannel): void {
    this.#woken.add(channel)
  }

  takeWake(channel: WaitChannel): boolean {
    return this.#woken.delete(channel)
  }

  // ── from outside and from contexts ─────────────────────────────────────────────────────
  /** Runs `act` on `cpu` as from outside any task (a device, the NMI source). */
  fromOutside(cpu: Cpu, act: (cpu: Cpu) => void): void {
    this.#executing.push(cpu)
    try {
      act(cpu)
    } finally {
      this.#executing.pop()
    }
  }

  raiseIrq(cpu: Cpu, line: number): void {
    assertIrqLine('raise_irq()', line)
    raiseIrq(cpu, line)
    this.schedulingPoint(cpu)
  }

  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void {
    raiseSoftirq(cpu, softirqNr('raise_softirq()', nr))
    this.schedulingPoint(cpu)
  }

  raiseNmi(cpu: Cpu, name: string): void {
    const handler = this.#m.irq.nmis.get(name)
    if (handler === undefined) throw new InvalidArgumentError(`raise_nmi(): no NMI handler named '${String(name)}'`)
    // The NMI gate masks interrupts too: irqs_disabled() is true in NMI context.
    const irqsWereDisabled = cpu.state.irqsDisabled
    cpu.nmiEnter()
    cpu.state.irqsDisabled = true
    try {
      refuseHandlerThenable(`NMI handler '${name}'`, this.#inRootContext<NmiState, unknown>(cpu, handler, 'scope', CLAIM_IRQS_OFF))
    } finally {
      cpu.nmiExit()
      cpu.state.irqsDisabled = irqsWereDisabled
    }
    // Returning from the NMI unmasks interrupts: what was raised meanwhile is taken now.
    deliverPendingIrqs(cpu)
    this.schedulingPoint(cpu)
  }

  // ── handlers (the machine's 'irq' outcome and handle_softirqs() rounds) ─────────────────
  /** The primary handler, in hardirq context: runs it, or wakes its thread when force-threaded. */
  hardirq(cpu: Cpu, line: number): void {
    const reporter = this.#m.reporter
    const action = this.#m.irq.irqs.get(line)
    if (action === undefined) {
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'spurious_irq', line })
      return
    }
    const irq = this.#m.irq
    if (irq.depth.has(line) || irq.masked.has(line)) {
      // disable_irq() / IRQF_ONESHOT: the line is masked; the flow handler marks it IRQS_PENDING, replayed at enable.
      irq.replay.add(line)
      return
    }
    if (!action.noThread && this.#forceThreaded()) {
      // irq_default_primary_handler(): IRQ_WAKE_THREAD (irq_wake_thread() counts it in threads_active).
      cpu.state.wokenIrqThreads.push(line)
      irq.count(irq.threadsActive, line, 1)
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_entry', line, name: action.name, wake: true })
      return
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_entry', line, name: action.name, wake: false })
    const threaded = cpu.hardirqThreaded
    // lockdep_hardirq_threaded(): a handler that RT would thread may take spinlock_t (LD_WAIT_CONFIG).
    cpu.hardirqThreaded = !action.noThread
    try {
      // NoThreadIrqState proves interrupts, preemption and BH off; ThreadableIrqState only BH off.
      const claims = action.noThread ? CLAIM_IRQS_OFF : CLAIM_BH
      irq.count(irq.inProgress, line, 1)
      refuseHandlerThenable(`irq ${line} handler '${action.name}'`, this.#inRootContext<CtxState, unknown>(cpu, action.handler, 'scope', claims))
    } finally {
      irq.count(irq.inProgress, line, -1)
      cpu.hardirqThreaded = threaded
      // __handle_irq_event_percpu(): WARN_ONCE(!irqs_disabled(), "irq %u handler %pS enabled interrupts"), then local_irq_disable().
      if (!cpu.state.irqsDisabled) {
        try {
          reporter.warnOnce(cpu, 'irq-handler-enabled-interrupts', `irq ${line} handler ${action.name}`)
        } finally {
          cpu.localIrqDisable()
        }
      }
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_exit', line, name: action.name })
  }

  softirq(cpu: Cpu, nr: number): void {
    const reporter = this.#m.reporter
    const handler = this.#m.irq.softirqs[nr]
    const kernelAction = this.#m.irq.kernelSoftirqs[nr]
    if (handler === undefined && kernelAction === undefined) {
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_unhandled', vec: nr, action: SOFTIRQ_NAMES[nr] ?? String(nr) })
      return
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_entry', vec: nr, action: SOFTIRQ_NAMES[nr] ?? String(nr) })
    kernelAction?.(cpu)
    if (handler !== undefined) {
      refuseHandlerThenable(`softirq ${SOFTIRQ_NAMES[nr] ?? nr} handler`, this.#inRootContext<SoftirqState, unknown>(cpu, handler, 'scope', CLAIM_BH))
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_exit', vec: nr, action: SOFTIRQ_NAMES[nr] ?? String(nr) })
  }

  /** `force_irqthreads()`: always on RT; on a normal kernel only with `threadirqs`. */
  #forceThreaded(): boolean {
    return this.#m.options.preemptRt || this.#m.options.threadIrqs
  }

  // ── deferred work ──────────────────────────────────────────────────────────────────────
  /**
   * A point where this CPU may schedule: preemptible, not in interrupt, the running task holding
   * no locks. Woken irq threads run first (they have RT priority), then ksoftirqd.
   */
  schedulingPoint(cpu: Cpu): void {
    const s = cpu.state
    if ((s.wokenIrqThreads.length !== 0 || s.ksoftirqdWoken || this.kthreads.hasWoken(cpu.id)) && !this.#deferredRunning) this.#runWoken(cpu)
  }

  #runWoken(cpu: Cpu): boolean {
    if (!cpu.preemptible() || cpu.inInterrupt() || !this.#mayPreemptCurrent(cpu)) return false
    return this.#runWokenNow(cpu)
  }

  /** Runs what is woken on `cpu` until nothing is: irq threads, the SCHED_FIFO kthreads, ksoftirqd, the SCHED_NORMAL kthreads. */
  #runWokenNow(cpu: Cpu): boolean {
    const s = cpu.state
    const wasRunning = this.#deferredRunning
    this.#deferredRunning = true
    this.#executing.push(cpu)
    let ran = false
    try {
      for (;;) {
        if (s.wokenIrqThreads.length > 0) {
          this.#runIrqThread(cpu, s.wokenIrqThreads.shift() as number)
        } else if (this.kthreads.pending(cpu.id, 'fifo')) {
          this.#runKthread(cpu, 'fifo')
        } else if (s.ksoftirqdWoken) {
          this.#runTask(
            cpu,
            spawnTask(this.#m.machine, () => `ksoftirqd/${cpu.id}`),
            () => runKsoftirqd(cpu),
          )
        } else if (this.kthreads.pending(cpu.id, 'normal')) {
          this.#runKthread(cpu, 'normal')
        } else {
          return ran
        }
        ran = true
      }
    } finally {
      this.#executing.pop()
      this.#deferredRunning = wasRunning
    }
  }

  #runKthread(cpu: Cpu, policy: 'fifo' | 'normal'): void {
    const t = this.kthreads.take(cpu.id, policy)
    if (t === null) return
    this.kthreads.running.add(t)
    try {
      this.#runTask(
        cpu,
        spawnTask(this.#m.machine, () => t.comm),
        (ctx: Context<FreshTaskState>) => t.run(ctx),
      )
    } finally {
      this.kthreads.running.delete(t)
    }
  }

  /**
   * The running task sleeps (a wait of src/exec/wait.ts): what is woken on `cpu` runs meanwhile —
   * whatever the sleeper holds, since it gives the CPU up — when the CPU can schedule at all.
   * Returns whether anything ran.
   */
  sleepPoint(cpu: Cpu): boolean {
    if (!cpu.preemptible() || cpu.inInterrupt()) return false
    // sched_submit_work(): a kworker going to sleep tells its pool (wq_worker_sleeping()).
    this.kthreads.sleeping(cpu.id, cpu.current.comm)
    return this.#runWokenNow(cpu)
  }

  /** An idle CPU other than the running one: what is woken there runs (as it would, in parallel). Returns whether anything ran. */
  runIdleCpu(cpu: Cpu): boolean {
    if (this.#executing.includes(cpu) || cpu.current !== cpu.state.idle) return false
    return this.#runWokenNow(cpu)
  }

  /**
   * Runs one deferred callback (a timer, a tasklet, a NAPI poll, an RCU callback, an irq_work) in
   * a root context of its own on the running task: its guards end with it, as each callback's
   * preempt-count and lock checks do in the kernel. `claims`: the proofs its context carries.
   */
  callback<S extends CtxState, R>(cpu: Cpu, cb: (ctx: Context<S>) => R, claims: number, what = 'a deferred callback'): R {
    return refuseThenable(this.#inRootContext(cpu, cb, 'scope', claims), what, 'the callback returned a Promise; a callback must finish synchronously')
  }

  /** Deferred work never preempts a task holding locks: it would wait for them anyway. */
  #mayPreemptCurrent(cpu: Cpu): boolean {
    return this.#m.held.count(cpu.current) === 0
  }

  /**
   * `irq_forced_thread_fn()`: BH off around the handler, and on a normal kernel interrupts off
   * too. The handler's context (which proves BH off) ends before they come back on.
   */
  #runIrqThread(cpu: Cpu, line: number): void {
    const action = this.#m.irq.irqs.get(line)
    if (action === undefined) {
      this.#m.irq.count(this.#m.irq.threadsActive, line, -1)
      return
    }
    const rt = this.#m.options.preemptRt
    const task = spawnTask(this.#m.machine, () => `irq/${line}-${action.name}`)
    const previous = cpu.state.current
    cpu.state.current = task
    this.#m.reporter.traceSwitch(cpu, previous, task)
    try {
      cpu.localBhDisable()
      if (!rt) cpu.localIrqDisable()
      try {
        const result = this.#inRootContext<ThreadableIrqState, unknown>(cpu, action.handler, 'task', CLAIM_BH)
        refuseHandlerThenable(`irq ${line} thread handler '${action.name}'`, result)
      } finally {
        this.#m.irq.count(this.#m.irq.threadsActive, line, -1)
        if (!rt) localIrqEnable(cpu)
        localBhEnable(cpu)
      }
    } finally {
      cpu.state.current = previous
      exitTask(this.#m.machine, task)
      this.#m.reporter.traceSwitch(cpu, task, previous)
    }
  }

  // ── sleeping ───────────────────────────────────────────────────────────────────────────
  msleep(cpu: Cpu, ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('msleep(): ms must be a finite number ≥ 0')
    // msleep() has no might_sleep(): schedule() itself checks (schedule_debug(), rcu_note_context_switch()).
    this.#m.reporter.schedule(cpu, 'msleep()')
    // schedule_timeout_uninterruptible(): timers expiring meanwhile fire at their time, woken work runs.
    runSyncOp(this.#m, cpu, msleepOp(this.#m, ms), this)
    if (this.#m.options.trace) this.#m.reporter.traceEvent(cpu, { event: 'msleep', ms })
  }

  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array {
    return kmalloc(this.#m, cpu, size, gfp)
  }
}
