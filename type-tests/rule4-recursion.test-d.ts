// Rule 4: the same lock class acquired twice in one nesting.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const stats = kernel.spinLock('stats', 0)
const statsToo = kernel.spinLock('stats', 1) // another instance of the same class
const cfg = kernel.mutex('cfg', 0)
const hw = kernel.rawSpinLock('hw', 0)
const table = kernel.rwLock('table', 0)

kernel.run((ctx) => {
  stats.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(stats.withLocked(ctx, () => 0))
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(statsToo.withLockedIrqSave(ctx, () => 0))
  })
  cfg.withLocked(ctx, (ctx) => {
    hw.withLocked(ctx, (ctx) => {
      // @expect-error possible recursive locking detected: raw_spinlock_t 'hw' is already held
      expectError(hw.withLockedIrqSave(ctx, () => 0))
    })
    // @expect-error possible recursive locking detected: mutex 'cfg' is already held
    expectError(cfg.withLocked(ctx, () => 0))
  })
  table.withRead(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.withWrite(ctx, () => 0))
  })
})
