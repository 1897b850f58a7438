// Semaphores: down*() may sleep (task context, nothing atomic held); down_trylock() and up() anywhere but NMI.
import { expectError, expectType } from 'tsd'
import { createKernel, helper, takes } from '../src/index.js'

const kernel = createKernel()
const sem = kernel.semaphore('console_sem', 1)
const hw = kernel.rawSpinLock('hw', 0)
const s = kernel.spinLock('s', 0)
const m = kernel.mutex('m', 0)

kernel.run((ctx) => {
  // Valid: every form in a task, and under a mutex.
  sem.down(ctx)
  expectType<0 | -4>(sem.downInterruptible(ctx))
  expectType<0 | -4>(sem.downKillable(ctx))
  expectType<0 | -62>(sem.downTimeout(ctx, 10))
  expectType<0 | 1>(sem.downTrylock(ctx))
  sem.up(ctx)
  m.withLocked(ctx, (ctx) => sem.down(ctx))
  s.withLocked(ctx, (ctx) => {
    // @expect-error down() may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(sem.down(ctx))
    // @expect-error down_interruptible() may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(sem.downInterruptible(ctx))
    // Valid: the nearest pattern — try, and give back, under the spinlock.
    if (sem.downTrylock(ctx) === 0) sem.up(ctx)
  })
  hw.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error down_timeout() may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(sem.downTimeout(ctx, 1))
    sem.up(ctx)
  })
  ctx.rcuReadLock((ctx) => {
    // @expect-error down_killable() may sleep
    expectError(sem.downKillable(ctx))
  })
})

kernel.requestIrq(3, 'dev', (ctx) => {
  // @expect-error down() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler
  expectError(sem.down(ctx))
  sem.up(ctx)
})
kernel.requestIrq(
  4,
  'timer',
  (ctx) => {
    sem.up(ctx)
    expectType<0 | 1>(sem.downTrylock(ctx))
  },
  { noThread: true },
)
kernel.openSoftirq('TASKLET', (ctx) => sem.up(ctx))
kernel.requestNmi('perf', (ctx) => {
  // @expect-error up() in NMI context: it takes raw_spinlock_t '(console_sem).lock', which is taken outside NMI too
  expectError(sem.up(ctx))
  // @expect-error down_trylock() in NMI context
  expectError(sem.downTrylock(ctx))
})

// Helper bodies: one declared to take a spinlock_t cannot be NMI (NMI admits raw spinlocks
// only), and one that declares nothing is a task or softirq body: up() compiles in both.
const port = kernel.spinLock('port', 0)
helper({ name: 'flush_and_up', takes: [takes(port, 'irqsave')] }, (ctx) => {
  port.withLockedIrqSave(ctx, () => 0)
  sem.up(ctx)
})
helper({ name: 'bare_up' }, (ctx) => {
  sem.up(ctx)
})
