/**
 * `struct wait_queue_head` (include/linux/wait.h, kernel/sched/wait.c): a list of entries and a
 * spinlock_t taken irqsave by every operation — a sleeping lock on PREEMPT_RT, so waking is
 * invalid where only raw spinlocks may be taken (a hardirq handler RT does not thread, a raw
 * spinlock held, interrupts off): on RT the spinlock_t's own "sleeping function called from
 * invalid context", with lockdep "Invalid wait context" on both kernels. A force-threaded
 * handler may wake (on RT it is a task).
 *
 * Entries: non-exclusive ones are added at the head, exclusive ones at the tail
 * (`prepare_to_wait_event()`); a wake-up wakes every non-exclusive sleeper and `nr` exclusive
 * ones (0: all), only sleepers whose state the mode matches (`TASK_NORMAL` or
 * `TASK_INTERRUPTIBLE`), and takes each woken entry off (`autoremove_wake_function()`). A
 * wake-up nobody sleeps for is lost.
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import type { Op, WaitChannel, WaitState, WakeReason } from '../exec/wait.js'
import type { CanSleep } from '../rules/sleep.js'
import type { WakeCheck } from '../rules/wake.js'
import type { CtxState } from '../rules/state.js'
import { NEG_ERESTARTSYS } from './errno.js'
import type { WaitHost } from './host.js'
import { InnerLock } from './inner-lock.js'
import { condArg, intArg, usable } from './args.js'

/**
 * A wait_event() condition: user code, evaluated in the waiter's context before each sleep (and
 * once before queueing), so it may take locks as that context allows.
 *
 * @example
 * ```ts
 * import { createKernel, type FreshTaskState, type WaitCondition } from 'lockproof'
 *
 * const kernel = createKernel()
 * const ring = kernel.spinLock('ring', { ready: 1 })
 * const rx = kernel.waitQueue('rx_wait')
 * const ready: WaitCondition<FreshTaskState> = (ctx) => ring.withLocked(ctx, (_ctx, r) => r.ready > 0)
 * kernel.run((ctx) => rx.waitEvent(ctx, ready))
 * ```
 */
export type WaitCondition<T extends CtxState> = (ctx: Context<T>) => boolean

/**
 * A wait queue head, `DECLARE_WAIT_QUEUE_HEAD(name)`. `wait_event*()` may sleep; `wake_up*()` take
 * the head's spinlock_t, so they may not be called where only raw spinlocks may be taken.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const rx = kernel.waitQueue('rx_wait')
 * const ring = { ready: 0 }
 * kernel.requestIrq(9, 'nic', (ctx) => { ring.ready++; rx.wakeUp(ctx) }) // threaded on RT: fine there
 * kernel.raiseIrq(9)
 * kernel.run((ctx) => rx.waitEvent(ctx, () => ring.ready > 0)) // already true: returns at once
 * console.log(kernel.run((ctx) => rx.waitEventTimeout(ctx, () => ring.ready > 1, 10))) // 0: timed out
 * ```
 */
export interface WaitQueueHead<N extends string = string> {
  /** Always `'wait_queue_head'`. */
  readonly kind: 'wait_queue_head'
  /** The name it was made with (its inner lock's lockdep class is named after it). */
  readonly name: N
  /** `wait_event(wq, condition)`: TASK_UNINTERRUPTIBLE until `cond` is true (checked before each sleep). */
  waitEvent<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event()'>>, cond: WaitCondition<NoInfer<T>>): void
  /** `wait_event_interruptible()`: 0, or -ERESTARTSYS (-512) when a signal ends the wait. */
  waitEventInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_interruptible()'>>, cond: WaitCondition<NoInfer<T>>): 0 | -512
  /** `wait_event_killable()`: 0, or -ERESTARTSYS (-512) when a fatal signal ends the wait. */
  waitEventKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_killable()'>>, cond: WaitCondition<NoInfer<T>>): 0 | -512
  /** `wait_event_interruptible_exclusive()`: an exclusive waiter (one of them per wake_up()). */
  waitEventInterruptibleExclusive<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_interruptible_exclusive()'>>,
    cond: WaitCondition<NoInfer<T>>,
  ): 0 | -512
  /** `wait_event_timeout()`: 0 if `cond` is still false after `jiffies`, 1 if it became true just then, else the jiffies left. */
  waitEventTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_timeout()'>>, cond: WaitCondition<NoInfer<T>>, jiffies: number): number
  /** `wait_event_interruptible_timeout()`: as `waitEventTimeout`, or -ERESTARTSYS. */
  waitEventInterruptibleTimeout<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_interruptible_timeout()'>>,
    cond: WaitCondition<NoInfer<T>>,
    jiffies: number,
  ): number
  /** `wake_up()`: every non-exclusive sleeper and one exclusive one. */
  wakeUp<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up()'>>): void
  /** `wake_up_nr(wq, nr)`: every non-exclusive sleeper and `nr` exclusive ones. */
  wakeUpNr<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_nr()'>>, nr: number): void
  /** `wake_up_all()`: every sleeper. */
  wakeUpAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_all()'>>): void
  /** `wake_up_interruptible()`: as wake_up(), TASK_INTERRUPTIBLE sleepers only (not wait_event()'s). */
  wakeUpInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_interruptible()'>>): void
  /** `wake_up_interruptible_all()`: every TASK_INTERRUPTIBLE sleeper. */
  wakeUpInterruptibleAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_interruptible_all()'>>): void
}

/** A `struct wait_queue_entry` of a waiting task. */
export interface WaitEntry {
  readonly channel: WaitChannel
  readonly exclusive: boolean
  state: WaitState
  queued: boolean
  /** In schedule(), its state not yet set back to TASK_RUNNING: what try_to_wake_up() can wake. */
  sleeping: boolean
}

/** A wake-up's mode: `TASK_NORMAL` (INTERRUPTIBLE | UNINTERRUPTIBLE, killable included) or `TASK_INTERRUPTIBLE`. */
export type WakeMode = 'TASK_NORMAL' | 'TASK_INTERRUPTIBLE'

export class WaitQueueRuntime {
  readonly #entries: WaitEntry[] = []
  readonly #lock: InnerLock

  constructor(
    readonly host: WaitHost,
    readonly name: string,
    /** The head's spinlock_t class: `name.lock` (DECLARE_WAIT_QUEUE_HEAD), `name` (the Rust CondVar's __init_waitqueue_head()). */
    className: string,
    readonly channelKind: string,
  ) {
    this.#lock = new InnerLock(host, 'spinlock_t', className)
  }

  newEntry(exclusive: boolean, state: WaitState): WaitEntry {
    return { channel: this.host.channel(this.channelKind, this.name), exclusive, state, queued: false, sleeping: false }
  }

  /** Takes `e` off without the lock (it is off already, or its op is being abandoned). */
  forget(e: WaitEntry): void {
    e.sleeping = false
    if (!e.queued) return
    e.queued = false
    const at = this.#entries.indexOf(e)
    if (at >= 0) this.#entries.splice(at, 1)
  }

  #add(e: WaitEntry): void {
    if (e.queued) return
    e.queued = true
    if (e.exclusive) this.#entries.push(e)
    else this.#entries.unshift(e)
  }

  /**
   * `prepare_to_wait_event()`: under the lock, a pending signal the state lets in takes the
   * entry off and returns -ERESTARTSYS; else the entry is queued if it is not, and the state set.
   */
  prepareToWaitEvent(ctx: ScopeContext, e: WaitEntry, signalPending: boolean): 0 | -512 {
    return this.#lock.locked(ctx, () => {
      if (signalPending) {
        this.forget(e)
        return NEG_ERESTARTSYS
      }
      this.#add(e)
      return 0
    })
  }

  /** `prepare_to_wait_exclusive()` (the Rust CondVar's): queue at the tail if not queued, set the state. No signal check. */
  prepareToWaitExclusive(ctx: ScopeContext, e: WaitEntry): void {
    this.#lock.locked(ctx, () => this.#add(e))
  }

  /** `finish_wait()`: `if (!list_empty_careful(&wq_entry->entry))` take it off under the lock. */
  finishWait(ctx: ScopeContext, e: WaitEntry): void {
    e.sleeping = false
    if (e.queued) this.#lock.locked(ctx, () => this.forget(e))
  }

  /** Sleeps on `e` (the caller set it up): what the executor resumes the task with. */
  *sleep(e: WaitEntry, timeoutMs: number | undefined): Op<WakeReason | undefined> {
    e.sleeping = true
    try {
      return yield timeoutMs === undefined
        ? { tag: 'wait', channel: e.channel, state: e.state, spin: false }
        : { tag: 'wait', channel: e.channel, state: e.state, spin: false, timeoutMs }
    } finally {
      e.sleeping = false
    }
  }

  /**
   * `___wait_event()` after the wait_event*() wrapper's might_sleep() and first check: loop {
   * prepare_to_wait_event(); if (condition) break; if (interruptible && signal) return
   * -ERESTARTSYS; schedule(); if (condition) break; }; finish_wait(). With a timeout the condition is
   * `___wait_cond_timeout()` and `schedule_timeout()` leaves the jiffies left in `ret`.
   */
  *waitEventOp(pub: unknown, what: string, state: WaitState, exclusive: boolean, condition: unknown, timeout: number | null): Op<number> {
    const { ctx, cpu } = usable(what, pub)
    const cond = condArg(what, condition)
    this.host.mightSleep(cpu, what)
    const clock = this.host.machine
    const deadline = timeout === null ? null : clock.clockMs + timeout
    let ret = timeout ?? 0
    const publicCtx = ScopeContext.public<CtxState>(ctx)
    // ___wait_cond_timeout(): `bool __cond = (condition); if (__cond && !__ret) __ret = 1; __cond || !__ret;`
    const check =
      timeout === null
        ? () => Boolean(cond(publicCtx))
        : () => {
            const c = Boolean(cond(publicCtx))
            if (c && ret === 0) ret = 1
            return c || ret === 0
          }
    if (check()) return ret
    const e = this.newEntry(exclusive, state)
    let signalPending = false
    try {
      for (;;) {
        const interrupted = this.prepareToWaitEvent(ctx, e, signalPending)
        if (check()) break
        if (interrupted !== 0) return interrupted
        const reason = yield* this.sleep(e, deadline === null ? undefined : Math.max(0, deadline - clock.clockMs))
        if (reason === 'signal') signalPending = true
        if (deadline !== null) ret = reason === 'timeout' ? 0 : Math.max(0, deadline - clock.clockMs)
        if (check()) break
      }
      this.finishWait(ctx, e)
      return ret
    } finally {
      this.forget(e)
    }
  }

  /** `__wake_up()` under the lock; the woken entries' tasks are made runnable after it. */
  wake(ctx: ScopeContext, mode: WakeMode, nr: number): void {
    const woken = this.#lock.locked(ctx, () => {
      const out: WaitEntry[] = []
      let exclusiveLeft = nr
      for (const e of [...this.#entries]) {
        if (!e.sleeping) continue
        if (mode === 'TASK_INTERRUPTIBLE' && e.state !== 'TASK_INTERRUPTIBLE') continue
        // autoremove_wake_function(): woken, then taken off.
        this.forget(e)
        out.push(e)
        if (e.exclusive && nr !== 0 && --exclusiveLeft === 0) break
      }
      return out
    })
    for (const e of woken) this.host.waker.wake(e.channel, 1)
  }
}

/** The synchronous flavour (`kernel.waitQueue()`). */
export const syncWaitQueue = <N extends string>(rt: WaitQueueRuntime): WaitQueueHead<N> => {
  const wait = (what: string, ctx: unknown, state: WaitState, exclusive: boolean, cond: unknown, timeout: number | null): number =>
    rt.host.drive(usable(what, ctx).cpu, rt.waitEventOp(ctx, what, state, exclusive, condArg(what, cond), timeout))
  const jiffies = (what: string, j: unknown): number => intArg(what, 'the timeout (jiffies)', j)
  const wake = (what: string, ctx: unknown, mode: WakeMode, nr: number): void => rt.wake(usable(what, ctx).ctx, mode, nr)
  const wq = {
    kind: 'wait_queue_head' as const,
    name: rt.name as N,
    waitEvent: (ctx: unknown, cond: unknown) => {
      wait('wait_event()', ctx, 'TASK_UNINTERRUPTIBLE', false, cond, null)
    },
    waitEventInterruptible: (ctx: unknown, cond: unknown) => wait('wait_event_interruptible()', ctx, 'TASK_INTERRUPTIBLE', false, cond, null),
    waitEventKillable: (ctx: unknown, cond: unknown) => wait('wait_event_killable()', ctx, 'TASK_KILLABLE', false, cond, null),
    waitEventInterruptibleExclusive: (ctx: unknown, cond: unknown) => wait('wait_event_interruptible_exclusive()', ctx, 'TASK_INTERRUPTIBLE', true, cond, null),
    waitEventTimeout: (ctx: unknown, cond: unknown, j: unknown) =>
      wait('wait_event_timeout()', ctx, 'TASK_UNINTERRUPTIBLE', false, cond, jiffies('wait_event_timeout()', j)),
    waitEventInterruptibleTimeout: (ctx: unknown, cond: unknown, j: unknown) =>
      wait('wait_event_interruptible_timeout()', ctx, 'TASK_INTERRUPTIBLE', false, cond, jiffies('wait_event_interruptible_timeout()', j)),
    wakeUp: (ctx: unknown) => wake('wake_up()', ctx, 'TASK_NORMAL', 1),
    wakeUpNr: (ctx: unknown, nr: unknown) => wake('wake_up_nr()', ctx, 'TASK_NORMAL', intArg('wake_up_nr()', 'nr', nr)),
    wakeUpAll: (ctx: unknown) => wake('wake_up_all()', ctx, 'TASK_NORMAL', 0),
    wakeUpInterruptible: (ctx: unknown) => wake('wake_up_interruptible()', ctx, 'TASK_INTERRUPTIBLE', 1),
    wakeUpInterruptibleAll: (ctx: unknown) => wake('wake_up_interruptible_all()', ctx, 'TASK_INTERRUPTIBLE', 0),
  }
  return Object.freeze(wq) as unknown as WaitQueueHead<N>
}
