/** The explorer's named errors (each also an `instanceof LockproofRuntimeError`). */
import { LockproofRuntimeError } from '../../errors.js'

/**
 * Re-executions of one model made different choices at a replayed point: the model depends on something outside it.
 *
 * @example
 * ```ts
 * import { defineModel, explore, NondeterministicModelError } from 'lockproof'
 *
 * let n = 0 // state kept between executions: the same declarations, but the second one makes other choices
 * const m = defineModel((k) => {
 *   const odd = n++ % 2 === 1
 *   k.task('t', { cpu: 0 }, function* (ctx) { if (odd) yield* k.cpuRelax(ctx); yield* k.cpuRelax(ctx) })
 *   k.task('u', { cpu: 1 }, function* (ctx) { yield* k.cpuRelax(ctx) })
 * }, { cpus: 2 })
 * try { explore(m, { kernels: ['normal'], reduction: 'none' }) } catch (error) { console.log(error instanceof NondeterministicModelError) } // true
 * ```
 */
export class NondeterministicModelError extends LockproofRuntimeError {
  /** Always `'NondeterministicModelError'`. */
  override name = 'NondeterministicModelError'
}

/**
 * The model's setup declared different locks, tasks or handlers in two executions.
 *
 * @example
 * ```ts
 * import { defineModel, explore, DeclarationsChangedError } from 'lockproof'
 *
 * let n = 0
 * const m = defineModel((k) => { k.task(`t${n++}`, { cpu: 0 }, function* (ctx) { yield* k.cpuRelax(ctx) }); k.task('u', { cpu: 1 }, function* (ctx) { yield* k.cpuRelax(ctx) }) }, { cpus: 2 })
 * try { explore(m, { kernels: ['normal'], reduction: 'none' }) } catch (error) { console.log(error instanceof DeclarationsChangedError) } // true: 't0', then 't1'
 * ```
 */
export class DeclarationsChangedError extends LockproofRuntimeError {
  /** Always `'DeclarationsChangedError'`. */
  override name = 'DeclarationsChangedError'
}

/**
 * A task or handler took more steps in one execution than `stepLimit` allows (a livelock, or a limit too small).
 *
 * @example
 * ```ts
 * import { defineModel, explore } from 'lockproof'
 *
 * const spin = defineModel((k) => { k.task('spinner', { cpu: 0 }, function* (ctx) { for (;;) yield* k.cpuRelax(ctx) }) })
 * console.log(explore(spin, { kernels: ['normal'], stepLimit: 100 }).counterexamples[0]?.kind) // 'step-limit' (a StepLimitError's message)
 * ```
 */
export class StepLimitError extends LockproofRuntimeError {
  /** Always `'StepLimitError'`. */
  override name = 'StepLimitError'
}

/**
 * A replay string that cannot be read, or that does not fit this model.
 *
 * @example
 * ```ts
 * import { defineModel, explore, ReplayError } from 'lockproof'
 *
 * const m = defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })
 * try { explore(m, { replay: 'not a replay' }) } catch (error) { console.log(error instanceof ReplayError) } // true
 * ```
 */
export class ReplayError extends LockproofRuntimeError {
  /** Always `'ReplayError'`. */
  override name = 'ReplayError'
}

/**
 * `assertNoCounterexample()` found one: the message prints the report, the table and the replay string.
 *
 * @example
 * ```ts
 * import { assertNoCounterexample, CounterexampleError, defineModel, explore } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const s = k.spinLock('s', 0)
 *   k.irq(5, { cpu: 0 }, function* (ctx) { yield* s.withLocked(ctx, function* () {}) })
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* s.withLocked(ctx, function* (ctx) { yield* k.cpuRelax(ctx) }) })
 * })
 * try { assertNoCounterexample(explore(m)) } catch (error) { if (error instanceof CounterexampleError) console.log(error.message) } // the reports, tables and replay strings
 * ```
 */
export class CounterexampleError extends LockproofRuntimeError {
  /** Always `'CounterexampleError'`. */
  override name = 'CounterexampleError'
}
