// Nesting annotations: a second instance of a held class under a subclass not held yet, or
// under a held nest lock.
import { expectError } from 'tsd'
import { createKernel, SINGLE_DEPTH_NESTING } from '../src/index.js'

const kernel = createKernel()
const parent = kernel.spinLock('inode', 0)
const child = kernel.spinLock('inode', 0)
const grandchild = kernel.spinLock('inode', 0)
const dir = kernel.mutex('dir', 0)
const sub = kernel.mutex('dir', 0)
const sem = kernel.rwSemaphore('sem', 0)
const sem2 = kernel.rwSemaphore('sem', 0)
const hw = kernel.rawSpinLock('hw', 0)
const all = kernel.mutex('all', 0)
const y1 = kernel.spinLock('y', 0)
const y2 = kernel.spinLock('y', 0)

kernel.run((ctx) => {
  parent.withLocked(ctx, (ctx) => {
    // Valid: the inner instance under SINGLE_DEPTH_NESTING, a third under subclass 2.
    child.withLockedNested(ctx, SINGLE_DEPTH_NESTING, (ctx) => grandchild.withLockedNested(ctx, 2, () => 0))
    child.withLockedNested(ctx, 1, (ctx) => {
      // @expect-error possible recursive locking detected: spinlock_t 'inode/1' is already held
      expectError(grandchild.withLockedNested(ctx, 1, () => 0))
      // @expect-error possible recursive locking detected: spinlock_t 'inode' is already held
      expectError(grandchild.withLocked(ctx, () => 0))
    })
  })
  dir.withLocked(ctx, (ctx) => {
    using g = sub.lockNested(ctx, 1)
    // @expect-error possible recursive locking detected: mutex 'dir/1' is already held
    expectError(sub.lockNested(g.ctx, 1))
  })
  sem.withRead(ctx, (ctx) => sem2.withWriteNested(ctx, 1, () => 0))
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'inode/1' is a sleeping lock on PREEMPT_RT
    expectError(child.withLockedNested(ctx, 1, () => 0))
  })
  // Valid: with the nest lock held, instances of one class nest.
  all.withLocked(ctx, (ctx) => y1.withLockedNestLock(ctx, all, (ctx) => y2.withLockedNestLock(ctx, all, () => 0)))
  // @expect-error WARNING: Nested lock was not taken: spinlock_t 'y' names 'all' as its nest_lock, which is not held
  expectError(y1.withLockedNestLock(ctx, all, () => 0))
})
