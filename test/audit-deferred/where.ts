/**
 * What an outside tester reads off a simulated CPU inside a callback: the kernel's own predicates
 * and counters, with the kernel's preempt_count values (include/linux/preempt.h).
 */
import type { AnyContext, Kernel } from '../../src/index.js'

/** include/linux/preempt.h: SOFTIRQ_OFFSET = 1 << 8, SOFTIRQ_DISABLE_OFFSET = 2 * SOFTIRQ_OFFSET, HARDIRQ_OFFSET = 1 << 16. */
export const PREEMPT_OFFSET = 0x1
export const SOFTIRQ_OFFSET = 0x100
export const SOFTIRQ_DISABLE_OFFSET = 0x200
export const HARDIRQ_OFFSET = 0x10000

export interface Where {
  readonly comm: string
  /** preempt_count(). */
  readonly pc: number
  readonly irqsOff: boolean
  readonly hardirq: boolean
  readonly servingSoftirq: boolean
  /** softirq_count(): preempt_count's field, or RT's current->softirq_disable_cnt. */
  readonly softirqCount: number
  readonly inTask: boolean
  /** rcu_preempt_depth(). */
  readonly rcu: number
  /** current->migration_disabled. */
  readonly migrate: number
}

export const where = (k: Kernel, ctx: AnyContext): Where => {
  const v = k.cpu(ctx.cpuId)
  return {
    comm: ctx.comm,
    pc: v.preemptCount,
    irqsOff: v.irqsDisabled,
    hardirq: v.inHardirq(),
    servingSoftirq: v.inServingSoftirq(),
    softirqCount: v.softirqCount(),
    inTask: v.inTask(),
    rcu: v.current.rcuReadLockNesting,
    migrate: v.current.migrationDisabled,
  }
}

/** A hardirq frame over `comm`: HARDIRQ_OFFSET, interrupts off. */
export const hardirqOver = (comm: string): Where => ({
  comm,
  pc: HARDIRQ_OFFSET,
  irqsOff: true,
  hardirq: true,
  servingSoftirq: false,
  softirqCount: 0,
  inTask: false,
  rcu: 0,
  migrate: 0,
})

/** Normal kernel, handle_softirqs() at irq exit or in ksoftirqd: SOFTIRQ_OFFSET in preempt_count, interrupts on. */
export const softirqIn = (comm: string, extraPreempt = 0): Where => ({
  comm,
  pc: SOFTIRQ_OFFSET + extraPreempt,
  irqsOff: false,
  hardirq: false,
  servingSoftirq: true,
  softirqCount: SOFTIRQ_OFFSET,
  inTask: false,
  rcu: 0,
  migrate: 0,
})

/**
 * PREEMPT_RT, a softirq served in a task (ktimers/N, ksoftirqd/N, a BH-enabling task): preempt_count
 * untouched, SOFTIRQ_OFFSET in current->softirq_disable_cnt, and the first BH-disable's
 * migrate_disable() + rcu_read_lock() (kernel/softirq.c __local_bh_disable_ip(), RT branch).
 */
export const rtSoftirqIn = (comm: string): Where => ({
  comm,
  pc: 0,
  irqsOff: false,
  hardirq: false,
  servingSoftirq: true,
  softirqCount: SOFTIRQ_OFFSET,
  inTask: false,
  rcu: 1,
  migrate: 1,
})

/** A plain task, preemptible. */
export const taskIn = (comm: string): Where => ({
  comm,
  pc: 0,
  irqsOff: false,
  hardirq: false,
  servingSoftirq: false,
  softirqCount: 0,
  inTask: true,
  rcu: 0,
  migrate: 0,
})

/** A task with BH disabled by local_bh_disable() (not serving): on RT preempt_count stays 0, RCU and migrate + 1. */
export const bhOffTaskIn = (comm: string, preemptRt: boolean, irqsOff = false): Where => ({
  comm,
  pc: preemptRt ? 0 : SOFTIRQ_DISABLE_OFFSET,
  irqsOff,
  hardirq: false,
  servingSoftirq: false,
  softirqCount: SOFTIRQ_DISABLE_OFFSET,
  inTask: true,
  rcu: preemptRt ? 1 : 0,
  migrate: preemptRt ? 1 : 0,
})
