/**
 * Interrupts came back on at a guard's unlock (`droppedBy`), the same for every executor: what
 * still needs them off is reported (src/diagnostics/reporter.ts irqsOnUnderIrqLock), then the
 * interrupts that were raised meanwhile are taken (./delivery.ts).
 */
import type { Cpu } from '../machine/cpu.js'
import { deliverPendingIrqs } from './delivery.js'
import type { KernelParts } from './executor.js'

export const irqsBackOn = (parts: Pick<KernelParts, 'reporter'>, cpu: Cpu, droppedBy: string): void => {
  try {
    parts.reporter.irqsOnUnderIrqLock(cpu, droppedBy)
  } finally {
    // Taken even when the report throws (onDiagnostic: 'throw'): the flag is on either way.
    deliverPendingIrqs(cpu)
  }
}
