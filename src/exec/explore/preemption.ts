/**
 * What a choice costs in preemptions. CPUs run in parallel, so ordering two CPUs' steps is no
 * preemption; a preemption is taking a CPU away from the thread that ran there last while it
 * could still go on: another task on that CPU, or an interrupt or softirq arriving on it. (A
 * handler that has returned, or a task that now waits, leaves its CPU free: no cost.)
 */
import type { Choice } from '../model/scheduler.js'
import { type ChoiceKey, choiceKey } from './choice-key.js'

/** The thread that ran last on each CPU (-1: none yet), indexed by CPU. */
export type LastOnCpu = readonly ChoiceKey[]

export const NONE: ChoiceKey = -1

export const preemptionCost = (choice: Choice, key: ChoiceKey, last: LastOnCpu, keys: readonly ChoiceKey[]): number => {
  const prev = last[choice.cpu] ?? NONE
  return prev !== NONE && prev !== key && keys.includes(prev) ? 1 : 0
}

/** `last` after `choice` ran (a copy: each choice point keeps its own). */
export const afterChoice = (last: LastOnCpu, choice: Choice, key: ChoiceKey): LastOnCpu => {
  if (last[choice.cpu] === key) return last
  const next = last.slice()
  while (next.length <= choice.cpu) next.push(NONE)
  next[choice.cpu] = key
  return next
}

/** Preemptions and interrupt arrivals of one execution's choices (the shrinker's measure). */
export const scheduleCost = (
  points: readonly { readonly choices: readonly Choice[]; readonly chosen: number }[],
): { preemptions: number; arrivals: number; switches: number } => {
  let last: LastOnCpu = []
  let preemptions = 0
  let arrivals = 0
  let switches = 0
  let prevKey = NONE
  for (const p of points) {
    const c = p.choices[p.chosen] as Choice
    const key = choiceKey(c)
    const keys = p.choices.map(choiceKey)
    // Only what was chosen over something else counts (an interrupt that is all that is left to run is no choice).
    if (p.choices.length > 1) {
      if (c.kind !== 'task') arrivals++
      else preemptions += preemptionCost(c, key, last, keys)
    }
    if (prevKey !== NONE && prevKey !== key) switches++
    prevKey = key
    last = afterChoice(last, c, key)
  }
  return { preemptions, arrivals, switches }
}
