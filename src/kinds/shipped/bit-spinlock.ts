/**
 * `bit_spin_lock()` (include/linux/bit_spinlock.h), defined through the public
 * `defineLockKind()`: `preempt_disable();` then spinning on `test_and_set_bit_lock()`;
 * `bit_spin_unlock()`: `clear_bit_unlock(); preempt_enable();`. No `struct lockdep_map` and no
 * PREEMPT_RT form: it spins on both configurations and lockdep never sees it, so a spinlock_t
 * taken inside it is refused by the compiler (and on RT reported by `__might_resched()`, since
 * preemption is off), never by lockdep (docs/SEMANTICS.md §16).
 */
import { defineLockKind } from '../define.js'
import { both } from '../sequences.js'

export type BitSpinLockMethods = {
  /** `bit_spin_lock()` … `bit_spin_unlock()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
}

export type BitSpinLockGuards = {
  /** `bit_spin_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
}

export type BitSpinLockAnnotated = {
  /** `bit_spin_trylock()` around `cb`. */
  readonly withTryLocked: readonly ['plain', 'write', 'try', false]
  /** `bit_spin_trylock()` as a guard. */
  readonly tryLock: readonly ['plain', 'write', 'try', true]
}

const METHODS: BitSpinLockMethods = { withLocked: ['plain', 'write'] }
const GUARDS: BitSpinLockGuards = { lock: ['plain', 'write'] }
const ANNOTATED: BitSpinLockAnnotated = { withTryLocked: ['plain', 'write', 'try', false], tryLock: ['plain', 'write', 'try', true] }

/**
 * `bit_spin_lock()`: preemption off and a spinning bit, on both kernels; invisible to lockdep.
 *
 * @example
 * ```ts
 * import { BIT_SPIN_LOCK, createKernel } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const bucket = kernel.lock(BIT_SPIN_LOCK, 'hlist_bl', { n: 0 })
 * kernel.run((ctx) => bucket.withLocked(ctx, (_ctx, d) => d.n++)) // preempt_count 1 inside, on RT too
 * ```
 */
export const BIT_SPIN_LOCK = defineLockKind({
  kind: 'bit_spin_lock',
  label: 'bit_spin_lock',
  category: both('spinning'),
  wait: 'spin',
  variants: { plain: both({ lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] }) },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: null,
  trylock: { context: 'by-wait', call: 'bit_spin_trylock', warn: both(null) },
  requires: [],
  data: 'shared',
  methods: METHODS,
  guards: GUARDS,
  annotated: ANNOTATED,
})
