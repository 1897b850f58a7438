/** Argument checks of the waiting primitives, for untyped JavaScript callers: clear named errors, nothing changed. */
import { InvalidArgumentError } from '../errors.js'
import { ScopeContext } from '../exec/scope.js'
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'

/** A primitive's name: a non-empty string. */
export const nameArg = (what: string, name: unknown): string => {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${what}: the name must be a non-empty string`)
  return name
}

/** A count or a timeout in jiffies: an integer ≥ 0 (a negative timeout is allowed where the kernel takes `long`). */
export const intArg = (what: string, arg: string, value: unknown, min = 0): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidArgumentError(`${what}: ${arg} must be an integer ≥ ${min}`)
  return value
}

/** The usable context behind `ctx`, and its CPU (ScopeContext's errors for anything else). */
export const usable = (what: string, ctx: unknown): { readonly ctx: ScopeContext; readonly cpu: Cpu } => {
  const c = ScopeContext.from(ctx, what)
  return { ctx: c, cpu: c.assertUsable(what) }
}

/** A condition argument: a function of the waiter's context (its result is taken as C takes it, for truth). */
export const condArg = (what: string, fn: unknown): ((ctx: Context<CtxState>) => unknown) => {
  if (typeof fn !== 'function') throw new InvalidArgumentError(`${what}: the condition must be a function`)
  return (ctx) => fn(ctx)
}
