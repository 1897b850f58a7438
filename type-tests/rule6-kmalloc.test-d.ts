// Rule 6: GFP_KERNEL where sleeping is not allowed; GFP_ATOMIC where even spinlock_t is not
// (raw spinlock, interrupts off, no-thread handler): the allocator's locks sleep on RT.
import { expectError, expectType } from 'tsd'
import { createKernel, type Gfp } from '../src/index.js'

/** A flag chosen at run time: it may be GFP_KERNEL. */
declare const gfp: Gfp
declare const atomicOnly: 'GFP_ATOMIC'

const kernel = createKernel()
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)

kernel.run((ctx) => {
  expectType<Uint8Array>(ctx.kmalloc(64, 'GFP_KERNEL'))
  stats.withLocked(ctx, (ctx) => {
    // @expect-error kmalloc(GFP_KERNEL) may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(ctx.kmalloc(64, 'GFP_KERNEL'))
    ctx.kmalloc(64, 'GFP_ATOMIC')
    // A union that may be GFP_KERNEL is checked as GFP_KERNEL: the conditional does not distribute.
    // @expect-error kmalloc(GFP_KERNEL) may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(ctx.kmalloc(64, gfp))
    ctx.kmalloc(64, atomicOnly)
  })
  // Where sleeping is allowed, any flag is.
  expectType<Uint8Array>(ctx.kmalloc(64, gfp))
  ctx.rcuReadLock((ctx) => {
    // @expect-error kmalloc(GFP_KERNEL) may sleep
    expectError(ctx.kmalloc(8, 'GFP_KERNEL'))
    ctx.kmalloc(8, 'GFP_ATOMIC')
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC) takes the allocator's spinlock_t locks, which sleep on PREEMPT_RT (raw_spinlock_t 'hw' is held)
    expectError(ctx.kmalloc(64, 'GFP_ATOMIC'))
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC)
    expectError(ctx.kmalloc(64, 'GFP_ATOMIC'))
  })
})
kernel.requestIrq(
  5,
  'timer',
  (ctx) => {
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC)
    expectError(ctx.kmalloc(64, 'GFP_ATOMIC'))
  },
  { noThread: true },
)
kernel.requestIrq(6, 'nic', (ctx) => {
  ctx.kmalloc(64, 'GFP_ATOMIC')
})
