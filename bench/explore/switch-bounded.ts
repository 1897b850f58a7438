/**
 * The naive search (DFS, no reduction) bounded in context switches, for the reduction benchmark
 * (./run-explore.ts): a switch is running another thread than the one that ran at the point
 * before while that one could go on, on whichever CPU (the explorer's own preemption bound counts
 * per CPU, so it does not bound one task per CPU at all; this one does, as CHESS's context bound
 * does on an interleaving of all the threads). Its space is a part of the naive search's: every
 * execution it runs, the unbounded naive search runs too, so its count is a lower bound on the
 * naive search's, and a bug it finds the naive search finds.
 */
import { type ChoiceKey, choiceKey } from '../../src/exec/explore/choice-key.js'
import { DfsStrategy } from '../../src/exec/explore/dfs.js'
import type { Choice, ChoicePoint, Strategy } from '../../src/exec/explore/strategy.js'
import type { Access } from '../../src/exec/wait.js'

const NONE: ChoiceKey = 0 // no pid is 0 and no arrival's key is (src/exec/explore/choice-key.ts)

export class SwitchBoundedNaive implements Strategy {
  /** The naive DFS over the choices the bound leaves (the same at a replayed point: the switches so far are the prefix's). */
  readonly #dfs = new DfsStrategy({ reduction: 'none', preemptionBound: null })
  readonly #bound: number
  #previous: ChoiceKey = NONE
  #switches = 0
  readonly #allowed: number[] = []

  constructor(bound: number) {
    this.#bound = bound
  }

  get exhausted(): boolean {
    return this.#dfs.exhausted
  }

  get replayed(): number {
    return this.#dfs.replayed
  }

  begin(): boolean {
    this.#previous = NONE
    this.#switches = 0
    return this.#dfs.begin()
  }

  end(): void {
    this.#dfs.end()
  }

  progress(): number | null {
    return this.#dfs.progress()
  }

  amend(access: Access | undefined): void {
    this.#dfs.amend(access)
  }

  choose(choices: readonly Choice[], at: ChoicePoint): number {
    const previous = this.#previous
    const canGoOn = choices.some((c) => choiceKey(c) === previous)
    const allowed = this.#allowed
    allowed.length = 0
    const offered: Choice[] = []
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i] as Choice
      if (canGoOn && choiceKey(c) !== previous && this.#switches + 1 > this.#bound) continue
      allowed.push(i)
      offered.push(c)
    }
    const i = allowed[this.#dfs.choose(offered, at)] as number
    const key = choiceKey(choices[i] as Choice)
    if (canGoOn && key !== previous) this.#switches++
    this.#previous = key
    return i
  }
}
