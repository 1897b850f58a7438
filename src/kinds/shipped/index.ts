/** The kinds lockproof ships beyond the seven built-ins, each defined through the public `defineLockKind()`. */
export { BIT_SPIN_LOCK } from './bit-spinlock.js'
export { PERCPU_RW_SEMAPHORE } from './percpu-rwsem.js'
export { RT_MUTEX } from './rt-mutex.js'
export { SPIN_LOCK_IRQ_COUNTED, SPIN_LOCK_IRQ_SAVE, SPIN_LOCK_IRQ_V6 } from './spin-lock-irq.js'
