/**
 * A helper's declaration, as data: what it takes, what it must be called holding, what it needs
 * proven, whether it may sleep, and which helpers it calls (their takes become its own). The
 * type-level `HelperEffects` is the declaration normalised: the takes as one flat union, so that
 * helpers calling helpers stay flat however deep they go.
 */
import type { KindOf } from '../kinds/kind-of.js'
import type { HoldableLock } from './defined-takes.js'
import type { Take } from './takes.js'

/**
 * What a helper needs proven where it is called (the fields of {@link CtxState} it fixes). Each
 * is also checked at run time with lockdep's assertion: `irq` with
 * `lockdep_assert_irqs_disabled()`, `preempt` with `lockdep_assert_preemption_disabled()`, `bh`
 * with a WARN_ON_ONCE() unless bottom halves cannot run.
 *
 * @example
 * ```ts
 * import type { Needs } from 'lockproof'
 *
 * const irqsOff: Needs = { irq: true } // the helper touches registers an interrupt handler also touches
 * ```
 */
export interface Needs {
  /** Interrupts disabled on both kernels ({@link IrqDisabled}). */
  readonly irq?: true
  /** Preemption disabled on both kernels ({@link PreemptDisabled}). */
  readonly preempt?: true
  /** Bottom halves cannot run, on both kernels ({@link BhDisabled}). */
  readonly bh?: true
}

/**
 * A helper's declaration: its name (for messages and warnings) and its effects.
 *
 * @example
 * ```ts
 * import { createKernel, takes, type HelperSpec } from 'lockproof'
 *
 * const kernel = createKernel()
 * const port = kernel.spinLock('port', { ier: 0 })
 * const spec = { name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] } as const satisfies HelperSpec
 * ```
 */
export interface HelperSpec {
  /** The function's name, as the kernel's would be: messages and `WARNING: … at <name>` use it. */
  readonly name: string
  /** The locks it takes (and releases) itself, with their variants. */
  readonly takes?: readonly Take[]
  /** The locks its caller must hold (sparse's `__must_hold()`; checked with `lockdep_assert_held()`): built-ins' or defined kinds'. */
  readonly mustHold?: readonly HoldableLock[]
  /** What must be proven where it is called. */
  readonly needs?: Needs
  /** It may sleep (`might_sleep()` at its top, as the kernel's sleeping functions do). */
  readonly mightSleep?: boolean
  /** Helpers it calls: their takes and `mightSleep` become this helper's (requirements compose). */
  readonly calls?: readonly HelperLike[]
}

/**
 * What `calls` lists: helpers (anything with a helper's `effects`).
 *
 * @example
 * ```ts
 * import { helper, type HelperLike } from 'lockproof'
 *
 * const callees: HelperLike[] = [helper({ name: 'noop' }, () => 0)]
 * ```
 */
export interface HelperLike {
  /** The callee's declaration. */
  readonly effects: HelperEffectsData
}

/**
 * The declaration normalised, at run time: what a call checks (a helper's `effects`).
 *
 * @example
 * ```ts
 * import { createKernel, helper, takes, type HelperEffectsData } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', 0)
 * const inner = helper({ name: 'inner', takes: [takes(cfg)] }, (ctx) => cfg.withLocked(ctx, () => 0))
 * const outer = helper({ name: 'outer', calls: [inner] }, (ctx) => inner(ctx))
 * const e: HelperEffectsData = outer.effects
 * console.log(e.takes.map((t) => t.name)) // ['cfg']: the callee's takes are the caller's
 * ```
 */
export interface HelperEffectsData {
  /** The helper's name. */
  readonly name: string
  /** Every lock it takes, its callees' included. */
  readonly takes: readonly Take[]
  /** The locks its caller must hold. */
  readonly mustHold: readonly HoldableLock[]
  /** What must be proven where it is called. */
  readonly needs: Needs
  /** It (or a callee) may sleep. */
  readonly mightSleep: boolean
}

/**
 * The declaration normalised, at the type level: the first parameter of {@link Helper}.
 *
 * @example
 * ```ts
 * import type { Helper, HelperEffects } from 'lockproof'
 *
 * type EffectsOf<H> = H extends Helper<infer E extends HelperEffects, infer _A, infer _R> ? E : never
 * ```
 */
export interface HelperEffects {
  /** The helper's name. */
  readonly name: string
  /** Every lock taken, this helper's and its callees', as one union (never: none). */
  readonly take: Take
  /** The locks the caller must hold. */
  readonly mustHold: readonly HoldableLock[]
  /** What must be proven where it is called. */
  readonly needs: Needs
  /** It (or a callee) may sleep. */
  readonly sleeps: boolean
}

declare const effectsBrand: unique symbol
/** @internal The phantom key under which a helper carries its type-level effects. */
export type EffectsBrand = typeof effectsBrand

/** The type-level effects of a helper value (never for anything else). */
export type EffectsOfHelper<H> = H extends { readonly [effectsBrand]?: infer E extends HelperEffects } ? E : never

type ElementOf<T> = T extends readonly (infer X)[] ? X : never

/** Takes of the spec itself and of every helper it calls (already flat: theirs include their callees'). */
type TakesOf<S extends HelperSpec> =
  | (S extends { readonly takes: readonly (infer T extends Take)[] } ? T : never)
  | EffectsOfHelper<ElementOf<S['calls']>>['take']

type SleepsOf<S extends HelperSpec> = S extends { readonly mightSleep: true }
  ? true
  : true extends EffectsOfHelper<ElementOf<S['calls']>>['sleeps']
    ? true
    : false

/** A declaration without needs. */
type NoNeeds = Readonly<Record<never, never>>

/** A spec's effects. */
export interface EffectsOf<S extends HelperSpec> extends HelperEffects {
  readonly name: S['name']
  readonly take: TakesOf<S>
  readonly mustHold: S extends { readonly mustHold: infer H extends readonly HoldableLock[] } ? H : readonly []
  readonly needs: S extends { readonly needs: infer N extends Needs } ? N : NoNeeds
  readonly sleeps: SleepsOf<S>
}

/** The lockdep wait types of a union of takes. */
export type WaitsOf<T extends Take> = T extends Take<infer K> ? KindOf<K>['wait'] : never
