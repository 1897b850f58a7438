/**
 * The portable nesting rules at compile time, read from the lock-kind table (kinds.ts): where a
 * kind may be taken follows from its wait type, and what it proves from the steps its variant
 * performs on *both* configurations.
 */
import type { CanSleep } from '../context/sleep-rules.js'
import type { CtxState, With } from '../context/state.js'
import type { Restrict } from '../context/transitions.js'
import type { LockproofError } from '../context/type-error.js'
import type { LockKind, LockKinds, Step, VariantOf } from './kinds.js'

type Label<K extends LockKind> = LockKinds[K]['label']
type KindWait<K extends LockKind> = LockKinds[K]['wait']

/** The lock steps of a variant on one configuration, as a union. */
type LockSteps<K extends LockKind, V extends VariantOf<K>, C extends 'normal' | 'rt'> = LockKinds[K]['variants'][V] extends {
  readonly [P in C]: { readonly lock: readonly (infer S extends Step)[] }
}
  ? S
  : never

/** true when the variant performs one of the steps Ss on both configurations. */
type OnBoth<K extends LockKind, V extends VariantOf<K>, Ss extends Step> = [Extract<LockSteps<K, V, 'normal'>, Ss>] extends [never]
  ? false
  : [Extract<LockSteps<K, V, 'rt'>, Ss>] extends [never]
    ? false
    : true

type Or<A extends boolean, B extends boolean> = A extends true ? true : B

/** The lock's name as the kernel would print it: `spinlock_t 'stats'`. */
export type LockLabel<K extends LockKind, N extends string> = `${Label<K>} '${N}'`

/** The context inside a lock: held classes grow, the wait type tightens, proofs are added. */
export type Acquired<K extends LockKind, N extends string, V extends VariantOf<K>, T extends CtxState> = With<
  Restrict<T, KindWait<K>, `${LockLabel<K, N>} is held`>,
  {
    irq: Or<T['irq'], OnBoth<K, V, 'irq_save' | 'irq_disable'>>
    preempt: Or<T['preempt'], OnBoth<K, V, 'preempt_disable' | 'irq_save' | 'irq_disable'>>
    bh: Or<T['bh'], OnBoth<K, V, 'bh_disable' | 'bh_lock_disable' | 'irq_save' | 'irq_disable'>>
    held: T['held'] | N
  }
>

type RecursionError<K extends LockKind, N extends string> = LockproofError<`possible recursive locking detected: ${LockLabel<K, N>} is already held`>

type WaitError<
  K extends LockKind,
  N extends string,
  Why extends string,
> = LockproofError<`Invalid wait context: ${LockLabel<K, N>} is a sleeping lock on PREEMPT_RT and cannot be taken here (${Why})`>

type OrderError<
  N extends string,
  Later extends string,
> = LockproofError<`lock order: '${N}' is declared before '${Later}', so it cannot be taken while '${Later}' is held`>

/** Where a kind of this wait type may be taken. */
type WaitCheck<K extends LockKind, N extends string, T extends CtxState> =
  KindWait<K> extends 'sleep'
    ? CanSleep<T, LockLabel<K, N>>
    : KindWait<K> extends 'config'
      ? 'spin' extends T['wait']
        ? WaitError<K, N, T['why']>
        : unknown
      : unknown

/** Held classes declared after N (F is precomputed per lock from the kernel's lockOrder). */
type OrderCheck<N extends string, T extends CtxState, F extends string> = [Extract<T['held'], F>] extends [never]
  ? unknown
  : OrderError<N, Extract<T['held'], F>>

/** `unknown` when taking lock N of kind K is valid in T, else the first rule it breaks. */
export type AcquireCheck<K extends LockKind, N extends string, T extends CtxState, F extends string> = string extends T['held']
  ? WaitCheck<K, N, T>
  : [N] extends [T['held']]
    ? RecursionError<K, N>
    : WaitCheck<K, N, T> extends infer W
      ? unknown extends W
        ? OrderCheck<N, T, F>
        : W
      : never

/** The classes a declared order puts after N (never when N is not in the order). Tail-recursive. */
export type DeclaredAfter<Order extends readonly string[], N extends string> = Order extends readonly [infer Head, ...infer Rest extends readonly string[]]
  ? Head extends N
    ? Rest[number]
    : DeclaredAfter<Rest, N>
  : never
