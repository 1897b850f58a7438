/**
 * The deferred-work core of one model execution: the same runtimes as kernel.run's
 * (src/deferred/*.ts, through {@link DeferredCore}), run as the kernel runs them so that the
 * explorer interleaves them —
 * - a timer's expiry is the local timer interrupt, an arrival the scheduler chooses at any point
 *   after arming where the CPU takes interrupts (earliest expiry first; the clock moves to it);
 * - hard hrtimers (and default-mode ones on a normal kernel) run in that hardirq frame;
 * - timer_list and soft hrtimers run in the TIMER / HRTIMER softirq: a frame over the interrupted
 *   task where handle_softirqs() runs it (irq exit, local_bh_enable()), or, with forced irq
 *   threads (PREEMPT_RT, `threadIrqs`), in `ktimers/N`, a kernel thread of the model;
 * - kernel threads (ktimers, kworkers, irq threads) idle in a wait: an idle one is neither stuck
 *   nor something left to run, so an execution ends when the model's tasks have ended and no
 *   deferred work is pending or running (pending work is run to its end first, as the kernel would).
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Context } from '../../exec/context.js'
import type { CtxState } from '../../rules/state.js'
import type { KernelParts } from '../../exec/executor.js'
import type { LockHost } from '../../locks/lock.js'
import { isOp } from '../../locks/lock.js'
import { ScopeContext, type ContextHost } from '../../exec/scope.js'
import { ForeignContextError, ForgottenYieldError, InvalidArgumentError, SchedulingError } from '../../errors.js'
import { localIrqEnable, raiseSoftirq } from '../../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../../exec/irq-registry.js'
import type { Op, WaitChannel, Waker } from '../../exec/wait.js'
import { type Body, ModelExecutor, type ModelTask } from '../../exec/model/executor.js'
import { LockMapRuntime } from '../../lockdep/lock-map.js'
import { assertSite, lockdepWarn } from '../../helpers/warn.js'
import type { ClockEvent, DeferredChannel, DeferredCore, Runner } from '../runtime.js'
import { LOCAL_TIMER_LINE } from '../lines.js'
import { type ExpiredLists, isExpired, takeExpired } from '../clock-event.js'
import { touchShared } from '../../exec/explore/touched.js'

/** What the core uses of the model kernel's plug host (structurally its `ModelHost`, src/exec/model/factories.ts). */
export interface DeferredPlugHost {
  readonly parts: KernelParts
  readonly lockHost: LockHost
  readonly contextHost: ContextHost
  readonly waker: Waker
  channel(kind: string, name: string): WaitChannel
  track<R>(op: Op<R>, what: string): Op<R>
  readonly irqArrivals: number
}

const isPlugHost = (h: object): h is DeferredPlugHost =>
  'parts' in h && 'lockHost' in h && 'contextHost' in h && 'waker' in h && 'channel' in h && 'track' in h && 'irqArrivals' in h

const noExit = (): void => undefined

/** Softirq bits of the timer softirqs. */
const TIMER = SOFTIRQ_NAMES.indexOf('TIMER')
const HRTIMER = SOFTIRQ_NAMES.indexOf('HRTIMER')

/** A kernel thread of the core: its task, whether it idles now, the channel it idles on. */
export interface ModelKthread {
  readonly task: ModelTask
  idle: boolean
  readonly channel: WaitChannel
}

/** Per CPU: what the clock expired for the softirqs, and ktimers' pending bits. */
interface CpuClock extends ExpiredLists {
  ktimersPending: number
  ktimers: ModelKthread | null
}

const cores = new WeakMap<ModelExecutor, ModelDeferred>()

export class ModelDeferred implements DeferredCore {
  readonly host: DeferredPlugHost
  readonly exec: ModelExecutor
  readonly parts: KernelParts
  readonly #armed = new Set<ClockEvent>()
  readonly #fires = new Map<ClockEvent, (cpu: Cpu) => Op<void>>()
  readonly #cpus: CpuClock[]
  /** The kernel's TIMER / HRTIMER actions, by softirq number, once opened. */
  readonly #softirqActions: ((ctx: Context<CtxState>) => Op<void>)[] = []
  #clockDeclared = false

  /** The core of the model kernel `host` belongs to (one per execution). */
  static of(host: object): ModelDeferred {
    if (!isPlugHost(host) || !(host.waker instanceof ModelExecutor)) {
      throw new SchedulingError('deferred work of a model is made by the model kernel (defineModel())')
    }
    const exec = host.waker
    let d = cores.get(exec)
    if (d === undefined) {
      d = new ModelDeferred(host, exec)
      cores.set(exec, d)
    }
    return d
  }

  private constructor(host: DeferredPlugHost, exec: ModelExecutor) {
    this.host = host
    this.exec = exec
    this.parts = host.parts
    this.#cpus = host.parts.cpus.map(() => ({ timer: [], soft: [], ktimersPending: 0, ktimers: null }))
  }

  // ── DeferredCore ───────────────────────────────────────────────────────────────────────
  get preemptRt(): boolean {
    return this.parts.options.preemptRt
  }

  /** `force_irqthreads()`: always on RT, with `threadIrqs` on a normal kernel. */
  get forceThreaded(): boolean {
    return this.parts.options.preemptRt || this.parts.options.threadIrqs
  }

  get jiffies(): number {
    return this.parts.machine.clockMs
  }

  /** runModel()'s `irqArrivals`: how often a line may arrive unless it says. */
  get irqArrivals(): number {
    return this.host.irqArrivals
  }

  cpuOf(ctx: unknown, op: string): Cpu {
    // Every member a callback or task calls starts here: it reaches deferred state no point names.
    touchShared()
    const cpu = ScopeContext.from(ctx, op).assertUsable(op)
    if (this.parts.cpus[cpu.id] !== cpu) throw new ForeignContextError(`${op}: the context belongs to another model execution`)
    return cpu
  }

  warn(ctx: unknown, op: string, failed: boolean, assertion: string, where: string): void {
    if (!failed) return
    lockdepWarn(assertSite(ScopeContext.from(ctx, op), op), true, assertion, where, false)
  }

  lockMap(name: string): LockMapRuntime<string> {
    return new LockMapRuntime(this.host.lockHost, name)
  }

  /** A channel of the model (ids per model, stable across executions) that names who runs what is waited for. */
  channel(kind: string, name: string, runner: () => Runner | null): DeferredChannel {
    return Object.freeze({ ...this.host.channel(kind, name), runner })
  }

  runnerOn(cpu: Cpu): Runner {
    return { comm: cpu.current.comm, pid: cpu.current.pid, cpu: cpu.id }
  }

  arm(e: ClockEvent): void {
    this.#declareClock()
    this.#armed.add(e)
  }

  disarm(e: ClockEvent): boolean {
    return this.#armed.delete(e) || takeExpired(this.#cpus[e.cpu], e)
  }

  armed(e: ClockEvent): boolean {
    return this.#armed.has(e) || isExpired(this.#cpus[e.cpu], e)
  }

  wait<R>(): R {
    throw new SchedulingError('in a model, a wait of deferred work is an operation: run it with `yield*`')
  }

  callback<R>(): R {
    return runByTheModel()
  }

  // ── what the mechanisms add ────────────────────────────────────────────────────────────
  /** How `e` runs when it expires (its callback, as an op on the CPU it expires on). */
  onFire(e: ClockEvent, fire: (cpu: Cpu) => Op<void>): void {
    this.#fires.set(e, fire)
  }

  /** Makes the waiters on `channel` runnable (they re-check their condition). */
  wake(channel: WaitChannel): void {
    this.host.waker.wake(channel, 'all')
  }

  /**
   * Runs a user callback (a generator function) in a root context of its own on `cpu`'s current
   * task, as the synchronous executor's `callback()` does: its guards end with it, and an
   * operation it made and never ran is a ForgottenYieldError.
   */
  *callbackOp<R>(cpu: Cpu, claims: number, what: string, body: (ctx: Context<CtxState>) => Op<R>): Op<R> {
    const root = ScopeContext.root(this.host.contextHost, cpu, cpu.current, claims)
    let ok = false
    try {
      const r = yield* body(ScopeContext.public(root))
      ok = true
      return r
    } finally {
      try {
        if (ok) this.#checkForgotten(what)
      } finally {
        ScopeContext.close(root, noExit, 'scope')
      }
    }
  }

  #checkForgotten(what: string): void {
    const set = this.exec.unstartedSet()
    const first = set?.first()
    if (set == null || first === undefined) return
    set.clear()
    throw new ForgottenYieldError(`${what}: ${first.what} was never run: an operation of a model does nothing until \`yield*\` runs it`)
  }

  /** A kernel thread bound to `cpu`, idle on its channel until woken ({@link kick}). */
  kthread(cpu: number, comm: string, body: (k: ModelKthread) => Body): ModelKthread {
    const channel = this.host.channel('kthread', comm)
    let k: ModelKthread | null = null
    const task = this.exec.addKthread(
      cpu,
      comm,
      () => body(k as ModelKthread),
      () => k?.idle === true,
    )
    k = { task, idle: false, channel }
    return k
  }

  /** Wakes an idle kernel thread (`wake_up_process()`); it no longer counts as idle from now on. */
  kick(k: ModelKthread): void {
    if (!k.idle) return
    k.idle = false
    this.host.waker.wake(k.channel, 'all')
  }

  /** The idle wait of a kernel thread (TASK_INTERRUPTIBLE, as smpboot threads and irq threads sleep; a kworker's TASK_IDLE is not a lockproof state). */
  *idle(k: ModelKthread): Op<void> {
    k.idle = true
    while (k.idle) yield { tag: 'wait', channel: k.channel, state: 'TASK_INTERRUPTIBLE', spin: false }
  }

  // ── the clock: the local timer interrupt ───────────────────────────────────────────────
  /** Declares the local timer interrupt on every CPU, offered while a timer is armed there. */
  #declareClock(): void {
    if (this.#clockDeclared) return
    this.#clockDeclared = true
    for (const cpu of this.parts.cpus) {
      const id = cpu.id
      const armedHere = (): boolean => {
        for (const e of this.#armed) if (e.cpu === id) return true
        return false
      }
      this.exec.addIrq(id, {
        line: LOCAL_TIMER_LINE,
        name: 'local_timer',
        // The tick is never threaded: hrtimer_interrupt() runs in hardirq on both kernels.
        noThread: true,
        handler: () => this.#tick(cpu),
        get arrivals(): number {
          return armedHere() ? 1 : 0
        },
        set arrivals(_taken: number) {},
        thread: null,
        again: false,
      })
    }
  }

  /**
   * The local timer interrupt in hardirq on `cpu`: the clock moves to the earliest expiry there;
   * everything due expires — hard hrtimers run here, the others go to their softirq.
   */
  *#tick(cpu: Cpu): Op<void> {
    const machine = this.parts.machine
    let earliest = Number.POSITIVE_INFINITY
    for (const e of this.#armed) if (e.cpu === cpu.id && e.expires < earliest) earliest = e.expires
    if (earliest === Number.POSITIVE_INFINITY) return
    if (earliest > machine.clockMs) machine.clockMs = earliest
    const now = machine.clockMs
    const due = [...this.#armed].filter((e) => e.cpu === cpu.id && e.expires <= now).sort((a, b) => a.expires - b.expires)
    const c = this.#cpus[cpu.id] as CpuClock
    let raise = 0
    for (const e of due) {
      this.#armed.delete(e)
      if (e.base === 'hard') {
        yield* this.#fire(e, cpu)
      } else {
        c[e.base].push(e)
        raise |= 1 << (e.base === 'timer' ? TIMER : HRTIMER)
      }
    }
    if (raise & (1 << HRTIMER)) this.#raiseTimerSoftirq(cpu, HRTIMER)
    if (raise & (1 << TIMER)) this.#raiseTimerSoftirq(cpu, TIMER)
  }

  *#fire(e: ClockEvent, cpu: Cpu): Op<void> {
    const fire = this.#fires.get(e)
    if (fire !== undefined) yield* fire(cpu)
  }

  /**
   * `raise_timer_softirq()`: with force_irqthreads() the ktimers thread runs it
   * (`raise_ktimers_thread()`), else the softirq is raised, to run where handle_softirqs() runs.
   */
  #raiseTimerSoftirq(cpu: Cpu, nr: number): void {
    if (this.forceThreaded) {
      const c = this.#cpus[cpu.id] as CpuClock
      c.ktimersPending |= 1 << nr
      c.ktimers ??= this.kthread(cpu.id, `ktimers/${cpu.id}`, (k) => this.#ktimersBody(cpu, k))
      this.kick(c.ktimers)
      return
    }
    this.#openTimerSoftirq(nr)
    raiseSoftirq(cpu, nr)
  }

  /** `open_softirq()` of TIMER / HRTIMER: the action pushes a frame that runs the expired callbacks (they may spin-wait there). */
  #openTimerSoftirq(nr: number): void {
    const handlers = this.exec.softirqHandlers
    const name = nr === TIMER ? 'TIMER' : 'HRTIMER'
    const mine = this.#softirqActions[nr]
    if (mine !== undefined && handlers[nr] === mine) return
    // The kernel's own action (timers_init(), hrtimers_init()): a model that declares its own loses its timers.
    if (handlers[nr] !== undefined) {
      throw new InvalidArgumentError(`softirq ${name}: the model declares its own handler (k.softirq()), but ${name} runs the kernel's timers`)
    }
    const base = nr === TIMER ? 'timer' : 'soft'
    const d = this
    const action = function* (ctx: Context<CtxState>): Op<void> {
      const cpu = ScopeContext.from(ctx, `${name} softirq`).assertUsable(`${name} softirq`)
      d.exec.pushFrame(cpu, `${name} softirq`, () => d.#softirqFrame(cpu, base))
    }
    this.#softirqActions[nr] = action
    handlers[nr] = action
  }

  /**
   * `open_softirq()` of a kernel mechanism (tasklets, RCU): `action` runs on the CPU the softirq
   * is handled on. A model that declares its own handler for that softirq (k.softirq()) is refused.
   */
  openSoftirq(nr: number, name: string, action: (cpu: Cpu) => Op<void>): void {
    const handlers = this.exec.softirqHandlers
    if (handlers[nr] !== undefined) {
      throw new InvalidArgumentError(
        `softirq ${name}: the model declares its own handler (k.softirq()), but ${name} runs the kernel's ${name === 'RCU' ? 'RCU callbacks' : 'tasklets'}`,
      )
    }
    handlers[nr] = function* (ctx: Context<CtxState>): Op<void> {
      yield* action(ScopeContext.from(ctx, `${name} softirq`).assertUsable(`${name} softirq`))
    }
  }

  /** handle_softirqs() on the interrupted task (normal kernel): SOFTIRQ_OFFSET, interrupts on, the expired callbacks in order. */
  *#softirqFrame(cpu: Cpu, base: 'timer' | 'soft'): Body {
    // Over the softirqs' own frame (irq exit, ksoftirqd) it is served already; after an inline
    // round (local_bh_enable()) the frame serves it itself.
    const serving = cpu.inServingSoftirq()
    if (!serving) cpu.softirqsBegin()
    try {
      yield* this.#runExpired(cpu, base)
    } finally {
      if (!serving) cpu.softirqsEnd()
    }
  }

  *#runExpired(cpu: Cpu, base: 'timer' | 'soft'): Op<void> {
    const list = (this.#cpus[cpu.id] as CpuClock)[base]
    for (let e = list.shift(); e !== undefined; e = list.shift()) yield* this.#fire(e, cpu)
  }

  /**
   * `ktimers/N` (kernel/softirq.c `run_ktimerd()`): `ksoftirqd_run_begin()` (RT: BH off with
   * SOFTIRQ_OFFSET; interrupts off), the timer softirqs with interrupts on (handle_softirqs()),
   * `ksoftirqd_run_end()`; then idle until the tick raises them again.
   */
  *#ktimersBody(cpu: Cpu, k: ModelKthread): Body {
    const c = this.#cpus[cpu.id] as CpuClock
    for (;;) {
      if (c.ktimersPending === 0) {
        yield* this.idle(k)
        continue
      }
      const s = cpu.state
      // ksoftirqd_run_begin() is shared with ksoftirqd; a wake-up of ksoftirqd stays pending.
      const ksoftirqdWoken = s.ksoftirqdWoken
      cpu.ksoftirqdRunBegin()
      s.ksoftirqdWoken = ksoftirqdWoken
      const pending = c.ktimersPending
      c.ktimersPending = 0
      cpu.softirqsBegin()
      localIrqEnable(cpu)
      try {
        if (pending & (1 << TIMER)) yield* this.#runExpired(cpu, 'timer')
        if (pending & (1 << HRTIMER)) yield* this.#runExpired(cpu, 'soft')
      } finally {
        cpu.localIrqDisable()
        cpu.softirqsEnd()
        cpu.ksoftirqdRunEnd()
        localIrqEnable(cpu)
      }
    }
  }
}

/** What a runtime gets as its kernel.run callback in a model: never called (a model runs its callbacks through {@link ModelDeferred.onFire}). */
export const runByTheModel = (): never => {
  throw new SchedulingError('in a model, deferred callbacks are generator functions run by the model executor')
}

/** Calls a user callback of a model: it must be a generator function (its result an op). */
export const invoke = <R>(what: string, fn: (...args: never[]) => unknown, ...args: readonly unknown[]): Op<R> => {
  const gen = (fn as (...a: readonly unknown[]) => unknown)(...args)
  if (!isOp(gen)) throw new InvalidArgumentError(`${what}: in a model, a callback is a generator function (function*)`)
  return gen as Op<R>
}
