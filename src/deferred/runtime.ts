/**
 * The deferred-work core of one kernel: the simulated clock's expiry (the local timer interrupt),
 * the `ktimers/N` threads, the kernel's own softirq actions, and the synchronous driver of the
 * waits (flush_work(), timer_delete_sync(), synchronize_irq(), synchronize_rcu(), …) written once
 * as ops (src/exec/wait.ts). Each mechanism is a file of its own beside this one.
 */
import type { Cpu } from '../machine/cpu.js'
import type { KernelParts } from '../exec/executor.js'
import type { SyncExecutor } from '../exec/sync.js'
import type { LockHost } from '../locks/lock.js'
import { ScopeContext } from '../exec/scope.js'
import { ForeignContextError, InvalidArgumentError } from '../errors.js'
import { handleSoftirqs, localIrqEnable, raiseIrq, raiseSoftirq } from '../exec/delivery.js'
import { SOFTIRQ_NAMES, type SoftirqName } from '../exec/irq-registry.js'
import type { Op } from '../exec/wait.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { type Runner, type RunnerChannel, runSyncOp, type SyncClock } from '../exec/sync-wait.js'
import { LockMapRuntime } from '../lockdep/lock-map.js'
import type { Kthread } from './kthreads.js'
import { assertSite, lockdepWarn } from '../helpers/warn.js'

import { IRQ_WORK_LINE, LOCAL_TIMER_LINE } from './lines.js'

import { type ClockEvent, type ExpiredLists, isExpired, takeExpired } from './clock-event.js'
export type { ClockEvent } from './clock-event.js'
export type { Runner } from '../exec/sync-wait.js'

/** A wait channel of deferred work (a timer, a work item, an irq line, RCU's grace period): `runner()` names who runs the callback waited for. */
export type DeferredChannel = RunnerChannel

const bit = (name: SoftirqName): number => 1 << SOFTIRQ_NAMES.indexOf(name)

/**
 * What a mechanism's runtime (timer_list, hrtimer, work items, workqueues) uses of its kernel's
 * deferred-work core: the synchronous one ({@link Deferred}) or a model's
 * (src/deferred/model/core.ts), so that each mechanism's state and waits are written once.
 */
export interface DeferredCore {
  readonly parts: KernelParts
  readonly preemptRt: boolean
  readonly forceThreaded: boolean
  readonly jiffies: number
  cpuOf(ctx: unknown, op: string): Cpu
  warn(ctx: unknown, op: string, failed: boolean, assertion: string, where: string): void
  lockMap(name: string): LockMapRuntime<string>
  channel(kind: string, name: string, runner: () => Runner | null): DeferredChannel
  runnerOn(cpu: Cpu): Runner
  arm(e: ClockEvent): void
  disarm(e: ClockEvent): boolean
  armed(e: ClockEvent): boolean
  /** Drives a waiting op to its end (kernel.run); a model's core refuses: its ops are `yield*`-ed by the model. */
  wait<R>(cpu: Cpu, op: Op<R>): R
  /** Runs a plain callback in a root context of its own on `cpu` (kernel.run); a model's core refuses: its callbacks are generators. */
  callback<S extends CtxState, R>(cpu: Cpu, cb: (ctx: Context<S>) => R, claims: number, what: string): R
}

export class Deferred implements SyncClock, DeferredCore {
  readonly parts: KernelParts
  readonly exec: SyncExecutor
  readonly lockHost: LockHost
  /** Armed clock events, in arming order (expiry order is computed when they fire). */
  readonly #armed = new Set<ClockEvent>()
  /** Expired events waiting for their softirq, per CPU and base. */
  readonly #expired: ExpiredLists[]
  /** Per CPU: the softirqs the ktimers thread runs (`pending_timer_softirq`). */
  readonly #ktimersPending: number[]
  readonly #ktimers: Kthread[]
  /** Per vector: actions of the mechanisms (a tasklet list, NAPI, RCU) run by the kernel's softirq action. */
  readonly #softirqActions = new Map<number, ((cpu: Cpu) => void)[]>()
  /** Hooks the local timer interrupt runs on each CPU (RCU's rcu_sched_clock_irq()). */
  readonly tickHooks: ((cpu: Cpu) => void)[] = []
  /** Runs in the irq_work IPI (irq_work.ts). */
  irqWorkIpi: ((cpu: Cpu) => void) | null = null
  #nextChannel = 1

  constructor(parts: KernelParts, exec: SyncExecutor, lockHost: LockHost) {
    this.parts = parts
    this.exec = exec
    this.lockHost = lockHost
    const n = parts.cpus.length
    this.#expired = Array.from({ length: n }, () => ({ timer: [], soft: [] }))
    this.#ktimersPending = new Array<number>(n).fill(0)
    this.#ktimers = parts.cpus.map((cpu) => ({ comm: `ktimers/${cpu.id}`, policy: 'fifo' as const, run: () => this.#runKtimerd(cpu) }))
    // The tick: tick_sched_timer() is a HARD hrtimer (hardirq on both kernels): hrtimer_interrupt() runs the hard queue,
    // update_process_times() → run_local_timers() raises TIMER, rcu_sched_clock_irq() RCU.
    parts.irq.setKernelIrq(LOCAL_TIMER_LINE, 'local_timer', () => this.#tick(this.#executingCpu()))
    parts.irq.setKernelIrq(IRQ_WORK_LINE, 'irq_work', () => this.irqWorkIpi?.(this.#executingCpu()))
    // timers_init(): open_softirq(TIMER_SOFTIRQ, run_timer_softirq); hrtimers_init(): open_softirq(HRTIMER_SOFTIRQ, hrtimer_run_softirq).
    parts.irq.kernelSoftirqs[SOFTIRQ_NAMES.indexOf('TIMER')] = (cpu) => this.#runExpired(cpu, 'timer')
    parts.irq.kernelSoftirqs[SOFTIRQ_NAMES.indexOf('HRTIMER')] = (cpu) => this.#runExpired(cpu, 'soft')
    // A timed wait under kernel.run (msleep(), a wait with a timeout) lets time pass on this clock.
    exec.clock = this
  }

  #executingCpu(): Cpu {
    const cpu = this.exec.executingCpu()
    if (cpu === null) throw new Error('deferred: no CPU is executing')
    return cpu
  }

  // ── contexts and arguments ─────────────────────────────────────────────────────────────
  /** The CPU of a live context of this kernel (untyped callers: named errors, nothing changed). */
  cpuOf(ctx: unknown, op: string): Cpu {
    const cpu = ScopeContext.from(ctx, op).assertUsable(op)
    if (this.parts.cpus[cpu.id] !== cpu) {
      throw new ForeignContextError(`${op}: the context belongs to another kernel; use a context of the kernel that made it`)
    }
    return cpu
  }

  /** A kernel WARN_ON() / lockdep_assert at `where` (reported while lockdep runs, as lockdep_assert() is). */
  warn(ctx: unknown, op: string, failed: boolean, assertion: string, where: string): void {
    if (!failed) return
    lockdepWarn(assertSite(ScopeContext.from(ctx, op), op), true, assertion, where, false)
  }

  /** A lockdep map of the kernel's (a timer's, a work's, a workqueue's). */
  lockMap(name: string): LockMapRuntime<string> {
    return new LockMapRuntime(this.lockHost, name)
  }

  channel(kind: string, name: string, runner: () => Runner | null): DeferredChannel {
    return { id: this.#nextChannel++, kind, name, runner }
  }

  /** The running task as a runner, for `runner()` of what runs now. */
  runnerOn(cpu: Cpu): Runner {
    return { comm: cpu.current.comm, pid: cpu.current.pid, cpu: cpu.id }
  }

  get preemptRt(): boolean {
    return this.parts.options.preemptRt
  }

  /** `force_irqthreads()`: always on RT, with `threadirqs` on a normal kernel. */
  get forceThreaded(): boolean {
    return this.parts.options.preemptRt || this.parts.options.threadIrqs
  }

  // ── the clock ──────────────────────────────────────────────────────────────────────────
  get jiffies(): number {
    return this.parts.machine.clockMs
  }

  arm(e: ClockEvent): void {
    this.#armed.add(e)
  }

  /** Takes `e` off the clock (and off its softirq's expired list); true if it was armed or expired. */
  disarm(e: ClockEvent): boolean {
    return this.#armed.delete(e) || takeExpired(this.#expired[e.cpu], e)
  }

  armed(e: ClockEvent): boolean {
    return this.#armed.has(e) || isExpired(this.#expired[e.cpu], e)
  }

  /**
   * Time passes by `ms`: at each expiry on the way the clock stops there and the local timer
   * interrupt is raised on each CPU with something expired (or with RCU work), lowest CPU first.
   */
  nextExpiryAfter(now: number): number {
    let next = Number.POSITIVE_INFINITY
    for (const e of this.#armed) if (e.expires > now && e.expires < next) next = e.expires
    return next
  }

  advance(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('advance(): ms must be a finite number ≥ 0')
    const machine = this.parts.machine
    const end = machine.clockMs + ms
    // A CPU with interrupts off takes its tick later (it stays pending): its events wait with it.
    const waiting = new Set<number>()
    for (;;) {
      let next = Number.POSITIVE_INFINITY
      for (const e of this.#armed) if (e.expires < next && !waiting.has(e.cpu)) next = e.expires
      if (next > end) break
      if (next > machine.clockMs) machine.clockMs = next
      const now = machine.clockMs
      this.#tickAll((cpu) => !waiting.has(cpu.id) && [...this.#armed].some((e) => e.cpu === cpu.id && e.expires <= now))
      for (const e of this.#armed) if (e.expires <= now) waiting.add(e.cpu)
    }
    machine.clockMs = end
    // The tick at the end: RCU's grace periods and callbacks move on even with no timer armed.
    this.#tickAll((cpu) => !waiting.has(cpu.id) && this.#tickWanted(cpu))
  }

  #tickWanted(cpu: Cpu): boolean {
    return this.tickWants.some((w) => w(cpu))
  }
  /** Whether a CPU has tick work without timers (RCU callbacks waiting). */
  readonly tickWants: ((cpu: Cpu) => boolean)[] = []

  #tickAll(want: (cpu: Cpu) => boolean): void {
    for (const cpu of this.parts.cpus) {
      if (!want(cpu) || cpu.state.pendingIrqs.includes(LOCAL_TIMER_LINE)) continue
      // From outside or from the running code: the interrupt is taken when that CPU has interrupts on.
      this.exec.fromOutside(cpu, (c) => {
        raiseIrq(c, LOCAL_TIMER_LINE)
        this.exec.schedulingPoint(c)
      })
    }
  }

  /** The local timer interrupt, in hardirq on `cpu`. */
  #tick(cpu: Cpu): void {
    const now = this.jiffies
    const due = [...this.#armed].filter((e) => e.cpu === cpu.id && e.expires <= now).sort((a, b) => a.expires - b.expires)
    let raise = 0
    for (const e of due) {
      this.#armed.delete(e)
      if (e.base === 'hard') {
        e.fire(cpu)
      } else {
        ;(this.#expired[cpu.id] as ExpiredLists)[e.base].push(e)
        raise |= bit(e.base === 'timer' ? 'TIMER' : 'HRTIMER')
      }
    }
    if (raise & bit('HRTIMER')) this.raiseTimerSoftirq(cpu, 'HRTIMER')
    if (raise & bit('TIMER')) this.raiseTimerSoftirq(cpu, 'TIMER')
    for (const hook of this.tickHooks) hook(cpu)
  }

  /**
   * `raise_timer_softirq()`: with force_irqthreads() (RT, or `threadirqs`) the ktimers thread runs it
   * (`raise_ktimers_thread()`, woken at irq exit), else a softirq raised in the interrupt.
   */
  raiseTimerSoftirq(cpu: Cpu, name: 'TIMER' | 'HRTIMER'): void {
    if (this.forceThreaded) {
      ;(this.#ktimersPending as number[])[cpu.id] = (this.#ktimersPending[cpu.id] ?? 0) | bit(name)
      this.exec.kthreads.wake(cpu.id, this.#ktimers[cpu.id] as Kthread)
    } else {
      raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf(name))
    }
  }

  /** `run_ktimerd()`: ksoftirqd_run_begin(), the timer softirqs (and what else is pending), ksoftirqd_run_end(). */
  #runKtimerd(cpu: Cpu): void {
    const s = cpu.state
    // ksoftirqd_run_begin() is shared with ksoftirqd; a wake-up of ksoftirqd stays pending.
    const ksoftirqdWoken = s.ksoftirqdWoken
    cpu.ksoftirqdRunBegin()
    s.ksoftirqdWoken = ksoftirqdWoken
    try {
      s.softirqPending |= this.#ktimersPending[cpu.id] ?? 0
      this.#ktimersPending[cpu.id] = 0
      if (s.softirqPending !== 0) handleSoftirqs(cpu, false)
    } finally {
      cpu.ksoftirqdRunEnd()
      localIrqEnable(cpu)
    }
  }

  #runExpired(cpu: Cpu, base: 'timer' | 'soft'): void {
    const list = (this.#expired[cpu.id] as ExpiredLists)[base]
    while (list.length > 0) (list.shift() as ClockEvent).fire(cpu)
  }

  // ── softirq actions of the mechanisms ──────────────────────────────────────────────────
  /**
   * Adds `action` to the kernel's softirq action of `name` (tasklets, BH work, NET_RX, RCU), in
   * order; `first`: before the others, whichever subsystem was made first (tasklet_action() runs
   * `workqueue_softirq_action(false)` before `tasklet_action_common()`).
   */
  onSoftirq(name: SoftirqName, action: (cpu: Cpu) => void, first = false): void {
    const nr = SOFTIRQ_NAMES.indexOf(name)
    let actions = this.#softirqActions.get(nr)
    if (actions === undefined) {
      const list: ((cpu: Cpu) => void)[] = []
      actions = list
      this.#softirqActions.set(nr, list)
      this.parts.irq.kernelSoftirqs[nr] = (cpu) => {
        for (const a of list) a(cpu)
      }
    }
    if (first) actions.unshift(action)
    else actions.push(action)
  }

  // ── waits ──────────────────────────────────────────────────────────────────────────────
  callback<S extends CtxState, R>(cpu: Cpu, cb: (ctx: Context<S>) => R, claims: number, what: string): R {
    return this.exec.callback(cpu, cb, claims, what)
  }

  /** Drives a waiting op on one call stack, with the synchronous executor's one driver (src/exec/sync-wait.ts). */
  wait<R>(cpu: Cpu, op: Op<R>): R {
    return runSyncOp(this.parts, cpu, op, this.exec)
  }
}
