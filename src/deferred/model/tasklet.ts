/**
 * Tasklets in a model (kernel/softirq.c, include/linux/interrupt.h): `tasklet_schedule()` puts
 * the tasklet on this CPU's list and raises TASKLET_SOFTIRQ (`tasklet_hi_schedule()`:
 * HI_SOFTIRQ); `tasklet_action_common()` runs each listed tasklet whose TASKLET_STATE_RUN it can
 * take and whose count is 0, clearing TASKLET_STATE_SCHED first, the callback in softirq context
 * where ./softirq-work.ts runs it on each kernel. A tasklet running on another CPU, or disabled,
 * is put back on the list: the kernel re-raises the softirq until it can run; the model keeps
 * it listed and raises the softirq again (ksoftirqd) once the other run ends or the tasklet is
 * enabled — the same runs, without the busy loop. `tasklet_kill()` takes TASKLET_STATE_SCHED
 * (`wait_on_bit_lock()`: a scheduled tasklet must run first) and waits for TASKLET_STATE_RUN
 * (`tasklet_unlock_wait()`); `tasklet_disable()` counts up and waits for a running instance —
 * both sleep (TASK_UNINTERRUPTIBLE), and the kernel has no lockdep map for them.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { CanSleep } from '../../rules/sleep.js'
import { CLAIM_BH } from '../../exec/claims.js'
import { InvalidArgumentError } from '../../errors.js'
import { raiseSoftirq } from '../../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../../exec/irq-registry.js'
import type { Op } from '../../exec/wait.js'
import type { DeferredChannel, Runner } from '../runtime.js'
import type { TaskletState } from '../states.js'
import { invoke, ModelDeferred } from './core.js'
import { softirqWork } from './softirq-work.js'
import { touchShared } from '../../exec/explore/touched.js'

/**
 * A `struct tasklet_struct` of a model, from `k.taskletSetup()`.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const rx = k.spinLock('rx', { n: 0 })
 *   const t = k.taskletSetup('rx_tasklet', function* (ctx) {
 *     yield* rx.withLocked(ctx, function* (_ctx, r) { r.n++ })
 *   })
 *   k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) { t.taskletSchedule(ctx) })
 *   k.task('remove', { cpu: 1 }, function* (ctx) { yield* t.taskletKill(ctx) })
 * })
 * ```
 */
export interface ModelTasklet<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'tasklet_struct'
  /** Its name. */
  readonly name: N
  /** TASKLET_STATE_SCHED. */
  readonly scheduled: boolean
  /** TASKLET_STATE_RUN: its callback runs now. */
  readonly running: boolean
  /** `tasklet_schedule()`: on this CPU's TASKLET_SOFTIRQ list; a no-op while scheduled. Any context. */
  taskletSchedule(ctx: AnyContext): void
  /** `tasklet_hi_schedule()`: HI_SOFTIRQ. Any context. */
  taskletHiSchedule(ctx: AnyContext): void
  /** `tasklet_disable_nosync()`: counts up; a disabled tasklet stays listed and does not run. Any context. */
  taskletDisableNosync(ctx: AnyContext): void
  /** `tasklet_disable()`: counts up, then waits for a running instance (`tasklet_unlock_wait()`, sleeps); an op. */
  taskletDisable<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'tasklet_disable()'>): Op<void>
  /** `tasklet_enable()`: counts down; at 0 a listed tasklet runs again. Any context. */
  taskletEnable(ctx: AnyContext): void
  /** `tasklet_kill()`: waits until a scheduled instance has run and a running one is done (sleeps); an op. Killing a disabled, scheduled tasklet never returns. */
  taskletKill<T extends CtxState>(ctx: Context<T> & CanSleep<T, 'tasklet_kill()'>): Op<void>
}

/**
 * A model tasklet's callback: a generator function in softirq context (TASKLET or HI).
 *
 * @example
 * ```ts
 * import { defineModel, type ModelTaskletCallback } from 'lockproof'
 *
 * defineModel((k) => {
 *   const cb: ModelTaskletCallback<'t'> = function* (_ctx, t) { console.log(t.name) }
 *   k.taskletSetup('t', cb)
 * })
 * ```
 */
export type ModelTaskletCallback<N extends string> = (ctx: Context<TaskletState>, tasklet: ModelTasklet<N>) => Op<unknown>

type Vec = 'TASKLET' | 'HI'
const NR: Readonly<Record<Vec, number>> = { TASKLET: SOFTIRQ_NAMES.indexOf('TASKLET'), HI: SOFTIRQ_NAMES.indexOf('HI') }

class TaskletRuntime {
  scheduled = false
  running: Runner | null = null
  count = 0
  /** The CPU and vector whose list holds it while it waits for its RUN bit or its count (the kernel's requeue). */
  parked: { readonly cpu: Cpu; readonly vec: Vec } | null = null
  readonly channel: DeferredChannel
  constructor(
    readonly d: ModelDeferred,
    readonly name: string,
    readonly run: (cpu: Cpu) => Op<void>,
  ) {
    this.channel = d.channel('tasklet_struct', name, () => this.running)
  }
}

/** The per-CPU lists of one execution and the kernel's TASKLET / HI actions. */
class ModelTasklets {
  readonly #lists: Record<Vec, TaskletRuntime[]>[]

  private constructor(d: ModelDeferred) {
    this.#lists = d.parts.cpus.map(() => ({ TASKLET: [], HI: [] }))
    // softirq_init(): open_softirq(TASKLET_SOFTIRQ, tasklet_action); open_softirq(HI_SOFTIRQ, tasklet_hi_action).
    for (const vec of ['HI', 'TASKLET'] as const) {
      d.openSoftirq(NR[vec], vec, (cpu) => softirqWork(d, cpu, NR[vec], `${vec} softirq`, () => this.#action(cpu, vec)))
    }
  }

  static readonly #of = new WeakMap<ModelDeferred, ModelTasklets>()
  static of(d: ModelDeferred): ModelTasklets {
    let t = ModelTasklets.#of.get(d)
    if (t === undefined) {
      t = new ModelTasklets(d)
      ModelTasklets.#of.set(d, t)
    }
    return t
  }

  /** `__tasklet_schedule_common()`: on this CPU's list, `raise_softirq_irqoff()`. */
  schedule(cpu: Cpu, t: TaskletRuntime, vec: Vec): void {
    ;(this.#lists[cpu.id] as Record<Vec, TaskletRuntime[]>)[vec].push(t)
    raiseSoftirq(cpu, NR[vec])
  }

  /** `tasklet_action_common()`: the list taken; each tasklet run, or left listed (parked) while it runs elsewhere or is disabled. */
  *#action(cpu: Cpu, vec: Vec): Op<void> {
    const lists = this.#lists[cpu.id] as Record<Vec, TaskletRuntime[]>
    const list = lists[vec]
    lists[vec] = []
    for (const t of list) {
      // tasklet_trylock(t) && !atomic_read(&t->count)
      if (t.running !== null || t.count > 0) {
        t.parked = { cpu, vec }
        lists[vec].push(t)
        continue
      }
      t.parked = null
      yield* t.run(cpu)
    }
  }

  /** A parked tasklet may run now: its softirq raised again on its CPU, for ksoftirqd there (the kernel's re-raising loop ends there). */
  unpark(t: TaskletRuntime): void {
    const p = t.parked
    if (p === null || t.running !== null || t.count > 0) return
    p.cpu.state.softirqPending |= 1 << NR[p.vec]
    p.cpu.state.ksoftirqdWoken = true
  }
}

export const taskletSetupFactory =
  (host: object) =>
  <const N extends string>(name: N, fn: ModelTaskletCallback<N>): ModelTasklet<N> => {
    const d = ModelDeferred.of(host)
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('tasklet_setup(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('tasklet_setup(): the callback must be a generator function (function*)')
    const lists = ModelTasklets.of(d)
    const what = `tasklet '${name}'`
    let tasklet: ModelTasklet<N> | null = null
    const rt: TaskletRuntime = new TaskletRuntime(d, name, function* (cpu) {
      // tasklet_trylock() took RUN; tasklet_clear_sched(): test_and_clear_wake_up_bit(TASKLET_STATE_SCHED).
      rt.running = d.runnerOn(cpu)
      rt.scheduled = false
      d.wake(rt.channel)
      try {
        yield* d.callbackOp(cpu, CLAIM_BH, what, (ctx) => invoke(what, fn, ctx, tasklet))
      } finally {
        // tasklet_unlock(): clear_and_wake_up_bit(TASKLET_STATE_RUN).
        rt.running = null
        d.wake(rt.channel)
        lists.unpark(rt)
      }
    })
    const schedule = (ctx: AnyContext, op: string, vec: Vec): void => {
      const cpu = d.cpuOf(ctx, op)
      // if (!test_and_set_bit(TASKLET_STATE_SCHED, &t->state)) __tasklet_schedule(t).
      if (rt.scheduled) return
      rt.scheduled = true
      lists.schedule(cpu, rt, vec)
    }
    tasklet = Object.freeze({
      kind: 'tasklet_struct' as const,
      name,
      get scheduled() {
        touchShared()
        return rt.scheduled
      },
      get running() {
        touchShared()
        return rt.running !== null
      },
      taskletSchedule: (ctx: AnyContext) => schedule(ctx, 'tasklet_schedule()', 'TASKLET'),
      taskletHiSchedule: (ctx: AnyContext) => schedule(ctx, 'tasklet_hi_schedule()', 'HI'),
      taskletDisableNosync: (ctx: AnyContext) => {
        d.cpuOf(ctx, 'tasklet_disable_nosync()')
        rt.count++
      },
      taskletDisable: (ctx: AnyContext) => d.host.track(disableOp(rt, ctx), 'tasklet_disable()'),
      taskletEnable: (ctx: AnyContext) => {
        d.cpuOf(ctx, 'tasklet_enable()')
        if (rt.count === 0) throw new InvalidArgumentError(`tasklet_enable(): tasklet '${name}' is not disabled (its count would go below 0)`)
        rt.count--
        lists.unpark(rt)
      },
      taskletKill: (ctx: AnyContext) => d.host.track(killOp(rt, ctx), 'tasklet_kill()'),
    })
    return tasklet
  }

/** `tasklet_unlock_wait()`: `wait_on_bit(&t->state, TASKLET_STATE_RUN, TASK_UNINTERRUPTIBLE)`. */
function* unlockWait(rt: TaskletRuntime): Op<void> {
  while (rt.running !== null) yield { tag: 'wait', channel: rt.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
}

/** `tasklet_disable()`: `tasklet_disable_nosync(t); tasklet_unlock_wait(t);` (wait_on_bit()'s might_sleep()). */
function* disableOp(rt: TaskletRuntime, ctx: AnyContext): Op<void> {
  const cpu = rt.d.cpuOf(ctx, 'tasklet_disable()')
  rt.count++
  rt.d.parts.reporter.mightSleep(cpu, 'tasklet_disable()')
  yield* unlockWait(rt)
}

/**
 * `tasklet_kill()`: `if (in_interrupt()) pr_notice("Attempt to kill tasklet from interrupt\n");`
 * `wait_on_bit_lock(&t->state, TASKLET_STATE_SCHED, TASK_UNINTERRUPTIBLE); tasklet_unlock_wait(t); tasklet_clear_sched(t);`
 */
function* killOp(rt: TaskletRuntime, ctx: AnyContext): Op<void> {
  const cpu = rt.d.cpuOf(ctx, 'tasklet_kill()')
  rt.d.parts.reporter.mightSleep(cpu, 'tasklet_kill()')
  while (rt.scheduled) yield { tag: 'wait', channel: rt.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  // The SCHED bit is the kill's now: tasklet_schedule() is a no-op until it is cleared.
  rt.scheduled = true
  try {
    yield* unlockWait(rt)
  } finally {
    rt.scheduled = false
    rt.d.wake(rt.channel)
  }
}
