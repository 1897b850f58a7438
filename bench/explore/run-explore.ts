/**
 * The explorer's figures (issue #17), each against a baseline measured in the same run:
 *   executions/s   the standard model explored (DPOR, both kernels), against runModel() with the
 *                  default scheduler on the same model (one execution on a fresh kernel), both
 *                  with tinybench; and the explorer alone on the test transition system
 *   reduction      executions of the DPOR search against the naive DFS (no reduction, the same
 *                  preemption bound) on the same models, and the failure kinds each found (the
 *                  naive search is capped: a capped count is a lower bound, so the ratio is an
 *                  upper bound, and the row says what the capped search found). Where the capped
 *                  naive search does not reach DPOR's bugs, the naive search bounded in
 *                  preemptions machine-wide (./switch-bounded.ts: a part of its space) shows
 *                  whether it finds them, and at which execution
 *   first #998     the execution at which the #998 deadlock is first found
 */
import { explore, runModel, type ExploreModelOptions, type Model } from '../../src/index.js'
import { Bench } from 'tinybench'
import type { TargetRow } from '../table.js'
import { exploreRuns } from '../../src/exec/explore/explore-runs.js'
import { type FakeModel, fakeRunner, lock, unlock } from '../../test/explore/fake-model.js'
import { search } from '../../src/exec/explore/driver.js'
import { modelRunner } from '../../src/exec/explore/run-model.js'
import { independent, philosophers, rfl998, standardModel } from './models.js'
import { SwitchBoundedNaive } from './switch-bounded.js'

interface Settings {
  /** tinybench's time per task, ms (and its warm-up). */
  readonly time: number
  readonly warmupTime: number
  readonly naiveCap: number
  readonly independentNs: readonly number[]
}
const FULL: Settings = { time: 3000, warmupTime: 500, naiveCap: 20_000, independentNs: [2, 4, 8] }
const QUICK: Settings = { time: 20, warmupTime: 5, naiveCap: 300, independentNs: [2, 3] }

const r1 = (x: number): number => Math.round(x * 10) / 10

/**
 * Executions per second of each task (which returns how many executions one call made), with
 * tinybench: its mean latency per call, and the executions of one call (the same every call: the
 * models are deterministic).
 */
const rates = (s: Settings, tasks: readonly (readonly [string, () => number])[]): Map<string, number> => {
  const bench = new Bench({ time: s.time, warmupTime: s.warmupTime, iterations: 8, throws: true })
  const per = new Map<string, number>()
  for (const [name, run] of tasks)
    bench.add(name, () => {
      per.set(name, run())
    })
  bench.runSync()
  const out = new Map<string, number>()
  for (const t of bench.tasks) {
    const r = t.result
    if (r.state !== 'completed') throw new Error(`explore bench ${t.name}: ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`)
    out.set(t.name, ((per.get(t.name) ?? 0) * 1000) / r.latency.mean)
  }
  return out
}

interface Count {
  readonly executions: number
  readonly exhausted: boolean
  readonly kinds: readonly string[]
  /** The execution that found the first failure (1-based), or null. */
  readonly first: number | null
}

const count = (model: Model, options: ExploreModelOptions): Count => {
  const r = explore(model, { kernels: ['normal'], stopOnFailure: false, shrink: false, maxTimeMs: Number.POSITIVE_INFINITY, ...options })
  const k = r.kernels[0]
  const at = r.counterexamples.map((c) => c.foundAt)
  return {
    executions: k?.executions ?? 0,
    exhausted: k?.exhausted ?? false,
    kinds: [...new Set(r.counterexamples.map((c) => c.kind))].sort(),
    first: at.length === 0 ? null : Math.min(...at),
  }
}

/** The naive DFS within `bound` preemptions machine-wide (./switch-bounded.ts), on the normal kernel as `count`. */
const countBounded = (model: Model, bound: number, cap: number): Count => {
  const s = search(modelRunner(model), 'normal', new SwitchBoundedNaive(bound), {
    maxExecutions: cap,
    maxTimeMs: Number.POSITIVE_INFINITY,
    stepLimit: 10_000,
    stopOnFailure: false,
    progressEveryMs: 1000,
  })
  const at = s.found.map((f) => f.execution)
  return {
    executions: s.executions,
    exhausted: s.exhausted,
    kinds: [...new Set(s.found.map((f) => f.failure.kind))].sort(),
    first: at.length === 0 ? null : Math.min(...at),
  }
}

interface Bounded extends Count {
  readonly bound: number
}

/**
 * The naive search bounded machine-wide, bound 0, 1, 2, … while its space is exhausted within
 * the cap: the first bound whose space holds DPOR's bugs, and the largest space exhausted.
 */
const boundedNaive = (model: Model, dpor: Count, cap: number): { shown: Bounded | null; largest: Bounded | null } => {
  let shown: Bounded | null = null
  let largest: Bounded | null = null
  for (let bound = 0; ; bound++) {
    const c = countBounded(model, bound, cap)
    if (!c.exhausted) break
    largest = { ...c, bound }
    if (shown === null && c.kinds.join(',') === dpor.kinds.join(',')) shown = largest
  }
  return { shown, largest }
}

export const runExploreBench = (quick: boolean, log: (line: string) => void): { rows: TargetRow[] } => {
  const s = quick ? QUICK : FULL
  const rows: TargetRow[] = []

  // The explorer's own cost: the standard model's shape on the test suite's transition system (no kernel behind it).
  const fake: FakeModel = {
    tasks: [
      { name: 'a', cpu: 0, ops: [lock('x'), unlock('x'), lock('y'), unlock('y'), lock('x'), unlock('x')] },
      { name: 'b', cpu: 1, ops: [lock('y'), unlock('y'), lock('x'), unlock('x'), lock('y'), unlock('y')] },
    ],
    irqs: [{ name: 'dev', cpu: 0, line: 5, ops: [lock('z'), unlock('z')] }],
  }
  const executions = (r: { readonly kernels: readonly { readonly executions: number }[] }): number => r.kernels.reduce((n, k) => n + k.executions, 0)
  const tasks: (readonly [string, () => number])[] = []
  const mix = new Map<boolean, readonly number[]>()
  for (const lockdep of [false, true]) {
    const model = standardModel(lockdep)
    tasks.push([
      `explore ${lockdep}`,
      () => {
        const r = explore(model, { shrink: false, stopOnFailure: false })
        mix.set(
          lockdep,
          r.kernels.map((k) => k.executions),
        )
        return executions(r)
      },
    ])
    for (const preemptRt of [false, true])
      tasks.push([
        `runModel ${lockdep} ${preemptRt}`,
        () => {
          runModel(model, { preemptRt })
          return 1
        },
      ])
  }
  tasks.push(['fake', () => executions(exploreRuns(fakeRunner(fake), { shrink: false, stopOnFailure: false, maxTimeMs: Number.POSITIVE_INFINITY }))])
  const rate = rates(s, tasks)
  const own = rate.get('fake') ?? 0
  for (const lockdep of [false, true]) {
    const explorer = rate.get(`explore ${lockdep}`) ?? 0
    // runModel() alone over the exploration's mix of kernels (most of its executions are PREEMPT_RT's): the time per execution, weighted.
    const [onNormal = 0, onRt = 0] = mix.get(lockdep) ?? []
    const perNormal = 1 / (rate.get(`runModel ${lockdep} false`) ?? Number.POSITIVE_INFINITY)
    const perRt = 1 / (rate.get(`runModel ${lockdep} true`) ?? Number.POSITIVE_INFINITY)
    const executor = (onNormal + onRt) / (onNormal * perNormal + onRt * perRt)
    const tag = lockdep ? 'lockdep on' : 'lockdep off'
    log(
      `  standard model (${tag}): explorer ${explorer.toFixed(0)} executions/s (${onNormal} normal + ${onRt} PREEMPT_RT per call); runModel() alone, a fresh kernel each, same mix: ${executor.toFixed(0)}/s`,
    )
    rows.push({
      group: 'runtime',
      figure: `explore: executions/s, standard model (2 CPUs, 2×3 lock ops, 1 irq; DPOR, both kernels; ${tag}) vs runModel() alone (fresh kernel, same kernel mix)`,
      value: Math.round(explorer),
      baseline: Math.round(executor),
      ratio: r1(explorer / executor),
      unit: 'exec/s',
      target: lockdep ? 'informational' : '≥ 20,000/s',
      met: lockdep ? null : explorer >= 20_000,
    })
  }
  log(`  the explorer alone (the standard model's shape on test/explore/fake-model.ts): ${own.toFixed(0)} executions/s`)
  rows.push({
    group: 'runtime',
    figure: "explore: executions/s, the standard model's shape on the test transition system (the explorer's own cost) vs the standard model (lockdep off)",
    value: Math.round(own),
    baseline: Math.round(rate.get('explore false') ?? 0),
    ratio: r1(own / Math.max(rate.get('explore false') ?? 0, 1)),
    unit: 'exec/s',
    target: 'informational',
    met: null,
  })

  /**
   * DPOR against the naive DFS (no reduction) with the same preemption bound (none: the models'
   * tasks are one per CPU, where ordering CPUs costs no preemption, so a bound would not make the
   * naive search finite). The naive search is capped: capped, its count is a lower bound and the
   * ratio an upper bound, and it may not have reached the bugs DPOR found — the row then says so
   * and is neither met nor failed (nothing DPOR missed is all it shows).
   */
  const reduce = (name: string, model: Model, target: string, met: (dpor: Count, naive: Count) => boolean | null): void => {
    const dpor = count(model, { reduction: 'dpor', preemptionBound: null })
    const naive = count(model, { reduction: 'none', preemptionBound: null, maxExecutions: s.naiveCap })
    const same = dpor.kinds.join(',') === naive.kinds.join(',')
    const missed = naive.kinds.filter((k) => !dpor.kinds.includes(k))
    const found = (c: Count): string => c.kinds.join(', ') || 'nothing'
    const at = (c: Count): string => (c.first === null ? '' : `, first at execution ${c.first.toLocaleString('en-US')}`)
    const baseline = naive.exhausted
      ? 'naive DFS, same bound, exhausted'
      : `naive DFS, same bound, capped at ${s.naiveCap.toLocaleString('en-US')}: a lower bound`
    // The capped naive search did not reach DPOR's bugs: does a bounded part of its space hold them?
    const { shown, largest } = !same && !naive.exhausted && missed.length === 0 ? boundedNaive(model, dpor, s.naiveCap) : { shown: null, largest: null }
    const within = (b: Bounded): string => `within ≤ ${b.bound} preemption${b.bound === 1 ? '' : 's'} machine-wide`
    const bugs = same
      ? `both found ${found(dpor)}${naive.first !== null && !naive.exhausted ? ` (naive${at(naive)})` : ''}`
      : naive.exhausted
        ? `DPOR found ${found(dpor)}, naive ${found(naive)}: DIFFERENT`
        : missed.length > 0
          ? `DPOR found ${found(dpor)}; naive found ${found(naive)} within its cap, and ${missed.join(', ')} that DPOR missed`
          : shown !== null
            ? `DPOR found ${found(dpor)}; naive found nothing within its cap, and the same ${within(shown)} (a part of its space: exhausted in ${shown.executions.toLocaleString('en-US')} executions${at(shown)}${largest !== null && largest.bound > shown.bound ? `; ${within(largest)}: ${largest.executions.toLocaleString('en-US')} exhausted` : ''})`
            : `DPOR found ${found(dpor)}; naive found ${found(naive)} within its cap (nothing DPOR missed; the same bugs not shown${largest === null ? '' : `, nor ${within(largest)}, exhausted in ${largest.executions.toLocaleString('en-US')}`})`
    log(`  ${name}: DPOR ${dpor.executions}${dpor.exhausted ? '' : '+'} executions, naive ${naive.executions}${naive.exhausted ? '' : '+ (capped)'}; ${bugs}`)
    const m = met(dpor, naive)
    const sameShown = same || shown !== null
    rows.push({
      group: 'runtime',
      figure: `explore: executions, ${name} (DPOR vs ${baseline}; ${bugs})`,
      value: dpor.executions,
      baseline: naive.executions,
      ratio: Math.round((dpor.executions / Math.max(naive.executions, 1)) * 10000) / 10000,
      unit: 'executions',
      target,
      // A capped naive search that has not shown DPOR's bugs (not even in a bounded part of its space) cannot show 'the same bugs': not met, not failed.
      met: m === null ? null : !sameShown && !naive.exhausted && missed.length === 0 ? null : m && dpor.exhausted && sameShown,
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
