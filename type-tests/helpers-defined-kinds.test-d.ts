// takes() and helper() with locks of defined kinds (issue #18): a lock made by
// kernel.lock(defineLockKind(…), name, data) is named in a helper's takes and mustHold with the
// variants and sides of its own spec, and every call site and body is checked with the rules of
// direct code, from that spec. Each rule is next to its nearest valid pattern.
import { expectAssignable, expectError, expectType } from 'tsd'
import {
  BIT_SPIN_LOCK,
  createKernel,
  defineLockKind,
  helper,
  type IrqDisabled,
  KIND_SPECS,
  PERCPU_RW_SEMAPHORE,
  type PreemptDisabled,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_V6,
  type Take,
  takes,
} from '../src/index.js'

const MY_SPIN = defineLockKind({ ...KIND_SPECS.spinlock_t, kind: 'tt_helper_spin', label: 'my_spin' })
const MY_RAW = defineLockKind({ ...KIND_SPECS.raw_spinlock_t, kind: 'tt_helper_raw', label: 'my_raw' })

const kernel = createKernel({ lockOrder: ['pi', 'sem'] })
const pi = kernel.lock(RT_MUTEX, 'pi', { prio: 0 })
const sem = kernel.lock(PERCPU_RW_SEMAPHORE, 'sem', { n: 0 })
const bucket = kernel.lock(BIT_SPIN_LOCK, 'bucket', { n: 0 })
const qc = kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'qc', [0])
const q6 = kernel.lock(SPIN_LOCK_IRQ_V6, 'q6', [0])
const ms = kernel.lock(MY_SPIN, 'ms', { n: 0 })
const mr = kernel.lock(MY_RAW, 'mr', { n: 0 })
const port = kernel.spinLock('port', { tx: 0 })
const hw = kernel.rawSpinLock('hw', { reg: 0 })

// ── takes(): the kind's own variants and sides ─────────────────────────────────────────────
const piFree = createKernel().lock(RT_MUTEX, 'pi_free', 0)
expectType<Take<typeof RT_MUTEX, 'pi_free', 'plain', never, 'write'>>(takes(piFree))
expectType<'rt_mutex'>(takes(pi).kind)
expectType<'pi'>(takes(pi).name)
expectType<Take<typeof PERCPU_RW_SEMAPHORE, 'sem', 'plain', never, 'read'>>(takes(sem, 'plain', 'read'))
expectType<Take<typeof PERCPU_RW_SEMAPHORE, 'sem', 'plain', never, 'write'>>(takes(sem))
expectType<Take<typeof MY_SPIN, 'ms', 'irqsave', never, 'write'>>(takes(ms, 'irqsave'))
// @expect-error Argument of type '"irqsave"' is not assignable to parameter of type '"plain"'
expectError(takes(pi, 'irqsave'))
// @expect-error Argument of type '"read"' is not assignable to parameter of type '"write"'
expectError(takes(pi, 'plain', 'read'))

// ── valid: a sleeping kind in a task, a read side, a spinning kind under a raw spinlock ─────
const boost = helper({ name: 'rt_mutex_adjust_prio', takes: [takes(pi)] }, (ctx) =>
  pi.withLocked(ctx, (ctx, p) => {
    ctx.msleep(1) // the declaration takes a sleeping lock: the body may sleep
    return ++p.prio
  }),
)
const readSem = helper({ name: 'cpus_read_lock', takes: [takes(sem, 'plain', 'read')] }, (ctx) => sem.withRead(ctx, (_ctx, s) => s.n))
const hashAdd = helper({ name: 'hlist_bl_add', takes: [takes(bucket)] }, (ctx) => bucket.withLocked(ctx, (_ctx, b) => ++b.n))
const countedPush = helper({ name: 'counted_push', takes: [takes(qc)] }, (ctx) => {
  using g = qc.lock(ctx)
  return g.data.push(1)
})

kernel.run((ctx) => {
  expectType<number>(boost(ctx))
  expectType<number>(readSem(ctx))
  hashAdd(ctx)
  countedPush(ctx)
  hw.withLockedIrqSave(ctx, (ctx) => hashAdd(ctx)) // bit_spin_lock spins on both kernels: fine under a raw spinlock
  pi.withLocked(ctx, (ctx) => readSem(ctx)) // declared order pi → sem
})

// ── where the helper may be called: the kind's wait type, recursion, the declared order ─────
kernel.run((ctx) => {
  port.withLocked(ctx, (ctx) => {
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'port' is held)
    expectError(boost(ctx))
  })
  pi.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: rt_mutex 'pi' is already held
    expectError(boost(ctx))
  })
  sem.withRead(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: percpu_rw_semaphore 'sem' is already held
    expectError(readSem(ctx))
    // @expect-error lock order: 'pi' is declared before 'sem', so it cannot be taken while 'sem' is held
    expectError(boost(ctx))
  })
  bucket.withLocked(ctx, (ctx) => {
    const portWrite = helper({ name: 'port_write', takes: [takes(port)] }, (ctx) => port.withLocked(ctx, (_ctx, p) => p.tx))
    // @expect-error Invalid wait context: spinlock_t 'port' is a sleeping lock on PREEMPT_RT and cannot be taken here (bit_spin_lock 'bucket' is held)
    expectError(portWrite(ctx))
    // @expect-error possible recursive locking detected: bit_spin_lock 'bucket' is already held
    expectError(hashAdd(ctx))
  })
})

// ── a variant's own rule: _irq ends in local_irq_enable() ───────────────────────────────────
const mrIrq = helper({ name: 'mr_irq', takes: [takes(mr, 'irq')] }, (ctx) => mr.withLockedIrq(ctx, (_ctx, d) => d.n))
const mrIrqSave = helper({ name: 'mr_irqsave', takes: [takes(mr, 'irqsave')] }, (ctx) => mr.withLockedIrqSave(ctx, (_ctx, d) => d.n))
kernel.run((ctx) => {
  mrIrq(ctx)
  hw.withLockedIrqSave(ctx, (ctx) => {
    mrIrqSave(ctx) // irqsave restores what it found: fine with interrupts off
    // @expect-error ends in local_irq_enable()
    expectError(mrIrq(ctx))
  })
})

// ── the body: the declared takes only, sleeping only where the declaration allows ───────────
helper({ name: 'undeclared', takes: [takes(pi)] }, (ctx) =>
  pi.withLocked(ctx, (ctx) => {
    // @expect-error helper: percpu_rw_semaphore 'sem' is taken in a helper body but not declared; add takes(sem)
    expectError(sem.withRead(ctx, () => 0))
  }),
)
helper({ name: 'spin_only', takes: [takes(bucket)] }, (ctx) =>
  bucket.withLocked(ctx, (ctx) => {
    // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (in helper spin_only()
    expectError(ctx.msleep(1))
  }),
)
helper({ name: 'spin_body', takes: [takes(bucket)] }, (ctx) => {
  // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (in helper spin_body(), whose declaration allows only raw spinning locks
  expectError(pi.withLocked(ctx, () => 0))
})

// ── mustHold: a defined kind's lock, held for the body and required at the call site ──────
const adjustPrio = helper({ name: 'rt_mutex_setprio', mustHold: [pi] }, (ctx) => {
  // @expect-error possible recursive locking detected: rt_mutex 'pi' is already held
  expectError(pi.withLocked(ctx, () => 0))
  return ctx.cpuId
})
const needsPreemptOff = (_ctx: PreemptDisabled): number => 1
const bucketHeld = helper({ name: 'hlist_bl_held', mustHold: [bucket] }, (ctx) => {
  expectAssignable<PreemptDisabled>(ctx) // bit_spin_lock disables preemption on both kernels
  // @expect-error msleep() may sleep
  expectError(ctx.msleep(1))
  return needsPreemptOff(ctx)
})
kernel.run((ctx) => {
  pi.withLocked(ctx, (ctx) => adjustPrio(ctx))
  bucket.withLocked(ctx, (ctx) => bucketHeld(ctx))
  // @expect-error lockdep_assert_held(pi): helper rt_mutex_setprio() must be called holding rt_mutex 'pi', and it is not held here
  expectError(adjustPrio(ctx))
  // @expect-error lockdep_assert_held(bucket): helper hlist_bl_held() must be called holding bit_spin_lock 'bucket', and it is not held here
  expectError(bucketHeld(ctx))
})

// ── a kind that requires a proof (the v6 token): the call site proves it; the body may assume it ─
const needsIrqsOff = (_ctx: IrqDisabled): number => 1
// In the body the token is proven (every valid caller proves it) but the context is atomic, so
// the lock, which sleeps on PREEMPT_RT, cannot be taken there: no helper of this design compiles.
const q6Push = helper({ name: 'q6_push', takes: [takes(q6)] }, (ctx) => {
  expectAssignable<IrqDisabled>(ctx)
  // @expect-error Invalid wait context: SpinLockIrq[v6] 'q6' is a sleeping lock on PREEMPT_RT and cannot be taken here (in helper q6_push(), which needs interrupts disabled)
  expectError(q6.withLocked(ctx, () => 0))
  return needsIrqsOff(ctx)
})
kernel.run((ctx) => {
  // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
  expectError(q6Push(ctx))
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: SpinLockIrq[v6] 'q6' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_irq_save()))
    expectError(q6Push(ctx))
  })
})
