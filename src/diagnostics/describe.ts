/**
 * One line per diagnostic, for logs and summaries: what the kernel would say, with the names.
 * Also the reference for matching on `kind` with ts-pattern (exhaustive: a new kind fails to
 * compile here until it is described).
 */
import { match } from 'ts-pattern'
import type { Diagnostic } from './types.js'

/**
 * One line per diagnostic, for logs and summaries: what the kernel would say, with the names.
 *
 * @example
 * ```ts
 * import { createKernel, describeDiagnostic } from 'lockproof'
 *
 * const kernel = createKernel()
 * // … run the code under test …
 * for (const d of kernel.diagnostics) console.log(describeDiagnostic(d))
 * ```
 */
export const describeDiagnostic = (d: Diagnostic): string =>
  match(d)
    .with({ kind: 'circular-dependency' }, (c) => `possible circular locking dependency: ${c.chain.join(' -> ')} -> ${c.chain[0] ?? ''}`)
    .with({ kind: 'inconsistent-lock-state' }, (c) => `inconsistent lock state of ${c.lock}: {${c.from}} -> {${c.to}}`)
    .with({ kind: 'irq-inversion' }, (c) => `${c.irq}-safe ${c.safe} ordered before ${c.irq}-unsafe ${c.unsafe}`)
    .with({ kind: 'invalid-wait-context' }, (c) => `invalid wait context: ${c.lock} under ${c.context}`)
    .with({ kind: 'sleeping-in-atomic' }, (c) => `sleeping function called from invalid context: ${c.what}`)
    .with({ kind: 'recursive-locking' }, (c) => `possible recursive locking: ${c.lock}`)
    .with({ kind: 'deadlock' }, (c) => `deadlock: ${c.lock} held by ${c.holder.comm}/${c.holder.pid} on CPU ${c.holder.cpu}`)
    .with({ kind: 'lock-order' }, (c) => `declared lock order broken: ${c.lock} after ${c.heldLater}`)
    .with({ kind: 'bad-unlock-balance' }, (c) => `bad unlock balance: ${c.lock}`)
    .with({ kind: 'held-lock-at-exit' }, (c) => `task ${c.task ?? '?'} ended holding ${c.heldLocks.join(', ')}`)
    .with({ kind: 'max-lock-depth' }, (c) => `MAX_LOCK_DEPTH too low: depth ${c.depth}`)
    .with({ kind: 'bad-counting' }, (c) => `bad ${c.field} count: ${c.problem}`)
    .with({ kind: 'guard-leak' }, (c) => `guard of ${c.lock} outlived its scope`)
    .with({ kind: 'irqs-on-under-irq-lock' }, (c) => `interrupts on while holding ${c.locks.join(', ')} (dropped: ${c.droppedBy})`)
    .with({ kind: 'irqs-disabled-at-exit' }, (c) => `task ${c.task ?? '?'} ended with interrupts disabled`)
    .with({ kind: 'nested-lock-not-held' }, (c) => `nested lock was not taken: ${c.lock}`)
    .with({ kind: 'trylock-in-interrupt' }, (c) => `trylock outside task context: ${c.lock}`)
    .with({ kind: 'unlock-wrong-owner' }, (c) => `${c.lock} unlocked by ${c.task ?? '?'}, owned by ${c.owner.comm}/${c.owner.pid}`)
    .with({ kind: 'proof-falsified' }, (c) => `${c.proofs.join(', ')} false while a live context proves it (${c.by})${c.refused ? ': refused' : ''}`)
    .with({ kind: 'kernel-warning' }, (c) => c.title.replace(/^WARNING: /, 'kernel warning: '))
    .with({ kind: 'lockdep-assert' }, (c) => `WARN: ${c.assertion} failed in ${c.where}`)
    .with({ kind: 'wait-forever' }, (c) => `waits forever in ${c.state} on ${c.channel}`)
    .with({ kind: 'scheduling-while-atomic' }, (c) => `scheduling while atomic: ${c.what}`)
    .with({ kind: 'rt-trylock' }, (c) => `trylock PREEMPT_RT does not allow ${c.where === 'hardirq' ? 'in hardirq' : 'with interrupts disabled'}: ${c.lock}`)
    .exhaustive()
