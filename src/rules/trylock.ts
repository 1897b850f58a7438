/**
 * Trylocks at compile time. A trylock never waits, so it may be attempted where the blocking
 * form would wait (under a spinning lock, in an atomic section) and in any order; lockdep gives
 * it no wait-context check and no dependency (`check_wait_context()`: `if (!next_inner ||
 * next->trylock) return 0;`, `validate_chain()`: `if (!hlock->trylock && …)`). What stays:
 * a mutex is owned by a task, so its trylock is for task context only (mutex.c: "This function
 * must not be used in interrupt context"; RT's rtmutex_api.c: `WARN_ON_ONCE(!in_task())`), and a
 * lock that sleeps on PREEMPT_RT is an rtmutex there, which a hard interrupt cannot own.
 * rw_semaphore trylocks may come from interrupt context (rwsem.c checks nothing; BPF's stack
 * map takes `mmap_read_trylock()` there, with an irq_work to release it), but not with interrupts
 * off on PREEMPT_RT: kernel/bpf/mmap_unlock_work.h, "PREEMPT_RT does not allow to trylock mmap
 * sem in interrupt disabled context. Force the fallback code."
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'
import type { KindOf, KindRef } from '../kinds/kind-of.js'
import type { LockLabel } from './acquire.js'

type KindWait<K extends KindRef> = KindOf<K>['wait']

/** The kind's trylock rule (kinds/spec.ts `TrylockSpec`). */
type TryContext<K extends KindRef> = KindOf<K>['trylock'] extends { readonly context: infer C } ? C : never

/** The kernel's name of the trylock call, for messages: `mutex_trylock`. */
type TryCall<K extends KindRef> = KindOf<K>['trylock'] extends { readonly call: infer C extends string } ? C : never

type TaskOnlyError<
  K extends KindRef,
  N extends string,
  Where extends string,
> = LockproofError<`${LockLabel<K, N>}: ${TryCall<K>}() may not be used in interrupt context (${Where} context)`>

type IrqsOffError<
  K extends KindRef,
  N extends string,
  Why extends string,
> = LockproofError<`${LockLabel<K, N>}: PREEMPT_RT does not allow its trylock with interrupts disabled (${Why})`>

type HardIrqError<
  K extends KindRef,
  N extends string,
  Why extends string,
> = LockproofError<`${LockLabel<K, N>} is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context (${Why})`>

/** `unknown` when a trylock of lock N of kind K may be attempted in T, else why not. */
export type TryAcquireCheck<K extends KindRef, N extends string, T extends CtxState> =
  TryContext<K> extends 'task'
    ? [T['exec']] extends ['task']
      ? unknown
      : TaskOnlyError<K, N, T['exec']>
    : TryContext<K> extends 'irqs-on'
      ? [T['irq']] extends [true]
        ? IrqsOffError<K, N, T['why']>
        : unknown
      : KindWait<K> extends 'config'
        ? [T['exec']] extends ['hardirq' | 'nmi']
          ? 'spin' extends T['wait']
            ? HardIrqError<K, N, T['why']>
            : unknown
          : unknown
        : unknown
