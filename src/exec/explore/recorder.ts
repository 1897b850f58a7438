/**
 * The scheduler the model executor actually talks to during a search: it forwards each question
 * to the strategy and records the answer (the schedule, for replay strings and shrinking), counts
 * each thread's steps against the step limit, and lets observers (the data-race detector) watch.
 */
import type { Choice, ChoicePoint, Scheduler } from '../model/scheduler.js'
import { choiceKey, describeChoice } from './choice-key.js'
import { StepLimitError } from './errors.js'
import type { Strategy } from './strategy.js'

/** One choice point of an execution: what was offered and which was taken. */
export interface Point {
  readonly choices: readonly Choice[]
  readonly chosen: number
}

/** Watches the choice points of one execution (./kcsan.ts). */
export interface PointObserver {
  /** Called before the chosen step runs. */
  point(choices: readonly Choice[], chosen: number): void
}

export class Recorder implements Scheduler {
  readonly points: Point[] = []
  readonly #strategy: Strategy
  readonly #stepLimit: number
  readonly #steps = new Map<number, number>()
  readonly #observers: readonly PointObserver[]

  constructor(strategy: Strategy, stepLimit: number, observers: readonly PointObserver[] = []) {
    this.#strategy = strategy
    this.#stepLimit = stepLimit
    this.#observers = observers
  }

  choose(choices: readonly Choice[], at: ChoicePoint): number {
    const chosen = this.#strategy.choose(choices, at)
    const c = choices[chosen] as Choice
    const key = choiceKey(c)
    const n = (this.#steps.get(key) ?? 0) + 1
    this.#steps.set(key, n)
    if (n > this.#stepLimit)
      throw new StepLimitError(
        `${describeChoice(c)} took more than ${this.#stepLimit} steps in one execution: a livelock (a loop that never waits), or raise the explorer's stepLimit`,
      )
    this.points.push({ choices, chosen })
    for (const o of this.#observers) o.point(choices, chosen)
    return chosen
  }

  get schedule(): number[] {
    return this.points.map((p) => p.chosen)
  }
}
