/**
 * The one table of lock kinds. For every kind: its category and lockdep wait type, and for every
 * acquisition variant the exact steps `lock` and `unlock` perform on each configuration, in the
 * kernel's order (include/linux/spinlock_api_smp.h, spinlock_rt.h, local_lock_internal.h,
 * kernel/locking/spinlock_rt.c, mutex.c, rwsem.c — see docs/SEMANTICS.md).
 *
 * The runtime replays these steps on the simulated CPU; the type-level rules (rules.ts) read the
 * same table: a kind's wait type says where it may be taken, and an effect present on *both*
 * configurations (interrupts, preemption, bottom halves off) becomes a proof in the context.
 */

/**
 * One primitive a lock operation performs. `acquire`/`release` are the lockdep annotations.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS, type Step } from 'lockproof'
 *
 * const disablesIrqs = (steps: readonly Step[]) => steps.includes('irq_save') || steps.includes('irq_disable')
 * console.log(disablesIrqs(LOCK_KINDS.spinlock_t.variants.irqsave.rt.lock)) // false: RT leaves interrupts on
 * ```
 */
export type Step =
  | 'irq_save'
  | 'irq_restore'
  | 'irq_disable'
  | 'irq_enable'
  /** Counted interrupt disabling (`local_interrupt_disable()`), used by guards in 'counted' mode. */
  | 'interrupt_disable'
  | 'interrupt_enable'
  | 'preempt_disable'
  | 'preempt_enable'
  /** `local_bh_disable()`: SOFTIRQ_DISABLE_OFFSET. */
  | 'bh_disable'
  | 'bh_enable'
  /** `__local_bh_disable_ip(SOFTIRQ_LOCK_OFFSET)`: 0x201 in one step on a normal kernel. */
  | 'bh_lock_disable'
  | 'bh_lock_enable'
  | 'migrate_disable'
  | 'migrate_enable'
  | 'rcu_read_lock'
  | 'rcu_read_unlock'
  /** `might_sleep()`: preempt_count and RCU depth must be 0, interrupts on. */
  | 'might_sleep'
  /** RT `rtlock_might_resched()`: like might_sleep, but tolerates the current RCU depth. */
  | 'rtlock_might_resched'
  | 'acquire'
  | 'release'

export interface Ops {
  readonly lock: readonly Step[]
  readonly unlock: readonly Step[]
}

export interface PerConfig<T> {
  readonly normal: T
  readonly rt: T
}

export type Category = 'sleeping' | 'cpu-local' | 'spinning'
/**
 * An acquisition variant: `spin_lock()`, `spin_lock_irq()`, `spin_lock_irqsave()`, `spin_lock_bh()`.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS, type Variant } from 'lockproof'
 *
 * const all: Variant[] = ['plain', 'irq', 'irqsave', 'bh']
 * console.log(all.filter((v) => v in LOCK_KINDS.local_lock_t.variants)) // ['plain', 'irq', 'irqsave']
 * ```
 */
export type Variant = 'plain' | 'irq' | 'irqsave' | 'bh'

const both = <T>(ops: T): PerConfig<T> => ({ normal: ops, rt: ops })

// The raw spinning sequences (spinlock_api_smp.h); spinlock_t and rwlock_t use them on a normal kernel.
const RAW = {
  plain: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] },
  // Unlock restores interrupts *before* preempt_enable(): a pending IRQ sees preempt_count 1.
  irq: { lock: ['irq_disable', 'preempt_disable', 'acquire'], unlock: ['release', 'irq_enable', 'preempt_enable'] },
  irqsave: { lock: ['irq_save', 'preempt_disable', 'acquire'], unlock: ['release', 'irq_restore', 'preempt_enable'] },
  bh: { lock: ['bh_lock_disable', 'acquire'], unlock: ['release', 'bh_lock_enable'] },
} as const satisfies Record<Variant, Ops>

// RT rt_spin_lock(): lockdep annotation, might-resched tolerating RCU, then rcu_read_lock + migrate_disable.
const RT_LOCK = {
  lock: ['acquire', 'rtlock_might_resched', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'migrate_enable', 'rcu_read_unlock'],
} as const satisfies Ops

/** `local_bh_disable()` before a sequence, `local_bh_enable()` after its undo (literal types kept). */
const withBh = <L extends readonly Step[], U extends readonly Step[]>(ops: { readonly lock: L; readonly unlock: U }) =>
  ({ lock: ['bh_disable', ...ops.lock], unlock: [...ops.unlock, 'bh_enable'] }) as const

// rt_write_lock(): rtlock_might_resched, acquire, lock, rcu_read_lock, migrate_disable;
// rt_write_unlock() drops RCU *before* migrate_enable (rt_read_unlock the other way round).
const RT_WRITE = {
  lock: ['rtlock_might_resched', 'acquire', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'rcu_read_unlock', 'migrate_enable'],
} as const satisfies Ops
const RT_READ = {
  lock: ['rtlock_might_resched', 'acquire', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'migrate_enable', 'rcu_read_unlock'],
} as const satisfies Ops

const RT_SPIN = {
  plain: RT_LOCK,
  // spin_lock_irq[save]() on RT leave the interrupt flag alone (flags = 0).
  irq: RT_LOCK,
  irqsave: RT_LOCK,
  // spin_lock_bh(): local_bh_disable(); rt_spin_lock(). Unlock in reverse.
  bh: withBh(RT_LOCK),
} as const satisfies Record<Variant, Ops>

/** read_lock*() of rwlock_t: the raw sequences on a normal kernel, rt_read_lock on RT. */
export const RWLOCK_READ = {
  plain: { normal: RAW.plain, rt: RT_READ },
  irq: { normal: RAW.irq, rt: RT_READ },
  irqsave: { normal: RAW.irqsave, rt: RT_READ },
  bh: { normal: RAW.bh, rt: withBh(RT_READ) },
} as const satisfies Record<Variant, PerConfig<Ops>>

const SLEEPING = { lock: ['might_sleep', 'acquire'], unlock: ['release'] } as const satisfies Ops

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
  raw_spinlock_t: {
    label: 'raw_spinlock_t',
    category: both('spinning'),
    wait: 'spin',
    variants: { plain: both(RAW.plain), irq: both(RAW.irq), irqsave: both(RAW.irqsave), bh: both(RAW.bh) },
  },
  spinlock_t: {
    label: 'spinlock_t',
    category: { normal: 'spinning', rt: 'sleeping' },
    wait: 'config',
    variants: {
      plain: { normal: RAW.plain, rt: RT_SPIN.plain },
      irq: { normal: RAW.irq, rt: RT_SPIN.irq },
      irqsave: { normal: RAW.irqsave, rt: RT_SPIN.irqsave },
      bh: { normal: RAW.bh, rt: RT_SPIN.bh },
    },
  },
  // rwlock_t: write_lock*() below; read_lock*() in RWLOCK_READ. On RT, rt_write_lock and
  // rt_read_lock check might-resched *before* the lockdep annotation, unlike rt_spin_lock.
  rwlock_t: {
    label: 'rwlock_t',
    category: { normal: 'spinning', rt: 'sleeping' },
    wait: 'config',
    variants: {
      plain: { normal: RAW.plain, rt: RT_WRITE },
      irq: { normal: RAW.irq, rt: RT_WRITE },
      irqsave: { normal: RAW.irqsave, rt: RT_WRITE },
      bh: { normal: RAW.bh, rt: withBh(RT_WRITE) },
    },
  },
  local_lock_t: {
    label: 'local_lock_t',
    category: { normal: 'cpu-local', rt: 'sleeping' },
    wait: 'config',
    variants: {
      plain: {
        normal: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] },
        // RT: migrate_disable(); spin_lock(this_cpu_ptr(lock)). Unlock: spin_unlock(); migrate_enable().
        rt: { lock: ['migrate_disable', ...RT_LOCK.lock], unlock: [...RT_LOCK.unlock, 'migrate_enable'] },
      },
      // local_lock_irqsave() on a normal kernel: local_irq_save() only — no preempt_disable().
      irqsave: {
        normal: { lock: ['irq_save', 'acquire'], unlock: ['release', 'irq_restore'] },
        rt: { lock: ['migrate_disable', ...RT_LOCK.lock], unlock: [...RT_LOCK.unlock, 'migrate_enable'] },
      },
      irq: {
        normal: { lock: ['irq_disable', 'acquire'], unlock: ['release', 'irq_enable'] },
        rt: { lock: ['migrate_disable', ...RT_LOCK.lock], unlock: [...RT_LOCK.unlock, 'migrate_enable'] },
      },
    },
  },
  mutex: {
    label: 'mutex',
    category: both('sleeping'),
    wait: 'sleep',
    variants: { plain: both(SLEEPING) },
  },
  rw_semaphore: {
    label: 'rw_semaphore',
    category: both('sleeping'),
    wait: 'sleep',
    variants: { plain: both(SLEEPING) },
  },
  // Rust's SpinLockIrq: a spinlock_t whose every acquisition is spin_lock_irqsave().
  SpinLockIrq: {
    label: 'SpinLockIrq',
    category: { normal: 'spinning', rt: 'sleeping' },
    wait: 'config',
    variants: { plain: { normal: RAW.irqsave, rt: RT_SPIN.irqsave } },
  },
} as const

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
export type VariantOf<K extends LockKind> = keyof LockKinds[K]['variants'] & Variant

/** Steps that turn interrupts off: a lock whose variant has one is an "IRQ lock" here. */
export const IRQ_OFF_STEPS: ReadonlySet<Step> = new Set<Step>(['irq_save', 'irq_disable', 'interrupt_disable'])

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
export const opsOf = (kind: LockKind, variant: Variant, preemptRt: boolean, mode: 'read' | 'write' = 'write'): Ops => {
  const table = kind === 'rwlock_t' && mode === 'read' ? RWLOCK_READ : LOCK_KINDS[kind].variants
  const perConfig = (table as Partial<Record<Variant, PerConfig<Ops>>>)[variant]
  if (perConfig === undefined) throw new Error(`${kind} has no ${variant} variant`)
  return preemptRt ? perConfig.rt : perConfig.normal
}
