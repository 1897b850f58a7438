/**
 * `helper(spec, body)`: a function generic over the context that states what it does. Its body
 * runs in the weakest state its declaration allows (body-state.ts); each call site is checked
 * for every declared effect with the rules of direct code (call-check.ts). At run time a call
 * asserts what the types cannot see for untyped callers — `lockdep_assert_held()` for each
 * `mustHold` (by class, as the declaration names it), the needed proofs, `might_sleep()` — then runs the body with the caller's context
 * (no scope of its own: a helper is a function call, not a section).
 */
import { ScopeContext } from '../exec/scope.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import { lockRuntimeOf } from '../locks/api.js'
import type { HoldableLock } from './defined-takes.js'
import type { BodyState } from './body-state.js'
import type { HelperCheck } from './call-check.js'
import type { EffectsBrand, EffectsOf, HelperEffects, HelperEffectsData, HelperSpec, Needs } from './spec.js'
import { lockSpecOf, type Take } from './takes.js'
import { assertSite, lockdepWarn } from './warn.js'
import { checkRequired, requiredTakes } from './requires.js'

/**
 * A helper: callable with any context its declaration admits; `effects` is the declaration as
 * data (its takes include those of the helpers it calls).
 *
 * @example
 * ```ts
 * import { createKernel, helper, takes, type Helper } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const hit = helper({ name: 'stats_hit', takes: [takes(stats)] }, (ctx) => stats.withLocked(ctx, (_ctx, s) => ++s.hits))
 * const again: Helper<typeof hit extends Helper<infer E, infer _A, infer _R> ? E : never, [], number> = hit
 * kernel.run((ctx) => again(ctx)) // 1
 * ```
 */
export interface Helper<E extends HelperEffects, A extends readonly unknown[], R> {
  <S extends CtxState>(ctx: Context<S> & NoInfer<HelperCheck<E, S>>, ...args: A): R
  /** The declaration, normalised: name, takes (with the callees'), mustHold, needs, mightSleep. */
  readonly effects: HelperEffectsData
  /** @internal Phantom: the type-level effects. Never present at run time. */
  readonly [effectsBrand]?: E
}
declare const effectsBrand: EffectsBrand

const NO_NEEDS: Needs = Object.freeze({})

const arrayOf = <T>(value: unknown, what: string): readonly T[] => {
  if (value === undefined) return []
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${what} must be an array`)
  return value as readonly T[]
}

/** Checks a declaration from an untyped caller and normalises it (the callees' takes included). */
const effectsOf = (spec: unknown): HelperEffectsData => {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('helper(): the first argument must be its declaration')
  const s = spec as Partial<Record<keyof HelperSpec, unknown>>
  if (typeof s.name !== 'string' || s.name === '') throw new InvalidArgumentError('helper(): the declaration needs a name (the function it stands for)')
  const name = s.name
  const takes = [...arrayOf<Take>(s.takes, `helper ${name}(): takes`)]
  for (const t of takes) {
    if (typeof t !== 'object' || t === null || lockRuntimeOf(t.lock) === undefined) {
      throw new InvalidArgumentError(`helper ${name}(): takes lists takes(lock, variant), not ${String(t)}`)
    }
  }
  const mustHold = arrayOf<HoldableLock>(s.mustHold, `helper ${name}(): mustHold`)
  for (const l of mustHold) {
    lockSpecOf(l, `helper ${name}(): mustHold`)
    if (lockRuntimeOf(l) === undefined) throw new InvalidArgumentError(`helper ${name}(): mustHold lists locks made by a kernel`)
  }
  let mightSleep = s.mightSleep === true
  for (const callee of arrayOf<unknown>(s.calls, `helper ${name}(): calls`)) {
    const effects = typeof callee === 'function' ? (callee as { readonly effects?: HelperEffectsData }).effects : undefined
    if (effects === undefined) throw new InvalidArgumentError(`helper ${name}(): calls lists helpers made by helper()`)
    for (const t of effects.takes) if (!takes.includes(t)) takes.push(t)
    mightSleep ||= effects.mightSleep
  }
  const needs = s.needs === undefined ? NO_NEEDS : (s.needs as Needs)
  if (typeof needs !== 'object' || needs === null) throw new InvalidArgumentError(`helper ${name}(): needs must be an object such as { irq: true }`)
  return Object.freeze({ name, takes: Object.freeze(takes), mustHold: Object.freeze([...mustHold]), needs: Object.freeze({ ...needs }), mightSleep })
}

/** What the call asserts before the body runs: the kernel's own checks, reported as it reports them. */
const checkCall = (ctx: ScopeContext, e: HelperEffectsData): void => {
  if (e.mustHold.length === 0 && e.needs === NO_NEEDS && !e.mightSleep) return
  const site = assertSite(ctx, `${e.name}()`)
  // By class, as the declaration is (a per-object lock names its class through any instance);
  // the body asserts the instance it works on with lockdepAssertHeld(ctx, up.lock), as the kernel does.
  for (const lock of e.mustHold) {
    lockdepWarn(site, !site.held.some((h) => h.name === lock.name && h.kind === lock.kind), `lockdep_assert_held(${lock.name})`, e.name, false)
  }
  const { cpu } = site
  if (e.needs.irq === true) lockdepWarn(site, !cpu.irqsDisabled, 'lockdep_assert_irqs_disabled()', e.name, true)
  if (e.needs.preempt === true) lockdepWarn(site, cpu.preemptible(), 'lockdep_assert_preemption_disabled()', e.name, true)
  // Bottom halves cannot run: disabled or serving, or in hardirq/NMI, or with interrupts off.
  if (e.needs.bh === true)
    lockdepWarn(site, !(cpu.inSoftirq() || cpu.inHardirq() || cpu.inNmi() || cpu.irqsDisabled), 'WARN_ON_ONCE(!in_softirq())', e.name, true)
  // might_sleep() at the top, as the kernel's sleeping functions do; untyped callers only
  // (the type of mightSleep demands a sleepable context, which the call check has shown).
  if (e.mightSleep) (ctx as unknown as { mightSleep(): void }).mightSleep()
}

/**
 * Makes a helper from its declaration and body. The body receives a context of the weakest
 * state the declaration allows: it may take only the declared locks, sleep only if it declared
 * so, and it holds (for the type) what `mustHold` lists. Every call site is checked for each
 * declared effect against the caller's state, with the messages of direct code.
 *
 * @example
 * ```ts
 * import { createKernel, helper, takes } from 'lockproof'
 *
 * const kernel = createKernel({ lockOrder: ['port', 'stats'] })
 * const port = kernel.spinLock('port', { tx: 0 })
 * const stats = kernel.spinLock('stats', { writes: 0 })
 *
 * const consoleWrite = helper({ name: 'serial8250_console_write', takes: [takes(port, 'irqsave')] }, (ctx, s: string) =>
 *   port.withLockedIrqSave(ctx, (_ctx, p) => (p.tx += s.length)),
 * )
 * kernel.run((ctx) => consoleWrite(ctx, 'hello'))        // fine
 * kernel.run((ctx) => stats.withLocked(ctx, (_ctx) => 0)) // consoleWrite(ctx) inside stats: a lock order error
 * ```
 */
export function helper<const Spec extends HelperSpec, A extends unknown[], R>(
  spec: Spec,
  body: (ctx: Context<BodyState<EffectsOf<Spec>>>, ...args: A) => R,
): Helper<EffectsOf<Spec>, A, R> {
  const effects = effectsOf(spec)
  if (typeof body !== 'function') throw new InvalidArgumentError(`helper ${effects.name}(): the second argument must be its body`)
  const required = requiredTakes(effects.takes)
  const call = (ctx: unknown, ...args: A): R => {
    if (!ScopeContext.is(ctx)) throw new InvalidArgumentError(`${effects.name}(): the first argument must be a context`)
    if (required !== null) checkRequired(ctx, effects.name, required)
    checkCall(ctx, effects)
    // The same object: a helper is a function call, not a scope of its own.
    return body(ScopeContext.public<BodyState<EffectsOf<Spec>>>(ctx), ...args)
  }
  Object.defineProperty(call, 'name', { value: effects.name })
  return Object.assign(call, { effects }) as unknown as Helper<EffectsOf<Spec>, A, R>
}
