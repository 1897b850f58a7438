/**
 * Threaded interrupts and the calls that wait for handlers (kernel/irq/manage.c):
 * `request_threaded_irq()` — the primary handler in hardirq (force-threaded on RT like any
 * handler, unless IRQF_ONESHOT was asked for), `thread_fn` in the irq thread (process context,
 * may sleep, on both kernels: `irq_thread_fn()`), woken by IRQ_WAKE_THREAD; IRQF_ONESHOT keeps the
 * line masked until the thread is done (`irq_finalize_oneshot()`). `synchronize_irq()` spins while
 * a hardirq handler runs and sleeps (`wait_event(desc->wait_for_threads, …)`) while a thread does;
 * the kernel has no lockdep map there, so a call from the handler itself is found as the wait
 * that never ends (a hard lockup from hardirq, a hung task from the thread).
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { CtxState, FreshTaskState } from '../rules/state.js'
import type { InCallbackOf } from '../rules/self-wait.js'
import { InvalidArgumentError } from '../errors.js'
import { raiseIrq } from '../exec/delivery.js'
import { refuseThenable } from '../exec/protocol.js'
import { assertIrqLine } from '../exec/irq-registry.js'
import type { Op } from '../exec/wait.js'
import type { Deferred, DeferredChannel } from './runtime.js'

/**
 * `irqreturn_t`.
 *
 * @example
 * ```ts
 * import { createKernel, type IrqReturn } from 'lockproof'
 *
 * const primary = (): IrqReturn => 'IRQ_WAKE_THREAD'
 * createKernel().requestThreadedIrq(5, 'eth0', primary, (ctx) => ctx.msleep(1))
 * ```
 */
export type IrqReturn = 'IRQ_NONE' | 'IRQ_HANDLED' | 'IRQ_WAKE_THREAD'

/**
 * What the thread function of line L runs in: process context, its own irq thread
 * (`desc->threads_active` counts it), which `synchronize_irq(L)` from there waits on for ever.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type IrqThreadFnState } from 'lockproof'
 *
 * const rx = (ctx: Context<IrqThreadFnState<5>>) => ctx.msleep(1)
 * createKernel().requestThreadedIrq(5, 'eth0', () => 'IRQ_WAKE_THREAD', rx)
 * ```
 */
export type IrqThreadFnState<L extends number> = InCallbackOf<FreshTaskState, 'irq', L>

/**
 * `request_threaded_irq()` flags lockproof models.
 *
 * @example
 * ```ts
 * import { createKernel, type ThreadedIrqFlags } from 'lockproof'
 *
 * const flags = { oneshot: true } as const satisfies ThreadedIrqFlags
 * createKernel().requestThreadedIrq(7, 'spi', null, (ctx) => ctx.msleep(1), flags)
 * ```
 */
export interface ThreadedIrqFlags {
  /** IRQF_ONESHOT: the line stays masked until thread_fn returns; the primary handler is never force-threaded. */
  readonly oneshot?: boolean
}

const RETURNS: readonly string[] = ['IRQ_NONE', 'IRQ_HANDLED', 'IRQ_WAKE_THREAD']

export class ThreadedIrqs {
  readonly #d: Deferred
  readonly #channels = new Map<number, DeferredChannel>()
  constructor(d: Deferred) {
    this.#d = d
  }

  request(line: unknown, name: unknown, handler: unknown, threadFn: unknown, flags: unknown): void {
    const d = this.#d
    assertIrqLine('request_threaded_irq()', line)
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('request_threaded_irq(): the name must be a non-empty string')
    if (handler !== null && typeof handler !== 'function') throw new InvalidArgumentError('request_threaded_irq(): the handler must be a function or null')
    if (typeof threadFn !== 'function') throw new InvalidArgumentError('request_threaded_irq(): thread_fn must be a function')
    if (flags !== undefined && (typeof flags !== 'object' || flags === null))
      throw new InvalidArgumentError('request_threaded_irq(): the flags must be an object')
    const oneshot = (flags as ThreadedIrqFlags | undefined)?.oneshot === true
    const l = line as number
    // __setup_irq(): "Threaded irq requested with handler=NULL and !ONESHOT for %s (irq %d)", -EINVAL.
    if (handler === null && !oneshot) {
      throw new InvalidArgumentError(`request_threaded_irq(): Threaded irq requested with handler=NULL and !ONESHOT for ${name} (irq ${l}) (-EINVAL)`)
    }
    const primary = handler as ((ctx: Context<CtxState>) => unknown) | null
    const fn = threadFn as (ctx: Context<FreshTaskState>) => unknown
    // irq_setup_forced_threading(): forced (primary in irq/N-name) unless IRQF_ONESHOT; thread_fn then in the secondary irq/N-s-name.
    const forced = d.forceThreaded && !oneshot
    const thread = {
      comm: forced ? `irq/${l}-s-${name}` : `irq/${l}-${name}`,
      policy: 'fifo' as const,
      run: (ctx: Context<FreshTaskState>) => this.#runThread(this.#d.exec.executingCpu() as Cpu, l, fn, oneshot, ctx),
    }
    const wrapper = (ctx: Context<CtxState>): void => {
      // irq_default_primary_handler(): return IRQ_WAKE_THREAD.
      const ret = primary === null ? 'IRQ_WAKE_THREAD' : primary(ctx)
      if (typeof ret !== 'string' || !RETURNS.includes(ret)) {
        throw new InvalidArgumentError(`irq ${l} '${name}': the primary handler must return 'IRQ_NONE', 'IRQ_HANDLED' or 'IRQ_WAKE_THREAD'`)
      }
      if (ret !== 'IRQ_WAKE_THREAD') return
      const irq = d.parts.irq
      const cpu = d.exec.executingCpu() as Cpu
      // __irq_wake_thread(): atomic_inc(&desc->threads_active); wake_up_process(action->thread).
      irq.count(irq.threadsActive, l, 1)
      if (oneshot) irq.masked.add(l)
      d.exec.kthreads.wake(cpu.id, thread)
    }
    d.parts.irq.requestIrq(l, name, wrapper, oneshot)
  }

  /** `irq_thread()` → `irq_thread_fn()`: thread_fn in process context, then irq_finalize_oneshot(); wake_threads_waitq(). */
  #runThread(cpu: Cpu, line: number, fn: (ctx: Context<FreshTaskState>) => unknown, oneshot: boolean, ctx: Context<FreshTaskState>): void {
    const irq = this.#d.parts.irq
    try {
      refuseThenable(fn(ctx), `irq ${line} thread_fn`, 'thread_fn returned a Promise; it must finish synchronously')
    } finally {
      irq.count(irq.threadsActive, line, -1)
      if (oneshot) {
        irq.masked.delete(line)
        this.#replay(cpu, line)
      }
    }
  }

  /** `check_irq_resend()`: a line raised while masked or disabled (IRQS_PENDING) comes again once unmasked. */
  #replay(cpu: Cpu, line: number): void {
    const irq = this.#d.parts.irq
    if (irq.depth.has(line) || irq.masked.has(line) || !irq.replay.delete(line)) return
    raiseIrq(cpu, line)
  }

  #channel(line: number): DeferredChannel {
    let c = this.#channels.get(line)
    if (c === undefined) {
      c = this.#d.channel('irq_desc', `irq ${line}`, () => null)
      this.#channels.set(line, c)
    }
    return c
  }

  /**
   * `synchronize_irq()` → `__synchronize_irq()`. `mightSleep` false: the caller's might_sleep()
   * already printed (`disable_irq()`; the kernel's __might_resched() rate limit keeps wait_event()'s quiet).
   */
  synchronizeIrq(ctx: unknown, line: unknown, op = 'synchronize_irq()', mightSleep = true): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, op)
    const l = assertIrqLine(op, line)
    d.wait(cpu, this.#syncOp(cpu, l, mightSleep ? op : null))
  }

  /**
   * `__synchronize_hardirq()` spins while IRQD_IRQ_INPROGRESS, and only then
   * `wait_event(desc->wait_for_threads, !atomic_read(&desc->threads_active))` — whose might_sleep()
   * comes after the spin: from its own hardirq handler the spin never ends, and nothing else is printed.
   */
  *#syncOp(cpu: Cpu, line: number, mightSleepAt: string | null): Op<void> {
    const irq = this.#d.parts.irq
    const channel = this.#channel(line)
    while (irq.inProgress.has(line)) yield { tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: true }
    if (mightSleepAt !== null) this.#d.parts.reporter.mightSleep(cpu, mightSleepAt)
    while (irq.threadsActive.has(line)) yield { tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }

  /** `disable_irq()`: might_sleep(); if (!__disable_irq_nosync(irq)) synchronize_irq(irq). */
  disableIrq(ctx: unknown, line: unknown): void {
    const cpu = this.#d.cpuOf(ctx, 'disable_irq()')
    const l = assertIrqLine('disable_irq()', line)
    this.#d.parts.reporter.mightSleep(cpu, 'disable_irq()')
    this.#depthUp(l)
    this.synchronizeIrq(ctx, l, 'disable_irq()', false)
  }

  /** `disable_irq_nosync()`: depth++; may be called from IRQ context. */
  disableIrqNosync(ctx: unknown, line: unknown): void {
    this.#d.cpuOf(ctx, 'disable_irq_nosync()')
    this.#depthUp(assertIrqLine('disable_irq_nosync()', line))
  }

  #depthUp(line: number): void {
    const irq = this.#d.parts.irq
    irq.depth.set(line, (irq.depth.get(line) ?? 0) + 1)
  }

  /** `enable_irq()` → `__enable_irq()`: at depth 0 `WARN(1, "Unbalanced enable for IRQ %d\n", irq)`; at 1 the line comes back (and a pending one is resent). */
  enableIrq(ctx: unknown, line: unknown): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'enable_irq()')
    const l = assertIrqLine('enable_irq()', line)
    const irq = d.parts.irq
    const depth = irq.depth.get(l) ?? 0
    if (depth === 0) {
      d.warn(ctx, 'enable_irq()', true, `Unbalanced enable for IRQ ${l}`, '__enable_irq')
      return
    }
    if (depth === 1) irq.depth.delete(l)
    else irq.depth.set(l, depth - 1)
    this.#replay(cpu, l)
  }

  /** `free_irq()` → `__free_irq()`: WARN(in_interrupt(), …), the request mutex (sleeps), `__synchronize_irq()`, the thread stopped. */
  freeIrq(ctx: unknown, line: unknown): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'free_irq()')
    const l = assertIrqLine('free_irq()', line)
    d.warn(ctx, 'free_irq()', cpu.inInterrupt(), `Trying to free IRQ ${l} from IRQ context!`, '__free_irq')
    if (!d.parts.irq.irqs.has(l)) {
      d.warn(ctx, 'free_irq()', true, `Trying to free already-free IRQ ${l}`, '__free_irq')
      return
    }
    // mutex_lock(&desc->request_mutex): its might_sleep() before __synchronize_irq().
    d.parts.reporter.mightSleep(cpu, 'free_irq()')
    d.wait(cpu, this.#syncOp(cpu, l, null))
    d.parts.irq.irqs.delete(l)
    d.parts.irq.replay.delete(l)
    d.parts.irq.masked.delete(l)
  }
}
