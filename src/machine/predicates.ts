/**
 * The kernel's context predicates, with the kernel's definitions (include/linux/preempt.h).
 * Pure functions of the CPU state: the tests compare them against a reference from the fields.
 * Where the hardirq and NMI fields sit depends on the kernel's layout (./layout.ts): every
 * predicate that reads them takes the layout, with no default (a silent mainline one would hide
 * a caller that forgot the interrupt-count layout).
 */
import type { PreemptCountLayout } from './layout.js'
import { PREEMPT_NEED_RESCHED, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from './preempt-count.js'
import type { CpuState } from './cpu-state.js'

/** `preempt_count()`: the count without the need-resched bit. */
export const preemptCount = (cpu: CpuState): number => (cpu.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0

export const nmiCount = (cpu: CpuState, layout: PreemptCountLayout): number => (cpu.preemptCount & layout.nmiMask) >>> 0
export const hardirqCount = (cpu: CpuState, layout: PreemptCountLayout): number => (cpu.preemptCount & layout.hardirqMask) >>> 0

/** `hardirq_disable_count()`: the local_interrupt_disable() depth held in preempt_count (0 on the mainline layout). */
export const hardirqDisableCount = (cpu: CpuState, layout: PreemptCountLayout): number =>
  (cpu.preemptCount & layout.interruptDisableMask) >>> layout.interruptDisableShift

/** `softirq_count()`: on PREEMPT_RT the task's `softirq_disable_cnt`, else the preempt_count field. */
export const softirqCount = (cpu: CpuState, preemptRt: boolean): number =>
  preemptRt ? cpu.current.softirqDisableCnt & SOFTIRQ_MASK : cpu.preemptCount & SOFTIRQ_MASK

/** `irq_count()`: NMI | hardirq | softirq (never the interrupt-disable count). */
export const irqCount = (cpu: CpuState, preemptRt: boolean, layout: PreemptCountLayout): number =>
  ((cpu.preemptCount & (layout.nmiMask | layout.hardirqMask)) | softirqCount(cpu, preemptRt)) >>> 0

export const inNmi = (cpu: CpuState, layout: PreemptCountLayout): boolean => nmiCount(cpu, layout) !== 0
export const inHardirq = (cpu: CpuState, layout: PreemptCountLayout): boolean => hardirqCount(cpu, layout) !== 0
export const inServingSoftirq = (cpu: CpuState, preemptRt: boolean): boolean => (softirqCount(cpu, preemptRt) & SOFTIRQ_OFFSET) !== 0
/** `in_softirq()`: serving softirqs *or* bottom halves disabled. */
export const inSoftirq = (cpu: CpuState, preemptRt: boolean): boolean => softirqCount(cpu, preemptRt) !== 0
export const inInterrupt = (cpu: CpuState, preemptRt: boolean, layout: PreemptCountLayout): boolean => irqCount(cpu, preemptRt, layout) !== 0

/** `in_task()`: not NMI, not hardirq, not serving a softirq (BH-disabled task code is still a task). */
export const inTask = (cpu: CpuState, preemptRt: boolean, layout: PreemptCountLayout): boolean =>
  !(inNmi(cpu, layout) || inHardirq(cpu, layout) || inServingSoftirq(cpu, preemptRt))

/** `in_atomic()`: `preempt_count() != 0` (on the interrupt-count layout this includes local_interrupt_disable()). */
export const inAtomic = (cpu: CpuState): boolean => preemptCount(cpu) !== 0

export const irqsDisabled = (cpu: CpuState): boolean => cpu.irqsDisabled

/** `preemptible()`: `preempt_count() == 0 && !irqs_disabled()`. */
export const preemptible = (cpu: CpuState): boolean => preemptCount(cpu) === 0 && !cpu.irqsDisabled
