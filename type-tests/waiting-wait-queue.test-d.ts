// Wait queues: wait_event*() may sleep; wake_up*() take the head's spinlock_t (not where only raw spinlocks may be taken).
import { expectError, expectType } from 'tsd'
import { createKernel, type Context, type FreshTaskState } from '../src/index.js'

const kernel = createKernel()
const wq = kernel.waitQueue('rx_wait')
const hw = kernel.rawSpinLock('hw', 0)
const s = kernel.spinLock('s', { ready: false })

kernel.run((ctx) => {
  wq.waitEvent(ctx, () => true)
  // The condition gets the waiter's context, typed as it is.
  wq.waitEvent(ctx, (c) => {
    expectType<Context<FreshTaskState>>(c)
    return s.withLocked(c, (_c, d) => d.ready)
  })
  expectType<0 | -512>(wq.waitEventInterruptible(ctx, () => true))
  expectType<number>(wq.waitEventTimeout(ctx, () => true, 5))
  wq.wakeUp(ctx)
  s.withLocked(ctx, (ctx) => {
    // @expect-error wait_event() may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(wq.waitEvent(ctx, () => true))
    // Valid: the nearest pattern — wake under a spinlock_t (spinlock_t may nest in spinlock_t).
    wq.wakeUp(ctx)
    wq.wakeUpAll(ctx)
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t, a sleeping lock on PREEMPT_RT, and cannot be called here (raw_spinlock_t 'hw' is held)
    expectError(wq.wakeUp(ctx))
    // @expect-error Invalid wait context: wake_up_interruptible() takes the wait queue head's spinlock_t
    expectError(wq.wakeUpInterruptible(ctx))
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: wake_up_all() takes the wait queue head's spinlock_t
    expectError(wq.wakeUpAll(ctx))
  })
})

// A force-threaded handler may wake; one that is never threaded may not.
kernel.requestIrq(9, 'nic', (ctx) => {
  wq.wakeUp(ctx)
  // @expect-error wait_event_timeout() may sleep
  expectError(wq.waitEventTimeout(ctx, () => true, 1))
})
kernel.requestIrq(
  0,
  'timer',
  (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t, a sleeping lock on PREEMPT_RT, and cannot be called here (in a hardirq handler that is never threaded (IRQF_NO_THREAD))
    expectError(wq.wakeUp(ctx))
  },
  { noThread: true },
)
kernel.openSoftirq('NET_RX', (ctx) => wq.wakeUpInterruptibleAll(ctx))
kernel.requestNmi('perf', (ctx) => {
  // @expect-error Invalid wait context: wake_up_nr() takes the wait queue head's spinlock_t
  expectError(wq.wakeUpNr(ctx, 2))
})
