// An outside audit of the compile-time nesting rules, written from the kernel's rules rather than
// from the implementation: Documentation/locking/locktypes.rst ("Lock type nesting rules": "Sleeping
// lock types cannot nest inside spinning lock types", "spinlock_t and rwlock_t can nest inside
// local_lock_t, spinlock_t and rwlock_t", raw_spinlock_t "can nest inside all lock types") and
// lockdep's check_wait_context() (kernel/locking/lockdep.c), per context the type layer knows.
// For every context: what may be taken (LD_WAIT_SLEEP, LD_WAIT_CONFIG, LD_WAIT_SPIN kinds), the
// allocator, the `_irq` / `_bh` forms and the proofs the context gives — the invalid case with its
// message next to the nearest valid one.
import { expectAssignable, expectError, expectNotAssignable } from 'tsd'
import { type BhDisabled, createKernel, type IrqDisabled, type PreemptDisabled, type Sleepable } from '../src/index.js'

const kernel = createKernel()
const m = kernel.mutex('m', 0)
const sem = kernel.rwSemaphore('sem', 0)
const s = kernel.spinLock('s', 0)
const s2 = kernel.spinLock('s2', 0)
const rw = kernel.rwLock('rw', 0)
const ll = kernel.localLock('ll', () => 0)
const sli = kernel.spinLockIrq('sli', 0)
const r = kernel.rawSpinLock('r', 0)
const r2 = kernel.rawSpinLock('r2', 0)

kernel.run((ctx) => {
  // ── a task, nothing held: everything ──
  m.withLocked(ctx, () => 0)
  sem.withWrite(ctx, () => 0)
  s.withLockedIrq(ctx, () => 0)
  s.withLockedBh(ctx, () => 0)
  ll.withLockedIrq(ctx, () => 0)
  ctx.kmalloc(8, 'GFP_KERNEL')
  expectNotAssignable<PreemptDisabled>(ctx)

  // ── a mutex / rw_semaphore held: anything of another class (locktypes.rst: sleeping locks nest anywhere they may sleep) ──
  m.withLocked(ctx, (ctx) => {
    sem.withRead(ctx, (ctx) => r.withLocked(ctx, () => 0))
    s.withLockedBh(ctx, () => 0)
    ctx.msleep(1)
    expectAssignable<Sleepable>(ctx)
  })
  sem.withRead(ctx, (ctx) => {
    // down_read() twice: read == 1 (not recursive), so a pending writer deadlocks it: lockdep's check_deadlock().
    // @expect-error possible recursive locking detected: rw_semaphore 'sem' is already held
    expectError(sem.withRead(ctx, () => 0))
  })

  // ── spinlock_t held (each variant): no sleeping lock; spinlock_t, rwlock_t, local_lock_t, raw all nest ──
  s.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(m.withLocked(ctx, () => 0))
    // @expect-error rw_semaphore 'sem' may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(sem.withRead(ctx, () => 0))
    // @expect-error kmalloc(GFP_KERNEL) may sleep
    expectError(ctx.kmalloc(8, 'GFP_KERNEL'))
    s2.withLocked(ctx, () => 0)
    rw.withWrite(ctx, () => 0)
    ll.withLocked(ctx, () => 0)
    sli.withLocked(ctx, () => 0)
    r.withLocked(ctx, () => 0)
    ctx.kmalloc(8, 'GFP_ATOMIC')
    // Interrupts are on under a plain spin_lock() on both kernels: the _irq and _bh forms are fine.
    s2.withLockedIrq(ctx, () => 0)
    s2.withLockedBh(ctx, () => 0)
    expectNotAssignable<PreemptDisabled>(ctx) // rt_spin_lock() only migrate_disable()s
    expectNotAssignable<BhDisabled>(ctx)
  })
  s.withLockedIrqSave(ctx, (ctx) => {
    // Interrupts are off on a normal kernel: spin_unlock_irq() would turn them on inside.
    // @expect-error the _irq unlock of spinlock_t 's2' ends in local_irq_enable()
    expectError(s2.withLockedIrq(ctx, () => 0))
    // local_bh_enable() with interrupts off: lockdep_assert_irqs_enabled() on a normal kernel.
    // @expect-error bottom halves cannot be disabled or enabled with interrupts off on at least one kernel
    expectError(s2.withLockedBh(ctx, () => 0))
    s2.withLockedIrqSave(ctx, () => 0)
    // @expect-error off on a normal kernel only
    expectError(((_c: IrqDisabled) => 0)(ctx))
  })
  s.withLockedBh(ctx, (ctx) => {
    expectAssignable<BhDisabled>(ctx) // local_bh_disable() then the lock, on both kernels
    s2.withLockedBh(ctx, () => 0)
    // @expect-error mutex 'm' may sleep
    expectError(m.withLocked(ctx, () => 0))
  })

  // ── rwlock_t held: as spinlock_t (locktypes.rst: "rwlock_t ... the same as spinlock_t") ──
  rw.withRead(ctx, (ctx) => {
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (rwlock_t 'rw' is held)
    expectError(m.withLocked(ctx, () => 0))
    // write_lock() under its own read_lock(): recursive on both kernels.
    // @expect-error possible recursive locking detected: rwlock_t 'rw' is already held
    expectError(rw.withWrite(ctx, () => 0))
    s.withLocked(ctx, () => 0)
  })

  // ── local_lock_t held: spinlock_t nests (a per-CPU spinlock_t on RT), sleeping locks not ──
  ll.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (local_lock_t 'll' is held)
    expectError(m.withLocked(ctx, () => 0))
    // @expect-error possible recursive locking detected: local_lock_t 'll' is already held
    expectError(ll.withLocked(ctx, () => 0))
    s.withLocked(ctx, () => 0)
    r.withLocked(ctx, () => 0)
    // On RT local_lock() is migrate_disable() + a spinlock_t: preemption stays on.
    expectNotAssignable<PreemptDisabled>(ctx)
  })
  ll.withLockedIrqSave(ctx, (ctx) => {
    s.withLocked(ctx, () => 0)
    // @expect-error off on a normal kernel only
    expectError(((_c: IrqDisabled) => 0)(ctx))
    // @expect-error the _irq unlock of spinlock_t 's' ends in local_irq_enable()
    expectError(s.withLockedIrq(ctx, () => 0))
  })

  // ── SpinLockIrq held: spin_lock_irqsave() every time ──
  sli.withLocked(ctx, (ctx) => {
    s.withLocked(ctx, () => 0)
    // @expect-error the _irq unlock of spinlock_t 's' ends in local_irq_enable()
    expectError(s.withLockedIrq(ctx, () => 0))
    // @expect-error mutex 'm' may sleep
    expectError(m.withLocked(ctx, () => 0))
  })

  // ── raw_spinlock_t held: only raw_spinlock_t (locktypes.rst: "raw_spinlock_t ... can nest inside all lock types") ──
  r.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 's' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'r' is held)
    expectError(s.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: rwlock_t 'rw'
    expectError(rw.withRead(ctx, () => 0))
    // @expect-error Invalid wait context: local_lock_t 'll'
    expectError(ll.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC) takes the allocator's spinlock_t locks, which sleep on PREEMPT_RT (raw_spinlock_t 'r' is held)
    expectError(ctx.kmalloc(8, 'GFP_ATOMIC'))
    // @expect-error mutex 'm' may sleep
    expectError(m.withLocked(ctx, () => 0))
    r2.withLocked(ctx, () => 0)
    r2.withLockedIrq(ctx, () => 0) // interrupts are on under a plain raw_spin_lock()
    expectAssignable<PreemptDisabled>(ctx)
    expectNotAssignable<IrqDisabled>(ctx)
  })
  r.withLockedIrq(ctx, (ctx) => {
    expectAssignable<IrqDisabled>(ctx)
    expectAssignable<PreemptDisabled>(ctx)
    expectAssignable<BhDisabled>(ctx)
    // @expect-error the _irq unlock of raw_spinlock_t 'r2' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (interrupts are off here on at least one kernel)
    expectError(r2.withLockedIrq(ctx, () => 0))
    r2.withLockedIrqSave(ctx, () => 0)
  })

  // ── preempt_disable(), local_irq_save(): raw only ──
  ctx.preemptDisable((ctx) => {
    // @expect-error Invalid wait context: spinlock_t 's' is a sleeping lock on PREEMPT_RT and cannot be taken here (preemption is disabled (preempt_disable()))
    expectError(s.withLocked(ctx, () => 0))
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (preemption is disabled (preempt_disable()))
    expectError(ctx.msleep(1))
    r.withLocked(ctx, () => 0)
    expectAssignable<PreemptDisabled>(ctx)
    expectNotAssignable<BhDisabled>(ctx)
  })
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: local_lock_t 'll' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_irq_save()))
    expectError(ll.withLocked(ctx, () => 0))
    r.withLocked(ctx, () => 0)
    expectAssignable<IrqDisabled>(ctx)
  })

  // ── local_bh_disable(): spinlock_t yes (RT: a per-CPU local_lock, LD_WAIT_CONFIG), sleeping no ──
  ctx.localBhDisable((ctx) => {
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (bottom halves are disabled (local_bh_disable()))
    expectError(m.withLocked(ctx, () => 0))
    s.withLocked(ctx, () => 0)
    s.withLockedBh(ctx, () => 0) // nested BH disable
    ll.withLocked(ctx, () => 0)
    expectAssignable<BhDisabled>(ctx)
    expectNotAssignable<PreemptDisabled>(ctx) // RT: preemptible
  })

  // ── migrate_disable(): stays on this CPU and may sleep (no restriction) ──
  ctx.migrateDisable((ctx) => {
    m.withLocked(ctx, () => 0)
    ctx.msleep(1)
    expectNotAssignable<PreemptDisabled>(ctx)
  })
})

// ── a threadable handler: hardirq on a normal kernel, a thread on RT: spinlock_t yes, sleeping no ──
kernel.requestIrq(1, 'dev', (ctx) => {
  s.withLocked(ctx, () => 0)
  ll.withLocked(ctx, () => 0)
  rw.withRead(ctx, () => 0)
  ctx.kmalloc(8, 'GFP_ATOMIC')
  s.withLockedIrqSave(ctx, () => 0)
  // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (in an interrupt handler (force-threaded on PREEMPT_RT))
  expectError(m.withLocked(ctx, () => 0))
  // @expect-error the _irq unlock of spinlock_t 's' ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (in a hardirq handler; kernel/irq/handle.c: irq N handler enabled interrupts)
  expectError(s.withLockedIrq(ctx, () => 0))
  // @expect-error bottom halves cannot be disabled or enabled in a hardirq handler: WARN_ON_ONCE(in_hardirq())
  expectError(ctx.localBhDisable(() => 0))
  expectAssignable<BhDisabled>(ctx) // irq_forced_thread_fn(): local_bh_disable() on RT
  expectNotAssignable<PreemptDisabled>(ctx)
  expectNotAssignable<IrqDisabled>(ctx)
})

// ── IRQF_NO_THREAD: hard interrupt context on both kernels: raw only ──
kernel.requestIrq(
  2,
  'timer',
  (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 's' is a sleeping lock on PREEMPT_RT and cannot be taken here (in a hardirq handler that is never threaded (IRQF_NO_THREAD))
    expectError(s.withLocked(ctx, () => 0))
    // @expect-error Invalid wait context: kmalloc(GFP_ATOMIC)
    expectError(ctx.kmalloc(8, 'GFP_ATOMIC'))
    r.withLocked(ctx, () => 0)
    r.withLockedIrqSave(ctx, () => 0)
    expectAssignable<IrqDisabled>(ctx)
    expectAssignable<PreemptDisabled>(ctx)
  },
  { noThread: true },
)

// ── a softirq: spinlock_t, the _bh and _irq forms (interrupts on); no sleeping ──
kernel.openSoftirq('NET_RX', (ctx) => {
  s.withLocked(ctx, () => 0)
  s.withLockedBh(ctx, () => 0)
  s.withLockedIrq(ctx, () => 0)
  ctx.localBhDisable(() => 0)
  // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (in softirq context)
  expectError(m.withLocked(ctx, () => 0))
  // mutex_trylock(): "must not be used in interrupt context".
  // @expect-error mutex 'm': mutex_trylock() may not be used in interrupt context (softirq context)
  expectError(m.withTryLocked(ctx, () => 0))
  expectAssignable<BhDisabled>(ctx)
  expectNotAssignable<PreemptDisabled>(ctx) // RT: softirqs run preemptible
})

// ── NMI: raw only; no _irq / _bh ──
kernel.requestNmi('perf', (ctx) => {
  r.withLocked(ctx, () => 0)
  // @expect-error Invalid wait context: rwlock_t 'rw'
  expectError(rw.withRead(ctx, () => 0))
  // @expect-error bottom halves cannot be disabled or enabled in NMI context
  expectError(r.withLockedBh(ctx, () => 0))
  // @expect-error ends in local_irq_enable(), which turns interrupts on unconditionally, but they may already be off (in NMI context)
  expectError(r.withLockedIrq(ctx, () => 0))
})
