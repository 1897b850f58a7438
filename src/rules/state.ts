/**
 * The type-level state a Context carries: what is known, *on both kernels*, where code runs.
 * Kept to seven small fields: every field multiplies the compiler's instantiations (`irq` has a
 * third value, IrqOffOnOne, instead of a field of its own).
 */

/**
 * Execution kind. A threadable handler is 'hardirq' here: it is one on a normal kernel.
 *
 * @example
 * ```ts
 * import type { Exec, SoftirqState } from 'lockproof'
 *
 * const where: Exec = 'softirq' satisfies SoftirqState['exec']
 * ```
 */
export type Exec = 'task' | 'softirq' | 'hardirq' | 'nmi'

/**
 * The strongest lockdep wait type still allowed (LD_WAIT_SLEEP > LD_WAIT_CONFIG > LD_WAIT_SPIN):
 * 'sleep' admits mutexes, 'config' admits spinlock_t (sleeping on RT, so not under 'spin').
 *
 * @example
 * ```ts
 * import type { NoThreadIrqState, WaitType } from 'lockproof'
 *
 * // In an IRQF_NO_THREAD handler only raw_spinlock_t may be taken.
 * const strongest: WaitType = 'spin' satisfies NoThreadIrqState['wait']
 * ```
 */
export type WaitType = 'sleep' | 'config' | 'spin'

/**
 * @deprecated Renamed {@link WaitType} (one name family with lockdep's run-time `LockdepWaitType`).
 *
 * @example
 * ```ts
 * import type { Wait, WaitType } from 'lockproof'
 *
 * const same = (w: Wait): WaitType => w
 * ```
 */
export type Wait = WaitType

/**
 * Whether interrupts are off where the code runs: `true` on both kernels, `false` on neither,
 * {@link IrqOffOnOne} on one kernel only (a spinlock_t irqsave section, a threadable handler: off on
 * a normal kernel, on on PREEMPT_RT). That value is a sentence, so that a proof demanded where it
 * holds reads as the reason: `Type '"off on a normal kernel only: …"' is not assignable to type 'true'`. Only `false` admits what turns interrupts back on unconditionally
 * (the `_irq` unlocks, `local_bh_enable()`); only `true` proves {@link IrqDisabled}.
 *
 * @example
 * ```ts
 * import type { IrqOff, IrqOffOnOne, ThreadableIrqState } from 'lockproof'
 *
 * // A threadable handler: interrupts are off on a normal kernel, on in the RT irq thread.
 * const inHandler: IrqOff = 'off on a normal kernel only: PREEMPT_RT leaves interrupts on (spinlock_t irqsave, SpinLockIrq, local_lock irqsave, a threadable handler)' satisfies IrqOffOnOne & ThreadableIrqState['irq']
 * ```
 */
export type IrqOff = boolean | IrqOffOnOne

/**
 * The {@link IrqOff} value for "off on one kernel only", worded as the reason a proof of
 * interrupts off fails there.
 *
 * @example
 * ```ts
 * import type { IrqOffOnOne, ThreadableIrqState } from 'lockproof'
 *
 * type Same = ThreadableIrqState['irq'] extends IrqOffOnOne ? true : false // true
 * const same: Same = true
 * ```
 */
export type IrqOffOnOne =
  'off on a normal kernel only: PREEMPT_RT leaves interrupts on (spinlock_t irqsave, SpinLockIrq, local_lock irqsave, a threadable handler)'

/**
 * The type-level state a {@link Context} carries: what is known, *on both kernels*, where the
 * code runs. Generic helpers take `Context<S>` with `S extends CtxState`.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type CtxState } from 'lockproof'
 *
 * const where = <S extends CtxState>(ctx: Context<S>) => `${ctx.comm} on CPU ${ctx.cpuId}`
 * createKernel().run((ctx) => console.log(where(ctx)))
 * ```
 */
export interface CtxState {
  /** The execution kind. */
  readonly exec: Exec
  /** The strongest lockdep wait type still allowed. */
  readonly wait: WaitType
  /** Interrupts are off on both kernels (`true`), on one only ({@link IrqOffOnOne}), or on neither (`false`). */
  readonly irq: IrqOff
  /** Preemption is off on both kernels. */
  readonly preempt: boolean
  /** Bottom halves cannot run here, on both kernels. */
  readonly bh: boolean
  /** Lock classes held, as a union of their names (never when none). */
  readonly held: string
  /** Why `wait` is what it is, in words for error messages ("spinlock_t 'stats' is held"). */
  readonly why: string
}

/**
 * The state of a fresh task in process context (what `kernel.run` gives): everything allowed.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type FreshTaskState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const fresh = (ctx: Context<FreshTaskState>) => ctx.msleep(1) // a task with nothing held may sleep
 * kernel.run(fresh)
 * ```
 */
export interface FreshTaskState {
  /** Process context. */
  readonly exec: 'task'
  /** Anything may be taken, mutexes included. */
  readonly wait: 'sleep'
  /** Interrupts are on. */
  readonly irq: false
  /** Preemptible. */
  readonly preempt: false
  /** Bottom halves may run. */
  readonly bh: false
  /** No lock held. */
  readonly held: never
  /** Why sleeping is allowed. */
  readonly why: 'task context'
}

/**
 * @deprecated Renamed {@link FreshTaskState} (the type-state of a fresh task; `TaskContext` is
 * the proof, `TaskStruct` the run-time task).
 *
 * @example
 * ```ts
 * import type { Context, FreshTaskState, TaskCtx } from 'lockproof'
 *
 * const same = (ctx: Context<TaskCtx>): Context<FreshTaskState> => ctx
 * ```
 */
export type TaskCtx = FreshTaskState

/** Overrides some fields of a state; the result is a flat object type (cheap to compare). */
export type With<S extends CtxState, P extends Partial<CtxState>> = {
  readonly [K in keyof CtxState]: K extends keyof P ? P[K] : S[K]
}
