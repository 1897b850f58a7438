// The model flavour keeps the rules of createKernel()'s: ww_mutex_lock() may sleep, a context takes its
// own class only, one context per class; seqcount_t writers need preemption off; RT readers may lock.
import { expectError, expectType } from 'tsd'
import { defineModel, type WwLockResult } from '../src/index.js'

defineModel((k) => {
  const resv = k.defineWwClass('reservation_ww_class')
  const crtc = k.defineWdClass('crtc_ww_class')
  const bo = k.wwMutex(resv, 0)
  const plane = k.wwMutex(crtc, 0)
  const s = k.spinLock('s', 0)
  const hw = k.rawSpinLock('hw', 0)
  const sl = k.seqlock('sl', { v: 0 })
  const sc = k.seqcount('sc', 0)
  const seq = k.seqcountSpinlock('seq', s, 0)
  k.task('t', { cpu: 0 }, function* (ctx) {
    yield* resv.acquire(ctx, function* (ctx, actx) {
      expectType<WwLockResult>(yield* bo.lock(ctx, actx))
      bo.unlock(ctx)
      // @expect-error ww_mutex_lock(): the acquire context is of ww_class 'reservation_ww_class' and the ww_mutex of 'crtc_ww_class'
      expectError(plane.lock(ctx, actx))
      // @expect-error ww_acquire_init(reservation_ww_class): possible recursive locking detected
      expectError(resv.acquire(ctx, function* () {}))
      yield* s.withLocked(ctx, function* (ctx) {
        // @expect-error ww_mutex_lock(reservation_ww_class_mutex) may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
        expectError(bo.lock(ctx, actx))
        yield* seq.write(ctx, function* () {})
      })
    })
    // @expect-error write_seqcount_begin(sc): a seqcount_t writer needs preemption disabled on both kernels
    expectError(sc.write(ctx, function* () {}))
    yield* hw.withLocked(ctx, function* (ctx) {
      yield* sc.write(ctx, function* () {})
      // @expect-error read_seqbegin(sl): on PREEMPT_RT a reader that finds a write in progress takes spinlock_t 'sl'
      expectError(sl.read(ctx, (_ctx, d) => d.v))
    })
    // @expect-error write_seqcount_begin(seq): a seqcount_spinlock_t writer must hold its spinlock_t 's'
    expectError(seq.write(ctx, function* () {}))
    expectType<number>(yield* sl.read(ctx, (_ctx, d) => d.v))
    yield* sl.writeSeqlock(ctx, function* (_ctx, d) {
      d.v++
    })
  })
})
