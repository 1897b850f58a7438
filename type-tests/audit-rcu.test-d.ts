// An outside audit of the RCU read sides (include/linux/rcupdate.h, kernel/rcu/update.c): what each
// flavour lets a section take on both kernels. rcu_read_lock(): preemptible RCU, rcu_lock_map's
// LD_WAIT_CONFIG inner (spinlock_t fine even on RT, sleeping not); rcu_read_lock_bh():
// local_bh_disable() and rcu_bh_lock_map (LD_WAIT_CONFIG); rcu_read_lock_sched(): preempt_disable()
// on both kernels and rcu_sched_lock_map (LD_WAIT_SPIN): raw spinlocks only. The run-time twin:
// test/deferred/rcu-maps.test.ts.
import { expectAssignable, expectError, expectNotAssignable } from 'tsd'
import { type BhDisabled, createKernel, type PreemptDisabled } from '../src/index.js'

const kernel = createKernel()
const s = kernel.spinLock('s', 0)
const r = kernel.rawSpinLock('r', 0)
const m = kernel.mutex('m', 0)
const ll = kernel.localLock('ll', () => 0)

kernel.run((ctx) => {
  ctx.rcuReadLock((ctx) => {
    s.withLocked(ctx, () => 0)
    ll.withLocked(ctx, () => 0)
    r.withLocked(ctx, () => 0)
    ctx.kmalloc(8, 'GFP_ATOMIC')
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section (rcu_read_lock()))
    expectError(m.withLocked(ctx, () => 0))
    expectNotAssignable<PreemptDisabled>(ctx) // preemptible RCU (PREEMPT_RT implies it)
  })

  kernel.rcuReadLockBh(ctx, (ctx) => {
    s.withLocked(ctx, () => 0)
    s.withLockedBh(ctx, () => 0)
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (in an RCU-bh read-side section (rcu_read_lock_bh()))
    expectError(m.withLocked(ctx, () => 0))
    // @expect-error synchronize_rcu() may sleep
    expectError(kernel.synchronizeRcu(ctx))
    expectAssignable<BhDisabled>(ctx)
    expectNotAssignable<PreemptDisabled>(ctx) // RT: BH-disabled sections are preemptible
  })

  kernel.rcuReadLockSched(ctx, (ctx) => {
    r.withLocked(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 's' is a sleeping lock on PREEMPT_RT and cannot be taken here (in an RCU-sched read-side section (rcu_read_lock_sched(): preemption disabled))
    expectError(s.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: local_lock_t 'll'
    expectError(ll.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC)
    expectError(ctx.kmalloc(8, 'GFP_ATOMIC'))
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an RCU-sched read-side section
    expectError(ctx.msleep(1))
    expectAssignable<PreemptDisabled>(ctx)
    // A BH read side nested in it: local_bh_disable() is fine with preemption off (on RT it skips its lock when !preemptible()).
    kernel.rcuReadLockBh(ctx, (ctx) => r.withLocked(ctx, () => 0))
  })

  // rcu_read_lock_bh() is local_bh_disable(): not with interrupts off on either kernel's side.
  s.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error rcu_read_lock_bh(): bottom halves cannot be disabled or enabled with interrupts off on at least one kernel
    expectError(kernel.rcuReadLockBh(ctx, () => 0))
    kernel.rcuReadLockSched(ctx, () => 0)
  })
})

kernel.requestIrq(3, 'dev', (ctx) => {
  // @expect-error rcu_read_lock_bh(): bottom halves cannot be disabled or enabled in a hardirq handler: WARN_ON_ONCE(in_hardirq())
  expectError(kernel.rcuReadLockBh(ctx, () => 0))
  kernel.rcuReadLockSched(ctx, (ctx) => r.withLocked(ctx, () => 0))
  ctx.rcuReadLock((ctx) => s.withLocked(ctx, () => 0))
})
kernel.openSoftirq('NET_RX', (ctx) => kernel.rcuReadLockBh(ctx, (ctx) => s.withLocked(ctx, () => 0)))
// RCU readers are allowed in NMI ("rcu_read_lock_sched() … invoked from an NMI handler").
kernel.requestNmi('perf', (ctx) => kernel.rcuReadLockSched(ctx, (ctx) => r.withLocked(ctx, () => 0)))
