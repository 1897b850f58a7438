/**
 * The explorer's figures (issue #17), each against a baseline measured in the same run:
 *   executions/s   the standard model explored (DPOR, both kernels), against runModel() with the
 *                  default scheduler on the same model (the executor alone)
 *   reduction      executions of the DPOR search against the naive DFS (no reduction) on the same
 *                  models, and the failure kinds each found (the naive search is capped: a capped
 *                  count is a lower bound, so the ratio is an upper bound)
 *   first #998     the execution at which the #998 deadlock is first found
 */
import { explore, runModel, type ExploreModelOptions, type Model } from '../../src/index.js'
import type { TargetRow } from '../table.js'
import { exploreRuns } from '../../src/exec/explore/explore-runs.js'
import { type FakeModel, fakeRunner, lock, unlock } from '../../test/explore/fake-model.js'
import { independent, philosophers, rfl998, standardModel } from './models.js'

interface Settings {
  readonly rateMs: number
  readonly naiveCap: number
  readonly independentNs: readonly number[]
}
const FULL: Settings = { rateMs: 2000, naiveCap: 20_000, independentNs: [2, 4, 8] }
const QUICK: Settings = { rateMs: 50, naiveCap: 300, independentNs: [2, 3] }

const r1 = (x: number): number => Math.round(x * 10) / 10

/** Executions per second of `run()` (which returns how many executions it made) over about `ms`. */
const rate = (ms: number, run: () => number): number => {
  run() // warm-up
  let n = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    n += run()
    now = performance.now()
  }
  return (n * 1000) / (now - start)
}

interface Count {
  readonly executions: number
  readonly exhausted: boolean
  readonly kinds: readonly string[]
}

const count = (model: Model, options: ExploreModelOptions): Count => {
  const r = explore(model, { kernels: ['normal'], stopOnFailure: false, shrink: false, maxTimeMs: Number.POSITIVE_INFINITY, ...options })
  const k = r.kernels[0]
  return { executions: k?.executions ?? 0, exhausted: k?.exhausted ?? false, kinds: [...new Set(r.counterexamples.map((c) => c.kind))].sort() }
}

export const runExploreBench = (quick: boolean, log: (line: string) => void): { rows: TargetRow[] } => {
  const s = quick ? QUICK : FULL
  const rows: TargetRow[] = []

  for (const lockdep of [false, true]) {
    const model = standardModel(lockdep)
    const executor = rate(s.rateMs, () => {
      runModel(model)
      return 1
    })
    const explorer = rate(s.rateMs, () => {
      const r = explore(model, { shrink: false, stopOnFailure: false })
      return r.kernels.reduce((n, k) => n + k.executions, 0)
    })
    const tag = lockdep ? 'lockdep on' : 'lockdep off'
    log(`  standard model (${tag}): explorer ${explorer.toFixed(0)} executions/s, runModel() alone ${executor.toFixed(0)}/s`)
    rows.push({
      group: 'runtime',
      figure: `explore: executions/s, standard model (2 CPUs, 2×3 lock ops, 1 irq; DPOR, both kernels; ${tag})`,
      value: Math.round(explorer),
      baseline: Math.round(executor),
      ratio: r1(explorer / executor),
      unit: 'exec/s',
      target: lockdep ? 'informational' : '≥ 20,000/s',
      met: lockdep ? null : explorer >= 20_000,
    })
  }

  // The explorer's own cost: the same shape on the test suite's transition system (no kernel behind it).
  const fake: FakeModel = {
    tasks: [
      { name: 'a', cpu: 0, ops: [lock('x'), unlock('x'), lock('y'), unlock('y'), lock('x'), unlock('x')] },
      { name: 'b', cpu: 1, ops: [lock('y'), unlock('y'), lock('x'), unlock('x'), lock('y'), unlock('y')] },
    ],
    irqs: [{ name: 'dev', cpu: 0, line: 5, ops: [lock('z'), unlock('z')] }],
  }
  const own = rate(s.rateMs, () => {
    const r = exploreRuns(fakeRunner(fake), { shrink: false, stopOnFailure: false, maxTimeMs: Number.POSITIVE_INFINITY })
    return r.kernels.reduce((n, k) => n + k.executions, 0)
  })
  log(`  the explorer alone (the standard model's shape on test/explore/fake-model.ts): ${own.toFixed(0)} executions/s`)
  rows.push({
    group: 'runtime',
    figure: "explore: executions/s, the standard model's shape on the test transition system (the explorer's own cost)",
    value: Math.round(own),
    baseline: null,
    ratio: null,
    unit: 'exec/s',
    target: 'informational',
    met: null,
  })

  const reduce = (name: string, model: Model, target: string, met: (dpor: Count, naive: Count) => boolean | null): void => {
    const dpor = count(model, { reduction: 'dpor', preemptionBound: null })
    const naive = count(model, { reduction: 'none', preemptionBound: null, maxExecutions: s.naiveCap })
    const same = dpor.kinds.join(',') === naive.kinds.join(',')
    log(
      `  ${name}: DPOR ${dpor.executions}${dpor.exhausted ? '' : '+'} executions, naive ${naive.executions}${naive.exhausted ? '' : '+ (capped)'}; found ${dpor.kinds.join(', ') || 'nothing'} / ${naive.kinds.join(', ') || 'nothing'}${same ? '' : ' — DIFFERENT'}`,
    )
    const m = met(dpor, naive)
    rows.push({
      group: 'runtime',
      figure: `explore: executions, ${name} (DPOR vs naive DFS${naive.exhausted ? '' : ', naive capped'})`,
      value: dpor.executions,
      baseline: naive.executions,
      ratio: Math.round((dpor.executions / Math.max(naive.executions, 1)) * 10000) / 10000,
      unit: 'executions',
      target,
      met: m === null ? null : m && same && dpor.exhausted,
    })
  }
  const tenth = (dpor: Count, naive: Count): boolean => dpor.executions * 10 <= naive.executions
  reduce('dining philosophers, 3', philosophers(3), '≤ 0.1× naive, same bugs', tenth)
  reduce('dining philosophers, 4', philosophers(4), '≤ 0.1× naive, same bugs', tenth)
  reduce('Rust-for-Linux #998', rfl998(), '≤ 0.1× naive, same bugs', tenth)
  const first = count(independent(s.independentNs[0] as number), { reduction: 'dpor' }).executions
  for (const n of s.independentNs) reduce(`${n} independent tasks`, independent(n), `constant in N (${first})`, (dpor) => dpor.executions === first)

  const r = explore(rfl998(), { kernels: ['normal'], stopOnFailure: false, shrink: false })
  const at = r.counterexamples.find((c) => c.kind === 'deadlock')?.foundAt ?? null
  log(`  #998: the deadlock first found at execution ${at ?? 'never'}`)
  rows.push({
    group: 'runtime',
    figure: 'explore: executions to the first #998 deadlock (DPOR, normal kernel)',
    value: at,
    baseline: null,
    ratio: null,
    unit: 'executions',
    target: '≤ 100',
    met: at !== null && at <= 100,
  })
  return { rows }
}
