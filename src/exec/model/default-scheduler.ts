/**
 * The default strategy of `runModel()`: deterministic and unsurprising — the task that ran last
 * goes on while it can; otherwise the first task choice (lowest CPU, then pid); interrupt
 * arrivals and softirq raises only when no task can run.
 */
import type { Choice, ChoicePoint, Scheduler } from './scheduler.js'

const sameTask = (a: Choice, b: Choice): boolean => a.kind === 'task' && b.kind === 'task' && a.pid === b.pid && a.cpu === b.cpu

/**
 * The scheduler `runModel()` uses unless given one.
 *
 * @example
 * ```ts
 * import { defaultScheduler, defineModel, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })
 * console.log(runModel(model, { scheduler: defaultScheduler() }).outcome.kind) // 'completed'
 * ```
 */
export const defaultScheduler = (): Scheduler => ({
  choose(choices: readonly Choice[], at: ChoicePoint): number {
    const previous = at.previous
    if (previous !== null) {
      const same = choices.findIndex((c) => sameTask(c, previous))
      if (same >= 0) return same
    }
    const task = choices.findIndex((c) => c.kind === 'task')
    return Math.max(task, 0)
  },
})

/**
 * A scheduler that replays a list of choice indices (a counterexample's schedule), then goes on
 * as `then` does (default: {@link defaultScheduler}).
 *
 * @example
 * ```ts
 * import { defineModel, replayScheduler, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) })
 * const first = runModel(model)
 * console.log(runModel(model, { scheduler: replayScheduler(first.schedule) }).schedule) // the same indices
 * ```
 */
export const replayScheduler = (schedule: readonly number[], then: Scheduler = defaultScheduler()): Scheduler => ({
  choose(choices: readonly Choice[], at: ChoicePoint): number {
    const i = schedule[at.step]
    return i !== undefined && i < choices.length ? i : then.choose(choices, at)
  },
})
