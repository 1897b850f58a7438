// Rule 7: a declared lock order broken. Classes outside the order are unconstrained.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel({ lockOrder: ['cfg', 'queue', 'stats'] })
const cfg = kernel.mutex('cfg', 0)
const queue = kernel.spinLock('queue', [] as number[])
const stats = kernel.spinLock('stats', { hits: 0 })
const other = kernel.spinLock('other', 0)

kernel.run((ctx) => {
  // In order: fine.
  cfg.withLocked(ctx, (ctx) => queue.withLocked(ctx, (ctx) => stats.withLocked(ctx, () => 0)))
  cfg.withLocked(ctx, (ctx) => stats.withLocked(ctx, () => 0))
  stats.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'queue' is declared before 'stats', so it cannot be taken while 'stats' is held
    expectError(queue.withLocked(ctx, () => 0))
    // Undeclared classes are not constrained at compile time.
    other.withLocked(ctx, () => 0)
  })
  stats.withLockedIrqSave(ctx, (ctx) => {
    other.withLocked(ctx, (ctx) => {
      // @expect-error lock order: 'queue' is declared before 'stats', so it cannot be taken while 'stats' is held
      expectError(queue.withLocked(ctx, () => 0))
    })
  })
})

const asConst = createKernel({ lockOrder: ['a', 'b'] as const })
const a = asConst.spinLock('a', 0)
const b = asConst.spinLock('b', 0)
asConst.run((ctx) => {
  b.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'a' is declared before 'b'
    expectError(a.withLocked(ctx, () => 0))
  })
})

// The order is by class name: a held subclass of a class (spin_lock_nested()) is that class.
kernel.run((ctx) => {
  stats.withLockedNested(ctx, 1, (ctx) => {
    // @expect-error lock order: 'queue' is declared before 'stats', so it cannot be taken while 'stats/1' is held
    expectError(queue.withLocked(ctx, () => 0))
    other.withLocked(ctx, () => 0)
  })
  {
    using g = stats.lockNested(ctx, 7)
    // @expect-error lock order: 'queue' is declared before 'stats', so it cannot be taken while 'stats/7' is held
    expectError(queue.withLocked(g.ctx, () => 0))
  }
  // In order, and another subclass of a held class: fine.
  queue.withLocked(ctx, (ctx) => stats.withLockedNested(ctx, 1, () => 0))
  queue.withLockedNested(ctx, 1, (ctx) => stats.withLocked(ctx, () => 0))
  stats.withLocked(ctx, (ctx) => stats.withLockedNested(ctx, 1, () => 0))
  stats.withLockedNested(ctx, 1, (ctx) => stats.withLocked(ctx, () => 0))
})
