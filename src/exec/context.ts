/**
 * The published face of a context: an interface with exact types over the runtime class
 * (scope.ts), which is not exported. Its internals (the CPU it is bound to, its scope
 * bookkeeping) are not part of any published type, so no proof can be minted from outside.
 */
import type { SoftirqName } from '../machine/softirq-names.js'
import type { Gfp, GfpCheck } from '../rules/gfp.js'
import type { BhCheck } from '../rules/irq.js'
import type { CanSleep } from '../rules/sleep.js'
import type { CtxState } from '../rules/state.js'
import type { BhDisabledIn, InterruptsDisabledIn, IrqsSavedIn, PreemptDisabledIn, RcuReadLockedIn } from '../rules/transitions.js'
import type { NotThenable } from '../rules/error.js'

declare const stateBrand: unique symbol

/**
 * The core-code-only operations: raw interrupt control. Drivers use locks instead.
 *
 * @example
 * ```ts
 * import { createKernel, type CoreOps, type FreshTaskState } from 'lockproof'
 *
 * createKernel().run((ctx) => {
 *   const core: CoreOps<FreshTaskState> = ctx.core
 *   core.localIrqSave((ctx) => ctx.cpuId) // interrupts off on both kernels
 * })
 * ```
 */
export interface CoreOps<out S extends CtxState> {
  /** @internal Phantom: the state, so that `CoreOps<S>` keeps `S`. Never present at run time. */
  readonly [stateBrand]?: S
  /** `local_irq_save()` … `local_irq_restore()` around `cb`. Disables interrupts even on RT. */
  localIrqSave<T extends CtxState, R>(this: CoreOps<T>, cb: (ctx: Context<IrqsSavedIn<T>>) => NotThenable<R, 'a local_irq_save() section'>): R
}

/**
 * The context every operation takes: bound to one CPU and one task, alive only while the
 * scope that made it runs, and checked on every use (a stale, foreign or shadowed context
 * throws). Its type parameter is what is known, on both kernels, where the code runs: the
 * execution kind, the strongest wait type still allowed, whether interrupts, preemption and
 * bottom halves are off, and the lock classes held. Contexts come from {@link Kernel.run},
 * handlers, lock callbacks and guards; functions demand proofs such as {@link IrqDisabled}.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type FreshTaskState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const work = (ctx: Context<FreshTaskState>) => ctx.rcuReadLock((ctx) => `${ctx.comm} on CPU ${ctx.cpuId}`)
 * console.log(kernel.run(work)) // 'task-1 on CPU 0'
 * ```
 */
export interface Context<out S extends CtxState = CtxState> {
  /** Phantom: the type-level state. Never present at run time. */
  readonly [stateBrand]: S
  /** The CPU this context is bound to. */
  readonly cpuId: number
  /** The task (`comm`) this context runs in. */
  readonly comm: string
  /** The pid of the task this context runs in. */
  readonly pid: number
  /** False once the scope that made this context has ended. */
  readonly live: boolean
  /** `preempt_disable()` … `preempt_enable()` around `cb`. */
  preemptDisable<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<PreemptDisabledIn<T>>) => NotThenable<R, 'a preempt_disable() section'>): R
  /** `local_bh_disable()` … `local_bh_enable()`; pending softirqs run at the enable. */
  localBhDisable<T extends CtxState, R>(
    this: Context<T> & BhCheck<T, 'local_bh_disable()'>,
    cb: (ctx: Context<BhDisabledIn<T>>) => NotThenable<R, 'a local_bh_disable() section'>,
  ): R
  /** `rcu_read_lock()` … `rcu_read_unlock()` (preemptible RCU: a task counter). */
  rcuReadLock<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<RcuReadLockedIn<T>>) => NotThenable<R, 'an RCU read-side section'>): R
  /** `migrate_disable()` … `migrate_enable()`: stays on this CPU, may still sleep. */
  migrateDisable<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<T>) => NotThenable<R, 'a migrate_disable() section'>): R
  /** Core code only (the scheduler, interrupt handling). Drivers: use an irqsave lock or local_lock_t. */
  readonly core: CoreOps<S>
  /**
   * `local_interrupt_disable()` as a guard: interrupts off through the per-CPU count (flags saved
   * on 0→1, restored on 1→0), so such guards may be dropped in any order.
   */
  localInterruptDisable<T extends CtxState>(this: Context<T>): Guard<InterruptsDisabledIn<T>, undefined>
  /** `might_sleep()`: reports "BUG: sleeping function called from invalid context" where sleeping is not allowed. */
  mightSleep<T extends CtxState>(this: Context<T> & CanSleep<T, 'might_sleep()'>): void
  /**
   * `msleep(ms)`: the task sleeps (other work on this CPU may run meanwhile). msleep() has no
   * might_sleep(): from atomic context schedule() reports "BUG: scheduling while atomic".
   */
  msleep<T extends CtxState>(this: Context<T> & CanSleep<T, 'msleep()'>, ms: number): void
  /**
   * `kmalloc(size, gfp)`: GFP_KERNEL may sleep; GFP_ATOMIC may not be used where even spinlock_t
   * is forbidden (raw spinlock held, interrupts off, no-thread handler): the allocator sleeps on RT.
   */
  kmalloc<T extends CtxState, G extends Gfp>(this: Context<T> & GfpCheck<T, G>, size: number, gfp: G): Uint8Array
  /** Asserts interrupt `line` on this CPU: handled now if interrupts are on, else when they come back. */
  raiseIrq(line: number): void
  /** `raise_softirq(nr)` on this CPU (0–9, or a name such as 'NET_RX'). */
  raiseSoftirq(nr: number | SoftirqName): void
  /** Delivers the NMI registered as `name` on this CPU, whatever the interrupt flag. */
  raiseNmi(name: string): void
}

/**
 * A held lock as a value, for `using`: from a lock's guard methods (`lock`, `lockIrqSave`,
 * `read`, …) and `ctx.localInterruptDisable()`. Guards may be released in any order; see the
 * `irqDisable` option for what that means for interrupts.
 *
 * @example
 * ```ts
 * import { createKernel, type CtxState, type Guard } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const bump = <S extends CtxState>(g: Guard<S, { hits: number }>) => { g.data.hits++ }
 * kernel.run((ctx) => {
 *   using g = stats.lock(ctx)
 *   bump(g)
 * }) // released here, at the end of the `using` scope
 * ```
 */
export interface Guard<S extends CtxState, D> {
  /** The context inside the lock. Stale (throws) once the guard is unlocked. */
  readonly ctx: Context<S>
  /** The data the lock protects (this CPU's copy for a local_lock_t). */
  readonly data: D
  /** True until unlocked. */
  readonly held: boolean
  /** Releases the lock. A second call throws DoubleUnlockError (and reports a bad unlock balance). */
  unlock(): void
  /** Releases the lock if still held; a no-op after unlock(). */
  [Symbol.dispose](): void
}
