/**
 * PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): threads get random distinct
 * priorities, the highest-priority enabled one runs, and at d − 1 random steps the running
 * thread drops below all others. A bug of depth d is found with probability ≥ 1/(n·k^(d−1)) per
 * execution (n threads, k steps). Threads are met as they appear (a new one gets a random rank
 * among the initial priorities); k is the longest execution seen so far.
 */
import type { Choice, ChoicePoint } from '../model/scheduler.js'
import { type ChoiceKey, choiceKey } from './choice-key.js'
import { below, prng } from './prng.js'
import type { Strategy } from './strategy.js'

export class PctStrategy implements Strategy {
  readonly #next: () => number
  readonly #depth: number
  readonly exhausted = false
  #priority = new Map<ChoiceKey, number>()
  #changePoints: number[] = []
  #lowered = 0
  #steps = 0
  #maxSteps = 32

  constructor(seed: number, depth: number) {
    this.#next = prng(seed)
    this.#depth = Math.max(1, depth)
  }

  begin(): boolean {
    this.#priority = new Map()
    this.#changePoints = []
    for (let i = 1; i < this.#depth; i++) this.#changePoints.push(1 + below(this.#next, this.#maxSteps))
    this.#lowered = 0
    this.#steps = 0
    return true
  }

  end(): void {
    if (this.#steps > this.#maxSteps) this.#maxSteps = this.#steps
  }

  choose(choices: readonly Choice[], _at: ChoicePoint): number {
    const step = ++this.#steps
    let best = 0
    let bestPriority = Number.NEGATIVE_INFINITY
    for (let i = 0; i < choices.length; i++) {
      const k = choiceKey(choices[i] as Choice)
      let p = this.#priority.get(k)
      if (p === undefined) {
        // Above the d lowered slots; random among the others.
        p = this.#depth + this.#next()
        this.#priority.set(k, p)
      }
      if (p > bestPriority) {
        bestPriority = p
        best = i
      }
    }
    const at = this.#changePoints.indexOf(step)
    if (at !== -1) {
      this.#lowered++
      this.#priority.set(choiceKey(choices[best] as Choice), this.#depth - this.#lowered)
    }
    return best
  }

  progress(): number | null {
    return null
  }
}
