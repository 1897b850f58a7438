// mutex_lock_interruptible() and friends: the rules of mutex_lock() / down_read() / down_write(), and -EINTR.
import { expectError, expectType } from 'tsd'
import { createKernel, downReadKillable, downWriteKillable, mutexLockInterruptible, mutexLockKillable } from '../src/index.js'

const kernel = createKernel({ lockOrder: ['a', 'b'] })
const a = kernel.mutex('a', { n: 0 })
const b = kernel.mutex('b', { n: 0 })
const mm = kernel.rwSemaphore('mmap_lock', 0)
const s = kernel.spinLock('s', 0)

kernel.run((ctx) => {
  const g = mutexLockInterruptible(ctx, a)
  if (g === -4) return
  expectType<number>(g.data.n)
  // Valid: in order, under the first.
  const h = mutexLockKillable(g.ctx, b)
  if (h !== -4) h.unlock()
  g.unlock()
  const r = downReadKillable(ctx, mm)
  if (r !== -4) r.unlock()
  s.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'a' may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(mutexLockInterruptible(ctx, a))
    // @expect-error rw_semaphore 'mmap_lock' may sleep
    expectError(downWriteKillable(ctx, mm))
  })
  b.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'a' is declared before 'b', so it cannot be taken while 'b' is held
    expectError(mutexLockKillable(ctx, a))
  })
  a.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: mutex 'a' is already held
    expectError(mutexLockInterruptible(ctx, a))
  })
})
kernel.requestIrq(3, 'dev', (ctx) => {
  // @expect-error mutex 'a' may sleep: BUG: sleeping function called from invalid context (in an interrupt handler
  expectError(mutexLockInterruptible(ctx, a))
})
