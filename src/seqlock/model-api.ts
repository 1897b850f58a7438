/**
 * The model flavour of the sequence locks (src/exec/model/): every call that may wait (a writer's
 * lock, a reader's begin: it spins, or on RT takes the lock) is an operation run with `yield*`;
 * write sections are generator functions, so they can be preempted (`yield* k.cpuRelax(ctx)`)
 * while readers on other CPUs run. `readSeqretry` / `readRetry` never wait and stay plain.
 */
import type { Context } from '../exec/context.js'
import type { Op } from '../exec/wait.js'
import type { ModelLocked } from '../locks/model-api.js'
import type { NotThenable } from '../rules/error.js'
import type {
  SeqBeginCheck,
  SeqcountHeldCheck,
  SeqcountMap,
  SeqcountType,
  SeqcountWriteCheck,
  SeqLockNames,
  SeqRawWriting,
  SeqWriting,
} from '../rules/seqcount.js'
import type { ModelSeqlockWriter } from './writers.js'
import type { CtxState } from '../rules/state.js'

/** A read section: plain (it must not wait); the loop around it may. */
type ReadSection<S extends CtxState, D, R> = (ctx: Context<S>, data: D) => NotThenable<R, 'a read section'>

/** The model's seqcount kinds: seqcount_mutex_t stays synchronous-only for now (its writer's preempt_disable() is a scope). */
export type ModelSeqLockKind = 'raw_spinlock_t' | 'spinlock_t' | 'rwlock_t'

/**
 * `seqlock_t` in a model.
 *
 * @example
 * ```ts
 * import { defineModel, runModel } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const sl = k.seqlock('sl', { v: 0 })
 *   k.task('w', { cpu: 0 }, function* (ctx) { yield* sl.writeSeqlock(ctx, function* (_ctx, d) { d.v++ }) })
 *   k.task('r', { cpu: 1 }, function* (ctx) { yield* sl.read(ctx, (_ctx, d) => d.v) })
 * }, { cpus: 2 })
 * console.log(runModel(m).outcome.kind) // 'completed'
 * ```
 */
export interface ModelSeqLock<N extends string, D, F extends string = never> {
  /** Always `'seqlock_t'`. */
  readonly kind: 'seqlock_t'
  /** The class name. */
  readonly name: N
  /** The sequence counter. */
  readonly sequence: number
  /** The protected data. */
  readonly data: D
  /** `write_seqlock()` … `write_sequnlock()` around a generator section. */
  readonly writeSeqlock: ModelSeqlockWriter<N, 'plain', D, F>
  /** `write_seqlock_irq()` … `write_sequnlock_irq()`. */
  readonly writeSeqlockIrq: ModelSeqlockWriter<N, 'irq', D, F>
  /** `write_seqlock_irqsave()` … `write_sequnlock_irqrestore()`. */
  readonly writeSeqlockIrqSave: ModelSeqlockWriter<N, 'irqsave', D, F>
  /** `write_seqlock_bh()` … `write_sequnlock_bh()`. */
  readonly writeSeqlockBh: ModelSeqlockWriter<N, 'bh', D, F>
  /** `read_seqlock_excl()` … `read_sequnlock_excl()`. */
  readonly readSeqlockExcl: ModelLocked<'spinlock_t', N, 'plain', D, F>
  /** The retry loop around `fn`. */
  read<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqbegin(${N})`, 'seqlock_t', N, `${N}.seqcount`, 'spinlock_t', N, T>>,
    fn: ReadSection<T, D, R>,
  ): Op<R>
  /** `read_seqbegin()`. */
  readSeqbegin<T extends CtxState>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqbegin(${N})`, 'seqlock_t', N, `${N}.seqcount`, 'spinlock_t', N, T>>,
  ): Op<number>
  /** `read_seqretry()`. */
  readSeqretry(ctx: Context<CtxState>, start: number): boolean
}

/** The readers of a model seqcount. */
interface ModelSeqcountReaders<N extends string, D, LK extends ModelSeqLockKind | null, LN extends string> {
  /** The retry loop around `fn`. */
  read<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
    fn: ReadSection<T, D, R>,
  ): Op<R>
  /** `read_seqcount_begin()`. */
  readBegin<T extends CtxState>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
  ): Op<number>
  /** `raw_read_seqcount_begin()`. */
  rawReadBegin<T extends CtxState>(
    ctx: Context<T> & NoInfer<SeqBeginCheck<`raw_read_seqcount_begin(${N})`, SeqcountType<LK>, N, SeqcountMap<LK, N>, LK, LN, T>>,
  ): Op<number>
  /** `read_seqcount_retry()`. */
  readRetry(ctx: Context<CtxState>, start: number): boolean
}

/**
 * `seqcount_t` in a model.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const sc = k.seqcount('sc', { v: 0 })
 *   const hw = k.rawSpinLock('hw', null)
 *   k.task('w', { cpu: 0 }, function* (ctx) {
 *     yield* hw.withLocked(ctx, function* (ctx) { yield* sc.write(ctx, function* (_ctx, d) { d.v++ }) })
 *   })
 * })
 * ```
 */
export interface ModelSeqCount<N extends string, D> extends ModelSeqcountReaders<N, D, null, never> {
  /** Always `'seqcount_t'`. */
  readonly kind: 'seqcount_t'
  /** The class name. */
  readonly name: N
  /** The sequence counter. */
  readonly sequence: number
  /** The protected data. */
  readonly data: D
  /** `write_seqcount_begin()` … `write_seqcount_end()` around a generator section. */
  write<T extends CtxState, R>(ctx: Context<T> & NoInfer<SeqcountWriteCheck<N, T>>, cb: (ctx: Context<SeqWriting<T, N>>, data: D) => Op<R>): Op<R>
  /** `raw_write_seqcount_begin()` … `raw_write_seqcount_end()`. */
  rawWrite<T extends CtxState, R>(ctx: Context<T>, cb: (ctx: Context<SeqWriting<T, SeqRawWriting<N>>>, data: D) => Op<R>): Op<R>
}

/**
 * `seqcount_LOCKNAME_t` in a model (raw_spinlock, spinlock, rwlock).
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const l = k.spinLock('dev_lock', null)
 *   const seq = k.seqcountSpinlock('dev_seq', l, { mtu: 1500 })
 *   k.task('w', { cpu: 0 }, function* (ctx) {
 *     yield* l.withLocked(ctx, function* (ctx) { yield* seq.write(ctx, function* (_ctx, d) { d.mtu = 9000 }) })
 *   })
 * })
 * ```
 */
export interface ModelSeqCountLocked<LK extends ModelSeqLockKind, N extends string, LN extends string, D> extends ModelSeqcountReaders<N, D, LK, LN> {
  /** `'seqcount_spinlock_t'`, …. */
  readonly kind: `seqcount_${SeqLockNames[LK]}_t`
  /** The class name. */
  readonly name: N
  /** The associated lock's class. */
  readonly lock: LN
  /** The sequence counter. */
  readonly sequence: number
  /** The protected data. */
  readonly data: D
  /** `write_seqcount_begin()` … `write_seqcount_end()`: the associated lock must be held. */
  write<T extends CtxState, R>(
    ctx: Context<T> & NoInfer<SeqcountHeldCheck<N, LK, LN, T>>,
    cb: (ctx: Context<SeqWriting<T, `${N}.seqcount`>>, data: D) => Op<R>,
  ): Op<R>
  /** `raw_write_seqcount_begin()` … `raw_write_seqcount_end()`. */
  rawWrite<T extends CtxState, R>(ctx: Context<T>, cb: (ctx: Context<SeqWriting<T, SeqRawWriting<`${N}.seqcount`>>>, data: D) => Op<R>): Op<R>
}
