/**
 * Exhaustive depth-first search over re-executions, with an optional preemption bound and one of
 * three reductions:
 * - 'none': every choice at every point (the naive search, for comparison);
 * - 'sleep': sleep sets (Godefroid): a step already explored from a point is not explored again
 *   after independent steps;
 * - 'dpor': source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, POPL 2014, Algorithm 1) with sleep
 *   sets: an execution is explored, its races are found from happens-before (vector clocks over
 *   ./dependence.ts), and for each race one initial of the reversed order is added where it starts.
 * With a preemption bound, a thread over the bound at a point is skipped there; following Coons,
 * Musuvathi and McKinley (Bounded Partial-Order Reduction, OOPSLA 2013) a reversal is also
 * planted where the preempted run began, so reordering inside the bound is not lost.
 */
import type { Choice, ChoicePoint } from '../model/scheduler.js'
import type { Access } from '../wait.js'
import { type ChoiceKey, choiceKey } from './choice-key.js'
import { dependent } from './dependence.js'
import { NondeterministicModelError } from './errors.js'
import { afterChoice, type LastOnCpu, preemptionCost } from './preemption.js'
import { PRUNED, type Strategy } from './strategy.js'

export type Reduction = 'none' | 'sleep' | 'dpor'

export interface DfsOptions {
  readonly reduction?: Reduction
  /** Preemptions allowed per execution (./preemption.ts says what counts); null: unbounded. */
  readonly preemptionBound?: number | null
}

interface Node {
  /** As offered; the chosen one loses its access if the step did more (amend()). */
  choices: readonly Choice[]
  readonly keys: readonly ChoiceKey[]
  chosen: number
  readonly backtrack: Set<ChoiceKey>
  readonly done: Set<ChoiceKey>
  /** Asleep on entry: explored elsewhere, independent of everything since. */
  readonly sleep: ReadonlyMap<ChoiceKey, Choice>
  /** Preemptions spent before this point, and who ran last on each CPU. */
  readonly preemptions: number
  readonly last: LastOnCpu
}

const EMPTY_SLEEP: ReadonlyMap<ChoiceKey, Choice> = new Map()

export class DfsStrategy implements Strategy {
  readonly #reduction: Reduction
  readonly #bound: number
  readonly #stack: Node[] = []
  #depth = 0
  #started = false
  #exhausted = false
  /** The first point this execution did not replay: races ending before it were reversed already. */
  #firstNew = 0

  constructor(options: DfsOptions = {}) {
    this.#reduction = options.reduction ?? 'dpor'
    this.#bound = options.preemptionBound ?? Number.POSITIVE_INFINITY
  }

  get exhausted(): boolean {
    return this.#exhausted
  }

  begin(): boolean {
    this.#depth = 0
    if (!this.#started) {
      this.#started = true
      return true
    }
    const stack = this.#stack
    while (stack.length > 0) {
      const node = stack[stack.length - 1] as Node
      const next = this.#pending(node)
      if (next !== -1) {
        this.#firstNew = stack.length - 1
        node.chosen = next
        node.done.add(node.keys[next] as ChoiceKey)
        return true
      }
      stack.pop()
    }
    this.#exhausted = true
    return false
  }

  /** The index of a choice still to explore at `node`, or -1. */
  #pending(node: Node): number {
    for (const k of node.backtrack) {
      if (node.done.has(k) || node.sleep.has(k)) continue
      const i = node.keys.indexOf(k)
      if (i === -1) {
        node.done.add(k)
        continue
      }
      if (node.preemptions + preemptionCost(node.choices[i] as Choice, k, node.last, node.keys) > this.#bound) {
        node.done.add(k)
        continue
      }
      return i
    }
    return -1
  }

  choose(choices: readonly Choice[], _at: ChoicePoint): number {
    const d = this.#depth++
    const stack = this.#stack
    if (d < stack.length) {
      const node = stack[d] as Node
      if (node.keys.length !== choices.length || choices.some((c, i) => choiceKey(c) !== node.keys[i]))
        throw new NondeterministicModelError(
          `the model offered different choices at point ${d} of a re-execution (${node.keys.length} before, ${choices.length} now): its setup, tasks or handlers depend on something outside the model (Math.random(), Date.now(), state kept between executions)`,
        )
      return node.chosen
    }
    const keys = choices.map(choiceKey)
    const parent = stack[d - 1]
    let preemptions = 0
    let last: LastOnCpu = []
    let sleep = EMPTY_SLEEP
    if (parent !== undefined) {
      const pc = parent.choices[parent.chosen] as Choice
      const pk = parent.keys[parent.chosen] as ChoiceKey
      preemptions = parent.preemptions + preemptionCost(pc, pk, parent.last, parent.keys)
      last = afterChoice(parent.last, pc, pk)
      if (this.#reduction !== 'none') sleep = childSleep(parent, pc, pk)
    }
    let chosen = -1
    let fallback = -1
    const bound = this.#bound
    for (let i = 0; i < choices.length; i++) {
      const k = keys[i] as ChoiceKey
      if (sleep.has(k)) continue
      const c = choices[i] as Choice
      const cost = preemptionCost(c, k, last, keys)
      if (preemptions + cost > bound) continue
      if (cost === 0 && last[c.cpu] === k) {
        chosen = i // keep running what ran: fewest preemptions first
        break
      }
      if (fallback === -1) fallback = i
    }
    if (chosen === -1) chosen = fallback
    const backtrack = new Set<ChoiceKey>()
    if (this.#reduction === 'dpor') {
      if (chosen !== -1) backtrack.add(keys[chosen] as ChoiceKey)
    } else for (const k of keys) backtrack.add(k)
    const node: Node = { choices, keys, chosen, backtrack, done: new Set(), sleep, preemptions, last }
    // Every choice asleep or over the bound: the rest repeats explored executions (not pushed: it never ran).
    if (chosen === -1) throw PRUNED
    node.done.add(keys[chosen] as ChoiceKey)
    stack.push(node)
    return chosen
  }

  amend(access: Access | undefined): void {
    const node = this.#stack[this.#depth - 1]
    if (node === undefined) return
    const c = node.choices[node.chosen] as Choice
    if (c.kind !== 'task' || c.access === access) return
    const { access: _, ...bare } = c
    const choices = node.choices.slice()
    choices[node.chosen] = access === undefined ? bare : { ...bare, access }
    node.choices = choices
  }

  end(): void {
    if (this.#depth < this.#stack.length) this.#stack.length = this.#depth
    if (this.#reduction === 'dpor') {
      this.#unrun()
      this.#races()
    }
  }

  /**
   * A choice offered at a point whose thread never ran from there on (an interrupt that did not
   * arrive, a task the execution ended without) has no event to race with: explore it there.
   */
  #unrun(): void {
    const stack = this.#stack
    const ranFrom = new Set<ChoiceKey>()
    for (let d = stack.length - 1; d >= 0; d--) {
      const node = stack[d] as Node
      ranFrom.add(node.keys[node.chosen] as ChoiceKey)
      for (const k of node.keys) if (!ranFrom.has(k)) node.backtrack.add(k)
    }
  }

  /** Source-DPOR's race reversal over the execution now on the stack. */
  #races(): void {
    const stack = this.#stack
    const n = stack.length
    if (n < 2) return
    const events: Choice[] = new Array(n)
    const thread = new Int32Array(n)
    const local = new Int32Array(n)
    const threadOf = new Map<ChoiceKey, number>()
    const count: number[] = []
    for (let j = 0; j < n; j++) {
      const node = stack[j] as Node
      const c = node.choices[node.chosen] as Choice
      events[j] = c
      const k = node.keys[node.chosen] as ChoiceKey
      let t = threadOf.get(k)
      if (t === undefined) {
        t = threadOf.size
        threadOf.set(k, t)
        count.push(0)
      }
      thread[j] = t
      count[t] = (count[t] as number) + 1
      local[j] = count[t] as number
    }
    const T = threadOf.size
    const keyOf: ChoiceKey[] = new Array(T)
    for (const [k, t] of threadOf) keyOf[t] = k
    // The vector clocks, one row of T per event (row j at j * T), in one array.
    const vc = new Int32Array(n * T)
    const lastOf = new Int32Array(T).fill(-1)
    for (let j = 0; j < n; j++) {
      const tj = thread[j] as number
      const po = lastOf[tj] as number
      const row = j * T
      if (po !== -1) vc.copyWithin(row, po * T, po * T + T)
      const ej = events[j] as Choice
      const check = j >= this.#firstNew
      for (let i = j - 1; i >= 0; i--) {
        const ti = thread[i] as number
        if (ti === tj || !dependent(events[i] as Choice, ej)) continue
        if ((vc[row + ti] as number) >= (local[i] as number)) continue // ordered through a later step
        if (check) this.#reverse(i, j, events, thread, local, vc, T, keyOf)
        const ci = i * T
        for (let t = 0; t < T; t++) if ((vc[ci + t] as number) > (vc[row + t] as number)) vc[row + t] = vc[ci + t] as number
      }
      vc[row + tj] = local[j] as number
      lastOf[tj] = j
    }
  }

  /** The race (i, j): make sure an initial of notdep(i).j is in backtrack(pre(i)). `vc`: the clocks, row w at w * T (row j as far as computed). */
  #reverse(i: number, j: number, events: Choice[], thread: Int32Array, local: Int32Array, vc: Int32Array, T: number, keyOf: ChoiceKey[]): void {
    const node = this.#stack[i] as Node
    const ti = thread[i] as number
    const li = local[i] as number
    // v = the steps after i that i does not happen before, then j.
    const v: number[] = []
    for (let k = i + 1; k < j; k++) if ((vc[k * T + ti] as number) < li) v.push(k)
    const hbBefore = (u: number, rowW: number): boolean => (vc[rowW + (thread[u] as number)] as number) >= (local[u] as number)
    const initials: ChoiceKey[] = []
    const seen = new Set<number>()
    const consider = (w: number): void => {
      const tw = thread[w] as number
      if (seen.has(tw)) return
      seen.add(tw)
      for (const u of v) {
        if (u >= w) break
        if (hbBefore(u, w * T)) return
      }
      initials.push(keyOf[tw] as ChoiceKey)
    }
    for (const w of v) consider(w)
    consider(j)
    if (initials.length === 0) return
    if (initials.some((k) => node.backtrack.has(k))) return
    const enabled = initials.filter((k) => node.keys.includes(k))
    const pick = enabled.find((k) => k === keyOf[thread[j] as number]) ?? enabled[0]
    if (pick !== undefined) {
      node.backtrack.add(pick)
      this.#plantAtRunStart(i, pick, events)
      return
    }
    // Not enabled where the race starts (an interrupt while interrupts are off there, a task
    // parked on a lock): the two cannot be co-enabled at i, so the reversal goes back to the
    // nearest earlier point where an initial is offered (Flanagan and Godefroid's "may be co-enabled").
    for (let k = i - 1; k >= 0; k--) {
      const earlier = this.#stack[k] as Node
      const there = initials.find((x) => earlier.keys.includes(x))
      if (there === undefined) continue
      if (!initials.some((x) => earlier.backtrack.has(x))) {
        earlier.backtrack.add(there)
        this.#plantAtRunStart(k, there, events)
      }
      return
    }
  }

  /** Bounded POR: where the run holding step i began on its CPU, the same reversal (if allowed there). */
  #plantAtRunStart(i: number, pick: ChoiceKey, events: Choice[]): void {
    if (this.#bound === Number.POSITIVE_INFINITY) return
    const stack = this.#stack
    const node = stack[i] as Node
    const idx = node.keys.indexOf(pick)
    if (idx === -1) return
    if (node.preemptions + preemptionCost(node.choices[idx] as Choice, pick, node.last, node.keys) <= this.#bound) return
    const cpu = (events[i] as Choice).cpu
    const runner = node.keys[node.chosen] as ChoiceKey
    let b = i
    while (b > 0) {
      const prev = stack[b - 1] as Node
      const pc = prev.choices[prev.chosen] as Choice
      if (pc.cpu === cpu && prev.keys[prev.chosen] !== runner) break
      b--
    }
    if (b !== i && (stack[b] as Node).keys.includes(pick)) (stack[b] as Node).backtrack.add(pick)
  }

  progress(): number | null {
    if (this.#exhausted) return 1
    let fraction = 0
    let weight = 1
    for (const node of this.#stack) {
      const width = Math.max(node.backtrack.size, 1)
      const before = Math.max(0, Math.min(node.done.size, width) - 1)
      fraction += (weight * before) / width
      weight /= width
    }
    return Math.min(fraction, 1)
  }
}

/** Sleep(s.t) = { u ∈ sleep(s) ∪ explored(s) : u independent of t }. */
const childSleep = (parent: Node, pc: Choice, pk: ChoiceKey): ReadonlyMap<ChoiceKey, Choice> => {
  let out: Map<ChoiceKey, Choice> | null = null
  const add = (k: ChoiceKey, c: Choice): void => {
    if (k === pk || dependent(c, pc)) return
    if (out === null) out = new Map()
    out.set(k, c)
  }
  for (const [k, c] of parent.sleep) add(k, c)
  for (const k of parent.done) {
    if (k === pk) continue
    const i = parent.keys.indexOf(k)
    if (i !== -1) add(k, parent.choices[i] as Choice)
  }
  return out ?? EMPTY_SLEEP
}
