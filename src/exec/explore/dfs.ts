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
  /** Each offered choice's thread, numbered once per search (the race analysis' clock index). */
  readonly threads: readonly number[]
  chosen: number
  /** Keys to explore here, in the order planted (no repeats; a point offers a few: an array, not a Set). */
  readonly backtrack: ChoiceKey[]
  /** Keys explored here (no repeats). */
  readonly done: ChoiceKey[]
  /** Asleep on entry: explored elsewhere, independent of everything since. */
  readonly sleep: ReadonlyMap<ChoiceKey, Choice>
  /** Preemptions spent before this point, and who ran last on each CPU. */
  readonly preemptions: number
  readonly last: LastOnCpu
}

const EMPTY_SLEEP: ReadonlyMap<ChoiceKey, Choice> = new Map()

/** Adds `k` to a key list kept without repeats. */
const addKey = (list: ChoiceKey[], k: ChoiceKey): void => {
  if (!list.includes(k)) list.push(k)
}

export class DfsStrategy implements Strategy {
  readonly #reduction: Reduction
  readonly #bound: number
  readonly #stack: Node[] = []
  #depth = 0
  #started = false
  #exhausted = false
  /** The first point this execution did not replay: races ending before it were reversed already. */
  #firstNew = 0
  // The race analysis' state, kept across executions: a replayed prefix has the same events, so
  // their clocks are not computed again (rows [0, #valid) are the stack's), and nothing is allocated per execution.
  /** Threads (choice keys) numbered in the order this search first offered them. */
  readonly #threadOf = new Map<ChoiceKey, number>()
  readonly #keyOf: ChoiceKey[] = []
  /** The clocks' row length (≥ the threads numbered; grown by doubling, which recomputes every row). */
  #stride = 8
  #vc: Int32Array = new Int32Array(0)
  #thread: Int32Array = new Int32Array(0)
  #local: Int32Array = new Int32Array(0)
  #count: Int32Array = new Int32Array(0)
  #lastOf: Int32Array = new Int32Array(0)
  readonly #events: Choice[] = []
  #valid = 0
  /** #unrun's marks: thread t ran from the point being looked at on when #ran[t] is this execution's #epoch. */
  readonly #ran: number[] = []
  #epoch = 0
  /** #reverse's scratch: the steps i does not happen before, the initials, and thread marks (seen when #seen[t] is #seenStamp). */
  readonly #v: number[] = []
  readonly #initials: ChoiceKey[] = []
  readonly #seen: number[] = []
  #seenStamp = 0

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
        addKey(node.done, node.keys[next] as ChoiceKey)
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
      if (node.done.includes(k) || node.sleep.has(k)) continue
      const i = node.keys.indexOf(k)
      if (i === -1) {
        node.done.push(k)
        continue
      }
      if (node.preemptions + preemptionCost(node.choices[i] as Choice, k, node.last, node.keys) > this.#bound) {
        node.done.push(k)
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
      const keys = node.keys
      let same = keys.length === choices.length
      for (let i = 0; same && i < keys.length; i++) same = choiceKey(choices[i] as Choice) === keys[i]
      if (!same)
        throw new NondeterministicModelError(
          `the model offered different choices at point ${d} of a re-execution (${node.keys.length} before, ${choices.length} now): its setup, tasks or handlers depend on something outside the model (Math.random(), Date.now(), state kept between executions)`,
        )
      return node.chosen
    }
    const keys: ChoiceKey[] = new Array(choices.length)
    const threads: number[] = new Array(choices.length)
    for (let i = 0; i < choices.length; i++) {
      const k = choiceKey(choices[i] as Choice)
      keys[i] = k
      threads[i] = this.#threadIndex(k)
    }
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
    // Every choice asleep or over the bound: the rest repeats explored executions (not pushed: it never ran).
    if (chosen === -1) throw PRUNED
    const backtrack: ChoiceKey[] = []
    if (this.#reduction === 'dpor') backtrack.push(keys[chosen] as ChoiceKey)
    else for (const k of keys) addKey(backtrack, k)
    const node: Node = { choices, keys, threads, chosen, backtrack, done: [keys[chosen] as ChoiceKey], sleep, preemptions, last }
    stack.push(node)
    return chosen
  }

  /** Points before this one replay the execution before (the same steps, already amended and analysed). */
  get replayed(): number {
    return this.#firstNew
  }

  #threadIndex(k: ChoiceKey): number {
    let t = this.#threadOf.get(k)
    if (t === undefined) {
      t = this.#threadOf.size
      this.#threadOf.set(k, t)
      this.#keyOf.push(k)
    }
    return t
  }

  amend(access: Access | undefined): void {
    const node = this.#stack[this.#depth - 1]
    if (node === undefined) return
    const c = node.choices[node.chosen] as Choice
    if (c.kind !== 'task' || sameAccess(c.access, access)) return
    // A task choice is these fields (src/exec/model/executor.ts #taskChoice), written out: a spread is slow here.
    const choices = node.choices.slice()
    choices[node.chosen] =
      access === undefined ? { kind: 'task', pid: c.pid, comm: c.comm, cpu: c.cpu } : { kind: 'task', pid: c.pid, comm: c.comm, cpu: c.cpu, access }
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
    const ran = this.#ran
    const epoch = ++this.#epoch
    for (let d = stack.length - 1; d >= 0; d--) {
      const node = stack[d] as Node
      const threads = node.threads
      ran[threads[node.chosen] as number] = epoch
      for (let i = 0; i < threads.length; i++) if (ran[threads[i] as number] !== epoch) addKey(node.backtrack, node.keys[i] as ChoiceKey)
    }
  }

  /** Source-DPOR's race reversal over the execution now on the stack. */
  #races(): void {
    const stack = this.#stack
    const n = stack.length
    if (n < 2) {
      this.#valid = 0
      return
    }
    const T = this.#threadOf.size
    let S = this.#stride
    let valid = Math.min(this.#valid, this.#firstNew)
    if (T > S) {
      while (T > S) S *= 2
      this.#stride = S
      valid = 0
    }
    if (this.#thread.length < n) {
      const cap = Math.max(n, this.#thread.length * 2, 32)
      const grow = (a: Int32Array, size: number): Int32Array => {
        const b = new Int32Array(size)
        b.set(a.subarray(0, Math.min(a.length, size)))
        return b
      }
      this.#thread = grow(this.#thread, cap)
      this.#local = grow(this.#local, cap)
    }
    if (this.#vc.length < n * S) {
      const b = new Int32Array(Math.max(this.#thread.length, n) * S)
      if (valid > 0) b.set(this.#vc.subarray(0, valid * S))
      this.#vc = b
    }
    if (this.#count.length < S) {
      this.#count = new Int32Array(S)
      this.#lastOf = new Int32Array(S)
    }
    const events = this.#events
    const thread = this.#thread
    const local = this.#local
    const count = this.#count
    const lastOf = this.#lastOf
    const vc = this.#vc
    count.fill(0, 0, T)
    lastOf.fill(-1, 0, T)
    // The replayed prefix: its events, threads and clocks are the execution before's.
    for (let j = 0; j < valid; j++) {
      const t = thread[j] as number
      count[t] = local[j] as number
      lastOf[t] = j
    }
    const firstNew = this.#firstNew
    for (let j = valid; j < n; j++) {
      const node = stack[j] as Node
      const ej = node.choices[node.chosen] as Choice
      events[j] = ej
      const tj = node.threads[node.chosen] as number
      thread[j] = tj
      const lj = (count[tj] as number) + 1
      count[tj] = lj
      local[j] = lj
      const po = lastOf[tj] as number
      const row = j * S
      if (po !== -1) vc.copyWithin(row, po * S, po * S + S)
      else vc.fill(0, row, row + S)
      const check = j >= firstNew
      for (let i = j - 1; i >= 0; i--) {
        const ti = thread[i] as number
        if (ti === tj) continue
        if ((vc[row + ti] as number) >= (local[i] as number)) continue // ordered through a later step
        if (!dependent(events[i] as Choice, ej)) continue
        if (check) this.#reverse(i, j, events, thread, local, vc, S)
        const ci = i * S
        for (let t = 0; t < T; t++) if ((vc[ci + t] as number) > (vc[row + t] as number)) vc[row + t] = vc[ci + t] as number
      }
      vc[row + tj] = lj
      lastOf[tj] = j
    }
    events.length = n
    this.#valid = n
  }

  /** The race (i, j): make sure an initial of notdep(i).j is in backtrack(pre(i)). `vc`: the clocks, row w at w * S (row j as far as computed). */
  #reverse(i: number, j: number, events: Choice[], thread: Int32Array, local: Int32Array, vc: Int32Array, S: number): void {
    const keyOf = this.#keyOf
    const node = this.#stack[i] as Node
    const ti = thread[i] as number
    const li = local[i] as number
    // v = the steps after i that i does not happen before, then j.
    const v = this.#v
    let nv = 0
    for (let k = i + 1; k < j; k++) if ((vc[k * S + ti] as number) < li) v[nv++] = k
    // The initials: the first step of each thread in v.j that no earlier step of v happens before.
    const initials = this.#initials
    initials.length = 0
    const seen = this.#seen
    const stamp = ++this.#seenStamp
    for (let x = 0; x <= nv; x++) {
      const w = x < nv ? (v[x] as number) : j
      const tw = thread[w] as number
      if (seen[tw] === stamp) continue
      seen[tw] = stamp
      const rowW = w * S
      let initial = true
      for (let y = 0; y < nv; y++) {
        const u = v[y] as number
        if (u >= w) break
        if ((vc[rowW + (thread[u] as number)] as number) >= (local[u] as number)) {
          initial = false
          break
        }
      }
      if (initial) initials.push(keyOf[tw] as ChoiceKey)
    }
    if (initials.length === 0) return
    // One already planted there: done. Else the one j's thread starts, or the first offered there.
    const own = keyOf[thread[j] as number] as ChoiceKey
    let pick: ChoiceKey | undefined
    for (const k of initials) if (node.backtrack.includes(k)) return
    for (const k of initials) {
      if (!node.keys.includes(k)) continue
      if (k === own) {
        pick = k
        break
      }
      pick ??= k
    }
    if (pick !== undefined) {
      node.backtrack.push(pick)
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
      if (!initials.some((x) => earlier.backtrack.includes(x))) {
        earlier.backtrack.push(there)
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
    // The run's first step: other CPUs' steps before it are not part of it.
    let first = i
    while (b > 0) {
      const prev = stack[b - 1] as Node
      const pc = prev.choices[prev.chosen] as Choice
      if (pc.cpu === cpu && prev.keys[prev.chosen] !== runner) break
      b--
      if (prev.keys[prev.chosen] === runner) first = b
    }
    if (b !== i && (stack[b] as Node).keys.includes(pick)) addKey((stack[b] as Node).backtrack, pick)
    // Also just before the run's first step: at b, the other CPUs' steps between b and it were
    // explored first and put the reversal to sleep (test/explore/dpor-differential.test.ts).
    if (first !== b && first !== i && (stack[first] as Node).keys.includes(pick)) addKey((stack[first] as Node).backtrack, pick)
  }

  progress(): number | null {
    if (this.#exhausted) return 1
    let fraction = 0
    let weight = 1
    for (const node of this.#stack) {
      const width = Math.max(node.backtrack.length, 1)
      const before = Math.max(0, Math.min(node.done.length, width) - 1)
      fraction += (weight * before) / width
      weight /= width
    }
    return Math.min(fraction, 1)
  }
}

/** The same access: one object, or the same channel the same way (the probe makes a new object for a lock each time). */
const sameAccess = (a: Access | undefined, b: Access | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.write === b.write && a.channel.id === b.channel.id && a.channel.kind === b.channel.kind)

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
