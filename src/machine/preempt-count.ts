/**
 * The generic `preempt_count` layout of include/linux/preempt.h.
 *
 *         PREEMPT_MASK: 0x000000ff
 *         SOFTIRQ_MASK: 0x0000ff00
 *         HARDIRQ_MASK: 0x000f0000
 *             NMI_MASK: 0x00f00000
 * PREEMPT_NEED_RESCHED: 0x80000000
 *
 * x86 stores need-resched inverted; we model the generic (asm-generic/preempt.h) sense.
 */

/** Width of the preemption-disable count (bits 0–7). */
export const PREEMPT_BITS = 8
/** Width of the softirq count (bits 8–15). */
export const SOFTIRQ_BITS = 8
/** Width of the hardirq count (bits 16–19). */
export const HARDIRQ_BITS = 4
/** Width of the NMI count (bits 20–23). */
export const NMI_BITS = 4

/** Where the preemption-disable count starts. */
export const PREEMPT_SHIFT = 0
/** Where the softirq count starts. */
export const SOFTIRQ_SHIFT = PREEMPT_SHIFT + PREEMPT_BITS
/** Where the hardirq count starts. */
export const HARDIRQ_SHIFT = SOFTIRQ_SHIFT + SOFTIRQ_BITS
/** Where the NMI count starts. */
export const NMI_SHIFT = HARDIRQ_SHIFT + HARDIRQ_BITS

const irqMask = (bits: number): number => (1 << bits) - 1

/** `0x000000ff`: the preemption-disable count. */
export const PREEMPT_MASK = irqMask(PREEMPT_BITS) << PREEMPT_SHIFT
/** `0x0000ff00`: the softirq count (bit 8 serving, the rest disable depth × 2). */
export const SOFTIRQ_MASK = irqMask(SOFTIRQ_BITS) << SOFTIRQ_SHIFT
/** `0x000f0000`: the hardirq nesting count. */
export const HARDIRQ_MASK = irqMask(HARDIRQ_BITS) << HARDIRQ_SHIFT
/** `0x00f00000`: the NMI nesting count. */
export const NMI_MASK = irqMask(NMI_BITS) << NMI_SHIFT

/** One `preempt_disable()`. */
export const PREEMPT_OFFSET = 1 << PREEMPT_SHIFT
/** Serving a softirq (`in_serving_softirq()`). */
export const SOFTIRQ_OFFSET = 1 << SOFTIRQ_SHIFT
/** One `irq_enter()`. */
export const HARDIRQ_OFFSET = 1 << HARDIRQ_SHIFT
/** One `nmi_enter()`. */
export const NMI_OFFSET = 1 << NMI_SHIFT

/** What `local_bh_disable()` adds: twice SOFTIRQ_OFFSET, so "serving" (bit 8) stays distinct. */
export const SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET

/** PREEMPT_COUNT is always on in the model (CONFIG_PREEMPT / PREEMPT_RT both select it). */
export const PREEMPT_DISABLE_OFFSET = PREEMPT_OFFSET

/** Bit 31. `>>> 0` keeps it an unsigned 32-bit number, as the kernel's `unsigned int`. */
export const PREEMPT_NEED_RESCHED = 0x80000000

/** What `spin_lock()` adds to preempt_count: PREEMPT_DISABLE_OFFSET, and 0 on RT ("Locks on RT do not disable preemption"). */
export const preemptLockOffset = (preemptRt: boolean): number => (preemptRt ? 0 : PREEMPT_DISABLE_OFFSET)

/** What `spin_lock_bh()` adds: SOFTIRQ_DISABLE_OFFSET + PREEMPT_LOCK_OFFSET (0x201, or 0x200 on RT). */
export const softirqLockOffset = (preemptRt: boolean): number => SOFTIRQ_DISABLE_OFFSET + preemptLockOffset(preemptRt)

/** A bit field of preempt_count: where it sits and how one unit of it is written. */
export interface PreemptField {
  /** The field, as the kernel's accessors name it. */
  readonly name: 'preempt' | 'softirq' | 'hardirq' | 'nmi'
  /** Its bits in the word. */
  readonly mask: number
  /** Its lowest bit. */
  readonly shift: number
}

/** The four fields, lowest first. */
export const PREEMPT_FIELDS: readonly PreemptField[] = [
  { name: 'preempt', mask: PREEMPT_MASK, shift: PREEMPT_SHIFT },
  { name: 'softirq', mask: SOFTIRQ_MASK, shift: SOFTIRQ_SHIFT },
  { name: 'hardirq', mask: HARDIRQ_MASK, shift: HARDIRQ_SHIFT },
  { name: 'nmi', mask: NMI_MASK, shift: NMI_SHIFT },
]

/** The value of one field, shifted down: `fieldValue(0x10203, HARDIRQ…)` is 1. Any layout's field (layout.ts) works. */
export const fieldValue = (count: number, field: Pick<PreemptField, 'mask' | 'shift'>): number => (count & field.mask) >>> field.shift

/** Formats a preempt_count the way the kernel prints it (`%08x`). */
export const formatPreemptCount = (count: number): string => `0x${(count >>> 0).toString(16).padStart(8, '0')}`
