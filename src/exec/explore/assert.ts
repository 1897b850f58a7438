/**
 * The explorer in a test (vitest, node:test, anything that fails on a thrown Error): no `expect`
 * needed, the message carries the report, the table and the replay string.
 */
import { CounterexampleError } from './errors.js'
import { KERNEL_TITLE } from './execution.js'
import type { Counterexample, ExploreResult } from './result.js'

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`

/** One counterexample as a test failure prints it. */
export const formatCounterexample = (c: Counterexample): string =>
  [
    `${c.kind} on ${KERNEL_TITLE[c.kernel]} (found at execution ${c.foundAt}; shown with ${plural(c.preemptions, 'preemption')} and ${plural(c.arrivals, 'interrupt arrival')})`,
    '',
    c.report,
    '',
    c.table,
    '',
    `replay: ${c.replay}`,
    `  explore(model, { replay: '${c.replay}' }) runs exactly this execution again`,
  ].join('\n')

/**
 * The whole result as text: each kernel's search, the differences, each counterexample.
 *
 * @example
 * ```ts
 * import { defineModel, explore, formatExploreResult } from 'lockproof'
 *
 * console.log(formatExploreResult(explore(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) }))))
 * // "the normal kernel: 1 execution in 0 ms, bounded space exhausted, 0 counterexamples" …
 * ```
 */
export const formatExploreResult = (r: ExploreResult): string =>
  [
    ...r.kernels.map(
      (k) =>
        `${KERNEL_TITLE[k.kernel]}: ${plural(k.executions, 'execution')} in ${k.elapsedMs.toFixed(0)} ms, ${k.exhausted ? 'bounded space exhausted' : 'bounded space not exhausted'}, ${plural(k.counterexamples.length, 'counterexample')}`,
    ),
    ...r.differences,
    ...r.counterexamples.flatMap((c) => ['', formatCounterexample(c)]),
  ].join('\n')

/**
 * Throws a CounterexampleError (message: every counterexample, its table and replay string)
 * unless the result is ok: the explorer in vitest or node:test, no `expect` needed.
 *
 * @example
 * ```ts
 * import { assertNoCounterexample, defineModel, explore } from 'lockproof'
 *
 * const m = defineModel((k) => {
 *   const s = k.spinLockIrq('s', 0)
 *   k.irq(5, { cpu: 0 }, function* (ctx) { yield* s.withLocked(ctx, function* () {}) })
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* s.withLocked(ctx, function* (ctx) { yield* k.cpuRelax(ctx) }) })
 * })
 * assertNoCounterexample(explore(m)) // passes: interrupts are off while the task holds the lock
 * ```
 */
export const assertNoCounterexample = (result: ExploreResult): void => {
  if (result.ok) return
  throw new CounterexampleError(`lockproof explore found ${plural(result.counterexamples.length, 'counterexample')}\n${formatExploreResult(result)}`)
}
