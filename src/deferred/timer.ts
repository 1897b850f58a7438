/**
 * `struct timer_list` (kernel/time/timer.c, include/linux/timer.h): callbacks in the TIMER softirq
 * (`ktimers/N` with force_irqthreads(): PREEMPT_RT, `threadirqs`), with interrupts on. Each
 * `timer_setup()` site is one lockdep class (`timer->lockdep_map`): call_timer_fn() holds a copy
 * around the callback and timer_delete_sync() takes it, so holding a lock the callback takes
 * while deleting it is a circular dependency lockdep reports.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import type { CtxState } from '../rules/state.js'
import type { PreemptibleWaitCheck } from '../rules/preemptible-wait.js'
import type { InCallbackOf, SelfWaitCheck } from '../rules/self-wait.js'
import { CLAIM_BH } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import type { Op } from '../exec/wait.js'
import type { ClockEvent, DeferredChannel, DeferredCore, Runner } from './runtime.js'
import type { TimerState } from './states.js'

/**
 * A `struct timer_list`, from {@link Kernel.timerSetup}. Expiry times are jiffies (HZ=1000: one
 * jiffy is one simulated millisecond; `kernel.jiffies`).
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const stats = kernel.spinLock('stats', { fired: 0 })
 * const t = kernel.timerSetup('&priv->watchdog', (ctx) => stats.withLocked(ctx, (_ctx, s) => { s.fired++ }))
 * kernel.run((ctx) => t.modTimer(ctx, kernel.jiffies + 100))
 * kernel.advance(100) // fires in ktimers/0 on PREEMPT_RT
 * kernel.run((ctx) => t.timerDeleteSync(ctx))
 * ```
 */
export interface TimerList<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'timer_list'
  /** The timer_setup() site: its lockdep class. */
  readonly name: N
  /** `mod_timer()`: (re)arms it at `expires` (jiffies). True if it was pending. Any context. */
  modTimer(ctx: AnyContext, expires: number): boolean
  /** `timer_pending()`. */
  readonly pending: boolean
  /** `timer_delete()`: deactivates it, without waiting for a running callback. True if it was pending. Any context. */
  timerDelete(ctx: AnyContext): boolean
  /**
   * `timer_delete_sync()`: deactivates it and waits for a running callback. Spins on a normal
   * kernel, may sleep on PREEMPT_RT; not from hard interrupt context. Calling it while holding a
   * lock the callback takes is a deadlock (lockdep reports it through the timer's map).
   */
  timerDeleteSync<T extends CtxState>(
    ctx: Context<T> & PreemptibleWaitCheck<T, 'timer_delete_sync()'> & SelfWaitCheck<T, 'timer_list', N, 'timer_delete_sync()'>,
  ): boolean
  /** `timer_shutdown_sync()`: timer_delete_sync(), and later re-arms are ignored. */
  timerShutdownSync<T extends CtxState>(
    ctx: Context<T> & PreemptibleWaitCheck<T, 'timer_shutdown_sync()'> & SelfWaitCheck<T, 'timer_list', N, 'timer_shutdown_sync()'>,
  ): boolean
  /** @deprecated The old name of {@link TimerList.timerDeleteSync} (`del_timer_sync()`, gone from include/linux/timer.h). */
  delTimerSync<T extends CtxState>(
    ctx: Context<T> & PreemptibleWaitCheck<T, 'del_timer_sync()'> & SelfWaitCheck<T, 'timer_list', N, 'del_timer_sync()'>,
  ): boolean
  /** @deprecated The old name of {@link TimerList.timerDelete} (`del_timer()`). */
  delTimer(ctx: AnyContext): boolean
}

/**
 * What timer N's callback runs in: the TIMER softirq, holding the timer's lockdep map
 * (call_timer_fn()), which `timer_delete_sync()` of it from there waits on for ever.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type TimerCallbackState } from 'lockproof'
 *
 * const poll = (ctx: Context<TimerCallbackState<'poll'>>) => ctx.cpuId
 * createKernel().timerSetup('poll', poll)
 * ```
 */
export type TimerCallbackState<N extends string> = InCallbackOf<TimerState, 'timer_list', N>

export type TimerCallback<N extends string> = (ctx: Context<TimerCallbackState<N>>, timer: TimerList<N>) => unknown

export class TimerListRuntime<N extends string> implements TimerList<N>, ClockEvent {
  readonly kind = 'timer_list'
  readonly base = 'timer'
  expires = 0
  cpu = 0
  readonly #d: DeferredCore
  readonly #fn: TimerCallback<N>
  readonly #map
  /** What timer_delete_sync() waits on (a model wakes it when the callback returns). */
  readonly channel: DeferredChannel
  /** Who runs the callback now (`base->running_timer == timer`). */
  #running: Runner | null = null
  #shutdown = false

  constructor(
    d: DeferredCore,
    readonly name: N,
    fn: TimerCallback<N>,
  ) {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('timer_setup(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('timer_setup(): the callback must be a function')
    this.#d = d
    this.#fn = fn
    this.#map = d.lockMap(name)
    this.channel = d.channel('timer_list', name, () => this.#running)
  }

  get pending(): boolean {
    return this.#d.armed(this)
  }

  modTimer(ctx: AnyContext, expires: number): boolean {
    const cpu = this.#d.cpuOf(ctx, 'mod_timer()')
    if (typeof expires !== 'number' || !Number.isFinite(expires)) throw new InvalidArgumentError('mod_timer(): expires must be a finite number (jiffies)')
    const was = this.#d.disarm(this)
    // timer_shutdown*(): timer->function = NULL; "Any attempt to rearm a shutdown timer is silently ignored."
    if (this.#shutdown) return was
    this.expires = expires
    // Queued on the base of the CPU that arms it (not migrated: lockproof has no idle-CPU heuristics).
    this.cpu = cpu.id
    this.#d.arm(this)
    return was
  }

  timerDelete(ctx: AnyContext): boolean {
    this.#d.cpuOf(ctx, 'timer_delete()')
    return this.#d.disarm(this)
  }

  delTimer(ctx: AnyContext): boolean {
    return this.timerDelete(ctx)
  }

  timerDeleteSync(ctx: AnyContext): boolean {
    return this.#deleteSync(ctx, 'timer_delete_sync()', false)
  }

  timerShutdownSync(ctx: AnyContext): boolean {
    return this.#deleteSync(ctx, 'timer_shutdown_sync()', true)
  }

  delTimerSync(ctx: AnyContext): boolean {
    return this.#deleteSync(ctx, 'del_timer_sync()', false)
  }

  #deleteSync(ctx: AnyContext, op: string, shutdown: boolean): boolean {
    return this.#d.wait(this.#d.cpuOf(ctx, op), this.deleteSyncOp(ctx, op, shutdown))
  }

  /** `__timer_delete_sync()`, as an op (kernel.run drives it; a model `yield*`s it). */
  *deleteSyncOp(ctx: AnyContext, op: string, shutdown: boolean): Op<boolean> {
    const d = this.#d
    const cpu = d.cpuOf(ctx, op)
    // #ifdef CONFIG_LOCKDEP: local_irq_save(); lock_map_acquire(&timer->lockdep_map); lock_map_release(); local_irq_restore().
    ctx.core.localIrqSave((c) => {
      this.#map.acquire(c)
      this.#map.release(c)
    })
    d.warn(ctx, op, cpu.inHardirq(), 'WARN_ON(in_hardirq() && !(timer->flags & TIMER_IRQSAFE))', '__timer_delete_sync')
    if (d.preemptRt) d.warn(ctx, op, !cpu.preemptible(), 'lockdep_assert_preemption_enabled()', '__timer_delete_sync')
    return yield* this.#deleteSyncOp(shutdown)
  }

  /** The wait: `do { ret = __try_to_del_timer_sync(); if (ret < 0) del_timer_wait_running(); } while (ret < 0)`. */
  *#deleteSyncOp(shutdown: boolean): Op<boolean> {
    const rt = this.#d.preemptRt
    for (;;) {
      if (shutdown) this.#shutdown = true
      if (this.#running === null) return this.#d.disarm(this)
      // RT: spin_lock_bh(&base->expiry_lock), held by the softirq across the callback; otherwise cpu_relax().
      yield { tag: 'wait', channel: this.channel, state: rt ? 'TASK_RTLOCK_WAIT' : 'TASK_UNINTERRUPTIBLE', spin: !rt }
    }
  }

  /** `expire_timers()` → `call_timer_fn()`, in the TIMER softirq of `cpu` (interrupts on: not TIMER_IRQSAFE). */
  fire(cpu: Cpu): void {
    this.#d.callback(
      cpu,
      (ctx: Context<TimerCallbackState<N>>) => {
        this.enterCallback(cpu, ctx)
        try {
          return this.#fn(ctx, this)
        } finally {
          this.exitCallback(ctx)
        }
      },
      CLAIM_BH,
      `timer '${this.name}'`,
    )
  }

  /** `call_timer_fn()` before the callback, in its context: `base->running_timer = timer`, the timer's map taken. */
  enterCallback(cpu: Cpu, ctx: AnyContext): void {
    this.#running = this.#d.runnerOn(cpu)
    this.#map.acquire(ctx)
  }

  /** … and after it: the map released, nothing running. */
  exitCallback(ctx: AnyContext): void {
    try {
      this.#map.release(ctx)
    } finally {
      this.#running = null
    }
  }
}
