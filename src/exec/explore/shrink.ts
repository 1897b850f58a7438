/**
 * Shrinking a counterexample to the fewest preemptions and interrupt arrivals (then the fewest
 * switches between CPUs, then the shortest): the schedule is read as the list of threads that took
 * each step, cut into runs, and candidates that drop a run or move it one run later are re-run
 * with the GuidedStrategy; a candidate is kept when it fails with the same failure (its key) at a
 * lower cost. Greedy, from the first improvement, within a budget of executions.
 */
import { type ChoiceKey, choiceKey } from './choice-key.js'
import type { Found, SearchLimits } from './driver.js'
import { search } from './driver.js'
import { scheduleCost } from './preemption.js'
import type { Point } from './recorder.js'
import { GuidedStrategy } from './replay.js'
import type { RunExecution } from './execution.js'
import type { Choice } from '../model/scheduler.js'

export interface Cost {
  readonly preemptions: number
  readonly arrivals: number
  readonly switches: number
  readonly length: number
}

export const costOf = (points: readonly Point[]): Cost => ({ ...scheduleCost(points), length: points.length })

const better = (a: Cost, b: Cost): boolean => {
  const pa = a.preemptions + a.arrivals
  const pb = b.preemptions + b.arrivals
  if (pa !== pb) return pa < pb
  if (a.switches !== b.switches) return a.switches < b.switches
  return a.length < b.length
}

const runsOf = (plan: readonly ChoiceKey[]): ChoiceKey[][] => {
  const runs: ChoiceKey[][] = []
  for (const k of plan) {
    const last = runs[runs.length - 1]
    if (last !== undefined && last[0] === k) last.push(k)
    else runs.push([k])
  }
  return runs
}

/**
 * The schedule without the arrival at step `at` and its handler's steps: a hardirq handler's steps
 * are choices of the task it interrupted (same pid, the handler's comm), so dropping the arrival
 * alone leaves them to the task, which then runs on past where the other arrival came.
 */
const withoutHandler = (points: readonly Point[], at: number): ChoiceKey[] => {
  const arrival = points[at]?.choices[points[at]?.chosen ?? 0] as Choice
  let interrupted: string | null = null
  for (let i = at - 1; i >= 0 && interrupted === null; i--) {
    const c = (points[i] as Point).choices[(points[i] as Point).chosen] as Choice
    if (c.kind === 'task' && c.cpu === arrival.cpu) interrupted = c.comm
  }
  const out: ChoiceKey[] = []
  let inHandler = true
  for (const [i, p] of points.entries()) {
    const c = p.choices[p.chosen] as Choice
    if (i === at) continue
    if (i > at && inHandler && c.kind === 'task' && c.cpu === arrival.cpu) {
      if (c.comm !== interrupted) continue
      inHandler = false
    }
    out.push(choiceKey(c))
  }
  return out
}

function* candidates(plan: readonly ChoiceKey[], isArrival: (k: ChoiceKey) => boolean, points: readonly Point[]): Generator<ChoiceKey[]> {
  const runs = runsOf(plan)
  // Fewer arrivals first: drop an arrival with its handler's steps, then an arrival alone.
  for (let i = 0; i < plan.length; i++) if (isArrival(plan[i] as ChoiceKey)) yield withoutHandler(points, i)
  for (let r = 0; r < runs.length; r++) if (isArrival((runs[r] as ChoiceKey[])[0] as ChoiceKey)) yield [...runs.slice(0, r), ...runs.slice(r + 1)].flat()
  // Then fewer preemptions: move a run past the next one (each later position).
  for (let r = 0; r + 1 < runs.length; r++)
    for (let to = r + 2; to <= runs.length; to++) {
      const moved = runs.slice()
      const [run] = moved.splice(r, 1)
      moved.splice(to - 1, 0, run as ChoiceKey[])
      yield moved.flat()
    }
  // Then drop a run: its thread's steps then come where its CPU is free.
  for (let r = 0; r < runs.length; r++) yield [...runs.slice(0, r), ...runs.slice(r + 1)].flat()
}

export const shrink = (run: RunExecution, found: Found, limits: SearchLimits, budget: number): { found: Found; tried: number } => {
  let best = found
  let bestCost = costOf(found.points)
  let tried = 0
  const keyOf = (p: Point): ChoiceKey => choiceKey(p.choices[p.chosen] as Choice)
  const arrivals = new Set<ChoiceKey>()
  for (const p of found.points) if ((p.choices[p.chosen] as Choice).kind !== 'task') arrivals.add(keyOf(p))
  let improved = true
  while (improved && tried < budget) {
    improved = false
    for (const plan of candidates(best.points.map(keyOf), (k) => arrivals.has(k), best.points)) {
      if (tried >= budget) break
      tried++
      const result = search(run, found.kernel, new GuidedStrategy(plan), { ...limits, maxExecutions: 1, stopOnFailure: false, onProgress: undefined })
      const same = result.found.find((f) => f.failure.key === found.failure.key)
      if (same === undefined) continue
      const cost = costOf(same.points)
      if (better(cost, bestCost)) {
        best = { ...same, execution: found.execution }
        bestCost = cost
        improved = true
        break
      }
    }
  }
  return { found: best, tried }
}
