/** The design check's options, resolved once (defaults here, nowhere else). */
import type { KernelName } from '../../exec/explore/execution.js'
import type { LockKindSpec, Variant } from '../spec.js'
import { DesignCheckError } from './errors.js'

/**
 * What `checkLockDesign()` explores, and how long it may take.
 *
 * @example
 * ```ts
 * import type { CheckLockDesignOptions } from 'lockproof'
 *
 * const quick: CheckLockDesignOptions = { kernels: ['rt'], locks: 2, handler: true, maxTimeMs: 5_000 }
 * console.log(quick.locks) // 2
 * ```
 */
export interface CheckLockDesignOptions<V extends Variant = Variant> {
  /** The kernels to judge it on (default both: `['normal', 'rt']`). */
  readonly kernels?: readonly KernelName[]
  /** The variant to check (default: the one the kind's guards take, else its callbacks', else its first). */
  readonly variant?: V
  /** How many locks of the kind a task nests: the guard form drops them in every order, `locks!` of them (1–4, default 2). */
  readonly locks?: number
  /** Also judge each form with an interrupt handler on the holder's CPU that takes each lock (default true). */
  readonly handler?: boolean
  /** A second CPU whose task takes the same locks in the same order (default false: it adds executions and, for these designs, no outcome). */
  readonly secondCpu?: boolean
  /** Executions per exploration (one form, handler and drop order on one kernel; default 20,000). */
  readonly maxExecutions?: number
  /** Milliseconds for the whole check (default 30,000): what is left is shared among the explorations not yet run. */
  readonly maxTimeMs?: number
}

export interface ResolvedDesignOptions {
  readonly kernels: readonly KernelName[]
  readonly variant: Variant
  readonly locks: number
  readonly handler: boolean
  readonly secondCpu: boolean
  readonly maxExecutions: number
  readonly maxTimeMs: number
}

const MAX_LOCKS = 4

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v)

const whole = (name: string, v: unknown, fallback: number, min: number, max: number): number => {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new DesignCheckError(`checkLockDesign(): ${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')} (got ${String(v)})`)
  return v
}

const flag = (name: string, v: unknown, fallback: boolean): boolean => {
  if (v === undefined) return fallback
  if (typeof v !== 'boolean') throw new DesignCheckError(`checkLockDesign(): ${name} must be true or false (got ${String(v)})`)
  return v
}

const VARIANTS: readonly Variant[] = ['plain', 'irq', 'irqsave', 'bh']

const isVariantOf = (spec: LockKindSpec, v: unknown): v is Variant => VARIANTS.some((x) => x === v && spec.variants[x] !== undefined)

/** The variant checked by default: what a guard of the kind takes (the #998 question is about guards), else a callback's, else its first. */
const defaultVariant = (spec: LockKindSpec): Variant => {
  const entries = [...Object.values(spec.guards), ...Object.values(spec.methods)]
  const used = entries.find(([, mode]) => mode === 'write')
  if (used !== undefined) return used[0]
  return VARIANTS.find((v) => spec.variants[v] !== undefined) ?? 'plain'
}

export const resolveDesignOptions = (spec: LockKindSpec, o: unknown): ResolvedDesignOptions => {
  if (o === undefined) o = {}
  if (!isObject(o)) throw new DesignCheckError(`checkLockDesign(): the options must be an object (got ${String(o)})`)
  const known = ['kernels', 'variant', 'locks', 'handler', 'secondCpu', 'maxExecutions', 'maxTimeMs']
  const unknown = Object.keys(o).find((k) => !known.includes(k))
  if (unknown !== undefined) throw new DesignCheckError(`checkLockDesign(): unknown option '${unknown}' (the options: ${known.join(', ')})`)
  const kernels = o.kernels ?? ['normal', 'rt']
  if (!Array.isArray(kernels) || kernels.length === 0 || kernels.some((k) => k !== 'normal' && k !== 'rt') || new Set(kernels).size !== kernels.length)
    throw new DesignCheckError(`checkLockDesign(): kernels must list 'normal' and/or 'rt', each once (got ${JSON.stringify(kernels)})`)
  const variant = o.variant ?? defaultVariant(spec)
  if (!isVariantOf(spec, variant))
    throw new DesignCheckError(`checkLockDesign(): ${spec.label} has no variant '${String(variant)}' (its variants: ${Object.keys(spec.variants).join(', ')})`)
  return {
    kernels: kernels.filter((k): k is KernelName => k === 'normal' || k === 'rt'),
    variant,
    locks: whole('locks', o.locks, 2, 1, MAX_LOCKS),
    handler: flag('handler', o.handler, true),
    secondCpu: flag('secondCpu', o.secondCpu, false),
    maxExecutions: whole('maxExecutions', o.maxExecutions, 20_000, 1, 10_000_000),
    maxTimeMs: whole('maxTimeMs', o.maxTimeMs, 30_000, 1, 3_600_000),
  }
}
