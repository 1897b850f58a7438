/**
 * `struct hrtimer` in a model: the runtime of kernel.run (../hrtimer.ts) — placement fixed at
 * setup by `__hrtimer_setup()` — its callback a generator function run in the local timer
 * interrupt's hardirq frame (`_HARD`; default mode on a normal kernel) or in the HRTIMER softirq
 * (`_SOFT`; default mode on PREEMPT_RT), `hrtimer_cancel()` an op.
 */
import type { Context } from '../../exec/context.js'
import type { AnyContext } from '../../rules/proofs.js'
import type { CtxState } from '../../rules/state.js'
import type { HrtimerCancelCheck } from '../../rules/hrtimer-cancel.js'
import type { Callback } from '../../rules/self-wait.js'
import type { Op } from '../../exec/wait.js'
import { HrtimerRuntime, THREW, type HrtimerCallbackState, type HrtimerMode, type HrtimerRestart, type HrtimerStartMode } from '../hrtimer.js'
import { invoke, ModelDeferred, runByTheModel } from './core.js'
import { touchShared } from '../../exec/explore/touched.js'

/**
 * A `struct hrtimer` of a model, from `k.hrtimerSetup()`. Times are simulated milliseconds.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const hw = k.rawSpinLock('hw', { beats: 0 })
 *   const t = k.hrtimerSetup('watchdog_hrtimer', function* (ctx) {
 *     yield* hw.withLocked(ctx, function* (_ctx, d) { d.beats++ })
 *     return 'HRTIMER_NORESTART' as const
 *   }, 'HRTIMER_MODE_REL_HARD')
 *   k.task('arm', { cpu: 0 }, function* (ctx) { t.hrtimerStart(ctx, 4, 'HRTIMER_MODE_REL_HARD') })
 * })
 * ```
 */
export interface ModelHrtimer<N extends string = string, M extends HrtimerMode = HrtimerMode> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'hrtimer'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** The mode given at setup. */
  readonly mode: M
  /** Where its callback runs on this kernel: 'hardirq' or 'softirq' (`timer->is_soft`). */
  readonly expiresIn: 'hardirq' | 'softirq'
  /** `hrtimer_active()`: armed or running. */
  readonly active: boolean
  /** `hrtimer_start()`: arms it `ms` from now (`_REL`) or at `ms` (`_ABS`) on this CPU. Any context. */
  hrtimerStart(ctx: AnyContext, ms: number, mode: HrtimerStartMode<M>): void
  /** `hrtimer_forward_now()`, from the callback before returning HRTIMER_RESTART. */
  hrtimerForwardNow(ctx: AnyContext, intervalMs: number): void
  /** `hrtimer_try_to_cancel()`: 1 if it was armed, 0 if not, -1 while its callback runs. Any context. */
  hrtimerTryToCancel(ctx: AnyContext): -1 | 0 | 1
  /** `hrtimer_cancel()`: cancels it and waits for a running callback (spins; sleeps on RT for a softirq timer); an op. */
  hrtimerCancel<T extends CtxState>(ctx: Context<T> & HrtimerCancelCheck<T, N, M>): Op<boolean>
}

/**
 * A model hrtimer's callback: a generator function returning `enum hrtimer_restart`.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelHrtimerCallback } from 'lockproof'
 *
 * const cb: ModelHrtimerCallback<'soft', 'HRTIMER_MODE_REL_SOFT'> = function* () { return 'HRTIMER_NORESTART' }
 * defineModel((k) => { k.hrtimerSetup('soft', cb, 'HRTIMER_MODE_REL_SOFT') })
 * ```
 */
export type ModelHrtimerCallback<N extends string, M extends HrtimerMode> = Callback<
  [ctx: Context<HrtimerCallbackState<N, M>>, timer: ModelHrtimer<N, M>],
  Op<HrtimerRestart>
>

export const hrtimerSetupFactory =
  (host: object) =>
  <const N extends string, const M extends HrtimerMode>(name: N, fn: ModelHrtimerCallback<N, M>, mode: M): ModelHrtimer<N, M> => {
    const d = ModelDeferred.of(host)
    const rt = new HrtimerRuntime<N, M>(d, name, runByTheModel, mode)
    const what = `hrtimer '${name}'`
    const timer: ModelHrtimer<N, M> = Object.freeze({
      kind: 'hrtimer' as const,
      name,
      mode,
      expiresIn: rt.expiresIn,
      get active() {
        touchShared()
        return rt.active
      },
      hrtimerStart: (ctx: AnyContext, ms: number, m: HrtimerStartMode<M>) => rt.hrtimerStart(ctx, ms, m),
      hrtimerForwardNow: (ctx: AnyContext, intervalMs: number) => rt.hrtimerForwardNow(ctx, intervalMs),
      hrtimerTryToCancel: (ctx: AnyContext) => rt.hrtimerTryToCancel(ctx),
      hrtimerCancel: (ctx: AnyContext) => d.host.track(rt.cancelOp(ctx), 'hrtimer_cancel()'),
    })
    // __run_hrtimer(): lockdep_hrtimer_enter(), fn(timer), the restart decision.
    d.onFire(rt, function* (cpu) {
      const threaded = rt.enterCallback(cpu)
      let restart: unknown = THREW
      try {
        restart = yield* d.callbackOp(cpu, rt.claims, what, (ctx) => invoke<HrtimerRestart>(what, fn, ctx, timer))
      } finally {
        rt.exitCallback(cpu, threaded, restart)
        d.wake(rt.channel)
      }
    })
    return timer
  }
