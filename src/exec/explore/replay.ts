/**
 * Two strategies that follow a given schedule: `ReplayStrategy` takes its indices exactly (a
 * replay string), `GuidedStrategy` follows a list of threads where it can and otherwise keeps
 * each CPU on what ran there (the shrinker's candidates).
 */
import type { Choice, ChoicePoint } from '../model/scheduler.js'
import { type ChoiceKey, choiceKey } from './choice-key.js'
import { ReplayError } from './errors.js'
import { afterChoice, type LastOnCpu } from './preemption.js'
import type { Strategy } from './strategy.js'

export class ReplayStrategy implements Strategy {
  readonly #indices: readonly number[]
  #at = 0
  #done = false

  constructor(indices: readonly number[]) {
    this.#indices = indices
  }

  get exhausted(): boolean {
    return this.#done
  }

  begin(): boolean {
    if (this.#done) return false
    this.#done = true
    this.#at = 0
    return true
  }

  end(): void {}

  choose(choices: readonly Choice[], _at: ChoicePoint): number {
    const i = this.#indices[this.#at]
    if (i === undefined)
      throw new ReplayError(
        `the replayed schedule has ${this.#indices.length} choices, but this execution goes on past them: the model is not the one recorded`,
      )
    if (i >= choices.length) throw new ReplayError(`choice ${this.#at} of the replayed schedule is ${i}, but only ${choices.length} choices are offered there`)
    this.#at++
    return i
  }

  progress(): number | null {
    return this.#done ? 1 : 0
  }
}

export class GuidedStrategy implements Strategy {
  readonly #plan: readonly ChoiceKey[]
  #at = 0
  #last: LastOnCpu = []
  #done = false

  constructor(plan: readonly ChoiceKey[]) {
    this.#plan = plan
  }

  get exhausted(): boolean {
    return this.#done
  }

  begin(): boolean {
    if (this.#done) return false
    this.#done = true
    return true
  }

  end(): void {}

  choose(choices: readonly Choice[], _at: ChoicePoint): number {
    const keys = choices.map(choiceKey)
    let pick = -1
    while (pick === -1 && this.#at < this.#plan.length) {
      const want = this.#plan[this.#at] as ChoiceKey
      const i = keys.indexOf(want)
      if (i !== -1) pick = i
      else if (!this.#soonOffered(want, keys)) this.#at++
      else break
    }
    if (pick !== -1) this.#at++
    else pick = this.#keepRunning(choices, keys)
    const c = choices[pick] as Choice
    this.#last = afterChoice(this.#last, c, keys[pick] as ChoiceKey)
    return pick
  }

  /** A planned thread not offered now: skip it only when no planned thread is offered either (it may become runnable). */
  #soonOffered(_want: ChoiceKey, keys: readonly ChoiceKey[]): boolean {
    for (let j = this.#at + 1; j < this.#plan.length; j++) if (keys.includes(this.#plan[j] as ChoiceKey)) return false
    return true
  }

  #keepRunning(choices: readonly Choice[], keys: readonly ChoiceKey[]): number {
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i] as Choice
      if (c.kind === 'task' && this.#last[c.cpu] === keys[i]) return i
    }
    const task = choices.findIndex((c) => c.kind === 'task')
    return task === -1 ? 0 : task
  }

  progress(): number | null {
    return this.#done ? 1 : 0
  }
}
