/**
 * `struct completion` (kernel/sched/completion.c, include/linux/completion.h): a `done` count
 * and a simple wait queue (swait) whose lock is a raw_spinlock_t — so complete() may be called
 * from any context, hardirq included, on both kernels. Waiting always might_sleep()s. No lockdep
 * modelling of the wait (complete_acquire()/complete_release() are empty stubs): a missing
 * complete() is found by the hung-task detector. `complete_all()` sets `done` to UINT_MAX and
 * asserts `lockdep_assert_RT_in_threaded_ctx()`.
 */
import type { Context } from '../exec/context.js'
import type { ScopeContext } from '../exec/scope.js'
import type { Op, WaitChannel, WaitState, WakeReason } from '../exec/wait.js'
import type { CanSleep } from '../rules/sleep.js'
import type { NotInNmi } from '../rules/nmi.js'
import type { ThreadedCheck } from '../rules/threaded.js'
import type { CtxState } from '../rules/state.js'
import { NEG_ERESTARTSYS } from './errno.js'
import type { WaitHost } from './host.js'
import { InnerLock } from './inner-lock.js'
import { intArg, usable } from './args.js'

/**
 * `UINT_MAX`: complete_all()'s `done`, never decremented.
 *
 * @example
 * ```ts
 * import { createKernel, UINT_MAX } from 'lockproof'
 *
 * const kernel = createKernel()
 * const done = kernel.completion('done')
 * kernel.run((ctx) => done.completeAll(ctx))
 * console.log(done.done === UINT_MAX) // true: every wait passes until reinitCompletion()
 * ```
 */
export const UINT_MAX = 0xffffffff

/** The swait lock as lockdep names it: DECLARE_COMPLETION's `__RAW_SPIN_LOCK_UNLOCKED(name.wait.lock)`. */
type SwaitLock<N extends string> = `raw_spinlock_t '(${N}).wait.lock'`

/**
 * A completion, `DECLARE_COMPLETION(name)`. Waiting may sleep (task context, nothing atomic);
 * complete() and the non-waiting queries may be called from any context but NMI; complete_all()
 * not from a hardirq handler that PREEMPT_RT would not thread.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const done = kernel.completion('fw_loaded')
 * kernel.requestIrq(5, 'fw', (ctx) => done.complete(ctx), { noThread: true }) // raw swait lock: fine in hardirq
 * kernel.raiseIrq(5)
 * kernel.run((ctx) => done.waitForCompletion(ctx)) // done was 1: returns at once
 * console.log(kernel.run((ctx) => done.waitForCompletionTimeout(ctx, 100))) // 0: timed out (100 ms later)
 * ```
 */
export interface Completion<N extends string = string> {
  /** Always `'completion'`. */
  readonly kind: 'completion'
  /** The name it was made with (its inner lock's lockdep class is named after it). */
  readonly name: N
  /** `x->done`: complete()s not yet consumed (UINT_MAX after complete_all()). */
  readonly done: number
  /** `reinit_completion()`: `x->done = 0` (after complete_all(), before reuse). */
  reinitCompletion(): void
  /** `wait_for_completion()`: TASK_UNINTERRUPTIBLE until a complete() is consumed. */
  waitForCompletion<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion()'>>): void
  /** `wait_for_completion_io()`: the same, accounted as I/O wait. */
  waitForCompletionIo<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_io()'>>): void
  /** `wait_for_completion_timeout()`: 0 when timed out, else the jiffies left (at least 1). */
  waitForCompletionTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_timeout()'>>, jiffies: number): number
  /** `wait_for_completion_io_timeout()`: as `waitForCompletionTimeout`, accounted as I/O wait. */
  waitForCompletionIoTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_io_timeout()'>>, jiffies: number): number
  /** `wait_for_completion_interruptible()`: 0, or -ERESTARTSYS (-512) when a signal ends the sleep. */
  waitForCompletionInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_interruptible()'>>): 0 | -512
  /** `wait_for_completion_interruptible_timeout()`: -ERESTARTSYS, 0 when timed out, else the jiffies left (at least 1). */
  waitForCompletionInterruptibleTimeout<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_interruptible_timeout()'>>,
    jiffies: number,
  ): number
  /** `wait_for_completion_killable()`: 0, or -ERESTARTSYS (-512) when a fatal signal ends the sleep. */
  waitForCompletionKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_killable()'>>): 0 | -512
  /** `wait_for_completion_killable_timeout()`: -ERESTARTSYS, 0 when timed out, else the jiffies left (at least 1). */
  waitForCompletionKillableTimeout<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_killable_timeout()'>>,
    jiffies: number,
  ): number
  /** `try_wait_for_completion()`: consumes a complete() if there is one (true), never waits. */
  tryWaitForCompletion<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'try_wait_for_completion()', SwaitLock<N>>>): boolean
  /** `completion_done()`: true when a complete() is unconsumed (the code's meaning: `return READ_ONCE(x->done) != 0` in effect). */
  completionDone<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'completion_done()', SwaitLock<N>>>): boolean
  /** `complete()`: `done++` and wakes the first waiter (FIFO). Any context but NMI, hardirq included, on both kernels. */
  complete<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'complete()', SwaitLock<N>>>): void
  /** `complete_all()`: `done = UINT_MAX` and wakes every waiter; lockdep warns in a hardirq handler RT would not thread. */
  completeAll<T extends CtxState>(ctx: Context<T> & NoInfer<ThreadedCheck<T, 'complete_all()'>>): void
}

interface SwaitEntry {
  readonly channel: WaitChannel
  queued: boolean
}

export class CompletionRuntime {
  done = 0
  readonly #queue: SwaitEntry[] = []
  readonly #lock: InnerLock

  constructor(
    readonly host: WaitHost,
    readonly name: string,
  ) {
    this.#lock = new InnerLock(host, 'raw_spinlock_t', `(${name}).wait.lock`)
  }

  #dequeue(e: SwaitEntry): void {
    if (!e.queued) return
    e.queued = false
    const at = this.#queue.indexOf(e)
    if (at >= 0) this.#queue.splice(at, 1)
  }

  /** `if (x->done != UINT_MAX) x->done--;`, then `return timeout ?: 1;`. */
  #consume(left: number): number {
    if (this.done !== UINT_MAX) this.done--
    return left === 0 ? 1 : left
  }

  /**
   * `__wait_for_common()`: might_sleep(), then `do_wait_for_common()` under the lock — if `done`
   * is 0, queue (`__prepare_to_swait()`), sleep, and after each wake-up: `done` → consume it; the
   * timeout run out → 0; a signal the state lets in → -ERESTARTSYS; else queue again. Returns the
   * jiffies left (Infinity for MAX_SCHEDULE_TIMEOUT), 0, or -ERESTARTSYS.
   */
  *waitOp(pub: unknown, what: string, state: WaitState, timeout: number | null): Op<number> {
    const { ctx, cpu } = usable(what, pub)
    this.host.mightSleep(cpu, what)
    const clock = this.host.machine
    const deadline = timeout === null ? null : clock.clockMs + timeout
    const left = (): number => (deadline === null ? Number.POSITIVE_INFINITY : Math.max(0, deadline - clock.clockMs))
    const entry: SwaitEntry = { channel: this.host.channel('completion', this.name), queued: false }
    const at = this.#lock.locked(ctx, (): number | null => {
      if (this.done > 0) return this.#consume(left())
      this.#enqueue(entry)
      return null
    })
    if (at !== null) return at
    try {
      for (;;) {
        const reason: WakeReason | undefined = yield deadline === null
          ? { tag: 'wait', channel: entry.channel, state, spin: false }
          : { tag: 'wait', channel: entry.channel, state, spin: false, timeoutMs: left() }
        const remaining = reason === 'timeout' ? 0 : left()
        const r = this.#lock.locked(ctx, (): number | null => {
          if (this.done > 0) {
            this.#dequeue(entry)
            return this.#consume(remaining)
          }
          if (remaining === 0) return 0
          if (reason === 'signal') return NEG_ERESTARTSYS
          this.#enqueue(entry)
          return null
        })
        if (r !== null) return r
      }
    } finally {
      this.#dequeue(entry)
    }
  }

  /** `__prepare_to_swait()`: `if (list_empty(&wait->task_list)) list_add_tail(...)`. */
  #enqueue(e: SwaitEntry): void {
    if (e.queued) return
    e.queued = true
    this.#queue.push(e)
  }

  tryWait(ctx: ScopeContext): boolean {
    if (this.done === 0) return false
    return this.#lock.locked(ctx, () => {
      if (this.done === 0) return false
      if (this.done !== UINT_MAX) this.done--
      return true
    })
  }

  completionDone(ctx: ScopeContext): boolean {
    if (this.done === 0) return false
    // "Make sure that complete() has finished before returning": the lock is taken and dropped.
    this.#lock.locked(ctx, () => undefined)
    return true
  }

  /** `complete()`: `if (x->done != UINT_MAX) x->done++; swake_up_locked(&x->wait);`. */
  complete(ctx: ScopeContext): void {
    const woken = this.#lock.locked(ctx, () => {
      if (this.done !== UINT_MAX) this.done++
      const first = this.#queue.shift()
      if (first !== undefined) first.queued = false
      return first
    })
    if (woken !== undefined) this.host.waker.wake(woken.channel, 1)
  }

  /** `complete_all()`: the threaded-context assertion, then `x->done = UINT_MAX; swake_up_all_locked(&x->wait);`. */
  completeAll(ctx: ScopeContext, what: string): void {
    const cpu = ctx.assertUsable(what)
    const o = this.host.options
    // lockdep_assert_RT_in_threaded_ctx(): CONFIG_PROVE_RAW_LOCK_NESTING, debug_locks, in hardirq, not a threadable handler.
    if (o.proveRawLockNesting && this.host.lockdepActive() && cpu.inHardirq() && !cpu.hardirqThreaded) {
      this.host.warnOnce(cpu, 'not-in-threaded-context', 'kernel/sched/completion.c at complete_all()')
    }
    const woken = this.#lock.locked(ctx, () => {
      this.done = UINT_MAX
      const all = this.#queue.splice(0)
      for (const e of all) e.queued = false
      return all
    })
    for (const e of woken) this.host.waker.wake(e.channel, 1)
  }
}

/** The synchronous flavour (`kernel.completion()`). */
export const syncCompletion = <N extends string>(rt: CompletionRuntime): Completion<N> => {
  const wait = (what: string, ctx: unknown, state: WaitState, timeout: number | null): number =>
    rt.host.drive(usable(what, ctx).cpu, rt.waitOp(ctx, what, state, timeout))
  const jiffies = (what: string, j: unknown): number => intArg(what, 'the timeout (jiffies)', j)
  const c = {
    kind: 'completion' as const,
    name: rt.name as N,
    get done() {
      return rt.done
    },
    reinitCompletion: () => {
      rt.done = 0
    },
    waitForCompletion: (ctx: unknown) => {
      wait('wait_for_completion()', ctx, 'TASK_UNINTERRUPTIBLE', null)
    },
    waitForCompletionIo: (ctx: unknown) => {
      wait('wait_for_completion_io()', ctx, 'TASK_UNINTERRUPTIBLE', null)
    },
    waitForCompletionTimeout: (ctx: unknown, j: unknown) => {
      const what = 'wait_for_completion_timeout()'
      return wait(what, ctx, 'TASK_UNINTERRUPTIBLE', jiffies(what, j))
    },
    waitForCompletionIoTimeout: (ctx: unknown, j: unknown) => {
      const what = 'wait_for_completion_io_timeout()'
      return wait(what, ctx, 'TASK_UNINTERRUPTIBLE', jiffies(what, j))
    },
    waitForCompletionInterruptible: (ctx: unknown) => Math.min(0, wait('wait_for_completion_interruptible()', ctx, 'TASK_INTERRUPTIBLE', null)),
    waitForCompletionInterruptibleTimeout: (ctx: unknown, j: unknown) => {
      const what = 'wait_for_completion_interruptible_timeout()'
      return wait(what, ctx, 'TASK_INTERRUPTIBLE', jiffies(what, j))
    },
    waitForCompletionKillable: (ctx: unknown) => Math.min(0, wait('wait_for_completion_killable()', ctx, 'TASK_KILLABLE', null)),
    waitForCompletionKillableTimeout: (ctx: unknown, j: unknown) => {
      const what = 'wait_for_completion_killable_timeout()'
      return wait(what, ctx, 'TASK_KILLABLE', jiffies(what, j))
    },
    tryWaitForCompletion: (ctx: unknown) => rt.tryWait(usable('try_wait_for_completion()', ctx).ctx),
    completionDone: (ctx: unknown) => rt.completionDone(usable('completion_done()', ctx).ctx),
    complete: (ctx: unknown) => rt.complete(usable('complete()', ctx).ctx),
    completeAll: (ctx: unknown) => rt.completeAll(usable('complete_all()', ctx).ctx, 'complete_all()'),
  }
  return Object.freeze(c) as unknown as Completion<N>
}
