/**
 * `timer_list` in a model: the runtime of kernel.run (../timer.ts), its callback a generator
 * function run in the TIMER softirq (a frame over the interrupted task on a normal kernel,
 * `ktimers/N` with forced irq threads), `timer_delete_sync()` an op. Expiry is the local timer
 * interrupt, an arrival the explorer chooses (./core.ts).
 */
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { PreemptibleWaitCheck } from '../../rules/preemptible-wait.js'
import type { Callback, SelfWaitCheck } from '../../rules/self-wait.js'
import { CLAIM_BH } from '../../exec/claims.js'
import type { Op } from '../../exec/wait.js'
import { TimerListRuntime } from '../timer.js'
import type { TimerCallbackState } from '../timer.js'
import { invoke, ModelDeferred, runByTheModel } from './core.js'
import { touchShared } from '../../exec/explore/touched.js'

/**
 * A `struct timer_list` of a model, from `k.timerSetup()`. Expiry times are jiffies (one a
 * simulated millisecond; `k.jiffies`); when it expires is the explorer's choice.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const stats = k.spinLock('stats', { fired: 0 })
 *   const t = k.timerSetup('&priv->watchdog', function* (ctx) {
 *     yield* stats.withLocked(ctx, function* (_ctx, s) { s.fired++ })
 *   })
 *   k.task('arm', { cpu: 0 }, function* (ctx) {
 *     t.modTimer(ctx, k.jiffies + 100)
 *     yield* t.timerDeleteSync(ctx)
 *   })
 * })
 * ```
 */
export interface ModelTimerList<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'timer_list'
  /** The timer_setup() site: its lockdep class. */
  readonly name: N
  /** `timer_pending()`. */
  readonly pending: boolean
  /** `mod_timer()`: (re)arms it at `expires` (jiffies) on this CPU. True if it was pending. Any context. */
  modTimer(ctx: AnyContext, expires: number): boolean
  /** `timer_delete()`: deactivates it without waiting for a running callback. Any context. */
  timerDelete(ctx: AnyContext): boolean
  /**
   * `timer_delete_sync()`: deactivates it and waits for a running callback (spins on a normal
   * kernel, sleeps on RT's expiry_lock); an op. Under a lock the callback takes: a deadlock.
   */
  timerDeleteSync<T extends CtxState>(
    ctx: Context<T> & PreemptibleWaitCheck<T, 'timer_delete_sync()'> & SelfWaitCheck<T, 'timer_list', N, 'timer_delete_sync()'>,
  ): Op<boolean>
  /** `timer_shutdown_sync()`: timer_delete_sync(), and later re-arms are ignored; an op. */
  timerShutdownSync<T extends CtxState>(
    ctx: Context<T> & PreemptibleWaitCheck<T, 'timer_shutdown_sync()'> & SelfWaitCheck<T, 'timer_list', N, 'timer_shutdown_sync()'>,
  ): Op<boolean>
}

/**
 * A model timer's callback: a generator function in the TIMER softirq.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelTimerCallback } from 'lockproof'
 *
 * defineModel((k) => {
 *   const stats = k.spinLock('stats', { n: 0 })
 *   const cb: ModelTimerCallback<'t'> = function* (ctx) { yield* stats.withLocked(ctx, function* (_ctx, s) { s.n++ }) }
 *   k.timerSetup('t', cb)
 * })
 * ```
 */
export type ModelTimerCallback<N extends string> = Callback<[ctx: Context<TimerCallbackState<N>>, timer: ModelTimerList<N>], Op<unknown>>

export const timerSetupFactory =
  (host: object) =>
  <const N extends string>(name: N, fn: ModelTimerCallback<N>): ModelTimerList<N> => {
    const d = ModelDeferred.of(host)
    const rt = new TimerListRuntime<N>(d, name, runByTheModel)
    const what = `timer '${name}'`
    const timer: ModelTimerList<N> = Object.freeze({
      kind: 'timer_list' as const,
      name,
      get pending() {
        touchShared()
        return rt.pending
      },
      modTimer: (ctx: AnyContext, expires: number) => rt.modTimer(ctx, expires),
      timerDelete: (ctx: AnyContext) => rt.timerDelete(ctx),
      timerDeleteSync: (ctx: AnyContext) => d.host.track(rt.deleteSyncOp(ctx, 'timer_delete_sync()', false), 'timer_delete_sync()'),
      timerShutdownSync: (ctx: AnyContext) => d.host.track(rt.deleteSyncOp(ctx, 'timer_shutdown_sync()', true), 'timer_shutdown_sync()'),
    })
    // expire_timers() → call_timer_fn(): interrupts on, the timer's map around the callback.
    d.onFire(rt, (cpu) =>
      d.callbackOp(cpu, CLAIM_BH, what, function* (ctx) {
        rt.enterCallback(cpu, ctx)
        try {
          yield* invoke(what, fn, ctx, timer)
        } finally {
          rt.exitCallback(ctx)
          d.wake(rt.channel)
        }
      }),
    )
    return timer
  }
