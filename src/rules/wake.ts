/**
 * Waking a wait queue (wake_up(), wake_up_all(), CondVar::notify_*()) takes the wait queue
 * head's spinlock_t (kernel/sched/wait.c `__wake_up_common_lock()`: `spin_lock_irqsave(&wq_head->lock, flags)`),
 * a sleeping lock on PREEMPT_RT: where only raw spinlocks may be taken (a hardirq handler that is
 * never threaded, a raw spinlock held, interrupts or preemption off) it is the same error as
 * taking that spinlock_t. A force-threaded handler may wake: it is a task on RT.
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

export type WakeCheck<S extends CtxState, What extends string> = 'spin' extends S['wait']
  ? LockproofError<`Invalid wait context: ${What} takes the wait queue head's spinlock_t, a sleeping lock on PREEMPT_RT, and cannot be called here (${S['why']}); wake from a threaded handler, or use a completion (raw lock)`>
  : unknown
