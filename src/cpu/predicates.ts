/**
 * The kernel's context predicates, with the kernel's definitions (include/linux/preempt.h).
 * Pure functions of the CPU state: the tests compare them against a reference from the fields.
 */
import { HARDIRQ_MASK, NMI_MASK, PREEMPT_NEED_RESCHED, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from './preempt-count.js'
import type { CpuState } from './state.js'

/** `preempt_count()`: the count without the need-resched bit. */
export const preemptCount = (cpu: CpuState): number => (cpu.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0

export const nmiCount = (cpu: CpuState): number => cpu.preemptCount & NMI_MASK
export const hardirqCount = (cpu: CpuState): number => cpu.preemptCount & HARDIRQ_MASK

/** `softirq_count()`: on PREEMPT_RT the task's `softirq_disable_cnt`, else the preempt_count field. */
export const softirqCount = (cpu: CpuState, preemptRt: boolean): number =>
  preemptRt ? cpu.current.softirqDisableCnt & SOFTIRQ_MASK : cpu.preemptCount & SOFTIRQ_MASK

/** `irq_count()`: NMI | hardirq | softirq. */
export const irqCount = (cpu: CpuState, preemptRt: boolean): number => (cpu.preemptCount & (NMI_MASK | HARDIRQ_MASK)) | softirqCount(cpu, preemptRt)

export const inNmi = (cpu: CpuState): boolean => nmiCount(cpu) !== 0
export const inHardirq = (cpu: CpuState): boolean => hardirqCount(cpu) !== 0
export const inServingSoftirq = (cpu: CpuState, preemptRt: boolean): boolean => (softirqCount(cpu, preemptRt) & SOFTIRQ_OFFSET) !== 0
/** `in_softirq()`: serving softirqs *or* bottom halves disabled. */
export const inSoftirq = (cpu: CpuState, preemptRt: boolean): boolean => softirqCount(cpu, preemptRt) !== 0
export const inInterrupt = (cpu: CpuState, preemptRt: boolean): boolean => irqCount(cpu, preemptRt) !== 0

/** `in_task()`: not NMI, not hardirq, not serving a softirq (BH-disabled task code is still a task). */
export const inTask = (cpu: CpuState, preemptRt: boolean): boolean => !(inNmi(cpu) || inHardirq(cpu) || inServingSoftirq(cpu, preemptRt))

/** `in_atomic()`: `preempt_count() != 0`. */
export const inAtomic = (cpu: CpuState): boolean => preemptCount(cpu) !== 0

export const irqsDisabled = (cpu: CpuState): boolean => cpu.irqsDisabled

/** `preemptible()`: `preempt_count() == 0 && !irqs_disabled()`. */
export const preemptible = (cpu: CpuState): boolean => preemptCount(cpu) === 0 && !cpu.irqsDisabled
