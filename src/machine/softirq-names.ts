// The softirq vectors by name: a leaf module, so that the public context type can name them.
/**
 * `enum { HI_SOFTIRQ = 0, TIMER_SOFTIRQ, … RCU_SOFTIRQ, NR_SOFTIRQS }` (include/linux/interrupt.h).
 *
 * @example
 * ```ts
 * import { SOFTIRQ_NAMES } from 'lockproof'
 *
 * console.log(SOFTIRQ_NAMES.indexOf('NET_RX')) // 3: NET_RX_SOFTIRQ
 * ```
 */
export const SOFTIRQ_NAMES = ['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU'] as const
/**
 * A softirq by name: `raiseSoftirq` and `openSoftirq` take it or its number.
 *
 * @example
 * ```ts
 * import { createKernel, type SoftirqName } from 'lockproof'
 *
 * const kernel = createKernel()
 * const vec: SoftirqName = 'TASKLET'
 * kernel.openSoftirq(vec, () => undefined)
 * kernel.raiseSoftirq(vec)
 * ```
 */
export type SoftirqName = (typeof SOFTIRQ_NAMES)[number]
