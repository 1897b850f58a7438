/**
 * The write side of `seqlock_t` at compile time: `write_seqlock*()` is the spinlock_t's
 * `spin_lock*()` variant, then `do_write_seqcount_begin()`, which acquires the counter's lockdep
 * map (`sl.seqcount`). So the section's context is the spinlock's, with that map held too: a
 * reader of the same seqlock_t inside it is refused (rules/seqcount.ts `SeqBeginCheck`), while a
 * `read_seqlock_excl()` section (the spinlock alone) is not. Same checks as the lock's methods.
 */
import type { Context } from '../exec/context.js'
import type { Op } from '../exec/wait.js'
import type { Variant } from '../kinds/spec.js'
import type { ModelSection } from '../locks/model-api.js'
import type { AcquireCheck, AcquireFullCheck, Acquired } from '../rules/acquire.js'
import type { NotThenable } from '../rules/error.js'
import type { CtxState } from '../rules/state.js'

/** Inside a write section: the spinlock N and the counter's map `N.seqcount`. */
type SeqlockWriting<N extends string, V extends Variant, T extends CtxState> = Acquired<'spinlock_t', N, V, T, N | `${N}.seqcount`>

/** `write_seqlock*()` around `cb` (variant V of the seqlock's spinlock_t). */
export type SeqlockWriter<N extends string, V extends Variant, D, F extends string> = V extends 'plain' | 'irqsave'
  ? <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireCheck<'spinlock_t', N, T, F>>,
      cb: (ctx: Context<SeqlockWriting<N, V, T>>, data: D) => NotThenable<R, `a section holding spinlock_t '${N}'`>,
    ) => R
  : <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireFullCheck<'spinlock_t', N, V, T, F, 'write'>>,
      cb: (ctx: Context<SeqlockWriting<N, V, T>>, data: D) => NotThenable<R, `a section holding spinlock_t '${N}'`>,
    ) => R

/** `write_seqlock*()` in a model, around a generator section. */
export type ModelSeqlockWriter<N extends string, V extends Variant, D, F extends string> = V extends 'plain' | 'irqsave'
  ? <T extends CtxState, R>(ctx: Context<T> & NoInfer<AcquireCheck<'spinlock_t', N, T, F>>, cb: ModelSection<SeqlockWriting<N, V, T>, D, R>) => Op<R>
  : <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireFullCheck<'spinlock_t', N, V, T, F, 'write'>>,
      cb: ModelSection<SeqlockWriting<N, V, T>, D, R>,
    ) => Op<R>
