/**
 * Which wake discipline a lock of each kind follows on each kernel (./policy.ts and the files
 * beside it; docs/SEMANTICS.md has the sources). A kind not listed (one a user defined) gets
 * AnyWaiter: every waiter woken, the first to run wins.
 */
import { FifoHandoff } from './fifo.js'
import { AnyWaiter, type WakePolicy } from './policy.js'
import { Qrwlock } from './qrwlock.js'
import { Rwbase } from './rwbase.js'
import { Rwsem } from './rwsem.js'
import { WakeFirst } from './wake-first.js'

export const wakePolicyFor = (kind: string, preemptRt: boolean): WakePolicy => {
  switch (kind) {
    case 'raw_spinlock_t':
      return new FifoHandoff()
    case 'spinlock_t':
    // The seed's SpinLockIrq designs are a spinlock_t and the interrupt state around it.
    case 'SpinLockIrq':
    case 'SpinLockIrq_v6':
    case 'SpinLockIrq_irqsave':
    case 'SpinLockIrq_counted':
      return preemptRt ? new WakeFirst(false) : new FifoHandoff()
    case 'local_lock_t':
      // A normal kernel's local_lock() only disables preemption: it is never contended.
      return preemptRt ? new WakeFirst(false) : new AnyWaiter()
    case 'rwlock_t':
      return preemptRt ? new Rwbase(true) : new Qrwlock()
    case 'mutex':
      return preemptRt ? new FifoHandoff() : new WakeFirst(true)
    case 'rw_semaphore':
      return preemptRt ? new Rwbase(false) : new Rwsem()
    case 'rt_mutex':
      return new FifoHandoff()
    case 'percpu_rw_semaphore':
      // kernel/locking/percpu-rwsem.c: percpu_down_write() sets sem->block, which sends every new
      // reader (a recursive one too) to percpu_rwsem_wait(), then waits for the readers to leave;
      // a newcomer may take block before a woken waiter ("can get stolen"): rwbase's shape, with steal.
      return new Rwbase(true)
    default:
      return new AnyWaiter()
  }
}
