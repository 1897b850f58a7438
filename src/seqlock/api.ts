/**
 * The typed faces of the sequence locks (include/linux/seqlock.h): `seqlock_t`, `seqcount_t` and
 * `seqcount_LOCKNAME_t`. A seqlock_t's write side and locking readers are its spinlock_t's
 * methods (same types, same rules); readers run lockless and retry.
 */
import type { Context } from '../exec/context.js'
import type { NotThenable } from '../rules/error.js'
import type {
  SeqBeginCheck,
  SeqcountHeldCheck,
  SeqcountMap,
  SeqcountType,
  SeqcountWriteCheck,
  SeqLockKind,
  SeqLockNames,
  SeqRawWriting,
  SeqWriting,
} from '../rules/seqcount.js'
import type { CtxState } from '../rules/state.js'
import type { Restrict } from '../rules/transitions.js'
import type { Locked } from '../locks/methods.js'
import type { SeqlockWriter } from './writers.js'

/** A read section: runs lockless and may run again (it must not change what it reads). */
type ReadSection<S extends CtxState, D, R, Where extends string> = (ctx: Context<S>, data: D) => NotThenable<R, Where>

/** What every sequence lock carries. */
interface SequenceCommon<N extends string, D> {
  /** The class name (the lockdep map of its sequence counter is named after it). */
  readonly name: N
  /** The sequence counter: even when no write section is open, odd inside one. */
  readonly sequence: number
  /** The protected data, as lockless readers see it. */
  readonly data: D
}

/**
 * `seqlock_t`: a `spinlock_t` that serialises writers plus a sequence counter readers retry on
 * (`seqcount_spinlock_t`). Writers are the spinlock's `spin_lock*()` variants around a sequence
 * increment, so on PREEMPT_RT they are preemptible; a reader that finds a write in progress there
 * takes and drops the spinlock instead of spinning on a preempted writer.
 *
 * @example
 * ```ts
 * import { createKernel, type SeqLock } from 'lockproof'
 *
 * const kernel = createKernel()
 * const clock: SeqLock<'jiffies_lock', { ns: number }> = kernel.seqlock('jiffies_lock', { ns: 0 })
 * kernel.run((ctx) => clock.writeSeqlockIrqSave(ctx, (_ctx, c) => { c.ns += 10 }))
 * console.log(kernel.run((ctx) => clock.read(ctx, (_ctx, c) => c.ns)), clock.sequence) // 10 2
 * ```
 */
export interface SeqLock<N extends string, D, F extends string = never> extends SequenceCommon<N, D> {
  /** Always `'seqlock_t'`. */
  readonly kind: 'seqlock_t'
  /** `write_seqlock()` … `write_sequnlock()` around `cb`: spin_lock() plus the sequence. */
  readonly writeSeqlock: SeqlockWriter<N, 'plain', D, F>
  /** `write_seqlock_irq()` … `write_sequnlock_irq()` around `cb`. */
  readonly writeSeqlockIrq: SeqlockWriter<N, 'irq', D, F>
  /** `write_seqlock_irqsave()` … `write_sequnlock_irqrestore()` around `cb`. */
  readonly writeSeqlockIrqSave: SeqlockWriter<N, 'irqsave', D, F>
  /** `write_seqlock_bh()` … `write_sequnlock_bh()` around `cb`. */
  readonly writeSeqlockBh: SeqlockWriter<N, 'bh', D, F>
  /** `read_seqlock_excl()` … `read_sequnlock_excl()`: a locking reader, a plain spin_lock() (the sequence is left alone). */
  readonly readSeqlockExcl: Locked<'spinlock_t', N, 'plain', D, F>
  /** `read_seqlock_excl_irq()` … `read_sequnlock_excl_irq()`. */
  readonly readSeqlockExclIrq: Locked<'spinlock_t', N, 'irq', D, F>
  /** `read_seqlock_excl_irqsave()` … `read_sequnlock_excl_irqrestore()`. */
  readonly readSeqlockExclIrqSave: Locked<'spinlock_t', N, 'irqsave', D, F>
  /** `read_seqlock_excl_bh()` … `read_sequnlock_excl_bh()`. */
  readonly readSeqlockExclBh: Locked<'spinlock_t', N, 'bh', D, F>
  /** `do { seq = read_seqbegin(); fn() } while (read_seqretry(seq))`: `fn`'s result from a section no writer overlapped. */
  read<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqbegin(${N})`, 'seqlock_t', N, `${N}.seqcount`, 'spinlock_t', N, T>>,
    fn: ReadSection<T, D, R, 'a seqlock_t read section'>,
  ): R
  /** `read_seqbegin()`: the count to pass to {@link SeqLock.readSeqretry}; waits while a write is in progress. */
  readSeqbegin<T extends CtxState>(ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqbegin(${N})`, 'seqlock_t', N, `${N}.seqcount`, 'spinlock_t', N, T>>): number
  /** `read_seqretry()`: true when a write ran since `start`, so the section must be read again. */
  readSeqretry(ctx: Context<CtxState>, start: number): boolean
}

/** The readers every seqcount has (`read_seqcount_begin()` / `read_seqcount_retry()`). */
interface SeqcountReaders<N extends string, D, LK extends SeqLockKind | null, LN extends string> {
  /** `do { seq = read_seqcount_begin(); fn() } while (read_seqcount_retry(seq))`. */
  read<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
    fn: ReadSection<T, D, R, 'a seqcount read section'>,
  ): R
  /** `read_seqcount_begin()`: lockdep's reader access, then the count once it is even. */
  readBegin<T extends CtxState>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
  ): number
  /** `raw_read_seqcount_begin()`: as readBegin, without lockdep. */
  rawReadBegin<T extends CtxState>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`raw_read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
  ): number
  /** `read_seqcount_retry()`: true when a write ran since `start`. */
  readRetry(ctx: Context<CtxState>, start: number): boolean
}

/**
 * `seqcount_t`: a bare sequence counter. Its writers must be serialised by the caller and run
 * with preemption disabled on both kernels (`write_seqcount_begin()` asserts
 * `lockdep_assert_preemption_disabled()`); if readers run in interrupts, interrupts (or bottom
 * halves) must be off in the writer too.
 *
 * @example
 * ```ts
 * import { createKernel, type SeqCount } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats: SeqCount<'stats_seq', { rx: number }> = kernel.seqcount('stats_seq', { rx: 0 })
 * kernel.run((ctx) => ctx.preemptDisable((ctx) => stats.write(ctx, (_ctx, s) => { s.rx++ })))
 * ```
 */
export interface SeqCount<N extends string, D> extends SequenceCommon<N, D>, SeqcountReaders<N, D, null, never> {
  /** Always `'seqcount_t'`. */
  readonly kind: 'seqcount_t'
  /** `write_seqcount_begin()` … `write_seqcount_end()` around `cb`: preemption must be off on both kernels. */
  write<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqcountWriteCheck<N, T>>,
    cb: (ctx: Context<SeqWriting<T, N>>, data: D) => NotThenable<R, 'a seqcount_t write section'>,
  ): R
  /** `raw_write_seqcount_begin()` … `raw_write_seqcount_end()`: no lockdep, no assertion (the caller knows better). */
  rawWrite<T extends CtxState, R>(
    ctx: Context<T>,
    cb: (ctx: Context<SeqWriting<T, SeqRawWriting<N>>>, data: D) => NotThenable<R, 'a seqcount_t write section'>,
  ): R
}

/**
 * Inside a seqcount_LOCKNAME_t write section: its map `N.seqcount` held (H: the raw writer's
 * marker instead); a `seqcount_mutex_t` writer disables preemption on a normal kernel
 * (`seqprop_preemptible()`), so nothing may sleep there.
 */
export type SeqWriteIn<LK extends SeqLockKind, N extends string, T extends CtxState, H extends string = `${N}.seqcount`> = SeqWriting<
  LK extends 'mutex' ? Restrict<T, 'spin', `the seqcount_mutex_t '${N}' write section disables preemption on a normal kernel`> : T,
  H
>

/**
 * `seqcount_LOCKNAME_t` (`seqcount_raw_spinlock_t`, `seqcount_spinlock_t`, `seqcount_rwlock_t`,
 * `seqcount_mutex_t`): a seqcount that names the lock serialising its writers. Writers must hold
 * it (`lockdep_assert_held()`); on PREEMPT_RT the writer stays preemptible, and a reader that
 * finds a write in progress takes and drops that lock (for rwlock_t, `read_lock()`).
 *
 * @example
 * ```ts
 * import { createKernel, type SeqCountLocked } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const lock = kernel.spinLock('dev_lock', null)
 * const seq: SeqCountLocked<'spinlock_t', 'dev_seq', 'dev_lock', { mtu: number }> = kernel.seqcountSpinlock('dev_seq', lock, { mtu: 1500 })
 * kernel.run((ctx) => lock.withLocked(ctx, (ctx) => seq.write(ctx, (_ctx, d) => { d.mtu = 9000 })))
 * ```
 */
export interface SeqCountLocked<LK extends SeqLockKind, N extends string, LN extends string, D> extends SequenceCommon<N, D>, SeqcountReaders<N, D, LK, LN> {
  /** `'seqcount_spinlock_t'`, …: the kernel's type name. */
  readonly kind: `seqcount_${SeqLockNames[LK]}_t`
  /** The associated lock's class. */
  readonly lock: LN
  /** `write_seqcount_begin()` … `write_seqcount_end()` around `cb`: the associated lock must be held. */
  write<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqcountHeldCheck<N, LK, LN, T>>,
    cb: (ctx: Context<SeqWriteIn<LK, N, T>>, data: D) => NotThenable<R, 'a seqcount write section'>,
  ): R
  /** `raw_write_seqcount_begin()` … `raw_write_seqcount_end()`: no lockdep, no assertion. */
  rawWrite<T extends CtxState, R>(
    ctx: Context<T>,
    cb: (ctx: Context<SeqWriteIn<LK, N, T, SeqRawWriting<`${N}.seqcount`>>>, data: D) => NotThenable<R, 'a seqcount write section'>,
  ): R
}
