// An outside audit of the waiting primitives and trylocks per context, from the kernel's rules:
// kernel/locking/semaphore.c (down() may sleep; down_trylock() and up() "may be called from
// interrupt context", under the semaphore's raw_spinlock_t), kernel/sched/completion.c (complete()
// takes the swait raw lock; complete_all() asserts lockdep_assert_RT_in_threaded_ctx()),
// kernel/sched/wait.c (__wake_up() takes the head's spinlock_t: a sleeping lock on RT), and the
// trylock rules (lockdep does not wait-check a trylock; a mutex or an RT rtmutex is owned by a task).
import { expectError } from 'tsd'
import { createKernel } from '../src/index.js'

const kernel = createKernel()
const sem = kernel.semaphore('sem', 1)
const done = kernel.completion('done')
const wq = kernel.waitQueue('wq')
const s = kernel.spinLock('s', 0)
const r = kernel.rawSpinLock('r', 0)
const m = kernel.mutex('m', 0)
const rws = kernel.rwSemaphore('rws', 0)
const rw = kernel.rwLock('rw', 0)
const resv = kernel.defineWwClass('resv')

kernel.run((ctx) => {
  sem.down(ctx)
  sem.up(ctx)
  done.waitForCompletion(ctx)
  wq.waitEvent(ctx, () => true)
  s.withLocked(ctx, (ctx) => {
    // @expect-error down() may sleep: BUG: sleeping function called from invalid context (spinlock_t 's' is held)
    expectError(sem.down(ctx))
    // @expect-error wait_for_completion() may sleep
    expectError(done.waitForCompletion(ctx))
    // @expect-error wait_event() may sleep
    expectError(wq.waitEvent(ctx, () => true))
    // @expect-error ww_acquire_init(resv): Invalid wait context: its first_lock_dep_map is a mutex map (LD_WAIT_SLEEP), which cannot be taken here (spinlock_t 's' is held)
    expectError(resv.acquire(ctx, () => 0))
    sem.up(ctx)
    done.complete(ctx)
    wq.wakeUp(ctx) // spinlock_t under spinlock_t: fine on both kernels
    sem.downTrylock(ctx)
    // A trylock never waits: lockdep gives it no wait-context check (check_wait_context(): `next->trylock`).
    m.withTryLocked(ctx, () => 0)
  })
  r.withLocked(ctx, (ctx) => {
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t, a sleeping lock on PREEMPT_RT, and cannot be called here (raw_spinlock_t 'r' is held)
    expectError(wq.wakeUp(ctx))
    done.complete(ctx)
    done.completeAll(ctx)
    sem.up(ctx)
    s.withTryLocked(ctx, () => 0) // rt_spin_trylock() never sleeps; the task owns it
    rws.withTryRead(ctx, () => 0) // interrupts on: RT allows it
  })
  ctx.core.localIrqSave((ctx) => {
    // kernel/bpf/mmap_unlock_work.h: "PREEMPT_RT does not allow to trylock mmap sem in interrupt disabled context".
    // @expect-error rw_semaphore 'rws': PREEMPT_RT does not allow its trylock with interrupts disabled
    expectError(rws.withTryRead(ctx, () => 0))
  })
  s.withLockedIrqSave(ctx, (ctx) => {
    rws.withTryRead(ctx, () => 0) // interrupts off on the normal kernel only, where the trylock is fine
  })
})

// A threadable handler: a thread on RT, so spinlock_t-taking wakeups and trylocks are fine.
kernel.requestIrq(1, 'dev', (ctx) => {
  wq.wakeUp(ctx)
  done.completeAll(ctx)
  s.withTryLocked(ctx, () => 0)
  rw.withTryRead(ctx, () => 0)
  rws.withTryRead(ctx, () => 0)
  // @expect-error mutex 'm': mutex_trylock() may not be used in interrupt context (hardirq context)
  expectError(m.withTryLocked(ctx, () => 0))
  // @expect-error down() may sleep
  expectError(sem.down(ctx))
})

// A true hardirq: raw locks only; the raw-lock primitives are fine.
kernel.requestIrq(
  2,
  'timer',
  (ctx) => {
    sem.up(ctx)
    sem.downTrylock(ctx)
    done.complete(ctx)
    done.tryWaitForCompletion(ctx)
    r.withTryLocked(ctx, () => 0)
    // @expect-error complete_all() in a hardirq handler that is never threaded (IRQF_NO_THREAD): WARNING: Not in threaded context on PREEMPT_RT as expected
    expectError(done.completeAll(ctx))
    // @expect-error Invalid wait context: wake_up() takes the wait queue head's spinlock_t
    expectError(wq.wakeUp(ctx))
    // An rtmutex cannot be owned by a hard interrupt on RT.
    // @expect-error spinlock_t 's' is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context
    expectError(s.withTryLocked(ctx, () => 0))
    // @expect-error rw_semaphore 'rws': PREEMPT_RT does not allow its trylock with interrupts disabled
    expectError(rws.withTryRead(ctx, () => 0))
  },
  { noThread: true },
)

kernel.openSoftirq('TASKLET', (ctx) => {
  wq.wakeUp(ctx)
  done.complete(ctx)
  // @expect-error mutex 'm': mutex_trylock() may not be used in interrupt context (softirq context)
  expectError(m.withTryLocked(ctx, () => 0))
})

// NMI: nothing that takes a lock also taken outside NMI; a raw trylock is the NMI-safe pattern.
kernel.requestNmi('perf', (ctx) => {
  r.withTryLocked(ctx, () => 0)
  // @expect-error up() in NMI context: it takes raw_spinlock_t '(sem).lock'
  expectError(sem.up(ctx))
  // @expect-error complete() in NMI context
  expectError(done.complete(ctx))
  // @expect-error spinlock_t 's' is a sleeping lock on PREEMPT_RT: its trylock may not be used in hard interrupt context
  expectError(s.withTryLocked(ctx, () => 0))
})
