/**
 * A primitive's own lock, taken around its bookkeeping only (never across a wait): a real lock
 * of this kernel, so lockdep sees it and the CPU does what the kernel's does — a semaphore's and
 * a completion's raw_spinlock_t irqsave (interrupts off on both kernels), a wait queue head's
 * spinlock_t irqsave (a sleeping lock on PREEMPT_RT: from a true hardirq it is "sleeping
 * function called from invalid context" there and "Invalid wait context" for lockdep).
 */
import type { ScopeContext } from '../exec/scope.js'
import { type Compiled, LockRuntime } from '../locks/lock.js'
import type { WaitHost } from './host.js'
import { KIND_SPECS } from '../kinds/registry.js'

export class InnerLock {
  readonly #lock: LockRuntime<undefined>
  readonly #irqsave: Compiled

  constructor(host: WaitHost, kind: 'raw_spinlock_t' | 'spinlock_t', className: string) {
    this.#lock = new LockRuntime<undefined>(host.lockHost, KIND_SPECS[kind], className, () => undefined)
    this.#irqsave = this.#lock.compile(kind === 'raw_spinlock_t' ? 'raw_spin_lock_irqsave' : 'spin_lock_irqsave', 'irqsave', 'write', false)
  }

  /** The lock's class name. */
  get name(): string {
    return this.#lock.name
  }

  /** `*_lock_irqsave()` … `*_unlock_irqrestore()` around `fn` (pending interrupts are taken at the restore). */
  locked<R>(ctx: ScopeContext, fn: () => R): R {
    return this.#lock.withLock(ctx, this.#irqsave, fn)
  }
}
