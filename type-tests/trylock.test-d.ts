// Trylocks: allowed where the blocking form would wait and in any order; a sleeping lock's
// trylock only in task context; a lock that sleeps on RT not from a hard interrupt.
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
  // Valid: the raw irqsave trylock still proves IrqDisabled inside.
  hw.withTryLockedIrqSave(ctx, (ctx) => expectAssignable<IrqDisabled>(ctx))
  // Valid: reader and writer trylocks, in task context.
  sem.withTryRead(ctx, () => table.withTryWrite(ctx, () => 0))
  const g = stats.tryLock(ctx)
  if (g !== null) g.unlock()
})

kernel.requestIrq(5, 'dev', (ctx) => {
  // Valid: spinlock_t's trylock in a threadable handler (a thread on RT).
  stats.withTryLocked(ctx, () => 0)
  // @expect-error mutex 'cfg': a sleeping lock's trylock may not be used in interrupt context (hardirq context)
  expectError(cfg.withTryLocked(ctx, () => 0))
  // @expect-error rw_semaphore 'sem': a sleeping lock's trylock may not be used in interrupt context (hardirq context)
  expectError(sem.tryRead(ctx))
})

kernel.requestIrq(
  6,
  'timer',
  (ctx) => {
    // Valid: raw_spinlock_t's trylock in hard interrupt context.
    hw.withTryLocked(ctx, () => 0)
    // @expect-error spinlock_t 'stats' is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context
    expectError(stats.withTryLocked(ctx, () => 0))
  },
  { noThread: true },
)

kernel.openSoftirq('TIMER', (ctx) => {
  // @expect-error mutex 'cfg': a sleeping lock's trylock may not be used in interrupt context (softirq context)
  expectError(cfg.tryLock(ctx))
})
