/**
 * RCU in a model (kernel/rcu/tree.c), as simple as the explorer needs: a grace period that begins
 * at `call_rcu()` / `synchronize_rcu()` ends when every task that was inside a model read-side
 * section then (`k.rcuReadLock()`) has left it. A callback whose grace period ended is invoked
 * from RCU core processing, which the local timer interrupt starts on the callback's CPU
 * (`rcu_sched_clock_irq()`: `if (rcu_pending(user)) invoke_rcu_core();` — an arrival the
 * explorer chooses): `raise_softirq(RCU_SOFTIRQ)` on a normal kernel, the `rcuc/N` kernel thread
 * (`local_bh_disable(); rcu_core(); local_bh_enable();`) on PREEMPT_RT, where `use_softirq` is
 * off. `synchronize_rcu()` sleeps until its grace period ends; `rcu_barrier()` until every
 * callback queued before it has run. Only `k.rcuReadLock()` sections are readers here: the
 * preempt-, BH- and irq-disabled regions that consolidated RCU also waits for, and a step's
 * synchronous `ctx.rcuReadLock()`, which no other step can observe, are not.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Task } from '../../machine/machine.js'
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { CanSleep } from '../../rules/sleep.js'
import type { RcuReadLockedIn } from '../../rules/transitions.js'
import { CLAIM_BH } from '../../exec/claims.js'
import { InvalidArgumentError } from '../../errors.js'
import { localBhEnable, raiseSoftirq } from '../../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../../exec/irq-registry.js'
import { ScopeContext } from '../../exec/scope.js'
import type { Op, PointYield } from '../../exec/wait.js'
import { isOp } from '../../locks/lock.js'
import { SCOPES } from '../../kinds/scopes.js'
import { proofBits, STEPS } from '../../kinds/steps.js'
import type { ClockEvent, DeferredChannel } from '../runtime.js'
import type { RcuCallbackState } from '../states.js'
import { invoke, ModelDeferred, type ModelKthread, runByTheModel } from './core.js'
import { softirqWork } from './softirq-work.js'

/**
 * A model RCU callback: a generator function in softirq context (RCU_SOFTIRQ; `rcuc/N` with BH off on RT).
 *
 * @example
 * ```ts
 * import { defineModel, type ModelRcuCallback } from 'lockproof'
 *
 * defineModel((k) => {
 *   const stats = k.spinLock('stats', { freed: 0 })
 *   const free: ModelRcuCallback = function* (ctx) { yield* stats.withLocked(ctx, function* (_ctx, s) { s.freed++ }) }
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* k.callRcu(ctx, free) })
 * })
 * ```
 */
export type ModelRcuCallback = (ctx: Context<RcuCallbackState>) => Op<unknown>

/**
 * The RCU members of the model kernel.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const gp = { old: { freed: false } }
 *   k.task('reader', { cpu: 0 }, function* (ctx) {
 *     yield* k.rcuReadLock(ctx, function* (ctx) {
 *       const p = gp.old
 *       yield* k.cpuRelax(ctx)
 *       if (p.freed) throw new Error('use after free')
 *     })
 *   })
 *   k.task('updater', { cpu: 1 }, function* (ctx) {
 *     const old = gp.old
 *     gp.old = { freed: false }
 *     yield* k.synchronizeRcu(ctx)
 *     old.freed = true
 *   })
 * })
 * ```
 */
export interface ModelRcu {
  /** `rcu_read_lock()` … `rcu_read_unlock()` around `body`, which may reach scheduling points (preemptible RCU); an op. */
  rcuReadLock<T extends CtxState, R>(ctx: Context<T>, body: (ctx: Context<RcuReadLockedIn<T>>) => Op<R>): Op<R>
  /** `call_rcu()`: `fn` runs after a grace period, on this CPU. Any context; an op (a point naming RCU's state, so that the explorer orders it against the readers). */
  callRcu(ctx: AnyContext, fn: ModelRcuCallback): Op<void>
  /** `synchronize_rcu()`: sleeps until the read-side sections begun before it have ended; an op. */
  synchronizeRcu<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'synchronize_rcu()'>): Op<void>
  /** `rcu_barrier()`: sleeps until every callback queued before it has run; an op. */
  rcuBarrier<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'rcu_barrier()'>): Op<void>
}

const RCU = SOFTIRQ_NAMES.indexOf('RCU')
const READ_LOCK = SCOPES.rcu_read_lock
const ENTER = STEPS[READ_LOCK.enter].onCpu
const EXIT = STEPS[READ_LOCK.exit].onCpu
const GIVES = proofBits(READ_LOCK.enter)

/** A grace period someone waits for: the readers it waits for that have not left yet. */
interface GracePeriod {
  readonly readers: Set<Task>
}

interface Callback extends GracePeriod {
  readonly cpu: Cpu
  readonly fn: ModelRcuCallback
  invoked: boolean
}

/** `rcu_sched_clock_irq()` on one CPU, armed while callbacks there are ready (a hard clock event: it runs in the tick's hardirq). */
interface CpuRcu extends ClockEvent {
  readonly ready: Callback[]
  rcuc: ModelKthread | null
}

class ModelRcuState {
  readonly #d: ModelDeferred
  /** Tasks inside k.rcuReadLock(), by nesting depth. */
  readonly #readers = new Map<Task, number>()
  readonly #waiting = new Set<GracePeriod>()
  readonly #queued = new Set<Callback>()
  readonly #cpus: CpuRcu[]
  readonly channel: DeferredChannel
  /** A point naming RCU's state (grace periods, readers, callbacks), written by every RCU operation. */
  readonly point: PointYield
  #softirqOpen = false

  private constructor(d: ModelDeferred) {
    this.#d = d
    this.channel = d.channel('rcu_state', 'grace period', () => null)
    this.point = Object.freeze({ tag: 'point', access: Object.freeze({ channel: this.channel, write: true }) })
    this.#cpus = d.parts.cpus.map((cpu) => {
      const e: CpuRcu = { expires: 0, cpu: cpu.id, base: 'hard', fire: runByTheModel, ready: [], rcuc: null }
      d.onFire(e, (c) => this.#invokeRcuCore(c))
      return e
    })
  }

  static readonly #of = new WeakMap<ModelDeferred, ModelRcuState>()
  static of(d: ModelDeferred): ModelRcuState {
    let r = ModelRcuState.#of.get(d)
    if (r === undefined) {
      r = new ModelRcuState(d)
      ModelRcuState.#of.set(d, r)
    }
    return r
  }

  inReader(task: Task): boolean {
    return task.rcuReadLockNesting > 0
  }

  /** A new grace period: the tasks inside a read-side section now. */
  gracePeriod(): Set<Task> {
    return new Set(this.#readers.keys())
  }

  enter(task: Task): void {
    this.#readers.set(task, (this.#readers.get(task) ?? 0) + 1)
  }

  /** The outermost rcu_read_unlock() of `task`: the grace periods waiting for it move on. */
  exit(task: Task): void {
    const n = (this.#readers.get(task) ?? 1) - 1
    if (n > 0) {
      this.#readers.set(task, n)
      return
    }
    this.#readers.delete(task)
    let ended = false
    for (const gp of this.#waiting) {
      if (!gp.readers.delete(task) || gp.readers.size > 0) continue
      this.#waiting.delete(gp)
      ended = true
      if ('fn' in gp) this.#ready(gp as Callback)
    }
    if (ended) this.#d.wake(this.channel)
  }

  wait(gp: GracePeriod): void {
    if (gp.readers.size > 0) this.#waiting.add(gp)
  }

  callRcu(cpu: Cpu, fn: ModelRcuCallback): void {
    const cb: Callback = { readers: this.gracePeriod(), cpu, fn, invoked: false }
    this.#queued.add(cb)
    if (cb.readers.size > 0) this.#waiting.add(cb)
    else this.#ready(cb)
  }

  /** The callbacks queued (not yet invoked) now, for rcu_barrier(). */
  queued(): readonly Callback[] {
    return [...this.#queued]
  }

  #ready(cb: Callback): void {
    const c = this.#cpus[cb.cpu.id] as CpuRcu
    c.ready.push(cb)
    // The tick on that CPU notices (rcu_pending()): the arrival is the explorer's to place.
    if (!this.#d.armed(c)) {
      c.expires = this.#d.jiffies
      this.#d.arm(c)
    }
  }

  /** `invoke_rcu_core()` in the tick: `raise_softirq(RCU_SOFTIRQ)`, or on RT (!use_softirq) `invoke_rcu_core_kthread()`. */
  *#invokeRcuCore(cpu: Cpu): Op<void> {
    const c = this.#cpus[cpu.id] as CpuRcu
    if (c.ready.length === 0) return
    if (this.#d.preemptRt) {
      c.rcuc ??= this.#d.kthread(cpu.id, `rcuc/${cpu.id}`, (k) => this.#rcuc(cpu, c, k))
      this.#d.kick(c.rcuc)
      return
    }
    if (!this.#softirqOpen) {
      this.#softirqOpen = true
      // rcu_init(): if (use_softirq) open_softirq(RCU_SOFTIRQ, rcu_core_si).
      this.#d.openSoftirq(RCU, 'RCU', (x) => softirqWork(this.#d, x, RCU, 'RCU softirq', () => this.#doBatch(x)))
    }
    raiseSoftirq(cpu, RCU)
  }

  /** `rcu_cpu_kthread()`: `local_bh_disable(); … rcu_core(); local_bh_enable();`, idle while nothing is ready. */
  *#rcuc(cpu: Cpu, c: CpuRcu, k: ModelKthread): Op<void> {
    for (;;) {
      if (c.ready.length === 0) {
        yield* this.#d.idle(k)
        continue
      }
      cpu.localBhDisable()
      try {
        yield* this.#doBatch(cpu)
      } finally {
        localBhEnable(cpu)
      }
    }
  }

  /** `rcu_do_batch()`: each ready callback of this CPU, in a context of its own. */
  *#doBatch(cpu: Cpu): Op<void> {
    const ready = (this.#cpus[cpu.id] as CpuRcu).ready
    for (let cb = ready.shift(); cb !== undefined; cb = ready.shift()) {
      try {
        yield* this.#d.callbackOp(cpu, CLAIM_BH, 'an RCU callback', (ctx) => invoke('an RCU callback', cb.fn, ctx))
      } finally {
        cb.invoked = true
        this.#queued.delete(cb)
        this.#d.wake(this.channel)
      }
    }
  }
}

/**
 * The point before each operation on RCU's state (entering or leaving a reader, call_rcu(), a
 * grace period's start), naming that state: the explorer orders these against each other.
 */
const rcuPoint = (rcu: ModelRcuState): PointYield => rcu.point

/** `rcu_read_lock()` … `rcu_read_unlock()` around a body that may reach scheduling points. */
function* readSection<R>(d: ModelDeferred, rcu: ModelRcuState, ctx: unknown, body: (ctx: Context<never>) => Op<R>): Op<R> {
  const op = READ_LOCK.op
  if (typeof body !== 'function') throw new InvalidArgumentError(`${op}: the section must be a generator function (function*)`)
  yield rcuPoint(rcu)
  const parent = ScopeContext.from(ctx, op)
  const cpu = d.cpuOf(ctx, op)
  ENTER(cpu)
  let child: ScopeContext
  try {
    child = ScopeContext.push(parent, cpu, GIVES)
  } catch (error) {
    EXIT(cpu)
    throw error
  }
  const task = cpu.current
  rcu.enter(task)
  try {
    const section = body(ScopeContext.public(child))
    if (!isOp(section)) throw new InvalidArgumentError(`${op}: in a model the section must be a generator function (function*), run with yield*`)
    const r = yield* section
    yield rcuPoint(rcu)
    return r
  } finally {
    try {
      ScopeContext.close(child, EXIT, 'scope')
    } finally {
      rcu.exit(task)
    }
  }
}

/** `synchronize_rcu()`: RCU_LOCKDEP_WARN(… "Illegal synchronize_rcu() in RCU read-side critical section"), might_sleep(), then the wait (wait_rcu_gp(): a completion). */
function* synchronizeOp(d: ModelDeferred, rcu: ModelRcuState, ctx: AnyContext): Op<void> {
  const op = 'synchronize_rcu()'
  yield rcuPoint(rcu)
  const cpu = d.cpuOf(ctx, op)
  if (rcu.inReader(cpu.current))
    d.parts.reporter.rcuLockdepWarn(cpu, 'kernel/rcu/tree.c', 'synchronize_rcu', 'Illegal synchronize_rcu() in RCU read-side critical section')
  d.parts.reporter.mightSleep(cpu, op)
  const gp: GracePeriod = { readers: rcu.gracePeriod() }
  rcu.wait(gp)
  while (gp.readers.size > 0) yield { tag: 'wait', channel: rcu.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
}

/** `rcu_barrier()`: might_sleep(); waits until every callback queued before it has been invoked. */
function* barrierOp(d: ModelDeferred, rcu: ModelRcuState, ctx: AnyContext): Op<void> {
  yield rcuPoint(rcu)
  const cpu = d.cpuOf(ctx, 'rcu_barrier()')
  d.parts.reporter.mightSleep(cpu, 'rcu_barrier()')
  const before = rcu.queued()
  while (before.some((cb) => !cb.invoked)) yield { tag: 'wait', channel: rcu.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
}

const stateOf = (host: object): { readonly d: ModelDeferred; readonly rcu: ModelRcuState } => {
  const d = ModelDeferred.of(host)
  return { d, rcu: ModelRcuState.of(d) }
}

export const rcuReadLockFactory = (host: object): ModelRcu['rcuReadLock'] => {
  const lock = (ctx: unknown, body: (ctx: Context<never>) => Op<unknown>): Op<unknown> => {
    const { d, rcu } = stateOf(host)
    return d.host.track(readSection(d, rcu, ctx, body), 'k.rcuReadLock(ctx, …)')
  }
  return lock as ModelRcu['rcuReadLock']
}

function* callOp(d: ModelDeferred, rcu: ModelRcuState, ctx: AnyContext, fn: ModelRcuCallback): Op<void> {
  yield rcuPoint(rcu)
  const cpu = d.cpuOf(ctx, 'call_rcu()')
  if (typeof fn !== 'function') throw new InvalidArgumentError('call_rcu(): the callback must be a generator function (function*)')
  rcu.callRcu(cpu, fn)
}

export const callRcuFactory =
  (host: object): ModelRcu['callRcu'] =>
  (ctx, fn) => {
    const { d, rcu } = stateOf(host)
    return d.host.track(callOp(d, rcu, ctx, fn), 'call_rcu()')
  }

export const synchronizeRcuFactory = (host: object): ModelRcu['synchronizeRcu'] => {
  const sync = (ctx: AnyContext): Op<void> => {
    const { d, rcu } = stateOf(host)
    return d.host.track(synchronizeOp(d, rcu, ctx), 'synchronize_rcu()')
  }
  return sync as ModelRcu['synchronizeRcu']
}

export const rcuBarrierFactory = (host: object): ModelRcu['rcuBarrier'] => {
  const barrier = (ctx: AnyContext): Op<void> => {
    const { d, rcu } = stateOf(host)
    return d.host.track(barrierOp(d, rcu, ctx), 'rcu_barrier()')
  }
  return barrier as ModelRcu['rcuBarrier']
}
