/**
 * What every `Diagnostic` carries, whatever its `kind`.
 *
 * @example
 * ```ts
 * import { createKernel, type DiagnosticBase } from 'lockproof'
 *
 * const where = (d: DiagnosticBase) => `CPU ${d.cpu} (${d.task ?? 'idle'}), holding ${d.heldLocks.join(', ') || 'nothing'}`
 * console.log(createKernel().diagnostics.map(where))
 * ```
 */
export interface DiagnosticBase {
  /** The kernel's first line for this report, exactly. */
  readonly title: string
  /** The CPU it happened on. */
  readonly cpu: number
  /** `comm` of the task running on that CPU, or null when none was (idle). */
  readonly task: string | null
  /** Lock classes the task held, outermost first. */
  readonly heldLocks: readonly string[]
  /** `preempt_count()` at that moment. */
  readonly preemptCount: number
  /** The whole multi-line splat. */
  readonly report: string
}
