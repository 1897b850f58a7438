/** The proof bits of claims.ts, in a leaf module so that the CPU can count them without importing the context layer. */
export const CLAIM_IRQ = 1
export const CLAIM_PREEMPT = 2
export const CLAIM_BH = 4
/** local_irq_save(), local_interrupt_disable(), an IRQF_NO_THREAD handler, an NMI. */
export const CLAIM_IRQS_OFF = CLAIM_IRQ | CLAIM_PREEMPT | CLAIM_BH
