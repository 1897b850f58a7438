// lockdep annotations: might_lock() is checked as taking the lock; the others are run-time only.
import { expectError } from 'tsd'
import { createKernel, lockdepSetClass, lockSetSubclass, mightLock, mightLockRead, type LockMap } from '../src/index.js'

const kernel = createKernel()
const s = kernel.spinLock('s', 0)
const m = kernel.mutex('m', 0)
const hw = kernel.rawSpinLock('hw', 0)
const mm = kernel.rwSemaphore('mmap_lock', 0)
const wq: LockMap<'wq'> = kernel.lockMap('wq')

lockdepSetClass(s, 's_key')

kernel.run((ctx) => {
  // Valid: might_lock() of a mutex in a task, of a spinlock under a mutex, might_lock_read() of an rwsem.
  mightLock(ctx, m)
  m.withLocked(ctx, (ctx) => mightLock(ctx, s))
  mightLockRead(ctx, mm)
  s.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(mightLock(ctx, m))
    // @expect-error possible recursive locking detected: spinlock_t 's' is already held
    expectError(mightLock(ctx, s))
    lockSetSubclass(ctx, s, 1)
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 's' is a sleeping lock on PREEMPT_RT
    expectError(mightLock(ctx, s))
    // Valid: a lockdep map has no wait type.
    wq.acquire(ctx)
    wq.release(ctx)
  })
})
