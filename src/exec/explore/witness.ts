/**
 * lockdep predicts; the explorer can show. A lockdep report from a synchronous run — a possible
 * circular locking dependency, an irq lock inversion — names lock classes; the witness search
 * explores the model for an execution that really deadlocks on those classes, or says that none
 * exists within the bound (and whether the bounded space was exhausted).
 */
import type { CircularDependencyDiagnostic, Diagnostic, IrqInversionDiagnostic } from '../../diagnostics/types.js'
import { InvalidArgumentError } from '../../errors.js'
import type { Failure } from './execution.js'
import type { Counterexample, ExploreResult } from './result.js'

/**
 * The answer of `exploreWitness()`: the deadlocking execution, or none within the bound.
 *
 * @example
 * ```ts
 * import type { Witness } from 'lockproof'
 *
 * const verdict = (w: Witness): string => (w.deadlock !== null ? `real: ${w.deadlock.replay}` : w.exhausted ? 'cannot happen within the bound' : 'not found yet')
 * ```
 */
export interface Witness {
  /** The lockdep report searched for. */
  readonly report: CircularDependencyDiagnostic | IrqInversionDiagnostic
  /** The execution that deadlocks on the report's classes, or null. */
  readonly deadlock: Counterexample | null
  /** With no deadlock: the bounded space was explored completely (else a budget stopped it). */
  readonly exhausted: boolean
  /** Executions run. */
  readonly executions: number
  /** One sentence: what was found. */
  readonly summary: string
}

/** A lock's class name from a report's label (`mutex 'a'` → `a`; a bare name stays). */
export const className = (label: string): string => /^\S+ '(.*)'$/.exec(label)?.[1] ?? label

export const witnessClasses = (d: Diagnostic): readonly string[] => {
  if (d.kind === 'circular-dependency') return [...new Set([d.lock, d.held, ...d.chain].map(className))]
  if (d.kind === 'irq-inversion') return [...new Set([d.safe, d.unsafe, ...d.chain].map(className))]
  throw new InvalidArgumentError(
    `a lockdep witness is searched for a 'circular-dependency' or 'irq-inversion' report; this one is '${(d as { kind: string }).kind}'`,
  )
}

/** A deadlock whose locks are all classes of the report (at least one of them). */
export const witnessAccepts =
  (classes: readonly string[]) =>
  (f: Failure): boolean =>
    f.kind === 'deadlock' && f.locks !== undefined && f.locks.length > 0 && f.locks.every((l) => classes.includes(l))

export const toWitness = (report: CircularDependencyDiagnostic | IrqInversionDiagnostic, result: ExploreResult): Witness => {
  const deadlock = result.counterexamples[0] ?? null
  const executions = result.kernels.reduce((n, k) => n + k.executions, 0)
  const names = witnessClasses(report).join(', ')
  const summary =
    deadlock !== null
      ? `the report's classes (${names}) really deadlock: ${deadlock.replay}`
      : result.exhausted
        ? `no execution deadlocks on ${names} within the bound (bounded space exhausted in ${executions} executions)`
        : `no deadlock on ${names} found in ${executions} executions (the bounded space was not exhausted)`
  return { report, deadlock, exhausted: result.exhausted, executions, summary }
}
