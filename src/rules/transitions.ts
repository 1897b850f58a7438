/**
 * How each scoped operation changes the type-level state. One named type per transition, so the
 * rules read like the kernel documentation they come from; the wait type each allows and why are
 * its scope's spec (kinds/scopes.ts).
 */
import type { Scopes } from '../kinds/scopes.js'
import type { SoftirqCounted } from './in-interrupt.js'
import type { CtxState, WaitType, With } from './state.js'

/** The stricter of two wait types (spin < config < sleep). */
export type MinWait<A extends WaitType, B extends WaitType> = A extends 'spin' ? 'spin' : B extends 'spin' ? 'spin' : A extends 'config' ? 'config' : B

/** Lowers the allowed wait type to at most W; records Why only when that makes it stricter. */
export type Restrict<S extends CtxState, W extends WaitType, Why extends string> = [S['wait']] extends [MinWait<S['wait'], W>]
  ? S
  : With<S, { wait: MinWait<S['wait'], W>; why: Why }>

/** `preempt_disable()`: preemption off on both kernels; only raw spinning locks may follow. */
export type PreemptDisabledIn<S extends CtxState> = With<Restrict<S, Scopes['preempt_disable']['wait'], Scopes['preempt_disable']['why']>, { preempt: true }>

/**
 * `local_bh_disable()`: softirqs off on both kernels; on RT it is a per-CPU lock, so not 'spin'.
 * The softirq count goes up on both (`in_interrupt()` becomes true: {@link SoftirqCounted}).
 */
export type BhDisabledIn<S extends CtxState> = With<
  Restrict<S, Scopes['local_bh_disable']['wait'], Scopes['local_bh_disable']['why']>,
  { bh: true; held: S['held'] | SoftirqCounted }
>

/** `rcu_read_lock()`: no sleeping (LD_WAIT_CONFIG inner); spinlock_t is fine, even on RT. */
export type RcuReadLockedIn<S extends CtxState> = Restrict<S, Scopes['rcu_read_lock']['wait'], Scopes['rcu_read_lock']['why']>

/** `local_irq_save()`: interrupts and preemption off on both kernels; spinlock_t would sleep on RT. */
export type IrqsSavedIn<S extends CtxState> = With<
  Restrict<S, Scopes['local_irq_save']['wait'], Scopes['local_irq_save']['why']>,
  { irq: true; preempt: true; bh: true }
>

/** `local_interrupt_disable()`: the counted form; the same proof as local_irq_save(). */
export type InterruptsDisabledIn<S extends CtxState> = With<
  Restrict<S, Scopes['local_interrupt_disable']['wait'], Scopes['local_interrupt_disable']['why']>,
  { irq: true; preempt: true; bh: true }
>
