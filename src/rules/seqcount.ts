/**
 * The compile-time rules of sequence counters (include/linux/seqlock.h):
 * - a plain `seqcount_t` writer asserts `lockdep_assert_preemption_disabled()` on both kernels
 *   (`__seqprop_assert()`), so its context must prove preemption off on both;
 * - a `seqcount_LOCKNAME_t` writer asserts `lockdep_assert_held(s->lock)`
 *   (`__seqprop_##lockname##_assert()`), so its context must hold that lock;
 * - on PREEMPT_RT a reader of a `seqcount_LOCKNAME_t` (and of a `seqlock_t`) whose lock is
 *   preemptible there takes and drops that lock when it finds a write in progress
 *   (`__seqprop_##lockname##_sequence()`), so it may only read where that lock may be taken.
 */
import type { LockKind } from '../kinds/lock-kinds.js'
import type { LockLabel } from './acquire.js'
import type { LockproofError } from './error.js'
import type { WhyOf } from './sleep.js'
import type { CtxState } from './state.js'

/** `unknown` when a seqcount_t write may start here, else the error. */
export type SeqcountWriteCheck<N extends string, S extends CtxState> = [S['preempt']] extends [true]
  ? unknown
  : LockproofError<`write_seqcount_begin(${N}): a seqcount_t writer needs preemption disabled on both kernels, and it is not here (${WhyOf<S>}), so lockdep_assert_preemption_disabled() fires; spinlock_t leaves preemption on under PREEMPT_RT: associate the lock (seqcount_spinlock_t) or disable preemption`>

/** The kinds a seqcount may name as its writer lock, as `seqcount_LOCKNAME_t` spells them. */
export interface SeqLockNames {
  readonly raw_spinlock_t: 'raw_spinlock'
  readonly spinlock_t: 'spinlock'
  readonly rwlock_t: 'rwlock'
  readonly mutex: 'mutex'
}

/** A kind a seqcount_LOCKNAME_t may name. */
export type SeqLockKind = keyof SeqLockNames & LockKind

/** `unknown` when the associated lock LN (kind LK) is held in S (or S does not know), else the error. */
export type SeqcountHeldCheck<N extends string, LK extends SeqLockKind, LN extends string, S extends CtxState> = string extends S['held']
  ? unknown
  : [LN] extends [S['held']]
    ? unknown
    : LockproofError<`write_seqcount_begin(${N}): a seqcount_${SeqLockNames[LK]}_t writer must hold its ${LockLabel<LK, LN>}, which is not held here, so lockdep_assert_held() fires`>

type RtReadError<
  What extends string,
  LK extends SeqLockKind,
  LN extends string,
  Why extends string,
> = LockproofError<`${What}: on PREEMPT_RT a reader that finds a write in progress takes ${LockLabel<LK, LN>}, which sleeps there and cannot be taken here (${Why})`>

/**
 * `unknown` when a reader may start here on both kernels, else the error. raw_spinlock_t (and a
 * plain seqcount_t) never take a lock: their readers spin on both kernels.
 */
export type SeqReadCheck<What extends string, LK extends SeqLockKind | null, LN extends string, S extends CtxState> = LK extends 'spinlock_t' | 'rwlock_t'
  ? 'spin' extends S['wait']
    ? RtReadError<What, LK, LN, WhyOf<S>>
    : unknown
  : LK extends 'mutex'
    ? [S['wait']] extends ['sleep']
      ? [S['exec']] extends ['task']
        ? unknown
        : RtReadError<What, LK, LN, 'not in task context'>
      : RtReadError<What, LK, LN, WhyOf<S>>
    : unknown
