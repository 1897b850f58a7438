/**
 * Trylocks at compile time. A trylock never waits, so it may be attempted where the blocking
 * form would wait (under a spinning lock, in an atomic section) and in any order; lockdep gives
 * it no wait-context check and no dependency (`check_wait_context()`: `if (!next_inner ||
 * next->trylock) return 0;`, `validate_chain()`: `if (!hlock->trylock && …)`). What stays:
 * a sleeping lock is owned by a task, so its trylock is for task context only (mutex.c: "This
 * function must not be used in interrupt context"), and a lock that sleeps on PREEMPT_RT is an
 * rtmutex there, which a hard interrupt cannot own.
 */
import type { CtxState } from '../context/state.js'
import type { LockproofError } from '../context/type-error.js'
import type { LockKind, LockKinds } from './kinds.js'
import type { LockLabel } from './rules.js'

type KindWait<K extends LockKind> = LockKinds[K]['wait']

type TaskOnlyError<
  K extends LockKind,
  N extends string,
  Where extends string,
> = LockproofError<`${LockLabel<K, N>}: a sleeping lock's trylock may not be used in interrupt context (${Where} context)`>

type HardIrqError<
  K extends LockKind,
  N extends string,
  Why extends string,
> = LockproofError<`${LockLabel<K, N>} is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context (${Why})`>

/** `unknown` when a trylock of lock N of kind K may be attempted in T, else why not. */
export type TryAcquireCheck<K extends LockKind, N extends string, T extends CtxState> =
  KindWait<K> extends 'sleep'
    ? [T['exec']] extends ['task']
      ? unknown
      : TaskOnlyError<K, N, T['exec']>
    : KindWait<K> extends 'config'
      ? [T['exec']] extends ['hardirq' | 'nmi']
        ? 'spin' extends T['wait']
          ? HardIrqError<K, N, T['why']>
          : unknown
        : unknown
      : unknown
