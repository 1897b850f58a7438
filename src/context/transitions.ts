/**
 * How each scoped operation changes the type-level state. One named type per transition, so the
 * rules read like the kernel documentation they come from.
 */
import type { SoftirqCounted } from './in-interrupt.js'
import type { CtxState, Wait, With } from './state.js'

/** The stricter of two wait types (spin < config < sleep). */
export type MinWait<A extends Wait, B extends Wait> = A extends 'spin' ? 'spin' : B extends 'spin' ? 'spin' : A extends 'config' ? 'config' : B

/** Lowers the allowed wait type to at most W; records Why only when that makes it stricter. */
export type Restrict<S extends CtxState, W extends Wait, Why extends string> = [S['wait']] extends [MinWait<S['wait'], W>]
  ? S
  : With<S, { wait: MinWait<S['wait'], W>; why: Why }>

/** `preempt_disable()`: preemption off on both kernels; only raw spinning locks may follow. */
export type PreemptDisabledIn<S extends CtxState> = With<Restrict<S, 'spin', 'preemption is disabled (preempt_disable())'>, { preempt: true }>

/**
 * `local_bh_disable()`: softirqs off on both kernels; on RT it is a per-CPU lock, so not 'spin'.
 * The softirq count goes up on both (`in_interrupt()` becomes true: {@link SoftirqCounted}).
 */
export type BhDisabledIn<S extends CtxState> = With<
  Restrict<S, 'config', 'bottom halves are disabled (local_bh_disable())'>,
  { bh: true; held: S['held'] | SoftirqCounted }
>

/** `rcu_read_lock()`: no sleeping (LD_WAIT_CONFIG inner); spinlock_t is fine, even on RT. */
export type RcuReadLockedIn<S extends CtxState> = Restrict<S, 'config', 'in an RCU read-side section (rcu_read_lock())'>

/** `local_irq_save()`: interrupts and preemption off on both kernels; spinlock_t would sleep on RT. */
export type IrqsSavedIn<S extends CtxState> = With<Restrict<S, 'spin', 'interrupts are disabled (local_irq_save())'>, { irq: true; preempt: true; bh: true }>

/** `local_interrupt_disable()`: the counted form; the same proof as local_irq_save(). */
export type InterruptsDisabledIn<S extends CtxState> = With<
  Restrict<S, 'spin', 'interrupts are disabled (local_interrupt_disable())'>,
  { irq: true; preempt: true; bh: true }
>
