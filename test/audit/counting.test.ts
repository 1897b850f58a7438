/**
 * preempt_count, the interrupt flag and the task counters inside each section, from the kernel's
 * own definitions, as an outside tester writes them (docs/SEMANTICS.md §1–§6 quote the sources):
 * include/linux/preempt.h (PREEMPT_OFFSET 0x1, SOFTIRQ_OFFSET 0x100, SOFTIRQ_DISABLE_OFFSET 0x200,
 * HARDIRQ_OFFSET 0x10000, NMI_OFFSET 0x100000; PREEMPT_LOCK_OFFSET 0 on RT), include/linux/
 * spinlock_api_smp.h, kernel/locking/spinlock_rt.c (`rtlock_lock(); rcu_read_lock();
 * migrate_disable();`), include/linux/local_lock_internal.h, kernel/softirq.c, kernel/irq/manage.c
 * (`irq_forced_thread_fn()`), include/linux/hardirq.h (`__nmi_enter()`).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'

interface Seen {
  readonly pc: number
  readonly irqOff: boolean
  readonly migrate: number
  readonly rcu: number
  readonly bh: number
}

const seen = (k: Kernel): Seen => {
  const c = k.cpu(0)
  const t = c.current
  return { pc: c.preemptCount, irqOff: c.irqsDisabled, migrate: t.migrationDisabled, rcu: t.rcuReadLockNesting, bh: t.softirqDisableCnt }
}

const S = (pc: number, irqOff: boolean, migrate = 0, rcu = 0, bh = 0): Seen => ({ pc, irqOff, migrate, rcu, bh })

/** Each section: what it looks like inside, on the normal kernel and on PREEMPT_RT. */
const SECTIONS: ReadonlyArray<readonly [string, (k: Kernel, probe: () => void) => void, Seen, Seen]> = [
  ['preempt_disable()', (k, p) => k.run((ctx) => ctx.preemptDisable(p)), S(0x1, false), S(0x1, false)],
  // RT: the first local_bh_disable() of a preemptible task: migrate_disable() + rcu_read_lock(), the task counter.
  ['local_bh_disable()', (k, p) => k.run((ctx) => ctx.localBhDisable(p)), S(0x200, false), S(0, false, 1, 1, 0x200)],
  ['local_irq_save()', (k, p) => k.run((ctx) => ctx.core.localIrqSave(p)), S(0, true), S(0, true)],
  ['rcu_read_lock() (preemptible RCU)', (k, p) => k.run((ctx) => ctx.rcuReadLock(p)), S(0, false, 0, 1), S(0, false, 0, 1)],
  // migrate_disable() leaves preempt_count alone on SMP (kernel/sched/core.c).
  ['migrate_disable()', (k, p) => k.run((ctx) => ctx.migrateDisable(p)), S(0, false, 1), S(0, false, 1)],
  ['spin_lock()', (k, p) => k.run((ctx) => k.spinLock('s', 0).withLocked(ctx, p)), S(0x1, false), S(0, false, 1, 1)],
  // SOFTIRQ_LOCK_OFFSET = SOFTIRQ_DISABLE_OFFSET + PREEMPT_LOCK_OFFSET: 0x201, and on RT 0x200 in the task.
  ['spin_lock_bh()', (k, p) => k.run((ctx) => k.spinLock('s', 0).withLockedBh(ctx, p)), S(0x201, false), S(0, false, 2, 2, 0x200)],
  // RT: spin_lock_irq() is spin_lock(): interrupts stay on.
  ['spin_lock_irq()', (k, p) => k.run((ctx) => k.spinLock('s', 0).withLockedIrq(ctx, p)), S(0x1, true), S(0, false, 1, 1)],
  ['spin_lock_irqsave()', (k, p) => k.run((ctx) => k.spinLock('s', 0).withLockedIrqSave(ctx, p)), S(0x1, true), S(0, false, 1, 1)],
  ['raw_spin_lock()', (k, p) => k.run((ctx) => k.rawSpinLock('r', 0).withLocked(ctx, p)), S(0x1, false), S(0x1, false)],
  ['raw_spin_lock_irqsave()', (k, p) => k.run((ctx) => k.rawSpinLock('r', 0).withLockedIrqSave(ctx, p)), S(0x1, true), S(0x1, true)],
  // __raw_spin_lock_bh(): __local_bh_disable_ip(_RET_IP_, SOFTIRQ_LOCK_OFFSET) — on RT that is 0x200 with PREEMPT_LOCK_OFFSET 0.
  ['raw_spin_lock_bh()', (k, p) => k.run((ctx) => k.rawSpinLock('r', 0).withLockedBh(ctx, p)), S(0x201, false), S(0, false, 1, 1, 0x200)],
  ['read_lock()', (k, p) => k.run((ctx) => k.rwLock('rw', 0).withRead(ctx, p)), S(0x1, false), S(0, false, 1, 1)],
  // local_lock(): preempt_disable() on a normal kernel; migrate_disable() + spin_lock() on RT.
  ['local_lock()', (k, p) => k.run((ctx) => k.localLock('ll', () => 0).withLocked(ctx, p)), S(0x1, false), S(0, false, 2, 1)],
  ['local_lock_irqsave()', (k, p) => k.run((ctx) => k.localLock('ll', () => 0).withLockedIrqSave(ctx, p)), S(0, true), S(0, false, 2, 1)],
  ['mutex_lock()', (k, p) => k.run((ctx) => k.mutex('m', 0).withLocked(ctx, p)), S(0, false), S(0, false)],
]

describe.each([false, true])('inside each section, preemptRt=%s', (preemptRt) => {
  it.each(SECTIONS)('%s', (_name, section, normal, rt) => {
    const k = createKernel({ preemptRt })
    let inside: Seen | undefined
    section(k, () => {
      inside = seen(k)
    })
    expect(inside).toEqual(preemptRt ? rt : normal)
    // And everything is back afterwards.
    expect(seen(k)).toEqual(S(0, false))
    expect(k.diagnostics).toEqual([])
  })
})

describe('interrupt, softirq and NMI context', () => {
  it.each([false, true])('a hardirq handler that is never threaded: HARDIRQ_OFFSET, interrupts off (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    let inside: Seen | undefined
    k.requestIrq(
      4,
      'tmr',
      () => {
        inside = seen(k)
      },
      { noThread: true },
    )
    k.run((ctx) => ctx.raiseIrq(4))
    expect(inside).toEqual(S(0x10000, true))
  })

  it('a force-threaded handler on RT: irq_forced_thread_fn() is local_bh_disable() only (the task counter, no irq disable)', () => {
    const k = createKernel({ preemptRt: true })
    let inside: Seen | undefined
    let comm = ''
    k.requestIrq(4, 'dev', () => {
      inside = seen(k)
      comm = k.cpu(0).current.comm
    })
    k.run((ctx) => ctx.raiseIrq(4))
    expect(comm).toBe('irq/4-dev')
    expect(inside).toEqual(S(0, false, 1, 1, 0x200))
  })

  it('threadirqs on a normal kernel: local_bh_disable() and local_irq_disable() around the handler', () => {
    const k = createKernel({ threadIrqs: true })
    let inside: Seen | undefined
    k.requestIrq(4, 'dev', () => {
      inside = seen(k)
    })
    k.run((ctx) => ctx.raiseIrq(4))
    expect(inside).toEqual(S(0x200, true))
  })

  it('a softirq at irq exit: SOFTIRQ_OFFSET, interrupts on; from local_bh_enable(): 0x101 (cnt - 1 kept, then + SOFTIRQ_OFFSET)', () => {
    const k = createKernel()
    const got: Seen[] = []
    k.openSoftirq('NET_RX', () => void got.push(seen(k)))
    k.requestIrq(4, 'dev', (ctx) => ctx.raiseSoftirq('NET_RX'))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    expect(got).toEqual([S(0x100, false), S(0x101, false)])
  })

  it('RT: softirqs never at irq exit; at the last local_bh_enable() in the task with SOFTIRQ_OFFSET in its counter', () => {
    const k = createKernel({ preemptRt: true })
    const got: Array<readonly [string, Seen]> = []
    k.openSoftirq('NET_RX', () => void got.push([k.cpu(0).current.comm, seen(k)]))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    expect(got).toEqual([['task-1', S(0, false, 1, 1, 0x100)]])
  })

  it('an NMI inside preempt_disable(): NMI_OFFSET + HARDIRQ_OFFSET on top (0x110001)', () => {
    const k = createKernel()
    let pc = -1
    k.requestNmi('perf', () => {
      pc = k.cpu(0).preemptCount
    })
    k.run((ctx) => ctx.preemptDisable((c) => c.raiseNmi('perf')))
    expect(pc).toBe(0x110001)
  })

  it('predicates: in_atomic() is preempt_count() != 0 (not the irq flag); in_softirq() includes BH disabled; in_serving_softirq() does not', () => {
    const k = createKernel()
    const got: boolean[][] = []
    const probe = () => {
      const c = k.cpu(0)
      got.push([c.inAtomic(), c.inSoftirq(), c.inServingSoftirq()])
    }
    k.run((ctx) => {
      ctx.core.localIrqSave(probe)
      ctx.localBhDisable(probe)
    })
    expect(got).toEqual([
      [false, false, false],
      [true, true, false],
    ])
  })
})
