// Waiting for yourself (src/rules/self-wait.ts): the run time reported it (test/runrules/self-wait.test.ts),
// the types accepted it. A callback's context holds its object's marker, so the wait for that
// object refuses it — inside nested sections too. And hrtimer_cancel() of a timer that expires in
// softirq on PREEMPT_RT takes a sleeping lock there (src/rules/hrtimer-cancel.ts). Each with its
// nearest valid pattern.
import { expectError, expectType } from 'tsd'
import {
  type Context,
  type CtxState,
  createKernel,
  defineModel,
  type FreshTaskState,
  type InCallbackOf,
  type ModelWork,
  type RunningCallback,
  type TimerState,
} from '../src/index.js'

/** The `held` field of a context's state. */
declare const heldOf: <S extends CtxState>(ctx: Context<S>) => S['held']

const kernel = createKernel()
const lock = kernel.spinLock('priv->lock', 0)
const cfg = kernel.mutex('cfg', 0)

// ── timer_list ─────────────────────────────────────────────────────────────────────────────
const other = kernel.timerSetup('&priv->other', () => 0)
const self = kernel.timerSetup('&priv->watchdog', (ctx, timer) => {
  expectType<RunningCallback<'timer_list', '&priv->watchdog'>>(heldOf(ctx))
  // @expect-error timer_delete_sync() from the callback of timer_list '&priv->watchdog' waits for that callback, which cannot finish before it returns: it waits for itself for ever
  expectError(timer.timerDeleteSync(ctx))
  // @expect-error timer_shutdown_sync() from the callback of timer_list '&priv->watchdog' waits for that callback
  expectError(self.timerShutdownSync(ctx))
  // @expect-error del_timer_sync() from the callback of timer_list '&priv->watchdog'
  expectError(timer.delTimerSync(ctx))
  lock.withLocked(ctx, (ctx) => {
    // @expect-error timer_delete_sync() from the callback of timer_list '&priv->watchdog'
    expectError(timer.timerDeleteSync(ctx))
  })
  // Valid: timer_delete() does not wait; another timer's timer_delete_sync() does not wait for this one.
  timer.timerDelete(ctx)
  other.timerDeleteSync(ctx)
  timer.modTimer(ctx, kernel.jiffies + 10)
})
kernel.run((ctx) => self.timerDeleteSync(ctx)) // valid: from a task

// A callback written apart, for the state without the marker, is still accepted (and unchecked).
const apart = (ctx: Context<TimerState>) => ctx.cpuId
kernel.timerSetup('apart', apart)
// …and one written for its own state is checked.
const named = (ctx: Context<InCallbackOf<TimerState, 'timer_list', 'named'>>) => {
  // @expect-error timer_delete_sync() from the callback of timer_list 'named'
  expectError(namedTimer.timerDeleteSync(ctx))
}
const namedTimer = kernel.timerSetup('named', named)

// ── hrtimer ────────────────────────────────────────────────────────────────────────────────
const hard = kernel.hrtimerSetup(
  'hard',
  (ctx, timer) => {
    // @expect-error hrtimer_cancel() from the callback of hrtimer 'hard' waits for that callback
    expectError(timer.hrtimerCancel(ctx))
    // Valid: hrtimer_try_to_cancel() returns -1 instead of waiting.
    timer.hrtimerTryToCancel(ctx)
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL_HARD',
)
const soft = kernel.hrtimerSetup('soft', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL_SOFT')
const plain = kernel.hrtimerSetup('plain', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL')
const hw = kernel.rawSpinLock('hw', 0)
kernel.run((ctx) => {
  hw.withLocked(ctx, (ctx) => {
    // @expect-error hrtimer_cancel() may sleep on PREEMPT_RT, where this timer expires in softirq: hrtimer_cancel_wait_running() takes spin_lock_bh(&cpu_base->softirq_expiry_lock) (raw_spinlock_t 'hw' is held)
    expectError(plain.hrtimerCancel(ctx))
    // @expect-error hrtimer_cancel() may sleep on PREEMPT_RT
    expectError(soft.hrtimerCancel(ctx))
    // Valid: a _HARD timer is waited for with cpu_relax() on both kernels.
    hard.hrtimerCancel(ctx)
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error hrtimer_cancel() may sleep on PREEMPT_RT
    expectError(plain.hrtimerCancel(ctx))
  })
  // Valid: from a task, under a spinlock_t (a sleeping lock on RT too), under a mutex.
  plain.hrtimerCancel(ctx)
  lock.withLocked(ctx, (ctx) => soft.hrtimerCancel(ctx))
  cfg.withLocked(ctx, (ctx) => plain.hrtimerCancel(ctx))
})
kernel.requestIrq(
  9,
  'tick',
  (ctx) => {
    // @expect-error hrtimer_cancel() may sleep on PREEMPT_RT
    expectError(plain.hrtimerCancel(ctx))
    hard.hrtimerCancel(ctx) // valid
  },
  { noThread: true },
)
kernel.requestIrq(10, 'dev', (ctx) => {
  // @expect-error hrtimer_cancel() of a HRTIMER_MODE_SOFT timer must not be called from hard interrupt context: it may spin on the softirq callback it interrupted
  expectError(soft.hrtimerCancel(ctx))
  // Valid: a default-mode timer expires in hardirq on a normal kernel; RT threads this handler.
  plain.hrtimerCancel(ctx)
})
kernel.hrtimerSetup(
  'outer',
  (ctx) => {
    plain.hrtimerCancel(ctx) // valid: another default-mode timer, from a default-mode callback
    return 'HRTIMER_NORESTART'
  },
  'HRTIMER_MODE_REL',
)

// ── workqueues ─────────────────────────────────────────────────────────────────────────────
const wq = kernel.allocWorkqueue('events')
const idle = kernel.initWork('idle', () => 0)
const reset = kernel.initWork('&priv->reset_work', (ctx) => {
  // @expect-error flush_work() from the callback of work_struct '&priv->reset_work' waits for that callback
  expectError(reset.flushWork(ctx))
  cfg.withLocked(ctx, (ctx) => {
    // @expect-error cancel_work_sync() from the callback of work_struct '&priv->reset_work'
    expectError(reset.cancelWorkSync(ctx))
  })
  // Valid: cancel_work() and queue_work() do not wait; another work may be flushed.
  reset.cancelWork(ctx)
  wq.queueWork(ctx, reset)
  idle.flushWork(ctx)
})
const bh = kernel.initWork(
  'bh',
  (ctx) => {
    // @expect-error cancel_work_sync() from the callback of work_struct 'bh'
    expectError(bh.cancelWorkSync(ctx))
  },
  { bh: true },
)
const poll = kernel.initDelayedWork('poll', (ctx) => {
  // @expect-error cancel_delayed_work_sync() from the callback of work_struct 'poll'
  expectError(poll.cancelDelayedWorkSync(ctx))
  // @expect-error flush_delayed_work() from the callback of work_struct 'poll'
  expectError(poll.flushDelayedWork(ctx))
  poll.cancelWork(ctx) // valid: does not wait
})
kernel.run((ctx) => {
  reset.flushWork(ctx)
  poll.cancelDelayedWorkSync(ctx)
})
// A work function written for a plain task is still accepted.
const task = (ctx: Context<FreshTaskState>) => ctx.msleep(1)
kernel.initWork('task', task)

// ── threaded interrupts ────────────────────────────────────────────────────────────────────
kernel.requestThreadedIrq(
  5,
  'eth0',
  () => 'IRQ_WAKE_THREAD',
  (ctx) => {
    // @expect-error synchronize_irq() from the callback of irq '5' waits for that callback
    expectError(kernel.synchronizeIrq(ctx, 5))
    // @expect-error disable_irq() from the callback of irq '5'
    expectError(kernel.disableIrq(ctx, 5))
    // @expect-error free_irq() from the callback of irq '5'
    expectError(kernel.freeIrq(ctx, 5))
    // Valid: another line; disable_irq_nosync() of its own does not wait.
    kernel.synchronizeIrq(ctx, 6)
    kernel.disableIrqNosync(ctx, 5)
  },
)
kernel.run((ctx) => kernel.synchronizeIrq(ctx, 5)) // valid: from a task

// ── the same in models ─────────────────────────────────────────────────────────────────────
defineModel((k) => {
  const t = k.timerSetup('t', function* (ctx, timer) {
    // @expect-error timer_delete_sync() from the callback of timer_list 't'
    expectError(yield* timer.timerDeleteSync(ctx))
    timer.timerDelete(ctx)
  })
  const h = k.hrtimerSetup(
    'h',
    function* (ctx, timer) {
      // @expect-error hrtimer_cancel() from the callback of hrtimer 'h'
      expectError(yield* timer.hrtimerCancel(ctx))
      return 'HRTIMER_NORESTART' as const
    },
    'HRTIMER_MODE_REL',
  )
  const w: ModelWork<'w'> = k.initWork('w', function* (ctx) {
    // @expect-error flush_work() from the callback of work_struct 'w'
    expectError(yield* w.flushWork(ctx))
  })
  k.requestThreadedIrq(
    5,
    { name: 'eth0' },
    function* () {
      return 'IRQ_WAKE_THREAD' as const
    },
    function* (ctx) {
      // @expect-error synchronize_irq() from the callback of irq '5'
      expectError(yield* k.synchronizeIrq(ctx, 5))
    },
  )
  k.task('remove', { cpu: 0 }, function* (ctx) {
    yield* t.timerDeleteSync(ctx)
    yield* h.hrtimerCancel(ctx)
    yield* w.flushWork(ctx)
    yield* k.synchronizeIrq(ctx, 5)
  })
})
