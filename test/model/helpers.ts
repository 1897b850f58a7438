import type { Choice, ChoicePoint, Scheduler } from '../../src/index.js'
import { defaultScheduler } from '../../src/index.js'

/** A choice by name: a task's comm, `irq:<line>@<cpu>`, `softirq:<nr>@<cpu>`. */
export const nameOf = (c: Choice): string => (c.kind === 'task' ? c.comm : c.kind === 'irq' ? `irq:${c.line}@${c.cpu}` : `softirq:${c.nr}@${c.cpu}`)

/**
 * Takes the named choices in order (each must be offered when its turn comes, else it throws),
 * then goes on with the default scheduler. Also records what was offered at each point.
 */
export const script = (names: readonly string[]): Scheduler & { readonly offered: string[][] } => {
  const fallback = defaultScheduler()
  let next = 0
  const offered: string[][] = []
  return {
    offered,
    choose(choices: readonly Choice[], at: ChoicePoint): number {
      offered.push(choices.map(nameOf))
      const want = names[next]
      if (want === undefined) return fallback.choose(choices, at)
      const i = choices.findIndex((c) => nameOf(c) === want)
      if (i < 0) throw new Error(`step ${at.step}: '${want}' is not offered (offered: ${choices.map(nameOf).join(', ')})`)
      next++
      return i
    },
  }
}
