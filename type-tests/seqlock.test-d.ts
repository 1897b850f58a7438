// Sequence locks (include/linux/seqlock.h): seqcount_t writers need preemption off on both kernels,
// seqcount_LOCKNAME_t writers hold their lock, and on PREEMPT_RT a seqlock_t / seqcount_LOCKNAME_t reader
// may take that lock; seqlock_t writers are their spinlock_t's methods.
import { expectError, expectType } from 'tsd'
import { createKernel, type IrqDisabled, type PreemptDisabled } from '../src/index.js'

const kernel = createKernel()
const sl = kernel.seqlock('jiffies_lock', { ns: 0 })
const sc = kernel.seqcount('stats_seq', { rx: 0 })
const lock = kernel.spinLock('dev_lock', 0)
const hw = kernel.rawSpinLock('hw', 0)
const m = kernel.mutex('m', 0)
const rw = kernel.rwLock('rw', 0)
const seq = kernel.seqcountSpinlock('dev_seq', lock, { mtu: 1500 })
const rawSeq = kernel.seqcountRawSpinlock('hw_seq', hw, 0)
const mSeq = kernel.seqcountMutex('m_seq', m, 0)
const rwSeq = kernel.seqcountRwlock('rw_seq', rw, 0)
const needsIrqsOff = (_ctx: IrqDisabled) => 0
const needsPreemptOff = (_ctx: PreemptDisabled) => 0

kernel.run((ctx) => {
  // seqlock_t writers: the spin_lock variant's context and proofs.
  sl.writeSeqlock(ctx, (_ctx, d) => expectType<number>(d.ns))
  sl.writeSeqlockIrqSave(ctx, (ctx) => {
    // @expect-error off on a normal kernel only
    expectError(needsIrqsOff(ctx))
  })
  hw.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: spinlock_t 'jiffies_lock' is a sleeping lock on PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(sl.writeSeqlock(ctx, () => 0))
  })
  sl.writeSeqlock(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: spinlock_t 'jiffies_lock' is already held
    expectError(sl.readSeqlockExcl(ctx, () => 0))
    // @expect-error mutex 'm' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'jiffies_lock' is held)
    expectError(m.withLocked(ctx, () => 0))
  })
  expectType<number>(sl.read(ctx, (_ctx, d) => d.ns))

  // seqlock_t readers: may take the spinlock on RT.
  hw.withLocked(ctx, (ctx) => {
    // @expect-error read_seqbegin(jiffies_lock): on PREEMPT_RT a reader that finds a write in progress takes spinlock_t 'jiffies_lock', which sleeps there and cannot be taken here (raw_spinlock_t 'hw' is held)
    expectError(sl.read(ctx, (_ctx, d) => d.ns))
    // @expect-error read_seqbegin(jiffies_lock): on PREEMPT_RT a reader that finds a write in progress
    expectError(sl.readSeqbegin(ctx))
    // Valid: read_seqretry() takes no lock; a raw seqcount's reader spins on both kernels.
    expectType<boolean>(sl.readSeqretry(ctx, 0))
    rawSeq.read(ctx, () => 0)
  })
  ctx.rcuReadLock((ctx) => sl.read(ctx, () => 0))

  // seqcount_t writers need preemption off on both kernels.
  // @expect-error write_seqcount_begin(stats_seq): a seqcount_t writer needs preemption disabled on both kernels, and it is not here (task context), so lockdep_assert_preemption_disabled() fires
  expectError(sc.write(ctx, () => 0))
  lock.withLocked(ctx, (ctx) => {
    // @expect-error write_seqcount_begin(stats_seq): a seqcount_t writer needs preemption disabled on both kernels, and it is not here (spinlock_t 'dev_lock' is held)
    expectError(sc.write(ctx, () => 0))
  })
  ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => needsPreemptOff(ctx)))
  hw.withLocked(ctx, (ctx) => sc.write(ctx, (_ctx, d) => d.rx++))
  ctx.core.localIrqSave((ctx) => sc.write(ctx, () => 0))
  sc.rawWrite(ctx, () => 0)
  sc.read(ctx, (_ctx, d) => d.rx)

  // seqcount_LOCKNAME_t writers hold their lock.
  // @expect-error write_seqcount_begin(dev_seq): a seqcount_spinlock_t writer must hold its spinlock_t 'dev_lock', which is not held here, so lockdep_assert_held() fires
  expectError(seq.write(ctx, () => 0))
  ctx.preemptDisable((ctx) => {
    // @expect-error a seqcount_spinlock_t writer must hold its spinlock_t 'dev_lock'
    expectError(seq.write(ctx, () => 0))
  })
  lock.withLocked(ctx, (ctx) => seq.write(ctx, (_ctx, d) => d.mtu))
  hw.withLocked(ctx, (ctx) => rawSeq.write(ctx, () => 0))
  rw.withWrite(ctx, (ctx) => rwSeq.write(ctx, () => 0))
  m.withLocked(ctx, (ctx) =>
    mSeq.write(ctx, (ctx) => {
      // @expect-error msleep() may sleep: BUG: sleeping function called from invalid context (the seqcount_mutex_t 'm_seq' write section disables preemption on a normal kernel)
      expectError(ctx.msleep(1))
    }),
  )
  // @expect-error a seqcount_mutex_t writer must hold its mutex 'm'
  expectError(mSeq.write(ctx, () => 0))

  // seqcount_LOCKNAME_t readers: spinlock_t / rwlock_t not where only spinning is allowed; mutex only where sleeping is.
  ctx.preemptDisable((ctx) => {
    // @expect-error read_seqcount_begin(dev_seq): on PREEMPT_RT a reader that finds a write in progress takes spinlock_t 'dev_lock', which sleeps there and cannot be taken here (preemption is disabled (preempt_disable()))
    expectError(seq.readBegin(ctx))
    // @expect-error raw_read_seqcount_begin(rw_seq): on PREEMPT_RT a reader that finds a write in progress takes rwlock_t 'rw'
    expectError(rwSeq.rawReadBegin(ctx))
    rawSeq.readBegin(ctx)
    sc.readBegin(ctx)
  })
  lock.withLocked(ctx, (ctx) => {
    // @expect-error read_seqcount_begin(m_seq): on PREEMPT_RT a reader that finds a write in progress takes mutex 'm', which sleeps there and cannot be taken here (spinlock_t 'dev_lock' is held)
    expectError(mSeq.read(ctx, () => 0))
    seq.read(ctx, () => 0)
  })
  mSeq.read(ctx, () => 0)
  expectType<boolean>(seq.readRetry(ctx, seq.readBegin(ctx)))
})

kernel.requestIrq(1, 'dev', (ctx) => {
  // A threadable handler: spinlock_t may be taken on both kernels, so a seqlock_t reader is fine.
  sl.read(ctx, () => 0)
  // @expect-error read_seqcount_begin(m_seq): on PREEMPT_RT a reader that finds a write in progress takes mutex 'm', which sleeps there and cannot be taken here (in an interrupt handler (force-threaded on PREEMPT_RT))
  expectError(mSeq.read(ctx, () => 0))
  // @expect-error write_seqcount_begin(stats_seq): a seqcount_t writer needs preemption disabled on both kernels
  expectError(sc.write(ctx, () => 0))
})
kernel.requestIrq(
  0,
  'timer',
  (ctx) => {
    // @expect-error read_seqbegin(jiffies_lock): on PREEMPT_RT a reader that finds a write in progress takes spinlock_t 'jiffies_lock'
    expectError(sl.read(ctx, () => 0))
    // Valid: preemption is off in a true hardirq on both kernels; a raw seqcount's reader never locks.
    sc.write(ctx, () => 0)
    rawSeq.read(ctx, () => 0)
  },
  { noThread: true },
)
