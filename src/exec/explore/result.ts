/** What an exploration returns: per kernel, the counterexamples, and what differs between the kernels. */
import type { TraceEvent } from '../../machine/events.js'
import type { FailureKind, KernelName } from './execution.js'

/**
 * One failing execution, shrunk, with everything needed to read it and run it again.
 *
 * @example
 * ```ts
 * import { formatTrace, type Counterexample } from 'lockproof'
 *
 * const show = (c: Counterexample): string => `${c.kind} on ${c.kernel}: ${c.title}\n${c.table}\n${formatTrace(c.trace)}\nreplay: ${c.replay}`
 * ```
 */
export interface Counterexample {
  /** The kernel it fails on. */
  readonly kernel: KernelName
  /** What failed. */
  readonly kind: FailureKind
  /** The report's title line (`BUG: KCSAN: data-race in …`, `WARNING: possible circular locking dependency detected`, …). */
  readonly title: string
  /** The whole report. */
  readonly report: string
  /** `explore(model, { replay })` re-runs exactly this execution. */
  readonly replay: string
  /** One column per CPU: each event with its task, preempt_count and interrupt flag. */
  readonly table: string
  /** The execution's event log (formatTrace() renders it as ftrace text). */
  readonly trace: readonly TraceEvent[]
  /** Preemptions in the shown (shrunk) schedule: a CPU taken from a task that could go on. */
  readonly preemptions: number
  /** Interrupt and softirq arrivals chosen in it. */
  readonly arrivals: number
  /** The execution of the search that first failed this way (1-based), before shrinking. */
  readonly foundAt: number
}

/**
 * One kernel's search.
 *
 * @example
 * ```ts
 * import type { KernelExploration } from 'lockproof'
 *
 * const line = (k: KernelExploration): string => `${k.kernel}: ${k.executions} executions${k.exhausted ? ', all of the bounded space' : ''}`
 * ```
 */
export interface KernelExploration {
  /** Which kernel. */
  readonly kernel: KernelName
  /** Executions run (each a fresh run of the model). */
  readonly executions: number
  /** The whole bounded space was explored (no budget stopped it, no failure ended it early). */
  readonly exhausted: boolean
  /** Wall-clock time of the search. */
  readonly elapsedMs: number
  /** Its counterexamples, one per distinct failure. */
  readonly counterexamples: readonly Counterexample[]
}

/**
 * What `explore()` returns.
 *
 * @example
 * ```ts
 * import { defineModel, explore, type ExploreResult } from 'lockproof'
 *
 * const r: ExploreResult = explore(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) }))
 * console.log(r.ok, r.exhausted, r.differences) // true true []
 * ```
 */
export interface ExploreResult {
  /** No execution on any kernel failed. */
  readonly ok: boolean
  /** Every kernel's bounded space was explored. */
  readonly exhausted: boolean
  /** Each kernel's search, in the order of `kernels`. */
  readonly kernels: readonly KernelExploration[]
  /** Every kernel's counterexamples. */
  readonly counterexamples: readonly Counterexample[]
  /** What happens on one kernel only: "deadlocks only on PREEMPT_RT". */
  readonly differences: readonly string[]
}
