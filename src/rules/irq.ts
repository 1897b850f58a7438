/**
 * What turns interrupts or bottom halves back on unconditionally, and where that is wrong
 * (docs/SEMANTICS.md §8): the `_irq` unlocks end in `local_irq_enable()`
 * (include/linux/spinlock_api_smp.h), and `local_bh_enable()` warns in hardirq context and with
 * interrupts off (kernel/softirq.c `__local_bh_enable_ip()`; `__local_bh_disable_ip()` warns in
 * hardirq). Interrupts that are off on *one* kernel count: the code must be right on both.
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

/** Where interrupts may be off, in words: the handler kinds first (their message is the kernel's). */
type IrqsOffWhere<T extends CtxState> = [T['exec']] extends ['nmi']
  ? 'in NMI context'
  : [T['exec']] extends ['hardirq']
    ? 'in a hardirq handler; kernel/irq/handle.c: irq N handler enabled interrupts'
    : 'interrupts are off here on at least one kernel'

/** `unknown` when `What` (which ends in `local_irq_enable()`) may run here, else the error. */
export type IrqEnableCheck<T extends CtxState, What extends string> = [T['irq']] extends [false]
  ? unknown
  : LockproofError<`${What} ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (${IrqsOffWhere<T>}): use the _irqsave form`>

/** Where bottom halves may not be disabled or enabled, in words. */
type BhWhere<T extends CtxState> = [T['exec']] extends ['nmi']
  ? 'in NMI context'
  : [T['exec']] extends ['hardirq']
    ? 'in a hardirq handler: WARN_ON_ONCE(in_hardirq())'
    : 'with interrupts off on at least one kernel: lockdep_assert_irqs_enabled()'

/**
 * `unknown` when `What` (a `local_bh_disable()` … `local_bh_enable()` pair) may run here: a task
 * or softirq with interrupts on on both kernels. Else the kernel's warning.
 */
export type BhCheck<T extends CtxState, What extends string> = [T['irq']] extends [false]
  ? [T['exec']] extends ['task' | 'softirq']
    ? unknown
    : LockproofError<`${What}: bottom halves cannot be disabled or enabled ${BhWhere<T>} (kernel/softirq.c)`>
  : LockproofError<`${What}: bottom halves cannot be disabled or enabled ${BhWhere<T>} (kernel/softirq.c)`>
