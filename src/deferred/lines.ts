/** The kernel's own interrupt lines (negative: never a user's line): the local timer and the irq_work self-IPI. */
export const LOCAL_TIMER_LINE = -1
export const IRQ_WORK_LINE = -2
