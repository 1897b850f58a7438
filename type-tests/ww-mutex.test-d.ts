// Wound/wait mutexes: ww_mutex_lock() may sleep; one acquire context per class and task; a context
// takes its own class's ww_mutexes only; no context-less lock of a class whose context is held;
// ww_acquire_init() only where a mutex could be taken.
import { expectError, expectType } from 'tsd'
import { createKernel, EDEADLK, type WwLockResult } from '../src/index.js'

const kernel = createKernel()
const resv = kernel.defineWwClass('reservation_ww_class')
const crtc = kernel.defineWdClass('crtc_ww_class')
const bo = kernel.wwMutex(resv, { size: 0 })
const plane = kernel.wwMutex(crtc, 0)
const s = kernel.spinLock('s', 0)

kernel.run((ctx) => {
  resv.acquire(ctx, (ctx, actx) => {
    expectType<WwLockResult>(bo.lock(ctx, actx))
    if (bo.lock(ctx, actx) === -EDEADLK) bo.lockSlow(ctx, actx)
    expectType<0 | 1>(bo.trylock(ctx, actx))
    expectType<WwLockResult | -4>(bo.lockInterruptible(ctx, actx))
    expectType<0 | -4>(bo.lockSlowInterruptible(ctx, actx))
    bo.unlock(ctx)
    actx.done(ctx)
    ctx.msleep(1)
    // @expect-error ww_mutex_lock(): the acquire context is of ww_class 'reservation_ww_class' and the ww_mutex of 'crtc_ww_class': a context takes the ww_mutexes of its own class only (DEBUG_LOCKS_WARN_ON(ww_ctx->ww_class != ww->ww_class))
    expectError(plane.lock(ctx, actx))
    // @expect-error ww_mutex_lock_slow(): the acquire context is of ww_class 'reservation_ww_class' and the ww_mutex of 'crtc_ww_class'
    expectError(plane.lockSlow(ctx, actx))
    // @expect-error ww_mutex_lock(reservation_ww_class_mutex, NULL): possible recursive locking detected: an acquire context of ww_class 'reservation_ww_class' is held here, and a ww_mutex taken without it is the same lockdep class (reservation_ww_class_mutex) without its nest lock; pass the context
    expectError(bo.lock(ctx, null))
    // @expect-error ww_acquire_init(reservation_ww_class): possible recursive locking detected: this task already holds an acquire context of ww_class 'reservation_ww_class' (reservation_ww_class_acquire); one acquire context per class and task
    expectError(resv.acquire(ctx, () => 0))
    // Valid: a context of another class nests; a context-less lock of another class.
    crtc.acquire(ctx, (ctx, c2) => {
      plane.lock(ctx, c2)
      plane.unlock(ctx)
    })
    plane.lock(ctx, null)
    plane.unlock(ctx)
    s.withLocked(ctx, (ctx) => {
      // @expect-error ww_mutex_lock(reservation_ww_class_mutex) may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
      expectError(bo.lock(ctx, actx))
      // Valid: a trylock never sleeps; unlock is fine anywhere the lock is held.
      bo.trylock(ctx, actx)
      bo.unlock(ctx)
    })
  })
  // Valid: a single ww_mutex without any context is a mutex.
  bo.lock(ctx, null)
  bo.unlock(ctx)
  s.withLocked(ctx, (ctx) => {
    // @expect-error ww_acquire_init(reservation_ww_class): Invalid wait context: its first_lock_dep_map is a mutex map (LD_WAIT_SLEEP), which cannot be taken here (spinlock_t 's' is held)
    expectError(resv.acquire(ctx, () => 0))
  })
})

kernel.requestIrq(1, 'dev', (ctx) => {
  // @expect-error ww_mutex_lock(reservation_ww_class_mutex) may sleep: BUG: sleeping function called from invalid context
  expectError(bo.lock(ctx, null))
})
