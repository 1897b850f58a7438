// Locks of defined kinds in models (issue #18): k.lock(kind, name, data) gives the
// generator-flavoured lock of the kind's spec (ModelLockOf), with the rules of createKernel()'s
// kernel.lock(kind, …): where it may be taken, what it proves, recursion, order, the trylock rule
// and a kind's required proof. Each rule is next to its nearest valid pattern.
import { expectAssignable, expectError, expectType } from 'tsd'
import {
  BIT_SPIN_LOCK,
  defineModel,
  type ModelLockOf,
  PERCPU_RW_SEMAPHORE,
  type PreemptDisabled,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_V6,
  type TryResult,
} from '../src/index.js'

defineModel(
  (k) => {
    const pi = k.lock(RT_MUTEX, 'pi', { prio: 0 })
    const sem = k.lock(PERCPU_RW_SEMAPHORE, 'sem', { n: 0 })
    const bucket = k.lock(BIT_SPIN_LOCK, 'bucket', { n: 0 })
    const qc = k.lock(SPIN_LOCK_IRQ_COUNTED, 'qc', [0])
    const q6 = k.lock(SPIN_LOCK_IRQ_V6, 'q6', [0])
    const stats = k.spinLock('stats', { hits: 0 })
    const hw = k.rawSpinLock('hw', 0)
    const named: ModelLockOf<typeof BIT_SPIN_LOCK, 'named', number, never> = k.lock(BIT_SPIN_LOCK, 'named', 0)
    expectType<'rt_mutex'>(pi.kind)
    expectType<'pi'>(pi.name)
    expectType<'bit_spin_lock'>(named.kind)

    k.task('valid', { cpu: 0 }, function* (ctx) {
      // A sleeping kind in a task, a sleep inside it, then the spinning ones inside it in order.
      const p = yield* pi.withLocked(ctx, function* (ctx, p) {
        yield* k.msleep(ctx, 1)
        yield* sem.withRead(ctx, function* (_ctx, s) {
          s.n++
        })
        return ++p.prio
      })
      expectType<number>(p)
      using g = yield* pi.lock(ctx)
      expectType<number>(g.data.prio)
      yield* bucket.withLocked(g.ctx, function* (ctx, b) {
        expectAssignable<PreemptDisabled>(ctx) // bit_spin_lock(): preemption off on both kernels
        yield* hw.withLocked(ctx, function* () {}) // a raw spinlock inside a bit lock is fine
        b.n++
      })
      // rt_mutex_trylock() never sleeps: fine in a task under a spinlock.
      yield* stats.withLocked(ctx, function* (ctx) {
        const r = yield* pi.withTryLocked(ctx, function* (_ctx, p) {
          return p.prio
        })
        expectType<TryResult<number>>(r)
      })
      // The counted design's guards: interrupts off through the count, dropped in any order.
      using ga = yield* qc.lock(ctx)
      ga.data.push(1)
    })

    k.task('invalid', { cpu: 0 }, function* (ctx) {
      yield* stats.withLocked(ctx, function* (ctx) {
        // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
        expectError(yield* pi.withLocked(ctx, function* () {}))
        // @expect-error percpu_rw_semaphore 'sem' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
        expectError(yield* sem.withRead(ctx, function* () {}))
      })
      yield* pi.withLocked(ctx, function* (ctx) {
        // @expect-error possible recursive locking detected: rt_mutex 'pi' is already held
        expectError(yield* pi.withLocked(ctx, function* () {}))
      })
      yield* sem.withRead(ctx, function* (ctx) {
        // @expect-error possible recursive locking detected: percpu_rw_semaphore 'sem' is already held
        expectError(yield* sem.withRead(ctx, function* () {}))
        // @expect-error lock order: 'pi' is declared before 'sem', so it cannot be taken while 'sem' is held
        expectError(yield* pi.withLocked(ctx, function* () {}))
      })
      yield* bucket.withLocked(ctx, function* (ctx) {
        // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (bit_spin_lock 'bucket' is held)
        expectError(yield* stats.withLocked(ctx, function* () {}))
        // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (bit_spin_lock 'bucket' is held)
        expectError(yield* k.msleep(ctx, 1))
      })
      // The v6 token design: without the token refused; with it the context is atomic, where a lock that sleeps on RT is refused.
      // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
      expectError(yield* q6.withLocked(ctx, function* () {}))
      // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
      expectError(yield* q6.lock(ctx))
      yield* hw.withLockedIrqSave(ctx, function* (ctx) {
        // @expect-error Invalid wait context: SpinLockIrq[v6] 'q6' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
        expectError(yield* q6.withLocked(ctx, function* () {}))
      })
    })

    k.irq(5, { cpu: 0, noThread: true }, function* (ctx) {
      // @expect-error rt_mutex 'pi': rt_mutex_trylock() may not be used in interrupt context (hardirq context)
      expectError(yield* pi.withTryLocked(ctx, function* () {}))
      yield* bucket.withLocked(ctx, function* () {}) // a bit spinlock is a spinning lock on both kernels: fine in a hard interrupt
    })
  },
  { lockOrder: ['pi', 'sem'] },
)
