/** The explorer's options, resolved once (defaults here, nowhere else). */
import { InvalidArgumentError } from '../../errors.js'
import type { Reduction } from './dfs.js'
import type { KernelName } from './execution.js'
import type { Progress } from './driver.js'

export type StrategyName = 'dfs' | 'random' | 'pct'

/**
 * How `explore()` searches.
 *
 * @example
 * ```ts
 * import type { ExploreOptions } from 'lockproof'
 *
 * const quick: ExploreOptions = { strategy: 'random', seed: 7, maxExecutions: 1000 }
 * const thorough: ExploreOptions = { strategy: 'dfs', reduction: 'dpor', preemptionBound: null, maxTimeMs: 60_000 }
 * ```
 */
export interface ExploreOptions {
  /** The kernels to explore, each a search of its own (default both: `['normal', 'rt']`). */
  readonly kernels?: readonly KernelName[]
  /** 'dfs' (default): exhaustive within the bounds; 'random': uniformly random choices; 'pct': probabilistic concurrency testing. */
  readonly strategy?: 'dfs' | 'random' | 'pct'
  /** The DFS's partial-order reduction: 'dpor' (default, source sets + sleep sets), 'sleep' (sleep sets only), 'none' (naive). */
  readonly reduction?: 'dpor' | 'sleep' | 'none'
  /** Preemptions per execution (a CPU taken from a task that could go on: another task, an interrupt); null: unbounded. Default 2. */
  readonly preemptionBound?: number | null
  /** 'random' and 'pct': the seed, an integer 0 … 2^32 − 1 (default 1). */
  readonly seed?: number
  /** 'pct': the bug depth searched for, 1 … 1,000 (default 3). */
  readonly depth?: number
  /** Executions per kernel (default 100,000). */
  readonly maxExecutions?: number
  /** Milliseconds per kernel (default 10,000). */
  readonly maxTimeMs?: number
  /** Steps one task or handler may take in one execution before it is a livelock (default 10,000). */
  readonly stepLimit?: number
  /** Stop a kernel's search at its first failure (default true); false: collect each distinct failure. */
  readonly stopOnFailure?: boolean
  /** Shrink counterexamples (default true), or the most re-executions shrinking one may take (true: 300). */
  readonly shrink?: boolean | number
  /** Re-run exactly the execution a counterexample printed (its kernel is in the string). */
  readonly replay?: string
  /** Called about every `progressEveryMs` (default 1,000) during a search. */
  readonly onProgress?: (progress: Progress) => void
  /** How often `onProgress` is called, in milliseconds (default 1,000). */
  readonly progressEveryMs?: number
}

export interface ResolvedExploreOptions {
  readonly kernels: readonly KernelName[]
  readonly strategy: StrategyName
  readonly reduction: Reduction
  readonly preemptionBound: number | null
  readonly seed: number
  readonly depth: number
  readonly maxExecutions: number
  readonly maxTimeMs: number
  readonly stepLimit: number
  readonly stopOnFailure: boolean
  readonly shrinkBudget: number
  readonly replay: string | null
  readonly onProgress: ((progress: Progress) => void) | undefined
  readonly progressEveryMs: number
}

/** An integer option ≥ min (Infinity allowed: no bound), or, with a finite `max`, an integer min … max. */
const count = (name: string, v: number | undefined, fallback: number, min = 1, max = Number.POSITIVE_INFINITY): number => {
  if (v === undefined) return fallback
  if (typeof v !== 'number' || !(v >= min && v <= max) || (Number.isFinite(v) && !Number.isInteger(v)))
    throw new InvalidArgumentError(
      `explore(): ${name} must be an integer ${max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `${min} … ${max}`} (got ${String(v)})`,
    )
  return v
}

/** The PRNG takes a 32-bit seed (./prng.ts `seed >>> 0`): a larger or infinite one would alias another. */
const MAX_SEED = 2 ** 32 - 1
/** PCT's change points are among an execution's steps; a depth past this only allocates (Infinity crashed V8). */
const MAX_DEPTH = 1000

const flag = (name: string, v: boolean | undefined, fallback: boolean): boolean => {
  if (v === undefined) return fallback
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`explore(): ${name} must be a boolean (got ${String(v)})`)
  return v
}

const oneOf = <T extends string>(name: string, v: T | undefined, allowed: readonly T[], fallback: T): T => {
  if (v === undefined) return fallback
  if (!allowed.includes(v)) throw new InvalidArgumentError(`explore(): ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${String(v)})`)
  return v
}

export const resolveExploreOptions = (o: ExploreOptions = {}): ResolvedExploreOptions => {
  const kernels = o.kernels ?? ['normal', 'rt']
  if (!Array.isArray(kernels) || kernels.length === 0 || kernels.some((k) => k !== 'normal' && k !== 'rt') || new Set(kernels).size !== kernels.length)
    throw new InvalidArgumentError(`explore(): kernels must list 'normal' and/or 'rt', each once (got ${JSON.stringify(kernels)})`)
  const bound = o.preemptionBound === undefined ? 2 : o.preemptionBound === null ? null : count('preemptionBound', o.preemptionBound, 2, 0)
  const shrink = o.shrink === undefined || o.shrink === true ? 300 : o.shrink === false ? 0 : count('shrink', o.shrink, 300, 0)
  if (o.replay !== undefined && typeof o.replay !== 'string') throw new InvalidArgumentError('explore(): replay must be a replay string')
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new InvalidArgumentError('explore(): onProgress must be a function')
  return {
    kernels,
    strategy: oneOf('strategy', o.strategy, ['dfs', 'random', 'pct'], 'dfs'),
    reduction: oneOf('reduction', o.reduction, ['dpor', 'sleep', 'none'], 'dpor'),
    preemptionBound: bound,
    seed: count('seed', o.seed, 1, 0, MAX_SEED),
    depth: count('depth', o.depth, 3, 1, MAX_DEPTH),
    maxExecutions: count('maxExecutions', o.maxExecutions, 100_000),
    maxTimeMs: count('maxTimeMs', o.maxTimeMs, 10_000),
    stepLimit: count('stepLimit', o.stepLimit, 10_000),
    stopOnFailure: flag('stopOnFailure', o.stopOnFailure, true),
    shrinkBudget: shrink,
    replay: o.replay ?? null,
    onProgress: o.onProgress,
    progressEveryMs: count('progressEveryMs', o.progressEveryMs, 1000),
  }
}
