/**
 * The kernel's step sequences, in its order (include/linux/spinlock_api_smp.h, spinlock_rt.h,
 * local_lock_internal.h, kernel/locking/spinlock_rt.c, mutex.c, rwsem.c — see docs/SEMANTICS.md).
 * The built-in kinds (builtins.ts) are made of these.
 */
import type { Ops, PerConfig, Variant } from './spec.js'

/** The same sequence on both configurations. */
export const both = <const T>(ops: T): PerConfig<T> => ({ normal: ops, rt: ops })

// The raw spinning sequences (spinlock_api_smp.h); spinlock_t and rwlock_t use them on a normal kernel.
export const RAW = {
  plain: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] },
  // Unlock restores interrupts *before* preempt_enable(): a pending IRQ sees preempt_count 1.
  irq: { lock: ['irq_disable', 'preempt_disable', 'acquire'], unlock: ['release', 'irq_enable', 'preempt_enable'] },
  irqsave: { lock: ['irq_save', 'preempt_disable', 'acquire'], unlock: ['release', 'irq_restore', 'preempt_enable'] },
  bh: { lock: ['bh_lock_disable', 'acquire'], unlock: ['release', 'bh_lock_enable'] },
} as const satisfies Record<Variant, Ops>

// RT rt_spin_lock(): lockdep annotation, might-resched tolerating RCU, then rcu_read_lock + migrate_disable.
export const RT_LOCK = {
  lock: ['acquire', 'rtlock_might_resched', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'migrate_enable', 'rcu_read_unlock'],
} as const satisfies Ops

/** `local_bh_disable()` before a sequence, `local_bh_enable()` after its undo (literal types kept). */
export const withBh = <L extends Ops['lock'], U extends Ops['unlock']>(ops: { readonly lock: L; readonly unlock: U }) =>
  ({ lock: ['bh_disable', ...ops.lock], unlock: [...ops.unlock, 'bh_enable'] }) as const

// rt_write_lock(): rtlock_might_resched, acquire, lock, rcu_read_lock, migrate_disable;
// rt_write_unlock() drops RCU *before* migrate_enable (rt_read_unlock the other way round).
export const RT_WRITE = {
  lock: ['rtlock_might_resched', 'acquire', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'rcu_read_unlock', 'migrate_enable'],
} as const satisfies Ops
export const RT_READ = {
  lock: ['rtlock_might_resched', 'acquire', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'migrate_enable', 'rcu_read_unlock'],
} as const satisfies Ops

export const RT_SPIN = {
  plain: RT_LOCK,
  // spin_lock_irq[save]() on RT leave the interrupt flag alone (flags = 0).
  irq: RT_LOCK,
  irqsave: RT_LOCK,
  // spin_lock_bh(): local_bh_disable(); rt_spin_lock(). Unlock in reverse.
  bh: withBh(RT_LOCK),
} as const satisfies Record<Variant, Ops>

// local_lock_t on RT: migrate_disable(); spin_lock(this_cpu_ptr(lock)). Unlock: spin_unlock(); migrate_enable().
export const RT_LOCAL = {
  lock: ['migrate_disable', ...RT_LOCK.lock],
  unlock: [...RT_LOCK.unlock, 'migrate_enable'],
} as const satisfies Ops

// mutex_lock(), down_read(), down_write(): might_sleep() first.
export const SLEEPING = { lock: ['might_sleep', 'acquire'], unlock: ['release'] } as const satisfies Ops
