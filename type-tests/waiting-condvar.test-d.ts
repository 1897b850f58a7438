// CondVar and Guard.doUnlocked(): the lock is given up while sleeping, so the context it was taken from must allow sleeping.
import { expectError, expectType } from 'tsd'
import { createKernel, type Context, type CondVarTimeoutResult, type FreshTaskState } from '../src/index.js'

const kernel = createKernel()
const inner = kernel.spinLock('Process::inner', { frozen: false })
const nodeRefs = kernel.mutex('Process::node_refs', { n: 0 })
const hw = kernel.rawSpinLock('hw', 0)
const outer = kernel.spinLock('outer', 0)
const irqLock = kernel.spinLockIrq('q', 0)
const cv = kernel.condVar('Process::freeze_wait')

kernel.run((ctx) => {
  // Valid: waiting on a spinlock_t's, a mutex's, a SpinLockIrq's guard in a task.
  using g = inner.lock(ctx)
  while (!g.data.frozen) {
    cv.wait(g)
    break
  }
  expectType<boolean>(cv.waitInterruptible(g))
  expectType<CondVarTimeoutResult>(cv.waitInterruptibleTimeout(g, 10))
  cv.notifyAll(g.ctx)
  // doUnlocked's callback runs in the state outside the lock: it may sleep.
  g.doUnlocked((c) => {
    expectType<Context<FreshTaskState>>(c)
    c.msleep(1)
  })
})
kernel.run((ctx) => {
  using m = nodeRefs.lock(ctx)
  cv.wait(m)
  // Valid: a SpinLockIrq guard taken under a mutex: outside it, sleeping is allowed.
  using q = irqLock.lock(m.ctx)
  cv.wait(q)
})
kernel.run((ctx) =>
  outer.withLocked(ctx, (ctx) => {
    using g = inner.lock(ctx)
    // @expect-error CondVar::wait() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'outer' is held)
    expectError(cv.wait(g))
    // @expect-error CondVar::wait_interruptible_timeout() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'outer' is held)
    expectError(cv.waitInterruptibleTimeout(g, 1))
    g.doUnlocked((c) => {
      // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'outer' is held)
      expectError(c.msleep(1))
    })
    // Valid: the nearest pattern — notify under the locks.
    cv.notifyOne(g.ctx)
  }),
)
kernel.run((ctx) =>
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: CondVar::notify_one() takes the wait queue head's spinlock_t
    expectError(cv.notifyOne(ctx))
  }),
)
kernel.requestIrq(3, 'dev', (ctx) => {
  using g = inner.lock(ctx)
  // @expect-error CondVar::wait() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler
  expectError(cv.wait(g))
  cv.notifySync(g.ctx)
})
