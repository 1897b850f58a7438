// Outside audit of issue #17 item 1: "tasks and handlers are generator functions using yield* with
// the same lock names, methods and compile-time rules as the synchronous API". Each rule below is
// the README's / docs/executors.md's message, in a model task or handler, with its nearest valid
// pattern next to it.
import { expectError } from 'tsd'
import { defineModel } from '../src/index.js'

defineModel((k) => {
  const cfg = k.mutex('cfg', { mode: 'fast' })
  const stats = k.spinLock('stats', { hits: 0 })
  const hw = k.rawSpinLock('hw', { reg: 0 })
  const pcp = k.localLock('pcp', () => ({ n: 0 }))

  k.task('sleeping-in-atomic', { cpu: 0 }, function* (ctx) {
    yield* stats.withLocked(ctx, function* (ctx) {
      // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
      expectError(yield* cfg.withLocked(ctx, function* () {}))
    })
    // valid: the spinlock inside the mutex
    yield* cfg.withLocked(ctx, function* (ctx) {
      yield* stats.withLocked(ctx, function* () {})
    })
  })

  k.task('raw-nesting', { cpu: 0 }, function* (ctx) {
    yield* hw.withLocked(ctx, function* (ctx) {
      // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
      expectError(yield* stats.withLocked(ctx, function* () {}))
    })
    yield* hw.withLocked(ctx, function* (ctx) {
      // @expect-error Invalid wait context: local_lock_t 'pcp' is a sleeping lock on PREEMPT_RT
      expectError(yield* pcp.withLocked(ctx, function* () {}))
    })
    // valid: raw inside spinlock_t
    yield* stats.withLocked(ctx, function* (ctx) {
      yield* hw.withLocked(ctx, function* () {})
    })
  })

  k.task('recursion', { cpu: 0 }, function* (ctx) {
    yield* cfg.withLocked(ctx, function* (ctx) {
      // @expect-error possible recursive locking detected: mutex 'cfg' is already held
      expectError(yield* cfg.withLocked(ctx, function* () {}))
    })
    using g = yield* stats.lock(ctx)
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(yield* stats.withLocked(g.ctx, function* () {}))
  })

  k.task('msleep-in-atomic', { cpu: 0 }, function* (ctx) {
    yield* stats.withLockedIrqSave(ctx, function* (ctx) {
      // @expect-error msleep() may sleep
      expectError(yield* k.msleep(ctx, 1))
    })
    // valid: msleep under a mutex, cond_resched in a task, cpu_relax anywhere
    yield* cfg.withLocked(ctx, function* (ctx) {
      yield* k.msleep(ctx, 1)
      yield* k.condResched(ctx)
    })
    yield* hw.withLockedIrqSave(ctx, function* (ctx) {
      yield* k.cpuRelax(ctx)
    })
  })

  k.task('forgotten-yield', { cpu: 0 }, function* (ctx) {
    // @expect-error Property 'data' does not exist
    expectError(stats.lock(ctx).data)
    // valid: with yield*
    const g = yield* stats.lock(ctx)
    void g.data.hits
    g.unlock()
  })

  // A hardirq handler that may not be threaded (IRQF_NO_THREAD): hardirq context on both kernels.
  k.irq(5, { cpu: 0, name: 'timer', noThread: true }, function* (ctx) {
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (in a hardirq handler that is never threaded (IRQF_NO_THREAD))
    expectError(yield* stats.withLocked(ctx, function* () {}))
    // valid: raw_spinlock_t
    yield* hw.withLocked(ctx, function* () {})
  })

  // A threadable handler: spinlock_t is fine (a thread on RT), a mutex is not (hardirq on the normal kernel).
  k.irq(6, { cpu: 0, name: 'eth0' }, function* (ctx) {
    yield* stats.withLocked(ctx, function* () {})
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
    expectError(yield* cfg.withLocked(ctx, function* () {}))
  })
})

// A declared lock order holds in a model as in createKernel().
defineModel(
  (k) => {
    const a = k.mutex('a', 0)
    const b = k.mutex('b', 0)
    k.task('ordered', { cpu: 0 }, function* (ctx) {
      yield* a.withLocked(ctx, function* (ctx) {
        yield* b.withLocked(ctx, function* () {})
      })
    })
    k.task('inverted', { cpu: 1 }, function* (ctx) {
      yield* b.withLocked(ctx, function* (ctx) {
        // @expect-error lock order: 'a' is declared before 'b', so it cannot be taken while 'b' is held
        expectError(yield* a.withLocked(ctx, function* () {}))
      })
    })
  },
  { cpus: 2, lockOrder: ['a', 'b'] },
)
