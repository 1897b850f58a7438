/**
 * The explorer over any RunExecution: a search per kernel with the chosen strategy, the
 * counterexamples shrunk and rendered, and the kernels' outcomes diffed. `explore()` (./explore.ts)
 * is this over the model executor.
 */
import { DfsStrategy } from './dfs.js'
import { type Found, type KernelSearch, type SearchLimits, search } from './driver.js'
import { ReplayError } from './errors.js'
import { KERNEL_TITLE, type FailureKind, type KernelName, type RunExecution } from './execution.js'
import type { PointObserver } from './recorder.js'
import { type ResolvedExploreOptions, resolveExploreOptions, type ExploreOptions } from './options.js'
import { PctStrategy } from './pct.js'
import { RandomStrategy } from './random.js'
import { ReplayStrategy } from './replay.js'
import { decodeReplay, fingerprint } from './replay-string.js'
import type { Counterexample, ExploreResult, KernelExploration } from './result.js'
import { costOf, shrink } from './shrink.js'
import type { Strategy } from './strategy.js'
import { formatTable } from './table.js'
import type { Failure } from './execution.js'

export interface RunHooks {
  /** Per-execution observers of the choice points (the data-race detector). */
  readonly observers?: () => PointObserver & { failures(): readonly Failure[] }
  /** Keep only failures that match (the lockdep witness search). */
  readonly accept?: (f: Failure) => boolean
  readonly cpus?: number
}

const strategyFor = (o: ResolvedExploreOptions): Strategy =>
  o.strategy === 'random'
    ? new RandomStrategy(o.seed)
    : o.strategy === 'pct'
      ? new PctStrategy(o.seed, o.depth)
      : new DfsStrategy({ reduction: o.reduction, preemptionBound: o.preemptionBound })

const PHRASE: Readonly<Record<FailureKind, string>> = {
  deadlock: 'deadlocks',
  diagnostic: 'reports',
  assertion: 'fails an assertion',
  'data-race': 'has a data race',
  'step-limit': 'livelocks (step limit)',
}

const toCounterexample = (f: Found, cpus: number | undefined): Counterexample => {
  const cost = costOf(f.points)
  return {
    kernel: f.kernel,
    kind: f.failure.kind,
    title: f.failure.title,
    report: f.failure.report,
    replay: f.replay,
    table: formatTable(f.trace, f.points, cpus),
    trace: f.trace,
    preemptions: cost.preemptions,
    arrivals: cost.arrivals,
    foundAt: f.execution,
  }
}

/** What an outcome is called when comparing kernels: the kind, or a report's title. */
const outcomeOf = (c: Counterexample): string => (c.kind === 'diagnostic' ? `reports '${c.title}'` : PHRASE[c.kind])

const differencesOf = (kernels: readonly KernelExploration[]): string[] => {
  if (kernels.length < 2) return []
  const where = new Map<string, Set<KernelName>>()
  for (const k of kernels) for (const c of k.counterexamples) (where.get(outcomeOf(c)) ?? where.set(outcomeOf(c), new Set()).get(outcomeOf(c)))?.add(k.kernel)
  const out: string[] = []
  for (const [outcome, on] of where) {
    if (on.size === kernels.length) continue
    const missing = kernels.filter((k) => !on.has(k.kernel))
    const unsure = missing.filter((k) => !k.exhausted)
    const note =
      unsure.length === 0
        ? ''
        : ` (not found within ${unsure.map((k) => `${k.executions} executions on ${KERNEL_TITLE[k.kernel]}`).join(', ')}, whose bounded space was not exhausted)`
    out.push(`${outcome} only on ${[...on].map((k) => KERNEL_TITLE[k]).join(' and ')}${note}`)
  }
  return out
}

export const exploreRuns = (run: RunExecution, options: ExploreOptions = {}, hooks: RunHooks = {}): ExploreResult => {
  const o = resolveExploreOptions(options)
  const accept = hooks.accept
  const filtered: RunExecution =
    accept === undefined
      ? run
      : (kernel, scheduler, traced) => {
          const e = run(kernel, scheduler, traced)
          return { ...e, failures: e.failures.filter(accept) }
        }
  const limits: SearchLimits = {
    maxExecutions: o.maxExecutions,
    maxTimeMs: o.maxTimeMs,
    stepLimit: o.stepLimit,
    stopOnFailure: o.stopOnFailure,
    onProgress: o.onProgress,
    progressEveryMs: o.progressEveryMs,
    observers: hooks.observers,
  }
  /** A counterexample found untraced is run once more with the event log on, for its table and trace. */
  const traced: RunExecution = (kernel, scheduler) => filtered(kernel, scheduler, true)
  const retrace = (f: Found): Found => {
    if (f.trace.length > 0) return f
    let again: KernelSearch
    try {
      again = search(traced, f.kernel, new ReplayStrategy(f.schedule), { ...limits, maxExecutions: 1, stopOnFailure: false, onProgress: undefined })
    } catch {
      return f // shown from its choice points
    }
    const same = again.found.find((x) => x.failure.key === f.failure.key)
    return same === undefined ? f : { ...f, trace: same.trace }
  }
  const searches: KernelSearch[] = []
  if (o.replay !== null) {
    const r = decodeReplay(o.replay)
    // The string names its kernel; `kernels` given too must include it (else one of the two is silently ignored).
    if (options.kernels !== undefined && !o.kernels.includes(r.kernel))
      throw new ReplayError(`the replay string is of an execution on the ${r.kernel} kernel, but kernels lists ${o.kernels.map((k) => `'${k}'`).join(', ')}`)
    const s = search(traced, r.kernel, new ReplayStrategy(r.schedule), { ...limits, maxExecutions: 1, stopOnFailure: false })
    const print = fingerprint(s.declarations)
    if (s.declarations.length > 0 && print !== r.fingerprint)
      throw new ReplayError(`the replay string was recorded on another model (declarations fingerprint ${r.fingerprint}, this model's is ${print})`)
    searches.push(s)
  } else
    for (const kernel of o.kernels) {
      const s = search(filtered, kernel, strategyFor(o), limits)
      const found = (o.shrinkBudget === 0 ? s.found : s.found.map((f) => shrink(filtered, f, limits, o.shrinkBudget).found)).map(retrace)
      searches.push({ ...s, found })
    }
  const kernels: KernelExploration[] = searches.map((s) => ({
    kernel: s.kernel,
    executions: s.executions,
    exhausted: s.exhausted,
    elapsedMs: s.elapsedMs,
    counterexamples: s.found.map((f) => toCounterexample(f, hooks.cpus)),
  }))
  const counterexamples = kernels.flatMap((k) => k.counterexamples)
  return {
    ok: counterexamples.length === 0,
    exhausted: kernels.every((k) => k.exhausted),
    kernels,
    counterexamples,
    differences: differencesOf(kernels),
  }
}
