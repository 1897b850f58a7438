// Rule 1: a sleeping lock (mutex, rw_semaphore) or msleep/mightSleep where sleeping is not allowed.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const cfg = kernel.mutex('cfg', { mode: 'fast' })
const sem = kernel.rwSemaphore('sem', 0)
const stats = kernel.spinLock('stats', { hits: 0 })
const hw = kernel.rawSpinLock('hw', 0)
const pcp = kernel.localLock('pcp', () => ({ n: 0 }))

kernel.run((ctx) => {
  stats.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(cfg.withLocked(ctx, () => 0))
    // @expect-error rw_semaphore 'sem' may sleep
    expectError(sem.withRead(ctx, () => 0))
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(ctx.msleep(10))
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(cfg.withLocked(ctx, () => 0))
  })
  pcp.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (local_lock_t 'pcp' is held)
    expectError(cfg.withLocked(ctx, () => 0))
  })
  ctx.preemptDisable((ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (preemption is disabled
    expectError(cfg.withLocked(ctx, () => 0))
  })
  ctx.localBhDisable((ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (bottom halves are disabled
    expectError(cfg.withLocked(ctx, () => 0))
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error might_sleep() may sleep: BUG: sleeping function called from invalid context (interrupts are disabled
    expectError(ctx.mightSleep())
  })
  ctx.rcuReadLock((ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section
    expectError(cfg.withLocked(ctx, () => 0))
  })
})

kernel.requestIrq(1, 'dev', (ctx) => {
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an interrupt handler
  expectError(cfg.withLocked(ctx, () => 0))
})
kernel.requestIrq(
  2,
  'timer',
  (ctx) => {
    // @expect-error msleep() may sleep
    expectError(ctx.msleep(1))
  },
  { noThread: true },
)
kernel.openSoftirq('NET_RX', (ctx) => {
  // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in softirq context)
  expectError(cfg.withLocked(ctx, () => 0))
})
kernel.requestNmi('watchdog', (ctx) => {
  // @expect-error rw_semaphore 'sem' may sleep
  expectError(sem.withWrite(ctx, () => 0))
})
