// An outside audit of the compile-time rules for waiting on deferred work, each from the kernel
// (the runtime twins: test/audit-deferred/). Portable rules only: refused where either kernel
// reports, allowed where both are fine.
// - timer_delete_sync(): WARN_ON(in_hardirq()); on RT lockdep_assert_preemption_enabled() —
//   refused under a raw lock or local_irq_save() (off on both kernels), allowed under spinlock_t,
//   spin_lock_irq() (interrupts stay on on RT), local_bh_disable(), rcu_read_lock(), and from
//   another timer's callback (softirq, not hardirq; preemptible ktimers/N on RT).
// - cancel_work_sync() of a WQ_BH work: WARN_ON_ONCE(in_hardirq()) only (no might_sleep());
//   flush_work() of it: might_sleep() (wait_for_completion()).
// - synchronize_irq(): wait_event() → might_sleep(); down(): might_sleep(); down_trylock() / up():
//   the raw lock irqsave (fine in hardirq); complete(): the raw swait lock, fine in a _HARD hrtimer.
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const raw = kernel.rawSpinLock('raw', 0)
const s = kernel.spinLock('s', 0)
const sem = kernel.semaphore('sem', 1)
const done = kernel.completion('done')
const t = kernel.timerSetup('t', () => 0)
const bh = kernel.allocWorkqueue('events_bh', { bh: true })
const bw = kernel.initWork('bw', () => 0, { bh: true })
const w = kernel.initWork('w', () => 0)

// ── timer_delete_sync() ─────────────────────────────────────────────────────────────────────
kernel.run((ctx) => {
  s.withLocked(ctx, (ctx) => t.timerDeleteSync(ctx))
  s.withLockedIrq(ctx, (ctx) => t.timerDeleteSync(ctx))
  ctx.localBhDisable((ctx) => t.timerDeleteSync(ctx))
  ctx.rcuReadLock((ctx) => t.timerDeleteSync(ctx))
  raw.withLocked(ctx, (ctx) => {
    // @expect-error timer_delete_sync() may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled()
    expectError(t.timerDeleteSync(ctx))
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error timer_delete_sync() may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled()
    expectError(t.timerDeleteSync(ctx))
  })
  ctx.preemptDisable((ctx) => {
    // @expect-error timer_delete_sync() may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled()
    expectError(t.timerDeleteSync(ctx))
  })
})
kernel.timerSetup('a', (ctx) => {
  t.timerDeleteSync(ctx) // another timer: softirq, not hardirq
})
kernel.hrtimerSetup(
  'hard',
  (ctx) => {
    // @expect-error timer_delete_sync() must not be called from hard interrupt context
    expectError(t.timerDeleteSync(ctx))
    t.timerDelete(ctx)
    done.complete(ctx)
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_HARD',
)

// ── WQ_BH work: cancel needs only "not hardirq"; flush may sleep ────────────────────────────
kernel.timerSetup('c', (ctx) => {
  bw.cancelWorkSync(ctx)
  // @expect-error flush_work() may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
  expectError(bw.flushWork(ctx))
  // @expect-error cancel_work_sync() may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
  expectError(w.cancelWorkSync(ctx))
})
kernel.run((ctx) => {
  bh.queueWork(ctx, bw)
  s.withLocked(ctx, (ctx) => bw.cancelWorkSync(ctx))
})
kernel.requestIrq(
  3,
  'dev',
  (ctx) => {
    // @expect-error cancel_work_sync() must not be called from hard interrupt context
    expectError(bw.cancelWorkSync(ctx))
    bw.cancelWork(ctx)
  },
  { noThread: true },
)

// ── semaphores and interrupts ───────────────────────────────────────────────────────────────
kernel.requestIrq(
  4,
  'dev2',
  (ctx) => {
    if (sem.downTrylock(ctx) === 0) sem.up(ctx)
    // @expect-error down() may sleep: BUG: sleeping function called from invalid context
    expectError(sem.down(ctx))
    // @expect-error synchronize_irq() may sleep: BUG: sleeping function called from invalid context
    expectError(kernel.synchronizeIrq(ctx, 3))
  },
  { noThread: true },
)
