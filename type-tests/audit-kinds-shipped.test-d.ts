// An outside audit of #18's shipped kinds (auditkinds), written from the kernel's rules, each
// refusal next to its nearest valid pattern (docs/SEMANTICS.md §27 quotes the sources):
// - rt_mutex (kernel/locking/rtmutex_api.c): `__rt_mutex_lock_common()` begins `might_sleep()`;
//   its map is LD_WAIT_SLEEP; `rt_mutex_trylock()` "can only be called in thread context. It's safe
//   to call it from atomic regions, but not from hard or soft interrupt context".
// - percpu_rw_semaphore (include/linux/percpu-rwsem.h, kernel/locking/percpu-rwsem.c): both sides
//   `might_sleep()`; reads are `rwsem_acquire_read()` (read = 1, not recursive);
//   `percpu_down_read_trylock()` never sleeps and checks no context; no write trylock.
// - bit_spin_lock (include/linux/bit_spinlock.h): `preempt_disable()` and a spinning bit on both
//   kernels, no lockdep map: the compiler is what refuses a spinlock_t (or anything that sleeps)
//   inside it.
// - the seed's SpinLockIrq designs (/work/shared/000_8663831310f7acad.txt).
// The run-time side: test/kinds/audit-shipped.test.ts.
import { expectAssignable, expectError, expectNotAssignable } from 'tsd'
import {
  BIT_SPIN_LOCK,
  createKernel,
  type IrqDisabled,
  PERCPU_RW_SEMAPHORE,
  type PreemptDisabled,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../src/index.js'

const kernel = createKernel({ lockOrder: ['outer', 'inner'] })
const pi = kernel.lock(RT_MUTEX, 'pi', { prio: 0 })
const outer = kernel.lock(RT_MUTEX, 'outer', 0)
const inner = kernel.lock(RT_MUTEX, 'inner', 0)
const parent = kernel.lock(RT_MUTEX, 'node', 0)
const child = kernel.lock(RT_MUTEX, 'node', 0)
const sem = kernel.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', { online: 4 })
const bucket = kernel.lock(BIT_SPIN_LOCK, 'hlist_bl', { n: 0 })
const bucket2 = kernel.lock(BIT_SPIN_LOCK, 'hlist_bl2', { n: 0 })
const q6 = kernel.lock(SPIN_LOCK_IRQ_V6, 'q6', 0)
const qs = kernel.lock(SPIN_LOCK_IRQ_SAVE, 'qs', 0)
const qc = kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'qc', 0)
const qc2 = kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'qc2', 0)
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)
const cfg = kernel.mutex('cfg', 0)

kernel.run((ctx) => {
  // ── rt_mutex ──────────────────────────────────────────────────────────────────────────
  pi.withLocked(ctx, (ctx, d) => {
    ctx.msleep(1) // it sleeps: sleeping inside is fine
    cfg.withLocked(ctx, () => 0) // a mutex inside: both LD_WAIT_SLEEP
    stats.withLocked(ctx, () => 0) // a spinning lock inside a sleeping one
    d.prio++
  })
  cfg.withLocked(ctx, (ctx) => pi.withLocked(ctx, () => 0))
  stats.withLocked(ctx, (ctx) => {
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(pi.withLocked(ctx, () => 0))
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(pi.lock(ctx))
    // Valid: rt_mutex_trylock() never sleeps, "safe to call it from atomic regions".
    pi.withTryLocked(ctx, () => 0)
  })
  ctx.preemptDisable((ctx) => {
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context
    expectError(pi.withLockedInterruptible(ctx, () => 0))
    pi.withTryLocked(ctx, () => 0)
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context
    expectError(pi.withLocked(ctx, () => 0))
    pi.withTryLocked(ctx, () => 0)
  })
  // BH disabled is still task context (in_task(): not serving a softirq): the trylock is fine.
  ctx.localBhDisable((ctx) => pi.withTryLocked(ctx, () => 0))
  pi.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rt_mutex 'pi' is already held
    expectError(pi.withLocked(ctx, () => 0))
  })
  // rt_mutex_lock_nested(): two instances of one class, told apart by subclass.
  parent.withLockedNested(ctx, 0, (ctx) => child.withLockedNested(ctx, 1, () => 0))
  parent.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rt_mutex 'node' is already held
    expectError(child.withLocked(ctx, () => 0))
  })
  // The declared order holds for defined kinds too.
  outer.withLocked(ctx, (ctx) => inner.withLocked(ctx, () => 0))
  inner.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'outer' is declared before 'inner', so it cannot be taken while 'inner' is held
    expectError(outer.withLocked(ctx, () => 0))
  })

  // ── percpu_rw_semaphore ───────────────────────────────────────────────────────────────
  sem.withRead(ctx, (ctx, d) => {
    ctx.msleep(1)
    cfg.withLocked(ctx, () => d.online)
    // @expect-error possible recursive locking detected: percpu_rw_semaphore 'cpu_hotplug_lock' is already held
    expectError(sem.withRead(ctx, () => 0))
    // @expect-error possible recursive locking detected: percpu_rw_semaphore 'cpu_hotplug_lock' is already held
    expectError(sem.withWrite(ctx, () => 0))
    // Valid: a read trylock is not checked for recursion by lockdep (validate_chain(): `if (!hlock->trylock && …)`).
    sem.withTryRead(ctx, () => 0)
  })
  sem.withWrite(ctx, (ctx) => ctx.msleep(1))
  stats.withLocked(ctx, (ctx) => {
    // @expect-error percpu_rw_semaphore 'cpu_hotplug_lock' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(sem.withRead(ctx, () => 0))
    sem.withTryRead(ctx, () => 0)
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error percpu_rw_semaphore 'cpu_hotplug_lock' may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(sem.write(ctx))
    const g = sem.tryRead(ctx)
    g?.unlock()
  })
  // @expect-error Property 'withTryWrite' does not exist
  expectError(sem.withTryWrite(ctx, () => 0))

  // ── bit_spin_lock ─────────────────────────────────────────────────────────────────────
  bucket.withLocked(ctx, (ctx) => {
    expectAssignable<PreemptDisabled>(ctx)
    expectNotAssignable<IrqDisabled>(ctx)
    hw.withLocked(ctx, () => 0) // raw_spinlock_t spins on both kernels
    bucket2.withLocked(ctx, () => 0)
    sem.withTryRead(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (bit_spin_lock 'hlist_bl' is held)
    expectError(stats.withLocked(ctx, () => 0))
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (bit_spin_lock 'hlist_bl' is held)
    expectError(cfg.withLocked(ctx, () => 0))
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (bit_spin_lock 'hlist_bl' is held)
    expectError(pi.withLocked(ctx, () => 0))
    // @expect-error percpu_rw_semaphore 'cpu_hotplug_lock' may sleep
    expectError(sem.withRead(ctx, () => 0))
    // @expect-error msleep() may sleep
    expectError(ctx.msleep(1))
    // @expect-error possible recursive locking detected: bit_spin_lock 'hlist_bl' is already held
    expectError(bucket.withLocked(ctx, () => 0))
    // Valid: bit_spin_trylock() of a held bit fails instead of spinning.
    bucket.withTryLocked(ctx, () => 0)
  })
  stats.withLocked(ctx, (ctx) => bucket.withLocked(ctx, () => 0))
  hw.withLockedIrqSave(ctx, (ctx) => bucket.withLocked(ctx, () => 0))
  cfg.withLocked(ctx, (ctx) => bucket.withLocked(ctx, () => 0))

  // ── the seed's SpinLockIrq designs ────────────────────────────────────────────────────
  // v6: no call of it compiles — without the token it is refused, with it the context is atomic.
  // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
  expectError(q6.withLocked(ctx, () => 0))
  hw.withLockedIrqSave(ctx, (ctx) => {
    // @expect-error Invalid wait context: SpinLockIrq[v6] 'q6' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(q6.withLocked(ctx, () => 0))
  })
  // The accepted mapping: a callback anywhere a spinlock_t may be taken; it proves nothing about interrupts.
  qs.withLocked(ctx, (ctx) => {
    expectNotAssignable<IrqDisabled>(ctx)
    stats.withLocked(ctx, () => 0)
    hw.withLocked(ctx, () => 0)
    // @expect-error mutex 'cfg' may sleep
    expectError(cfg.withLocked(ctx, () => 0))
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: SpinLockIrq[irqsave] 'qs' is a sleeping lock on PREEMPT_RT
    expectError(qs.withLocked(ctx, () => 0))
  })
  // Counted guards: any drop order; interrupts off on a normal kernel only, so no IrqDisabled proof.
  const ga = qc.lock(ctx)
  const gb = qc2.lock(ga.ctx)
  expectNotAssignable<IrqDisabled>(gb.ctx)
  ga.unlock()
  gb.unlock()
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: SpinLockIrq[counted] 'qc' is a sleeping lock on PREEMPT_RT
    expectError(qc.lock(ctx))
  })
})

// A timer callback runs in softirq context (ktimers/N on RT): no rt_mutex, not even its trylock.
kernel.timerSetup('watchdog', (ctx) => {
  // @expect-error rt_mutex 'pi': rt_mutex_trylock() may not be used in interrupt context (softirq context)
  expectError(pi.withTryLocked(ctx, () => 0))
  // @expect-error rt_mutex 'pi' may sleep
  expectError(pi.withLocked(ctx, () => 0))
  sem.withTryRead(ctx, () => 0)
  bucket.withLocked(ctx, () => 0)
  qs.withLocked(ctx, () => 0)
})

// A threadable handler: hardirq on a normal kernel, so rt_mutex_trylock() WARNs there.
kernel.requestIrq(3, 'dev', (ctx) => {
  // @expect-error rt_mutex 'pi': rt_mutex_trylock() may not be used in interrupt context (hardirq context)
  expectError(pi.withTryLocked(ctx, () => 0))
  sem.withTryRead(ctx, () => 0)
  bucket.withLocked(ctx, () => 0)
  qs.withLocked(ctx, () => 0)
})

// A hard interrupt on both kernels (IRQF_NO_THREAD): a bit_spin_lock and the read trylock only.
kernel.requestIrq(
  4,
  'timer',
  (ctx) => {
    bucket.withLocked(ctx, () => 0)
    sem.withTryRead(ctx, () => 0)
    // @expect-error Invalid wait context: SpinLockIrq[irqsave] 'qs' is a sleeping lock on PREEMPT_RT
    expectError(qs.withLocked(ctx, () => 0))
  },
  { noThread: true },
)
