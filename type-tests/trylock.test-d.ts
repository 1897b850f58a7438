// Trylocks: allowed where the blocking form would wait and in any order; mutex_trylock() only in
// task context; a lock that sleeps on RT not from a hard interrupt; rw_semaphore trylocks not with
// interrupts off on RT.
import { expectAssignable, expectError, expectType } from 'tsd'
import { createKernel, type IrqDisabled, type TryResult } from '../src/index.js'

const kernel = createKernel({ lockOrder: ['cfg', 'stats'] })
const stats = kernel.spinLock('stats', { hits: 0 })
const cfg = kernel.mutex('cfg', 0)
const hw = kernel.rawSpinLock('hw', 0)
const sem = kernel.rwSemaphore('sem', 0)
const table = kernel.rwLock('table', 0)

kernel.run((ctx) => {
  // Valid: the callback's value comes back with whether the lock was taken.
  expectType<TryResult<number>>(stats.withTryLocked(ctx, (_ctx, s) => s.hits))
  // Valid: a mutex trylock under a spinning lock (it never sleeps), and out of the declared order.
  stats.withLocked(ctx, (ctx) => cfg.withTryLocked(ctx, () => 0))
  // Valid: spinlock_t's trylock under a raw spinlock (lockdep skips the wait check for trylocks).
  hw.withLocked(ctx, (ctx) => stats.withTryLocked(ctx, () => 0))
  // Valid: write_trylock_irqsave() (no IrqDisabled proof: RT leaves interrupts on).
  table.withTryWriteIrqSave(ctx, () => 0)
  // Valid: the raw irqsave trylock still proves IrqDisabled inside.
  hw.withTryLockedIrqSave(ctx, (ctx) => expectAssignable<IrqDisabled>(ctx))
  // Valid: reader and writer trylocks, in task context.
  sem.withTryRead(ctx, () => table.withTryWrite(ctx, () => 0))
  ctx.core.localIrqSave((ctx) => {
    // @expect-error rw_semaphore 'sem': PREEMPT_RT does not allow its trylock with interrupts disabled (interrupts are disabled (local_irq_save()))
    expectError(sem.withTryWrite(ctx, () => 0))
  })
  const g = stats.tryLock(ctx)
  if (g !== null) g.unlock()
})

kernel.requestIrq(5, 'dev', (ctx) => {
  // Valid: spinlock_t's trylock in a threadable handler (a thread on RT).
  stats.withTryLocked(ctx, () => 0)
  // @expect-error mutex 'cfg': mutex_trylock() may not be used in interrupt context (hardirq context)
  expectError(cfg.withTryLocked(ctx, () => 0))
  // Valid: down_read_trylock() in a threadable handler (rwsem.c checks nothing; a thread on RT).
  sem.withTryRead(ctx, () => 0)
})

kernel.requestIrq(
  6,
  'timer',
  (ctx) => {
    // Valid: raw_spinlock_t's trylock in hard interrupt context.
    hw.withTryLocked(ctx, () => 0)
    // @expect-error spinlock_t 'stats' is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context
    expectError(stats.withTryLocked(ctx, () => 0))
    // @expect-error rw_semaphore 'sem': PREEMPT_RT does not allow its trylock with interrupts disabled
    expectError(sem.tryRead(ctx))
  },
  { noThread: true },
)

kernel.openSoftirq('TIMER', (ctx) => {
  // @expect-error mutex 'cfg': mutex_trylock() may not be used in interrupt context (softirq context)
  expectError(cfg.tryLock(ctx))
})
