// Rules the types refused while the run time said nothing (now reported: test/runrules/one-layer.test.ts):
// an _irq unlock inside an irqsave section (CONFIG_DEBUG_IRQFLAGS at the outer restore), an
// rw_semaphore trylock with interrupts off and a spinlock_t trylock in hard interrupt context
// (PREEMPT_RT: the lockproof report 'rt-trylock'). Each with its nearest valid pattern.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const outer = kernel.spinLock('outer', 0)
const inner = kernel.spinLock('inner', 0)
const hw = kernel.rawSpinLock('hw', 0)
const mmap = kernel.rwSemaphore('mmap', 0)
const cfg = kernel.mutex('cfg', 0)

kernel.run((ctx) => {
  outer.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error the _irq unlock of spinlock_t 'inner' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (interrupts are off here on at least one kernel): use the _irqsave form
    expectError(inner.withLockedIrq(ctx, () => 0))
    // @expect-error the _irq unlock of raw_spinlock_t 'hw' ends in local_irq_enable()
    expectError(hw.withLockedIrq(ctx, () => 0))
    // Valid: the _irqsave form restores what it found.
    inner.withLockedIrqSave(ctx, () => 0)
    hw.withLockedIrqSave(ctx, () => 0)
    // Valid: an rw_semaphore trylock here — interrupts are on on PREEMPT_RT, and a normal kernel allows it.
    mmap.withTryRead(ctx, () => 0)
  })
  // Valid: the _irq form where interrupts are on on both kernels.
  inner.withLockedIrq(ctx, () => 0)
  ctx.core.localIrqSave((ctx) => {
    // @expect-error rw_semaphore 'mmap': PREEMPT_RT does not allow its trylock with interrupts disabled (interrupts are disabled (local_irq_save()))
    expectError(mmap.withTryRead(ctx, () => 0))
    // @expect-error rw_semaphore 'mmap': PREEMPT_RT does not allow its trylock with interrupts disabled
    expectError(mmap.withTryWrite(ctx, () => 0))
    // Valid: spinlock_t's trylock with interrupts off in a task (lockdep skips a trylock's wait check).
    inner.withTryLocked(ctx, () => 0)
    // Valid: a mutex trylock with interrupts off in a task — rtmutex_api.c rt_mutex_trylock(): "It's
    // safe to call it from atomic regions, but not from hard or soft interrupt context".
    cfg.withTryLocked(ctx, () => 0)
  })
  // Valid: the rw_semaphore trylocks with interrupts on.
  mmap.withTryWrite(ctx, () => 0)
})

kernel.requestIrq(
  7,
  'tick',
  (ctx) => {
    // @expect-error spinlock_t 'inner' is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context
    expectError(inner.withTryLocked(ctx, () => 0))
    // Valid: raw_spinlock_t's trylock in hard interrupt context.
    hw.withTryLocked(ctx, () => 0)
  },
  { noThread: true },
)

kernel.requestIrq(8, 'dev', (ctx) => {
  // Valid: a threadable handler is a thread on PREEMPT_RT.
  inner.withTryLocked(ctx, () => 0)
})
