/**
 * What a live context proves at run time: the IrqDisabled, PreemptDisabled and BhDisabled
 * proofs its type state carries, as bits. They follow the same rules as the types (transitions.ts,
 * rules/acquire.ts): a proof is what holds on *both* kernels. Each CPU counts the live contexts
 * that carry each proof, so the moment one becomes false costs one comparison to notice.
 */
import type { Cpu } from '../machine/cpu.js'
import { PREEMPT_NEED_RESCHED, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, softirqLockOffset } from '../machine/preempt-count.js'
import type { IrqFlags } from '../machine/cpu-state.js'
import { opsOfSpec } from '../kinds/registry.js'
import type { LockKindSpec, Variant } from '../kinds/spec.js'
import { proofBits, type Step } from '../kinds/steps.js'
import type { ProofName } from '../diagnostics/proof-diagnostics.js'

import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from './claim-bits.js'

export { CLAIM_BH, CLAIM_IRQ, CLAIM_IRQS_OFF, CLAIM_PREEMPT } from './claim-bits.js'

export const claimNames = (bits: number): ProofName[] => {
  const names: ProofName[] = []
  if (bits & CLAIM_IRQ) names.push('IrqDisabled')
  if (bits & CLAIM_PREEMPT) names.push('PreemptDisabled')
  if (bits & CLAIM_BH) names.push('BhDisabled')
  return names
}

/** The proofs a sequence's steps give (kinds/steps.ts `gives`), as bits. */
const givenBy = (steps: readonly Step[]): number => {
  let bits = 0
  for (const s of steps) bits |= proofBits(s)
  return bits
}

/** The proofs a lock variant adds, on both kernels: rules.ts `Acquired` at run time. */
export const lockClaims = (spec: LockKindSpec, variant: Variant, mode: 'read' | 'write'): number =>
  givenBy(opsOfSpec(spec, variant, false, mode).lock) & givenBy(opsOfSpec(spec, variant, true, mode).lock)

/** True when one of the proofs `gains`, just acquired, is false already (cheap checks first). */
export const bornFalse = (cpu: Cpu, gains: number): boolean => {
  const s = cpu.state
  if (s.irqsDisabled) return false
  if (gains & CLAIM_IRQ) return true
  if (gains & CLAIM_PREEMPT && (s.preemptCount & ~PREEMPT_NEED_RESCHED) === 0) return true
  return (gains & CLAIM_BH) !== 0 && cpu.softirqCount() === 0 && !cpu.inHardirq()
}

/** The claimed proofs that are false on `cpu` now (0 when none is). */
export const falseClaims = (cpu: Cpu, exclude = 0): number => {
  const s = cpu.state
  const irqs = cpu.claimIrq - (exclude & CLAIM_IRQ ? 1 : 0)
  const preempt = cpu.claimPreempt - (exclude & CLAIM_PREEMPT ? 1 : 0)
  const bh = cpu.claimBh - (exclude & CLAIM_BH ? 1 : 0)
  const irqsOn = !s.irqsDisabled
  let bits = 0
  if (irqs > 0 && irqsOn) bits |= CLAIM_IRQ
  if (preempt > 0 && irqsOn && (s.preemptCount & ~PREEMPT_NEED_RESCHED) === 0) bits |= CLAIM_PREEMPT
  if (bh > 0 && irqsOn && cpu.softirqCount() === 0 && !cpu.inHardirq()) bits |= CLAIM_BH
  return bits
}

/**
 * What a guard's unlock steps would leave, computed without running them: the claimed proofs
 * (of contexts other than `own`'s) that would then be false and are true now. Used to refuse the drop before
 * anything changes (see README, "Guards and interrupt disabling").
 */
export const falsifiedByUnlock = (cpu: Cpu, steps: readonly Step[], flags: IrqFlags | null, own: number, traceIrqflags: boolean): number => {
  const s = cpu.state
  const rt = cpu.preemptRt
  let irqsOff = s.irqsDisabled
  let pc = (s.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0
  let taskBh = s.current.softirqDisableCnt
  let counted = s.interruptDisableCount
  const bhEnable = (cnt: number): void => {
    if (rt) taskBh -= cnt & SOFTIRQ_MASK
    else pc -= cnt
    // __local_bh_enable_ip() with TRACE_IRQFLAGS ends in local_irq_enable() (normal kernel).
    if (!rt && traceIrqflags) irqsOff = false
  }
  for (const step of steps) {
    if (step === 'irq_restore') irqsOff = flags?.irqsDisabled ?? false
    else if (step === 'irq_enable') irqsOff = false
    else if (step === 'interrupt_enable') {
      counted--
      pc -= cpu.layout.interruptDisableOffset
      if (counted === 0) irqsOff = s.interruptDisableSaved?.irqsDisabled ?? false
    } else if (step === 'preempt_enable') pc -= 1
    else if (step === 'bh_enable') bhEnable(SOFTIRQ_DISABLE_OFFSET)
    else if (step === 'bh_lock_enable') bhEnable(softirqLockOffset(rt))
  }
  const irqs = cpu.claimIrq - (own & CLAIM_IRQ ? 1 : 0)
  const preempt = cpu.claimPreempt - (own & CLAIM_PREEMPT ? 1 : 0)
  const bh = cpu.claimBh - (own & CLAIM_BH ? 1 : 0)
  const softirq = rt ? taskBh & SOFTIRQ_MASK : pc & SOFTIRQ_MASK
  let bits = 0
  if (irqs > 0 && !irqsOff) bits |= CLAIM_IRQ
  if (preempt > 0 && !irqsOff && pc === 0) bits |= CLAIM_PREEMPT
  if (bh > 0 && !irqsOff && softirq === 0 && !cpu.inHardirq()) bits |= CLAIM_BH
  // Only what this drop would make false: a proof already false was reported when it became so.
  return bits & ~falseClaims(cpu, own)
}
