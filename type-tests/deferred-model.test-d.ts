// Deferred work inside models: the callbacks' contexts and the waits' rules are kernel.run's, with `yield*`.
import { expectError, expectType } from 'tsd'
import { defineModel, type ModelWork } from '../src/index.js'

defineModel((k) => {
  const cfg = k.mutex('cfg', { resets: 0 })
  const stats = k.spinLock('stats', { n: 0 })
  const hw = k.rawSpinLock('hw', { n: 0 })

  // timer_list: TIMER softirq — spinlock_t yes, sleeping no.
  const t = k.timerSetup('&priv->timer', function* (ctx, timer) {
    yield* stats.withLocked(ctx, function* (_ctx, s) {
      s.n++
    })
    expectType<'&priv->timer'>(timer.name)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
    expectError(yield* cfg.withLocked(ctx, function* () {}))
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
    expectError(yield* k.msleep(ctx, 1))
  })

  // hrtimer: the mode decides the callback's context on both kernels.
  k.hrtimerSetup(
    'def',
    function* (ctx) {
      yield* stats.withLocked(ctx, function* () {})
      // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an hrtimer callback (hardirq; HRTIMER softirq on PREEMPT_RT))
      expectError(yield* cfg.withLocked(ctx, function* () {}))
      return 'HRTIMER_NORESTART'
    },
    'HRTIMER_MODE_REL',
  )
  k.hrtimerSetup(
    'hard',
    function* (ctx) {
      yield* hw.withLocked(ctx, function* () {})
      // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in a HRTIMER_MODE_HARD hrtimer callback (hardirq on both kernels))
      expectError(yield* stats.withLocked(ctx, function* () {}))
      return 'HRTIMER_NORESTART'
    },
    'HRTIMER_MODE_REL_HARD',
  )
  // A callback must return `enum hrtimer_restart`.
  expectError(
    k.hrtimerSetup(
      'bad',
      // @expect-error is not assignable to parameter of type 'ModelHrtimerCallback<"bad", "HRTIMER_MODE_REL_SOFT">'
      function* () {
        return 'again' as const
      },
      'HRTIMER_MODE_REL_SOFT',
    ),
  )

  // Work items: a kworker, process context — may sleep.
  const wq = k.allocWorkqueue('eth0_wq', { unbound: true })
  const reset: ModelWork<'&priv->reset_work'> = k.initWork('&priv->reset_work', function* (ctx) {
    yield* cfg.withLocked(ctx, function* (ctx) {
      yield* k.msleep(ctx, 1)
    })
  })

  k.task('probe', { cpu: 0 }, function* (ctx) {
    // The nearest valid patterns: arm, queue, then wait where sleeping is allowed.
    t.modTimer(ctx, k.jiffies + 10)
    wq.queueWork(ctx, reset)
    expectType<boolean>(yield* reset.flushWork(ctx))
    expectType<boolean>(yield* t.timerDeleteSync(ctx))
    yield* wq.flushWorkqueue(ctx)
    yield* k.synchronizeIrq(ctx, 5)
    yield* stats.withLocked(ctx, function* (ctx) {
      // @expect-error flush_work() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* reset.flushWork(ctx))
      // @expect-error synchronize_irq() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* k.synchronizeIrq(ctx, 5))
    })
    yield* hw.withLocked(ctx, function* (ctx) {
      // @expect-error timer_delete_sync() may sleep on PREEMPT_RT: lockdep_assert_preemption_enabled() (raw_spinlock_t 'hw' is held)
      expectError(yield* t.timerDeleteSync(ctx))
    })
  })

  // irq_work: default — hardirq on normal, irq_work/N on RT (spinlock_t allowed, no sleeping); HARD — raw locks only.
  k.initIrqWork('flush', function* (ctx) {
    yield* stats.withLocked(ctx, function* () {})
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an irq_work callback (hardirq; the irq_work/N thread on PREEMPT_RT))
    expectError(yield* k.msleep(ctx, 1))
  })
  k.initIrqWork(
    'hard',
    function* (ctx) {
      yield* hw.withLocked(ctx, function* () {})
      // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in an IRQ_WORK_HARD_IRQ irq_work callback (hardirq on both kernels))
      expectError(yield* stats.withLocked(ctx, function* () {}))
    },
    { hard: true },
  )

  // Threaded irqs: the ONESHOT primary in hardirq on both kernels, thread_fn in process context.
  k.requestThreadedIrq(
    6,
    { oneshot: true },
    function* (ctx) {
      yield* hw.withLocked(ctx, function* () {})
      // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in the primary handler of an IRQF_ONESHOT interrupt (hardirq on both kernels))
      expectError(yield* stats.withLocked(ctx, function* () {}))
      return 'IRQ_WAKE_THREAD'
    },
    function* (ctx) {
      yield* cfg.withLocked(ctx, function* () {})
    },
  )
  k.requestThreadedIrq(
    5,
    { name: 'eth0' },
    function* (ctx) {
      yield* stats.withLocked(ctx, function* () {})
      // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
      expectError(yield* k.msleep(ctx, 1))
      return 'IRQ_WAKE_THREAD'
    },
    function* (ctx) {
      yield* k.msleep(ctx, 1)
    },
  )
  // @expect-error Argument of type 'null' is not assignable
  expectError(k.requestThreadedIrq(7, { name: 'spi' }, null, function* () {}))
})
