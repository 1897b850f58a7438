/**
 * The state a helper's body runs in: the weakest state consistent with its declaration, so the
 * body may only do what every valid call site permits. Built from {@link FreshTaskState} with the
 * transitions of direct code (`With`, `Restrict`, `Acquired`), so new state fields flow through.
 */
import type { CtxState, Exec, FreshTaskState, IrqOffOnOne, WaitType, With } from '../rules/state.js'
import type { Restrict } from '../rules/transitions.js'
import type { Acquired } from '../rules/acquire.js'
import type { RequiredProofs } from '../rules/requires.js'
import type { LockKindSpec } from '../kinds/spec.js'
import type { LockKind } from '../kinds/lock-kinds.js'
import type { HeldKindOf, HoldableLock } from './defined-takes.js'
import type { HelperBody, MayTake } from './marks.js'
import type { HelperEffects, Needs, WaitsOf } from './spec.js'
import type { Take } from './takes.js'

/** The strongest wait type every valid caller allows: what the declared takes (and mightSleep) need. */
type BaseWait<E extends HelperEffects> = E['sleeps'] extends true
  ? 'sleep'
  : 'sleep' extends WaitsOf<E['take']>
    ? 'sleep'
    : 'config' extends WaitsOf<E['take']>
      ? 'config'
      : 'spin'

type Why<E extends HelperEffects, W extends WaitType> = W extends 'sleep'
  ? `in helper ${E['name']}(), which may sleep`
  : W extends 'config'
    ? `in helper ${E['name']}(), whose declaration allows no sleeping (add mightSleep, or takes of the sleeping lock)`
    : `in helper ${E['name']}(), whose declaration allows only raw spinning locks (add takes of the lock)`

/** Declared `_irq` / `_bh` takes: their call-site checks prove interrupts on (and, for `_bh`, task or softirq). */
type TurnsOnVariants<E extends HelperEffects> = E['take'] extends Take<infer _K, infer _N, infer V> ? (V extends 'irq' | 'bh' ? V : never) : never

type BaseExec<E extends HelperEffects, W extends WaitType> = W extends 'sleep'
  ? 'task'
  : [Extract<TurnsOnVariants<E>, 'bh'>] extends [never]
    ? Exec
    : 'task' | 'softirq'

type MarksOf<T extends Take> = T extends Take<infer _K, infer N> ? MayTake<N> : never

/** Before the needs: nothing held that the body knows of, nothing off, only the declared classes takeable. */
type Base<E extends HelperEffects> = With<
  FreshTaskState,
  {
    exec: BaseExec<E, BaseWait<E>>
    wait: BaseWait<E>
    irq: [TurnsOnVariants<E>] extends [never] ? IrqOffOnOne : false
    held: HelperBody | MarksOf<E['take']>
    why: Why<E, BaseWait<E>>
  }
>

/** Each lock the caller must hold, as if taken with its plain variant: what any variant proves. */
type HoldAll<Hs extends readonly HoldableLock[], T extends CtxState> = Hs extends readonly [
  infer H extends HoldableLock,
  ...infer Rest extends readonly HoldableLock[],
]
  ? HoldAll<Rest, Acquired<HeldKindOf<H>, H['name'], 'plain', T>>
  : T

/**
 * The proofs the declared takes' kinds require (a defined kind's `requires`, the v6 token): every
 * valid call site proves them (call-check.ts), so the body may assume them, as if declared in `needs`.
 */
type TakesRequire<T extends Take> = T extends Take<infer K> ? (K extends LockKindSpec ? RequiredProofs<K> : never) : never

/**
 * The needs, with what the takes require: a {@link Needs} as NeedIrq … read it.
 */
type NeedsOf<E extends HelperEffects> = [TakesRequire<E['take']>] extends [never] ? E['needs'] : E['needs'] & { readonly [P in TakesRequire<E['take']>]: true }

type NeedIrq<N extends Needs, Name extends string, T extends CtxState> = N extends { readonly irq: true }
  ? With<Restrict<T, 'spin', `in helper ${Name}(), which needs interrupts disabled`>, { irq: true; preempt: true; bh: true }>
  : T
type NeedPreempt<N extends Needs, Name extends string, T extends CtxState> = N extends { readonly preempt: true }
  ? With<Restrict<T, 'spin', `in helper ${Name}(), which needs preemption disabled`>, { preempt: true }>
  : T
type NeedBh<N extends Needs, Name extends string, T extends CtxState> = N extends { readonly bh: true }
  ? With<Restrict<T, 'config', `in helper ${Name}(), which needs bottom halves disabled`>, { bh: true }>
  : T

/**
 * The state a helper's body runs in: the base, the locks it must hold, then what it needs proven
 * (with what its takes require). Takes of built-in kinds only (every kernel lock requires
 * nothing) skip that search: their `kind` is a built-in's name, which no defined kind may reuse
 * (defineLockKind() refuses a name in use).
 */
export type BodyState<E extends HelperEffects> = E['take']['kind'] extends LockKind
  ? NeedBh<E['needs'], E['name'], NeedPreempt<E['needs'], E['name'], NeedIrq<E['needs'], E['name'], HoldAll<E['mustHold'], Base<E>>>>>
  : NeedBh<NeedsOf<E>, E['name'], NeedPreempt<NeedsOf<E>, E['name'], NeedIrq<NeedsOf<E>, E['name'], HoldAll<E['mustHold'], Base<E>>>>>
