// Rule 2: spinlock_t, rwlock_t, local_lock_t (sleeping on RT) where only spinning is allowed.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const stats = kernel.spinLock('stats', { hits: 0 })
const table = kernel.rwLock('table', new Map<string, number>())
const pcp = kernel.localLock('pcp', () => ({ n: 0 }))
const irqLock = kernel.spinLockIrq('queue', [] as number[])
const hw = kernel.rawSpinLock('hw', 0)

kernel.run((ctx) => {
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(stats.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: rwlock_t 'table' is a sleeping lock on PREEMPT_RT
    expectError(table.withRead(ctx, () => 0))
    // @expect-error Invalid wait context: local_lock_t 'pcp'
    expectError(pcp.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: SpinLockIrq 'queue'
    expectError(irqLock.withLocked(ctx, () => 0))
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_irq_save()))
    expectError(stats.withLocked(ctx, () => 0))
  })
  ctx.preemptDisable((ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (preemption is disabled (preempt_disable()))
    expectError(stats.withLockedIrqSave(ctx, () => 0))
  })
  hw.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats'
    expectError(stats.withLockedBh(ctx, () => 0))
  })
})

kernel.requestIrq(
  8,
  'rtc',
  (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in a hardirq handler that is never threaded (IRQF_NO_THREAD))
    expectError(stats.withLocked(ctx, () => 0))
  },
  { noThread: true },
)
kernel.requestNmi('perf', (ctx) => {
  // @expect-error Invalid wait context: spinlock_t 'stats'
  expectError(stats.withLocked(ctx, () => 0))
})
