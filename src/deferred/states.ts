/**
 * The context states deferred callbacks start in: what holds on *both* kernels where each runs
 * (docs/deferred.md has the table). Kernel threads that run work in process context (a kworker,
 * an irq thread's thread_fn) give a fresh task's state, `FreshTaskState`.
 */
import type { IrqOffOnOne } from '../rules/state.js'

/**
 * A callback run from a softirq (TIMER, HRTIMER, TASKLET, NET_RX, RCU), or on PREEMPT_RT from a
 * thread with bottom halves off: spinlock_t may be taken, sleeping may not, interrupts are on.
 *
 * @example
 * ```ts
 * import { createKernel, type TimerState, type Context } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { fired: 0 })
 * const cb = (ctx: Context<TimerState>) => stats.withLocked(ctx, (_ctx, s) => { s.fired++ })
 * kernel.timerSetup('&priv->watchdog', cb)
 * ```
 */
export interface InSoftirqState<Why extends string> {
  /** Softirq context (a BH-off thread on RT for some: the same rules). */
  readonly exec: 'softirq'
  /** spinlock_t may be taken, mutexes not. */
  readonly wait: 'config'
  /** Interrupts are on. */
  readonly irq: false
  /** Not proven: these run in preemptible threads on RT. */
  readonly preempt: false
  /** Bottom halves are off. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** Where it runs, for error messages. */
  readonly why: Why
}

/**
 * A `timer_list` callback: TIMER softirq; on PREEMPT_RT (and with `threadirqs`) in `ktimers/N`.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type TimerState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<TimerState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.timerSetup('&priv->timer', cb)
 * ```
 */
export type TimerState = InSoftirqState<'in a timer_list callback (TIMER softirq)'>
/**
 * A `HRTIMER_MODE_*_SOFT` hrtimer callback (and a default-mode one on PREEMPT_RT): HRTIMER softirq.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type SoftHrtimerState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<SoftHrtimerState>) => (stats.withLocked(ctx, (_ctx, s) => { s.n++ }), 'HRTIMER_NORESTART' as const)
 * kernel.hrtimerSetup('soft', cb, 'HRTIMER_MODE_REL_SOFT') // inside, the context also holds its timer (HrtimerCallbackState)
 * ```
 */
export type SoftHrtimerState = InSoftirqState<'in a HRTIMER_MODE_SOFT hrtimer callback (HRTIMER softirq)'>
/**
 * A tasklet: TASKLET (or HI) softirq.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type TaskletState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<TaskletState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.taskletSetup('rx', cb)
 * ```
 */
export type TaskletState = InSoftirqState<'in a tasklet (TASKLET softirq)'>
/**
 * A work item of a `WQ_BH` workqueue: run from the TASKLET softirq.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type BhWorkState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<BhWorkState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.initWork('&priv->bh_work', cb, { bh: true })
 * ```
 */
export type BhWorkState = InSoftirqState<'in a WQ_BH work item (TASKLET softirq)'>
/**
 * A NAPI `poll`: NET_RX softirq.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type NapiPollState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<NapiPollState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.netifNapiAdd('eth0', (ctx, napi) => { cb(ctx); napi.napiCompleteDone(ctx, 0); return 0 })
 * ```
 */
export type NapiPollState = InSoftirqState<'in a NAPI poll (NET_RX softirq)'>
/**
 * A `call_rcu()` callback: RCU softirq; on PREEMPT_RT in `rcuc/N` with bottom halves off.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type RcuCallbackState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<RcuCallbackState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.run((ctx) => kernel.callRcu(ctx, cb))
 * ```
 */
export type RcuCallbackState = InSoftirqState<'in an RCU callback (RCU softirq)'>

/**
 * A callback in hard interrupt context on a normal kernel that PREEMPT_RT moves to a thread: a
 * default-mode hrtimer (the HRTIMER softirq on RT), a default irq_work (`irq_work/N` on RT).
 * lockdep treats it as a threadable handler (`irq_config`): spinlock_t is allowed on both.
 *
 * @example
 * ```ts
 * import { createKernel, type HrtimerState, type Context } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const tx = kernel.spinLock('tx', { kicks: 0 })
 * const cb = (ctx: Context<HrtimerState>) => { tx.withLocked(ctx, (_ctx, t) => { t.kicks++ }); return 'HRTIMER_NORESTART' as const }
 * kernel.hrtimerSetup('rs485', cb, 'HRTIMER_MODE_REL')
 * ```
 */
export interface MovedOnRtState<Why extends string, Bh extends boolean> {
  /** Hard interrupt context on a normal kernel. */
  readonly exec: 'hardirq'
  /** spinlock_t may be taken (lockdep's LD_WAIT_CONFIG for `irq_config`), mutexes not. */
  readonly wait: 'config'
  /** Off on a normal kernel, on in RT's thread. */
  readonly irq: IrqOffOnOne
  /** Not proven: RT's thread is preemptible. */
  readonly preempt: false
  /** Whether bottom halves are off on both kernels (the HRTIMER softirq: yes; irq_work/N: no). */
  readonly bh: Bh
  /** No lock held. */
  readonly held: never
  /** Where it runs, for error messages. */
  readonly why: Why
}

/**
 * A default-mode hrtimer callback: hardirq on a normal kernel, HRTIMER softirq on PREEMPT_RT (`__hrtimer_setup()`).
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type HrtimerState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<HrtimerState>) => (stats.withLocked(ctx, (_ctx, s) => { s.n++ }), 'HRTIMER_NORESTART' as const)
 * kernel.hrtimerSetup('def', cb, 'HRTIMER_MODE_REL') // inside, the context also holds its timer (HrtimerCallbackState)
 * ```
 */
export type HrtimerState = MovedOnRtState<'in an hrtimer callback (hardirq; HRTIMER softirq on PREEMPT_RT)', true>
/**
 * A default irq_work callback: hardirq on a normal kernel, the `irq_work/N` thread on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type IrqWorkState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { n: 0 })
 * const cb = (ctx: Context<IrqWorkState>) => stats.withLocked(ctx, (_ctx, s) => { s.n++ })
 * kernel.initIrqWork('flush', cb)
 * ```
 */
export type IrqWorkState = MovedOnRtState<'in an irq_work callback (hardirq; the irq_work/N thread on PREEMPT_RT)', false>

/**
 * A callback in hard interrupt context on both kernels: only raw_spinlock_t may be taken.
 *
 * @example
 * ```ts
 * import { createKernel, type HardHrtimerState, type Context } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { ticks: 0 })
 * const cb = (ctx: Context<HardHrtimerState>) => { hw.withLocked(ctx, (_ctx, d) => { d.ticks++ }); return 'HRTIMER_NORESTART' as const }
 * kernel.hrtimerSetup('watchdog_hrtimer', cb, 'HRTIMER_MODE_REL_HARD')
 * ```
 */
export interface InHardirqState<Why extends string> {
  /** Hard interrupt context. */
  readonly exec: 'hardirq'
  /** Only raw_spinlock_t may be taken. */
  readonly wait: 'spin'
  /** Interrupts are off. */
  readonly irq: true
  /** Preemption is off. */
  readonly preempt: true
  /** Bottom halves cannot run. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** Where it runs, for error messages. */
  readonly why: Why
}

/**
 * A `HRTIMER_MODE_*_HARD` hrtimer callback: hardirq on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type HardHrtimerState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { n: 0 })
 * const cb = (ctx: Context<HardHrtimerState>) => (hw.withLocked(ctx, (_ctx, d) => { d.n++ }), 'HRTIMER_NORESTART' as const)
 * kernel.hrtimerSetup('hard', cb, 'HRTIMER_MODE_REL_HARD') // inside, the context also holds its timer (HrtimerCallbackState)
 * ```
 */
export type HardHrtimerState = InHardirqState<'in a HRTIMER_MODE_HARD hrtimer callback (hardirq on both kernels)'>
/**
 * An `IRQ_WORK_HARD_IRQ` irq_work callback: hardirq on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type HardIrqWorkState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { n: 0 })
 * const cb = (ctx: Context<HardIrqWorkState>) => hw.withLocked(ctx, (_ctx, d) => { d.n++ })
 * kernel.initIrqWork('hard', cb, { hard: true })
 * ```
 */
export type HardIrqWorkState = InHardirqState<'in an IRQ_WORK_HARD_IRQ irq_work callback (hardirq on both kernels)'>
/**
 * The primary handler of an `IRQF_ONESHOT` threaded interrupt: never force-threaded, hardirq on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type OneshotPrimaryState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { n: 0 })
 * const cb = (ctx: Context<OneshotPrimaryState>) => hw.withLocked(ctx, (_ctx, d) => { d.n++ })
 * kernel.requestThreadedIrq(6, 'i2c', (ctx) => { cb(ctx); return 'IRQ_WAKE_THREAD' }, (ctx) => ctx.msleep(1), { oneshot: true })
 * ```
 */
export type OneshotPrimaryState = InHardirqState<'in the primary handler of an IRQF_ONESHOT interrupt (hardirq on both kernels)'>
