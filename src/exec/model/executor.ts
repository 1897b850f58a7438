/**
 * The model executor: tasks and interrupt handlers are generators (src/exec/wait.ts), stepped one
 * yield at a time; at every point a {@link Scheduler} picks what runs next among the choices
 * (a task's next step, an interrupt's arrival, a softirq raised). A contended lock or another
 * wait parks the frame: a spinning one keeps its CPU busy with its interrupt state as the lock
 * left it; a sleeping one gives the CPU to the other tasks bound there (a context switch that
 * saves and restores the per-task part of the CPU: its scopes, proofs and counts). An unlock or a
 * `wake()` makes the waiters runnable; a signal resumes a wait whose state lets it in. When no
 * choice is left and something still waits, that is a deadlock, reported in the kernel's words
 * (./watchdog-reports.ts). docs/executors.md and docs/waiting.md describe it.
 */
import { ScopeContext, type ContextHost, type SwitchedScopes } from '../scope.js'
import { CLAIM_BH, CLAIM_IRQS_OFF } from '../claims.js'
import type { Gfp } from '../../rules/gfp.js'
import type { Cpu } from '../../machine/cpu.js'
import type { IrqFlags } from '../../machine/cpu-state.js'
import { exitTask, spawnTask, type Task } from '../../machine/machine.js'
import { ForgottenYieldError, InvalidArgumentError, PromiseInScopeError, SchedulingError } from '../../errors.js'
import { SOFTIRQ_NAMES, softirqNr, type SoftirqName } from '../irq-registry.js'
import { blockedDeadlock } from '../blocked.js'
import { irqsBackOn } from '../irqs-back-on.js'
import type { BlockedOutcome } from '../../machine/outcome.js'
import { bindHandlers, localBhEnable, localIrqEnable, raiseSoftirq } from '../delivery.js'
import { OK } from '../../machine/outcome.js'
import { handleSoftirqsOp, runKsoftirqdOp } from './softirq-op.js'
import type { Executor, KernelParts } from '../executor.js'
import { contextHostFor, lockHostFor } from '../hosts.js'
import { kmalloc } from '../kmalloc.js'
import type { LockHost } from '../../locks/lock.js'
import { isGeneratorObject, isLockWait, isOp } from '../../locks/lock.js'
import { POINT, type Access, type Op, type Yielded, type WaitChannel, type WaitState, type WaitYield, type WakeReason } from '../wait.js'
import type { Choice, Scheduler } from './scheduler.js'
import { type OpTracker, UnstartedOps } from './op.js'
import { lockWaitReport, waitForeverReport, type WaitSite } from './watchdog-reports.js'
import type { Context } from '../context.js'
import type { CtxState } from '../../rules/state.js'

/**
 * A signal a model can send (include/uapi/asm-generic/signal.h names); SIGKILL is the fatal one.
 *
 * @example
 * ```ts
 * import { defineModel, type Signal } from 'lockproof'
 *
 * const kill: Signal = 'SIGKILL'
 * defineModel((k) => { k.signal(k.task('victim', { cpu: 0 }, function* () {}), kill) })
 * ```
 */
export type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2'

/** A body as the executor runs it: a generator over the seam's yields. */
export type Body = Op<void>

/** One generator running on a CPU: a task's, or a hardirq handler's over the task it interrupted. */
class Frame {
  /** Its generator (a user task's: the body's own, which returns whatever the body returns). */
  gen: Op<unknown> | null = null
  resume: WakeReason | undefined = undefined
  wait: WaitYield | null = null
  /** The wait's end by timeout (simulated ms); Infinity without one. */
  deadline = Number.POSITIVE_INFINITY
  /** What its next step touches (the last point's `access`). */
  access: Access | undefined = undefined
  /** Operations it made and has not started (a forgotten `yield*`). */
  readonly unstarted = new UnstartedOps()
  /** A hardirq handler's: its interrupt, and lockdep's `hardirq_threaded` of the context it interrupted. */
  decl: IrqDecl | null = null
  threadedBefore = false
  /** A frame pushed by deferred work (pushFrame()), or the softirqs of an irq_exit(); false for a task's or a handler's. */
  pushed = false
  softirqs = false
  /** The choice offered for its next step last time (offered again while its pid and access are the same). */
  choice: (Choice & { readonly kind: 'task' }) | null = null
  /** The choices made for it so far (a few), by pid and access. */
  readonly choices: (Choice & { readonly kind: 'task' })[] = []
  /** Taking that choice: made once per frame, not per point. */
  act: Act | null = null
  constructor(
    /** The task it is, or null for a hardirq handler. */
    readonly owner: ModelTask | null,
    /** How choices and errors name it. */
    readonly label: string,
    readonly start: () => Op<unknown>,
  ) {}
}

/** A task of the model: its machine record, its frame, and what a context switch saved of its CPU. */
export class ModelTask {
  readonly frame: Frame
  done = false
  /** The per-task part of the CPU while it is switched out (null while it runs or never ran). */
  saved: SavedCpu | null = null
  /** Its pending signals (made at the first one). */
  signals: Set<Signal> | null = null
  /** A kernel thread of deferred work (src/deferred/model/): true while it idles (not stuck, nothing left to run). */
  idle: (() => boolean) | null = null
  /** Called when it goes to sleep in a wait (a kworker's wq_worker_sleeping()). */
  onSleep: (() => void) | null = null
  /** A user task's root context, and whether its frame steps the body's generator itself (#taskStart). */
  root: ScopeContext | null = null
  direct = false
  /** Switching it in for a step, and its timer firing: made once per task, not per point. */
  runAct: Act | null = null
  timeoutAct: Act | null = null
  constructor(
    readonly task: Task,
    readonly rt: CpuRun,
    start: (t: ModelTask) => Op<unknown>,
  ) {
    this.frame = new Frame(this, task.comm, () => start(this))
  }
}

/** What a switched-out task takes with it: its live scopes and the CPU counts that are its own while it runs. */
interface SavedCpu {
  readonly scopes: SwitchedScopes
  readonly claimIrq: number
  readonly claimPreempt: number
  readonly claimBh: number
  readonly preemptCount: number
  readonly irqsDisabled: boolean
  readonly interruptDisableCount: number
  readonly interruptDisableSaved: IrqFlags | null
}

/** A declared interrupt: its handler, and how many arrivals are left in this execution. */
export interface IrqDecl {
  readonly line: number
  readonly name: string
  readonly noThread: boolean
  readonly handler: (ctx: Context<CtxState>) => Op<unknown>
  arrivals: number
  /** Its irq thread (force-threaded), while alive; `again`: woken while it ran. */
  thread: ModelTask | null
  again: boolean
  /** Its arrival as the executor takes it, and as the scheduler is offered it (made at the first point that offers it). */
  act?: Act | undefined
  choice?: Choice | undefined
}

/** A declared softirq raise source on a CPU: how many raises are left. */
export interface SoftirqDecl {
  readonly nr: number
  raises: number
  /** Its raise as the executor takes it, and as the scheduler is offered it (made at the first point that offers it). */
  act?: Act | undefined
  choice?: Choice | undefined
}

/** What taking a choice does (see {@link Act}). */
const STEP = 0
const RUN_TASK = 1
const TIMEOUT = 2
const ARRIVE = 3
const ARRIVE_RAISED = 4
const SOFTIRQ_RAISE = 5

/**
 * What taking one choice does, as data: a closure per frame or task (capturing the executor)
 * kept whole executions alive through young-generation collections, which then promoted them
 * (garbage collection was a third of an execution's time).
 */
class Act {
  constructor(
    readonly kind: number,
    readonly rt: CpuRun,
    readonly frame: Frame | null,
    readonly task: ModelTask | null,
    readonly line: number,
    readonly softirq: SoftirqDecl | null,
  ) {}
}

/** One CPU's run state. */
export class CpuRun {
  running: ModelTask | null = null
  readonly hardirqs: Frame[] = []
  /** Tasks bound here, not yet done, in pid order. */
  readonly tasks: ModelTask[] = []
  readonly irqs: IrqDecl[] = []
  readonly softirqs: SoftirqDecl[] = []
  /** Lines raised by code (`ctx.raiseIrq()`): taken at the next point where interrupts are on. */
  readonly raised: number[] = []
  ksoftirqd: ModelTask | null = null
  constructor(readonly cpu: Cpu) {}
}

/**
 * Who is stuck at the end of a deadlocked execution, and on what.
 *
 * @example
 * ```ts
 * import type { StuckTask } from 'lockproof'
 *
 * const line = (s: StuckTask): string => `${s.comm}:${s.pid} on CPU ${s.cpu} waits on ${s.channel} (${s.state})`
 * console.log(line({ pid: 1, comm: 'one', cpu: 0, state: 'TASK_RUNNING', channel: "spinlock_t 'b'", inHardirq: false }))
 * ```
 */
export interface StuckTask {
  /** The waiting task's pid (for a handler: the task it interrupted). */
  readonly pid: number
  /** Its name. */
  readonly comm: string
  /** Its CPU. */
  readonly cpu: number
  /** The state it waits in (TASK_RUNNING: it spins). */
  readonly state: WaitState
  /** `kind 'name'` of what it waits on. */
  readonly channel: string
  /** A hardirq handler spinning over the task, rather than the task itself. */
  readonly inHardirq: boolean
}

/**
 * How one execution ended: completed; deadlocked (nothing could make progress — the reports are
 * in the diagnostics); a user error (thrown by a task, or a named error such as
 * ForgottenYieldError); or the step limit.
 *
 * @example
 * ```ts
 * import { defineModel, runModel, type ModelOutcome } from 'lockproof'
 *
 * const say = (o: ModelOutcome): string => (o.kind === 'deadlock' ? o.stuck.map((s) => s.comm).join(', ') : o.kind)
 * console.log(say(runModel(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })).outcome)) // 'completed'
 * ```
 */
export type ModelOutcome =
  | {
      /** Every task ended. */
      readonly kind: 'completed'
    }
  | {
      /** Nothing could make progress. */
      readonly kind: 'deadlock'
      /** Who waits forever, and on what. */
      readonly stuck: readonly StuckTask[]
    }
  | {
      /** User code threw (or a named error of the executor, such as ForgottenYieldError). */
      readonly kind: 'error'
      /** What was thrown. */
      readonly error: unknown
    }
  | {
      /** `maxSteps` choices were taken. */
      readonly kind: 'step-limit'
      /** How many. */
      readonly steps: number
    }

const noExit = (): void => undefined

const channelName = (c: WaitChannel): string => `${c.kind} '${c.name}'`

/** A plain `yield` of something no operation yields (`yield promise` written for `await`, `yield op` for `yield*`). */
const foreignYield = (label: string, value: unknown): Error => {
  const thenable = typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  return thenable
    ? new PromiseInScopeError(`${label}: yielded a Promise: a model task runs synchronously (no await); run an operation with \`yield*\``)
    : new InvalidArgumentError(
        `${label}: yielded ${value === undefined ? 'undefined' : typeof value}: only \`yield*\` of an operation (a lock method, k.cpuRelax(), …) is a scheduling point`,
      )
}

const letsIn = (state: WaitState, signals: ReadonlySet<Signal>): boolean =>
  signals.size !== 0 && (state === 'TASK_INTERRUPTIBLE' || (state === 'TASK_KILLABLE' && signals.has('SIGKILL')))

/** Thrown out of a step to end the execution at once as a deadlock (the same-CPU cases, reported when found). */
const DEADLOCK_NOW: unique symbol = Symbol('deadlock found')

export class ModelExecutor implements Executor, OpTracker {
  readonly #m: KernelParts
  readonly contextHost: ContextHost
  readonly lockHost: LockHost
  readonly runs: CpuRun[]
  #executing: Cpu | null = null
  #frame: Frame | null = null
  /** Waiting frames in the order they began to wait (wakes are FIFO). */
  readonly #waiting: Frame[] = []
  readonly #all: ModelTask[] = []
  #stuckNow: StuckTask | null = null
  /** Choices offered and taken, for the result (replay = the indices). */
  readonly schedule: number[] = []
  steps = 0

  constructor(parts: KernelParts) {
    this.#m = parts
    this.contextHost = contextHostFor(this, parts)
    this.lockHost = lockHostFor(this, parts)
    this.runs = parts.cpus.map((cpu) => new CpuRun(cpu))
    for (const cpu of parts.cpus) bindHandlers(cpu, this)
  }

  // ── declarations (the model kernel calls these during setup) ───────────────────────────
  /** A task bound to `cpu`, runnable from the start; its body runs in a fresh root context. */
  addTask(cpu: number, comm: string, body: (ctx: Context<CtxState>) => unknown): ModelTask {
    const rt = this.#run('task()', cpu)
    const task = spawnTask(this.#m.machine, () => comm)
    return this.#enter(new ModelTask(task, rt, (t) => this.#taskStart(t, body)))
  }

  /**
   * A kernel thread of deferred work (a kworker, an irq thread, ktimers): a task whose body loops
   * and idles in a wait; while `idle()` it is neither stuck nor left to run at the end.
   */
  addKthread(cpu: number, comm: string, body: (t: ModelTask) => Body, idle: () => boolean): ModelTask {
    const rt = this.#run('kthread', cpu)
    const t = this.#enter(
      new ModelTask(
        spawnTask(this.#m.machine, () => comm),
        rt,
        body,
      ),
    )
    t.idle = idle
    return t
  }

  /**
   * A frame over `cpu`'s current task that runs before its next step (deferred work's softirq run
   * where handle_softirqs() runs it, on the interrupted task): it cannot sleep, and nothing else
   * runs on that CPU until it returns.
   */
  pushFrame(cpu: Cpu, label: string, body: () => Body): void {
    const frame = new Frame(null, label, body)
    frame.pushed = true
    ;(this.runs[cpu.id] as CpuRun).hardirqs.push(frame)
  }

  addIrq(cpu: number, decl: IrqDecl): void {
    const rt = this.#run('irq()', cpu)
    if (rt.irqs.some((d) => d.line === decl.line)) throw new InvalidArgumentError(`irq(): line ${decl.line} already has a handler on CPU ${cpu} (-EBUSY)`)
    rt.irqs.push(decl)
  }

  addSoftirqRaises(cpu: number, nr: number, raises: number): void {
    this.#run('softirq()', cpu).softirqs.push({ nr, raises })
  }

  #run(what: string, cpu: unknown): CpuRun {
    const rt = typeof cpu === 'number' && Number.isInteger(cpu) ? this.runs[cpu] : undefined
    if (rt === undefined) throw new InvalidArgumentError(`${what}: cpu must be 0 … ${this.runs.length - 1}`)
    return rt
  }

  #enter(t: ModelTask): ModelTask {
    t.rt.tasks.push(t)
    this.#all.push(t)
    return t
  }

  // ── bodies ─────────────────────────────────────────────────────────────────────────────
  /**
   * A user task's start: a root context and its body's generator. The frame steps that generator
   * itself (#step), one level of `yield*` fewer at every step; the context is closed when it ends
   * or throws (#taskEnd). Another iterator (not a generator object) is run by #taskDelegate, as
   * `yield*` would.
   */
  #taskStart(t: ModelTask, body: (ctx: Context<CtxState>) => unknown): Op<unknown> {
    const cpu = t.rt.cpu
    const root = ScopeContext.root(this.contextHost, cpu, t.task)
    let gen: unknown
    try {
      gen = body(ScopeContext.public(root))
      if (!isOp(gen)) throw new InvalidArgumentError(`task ${t.task.comm}: a model task is a generator function (function*)`)
    } catch (error) {
      ScopeContext.close(root, noExit, 'task')
      throw error
    }
    t.root = root
    if (isGeneratorObject(gen)) {
      t.direct = true
      return gen
    }
    return this.#taskDelegate(t, gen)
  }

  *#taskDelegate(t: ModelTask, gen: Op<unknown>): Body {
    let ok = false
    try {
      yield* gen
      ok = true
    } finally {
      this.#taskEnd(t, ok)
    }
  }

  /**
   * A user task's body returned (`ok`) or threw: forgotten operations (a ForgottenYieldError ends
   * the task there, its context left as it is), then its context closed (leaked guards reported)
   * and interrupts left off.
   */
  #taskEnd(t: ModelTask, ok: boolean): void {
    const cpu = t.rt.cpu
    if (ok) this.#checkForgotten(t.frame)
    try {
      ScopeContext.close(t.root as ScopeContext, noExit, 'task')
    } finally {
      if (cpu.state.irqsDisabled) {
        try {
          this.#m.reporter.irqsLeftDisabled(cpu, t.task)
        } finally {
          localIrqEnable(cpu)
        }
      }
    }
  }

  /** A hardirq handler in hardirq context over the interrupted task (NoThread proves interrupts off; threadable only BH off). */
  *#hardirqBody(rt: CpuRun, decl: IrqDecl, frame: Frame): Body {
    const cpu = rt.cpu
    const root = ScopeContext.root(this.contextHost, cpu, cpu.current, decl.noThread ? CLAIM_IRQS_OFF : CLAIM_BH)
    let gen: unknown
    try {
      gen = decl.handler(ScopeContext.public(root))
      if (!isOp(gen)) throw new InvalidArgumentError(`irq ${decl.line} handler '${decl.name}': a model handler is a generator function (function*)`)
    } catch (error) {
      ScopeContext.close(root, noExit, 'scope')
      throw error
    }
    let ok = false
    try {
      yield* gen
      ok = true
    } finally {
      if (ok) this.#checkForgotten(frame)
      ScopeContext.close(root, noExit, 'scope')
    }
  }

  /** `irq_forced_thread_fn()`: BH off around the handler (interrupts off too on a normal kernel), again while re-woken. */
  *#irqThreadBody(t: ModelTask, decl: IrqDecl): Body {
    const cpu = t.rt.cpu
    const rt = this.#m.options.preemptRt
    do {
      decl.again = false
      cpu.localBhDisable()
      if (!rt) cpu.localIrqDisable()
      try {
        const root = ScopeContext.root(this.contextHost, cpu, t.task, CLAIM_BH)
        let ok = false
        try {
          const gen = decl.handler(ScopeContext.public(root))
          if (!isOp(gen)) throw new InvalidArgumentError(`irq ${decl.line} thread handler '${decl.name}': a model handler is a generator function (function*)`)
          yield* gen
          ok = true
        } finally {
          if (ok) this.#checkForgotten(t.frame)
          ScopeContext.close(root, noExit, 'task')
        }
      } finally {
        if (!rt) localIrqEnable(cpu)
        localBhEnable(cpu)
      }
      yield POINT
    } while (decl.again)
    decl.thread = null
  }

  #checkForgotten(frame: Frame): void {
    const first = frame.unstarted.first()
    if (first === undefined) return
    frame.unstarted.clear()
    throw new ForgottenYieldError(`${frame.label}: ${first.what} was never run: an operation of a model does nothing until \`yield*\` runs it`)
  }

  // ── OpTracker ──────────────────────────────────────────────────────────────────────────
  unstartedSet(): UnstartedOps | null {
    return this.#frame?.unstarted ?? null
  }

  // ── the loop ───────────────────────────────────────────────────────────────────────────
  /** Runs the execution to its end; `maxSteps` bounds the choices taken. */
  run(scheduler: Scheduler, maxSteps: number): ModelOutcome {
    let previous: Choice | null = null
    for (;;) {
      const choices = this.#choices()
      if (choices.length === 0) return this.#ended()
      if (this.steps >= maxSteps) return { kind: 'step-limit', steps: this.steps }
      const at = scheduler.choose(choices, { step: this.steps, previous })
      // #acts is longer than the choices (kept from earlier points): only its first choices.length count.
      const act = (at as number) < choices.length ? this.#acts[at] : undefined
      if (act === undefined) throw new SchedulingError(`scheduler: choice ${String(at)} is not one of the ${choices.length} offered`)
      this.schedule.push(at)
      previous = choices[at] as Choice
      this.steps++
      try {
        this.#take(act)
        this.#wakeDeferred()
      } catch (error) {
        if (error === DEADLOCK_NOW) return { kind: 'deadlock', stuck: [this.#stuckNow as StuckTask] }
        return { kind: 'error', error }
      }
    }
  }

  /** Takes the choice `act` stands for. */
  #take(act: Act): void {
    switch (act.kind) {
      case STEP:
        this.#step(act.rt, act.frame as Frame)
        return
      case RUN_TASK:
        this.#runTask(act.rt, act.task as ModelTask)
        return
      case TIMEOUT:
        this.#timeout(act.rt, act.task as ModelTask)
        return
      case ARRIVE:
        this.#arrive(act.rt, act.line, false)
        return
      case ARRIVE_RAISED:
        this.#arrive(act.rt, act.line, true)
        return
      default:
        this.#softirqRaise(act.rt, act.softirq as SoftirqDecl)
    }
  }

  /**
   * Every choice at this point, CPU by CPU (then pid, then line); #acts gets what taking each
   * does. The choices are collected in #offered (reused) and handed out as an array of their
   * own (the scheduler may keep it): the last one again when they are the same, else a copy of
   * exactly their length. The choice objects and the acts are each frame's, task's and
   * interrupt's own, made once.
   */
  #choices(): readonly Choice[] {
    this.#count = 0
    const deadline = this.#nextDeadline()
    for (const rt of this.runs) {
      const cpu = rt.cpu
      const top = rt.hardirqs.at(-1)
      const irqsOn = !cpu.state.irqsDisabled && !cpu.inNmi()
      const raised = rt.raised[0]
      if (top !== undefined) {
        // In hardirq context interrupts are off: only the handler's next step. Softirqs run with
        // them on (handle_softirqs()): an interrupt may arrive over them, also while one spins.
        const soft = irqsOn && top.softirqs
        if (soft && raised !== undefined) {
          this.#offer({ kind: 'irq', cpu: cpu.id, line: raised }, new Act(ARRIVE_RAISED, rt, null, null, raised, null))
          continue
        }
        if (top.wait === null) {
          this.#offer(this.#taskChoice(cpu, cpu.current, top), this.#stepAct(rt, top))
        }
        if (soft) this.#offerArrivals(rt)
        continue
      }
      if (irqsOn && raised !== undefined) {
        // The hardware takes a raised interrupt as soon as interrupts are on.
        this.#offer({ kind: 'irq', cpu: cpu.id, line: raised }, new Act(ARRIVE_RAISED, rt, null, null, raised, null))
        continue
      }
      const cur = rt.running
      const curRuns = cur !== null && cur.frame.wait === null
      if (cur !== null && curRuns) {
        this.#offer(this.#taskChoice(cpu, cur.task, cur.frame), this.#stepAct(rt, cur.frame))
      }
      // Another task may run here when the CPU is idle, or the running one may be preempted — also
      // while it busy-waits preemptible (a seqcount reader's or cpu_relax() loop: full preemption).
      const curSpins = cur !== null && cur.frame.wait?.spin === true
      const free = cur === null || ((curRuns || curSpins) && cpu.preemptible() && !cpu.inInterrupt())
      if (free) {
        for (const t of rt.tasks) {
          if (t === cur) continue
          if (t.frame.wait === null) {
            if (t.runAct === null) t.runAct = new Act(RUN_TASK, rt, null, t, 0, null)
            this.#offer(this.#taskChoice(cpu, t.task, t.frame), t.runAct)
          } else if (deadline !== Number.POSITIVE_INFINITY && t.frame.deadline === deadline) {
            // Its timer fires (the earliest pending one).
            if (t.timeoutAct === null) t.timeoutAct = new Act(TIMEOUT, rt, null, t, 0, null)
            this.#offer(this.#taskChoice(cpu, t.task, t.frame), t.timeoutAct)
          }
        }
      }
      if (irqsOn) this.#offerArrivals(rt)
    }
    return this.#publish()
  }

  /** The choices of this point so far (#count of them) and what taking each does; both reused from point to point. */
  readonly #offered: Choice[] = []
  readonly #acts: Act[] = []
  #count = 0
  /** The choices handed to the scheduler at the last point. */
  #published: readonly Choice[] = []

  #offer(choice: Choice, act: Act): void {
    this.#offered[this.#count] = choice
    this.#acts[this.#count] = act
    this.#count++
  }

  /** This point's choices as an array of their own: the last point's when they are the same choices. */
  #publish(): readonly Choice[] {
    const n = this.#count
    const last = this.#published
    const offered = this.#offered
    if (last.length === n) {
      let i = 0
      while (i < n && last[i] === offered[i]) i++
      if (i === n) return last
    }
    const copy = offered.slice(0, n)
    this.#published = copy
    return copy
  }

  #stepAct(rt: CpuRun, frame: Frame): Act {
    if (frame.act === null) frame.act = new Act(STEP, rt, frame, null, 0, null)
    return frame.act
  }

  /** The declared interrupts' arrivals and softirq raises still to come on the CPU (its interrupts are on). */
  #offerArrivals(rt: CpuRun): void {
    const cpu = rt.cpu
    for (const d of rt.irqs) {
      if (d.arrivals > 0) {
        if (d.act === undefined) d.act = new Act(ARRIVE, rt, null, null, d.line, null)
        d.choice ??= { kind: 'irq', cpu: cpu.id, line: d.line }
        this.#offer(d.choice, d.act)
      }
    }
    for (const s of rt.softirqs) {
      if (s.raises > 0) {
        if (s.act === undefined) s.act = new Act(SOFTIRQ_RAISE, rt, null, null, s.nr, s)
        s.choice ??= { kind: 'softirq', cpu: cpu.id, nr: s.nr }
        this.#offer(s.choice, s.act)
      }
    }
  }

  #taskChoice(cpu: Cpu, task: Task, frame: Frame): Choice {
    const known = frame.choice
    const access = frame.access
    if (known !== null && known.pid === task.pid && known.access === access) return known
    // A frame's steps alternate between a few accesses (a lock's point, none): each choice is made once.
    for (const c of frame.choices) {
      if (c.pid === task.pid && c.access === access) {
        frame.choice = c
        return c
      }
    }
    const comm = frame.owner === null ? frame.label : task.comm
    const made: Choice & { readonly kind: 'task' } =
      access === undefined ? { kind: 'task', pid: task.pid, comm, cpu: cpu.id } : { kind: 'task', pid: task.pid, comm, cpu: cpu.id, access }
    frame.choice = made
    if (frame.choices.length < 8) frame.choices.push(made)
    return made
  }

  /** The earliest pending timeout (Infinity: none). */
  #nextDeadline(): number {
    let d = Number.POSITIVE_INFINITY
    for (const f of this.#waiting) if (f.deadline < d) d = f.deadline
    return d
  }

  /** Runs `t` on its CPU (switching it in, preempting the running one), one step. */
  #runTask(rt: CpuRun, t: ModelTask): void {
    this.#switchIn(rt, t)
    this.#step(rt, t.frame)
  }

  /** A sleeping task's timer fires: the clock moves to it, the wait ends with 'timeout', and the task runs. */
  #timeout(rt: CpuRun, t: ModelTask): void {
    const m = this.#m.machine
    if (t.frame.deadline > m.clockMs) m.clockMs = t.frame.deadline
    this.#resumeFrame(t.frame, 'timeout', rt.cpu)
    this.#runTask(rt, t)
  }

  /** One step of `frame`: resume its generator to the next yield. */
  #step(rt: CpuRun, frame: Frame): void {
    const cpu = rt.cpu
    if (frame.owner !== null) this.#switchIn(rt, frame.owner)
    this.#executing = cpu
    this.#frame = frame
    try {
      if (frame.gen === null) frame.gen = frame.start()
      const resume = frame.resume
      frame.resume = undefined
      const t = frame.owner
      let r: IteratorResult<Yielded, unknown>
      if (t?.direct === true) {
        // A user task's own generator: its end (or its error) closes its context, as #taskDelegate's finally does.
        try {
          r = frame.gen.next(resume)
        } catch (error) {
          this.#taskEnd(t, false)
          throw error
        }
        if (r.done === true) this.#taskEnd(t, true)
      } else r = frame.gen.next(resume)
      if (r.done === true) this.#finished(rt, frame)
      else if (r.value?.tag === 'point') frame.access = r.value.access
      else if (r.value?.tag === 'wait') this.#park(rt, frame, r.value)
      else throw foreignYield(frame.label, r.value)
    } finally {
      this.#executing = null
      this.#frame = null
    }
  }

  /** A frame's generator returned: a task exits; a hardirq handler's return runs the rest of the interrupt. */
  #finished(rt: CpuRun, frame: Frame): void {
    const cpu = rt.cpu
    const t = frame.owner
    if (t !== null) {
      t.done = true
      const at = rt.tasks.indexOf(t)
      if (at >= 0) rt.tasks.splice(at, 1)
      if (rt.ksoftirqd === t) rt.ksoftirqd = null
      rt.running = null
      cpu.state.current = cpu.state.idle
      exitTask(this.#m.machine, t.task)
      this.#m.reporter.traceSwitch(cpu, t.task, cpu.state.idle)
      return
    }
    // Usually the top; a frame pushed by a softirq handler (pushFrame()) may sit above the softirqs' own.
    const at = rt.hardirqs.lastIndexOf(frame)
    if (at >= 0) rt.hardirqs.splice(at, 1)
    if (frame.pushed) return
    // The softirqs run at an irq_exit(): their generator's end did the rest (softirqsEnd(), the return).
    if (frame.softirqs) return
    const decl = frame.decl as IrqDecl
    const reporter = this.#m.reporter
    try {
      cpu.hardirqThreaded = frame.threadedBefore
      // __handle_irq_event_percpu(): WARN_ONCE(!irqs_disabled(), …), then local_irq_disable().
      if (!cpu.state.irqsDisabled) {
        try {
          reporter.warnOnce(cpu, 'irq-handler-enabled-interrupts', `irq ${decl.line} handler ${decl.name}`)
        } finally {
          cpu.localIrqDisable()
        }
      }
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_exit', line: decl.line, name: decl.name })
    } finally {
      this.#irqExit(rt)
    }
  }

  /** The frame must wait: parked on the channel; a sleeping task gives up its CPU. */
  #park(rt: CpuRun, frame: Frame, y: WaitYield): void {
    const cpu = rt.cpu
    const t = frame.owner
    frame.wait = y
    frame.deadline = y.timeoutMs === undefined ? Number.POSITIVE_INFINITY : this.#m.machine.clockMs + y.timeoutMs
    this.#waiting.push(frame)
    if (t !== null) {
      t.task.state = y.state
      t.task.waitChannel = y.channel.id
      t.task.waitChannelKind = y.channel.kind
    }
    if (this.#m.options.trace) this.#m.reporter.traceEvent(cpu, { event: 'sched_wait', state: y.state, channel: channelName(y.channel) })
    // signal_pending_state() before schedule(): a pending signal the state lets in ends the wait at once.
    if (t !== null && t.signals !== null && letsIn(y.state, t.signals)) {
      this.#resumeFrame(frame, 'signal', cpu)
      return
    }
    const sleeps = !y.spin && t !== null
    if (!sleeps) this.#spinsForever(rt, frame, y)
    else {
      this.#switchOut(rt, t)
      t.onSleep?.()
    }
  }

  /**
   * A spin on a lock that this CPU's own code holds below it (the task itself, or the task a
   * handler interrupted): it can never end, reported at once as the synchronous executor does.
   */
  #spinsForever(rt: CpuRun, frame: Frame, y: WaitYield): void {
    const cpu = rt.cpu
    if (!isLockWait(y) || y.blocked.holder.cpu !== cpu.id || y.blocked.holder.pid !== cpu.current.pid) return
    const blocked = y.blocked
    this.#stuckNow = {
      pid: cpu.current.pid,
      comm: cpu.current.comm,
      cpu: cpu.id,
      state: y.state,
      channel: channelName(y.channel),
      inHardirq: frame.owner === null,
    }
    try {
      this.#m.reporter.deadlock(cpu, blocked, true)
    } catch {
      /* onDiagnostic: 'throw' — the diagnostic is recorded either way */
    }
    throw DEADLOCK_NOW
  }

  // ── context switches ───────────────────────────────────────────────────────────────────
  /** `t` runs on its CPU now; the task running there (preempted) is switched out first. */
  #switchIn(rt: CpuRun, t: ModelTask): void {
    if (rt.running === t) return
    const cpu = rt.cpu
    const prev = cpu.state.current
    if (rt.running !== null) this.#save(rt, rt.running)
    const s = t.saved
    if (s !== null) {
      t.saved = null
      ScopeContext.switchIn(cpu, s.scopes)
      const st = cpu.state
      st.claimIrq = s.claimIrq
      st.claimPreempt = s.claimPreempt
      st.claimBh = s.claimBh
      st.preemptCount = s.preemptCount
      st.irqsDisabled = s.irqsDisabled
      st.interruptDisableCount = s.interruptDisableCount
      st.interruptDisableSaved = s.interruptDisableSaved
    }
    rt.running = t
    cpu.state.current = t.task
    this.#m.reporter.traceSwitch(cpu, prev, t.task)
  }

  /** A sleeping task leaves its CPU: the idle task (or the next choice) runs there. */
  #switchOut(rt: CpuRun, t: ModelTask): void {
    const cpu = rt.cpu
    this.#save(rt, t)
    rt.running = null
    cpu.state.current = cpu.state.idle
    this.#m.reporter.traceSwitch(cpu, t.task, cpu.state.idle)
  }

  /** Saves the per-task part of the CPU and leaves the CPU at its base (a task sleeps with preempt_count at its base; a report said so otherwise). */
  #save(rt: CpuRun, t: ModelTask): void {
    const cpu = rt.cpu
    const st = cpu.state
    t.saved = {
      scopes: ScopeContext.switchOut(cpu),
      claimIrq: st.claimIrq,
      claimPreempt: st.claimPreempt,
      claimBh: st.claimBh,
      preemptCount: st.preemptCount,
      irqsDisabled: st.irqsDisabled,
      interruptDisableCount: st.interruptDisableCount,
      interruptDisableSaved: st.interruptDisableSaved,
    }
    st.claimIrq = 0
    st.claimPreempt = 0
    st.claimBh = 0
    st.preemptCount = 0
    st.irqsDisabled = false
    st.interruptDisableCount = 0
    st.interruptDisableSaved = null
  }

  // ── waking ─────────────────────────────────────────────────────────────────────────────
  /** Makes up to `nr` frames waiting on `channel` runnable, in the order they began to wait. */
  wake(channel: WaitChannel, nr: number | 'all'): void {
    let left = nr === 'all' ? Number.POSITIVE_INFINITY : nr
    for (let i = 0; i < this.#waiting.length && left > 0; ) {
      const f = this.#waiting[i] as Frame
      if (f.wait?.channel === channel) {
        this.#resumeFrame(f, 'woken', this.#executing)
        left--
      } else i++
    }
  }

  /** `k.signal(task, sig)`: pending from now on; a wait whose state lets it in ends with 'signal'. */
  signal(t: ModelTask, sig: Signal): void {
    t.signals ??= new Set()
    t.signals.add(sig)
    const w = t.frame.wait
    if (w !== null && letsIn(w.state, t.signals)) this.#resumeFrame(t.frame, 'signal', this.#executing)
  }

  #resumeFrame(f: Frame, reason: WakeReason, waker: Cpu | null): void {
    const at = this.#waiting.indexOf(f)
    if (at >= 0) this.#waiting.splice(at, 1)
    f.wait = null
    f.deadline = Number.POSITIVE_INFINITY
    f.resume = reason
    const t = f.owner
    if (t === null) return
    t.task.state = 'TASK_RUNNING'
    t.task.waitChannel = -1
    t.task.waitChannelKind = ''
    const cpu = waker ?? t.rt.cpu
    if (this.#m.options.trace) this.#m.reporter.traceEvent(cpu, { event: 'sched_waking', wakePid: t.task.pid, wakeComm: t.task.comm, targetCpu: t.rt.cpu.id })
  }

  /** ksoftirqd woken on a CPU (raise_softirq() outside interrupt, or irq_exit() on RT): its task becomes runnable. */
  #wakeDeferred(): void {
    for (const rt of this.runs) {
      if (!rt.cpu.state.ksoftirqdWoken || rt.ksoftirqd !== null) continue
      const task = spawnTask(this.#m.machine, () => `ksoftirqd/${rt.cpu.id}`)
      const run = this.#runSoftirq
      rt.ksoftirqd = this.#enter(
        new ModelTask(task, rt, function* () {
          yield POINT
          yield* runKsoftirqdOp(rt.cpu, run)
        }),
      )
    }
  }

  // ── interrupts ─────────────────────────────────────────────────────────────────────────
  /** Interrupt `line` arrives on the CPU: the hardware's entry, then its handler (a frame) or its thread's wake-up. */
  #arrive(rt: CpuRun, line: number, raised: boolean): void {
    const cpu = rt.cpu
    if (raised) rt.raised.shift()
    const decl = rt.irqs.find((d) => d.line === line)
    if (!raised && decl !== undefined) decl.arrivals--
    this.#executing = cpu
    try {
      cpu.raiseIrq(line)
      cpu.takeIrq()
      const reporter = this.#m.reporter
      if (decl === undefined) {
        if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'spurious_irq', line })
        this.#irqExit(rt)
        return
      }
      if (!decl.noThread && (this.#m.options.preemptRt || this.#m.options.threadIrqs)) {
        // irq_default_primary_handler(): IRQ_WAKE_THREAD.
        if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_entry', line, name: decl.name, wake: true })
        this.#wakeIrqThread(rt, decl)
        this.#irqExit(rt)
        return
      }
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'irq_handler_entry', line, name: decl.name, wake: false })
      const frame: Frame = new Frame(null, `irq ${line} handler ${decl.name}`, () => this.#hardirqBody(rt, decl, frame))
      frame.decl = decl
      frame.threadedBefore = cpu.hardirqThreaded
      // lockdep_hardirq_threaded(): a handler that RT would thread may take spinlock_t (LD_WAIT_CONFIG).
      cpu.hardirqThreaded = !decl.noThread
      rt.hardirqs.push(frame)
    } finally {
      this.#executing = null
    }
  }

  /**
   * `__irq_exit_rcu()` and the return from the interrupt. Softirqs due here (a normal kernel's
   * invoke_softirq()) run as a frame of their own over the interrupted code, stepped like a
   * handler, so they may wait; the return comes at their end.
   */
  #irqExit(rt: CpuRun): void {
    const cpu = rt.cpu
    let due = false
    try {
      due = cpu.irqExit() !== OK
    } finally {
      if (!due) cpu.irqReturn()
    }
    if (!due) return
    const frame: Frame = new Frame(null, `softirqs on CPU ${cpu.id}`, () => this.#irqExitSoftirqs(cpu))
    frame.softirqs = true
    rt.hardirqs.push(frame)
  }

  *#irqExitSoftirqs(cpu: Cpu): Body {
    try {
      yield* handleSoftirqsOp(cpu, true, this.#runSoftirq)
    } finally {
      cpu.irqReturn()
    }
  }

  /** The handler's thread `irq/<line>-<name>` runs it (again, if it is running now). */
  #wakeIrqThread(rt: CpuRun, decl: IrqDecl): void {
    if (decl.thread !== null) {
      decl.again = true
      if (decl.thread.frame.wait !== null) this.#resumeFrame(decl.thread.frame, 'woken', rt.cpu)
      return
    }
    const task = spawnTask(this.#m.machine, () => `irq/${decl.line}-${decl.name}`)
    decl.thread = this.#enter(new ModelTask(task, rt, (t) => this.#irqThreadBody(t, decl)))
  }

  /** A declared softirq raised from a device's interrupt: irq_enter(), raise_softirq(), irq_exit() (which runs or defers it). */
  #softirqRaise(rt: CpuRun, s: SoftirqDecl): void {
    s.raises--
    const cpu = rt.cpu
    this.#executing = cpu
    try {
      cpu.state.irqsDisabled = true
      cpu.irqEnter()
      try {
        cpu.raiseSoftirq(s.nr)
      } finally {
        this.#irqExit(rt)
      }
    } finally {
      this.#executing = null
    }
  }

  // ── the end ────────────────────────────────────────────────────────────────────────────
  /** No choice left: done, or a deadlock — each stuck CPU and task reported in the kernel's words. */
  #ended(): ModelOutcome {
    const stuck: StuckTask[] = []
    for (const rt of this.runs) {
      const cpu = rt.cpu
      const top = rt.hardirqs.at(-1) ?? rt.running?.frame
      if (top?.wait != null) {
        this.#reportStuck(cpu, cpu.current, top.wait, true)
        stuck.push(this.#stuck(cpu, cpu.current, top.wait, top.owner === null))
      }
    }
    for (const t of this.#all) {
      const w = t.frame.wait
      if (t.done || w === null || t.rt.running === t || t.idle?.() === true) continue
      this.#reportStuck(t.rt.cpu, t.task, w, false)
      stuck.push(this.#stuck(t.rt.cpu, t.task, w, false))
    }
    const unfinished = this.#all.some((t) => !t.done && t.idle?.() !== true)
    if (stuck.length === 0 && !unfinished) return { kind: 'completed' }
    return { kind: 'deadlock', stuck }
  }

  #stuck(cpu: Cpu, task: Task, w: WaitYield, inHardirq: boolean): StuckTask {
    return { pid: task.pid, comm: task.comm, cpu: cpu.id, state: w.state, channel: channelName(w.channel), inHardirq }
  }

  /** `onCpu`: the wait holds its CPU (a spin, or a wait in a handler, which cannot sleep). */
  #reportStuck(cpu: Cpu, task: Task, w: WaitYield, onCpu: boolean): void {
    const s: WaitSite = { cpu, task, lockdep: this.#m.lockdep }
    const spin = onCpu
    const d = isLockWait(w)
      ? lockWaitReport(s, w.blocked, spin, w.state, this.#m.options.preemptRt, w)
      : waitForeverReport(s, channelName(w.channel), spin, w.state)
    try {
      this.#m.reporter.report(d)
    } catch {
      /* onDiagnostic: 'throw' — recorded either way; every stuck task is reported */
    }
  }

  // ── Executor ───────────────────────────────────────────────────────────────────────────
  executingCpu(): Cpu | null {
    return this.#executing
  }

  /** `ctx.raiseIrq(line)` in a model: the line is taken at this CPU's next point with interrupts on. */
  raiseIrq(cpu: Cpu, line: number): void {
    ;(this.runs[cpu.id] as CpuRun).raised.push(line)
  }

  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void {
    raiseSoftirq(cpu, softirqNr('raise_softirq()', nr))
  }

  raiseNmi(): void {
    throw new SchedulingError('raise_nmi(): NMIs are not modelled by the model executor yet')
  }

  msleep(): void {
    throw new SchedulingError('msleep(): in a model a task sleeps with `yield* k.msleep(ctx, ms)` (a scheduling point)')
  }

  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array {
    return kmalloc(this.#m, cpu, size, gfp)
  }

  irqsBackOn(cpu: Cpu, droppedBy: string): void {
    irqsBackOn(this.#m, cpu, droppedBy)
  }

  /** A 'blocked' outcome of an acquisition that cannot wait (a guard's synchronous relock after doUnlocked()): the synchronous report (../blocked.ts). */
  blocked(cpu: Cpu, o: BlockedOutcome): never {
    return blockedDeadlock(this.#m, cpu, o)
  }

  /** The model's scheduling points are its yields: nothing runs from a scope's end. */
  schedulingPoint(): void {}

  /** Never asked: the model takes interrupts itself (#arrive), so none is ever pending for delivery. */
  hardirq(cpu: Cpu, line: number): void {
    throw new SchedulingError(`irq ${line} on CPU ${cpu.id}: delivered outside the model executor`)
  }

  /**
   * One softirq of a handle_softirqs() round run inline: the rounds of local_bh_enable() and
   * spin_unlock_bh() in a task (a synchronous transition), where its handler may not wait. Those of
   * ksoftirqd and of an irq_exit() are stepped (#softirqOp) and may.
   */
  softirq(cpu: Cpu, nr: number): void {
    const handler = this.softirqHandlers[nr]
    const action = SOFTIRQ_NAMES[nr] ?? String(nr)
    const reporter = this.#m.reporter
    if (handler === undefined) {
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_unhandled', vec: nr, action })
      return
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_entry', vec: nr, action })
    const root = ScopeContext.root(this.contextHost, cpu, cpu.current, CLAIM_BH)
    try {
      const gen = handler(ScopeContext.public(root))
      if (!isOp(gen)) throw new InvalidArgumentError(`softirq ${action} handler: a model handler is a generator function (function*)`)
      for (let r = gen.next(); r.done !== true; r = gen.next()) {
        if (r.value.tag === 'wait') {
          throw new SchedulingError(
            `softirq ${action} handler waits on ${channelName(r.value.channel)}: softirqs run at local_bh_enable() in a task run inline in a model and cannot wait yet (those of ksoftirqd and of an irq_exit() can)`,
          )
        }
      }
    } finally {
      ScopeContext.close(root, noExit, 'scope')
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_exit', vec: nr, action })
  }

  /** One softirq's handler, stepped (ksoftirqd, an irq_exit()): its points and waits are the model's. */
  *#softirqOp(cpu: Cpu, nr: number): Op<void> {
    const handler = this.softirqHandlers[nr]
    const action = SOFTIRQ_NAMES[nr] ?? String(nr)
    const reporter = this.#m.reporter
    if (handler === undefined) {
      if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_unhandled', vec: nr, action })
      return
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_entry', vec: nr, action })
    const root = ScopeContext.root(this.contextHost, cpu, cpu.current, CLAIM_BH)
    try {
      const gen = handler(ScopeContext.public(root))
      if (!isOp(gen)) throw new InvalidArgumentError(`softirq ${action} handler: a model handler is a generator function (function*)`)
      yield* gen
    } finally {
      ScopeContext.close(root, noExit, 'scope')
    }
    if (this.#m.options.trace) reporter.traceEvent(cpu, { event: 'softirq_exit', vec: nr, action })
  }
  readonly #runSoftirq = (cpu: Cpu, nr: number): Op<void> => this.#softirqOp(cpu, nr)

  /** Softirq handlers by number (the model kernel's `softirq()`). */
  readonly softirqHandlers: ((ctx: Context<CtxState>) => Op<unknown>)[] = []
}
