/**
 * Threaded interrupts in a model (kernel/irq/manage.c, as kernel.run's ../threaded-irq.ts has
 * them): the primary handler where the kernel runs it — hardirq, or with forced threading
 * (PREEMPT_RT, `threadIrqs`; never for IRQF_ONESHOT) in `irq/N-name` — and `thread_fn` in the irq
 * thread, a kernel thread of the model woken by IRQ_WAKE_THREAD (`irq/N-s-name` when the primary
 * is forced). IRQF_ONESHOT keeps the line masked (no arrival offered) until thread_fn returns.
 * `synchronize_irq()` spins while the hardirq handler runs and sleeps while the threads do.
 */
import type { Cpu } from '../../machine/cpu.js'
import type { Context } from '../../exec/context.js'
import type { OneshotPrimaryState } from '../states.js'
import type { ThreadableIrqState } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { CanSleep } from '../../rules/sleep.js'
import type { Callback, SelfWaitCheck } from '../../rules/self-wait.js'
import { InvalidArgumentError } from '../../errors.js'
import { assertIrqLine } from '../../exec/irq-registry.js'
import type { Op, WaitChannel } from '../../exec/wait.js'
import type { IrqReturn, IrqThreadFnState } from '../threaded-irq.js'
import { invoke, ModelDeferred, type ModelKthread } from './core.js'

/**
 * Where and how a model's threaded interrupt arrives.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelThreadedIrqOptions } from 'lockproof'
 *
 * const spi: ModelThreadedIrqOptions = { cpu: 0, name: 'spi', oneshot: true }
 * defineModel((k) => { k.requestThreadedIrq(7, { ...spi, oneshot: true }, null, function* (ctx) { yield* k.msleep(ctx, 1) }) })
 * ```
 */
export interface ModelThreadedIrqOptions {
  /** The CPU it arrives on (its threads are bound there). Default 0. */
  readonly cpu?: number
  /** request_threaded_irq()'s name. Default `irq<line>`. */
  readonly name?: string
  /** How many times it may arrive in one execution. Default: `runModel()`'s `irqArrivals` (1). */
  readonly arrivals?: number
  /** IRQF_ONESHOT: the line stays masked until thread_fn returns; the primary handler is never force-threaded. */
  readonly oneshot?: boolean
}

/**
 * `request_threaded_irq()` of a model: the primary handler (a generator function returning
 * `irqreturn_t`; null with `oneshot` for irq_default_primary_handler()) and thread_fn.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const cfg = k.mutex('cfg', 0)
 *   k.requestThreadedIrq(5, { name: 'eth0' }, function* () { return 'IRQ_WAKE_THREAD' as const }, function* (ctx) {
 *     yield* cfg.withLocked(ctx, function* () {})
 *   })
 * })
 * ```
 */
export interface ModelRequestThreadedIrq {
  <const L extends number>(
    line: L,
    options: ModelThreadedIrqOptions & { readonly oneshot: true },
    handler: ((ctx: Context<OneshotPrimaryState>) => Op<IrqReturn>) | null,
    threadFn: Callback<[ctx: Context<IrqThreadFnState<L>>], Op<unknown>>,
  ): void
  <const L extends number>(
    line: L,
    options: ModelThreadedIrqOptions & { readonly oneshot?: false },
    handler: (ctx: Context<ThreadableIrqState>) => Op<IrqReturn>,
    threadFn: Callback<[ctx: Context<IrqThreadFnState<L>>], Op<unknown>>,
  ): void
}

/**
 * `synchronize_irq()` of a model: waits for the running handlers of a threaded line; an op.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelSynchronizeIrq } from 'lockproof'
 *
 * defineModel((k) => {
 *   const sync: ModelSynchronizeIrq = k.synchronizeIrq
 *   k.requestThreadedIrq(5, { oneshot: true }, null, function* () {})
 *   k.task('remove', { cpu: 0 }, function* (ctx) { yield* sync(ctx, 5) })
 * })
 * ```
 */
export type ModelSynchronizeIrq = <T extends CtxState, const L extends number>(
  ctx: Context<T> & CanSleep<T, 'synchronize_irq()'> & SelfWaitCheck<T, 'irq', L, 'synchronize_irq()'>,
  line: L,
) => Op<void>

const RETURNS: readonly string[] = ['IRQ_NONE', 'IRQ_HANDLED', 'IRQ_WAKE_THREAD']

/** One requested line: `desc->threads_active`, IRQD_IRQ_INPROGRESS, IRQTF_RUNTHREAD, the ONESHOT mask. */
interface Desc {
  readonly channel: WaitChannel
  inProgress: number
  threadsActive: number
  runThread: boolean
  masked: boolean
  left: number
  thread: ModelKthread | null
}

const descs = new WeakMap<ModelDeferred, Map<number, Desc>>()
const descsOf = (d: ModelDeferred): Map<number, Desc> => {
  let m = descs.get(d)
  if (m === undefined) {
    m = new Map()
    descs.set(d, m)
  }
  return m
}

const optionsArg = (o: unknown): ModelThreadedIrqOptions => {
  if (typeof o !== 'object' || o === null) throw new InvalidArgumentError('request_threaded_irq(): the options must be an object')
  return o
}

export const requestThreadedIrqFactory = (host: object): ModelRequestThreadedIrq => {
  const request = (line: number, options: ModelThreadedIrqOptions, handler: unknown, threadFn: unknown): void => {
    const d = ModelDeferred.of(host)
    const l = assertIrqLine('request_threaded_irq()', line)
    const o = optionsArg(options)
    const name = o.name ?? `irq${l}`
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('request_threaded_irq(): the name must be a non-empty string')
    if (handler !== null && typeof handler !== 'function')
      throw new InvalidArgumentError('request_threaded_irq(): the handler must be a generator function or null')
    if (typeof threadFn !== 'function') throw new InvalidArgumentError('request_threaded_irq(): thread_fn must be a generator function')
    const oneshot = o.oneshot === true
    // __setup_irq(): "Threaded irq requested with handler=NULL and !ONESHOT for %s (irq %d)", -EINVAL.
    if (handler === null && !oneshot) {
      throw new InvalidArgumentError(`request_threaded_irq(): Threaded irq requested with handler=NULL and !ONESHOT for ${name} (irq ${l}) (-EINVAL)`)
    }
    const cpuId = o.cpu ?? 0
    const arrivals = o.arrivals ?? d.irqArrivals
    if (!Number.isInteger(arrivals) || arrivals < 0) throw new InvalidArgumentError('request_threaded_irq(): arrivals must be a whole number ≥ 0')
    const table = descsOf(d)
    if (table.has(l)) throw new InvalidArgumentError(`request_threaded_irq(): line ${l} already has a handler (-EBUSY)`)
    // irq_setup_forced_threading(): not for IRQF_ONESHOT; the primary then runs in irq/N-name, thread_fn in irq/N-s-name.
    const forced = d.forceThreaded && !oneshot
    const desc: Desc = {
      channel: d.host.channel('irq_desc', `irq ${l}`),
      inProgress: 0,
      threadsActive: 0,
      runThread: false,
      masked: false,
      left: arrivals,
      thread: null,
    }
    table.set(l, desc)
    const comm = forced ? `irq/${l}-s-${name}` : `irq/${l}-${name}`
    const what = `irq ${l} '${name}'`
    function* primary(ctx: Context<CtxState>): Op<void> {
      if (forced) desc.threadsActive++
      else desc.inProgress++
      try {
        // irq_default_primary_handler(): return IRQ_WAKE_THREAD.
        const ret = handler === null ? 'IRQ_WAKE_THREAD' : yield* invoke<unknown>(`${what} primary handler`, handler as (c: never) => unknown, ctx)
        if (typeof ret !== 'string' || !RETURNS.includes(ret)) {
          throw new InvalidArgumentError(`${what}: the primary handler must return 'IRQ_NONE', 'IRQ_HANDLED' or 'IRQ_WAKE_THREAD'`)
        }
        if (ret === 'IRQ_WAKE_THREAD') wakeThread(ctx)
      } finally {
        if (forced) desc.threadsActive--
        else desc.inProgress--
        d.wake(desc.channel)
      }
    }
    /** `__irq_wake_thread()`: `if (test_and_set_bit(IRQTF_RUNTHREAD, …)) return;` `atomic_inc(&desc->threads_active)`; wake_up_process(). */
    const wakeThread = (ctx: Context<CtxState>): void => {
      const cpu = d.cpuOf(ctx, what)
      if (oneshot) desc.masked = true
      if (desc.runThread) return
      desc.runThread = true
      desc.threadsActive++
      desc.thread ??= d.kthread(cpuId, comm, (k) => threadBody(cpu, k))
      d.kick(desc.thread)
    }
    /** `irq_thread()`: wait for IRQTF_RUNTHREAD, `irq_thread_fn()` (thread_fn, then irq_finalize_oneshot()), `wake_threads_waitq()`. */
    function* threadBody(cpu: Cpu, k: ModelKthread): Op<void> {
      for (;;) {
        if (!desc.runThread) {
          yield* d.idle(k)
          continue
        }
        desc.runThread = false
        try {
          yield* d.callbackOp(cpu, 0, `${what} thread_fn`, (ctx) => invoke(`${what} thread_fn`, threadFn as (c: never) => unknown, ctx))
        } finally {
          if (oneshot) desc.masked = false
          desc.threadsActive--
          d.wake(desc.channel)
        }
      }
    }
    d.exec.addIrq(cpuId, {
      line: l,
      name,
      // A ONESHOT primary is hardirq on both kernels (IRQF_ONESHOT is never force-threaded).
      noThread: oneshot,
      handler: primary,
      get arrivals(): number {
        return desc.masked ? 0 : desc.left
      },
      set arrivals(n: number) {
        desc.left = n
      },
      thread: null,
      again: false,
    })
  }
  return request as ModelRequestThreadedIrq
}

export const synchronizeIrqFactory =
  (host: object): ModelSynchronizeIrq =>
  (ctx, line) => {
    const d = ModelDeferred.of(host)
    return d.host.track(syncOp(d, ctx, line), 'synchronize_irq()')
  }

/**
 * `synchronize_irq()`: `if (desc) __synchronize_irq(desc)` — `__synchronize_hardirq()` spins while
 * IRQD_IRQ_INPROGRESS, then `wait_event(desc->wait_for_threads, !threads_active)`, whose
 * might_sleep() comes after the spin (kernel/irq/manage.c has none before it).
 */
function* syncOp(d: ModelDeferred, ctx: unknown, line: unknown): Op<void> {
  const cpu = d.cpuOf(ctx, 'synchronize_irq()')
  const l = assertIrqLine('synchronize_irq()', line)
  const desc = descsOf(d).get(l)
  // A line without a threaded request (k.irq()'s, or none): nothing here to wait for; the kernel's
  // wait_event() would still might_sleep() for a requested line.
  if (desc === undefined) return void d.parts.reporter.mightSleep(cpu, 'synchronize_irq()')
  while (desc.inProgress > 0) yield { tag: 'wait', channel: desc.channel, state: 'TASK_UNINTERRUPTIBLE', spin: true }
  d.parts.reporter.mightSleep(cpu, 'synchronize_irq()')
  while (desc.threadsActive > 0) yield { tag: 'wait', channel: desc.channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
}
