/**
 * A helper's takes of kinds that `requires` a proof (the v6 `SpinLockIrq` token): every call
 * must carry it, as every call of the lock itself must (locks/lock.ts), and the body is typed
 * as having it (body-state.ts). At run time the call is refused before the body runs, with the
 * lock's named error, so an untyped caller learns it at the helper, not at whatever the body
 * does first on the strength of the proof.
 */
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from '../exec/claim-bits.js'
import { ScopeContext } from '../exec/scope.js'
import { ProofRequiredError } from '../kinds/define-errors.js'
import type { Take } from './takes.js'
import { lockSpecOf } from './takes.js'

const PROOFS = [
  ['irq', CLAIM_IRQ, 'IrqDisabled'],
  ['preempt', CLAIM_PREEMPT, 'PreemptDisabled'],
  ['bh', CLAIM_BH, 'BhDisabled'],
] as const

/** One take whose kind requires proofs: the claim bits, and how the error names the lock. */
export interface RequiredTake {
  readonly bits: number
  readonly lock: string
}

/** The takes whose kinds require a proof (null: none, every kernel lock), computed once per helper. */
export const requiredTakes = (takes: readonly Take[]): readonly RequiredTake[] | null => {
  const found: RequiredTake[] = []
  for (const t of takes) {
    const spec = lockSpecOf(t.lock, 'helper()')
    const bits = PROOFS.reduce((b, [p, bit]) => (spec.requires.includes(p) ? b | bit : b), 0)
    if (bits !== 0) found.push({ bits, lock: `${spec.label} '${t.name}'` })
  }
  return found.length === 0 ? null : found
}

/** Refuses the call of helper `name` when its context lacks a proof a take's kind requires; nothing has run. */
export const checkRequired = (ctx: ScopeContext, name: string, required: readonly RequiredTake[]): void => {
  const claims = ScopeContext.claimsOf(ctx)
  for (const r of required) {
    const missing = r.bits & ~claims
    if (missing === 0) continue
    const names = PROOFS.filter(([, bit]) => (missing & bit) !== 0).map(([, , n]) => n)
    throw new ProofRequiredError(
      `${name}(): takes ${r.lock}, which requires a context that proves ${names.join(' and ')} (its kind's requires); the helper was not called`,
    )
  }
}
