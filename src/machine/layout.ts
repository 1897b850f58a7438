/**
 * The two `preempt_count` layouts a kernel can be made with (`createKernel({ preemptCountLayout })`).
 *
 * 'mainline' — include/linux/preempt.h today (the constants of ./preempt-count.ts):
 *
 *         PREEMPT_MASK: 0x000000ff
 *         SOFTIRQ_MASK: 0x0000ff00
 *         HARDIRQ_MASK: 0x000f0000
 *             NMI_MASK: 0x00f00000   (4-bit NMI nesting count)
 *
 *   Counted interrupt disabling keeps its depth outside preempt_count (CpuState.interruptDisableCount).
 *
 * 'interrupt-count' — the counted-interrupt-disabling series (Boqun Feng et al.; layout from v2
 * 2026-05-26, "[PATCH v2 01/12] preempt: Track NMI nesting to separate per-CPU counter" and
 * "[PATCH v2 02/12] preempt: Introduce HARDIRQ_DISABLE_BITS", unchanged in v3 2026-06-04, the
 * version modelled), the generic (32-bit) form:
 *
 *         PREEMPT_MASK: 0x000000ff
 *         SOFTIRQ_MASK: 0x0000ff00
 * HARDIRQ_DISABLE_MASK: 0x00ff0000   (local_interrupt_disable() nesting)
 *         HARDIRQ_MASK: 0x0f000000
 *             NMI_MASK: 0x10000000   (one bit; nesting in the per-CPU `nmi_nesting`, at most 15)
 */
import type { CountingField } from '../diagnostics/types.js'
import { HARDIRQ_MASK, HARDIRQ_SHIFT, NMI_MASK, NMI_SHIFT, PREEMPT_MASK, PREEMPT_SHIFT, SOFTIRQ_MASK, SOFTIRQ_SHIFT } from './preempt-count.js'

/** The names `createKernel({ preemptCountLayout })` takes. */
export type PreemptCountLayoutName = 'mainline' | 'interrupt-count'

/** A bit field of preempt_count in one layout; `name` is what a counting report names. */
export interface LayoutField {
  readonly name: CountingField
  readonly mask: number
  readonly shift: number
}

/** Where each field of preempt_count sits, and where NMI nesting and counted interrupt disabling count. */
export interface PreemptCountLayout {
  readonly name: PreemptCountLayoutName
  /** `HARDIRQ_MASK` / `HARDIRQ_SHIFT` / `HARDIRQ_OFFSET`. */
  readonly hardirqMask: number
  readonly hardirqShift: number
  readonly hardirqOffset: number
  /** `NMI_MASK` / `NMI_SHIFT` / `NMI_OFFSET`. */
  readonly nmiMask: number
  readonly nmiShift: number
  readonly nmiOffset: number
  /** `HARDIRQ_DISABLE_MASK` / `_SHIFT` / `_OFFSET`; mask and offset 0 where the count is not in preempt_count. */
  readonly interruptDisableMask: number
  readonly interruptDisableShift: number
  readonly interruptDisableOffset: number
  /** NMI nesting is counted in the per-CPU `nmi_nesting` (CpuState.nmiNesting); NMI_MASK is then only a flag. */
  readonly nmiNestingPerCpu: boolean
  /** Deepest NMI nesting: 15 in both (the 4-bit field, or `BUG_ON(nmi_nesting >= 15)`). */
  readonly nmiNestingMax: number
  /** The fields of the word, outermost (highest) first: the order in which add/sub checks report. */
  readonly fieldsOutermostFirst: readonly LayoutField[]
}

const bits = (n: number): number => (1 << n) - 1

/** The mainline layout: the exported constants of ./preempt-count.ts, unchanged. */
export const MAINLINE_LAYOUT: PreemptCountLayout = Object.freeze({
  name: 'mainline',
  hardirqMask: HARDIRQ_MASK,
  hardirqShift: HARDIRQ_SHIFT,
  hardirqOffset: 1 << HARDIRQ_SHIFT,
  nmiMask: NMI_MASK,
  nmiShift: NMI_SHIFT,
  nmiOffset: 1 << NMI_SHIFT,
  interruptDisableMask: 0,
  interruptDisableShift: 0,
  interruptDisableOffset: 0,
  nmiNestingPerCpu: false,
  nmiNestingMax: 15,
  fieldsOutermostFirst: Object.freeze([
    { name: 'nmi', mask: NMI_MASK, shift: NMI_SHIFT },
    { name: 'hardirq', mask: HARDIRQ_MASK, shift: HARDIRQ_SHIFT },
    { name: 'softirq', mask: SOFTIRQ_MASK, shift: SOFTIRQ_SHIFT },
    { name: 'preempt', mask: PREEMPT_MASK, shift: PREEMPT_SHIFT },
  ] as const),
})

/** `HARDIRQ_DISABLE_BITS 8`, at `SOFTIRQ_SHIFT + SOFTIRQ_BITS` (16). */
export const IC_HARDIRQ_DISABLE_SHIFT = 16
/** `HARDIRQ_SHIFT` = `HARDIRQ_DISABLE_SHIFT + HARDIRQ_DISABLE_BITS` (24). */
export const IC_HARDIRQ_SHIFT = 24
/** `NMI_SHIFT` = `HARDIRQ_SHIFT + HARDIRQ_BITS` (28); `NMI_BITS 1`. */
export const IC_NMI_SHIFT = 28
/** `0x00ff0000`. */
export const IC_HARDIRQ_DISABLE_MASK = bits(8) << IC_HARDIRQ_DISABLE_SHIFT
/** `0x0f000000`. */
export const IC_HARDIRQ_MASK = bits(4) << IC_HARDIRQ_SHIFT
/** `0x10000000`. */
export const IC_NMI_MASK = bits(1) << IC_NMI_SHIFT

/** The counted-interrupt-disabling series' layout (v2/v3, 2026-05/06; generic 32-bit preempt_count). */
export const INTERRUPT_COUNT_LAYOUT: PreemptCountLayout = Object.freeze({
  name: 'interrupt-count',
  hardirqMask: IC_HARDIRQ_MASK,
  hardirqShift: IC_HARDIRQ_SHIFT,
  hardirqOffset: 1 << IC_HARDIRQ_SHIFT,
  nmiMask: IC_NMI_MASK,
  nmiShift: IC_NMI_SHIFT,
  nmiOffset: 1 << IC_NMI_SHIFT,
  interruptDisableMask: IC_HARDIRQ_DISABLE_MASK,
  interruptDisableShift: IC_HARDIRQ_DISABLE_SHIFT,
  interruptDisableOffset: 1 << IC_HARDIRQ_DISABLE_SHIFT,
  nmiNestingPerCpu: true,
  nmiNestingMax: 15,
  fieldsOutermostFirst: Object.freeze([
    { name: 'nmi', mask: IC_NMI_MASK, shift: IC_NMI_SHIFT },
    { name: 'hardirq', mask: IC_HARDIRQ_MASK, shift: IC_HARDIRQ_SHIFT },
    { name: 'interrupt-disable', mask: IC_HARDIRQ_DISABLE_MASK, shift: IC_HARDIRQ_DISABLE_SHIFT },
    { name: 'softirq', mask: SOFTIRQ_MASK, shift: SOFTIRQ_SHIFT },
    { name: 'preempt', mask: PREEMPT_MASK, shift: PREEMPT_SHIFT },
  ] as const),
})

/** The layout object for a name. */
export const preemptCountLayoutOf = (name: PreemptCountLayoutName): PreemptCountLayout =>
  name === 'interrupt-count' ? INTERRUPT_COUNT_LAYOUT : MAINLINE_LAYOUT
