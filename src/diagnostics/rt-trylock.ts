/**
 * The trylocks PREEMPT_RT does not allow where the kernel checks nothing at the call (lockproof's
 * own report, as `lock-order` is): the compile-time rules of src/rules/trylock.ts, for callers
 * the types do not see. docs/SEMANTICS.md §26.
 */
import type { DiagnosticBase } from './base.js'

/**
 * Where the trylock was: with interrupts disabled (an `rw_semaphore`), or in hard interrupt
 * context PREEMPT_RT does not thread (a `spinlock_t` / `rwlock_t`, rtmutexes there).
 *
 * @example
 * ```ts
 * import type { RtTrylockWhere } from 'lockproof'
 *
 * const where: RtTrylockWhere[] = ['irqs-disabled', 'hardirq']
 * ```
 */
export type RtTrylockWhere = 'irqs-disabled' | 'hardirq'

/**
 * A trylock PREEMPT_RT does not allow here, taken anyway (the kernel's call checks nothing):
 * `down_read_trylock()` / `down_write_trylock()` with interrupts disabled (kernel/bpf/mmap_unlock_work.h:
 * "PREEMPT_RT does not allow to trylock mmap sem in interrupt disabled context"), `spin_trylock()`
 * in hard interrupt context (an rtmutex, "not from hard or soft interrupt context": rtmutex_api.c).
 * Reported on PREEMPT_RT only; the types refuse both on every kernel.
 *
 * @example
 * ```ts
 * import { createKernel, type RtTrylockDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const found = kernel.diagnostics.filter((d): d is RtTrylockDiagnostic => d.kind === 'rt-trylock')
 * console.log(found.map((d) => `${d.lock}: ${d.where}`))
 * ```
 */
export interface RtTrylockDiagnostic extends DiagnosticBase {
  /** Discriminant: `'rt-trylock'`. */
  readonly kind: 'rt-trylock'
  /** The lock (`rw_semaphore 'mmap'`). */
  readonly lock: string
  /** Where it was tried. */
  readonly where: RtTrylockWhere
}

/**
 * The title of a {@link RtTrylockDiagnostic}.
 *
 * @example
 * ```ts
 * import { createKernel, RT_TRYLOCK_TITLE } from 'lockproof'
 *
 * const found = createKernel({ preemptRt: true }).diagnostics.filter((d) => d.title === RT_TRYLOCK_TITLE)
 * console.log(found.length) // 0
 * ```
 */
export const RT_TRYLOCK_TITLE = 'lockproof: a trylock PREEMPT_RT does not allow here (the kernel checks nothing at the call)'

/** Why, per place: the kernel's own words first. */
const WHY: Record<RtTrylockWhere, readonly string[]> = {
  'irqs-disabled': [
    'kernel/bpf/mmap_unlock_work.h: "PREEMPT_RT does not allow to trylock mmap sem in interrupt disabled context."',
    'On PREEMPT_RT an rw_semaphore is an rtmutex (kernel/locking/rwbase_rt.c): up_read() ends in',
    "__rwbase_read_unlock()'s raw_spin_lock_irq() / raw_spin_unlock_irq() when a writer waits, turning interrupts on.",
  ],
  hardirq: [
    'On PREEMPT_RT it is an rtmutex (kernel/locking/spinlock_rt.c), owned by the task it was taken in:',
    'here the task the interrupt preempted. kernel/locking/rtmutex_api.c rt_mutex_trylock(): "This function can',
    'only be called in thread context. It\'s safe to call it from atomic regions, but not from hard or soft interrupt context."',
  ],
}

/** The report's lines below the title: the call, where, and why. */
export const rtTrylockLines = (call: string, name: string, where: RtTrylockWhere): readonly string[] => [
  `${call}(${name}) ${where === 'hardirq' ? 'in hard interrupt context' : 'with interrupts disabled'}: taken (the call checks nothing).`,
  ...WHY[where],
]
