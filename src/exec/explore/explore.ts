/**
 * `explore(model, options)`: every interleaving of the model's tasks on its CPUs and every
 * arrival of its interrupts, within the bounds, on the normal kernel and on PREEMPT_RT in one
 * call. docs/explorer.md.
 */
import type { CircularDependencyDiagnostic, IrqInversionDiagnostic } from '../../diagnostics/types.js'
import type { ModelKernel } from '../model/model-kernel.js'
import { InvalidArgumentError } from '../../errors.js'
import { defineModel, type Model } from '../model/run.js'
import { exploreRuns } from './explore-runs.js'
import type { ExploreOptions } from './options.js'
import type { ExploreResult } from './result.js'
import { modelRunner } from './run-model.js'
import { toWitness, type Witness, witnessAccepts, witnessClasses } from './witness.js'

/**
 * Options of `explore()`: the search's ({@link ExploreOptions}) and what every execution's
 * kernel gets (the kernel itself, normal or PREEMPT_RT, comes from `kernels`).
 *
 * @example
 * ```ts
 * import type { ExploreModelOptions } from 'lockproof'
 *
 * const thorough: ExploreModelOptions = { kernels: ['normal', 'rt'], preemptionBound: 3, maxExecutions: 50_000, lockdep: false }
 * console.log(thorough.preemptionBound) // 3
 * ```
 */
export interface ExploreModelOptions extends ExploreOptions {
  /** lockdep in every execution (default: the model's option, else on). */
  readonly lockdep?: boolean
  /** The event log in every execution (default off: a counterexample is re-run with it on). */
  readonly trace?: boolean
  /** How often each declared interrupt may arrive in one execution (default 1). */
  readonly irqArrivals?: number
  /** CPUs, for a model given as a bare setup function (default 2). */
  readonly cpus?: number
}

/** The per-execution options, checked before any execution (an option only a later execution reads would be refused late, or never). */
const checkModelOptions = (o: ExploreModelOptions): void => {
  for (const name of ['lockdep', 'trace'] as const)
    if (o[name] !== undefined && typeof o[name] !== 'boolean') throw new InvalidArgumentError(`explore(): ${name} must be a boolean (got ${String(o[name])})`)
  const n = o.irqArrivals
  if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0))
    throw new InvalidArgumentError(`explore(): irqArrivals must be an integer ≥ 0 (got ${String(n)})`)
}

const asModel = <O extends readonly string[]>(model: Model<O> | ((k: ModelKernel<O>) => void), options: ExploreModelOptions): Model<O> => {
  checkModelOptions(options)
  return typeof model === 'function' ? defineModel<O>(model, { cpus: options.cpus ?? 2 }) : model
}

/**
 * Explores `model` (from `defineModel()`, or a bare setup function): DFS with source-DPOR and a
 * preemption bound by default, on both kernels; the result lists each kernel's counterexamples
 * (shrunk, with a per-CPU table and a replay string) and what happens on one kernel only.
 *
 * @example
 * ```ts
 * import { defineModel, explore } from 'lockproof'
 *
 * const abba = defineModel((k) => {
 *   const a = k.spinLock('a', 0)
 *   const b = k.spinLock('b', 0)
 *   k.task('one', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (ctx) { yield* b.withLocked(ctx, function* () {}) }) })
 *   k.task('two', { cpu: 1 }, function* (ctx) { yield* b.withLocked(ctx, function* (ctx) { yield* a.withLocked(ctx, function* () {}) }) })
 * }, { cpus: 2, lockdep: false })
 * const result = explore(abba)
 * console.log(result.counterexamples.map((c) => `${c.kernel}: ${c.kind}`)) // ['normal: deadlock', 'rt: deadlock']
 * ```
 */
export const explore = <O extends readonly string[]>(model: Model<O> | ((k: ModelKernel<O>) => void), options: ExploreModelOptions = {}): ExploreResult => {
  const m = asModel(model, options)
  return exploreRuns(modelRunner(m, options), options, { cpus: m.options.cpus ?? 1 })
}

/**
 * lockdep's report, shown by execution: searches `model` for a schedule that really deadlocks on
 * the report's lock classes (a `circular-dependency` or `irq-inversion` report from a
 * synchronous run), or says none exists within the bound.
 *
 * @example
 * ```ts
 * import { createKernel, defineModel, exploreWitness, type CircularDependencyDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.mutex('a', 0)
 * const b = kernel.mutex('b', 0)
 * kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
 * kernel.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
 * const report = kernel.diagnostics.find((d): d is CircularDependencyDiagnostic => d.kind === 'circular-dependency')
 * const model = defineModel((k) => {
 *   const a = k.mutex('a', 0)
 *   const b = k.mutex('b', 0)
 *   k.task('one', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (ctx) { yield* b.withLocked(ctx, function* () {}) }) })
 *   k.task('two', { cpu: 1 }, function* (ctx) { yield* b.withLocked(ctx, function* (ctx) { yield* a.withLocked(ctx, function* () {}) }) })
 * }, { cpus: 2 })
 * if (report !== undefined) console.log(exploreWitness(model, report).summary) // "the report's classes (a, b) really deadlock: lp1:normal:…"
 * ```
 */
export const exploreWitness = <O extends readonly string[]>(
  model: Model<O> | ((k: ModelKernel<O>) => void),
  report: CircularDependencyDiagnostic | IrqInversionDiagnostic,
  options: ExploreModelOptions = {},
): Witness => {
  const m = asModel(model, options)
  const classes = witnessClasses(report)
  const result = exploreRuns(
    modelRunner(m, { ...options, lockdep: options.lockdep ?? false }),
    { kernels: ['normal'], ...options },
    {
      accept: witnessAccepts(classes),
      cpus: m.options.cpus ?? 1,
    },
  )
  return toWitness(report, result)
}
