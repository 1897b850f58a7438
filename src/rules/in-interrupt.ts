/**
 * `in_interrupt()` at compile time, for the rule that reads it (recursive rwlock_t readers,
 * `read_lock_is_recursive()` in kernel/locking/lockdep.c). include/linux/preempt.h:
 * `#define in_interrupt() (irq_count())`, and irq_count() includes softirq_count(): NMI,
 * hardirq, serving softirqs, or bottom halves disabled ("We're in NMI,IRQ,SoftIRQ context or
 * have BH disabled"). Interrupts off alone change no count, so the state's `bh` (which
 * interrupts off also set) cannot tell; a marker in `held` says what raised the softirq count
 * in a task on both kernels: `local_bh_disable()`, or a lock taken with a `_bh` variant.
 */
import type { CtxState } from './state.js'

/** In `held`: the softirq count is non-zero here on both kernels (BH disabled in a task). */
export type SoftirqCounted = '⟨softirq_count()⟩'

/** `in_interrupt()` is true here on both kernels: not a task, or a task with BH disabled. */
export type InInterrupt<T extends CtxState> = 'task' extends T['exec'] ? ([SoftirqCounted] extends [T['held']] ? true : false) : true
