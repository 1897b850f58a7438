// The model kernel's generator-flavoured locks: the same rules as the synchronous API, with `yield*`.
import { expectError, expectType } from 'tsd'
import { defineModel, type TryResult } from '../src/index.js'

defineModel((k) => {
  const cfg = k.mutex('cfg', { mode: 'fast' })
  const sem = k.rwSemaphore('sem', 0)
  const stats = k.spinLock('stats', { hits: 0 })
  const hw = k.rawSpinLock('hw', 0)
  const routes = k.rwLock('routes', [0])

  k.task('valid', { cpu: 0 }, function* (ctx) {
    // The nearest valid patterns: a spinlock inside a mutex, a sleep under a mutex, a guard with `using`.
    const n = yield* cfg.withLocked(ctx, function* (ctx, c) {
      yield* k.msleep(ctx, 1)
      yield* stats.withLocked(ctx, function* (_ctx, s) {
        s.hits++
      })
      c.mode = 'safe'
      return 1
    })
    expectType<number>(n)
    using g = yield* cfg.lock(ctx)
    expectType<string>(g.data.mode)
    const r = yield* stats.withTryLocked(g.ctx, function* (_ctx, s) {
      return s.hits
    })
    expectType<TryResult<number>>(r)
    yield* routes.withRead(g.ctx, function* (_ctx, d) {
      return d.length
    })
    yield* sem.withRead(g.ctx, function* () {})
  })

  k.task('invalid', { cpu: 0 }, function* (ctx) {
    yield* stats.withLocked(ctx, function* (ctx) {
      // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* cfg.withLocked(ctx, function* () {}))
      // @expect-error rw_semaphore 'sem' may sleep
      expectError(yield* sem.withRead(ctx, function* () {}))
      // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* k.msleep(ctx, 10))
    })
    yield* hw.withLocked(ctx, function* (ctx) {
      // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT
      expectError(yield* stats.withLocked(ctx, function* () {}))
    })
    yield* stats.withLocked(ctx, function* (ctx) {
      // @expect-error recursive locking
      expectError(yield* stats.withLocked(ctx, function* () {}))
    })
  })

  k.task('forgotten', { cpu: 0 }, function* (ctx) {
    // Without yield* the result is the operation, not the guard: its data does not exist.
    const op = cfg.lock(ctx)
    // @expect-error Property 'data' does not exist
    expectError(op.data)
  })

  k.irq(5, { cpu: 0 }, function* (ctx) {
    // A threadable handler may take spinlock_t (threaded on RT), not a mutex.
    yield* stats.withLocked(ctx, function* () {})
    // @expect-error mutex 'cfg' may sleep
    expectError(yield* cfg.withLocked(ctx, function* () {}))
  })
  k.irq(6, { cpu: 0, noThread: true }, function* (ctx) {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT
    expectError(yield* stats.withLocked(ctx, function* () {}))
    yield* hw.withLocked(ctx, function* () {})
  })
})
