/**
 * The portable nesting rules at compile time, read from the lock-kind table (kinds/lock-kinds.ts): where a
 * kind may be taken follows from its wait type, and what it proves from the steps its variant
 * performs on *both* configurations (each step's proofs: kinds/steps.ts `gives`).
 */
import type { InInterrupt, SoftirqCounted } from './in-interrupt.js'
import type { BhCheck, IrqEnableCheck } from './irq.js'
import type { CanSleep } from './sleep.js'
import type { CtxState, IrqOff, IrqOffOnOne, With } from './state.js'
import type { Restrict } from './transitions.js'
import type { LockproofError } from './error.js'
import type { HelperBody, MayTake } from '../helpers/marks.js'
import type { IrqsOffStep, StepsGiving } from '../kinds/steps.js'
import type { Step } from '../kinds/lock-kinds.js'
import type { Variant } from '../kinds/spec.js'
import type { KindOf, KindRef } from '../kinds/kind-of.js'
import type { ClassKey, Subclass } from '../locks/subclass.js'

type Label<K extends KindRef> = KindOf<K>['label']
type KindWait<K extends KindRef> = KindOf<K>['wait']

/** The lock steps of a variant on one configuration, as a union. */
type LockSteps<K extends KindRef, V extends Variant, C extends 'normal' | 'rt'> = KindOf<K>['variants'] extends {
  readonly [W in V]: { readonly [P in C]: { readonly lock: readonly (infer S extends Step)[] } }
}
  ? S
  : never

/** true when the variant performs one of the steps Ss on both configurations. */
type OnBoth<K extends KindRef, V extends Variant, Ss extends Step> = [Extract<LockSteps<K, V, 'normal'>, Ss>] extends [never]
  ? false
  : [Extract<LockSteps<K, V, 'rt'>, Ss>] extends [never]
    ? false
    : true

type Or<A extends boolean, B extends boolean> = A extends true ? true : B

/** On how many configurations the variant turns interrupts off: both (true), one (IrqOffOnOne), none (false). */
type IrqsOffBy<K extends KindRef, V extends Variant> = [Extract<LockSteps<K, V, 'normal'>, IrqsOffStep>] extends [never]
  ? [Extract<LockSteps<K, V, 'rt'>, IrqsOffStep>] extends [never]
    ? false
    : IrqOffOnOne
  : [Extract<LockSteps<K, V, 'rt'>, IrqsOffStep>] extends [never]
    ? IrqOffOnOne
    : true

/** Interrupts after a lock step: off on both if either says so, else on one if either says so. */
type IrqAfter<Before extends IrqOff, By extends IrqOff> = Before extends true ? true : By extends true ? true : Before extends IrqOffOnOne ? IrqOffOnOne : By

/** A `_bh` variant raises the softirq count on both kernels (`__local_bh_disable_ip()` first). */
type SoftirqBy<K extends KindRef, V extends Variant> = OnBoth<K, V, BhDisableStep> extends true ? SoftirqCounted : never

/** The steps that raise the softirq count (`local_bh_disable()`, `__local_bh_disable_ip()`): those giving BhDisabled but not IrqDisabled. */
type BhDisableStep = Exclude<StepsGiving<'bh'>, StepsGiving<'irq'>>

/** The lock's name as the kernel would print it: `spinlock_t 'stats'`. */
export type LockLabel<K extends KindRef, N extends string> = `${Label<K>} '${N}'`

/** The context inside a lock: held classes grow, the wait type tightens, proofs are added. */
export type Acquired<K extends KindRef, N extends string, V extends Variant, T extends CtxState, H extends string = N> = With<
  Restrict<T, KindWait<K>, `${LockLabel<K, N>} is held`>,
  {
    irq: IrqAfter<T['irq'], IrqsOffBy<K, V>>
    preempt: Or<T['preempt'], OnBoth<K, V, StepsGiving<'preempt'>>>
    bh: Or<T['bh'], OnBoth<K, V, StepsGiving<'bh'>>>
    held: T['held'] | H | SoftirqBy<K, V>
  }
>

type RecursionError<K extends KindRef, N extends string> = LockproofError<`possible recursive locking detected: ${LockLabel<K, N>} is already held`>

type WaitError<
  K extends KindRef,
  N extends string,
  Why extends string,
> = LockproofError<`Invalid wait context: ${LockLabel<K, N>} is a sleeping lock on PREEMPT_RT and cannot be taken here (${Why})`>

/** The declared class of a held class key: `stats` for `stats/1` (error path only). */
type DeclaredClass<H extends string> = H extends `${infer C}/${Subclass}` ? C : H

type OrderError<
  N extends string,
  Later extends string,
> = LockproofError<`lock order: '${N}' is declared before '${DeclaredClass<Later>}', so it cannot be taken while '${Later}' is held`>

/** Where a kind of this wait type may be taken. */
type WaitCheck<K extends KindRef, N extends string, T extends CtxState> =
  KindWait<K> extends 'sleep'
    ? CanSleep<T, LockLabel<K, N>>
    : KindWait<K> extends 'config'
      ? 'spin' extends T['wait']
        ? WaitError<K, N, T['why']>
        : unknown
      : unknown

type NotDeclaredError<
  K extends KindRef,
  N extends string,
> = LockproofError<`helper: ${LockLabel<K, N>} is taken in a helper body but not declared; add takes(${N}) (or the helper that takes it, to calls) so that every call site checks it (docs/helpers.md)`>

type HeldUnknownError<
  K extends KindRef,
  N extends string,
> = LockproofError<`held locks unknown: ${LockLabel<K, N>} cannot be checked for recursion or lock order in a context typed with a proof (Sleepable, AnyContext, IrqDisabled, …); write the function with helper() and declare takes(${N}) (docs/helpers.md)`>

/** A context whose state is `any` would switch every rule off. */
export type AnyStateError =
  LockproofError<"Context<any>: a context whose state is 'any' switches every rule off; write the function with helper() and declare what it does (docs/helpers.md)">

/** Where `held` is the wide `string`: a proof type (held locks unknown), or a state of `any`. */
type UnknownHeld<K extends KindRef, N extends string, T extends CtxState> = 0 extends 1 & T ? AnyStateError : HeldUnknownError<K, N>

/** Held classes declared after N (F is precomputed per lock from the kernel's lockOrder); in a helper body, only declared classes. */
type OrderCheck<K extends KindRef, N extends string, T extends CtxState, F extends string> = [Extract<T['held'], F | HelperBody>] extends [never]
  ? unknown
  : HelperBody extends T['held']
    ? MayTake<N> extends T['held']
      ? [Extract<T['held'], F>] extends [never]
        ? unknown
        : OrderError<N, Extract<T['held'], F>>
      : NotDeclaredError<K, N>
    : OrderError<N, Extract<T['held'], F>>

/** `unknown` when taking lock N of kind K is valid in T, else the first rule it breaks. */
export type AcquireCheck<K extends KindRef, N extends string, T extends CtxState, F extends string> = string extends T['held']
  ? UnknownHeld<K, N, T>
  : [N] extends [T['held']]
    ? RecursionError<K, N>
    : WaitCheck<K, N, T> extends infer W
      ? unknown extends W
        ? OrderCheck<K, N, T, F>
        : W
      : never

/**
 * The classes a declared order puts after N (never when N is not in the order), each under every
 * subclass (`'stats' | 'stats/1' | …`): the order is by class name, as the run time checks it, so
 * a held `stats/1` (spin_lock_nested()) is as much after N as `stats`. Tail-recursive; computed
 * once per lock.
 */
export type DeclaredAfter<Order extends readonly string[], N extends string> = Order extends readonly [infer Head, ...infer Rest extends readonly string[]]
  ? Head extends N
    ? ClassKey<Rest[number], Subclass>
    : DeclaredAfter<Rest, N>
  : never

/**
 * What an `_irq` or `_bh` variant's unlock turns back on unconditionally: `_irq` ends in
 * `local_irq_enable()`, `_bh` in `local_bh_enable()` (after a `local_bh_disable()`).
 */
type VariantCheck<K extends KindRef, N extends string, V extends string, T extends CtxState> = V extends 'irq'
  ? IrqEnableCheck<T, `the _irq unlock of ${LockLabel<K, N>}`>
  : BhCheck<T, `the _bh lock and unlock of ${LockLabel<K, N>}`>

/**
 * A read of rwlock_t where it is already read-held: recursive, so valid, where `in_interrupt()`
 * holds on both kernels (`read_lock_is_recursive()`: `... || in_interrupt()`; RT readers always
 * are): interrupt context, or a task with bottom halves disabled. In a task with only interrupts
 * off, on a normal kernel, a pending writer blocks it: the recursion error stays.
 */
type ReadAcquireCheck<K extends KindRef, N extends string, T extends CtxState, F extends string> = [ReadHeld<N>] extends [T['held']]
  ? InInterrupt<T> extends true
    ? AcquireCheck<K, N, With<T, { held: Exclude<T['held'], N | ReadHeld<N>> }>, F>
    : RecursionError<K, N>
  : AcquireCheck<K, N, T, F>

/** How a read-held rwlock_t appears in `held`, next to its class name: `'table (read)'`. */
export type ReadHeld<N extends string> = `${N} (read)`

/** What an acquisition adds to `held`: the class, and for a read of a kind whose reads may recurse (rwlock_t) its read marker too. */
export type HeldAs<K extends KindRef, N extends string, M extends 'read' | 'write'> = M extends 'read'
  ? KindOf<K>['readRecursion'] extends 'read_lock_is_recursive'
    ? N | ReadHeld<N>
    : N
  : N

/**
 * The checks of a method that is not a plain or irqsave write: {@link AcquireCheck} (its
 * recursive-read form for rwlock_t reads), then the variant's. Only those methods pay for it
 * (api.ts picks the plain check for the others).
 */
export type AcquireFullCheck<K extends KindRef, N extends string, V extends string, T extends CtxState, F extends string, M extends 'read' | 'write'> = (
  [M, KindOf<K>['readRecursion']] extends ['read', 'read_lock_is_recursive']
    ? ReadAcquireCheck<K, N, T, F>
    : AcquireCheck<K, N, T, F>
) extends infer A
  ? unknown extends A
    ? V extends 'irq' | 'bh'
      ? VariantCheck<K, N, V, T>
      : unknown
    : A
  : never
