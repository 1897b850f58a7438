/**
 * The scheduler the model executor actually talks to during a search: it forwards each question
 * to the strategy and records the answer (the schedule, for replay strings and shrinking), counts
 * each thread's steps against the step limit, and lets observers (the data-race detector) watch.
 */
import type { Choice, ChoicePoint, Scheduler } from '../model/scheduler.js'
import { choiceKey, describeChoice } from './choice-key.js'
import { StepLimitError } from './errors.js'
import type { LockProbe } from './lock-probe.js'
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
  /** What each point offered, and the index taken there (two arrays: no object per point). */
  readonly #offered: (readonly Choice[])[] = []
  readonly #chosen: number[] = []
  readonly #strategy: Strategy
  readonly #stepLimit: number
  /** Steps per thread, counted only once the execution has more points than the limit (no thread can be over it before). */
  #steps: Map<number, number> | null = null
  readonly #observers: readonly PointObserver[]
  /** Set by the runner once the execution's machine exists (./lock-probe.ts). */
  probe: LockProbe | null = null

  constructor(strategy: Strategy, stepLimit: number, observers: readonly PointObserver[] = []) {
    this.#strategy = strategy
    this.#stepLimit = stepLimit
    this.#observers = observers
  }

  /** Checks what the last step did to the locks (at each point, and once at the end). */
  settle(): void {
    const n = this.#chosen.length
    if (this.probe === null || n === 0) return
    const c = (this.#offered[n - 1] as readonly Choice[])[this.#chosen[n - 1] as number] as Choice
    const replayed = this.#strategy.replayed ?? 0
    if (n - 1 < replayed) {
      // A replayed step (amended when it first ran): the locks are read only before the first new step, as its baseline.
      if (n < replayed) this.probe.skip(c)
      else this.probe.footprint(c)
      return
    }
    const f = this.probe.footprint(c)
    if (f !== 'keep') this.#strategy.amend?.(f ?? undefined)
  }

  choose(choices: readonly Choice[], at: ChoicePoint): number {
    this.settle()
    const chosen = this.#strategy.choose(choices, at)
    this.#offered.push(choices)
    this.#chosen.push(chosen)
    if (this.#chosen.length > this.#stepLimit) this.#countStep(choices[chosen] as Choice)
    for (const o of this.#observers) o.point(choices, chosen)
    return chosen
  }

  /** The step just recorded (the last point) against the step limit. */
  #countStep(c: Choice): void {
    let steps = this.#steps
    const key = choiceKey(c)
    if (steps === null) {
      steps = new Map()
      for (let i = 0; i < this.#chosen.length; i++) {
        const k = choiceKey((this.#offered[i] as readonly Choice[])[this.#chosen[i] as number] as Choice)
        steps.set(k, (steps.get(k) ?? 0) + 1)
      }
      this.#steps = steps
    } else steps.set(key, (steps.get(key) ?? 0) + 1)
    if ((steps.get(key) as number) > this.#stepLimit)
      throw new StepLimitError(
        `${describeChoice(c)} took more than ${this.#stepLimit} steps in one execution: a livelock (a loop that never waits), or raise the explorer's stepLimit`,
      )
  }

  /** Every point of the execution so far (made when asked: only a failing execution's are kept). */
  get points(): Point[] {
    return this.#offered.map((choices, i) => ({ choices, chosen: this.#chosen[i] as number }))
  }

  get schedule(): number[] {
    return this.#chosen.slice()
  }
}
