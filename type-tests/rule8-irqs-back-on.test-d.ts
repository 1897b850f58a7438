// Rule 8: what turns interrupts or bottom halves back on unconditionally, where they may be off.
// The _irq unlocks end in local_irq_enable() (include/linux/spinlock_api_smp.h), so an _irq form
// is refused wherever interrupts may be off on either kernel; local_bh_disable()/local_bh_enable()
// and the _bh forms warn with interrupts off and in hardirq context (kernel/softirq.c).
import { expectError, expectType } from 'tsd'
import { type Context, type CtxState, createKernel, type IrqOffOnOne } from '../src/index.js'

/** The `irq` field of a context's state: true (off on both kernels), IrqOffOnOne (off on one), false. */
declare const irqOf: <S extends CtxState>(ctx: Context<S>) => S['irq']

const kernel = createKernel()
const hw = kernel.rawSpinLock('hw', 0)
const dev = kernel.rawSpinLock('dev', 0)
const stats = kernel.spinLock('stats', 0)
const queue = kernel.spinLock('queue', 0)
const table = kernel.rwLock('table', 0)
const pcp = kernel.localLock('pcp', () => 0)
const ring = kernel.spinLockIrq('ring', 0)
const cfg = kernel.mutex('cfg', 0)

kernel.run((ctx) => {
  // What each section knows about interrupts.
  expectType<false>(irqOf(ctx))
  hw.withLockedIrqSave(ctx, (ctx) => expectType<true>(irqOf(ctx)))
  hw.withLocked(ctx, (ctx) => expectType<false>(irqOf(ctx)))
  stats.withLockedIrqSave(ctx, (ctx) => {
    expectType<IrqOffOnOne>(irqOf(ctx))
    hw.withLockedIrqSave(ctx, (ctx) => expectType<true>(irqOf(ctx)))
    hw.withLocked(ctx, (ctx) => expectType<IrqOffOnOne>(irqOf(ctx)))
  })
  ring.withLocked(ctx, (ctx) => expectType<IrqOffOnOne>(irqOf(ctx)))
  pcp.withLockedIrq(ctx, (ctx) => expectType<IrqOffOnOne>(irqOf(ctx)))
  ctx.core.localIrqSave((ctx) => hw.withLocked(ctx, (ctx) => expectType<true>(irqOf(ctx))))
  // Under a section that disables interrupts on both kernels.
  hw.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error the _irq unlock of raw_spinlock_t 'dev' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (interrupts are off here on at least one kernel): use the _irqsave form
    expectError(dev.withLockedIrq(ctx, () => 0))
    // @expect-error the _irq unlock of raw_spinlock_t 'dev'
    expectError(dev.lockIrq(ctx))
    // @expect-error the _bh lock and unlock of raw_spinlock_t 'dev': bottom halves cannot be disabled or enabled with interrupts off on at least one kernel: lockdep_assert_irqs_enabled()
    expectError(dev.withLockedBh(ctx, () => 0))
    // @expect-error local_bh_disable(): bottom halves cannot be disabled or enabled with interrupts off
    expectError(ctx.localBhDisable(() => 0))
    dev.withLockedIrqSave(ctx, () => 0)
    dev.withLocked(ctx, () => 0)
  })
  // Under a spinlock_t irqsave section: interrupts off on the normal kernel only — it counts.
  stats.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error the _irq unlock of spinlock_t 'queue' ends in local_irq_enable()
    expectError(queue.withLockedIrq(ctx, () => 0))
    // @expect-error the _irq unlock of rwlock_t 'table'
    expectError(table.withReadIrq(ctx, () => 0))
    // @expect-error the _irq unlock of rwlock_t 'table'
    expectError(table.writeIrq(ctx))
    // @expect-error the _irq unlock of local_lock_t 'pcp'
    expectError(pcp.withLockedIrq(ctx, () => 0))
    // @expect-error the _irq unlock of local_lock_t 'pcp'
    expectError(pcp.lockIrq(ctx))
    // @expect-error the _irq unlock of raw_spinlock_t 'hw'
    expectError(hw.withLockedIrq(ctx, () => 0))
    // @expect-error the _bh lock and unlock of spinlock_t 'queue'
    expectError(queue.withLockedBh(ctx, () => 0))
    // @expect-error the _bh lock and unlock of rwlock_t 'table'
    expectError(table.readBh(ctx))
    // @expect-error local_bh_disable()
    expectError(ctx.localBhDisable(() => 0))
    queue.withLockedIrqSave(ctx, () => 0)
  })
  // The same through guards, SpinLockIrq, local_lock_t and rwlock_t irqsave.
  {
    using r = ring.lock(ctx)
    // @expect-error the _irq unlock of spinlock_t 'stats'
    expectError(stats.lockIrq(r.ctx))
  }
  {
    using p = pcp.lockIrqSave(ctx)
    // @expect-error the _irq unlock of spinlock_t 'stats'
    expectError(stats.withLockedIrq(p.ctx, () => 0))
  }
  {
    using t = table.readIrqSave(ctx)
    // @expect-error the _bh lock and unlock of spinlock_t 'stats'
    expectError(stats.lockBh(t.ctx))
  }
  {
    // An _irq section itself: interrupts off on the normal kernel, so no _irq inside it either.
    using q = queue.lockIrq(ctx)
    // @expect-error the _irq unlock of spinlock_t 'stats'
    expectError(stats.lockIrq(q.ctx))
  }
  // core.localIrqSave() and local_interrupt_disable().
  ctx.core.localIrqSave((ctx) => {
    // @expect-error the _irq unlock of raw_spinlock_t 'hw'
    expectError(hw.withLockedIrq(ctx, () => 0))
    // @expect-error local_bh_disable()
    expectError(ctx.localBhDisable(() => 0))
  })
  {
    using d = ctx.localInterruptDisable()
    // @expect-error the _irq unlock of raw_spinlock_t 'hw'
    expectError(hw.withLockedIrq(d.ctx, () => 0))
    // @expect-error the _bh lock and unlock of raw_spinlock_t 'hw'
    expectError(hw.lockBh(d.ctx))
  }

  // Still valid: in a task with interrupts on, under a mutex, a plain spinlock_t, preempt_disable(),
  // local_bh_disable(), rcu_read_lock(), and a _bh section.
  expectType<number>(stats.withLockedIrq(ctx, () => 1))
  hw.withLockedBh(ctx, () => 0)
  ctx.localBhDisable((ctx) => stats.withLockedIrq(ctx, () => 0))
  cfg.withLocked(ctx, (ctx) => {
    stats.withLockedIrq(ctx, () => 0)
    stats.withLockedBh(ctx, () => 0)
    ctx.localBhDisable(() => 0)
  })
  stats.withLocked(ctx, (ctx) => {
    hw.withLockedIrq(ctx, () => 0)
    queue.withLockedBh(ctx, () => 0)
    pcp.withLockedIrq(ctx, () => 0)
    ctx.localBhDisable(() => 0)
  })
  ctx.preemptDisable((ctx) => hw.withLockedIrq(ctx, () => 0))
  ctx.rcuReadLock((ctx) => table.withWriteIrq(ctx, () => 0))
  stats.withLockedBh(ctx, (ctx) => {
    hw.withLockedIrq(ctx, () => 0)
    queue.withLockedBh(ctx, () => 0)
  })
  {
    using q = queue.lockBh(ctx)
    using s = stats.lockIrq(q.ctx)
    hw.withLocked(s.ctx, () => 0)
  }
})

// A threadable handler is a hardirq on the normal kernel: interrupts off there.
kernel.requestIrq(3, 'nic', (ctx) => {
  expectType<IrqOffOnOne>(irqOf(ctx))
  // @expect-error the _irq unlock of spinlock_t 'stats' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (in a hardirq handler; kernel/irq/handle.c: irq N handler enabled interrupts)
  expectError(stats.withLockedIrq(ctx, () => 0))
  // @expect-error the _bh lock and unlock of spinlock_t 'stats': bottom halves cannot be disabled or enabled in a hardirq handler: WARN_ON_ONCE(in_hardirq())
  expectError(stats.withLockedBh(ctx, () => 0))
  // @expect-error local_bh_disable(): bottom halves cannot be disabled or enabled in a hardirq handler
  expectError(ctx.localBhDisable(() => 0))
  stats.withLockedIrqSave(ctx, () => 0)
  stats.withLocked(ctx, () => 0)
})
kernel.requestIrq(
  4,
  'timer',
  (ctx) => {
    // @expect-error the _irq unlock of raw_spinlock_t 'hw'
    expectError(hw.lockIrq(ctx))
    // @expect-error the _bh lock and unlock of raw_spinlock_t 'hw'
    expectError(hw.withLockedBh(ctx, () => 0))
    hw.withLockedIrqSave(ctx, () => 0)
  },
  { noThread: true },
)
kernel.requestNmi('perf', (ctx) => {
  // @expect-error the _irq unlock of raw_spinlock_t 'hw' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (in NMI context)
  expectError(hw.withLockedIrq(ctx, () => 0))
  // @expect-error local_bh_disable(): bottom halves cannot be disabled or enabled in NMI context
  expectError(ctx.localBhDisable(() => 0))
})
// A softirq runs with interrupts on: both forms are fine there.
kernel.openSoftirq('NET_RX', (ctx) => {
  stats.withLockedIrq(ctx, () => 0)
  stats.withLockedBh(ctx, () => 0)
  table.withReadBh(ctx, () => 0)
  ctx.localBhDisable((ctx) => stats.withLockedIrq(ctx, () => 0))
})
