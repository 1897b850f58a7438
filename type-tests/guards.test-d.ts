// Guards: `using g = lock.lock(ctx)` gives g.ctx the same entered state as the callback form's
// context, so every nesting rule applies to guards too, and g.data keeps the lock's data type.
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import { type Atomic, type BhDisabled, createKernel, type IrqDisabled, type PreemptDisabled, type Sleepable } from '../src/index.js'

const kernel = createKernel()
const hw = kernel.rawSpinLock('hw', 0)
const dev = kernel.rawSpinLock('dev', 'regs')
const stats = kernel.spinLock('stats', { hits: 0 })
const cfg = kernel.mutex('cfg', { mode: 'fast' as 'fast' | 'slow' })
const sem = kernel.rwSemaphore('sem', [1, 2, 3])
const table = kernel.rwLock('table', new Map<string, number>())
const queue = kernel.spinLockIrq('queue', [] as number[])
const pcp = kernel.localLock('pcp', (cpu) => ({ cpu, n: 0 }))

const touchHardware = (_ctx: IrqDisabled): 'done' => 'done'
const noPreempt = (_ctx: PreemptDisabled): void => undefined
const noBh = (_ctx: BhDisabled): void => undefined
const atomicOnly = (_ctx: Atomic): void => undefined
const sleepy = (_ctx: Sleepable): void => undefined

kernel.run((ctx) => {
  {
    // raw_spinlock_t irqsave guard: interrupts, preemption and BH off on both kernels.
    using g = hw.lockIrqSave(ctx)
    expectType<number>(g.data)
    expectType<boolean>(g.held)
    expectAssignable<IrqDisabled>(g.ctx)
    expectType<'done'>(touchHardware(g.ctx))
    noPreempt(g.ctx)
    noBh(g.ctx)
    atomicOnly(g.ctx)
    // @expect-error Sleepable
    expectError(sleepy(g.ctx))
    // @expect-error might_sleep() may sleep
    expectError(g.ctx.mightSleep())
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (raw_spinlock_t 'hw' is held)
    expectError(cfg.lock(g.ctx))
  }
  {
    using g = hw.lockIrq(ctx)
    touchHardware(g.ctx)
  }
  {
    // A plain raw guard proves preemption off, not interrupts off.
    using g = hw.lock(ctx)
    noPreempt(g.ctx)
    expectNotAssignable<IrqDisabled>(g.ctx)
    // @expect-error IrqDisabled
    expectError(touchHardware(g.ctx))
  }
  {
    using g = hw.lockBh(ctx)
    noBh(g.ctx)
  }
  {
    // spinlock_t guard, then a mutex from its context: the sleeping-lock rule.
    using g = stats.lock(ctx)
    expectType<{ hits: number }>(g.data)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(cfg.lock(g.ctx))
    // @expect-error rw_semaphore 'sem' may sleep
    expectError(sem.read(g.ctx))
    // @expect-error mutex 'cfg' may sleep
    expectError(cfg.withLocked(g.ctx, () => 0))
    // Recursion through a guard.
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(stats.lock(g.ctx))
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(stats.lockIrqSave(g.ctx))
  }
  {
    // spinlock_t irqsave guard: interrupts stay on on PREEMPT_RT, so no IrqDisabled proof.
    using g = stats.lockIrqSave(ctx)
    expectNotAssignable<IrqDisabled>(g.ctx)
    // @expect-error IrqDisabled
    expectError(touchHardware(g.ctx))
    // @expect-error PreemptDisabled
    expectError(noPreempt(g.ctx))
  }
  {
    // spinlock_t inside a raw_spinlock_t guard: invalid wait context (sleeps on RT).
    using r = hw.lockIrqSave(ctx)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(stats.lock(r.ctx))
    // @expect-error Invalid wait context: SpinLockIrq 'queue'
    expectError(queue.lock(r.ctx))
    // @expect-error Invalid wait context: local_lock_t 'pcp'
    expectError(pcp.lock(r.ctx))
    // @expect-error possible recursive locking detected: raw_spinlock_t 'hw' is already held
    expectError(hw.lock(r.ctx))
  }
  {
    // A raw lock inside a spinlock_t guard is fine; the raw guard's ctx proves interrupts off.
    using s = stats.lock(ctx)
    using r = hw.lockIrqSave(s.ctx)
    touchHardware(r.ctx)
    // @expect-error Invalid wait context
    expectError(table.read(r.ctx))
  }
  {
    // Guards nested through their contexts accumulate the held classes.
    using a = cfg.lock(ctx)
    expectType<{ mode: 'fast' | 'slow' }>(a.data)
    sleepy(a.ctx)
    using b = stats.lock(a.ctx)
    using c = hw.lock(b.ctx)
    // @expect-error possible recursive locking detected: mutex 'cfg' is already held
    expectError(cfg.lock(c.ctx))
    // @expect-error possible recursive locking detected: spinlock_t 'stats' is already held
    expectError(stats.lock(c.ctx))
  }
  {
    // local_interrupt_disable(): the counted form proves interrupts off (on both kernels).
    using d = ctx.localInterruptDisable()
    expectType<undefined>(d.data)
    expectAssignable<IrqDisabled>(d.ctx)
    expectType<'done'>(touchHardware(d.ctx))
    noPreempt(d.ctx)
    noBh(d.ctx)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_interrupt_disable()))
    expectError(stats.lock(d.ctx))
    // @expect-error mutex 'cfg' may sleep
    expectError(cfg.lock(d.ctx))
    using d2 = d.ctx.localInterruptDisable()
    touchHardware(d2.ctx)
    using h = hw.lock(d2.ctx)
    touchHardware(h.ctx)
  }
  {
    // SpinLockIrq: a spinlock_t on RT, whose guard leaves interrupts on there: no IrqDisabled.
    using q = queue.lock(ctx)
    expectType<number[]>(q.data)
    expectNotAssignable<IrqDisabled>(q.ctx)
    // @expect-error IrqDisabled
    expectError(touchHardware(q.ctx))
    // @expect-error mutex 'cfg' may sleep
    expectError(cfg.lock(q.ctx))
    // @expect-error possible recursive locking detected: SpinLockIrq 'queue' is already held
    expectError(queue.lock(q.ctx))
    // A raw lock inside it does prove interrupts off.
    using r = hw.lockIrqSave(q.ctx)
    touchHardware(r.ctx)
  }
  {
    // rwlock_t read and write guards.
    using rd = table.read(ctx)
    expectType<Map<string, number>>(rd.data)
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.write(rd.ctx))
    // @expect-error mutex 'cfg' may sleep
    expectError(cfg.lock(rd.ctx))
  }
  {
    using wr = table.writeIrqSave(ctx)
    expectType<Map<string, number>>(wr.data)
    // @expect-error IrqDisabled
    expectError(touchHardware(wr.ctx))
    // @expect-error possible recursive locking detected: rwlock_t 'table' is already held
    expectError(table.readIrq(wr.ctx))
  }
  {
    using wb = table.writeBh(ctx)
    noBh(wb.ctx)
    expectType<Map<string, number>>(wb.data)
  }
  {
    // rw_semaphore guards: sleeping locks, fine in task context.
    using s = sem.read(ctx)
    expectType<number[]>(s.data)
    sleepy(s.ctx)
    // @expect-error possible recursive locking detected: rw_semaphore 'sem' is already held
    expectError(sem.write(s.ctx))
  }
  {
    // local_lock_t guards: the per-CPU data type from the init function.
    using p = pcp.lock(ctx)
    expectType<{ cpu: number; n: number }>(p.data)
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (local_lock_t 'pcp' is held)
    expectError(cfg.lock(p.ctx))
    // @expect-error possible recursive locking detected: local_lock_t 'pcp' is already held
    expectError(pcp.lock(hw.lock(p.ctx).ctx))
  }
  {
    using p = pcp.lockIrqSave(ctx)
    expectType<{ cpu: number; n: number }>(p.data)
    // @expect-error IrqDisabled
    expectError(touchHardware(p.ctx))
    // @expect-error possible recursive locking detected: local_lock_t 'pcp' is already held
    expectError(pcp.lockIrq(p.ctx))
  }
  {
    // A guard's ctx in a callback-form lock, and a callback-form ctx in a guard.
    using g = stats.lock(ctx)
    hw.withLockedIrqSave(g.ctx, (inner) => {
      using r = dev.lock(inner)
      touchHardware(inner)
      touchHardware(r.ctx)
    })
  }
  {
    // Issue #11, type item 3 (README "Guards and interrupt disabling"): a guard taken from another
    // guard's context keeps that context's proofs — the type cannot see the drop order, so the
    // run time refuses dropping `a` first (GuardOrderError; test/proofs/live-proofs.test.ts).
    using a = hw.lockIrqSave(ctx)
    using b = dev.lock(a.ctx)
    expectAssignable<IrqDisabled>(b.ctx)
    touchHardware(b.ctx)
  }
})
