// Completions: waiting may sleep; complete() anywhere but NMI; complete_all() not in a hardirq handler RT would not thread.
import { expectError, expectType } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const done = kernel.completion('done')
const hw = kernel.rawSpinLock('hw', 0)
const s = kernel.spinLock('s', 0)

kernel.run((ctx) => {
  done.waitForCompletion(ctx)
  done.waitForCompletionIo(ctx)
  expectType<number>(done.waitForCompletionTimeout(ctx, 10))
  expectType<0 | -512>(done.waitForCompletionInterruptible(ctx))
  expectType<0 | -512>(done.waitForCompletionKillable(ctx))
  expectType<number>(done.waitForCompletionInterruptibleTimeout(ctx, 10))
  s.withLocked(ctx, (ctx) => {
    // @expect-error wait_for_completion() may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(done.waitForCompletion(ctx))
    // Valid: the nearest pattern — complete, or try, under the lock.
    done.complete(ctx)
    expectType<boolean>(done.tryWaitForCompletion(ctx))
  })
  ctx.preemptDisable((ctx) => {
    // @expect-error wait_for_completion_timeout() may sleep
    expectError(done.waitForCompletionTimeout(ctx, 1))
    done.completeAll(ctx)
  })
  hw.withLockedIrq(ctx, (ctx) => {
    // @expect-error wait_for_completion_interruptible() may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(done.waitForCompletionInterruptible(ctx))
  })
})

// A force-threaded handler may complete_all(); a handler never threaded may complete() only.
kernel.requestIrq(3, 'dev', (ctx) => {
  done.completeAll(ctx)
  // @expect-error wait_for_completion() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler
  expectError(done.waitForCompletion(ctx))
})
kernel.requestIrq(
  4,
  'timer',
  (ctx) => {
    done.complete(ctx)
    expectType<boolean>(done.completionDone(ctx))
    // @expect-error complete_all() in a hardirq handler that is never threaded (IRQF_NO_THREAD): WARNING: Not in threaded context on PREEMPT_RT as expected
    expectError(done.completeAll(ctx))
    hw.withLocked(ctx, (ctx) => {
      // @expect-error complete_all() in a hardirq handler that is never threaded
      expectError(done.completeAll(ctx))
    })
  },
  { noThread: true },
)
kernel.openSoftirq('TIMER', (ctx) => done.completeAll(ctx))
kernel.requestNmi('perf', (ctx) => {
  // @expect-error complete() in NMI context: it takes raw_spinlock_t '(done).wait.lock'
  expectError(done.complete(ctx))
  // @expect-error complete_all() in NMI context
  expectError(done.completeAll(ctx))
})
