/** Random search: each choice uniformly at random from a seeded generator (a seed replays the whole run). */
import type { Choice, ChoicePoint } from '../model/scheduler.js'
import { below, prng } from './prng.js'
import type { Strategy } from './strategy.js'

export class RandomStrategy implements Strategy {
  readonly #next: () => number
  readonly exhausted = false

  constructor(seed: number) {
    this.#next = prng(seed)
  }

  begin(): boolean {
    return true
  }

  end(): void {}

  choose(choices: readonly Choice[], _at: ChoicePoint): number {
    return below(this.#next, choices.length)
  }

  progress(): number | null {
    return null
  }
}
