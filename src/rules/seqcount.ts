/**
 * The compile-time rules of sequence counters (include/linux/seqlock.h):
 * - a plain `seqcount_t` writer asserts `lockdep_assert_preemption_disabled()` on both kernels
 *   (`__seqprop_assert()`), so its context must prove preemption off on both;
 * - a `seqcount_LOCKNAME_t` writer asserts `lockdep_assert_held(s->lock)`
 *   (`__seqprop_##lockname##_assert()`), so its context must hold that lock;
 * - on PREEMPT_RT a reader of a `seqcount_LOCKNAME_t` (and of a `seqlock_t`) whose lock is
 *   preemptible there takes and drops that lock when it finds a write in progress
 *   (`__seqprop_##lockname##_sequence()`), so it may only read where that lock may be taken;
 * - a write section holds the counter's lockdep map (`do_write_seqcount_begin_nested()`:
 *   `seqcount_acquire(&s->dep_map, …)`, exclusive) with the count odd: a reader inside it is
 *   `seqcount_acquire_read()` of a write-held map, which check_deadlock() reports (`if
 *   ((next->read == 2) && prev->read) continue;` lets read-after-read through only), and then waits
 *   for an even count only the end of its own section can make; a second writer is recursive.
 */
import type { LockKind } from '../kinds/lock-kinds.js'
import type { LockLabel } from './acquire.js'
import type { LockproofError } from './error.js'
import type { WhyOf } from './sleep.js'
import type { CtxState, With } from './state.js'

/**
 * The class name of a counter's lockdep map, as the static initialisers name it: `SEQCNT_ZERO(name)`
 * `name`; `SEQCOUNT_LOCKNAME_ZERO(name, lock)` and `DEFINE_SEQLOCK(name)` `name.seqcount`.
 */
export type SeqcountMap<LK extends SeqLockKind | null, N extends string> = [LK] extends [null] ? N : `${N}.seqcount`

/** The kernel's type name of a seqcount whose writers are serialised by a lock of kind LK (null: none). */
export type SeqcountType<LK extends SeqLockKind | null> = LK extends SeqLockKind ? `seqcount_${SeqLockNames[LK]}_t` : 'seqcount_t'

/** In `held` inside a raw write section (`raw_write_seqcount_begin()`: the count odd, no lockdep map). */
export type SeqRawWriting<Map extends string> = `${Map} (raw write)`

/** The context inside a write section: its map (or, for a raw writer, its marker) held. */
export type SeqWriting<T extends CtxState, H extends string> = With<T, { held: T['held'] | H }>

type RecursiveWriteError<
  N extends string,
  Type extends string,
  Map extends string,
> = LockproofError<`write_seqcount_begin(${N}): possible recursive locking detected: the write section of ${Type} '${N}' is already open here (its map '${Map}' is held)`>

/** `unknown` when a seqcount_t write may start here, else the error. */
export type SeqcountWriteCheck<N extends string, S extends CtxState> = [N] extends [S['held']]
  ? string extends S['held']
    ? SeqcountPreemptCheck<N, S>
    : RecursiveWriteError<N, 'seqcount_t', N>
  : SeqcountPreemptCheck<N, S>

type SeqcountPreemptCheck<N extends string, S extends CtxState> = [S['preempt']] extends [true]
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
    ? [`${N}.seqcount`] extends [S['held']]
      ? RecursiveWriteError<N, SeqcountType<LK>, `${N}.seqcount`>
      : unknown
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

type OwnWriteError<
  What extends string,
  Type extends string,
  N extends string,
  Lockdep extends string,
> = LockproofError<`${What}: inside the write section of ${Type} '${N}': ${Lockdep}the count stays odd until this section ends, so the reader waits for ever`>

/** What lockdep says first, for a reader that makes lockdep's reader access (not the raw_ ones). */
type ReaderAccessReport<What extends string, Map extends string> = What extends `raw_${string}`
  ? ''
  : `possible recursive locking detected (its map '${Map}' is held), and `

/**
 * `unknown` when a reader of the counter (kernel type Type, class N, map Map) may begin here, else
 * the error: first inside its own write section (both kernels), then {@link SeqReadCheck}.
 */
export type SeqBeginCheck<
  What extends string,
  Type extends string,
  N extends string,
  Map extends string,
  LK extends SeqLockKind | null,
  LN extends string,
  S extends CtxState,
> = string extends S['held']
  ? SeqReadCheck<What, LK, LN, S>
  : [Map] extends [S['held']]
    ? OwnWriteError<What, Type, N, ReaderAccessReport<What, Map>>
    : [SeqRawWriting<Map>] extends [S['held']]
      ? OwnWriteError<What, Type, N, ''>
      : SeqReadCheck<What, LK, LN, S>
