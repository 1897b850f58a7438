/**
 * The search over re-executions on one kernel: begin an execution, run the model from scratch
 * with the strategy behind a Recorder, collect its failures, until the strategy's bounded space is
 * done or the execution / time budget runs out.
 */
import type { Choice } from '../model/scheduler.js'
import { DeclarationsChangedError, StepLimitError } from './errors.js'
import type { Execution, Failure, KernelName, RunExecution } from './execution.js'
import { type Point, type PointObserver, Recorder } from './recorder.js'
import { encodeReplay, fingerprint } from './replay-string.js'
import { PrunedExecution, type Strategy } from './strategy.js'

/** One failing execution, replayable. */
export interface Found {
  readonly kernel: KernelName
  readonly failure: Failure
  readonly points: readonly Point[]
  readonly schedule: readonly number[]
  readonly trace: Execution['trace']
  readonly replay: string
  /** Which execution of the search found it (1-based). */
  readonly execution: number
}

/**
 * A search's progress, as `onProgress` receives it.
 *
 * @example
 * ```ts
 * import type { Progress } from 'lockproof'
 *
 * const line = (p: Progress): string => `${p.kernel}: ${p.executions} executions, ${p.perSecond.toFixed(0)}/s, ${p.fraction === null ? '?' : `${(p.fraction * 100).toFixed(0)}%`}`
 * ```
 */
export interface Progress {
  /** The kernel being searched. */
  readonly kernel: KernelName
  /** Executions so far. */
  readonly executions: number
  /** Executions per second so far. */
  readonly perSecond: number
  /** Done fraction of the bounded space (an estimate for DFS; null for random and PCT). */
  readonly fraction: number | null
}

export interface SearchLimits {
  readonly maxExecutions: number
  readonly maxTimeMs: number
  readonly stepLimit: number
  readonly stopOnFailure: boolean
  readonly onProgress?: ((p: Progress) => void) | undefined
  readonly progressEveryMs: number
  /** Data-race detectors and the like, one per execution. */
  readonly observers?: (() => PointObserver & { failures(): readonly Failure[] }) | undefined
}

export interface KernelSearch {
  readonly kernel: KernelName
  readonly executions: number
  /** Executions cut short by the reduction (sleep-set blocked): counted in `executions`. */
  readonly pruned: number
  /** The whole bounded space was run (a budget did not stop it). */
  readonly exhausted: boolean
  readonly elapsedMs: number
  /** The first failing execution of each distinct failure, in the order found. */
  readonly found: readonly Found[]
  /** The model's declarations (from the first execution). */
  readonly declarations: readonly string[]
}

/** The first difference between two declaration lists, as a sentence. */
const firstDifference = (a: readonly string[], b: readonly string[]): string => {
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `declaration ${i + 1} was ${a[i] === undefined ? 'absent' : `'${a[i]}'`}, now ${b[i] === undefined ? 'absent' : `'${b[i]}'`}`
  return 'same declarations'
}

export const checkDeclarations = (first: readonly string[], now: readonly string[], execution: number): void => {
  if (first === now) return // the same list (./declarations.ts hands out the first execution's when nothing differs)
  if (first.length === now.length && first.every((d, i) => d === now[i])) return
  throw new DeclarationsChangedError(
    `the model's setup declared something else in execution ${execution} than in execution 1 (${firstDifference(first, now)}): a setup must declare the same locks, tasks and handlers every time (it may not depend on state kept between executions)`,
  )
}

export const search = (run: RunExecution, kernel: KernelName, strategy: Strategy, limits: SearchLimits): KernelSearch => {
  const start = performance.now()
  let lastReport = start
  let executions = 0
  let pruned = 0
  let declarations: readonly string[] | null = null
  let print = ''
  const found: Found[] = []
  const seen = new Set<string>()
  let budgetHit = false
  for (;;) {
    if (executions >= limits.maxExecutions || performance.now() - start >= limits.maxTimeMs) {
      budgetHit = true
      break
    }
    if (!strategy.begin()) break
    executions++
    const observer = limits.observers?.()
    const recorder = new Recorder(strategy, limits.stepLimit, observer === undefined ? [] : [observer])
    let execution: Execution | null = null
    let failures: Failure[] = []
    try {
      execution = run(kernel, recorder)
      recorder.settle()
      failures = [...execution.failures]
    } catch (error) {
      if (error instanceof PrunedExecution) pruned++
      else if (error instanceof StepLimitError)
        failures = [{ kind: 'step-limit', key: 'step-limit', title: error.message, report: `${error.name}: ${error.message}` }]
      else {
        strategy.end()
        throw error
      }
    }
    strategy.end()
    if (observer !== undefined) failures.push(...observer.failures())
    if (execution !== null) {
      if (declarations === null) {
        declarations = execution.declarations
        print = fingerprint(declarations)
      } else checkDeclarations(declarations, execution.declarations, executions)
    }
    for (const failure of failures) {
      if (seen.has(failure.key)) continue
      seen.add(failure.key)
      const schedule = recorder.schedule
      found.push({
        kernel,
        failure,
        points: recorder.points,
        schedule,
        trace: execution?.trace ?? [],
        replay: encodeReplay(kernel, print === '' ? '0' : print, schedule),
        execution: executions,
      })
    }
    if (found.length > 0 && limits.stopOnFailure) break
    if (limits.onProgress !== undefined) {
      const now = performance.now()
      if (now - lastReport >= limits.progressEveryMs) {
        lastReport = now
        limits.onProgress({ kernel, executions, perSecond: (executions * 1000) / Math.max(now - start, 1e-3), fraction: strategy.progress() })
      }
    }
  }
  return {
    kernel,
    executions,
    pruned,
    exhausted: !budgetHit && strategy.exhausted && !(found.length > 0 && limits.stopOnFailure),
    elapsedMs: performance.now() - start,
    found,
    declarations: declarations ?? [],
  }
}

export type { Choice }
