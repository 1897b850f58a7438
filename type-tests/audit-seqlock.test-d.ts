// An outside audit of the sequence locks (include/linux/seqlock.h): a reader or a writer inside its
// own write section. The write section holds the counter's lockdep map (`do_write_seqcount_begin()`:
// `seqcount_acquire(&s->dep_map, …)`, exclusive); a reader's `seqcount_lockdep_reader_access()` is
// `seqcount_acquire_read()` (read == 2) of that map, and check_deadlock() lets read-after-read
// through only (`if ((next->read == 2) && prev->read) continue;`): "possible recursive locking
// detected" on both kernels. Then `__read_seqcount_begin()` waits for an even count that only the
// end of the section it is in can make (on PREEMPT_RT a seqcount_spinlock_t / seqlock_t reader first
// takes the lock it holds). A second writer is `seqcount_acquire()` of a held map: recursive too.
// The nearest valid patterns: a reader holding the associated lock outside a write section (no
// writer can be in progress, so the count is even: no lock is taken), a reader inside
// read_seqlock_excl(), read_seqretry() inside a write section, and another seqcount's reader.
import { expectError, expectType } from 'tsd'
import { createKernel, defineModel } from '../src/index.js'

const kernel = createKernel()
const sl = kernel.seqlock('sl', { v: 0 })
const sc = kernel.seqcount('sc', 0)
const other = kernel.seqcount('other', 0)
const lock = kernel.spinLock('lock', 0)
const hw = kernel.rawSpinLock('hw', 0)
const rw = kernel.rwLock('rw', 0)
const m = kernel.mutex('m', 0)
const seq = kernel.seqcountSpinlock('seq', lock, 0)
const rawSeq = kernel.seqcountRawSpinlock('raw_seq', hw, 0)
const rwSeq = kernel.seqcountRwlock('rw_seq', rw, 0)
const mSeq = kernel.seqcountMutex('m_seq', m, 0)

kernel.run((ctx) => {
  // ── seqlock_t ──
  sl.writeSeqlock(ctx, (ctx) => {
    // @expect-error read_seqbegin(sl): inside the write section of seqlock_t 'sl': possible recursive locking detected (its map 'sl.seqcount' is held), and the count stays odd until this section ends, so the reader waits for ever
    expectError(sl.read(ctx, () => 0))
    // @expect-error read_seqbegin(sl): inside the write section of seqlock_t 'sl'
    expectError(sl.readSeqbegin(ctx))
    // Valid: read_seqretry() never waits; another counter's reader.
    expectType<boolean>(sl.readSeqretry(ctx, 0))
    other.read(ctx, () => 0)
  })
  sl.writeSeqlockIrqSave(ctx, (ctx) => {
    // @expect-error read_seqbegin(sl): inside the write section of seqlock_t 'sl'
    expectError(sl.read(ctx, () => 0))
  })
  sl.writeSeqlockBh(ctx, (ctx) => {
    // @expect-error read_seqbegin(sl): inside the write section of seqlock_t 'sl'
    expectError(sl.readSeqbegin(ctx))
  })
  // Valid: a locking reader holds the spinlock, not the counter: no writer can be in progress.
  sl.readSeqlockExcl(ctx, (ctx) => sl.read(ctx, (_ctx, d) => d.v))

  // ── seqcount_t ──
  ctx.preemptDisable((ctx) =>
    sc.write(ctx, (ctx) => {
      // @expect-error read_seqcount_begin(sc): inside the write section of seqcount_t 'sc': possible recursive locking detected (its map 'sc' is held)
      expectError(sc.readBegin(ctx))
      // raw_read_seqcount_begin() has no lockdep, but waits for the same odd count.
      // @expect-error raw_read_seqcount_begin(sc): inside the write section of seqcount_t 'sc': the count stays odd until this section ends, so the reader waits for ever
      expectError(sc.rawReadBegin(ctx))
      // @expect-error write_seqcount_begin(sc): possible recursive locking detected: the write section of seqcount_t 'sc' is already open here (its map 'sc' is held)
      expectError(sc.write(ctx, () => 0))
      expectType<boolean>(sc.readRetry(ctx, 0))
      other.readBegin(ctx)
      other.write(ctx, () => 0)
    }),
  )
  // The raw writer has no lockdep map, but the count is odd all the same.
  sc.rawWrite(ctx, (ctx) => {
    sc.rawWrite(ctx, () => 0)
    sc.readRetry(ctx, 0)
  })

  // ── seqcount_LOCKNAME_t ──
  lock.withLocked(ctx, (ctx) => {
    // Valid: the associated lock held, no write section open: the count is even.
    seq.read(ctx, () => 0)
    seq.write(ctx, (ctx) => {
      // @expect-error read_seqcount_begin(seq): inside the write section of seqcount_spinlock_t 'seq': possible recursive locking detected (its map 'seq.seqcount' is held)
      expectError(seq.read(ctx, () => 0))
      // @expect-error write_seqcount_begin(seq): possible recursive locking detected: the write section of seqcount_spinlock_t 'seq' is already open here (its map 'seq.seqcount' is held)
      expectError(seq.write(ctx, () => 0))
      seq.readRetry(ctx, 0)
    })
  })
  hw.withLocked(ctx, (ctx) =>
    rawSeq.write(ctx, (ctx) => {
      // @expect-error read_seqcount_begin(raw_seq): inside the write section of seqcount_raw_spinlock_t 'raw_seq'
      expectError(rawSeq.readBegin(ctx))
    }),
  )
  rw.withWrite(ctx, (ctx) =>
    rwSeq.write(ctx, (ctx) => {
      // @expect-error raw_read_seqcount_begin(rw_seq): inside the write section of seqcount_rwlock_t 'rw_seq'
      expectError(rwSeq.rawReadBegin(ctx))
    }),
  )
  m.withLocked(ctx, (ctx) =>
    mSeq.write(ctx, (ctx) => {
      // @expect-error read_seqcount_begin(m_seq): inside the write section of seqcount_mutex_t 'm_seq'
      expectError(mSeq.read(ctx, () => 0))
    }),
  )
})

// The same rules in a model.
defineModel((k) => {
  const msl = k.seqlock('msl', 0)
  const msc = k.seqcount('msc', 0)
  const ml = k.spinLock('ml', 0)
  const mseq = k.seqcountSpinlock('mseq', ml, 0)
  const mhw = k.rawSpinLock('mhw', 0)
  k.task('t', { cpu: 0 }, function* (ctx) {
    yield* msl.writeSeqlock(ctx, function* (ctx) {
      // @expect-error read_seqbegin(msl): inside the write section of seqlock_t 'msl'
      expectError(msl.read(ctx, () => 0))
    })
    yield* msl.readSeqlockExcl(ctx, function* (ctx) {
      yield* msl.read(ctx, () => 0)
    })
    yield* mhw.withLocked(ctx, function* (ctx) {
      yield* msc.write(ctx, function* (ctx) {
        // @expect-error read_seqcount_begin(msc): inside the write section of seqcount_t 'msc'
        expectError(msc.readBegin(ctx))
      })
    })
    yield* ml.withLocked(ctx, function* (ctx) {
      yield* mseq.read(ctx, () => 0)
      yield* mseq.write(ctx, function* (ctx) {
        // @expect-error write_seqcount_begin(mseq): possible recursive locking detected
        expectError(mseq.write(ctx, function* () {}))
      })
    })
  })
})
