// Deferred work inside models, the second round: delayed work, tasklets, RCU — each callback's context and each wait's rule are kernel.run's, with `yield*`.
import { expectError, expectType } from 'tsd'
import { defineModel, type ModelDelayedWork, type ModelTasklet } from '../src/index.js'

defineModel((k) => {
  const cfg = k.mutex('cfg', { polls: 0 })
  const stats = k.spinLock('stats', { n: 0 })

  // Delayed work: the work runs in a kworker (may sleep); the waits may sleep.
  const wq = k.allocWorkqueue('eth0_wq')
  const poll: ModelDelayedWork<'&priv->poll'> = k.initDelayedWork('&priv->poll', function* (ctx) {
    yield* cfg.withLocked(ctx, function* (ctx) {
      yield* k.msleep(ctx, 1)
    })
  })
  const t = k.timerSetup('&priv->timer', function* (ctx) {
    // Queueing is allowed from any context (the TIMER softirq here) …
    expectType<boolean>(k.scheduleDelayedWork(ctx, poll, 10))
    expectType<boolean>(wq.modDelayedWork(ctx, poll, 0))
    expectType<boolean>(poll.cancelDelayedWork(ctx))
    // … waiting for it is not.
    // @expect-error cancel_delayed_work_sync() may sleep: BUG: sleeping function called from invalid context (in a timer_list callback (TIMER softirq))
    expectError(yield* poll.cancelDelayedWorkSync(ctx))
  })
  k.task('remove', { cpu: 0 }, function* (ctx) {
    t.modTimer(ctx, k.jiffies + 1)
    expectType<boolean>(wq.queueDelayedWork(ctx, poll, 100))
    expectType<boolean>(yield* poll.flushDelayedWork(ctx))
    expectType<boolean>(yield* poll.cancelDelayedWorkSync(ctx))
    yield* stats.withLocked(ctx, function* (ctx) {
      // @expect-error cancel_delayed_work_sync() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* poll.cancelDelayedWorkSync(ctx))
      // @expect-error flush_delayed_work() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* poll.flushDelayedWork(ctx))
    })
  })

  // Tasklets: softirq context on both kernels — spinlock_t yes, sleeping no; kill and disable sleep.
  const rx: ModelTasklet<'rx_tasklet'> = k.taskletSetup('rx_tasklet', function* (ctx, self) {
    expectType<'rx_tasklet'>(self.name)
    yield* stats.withLocked(ctx, function* (_ctx, s) {
      s.n++
    })
    self.taskletSchedule(ctx)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in a tasklet (TASKLET softirq))
    expectError(yield* cfg.withLocked(ctx, function* () {}))
    // @expect-error tasklet_kill() may sleep: BUG: sleeping function called from invalid context (in a tasklet (TASKLET softirq))
    expectError(yield* self.taskletKill(ctx))
  })
  k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
    rx.taskletHiSchedule(ctx)
    rx.taskletDisableNosync(ctx)
    rx.taskletEnable(ctx)
    // @expect-error tasklet_disable() may sleep: BUG: sleeping function called from invalid context
    expectError(yield* rx.taskletDisable(ctx))
  })
  k.task('close', { cpu: 1 }, function* (ctx) {
    yield* rx.taskletDisable(ctx)
    rx.taskletEnable(ctx)
    yield* rx.taskletKill(ctx)
    yield* stats.withLockedBh(ctx, function* (ctx) {
      // @expect-error tasklet_kill() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* rx.taskletKill(ctx))
    })
  })

  // RCU: callbacks in softirq context; a read-side section may be preempted but not sleep; the waits sleep.
  const cb = function* (ctx: Parameters<Parameters<typeof k.callRcu>[1]>[0]) {
    yield* stats.withLocked(ctx, function* () {})
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an RCU callback (RCU softirq))
    expectError(yield* cfg.withLocked(ctx, function* () {}))
    // @expect-error synchronize_rcu() may sleep: BUG: sleeping function called from invalid context (in an RCU callback (RCU softirq))
    expectError(yield* k.synchronizeRcu(ctx))
  }
  k.task('update', { cpu: 0 }, function* (ctx) {
    const seen = yield* k.rcuReadLock(ctx, function* (ctx) {
      yield* stats.withLocked(ctx, function* () {})
      yield* k.cpuRelax(ctx)
      // @expect-error synchronize_rcu() may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section (rcu_read_lock()))
      expectError(yield* k.synchronizeRcu(ctx))
      // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an RCU read-side section (rcu_read_lock()))
      expectError(yield* cfg.withLocked(ctx, function* () {}))
      return 1 as const
    })
    expectType<1>(seen)
    yield* k.callRcu(ctx, cb)
    yield* k.synchronizeRcu(ctx)
    yield* k.rcuBarrier(ctx)
    yield* stats.withLocked(ctx, function* (ctx) {
      yield* k.callRcu(ctx, cb)
      // @expect-error rcu_barrier() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* k.rcuBarrier(ctx))
    })
  })
})
