/**
 * The public view of the kind registry (kinds/registry.ts): for every kind, its label, category
 * and lockdep wait type, and for every acquisition variant the exact steps `lock` and `unlock`
 * perform on each configuration, in the kernel's order (include/linux/spinlock_api_smp.h,
 * spinlock_rt.h, local_lock_internal.h, kernel/locking/spinlock_rt.c, mutex.c, rwsem.c — see
 * docs/SEMANTICS.md). The specs are the source; this table only shows them.
 *
 * The runtime replays these steps on the simulated CPU; the type-level rules (rules/acquire.ts) read the
 * same table: a kind's wait type says where it may be taken, and an effect present on *both*
 * configurations (interrupts, preemption, bottom halves off) becomes a proof in the context.
 */
import { KIND_SPECS, opsOfSpec } from './registry.js'
import type { LockKindSpec, Ops, Variant } from './spec.js'
import { STEPS, type Step } from './steps.js'
import type { KindOf, KindRef } from './kind-of.js'

export type { Step } from './steps.js'
export type { Category, Ops, PerConfig, Variant } from './spec.js'

/** A kind's row of the public table: the spec's label, category, wait type and write-side steps. */
const row = <const S extends LockKindSpec>(
  s: S,
): { readonly label: S['label']; readonly category: S['category']; readonly wait: S['wait']; readonly variants: S['variants'] } => ({
  label: s.label,
  category: s.category,
  wait: s.wait,
  variants: s.variants,
})

/**
 * The one table of lock kinds: for each, its label, its category on each configuration
 * (`normal`, `rt`), its lockdep wait type, and for every variant the {@link Step}s that `lock` and
 * `unlock` perform on each configuration, in the kernel's order (docs/SEMANTICS.md gives the
 * sources). The runtime replays these steps; the compile-time rules read the same table.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS } from 'lockproof'
 *
 * const { normal, rt } = LOCK_KINDS.spinlock_t.variants.irqsave
 * console.log(normal.lock) // ['irq_save', 'preempt_disable', 'acquire']
 * console.log(rt.lock)     // ['acquire', 'rtlock_might_resched', 'rcu_read_lock', 'migrate_disable']
 * ```
 */
export const LOCK_KINDS = {
  raw_spinlock_t: row(KIND_SPECS.raw_spinlock_t),
  spinlock_t: row(KIND_SPECS.spinlock_t),
  // rwlock_t: write_lock*() below; read_lock*() in RWLOCK_READ.
  rwlock_t: row(KIND_SPECS.rwlock_t),
  local_lock_t: row(KIND_SPECS.local_lock_t),
  mutex: row(KIND_SPECS.mutex),
  rw_semaphore: row(KIND_SPECS.rw_semaphore),
  SpinLockIrq: row(KIND_SPECS.SpinLockIrq),
} as const

/** read_lock*() of rwlock_t: the raw sequences on a normal kernel, rt_read_lock on RT. */
export const RWLOCK_READ = KIND_SPECS.rwlock_t.readVariants

export type LockKinds = typeof LOCK_KINDS
/**
 * A lock kind, as the kernel names its type: a key of {@link LOCK_KINDS}.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS, type LockKind } from 'lockproof'
 *
 * const sleepsOnRt = (k: LockKind) => LOCK_KINDS[k].category.rt === 'sleeping'
 * console.log(sleepsOnRt('spinlock_t'), sleepsOnRt('raw_spinlock_t')) // true false
 * ```
 */
export type LockKind = keyof LockKinds
/** The variants kind K has (a built-in's name or a defined kind's spec, kinds/kind-of.ts). */
export type VariantOf<K extends KindRef> = keyof KindOf<K>['variants'] & Variant

/** Steps that turn interrupts off: a lock whose variant has one is an "IRQ lock" here. */
export const IRQ_OFF_STEPS: ReadonlySet<Step> = new Set<Step>((Object.keys(STEPS) as Step[]).filter((s) => STEPS[s].irqsOff))

/**
 * Guards in 'counted' mode: spin_lock_irq_disable() / spin_unlock_irq_enable() — interrupts off
 * through the per-CPU count, so guards may drop in any order. RT sequences have no IRQ steps.
 *
 * `countInPreemptCount` (the 'interrupt-count' layout, series v3 2026-06-04): the count is a
 * preempt_count field, so `__raw_spin_lock_irq_disable()` is `local_interrupt_disable();
 * spin_acquire(); LOCK_CONTENDED()` with no preempt_disable() (and the unlock no
 * preempt_enable()). On the mainline layout the count lives outside preempt_count (the 2024
 * RFC's per-CPU form, whose `__raw_spin_lock_irq_disable()` still did preempt_disable()).
 */
export const counted = (ops: Ops, countInPreemptCount = false): Ops => {
  const disables = ops.lock.some((s) => s === 'irq_save' || s === 'irq_disable')
  const dropPreempt = countInPreemptCount && disables
  return {
    lock: ops.lock.filter((s) => !(dropPreempt && s === 'preempt_disable')).map((s) => (s === 'irq_save' || s === 'irq_disable' ? 'interrupt_disable' : s)),
    unlock: ops.unlock.filter((s) => !(dropPreempt && s === 'preempt_enable')).map((s) => (s === 'irq_restore' || s === 'irq_enable' ? 'interrupt_enable' : s)),
  }
}

/** The steps of `variant` of `kind` in `mode` on a configuration. */
export const opsOf = (kind: LockKind, variant: Variant, preemptRt: boolean, mode: 'read' | 'write' = 'write'): Ops =>
  opsOfSpec(KIND_SPECS[kind], variant, preemptRt, mode)
