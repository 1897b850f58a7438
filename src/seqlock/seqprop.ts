/**
 * The per-kind properties of `seqcount_LOCKNAME_t` (include/linux/seqlock.h, the SEQCOUNT_LOCKNAME()
 * instances): `SEQCOUNT_LOCKNAME(raw_spinlock, raw_spinlock_t, false, raw_spin)`,
 * `(spinlock, spinlock_t, __SEQ_RT, spin)`, `(rwlock, rwlock_t, __SEQ_RT, read)`,
 * `(mutex, struct mutex, true, mutex)`. `preemptible` says whether the lock leaves preemption on;
 * `lockbase` is what the RT reader takes and drops.
 */
import type { SeqLockKind, SeqLockNames } from '../rules/seqcount.js'

export interface Seqprop {
  readonly lockname: SeqLockNames[SeqLockKind]
  /** The macro's `preemptible` argument on each kernel (`__SEQ_RT` = IS_ENABLED(CONFIG_PREEMPT_RT)). */
  readonly preemptible: { readonly normal: boolean; readonly rt: boolean }
  /** The lock method the RT reader's `lockbase##_lock()` / `_unlock()` pair is. */
  readonly lockbase: 'withLocked' | 'withRead'
}

export const SEQPROP: { readonly [K in SeqLockKind]: Seqprop } = {
  raw_spinlock_t: { lockname: 'raw_spinlock', preemptible: { normal: false, rt: false }, lockbase: 'withLocked' },
  spinlock_t: { lockname: 'spinlock', preemptible: { normal: false, rt: true }, lockbase: 'withLocked' },
  rwlock_t: { lockname: 'rwlock', preemptible: { normal: false, rt: true }, lockbase: 'withRead' },
  mutex: { lockname: 'mutex', preemptible: { normal: true, rt: true }, lockbase: 'withLocked' },
}

/**
 * `__seqprop_##lockname##_preemptible()`: the writer disables preemption itself only on a normal
 * kernel ("PREEMPT_RT relies on the above LOCK+UNLOCK": `return false`).
 */
export const writerDisablesPreemption = (p: Seqprop, preemptRt: boolean): boolean => !preemptRt && p.preemptible.normal

/** `__seqprop_##lockname##_sequence()`: only on PREEMPT_RT, and only for a preemptible lock, does the reader lock. */
export const readerTakesLock = (p: Seqprop, preemptRt: boolean): boolean => preemptRt && p.preemptible.rt
