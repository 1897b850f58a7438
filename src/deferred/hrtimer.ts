/**
 * `struct hrtimer` (kernel/time/hrtimer.c `__hrtimer_setup()`): where the callback runs is fixed
 * at setup by the mode — `_HARD`: hardirq on both kernels; `_SOFT`: the HRTIMER softirq on both;
 * neither: hardirq on a normal kernel and the HRTIMER softirq on PREEMPT_RT ("hrtimers which are
 * not explicitly marked for hard interrupt expiry mode are moved into soft interrupt context").
 * A default-mode callback in hardirq runs under lockdep's `irq_config` (`lockdep_hrtimer_enter()`),
 * so spinlock_t is allowed there (LD_WAIT_CONFIG); only `_HARD` callbacks are held to raw locks.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import type { CtxState } from '../rules/state.js'
import type { HrtimerCancelCheck } from '../rules/hrtimer-cancel.js'
import type { InCallbackOf } from '../rules/self-wait.js'
import { CLAIM_BH, CLAIM_IRQS_OFF } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import type { Op } from '../exec/wait.js'
import type { ClockEvent, DeferredChannel, DeferredCore, Runner } from './runtime.js'
import type { HardHrtimerState, HrtimerState, SoftHrtimerState } from './states.js'

/**
 * `enum hrtimer_mode` (include/linux/hrtimer.h): ABS/REL, optionally PINNED, and SOFT or HARD.
 *
 * @example
 * ```ts
 * import { createKernel, type HrtimerMode } from 'lockproof'
 *
 * const mode: HrtimerMode = 'HRTIMER_MODE_REL_SOFT'
 * createKernel().hrtimerSetup('t', () => 'HRTIMER_NORESTART', mode)
 * ```
 */
export type HrtimerMode =
  | 'HRTIMER_MODE_ABS'
  | 'HRTIMER_MODE_REL'
  | 'HRTIMER_MODE_ABS_PINNED'
  | 'HRTIMER_MODE_REL_PINNED'
  | 'HRTIMER_MODE_ABS_SOFT'
  | 'HRTIMER_MODE_REL_SOFT'
  | 'HRTIMER_MODE_ABS_PINNED_SOFT'
  | 'HRTIMER_MODE_REL_PINNED_SOFT'
  | 'HRTIMER_MODE_ABS_HARD'
  | 'HRTIMER_MODE_REL_HARD'
  | 'HRTIMER_MODE_ABS_PINNED_HARD'
  | 'HRTIMER_MODE_REL_PINNED_HARD'

/**
 * The modes `hrtimer_start()` may use for a timer set up with M, on both kernels: the same expiry
 * (plain, `_SOFT` or `_HARD`), relative or absolute, pinned or not. kernel/time/hrtimer.c
 * `hrtimer_start_range_ns()` checks only the expiry bit: `WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT)
 * ^ !timer->is_soft)` on a normal kernel, `… HRTIMER_MODE_HARD) ^ !timer->is_hard)` on RT.
 *
 * @example
 * ```ts
 * import type { HrtimerStartMode } from 'lockproof'
 *
 * const abs: HrtimerStartMode<'HRTIMER_MODE_REL'> = 'HRTIMER_MODE_ABS' // the same expiry: fine
 * console.log(abs)
 * ```
 */
export type HrtimerStartMode<M extends HrtimerMode> = M extends `${string}_SOFT`
  ? Extract<HrtimerMode, `${string}_SOFT`>
  : M extends `${string}_HARD`
    ? Extract<HrtimerMode, `${string}_HARD`>
    : Exclude<HrtimerMode, `${string}_SOFT` | `${string}_HARD`>

/**
 * `enum hrtimer_restart`.
 *
 * @example
 * ```ts
 * import type { HrtimerRestart } from 'lockproof'
 *
 * const once: HrtimerRestart = 'HRTIMER_NORESTART'
 * console.log(once)
 * ```
 */
export type HrtimerRestart = 'HRTIMER_NORESTART' | 'HRTIMER_RESTART'

/**
 * The state a callback of `mode` starts in: the stricter of the two kernels' places.
 *
 * @example
 * ```ts
 * import type { HardHrtimerState, HrtimerStateOf } from 'lockproof'
 *
 * const same = (s: HrtimerStateOf<'HRTIMER_MODE_REL_HARD'>): HardHrtimerState => s
 * console.log(typeof same)
 * ```
 */
export type HrtimerStateOf<M extends HrtimerMode> = M extends `${string}_HARD` ? HardHrtimerState : M extends `${string}_SOFT` ? SoftHrtimerState : HrtimerState

/**
 * What the callback of hrtimer N (mode M) runs in: {@link HrtimerStateOf}, and it is the running
 * timer (`base->running == timer`), which `hrtimer_cancel()` of it from here waits on for ever.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type HrtimerCallbackState } from 'lockproof'
 *
 * const tick = (ctx: Context<HrtimerCallbackState<'tick', 'HRTIMER_MODE_REL_HARD'>>) => (ctx.cpuId, 'HRTIMER_NORESTART' as const)
 * createKernel().hrtimerSetup('tick', tick, 'HRTIMER_MODE_REL_HARD')
 * ```
 */
export type HrtimerCallbackState<N extends string, M extends HrtimerMode> = InCallbackOf<HrtimerStateOf<M>, 'hrtimer', N>

/**
 * A `struct hrtimer`, from {@link Kernel.hrtimerSetup}. Times are simulated milliseconds.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { beats: 0 })
 * const t = kernel.hrtimerSetup('watchdog_hrtimer', (ctx, timer) => {
 *   hw.withLocked(ctx, (_ctx, d) => { d.beats++ })
 *   timer.hrtimerForwardNow(ctx, 4)
 *   return 'HRTIMER_RESTART'
 * }, 'HRTIMER_MODE_REL_HARD')
 * kernel.run((ctx) => t.hrtimerStart(ctx, 4, 'HRTIMER_MODE_REL_HARD'))
 * kernel.advance(12) // three beats, in hardirq on both kernels
 * ```
 */
export interface Hrtimer<N extends string = string, M extends HrtimerMode = HrtimerMode> {
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
  /**
   * `hrtimer_start()`: arms it `ms` from now (`_REL`) or at `ms` (`_ABS`). The mode must agree with
   * setup's SOFT bit on a normal kernel and HARD bit on RT (`WARN_ON_ONCE` otherwise). Any context.
   */
  hrtimerStart(ctx: AnyContext, ms: number, mode: HrtimerStartMode<M>): void
  /** `hrtimer_forward_now()`, from the callback before returning HRTIMER_RESTART: the next expiry `intervalMs` from now. */
  hrtimerForwardNow(ctx: AnyContext, intervalMs: number): void
  /** `hrtimer_try_to_cancel()`: 1 if it was armed, 0 if not, -1 while its callback runs. Any context. */
  hrtimerTryToCancel(ctx: AnyContext): -1 | 0 | 1
  /**
   * `hrtimer_cancel()`: cancels it and waits for a running callback (spins; on RT, for a timer that
   * expires in softirq there, takes the HRTIMER softirq's sleeping `softirq_expiry_lock`). Not from
   * its own callback; unless `_HARD`, not where a spinlock_t may not be taken ({@link HrtimerCancelCheck}).
   * The kernel has no lockdep map here: a cancel from its own callback is found as a wait that
   * never ends. True if it was active.
   */
  hrtimerCancel<T extends CtxState>(ctx: Context<T> & HrtimerCancelCheck<T, N, M>): boolean
}

export type HrtimerCallback<N extends string, M extends HrtimerMode> = (ctx: Context<HrtimerCallbackState<N, M>>, timer: Hrtimer<N, M>) => HrtimerRestart

const MODES: readonly string[] = [
  'HRTIMER_MODE_ABS',
  'HRTIMER_MODE_REL',
  'HRTIMER_MODE_ABS_PINNED',
  'HRTIMER_MODE_REL_PINNED',
  'HRTIMER_MODE_ABS_SOFT',
  'HRTIMER_MODE_REL_SOFT',
  'HRTIMER_MODE_ABS_PINNED_SOFT',
  'HRTIMER_MODE_REL_PINNED_SOFT',
  'HRTIMER_MODE_ABS_HARD',
  'HRTIMER_MODE_REL_HARD',
  'HRTIMER_MODE_ABS_PINNED_HARD',
  'HRTIMER_MODE_REL_PINNED_HARD',
]

const assertMode = (op: string, mode: unknown): HrtimerMode => {
  if (typeof mode !== 'string' || !MODES.includes(mode)) throw new InvalidArgumentError(`${op}: the mode must be one of ${MODES.join(', ')}`)
  return mode as HrtimerMode
}

/** What {@link HrtimerRuntime.exitCallback} gets when the callback threw (no restart decision). */
export const THREW: unique symbol = Symbol('threw')

export class HrtimerRuntime<N extends string, M extends HrtimerMode> implements Hrtimer<N, M>, ClockEvent {
  readonly kind = 'hrtimer'
  expires = 0
  cpu = 0
  readonly base: 'hard' | 'soft'
  readonly #d: DeferredCore
  readonly #fn: HrtimerCallback<N, M>
  readonly #hard: boolean
  readonly #soft: boolean
  /** What hrtimer_cancel() waits on (a model wakes it when the callback returns). */
  readonly channel: DeferredChannel
  #running: Runner | null = null

  constructor(
    d: DeferredCore,
    readonly name: N,
    fn: HrtimerCallback<N, M>,
    readonly mode: M,
  ) {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('hrtimer_setup(): the name must be a non-empty string')
    if (typeof fn !== 'function') throw new InvalidArgumentError('hrtimer_setup(): the callback must be a function')
    assertMode('hrtimer_setup()', mode)
    this.#d = d
    this.#fn = fn
    // __hrtimer_setup(): softtimer = !!(mode & HRTIMER_MODE_SOFT); on RT also when !(mode & HRTIMER_MODE_HARD).
    this.#hard = mode.endsWith('_HARD')
    this.#soft = mode.endsWith('_SOFT') || (d.preemptRt && !this.#hard)
    this.base = this.#soft ? 'soft' : 'hard'
    this.channel = d.channel('hrtimer', name, () => this.#running)
  }

  get expiresIn(): 'hardirq' | 'softirq' {
    return this.#soft ? 'softirq' : 'hardirq'
  }

  get active(): boolean {
    return this.#d.armed(this) || this.#running !== null
  }

  hrtimerStart(ctx: AnyContext, ms: number, mode: HrtimerStartMode<M>): void {
    const d = this.#d
    const cpu = d.cpuOf(ctx, 'hrtimer_start()')
    assertMode('hrtimer_start()', mode)
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new InvalidArgumentError('hrtimer_start(): the time must be a finite number ≥ 0')
    // hrtimer_start_range_ns(): !RT WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT) ^ !timer->is_soft); RT the same with HARD / is_hard.
    const mismatch = d.preemptRt ? mode.endsWith('_HARD') !== this.#hard : mode.endsWith('_SOFT') !== this.#soft
    d.warn(
      ctx,
      'hrtimer_start()',
      mismatch,
      d.preemptRt ? 'WARN_ON_ONCE(!(mode & HRTIMER_MODE_HARD) ^ !timer->is_hard)' : 'WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT) ^ !timer->is_soft)',
      'hrtimer_start_range_ns',
    )
    d.disarm(this)
    this.expires = mode.startsWith('HRTIMER_MODE_REL') ? d.jiffies + ms : ms
    this.cpu = cpu.id
    d.arm(this)
  }

  hrtimerForwardNow(ctx: AnyContext, intervalMs: number): void {
    this.#d.cpuOf(ctx, 'hrtimer_forward_now()')
    if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new InvalidArgumentError('hrtimer_forward_now(): the interval must be a finite number > 0')
    }
    this.expires = this.#d.jiffies + intervalMs
  }

  hrtimerTryToCancel(ctx: AnyContext): -1 | 0 | 1 {
    this.#d.cpuOf(ctx, 'hrtimer_try_to_cancel()')
    if (this.#running !== null) return -1
    return this.#d.disarm(this) ? 1 : 0
  }

  hrtimerCancel(ctx: AnyContext): boolean {
    return this.#d.wait(this.#d.cpuOf(ctx, 'hrtimer_cancel()'), this.cancelOp(ctx))
  }

  /** `do { ret = hrtimer_try_to_cancel(timer); if (ret < 0) hrtimer_cancel_wait_running(timer); } while (ret < 0)`, as an op. */
  *cancelOp(ctx: AnyContext): Op<boolean> {
    const cpu = this.#d.cpuOf(ctx, 'hrtimer_cancel()')
    // RT, soft timer: spin_lock_bh(&cpu_base->softirq_expiry_lock) (a sleeping lock); otherwise cpu_relax().
    const sleeps = this.#d.preemptRt && this.#soft
    for (;;) {
      if (this.#running === null) return this.#d.disarm(this)
      // rt_spin_lock(): rtlock_might_resched() tolerates the RCU depth (local_bh_disable()'s included).
      if (sleeps) this.#d.parts.reporter.mightResched(cpu, 'spin_lock_bh(softirq_expiry_lock)', 0, cpu.current.rcuReadLockNesting)
      yield { tag: 'wait', channel: this.channel, state: sleeps ? 'TASK_RTLOCK_WAIT' : 'TASK_UNINTERRUPTIBLE', spin: !sleeps }
    }
  }

  /** `__run_hrtimer()`: the callback with the base lock dropped; interrupts off in hardirq, on in the softirq. */
  fire(cpu: Cpu): void {
    const threaded = this.enterCallback(cpu)
    let restart: unknown = THREW
    try {
      restart = this.#d.callback(cpu, (ctx: Context<HrtimerCallbackState<N, M>>) => this.#fn(ctx, this), this.claims, `hrtimer '${this.name}'`)
    } finally {
      this.exitCallback(cpu, threaded, restart)
    }
  }

  /** The callback's claims: BH off in the softirq, interrupts off in hardirq. */
  get claims(): number {
    return this.#soft ? CLAIM_BH : CLAIM_IRQS_OFF
  }

  /** Before the callback: running, and `lockdep_hrtimer_enter()` (irq_config for a timer not is_hard); returns what to restore. */
  enterCallback(cpu: Cpu): boolean {
    this.#running = this.#d.runnerOn(cpu)
    // lockdep_hrtimer_enter(): a timer that is not is_hard runs with current->irq_config = 1 (LD_WAIT_CONFIG).
    const threaded = cpu.hardirqThreaded
    if (!this.#soft) cpu.hardirqThreaded = !this.#hard
    return threaded
  }

  /** After it (`restart`: what it returned, or {@link THREW}): HRTIMER_RESTART re-arms it. */
  exitCallback(cpu: Cpu, threaded: boolean, restart: unknown): void {
    cpu.hardirqThreaded = threaded
    this.#running = null
    if (restart === THREW) return
    const d = this.#d
    if (restart === 'HRTIMER_RESTART') {
      if (this.expires <= d.jiffies) {
        throw new InvalidArgumentError(
          `hrtimer '${this.name}': HRTIMER_RESTART without moving the expiry forward (hrtimer_forward_now()) expires again at once, forever`,
        )
      }
      d.arm(this)
    } else if (restart !== 'HRTIMER_NORESTART') {
      throw new InvalidArgumentError(`hrtimer '${this.name}': the callback must return 'HRTIMER_NORESTART' or 'HRTIMER_RESTART'`)
    }
  }
}
