/**
 * The diagnostics of issue #11: a live context's proof became false, and the kernel's own
 * WARNINGs for bottom halves and interrupts turned on where they must not be.
 */
import type { DiagnosticBase } from './base.js'

/**
 * A proof a context carries, by the name of the type that demands it.
 *
 * @example
 * ```ts
 * import type { ProofName } from 'lockproof'
 *
 * const proofs: ProofName[] = ['IrqDisabled', 'PreemptDisabled', 'BhDisabled']
 * ```
 */
export type ProofName = 'IrqDisabled' | 'PreemptDisabled' | 'BhDisabled'

/**
 * Interrupts, preemption or bottom halves came back on (or a guard's unlock would have turned
 * them on: `refused`) while a live context on that CPU proves them off — a guard dropped out of
 * order, a nested `_irq` unlock, a `_bh` release. Code holding that context relies on a lie.
 *
 * @example
 * ```ts
 * import { createKernel, type ProofFalsifiedDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is ProofFalsifiedDiagnostic => d.kind === 'proof-falsified')
 * console.log(found.map((d) => `${d.proofs.join(', ')} by ${d.by}${d.refused ? ' (refused)' : ''}`))
 * ```
 */
export interface ProofFalsifiedDiagnostic extends DiagnosticBase {
  /** Discriminant: `'proof-falsified'`. */
  readonly kind: 'proof-falsified'
  /** The proofs that are (or would be) false. */
  readonly proofs: readonly ProofName[]
  /** What turned them on: `local_irq_enable()`, a guard's unlock (`raw_spinlock_t 'hw'`), …. */
  readonly by: string
  /** How many live contexts on that CPU carry one of those proofs. */
  readonly contexts: number
  /** True when it was a guard's unlock, refused (GuardOrderError): nothing changed. */
  readonly refused: boolean
}

/**
 * Which of the kernel's WARNINGs: `local_bh_disable()`/`local_bh_enable()` in hardirq context,
 * `local_bh_enable()` with interrupts off (kernel/softirq.c), an interrupt handler that returned
 * with interrupts on (kernel/irq/handle.c).
 *
 * @example
 * ```ts
 * import type { KernelWarning } from 'lockproof'
 *
 * const all: KernelWarning[] = ['bh-disable-in-hardirq', 'bh-enable-in-hardirq', 'bh-enable-irqs-disabled', 'irq-handler-enabled-interrupts']
 * ```
 */
export type KernelWarning =
  | 'bh-disable-in-hardirq'
  | 'bh-enable-in-hardirq'
  | 'bh-enable-irqs-disabled'
  | 'irq-handler-enabled-interrupts'
  | 'not-in-threaded-context'
  | 'rcu-voluntary-context-switch'
  | 'bogus-irq-restore'

/**
 * A `WARN_ON_ONCE()` of the kernel fired (each site once per kernel, as the kernel prints it once).
 *
 * @example
 * ```ts
 * import { createKernel, type KernelWarningDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const found = kernel.diagnostics.filter((d): d is KernelWarningDiagnostic => d.kind === 'kernel-warning')
 * console.log(found.map((d) => `${d.warning}: ${d.title}`))
 * ```
 */
export interface KernelWarningDiagnostic extends DiagnosticBase {
  /** Discriminant: `'kernel-warning'`. */
  readonly kind: 'kernel-warning'
  /** Which warning. */
  readonly warning: KernelWarning
}
