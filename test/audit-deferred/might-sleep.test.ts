/**
 * Outside audit: what may sleep where, and what the report says (kernel/sched/core.c
 * `__might_resched()`):
 *   BUG: sleeping function called from invalid context at %s:%d
 *   in_atomic(): %d, irqs_disabled(): %d, non_block: %d, pid: %d, name: %s
 *   preempt_count: %x, expected: %x
 *   RCU nest depth: %d, expected: %u        (CONFIG_PREEMPT_RCU)
 * `resched_offsets_ok()` adds `rcu_preempt_depth() << MIGHT_RESCHED_RCU_SHIFT`, so on PREEMPT_RT a
 * softirq served in a task (preempt_count 0) still reports: its first local_bh_disable() took
 * rcu_read_lock(). Every sleeping primitive begins with might_sleep() — mutex (`__mutex_lock_common()`),
 * down() (kernel/locking/semaphore.c), wait_for_completion() (`__wait_for_common()`), wait_event()
 * (include/linux/wait.h), flush_work(), synchronize_rcu() (`rcu_blocking_is_gp()`), even when it
 * would not have to wait.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, type AnyContext, type Diagnostic, type Kernel } from '../../src/index.js'
import { untyped } from './untyped.js'

const firstLines = (d: Diagnostic | undefined, n = 4): string[] => (d?.report ?? '').split('\n').slice(0, n)
const sleeping = (k: Kernel): Diagnostic[] => k.diagnostics.filter((d) => d.kind === 'sleeping-in-atomic')

/** The four header lines of __might_resched()'s report, with `at` as lockproof names the site. */
const header = (at: string, inAtomic: 0 | 1, irqsOff: 0 | 1, pid: number, comm: string, pc: number, rcu: number): string[] => [
  `BUG: sleeping function called from invalid context at ${at}`,
  `in_atomic(): ${inAtomic}, irqs_disabled(): ${irqsOff}, non_block: 0, pid: ${pid}, name: ${comm}`,
  `preempt_count: ${pc.toString(16)}, expected: 0`,
  `RCU nest depth: ${rcu}, expected: 0`,
]

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('might_sleep() in a timer_list callback: preempt_count 100 (normal); RT ktimers: 0, but RCU nest depth 1', () => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('t', (ctx) => void untyped(ctx, 'mightSleep')())
    k.run((ctx) => t.modTimer(ctx, 1))
    k.advance(1)
    expect(firstLines(sleeping(k)[0])).toEqual(
      preemptRt ? header('might_sleep()', 0, 0, 2, 'ktimers/0', 0, 1) : header('might_sleep()', 1, 0, 0, 'swapper/0', 0x100, 0),
    )
  })

  it('might_sleep() in a _HARD hrtimer callback: in hardirq with interrupts off on both kernels', () => {
    const k = createKernel({ preemptRt })
    const h = k.hrtimerSetup(
      'h',
      (ctx: AnyContext) => {
        untyped(ctx, 'mightSleep')()
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    k.run((ctx) => h.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD'))
    k.advance(1)
    expect(firstLines(sleeping(k)[0])).toEqual(header('might_sleep()', 1, 1, 0, 'swapper/0', 0x10000, 0))
  })

  it('might_sleep() in a forced-threaded handler: hardirq (normal); RT: irq/5-dev with BH off, RCU nest depth 1', () => {
    const k = createKernel({ preemptRt })
    k.requestIrq(5, 'dev', (ctx) => void untyped(ctx, 'mightSleep')())
    k.raiseIrq(5)
    expect(firstLines(sleeping(k)[0])).toEqual(
      preemptRt ? header('might_sleep()', 0, 0, 1, 'irq/5-dev', 0, 1) : header('might_sleep()', 1, 1, 0, 'swapper/0', 0x10000, 0),
    )
  })

  it('valid: sleeping in a work item, a thread_fn, and on RT in the lazy irq_work thread (a plain task there)', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const w = k.initWork('w', (ctx) => ctx.msleep(1))
    k.requestThreadedIrq(5, 'dev', null, (ctx) => ctx.mightSleep(), { oneshot: true })
    k.run((ctx) => wq.queueWork(ctx, w))
    k.raiseIrq(5)
    expect(k.diagnostics).toEqual([])
    if (preemptRt) {
      const iw = k.initIrqWork('iw', (ctx) => void untyped(ctx, 'mightSleep')())
      k.run((ctx) => iw.irqWorkQueue(ctx))
      expect(k.diagnostics).toEqual([])
    }
  })

  it('mutex_lock() in an RCU callback: might_sleep() first, then lockdep’s invalid wait context (softirq / BH-off rcuc)', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('cfg', 0)
    k.run((ctx) => k.callRcu(ctx, (c) => void untyped(m, 'withLocked')(c, () => 0)))
    k.advance(3)
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    expect(firstLines(k.diagnostics[0], 4)[0]).toBe("BUG: sleeping function called from invalid context at mutex 'cfg'")
    expect(firstLines(k.diagnostics[0], 4)[3]).toBe(`RCU nest depth: ${preemptRt ? 1 : 0}, expected: 0`)
    // The task's wait context: softirq (LD_WAIT_CONFIG) on normal; on RT rcuc/0, a task (LD_WAIT_MAX) whose local_bh map caps it.
    expect(k.diagnostics[1]?.report).toContain(preemptRt ? '\ncontext-{5:5}\n' : '\ncontext-{3:3}\n')
  })

  it('down() in a hardirq handler with a unit free: might_sleep() reports, the unit is still taken', () => {
    const k = createKernel({ preemptRt })
    const sem = k.semaphore('sem', 1)
    k.requestIrq(5, 'dev', (ctx) => void untyped(sem, 'down')(ctx), { noThread: true })
    k.raiseIrq(5)
    expect(sleeping(k).map((d) => d.report.split('\n')[0])).toEqual(['BUG: sleeping function called from invalid context at down()'])
    expect(sem.count).toBe(0)
  })

  it('valid: down_trylock() and up() from a hardirq handler (the raw lock, irqsave)', () => {
    const k = createKernel({ preemptRt })
    const sem = k.semaphore('sem', 1)
    const got: number[] = []
    k.requestIrq(
      5,
      'dev',
      (ctx) => {
        got.push(sem.downTrylock(ctx), sem.downTrylock(ctx))
        sem.up(ctx)
      },
      { noThread: true },
    )
    k.raiseIrq(5)
    expect(got).toEqual([0, 1])
    expect(sem.count).toBe(1)
    expect(k.diagnostics).toEqual([])
  })

  it('wait_for_completion() under a spinlock_t, already completed: might_sleep() still reports (normal); RT: preemptible, RCU depth 1', () => {
    const k = createKernel({ preemptRt })
    const done = k.completion('done')
    const s = k.spinLock('s', 0)
    k.run((ctx) => {
      done.complete(ctx)
      s.withLocked(ctx, (c) => void untyped(done, 'waitForCompletion')(c))
    })
    expect(firstLines(sleeping(k)[0])).toEqual(header('wait_for_completion()', preemptRt ? 0 : 1, 0, 1, 'task-1', preemptRt ? 0 : 1, preemptRt ? 1 : 0))
    expect(done.done).toBe(0)
  })

  it('valid: try_wait_for_completion() and complete() from hardirq', () => {
    const k = createKernel({ preemptRt })
    const done = k.completion('done')
    const got: boolean[] = []
    k.requestIrq(
      5,
      'dev',
      (ctx) => {
        got.push(done.tryWaitForCompletion(ctx))
        done.complete(ctx)
        got.push(done.tryWaitForCompletion(ctx))
      },
      { noThread: true },
    )
    k.raiseIrq(5)
    expect(got).toEqual([false, true])
    expect(k.diagnostics).toEqual([])
  })

  it('wait_event() with a true condition inside rcu_read_lock(): might_sleep() before the condition (RCU nest depth 1)', () => {
    const k = createKernel({ preemptRt })
    const wqh = k.waitQueue('wqh')
    k.run((ctx) => ctx.rcuReadLock((c) => void untyped(wqh, 'waitEvent')(c, () => true)))
    expect(firstLines(sleeping(k)[0])).toEqual(header('wait_event()', 0, 0, 1, 'task-1', 0, 1))
  })

  it('flush_work() of an idle work from a softirq: might_sleep() is unconditional (flush_work(): might_sleep(); return __flush_work())', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const w = k.initWork('w', () => 0)
    const t = k.timerSetup('t', (ctx) => void untyped(w, 'flushWork')(ctx))
    k.run((ctx) => wq.queueWork(ctx, w)) // ran already: idle
    k.run((ctx) => t.modTimer(ctx, k.jiffies + 1))
    k.advance(1)
    expect(sleeping(k).map((d) => d.report.split('\n')[0])).toEqual(['BUG: sleeping function called from invalid context at flush_work()'])
  })

  it('cancel_work_sync() of a WQ_BH work from a softirq: no might_sleep() (WORK_OFFQ_BH: WARN_ON_ONCE(in_hardirq()) only)', () => {
    const k = createKernel({ preemptRt })
    const bh = k.allocWorkqueue('events_bh', { bh: true })
    const w = k.initWork('bw', () => 0, { bh: true })
    const t = k.timerSetup('t', (ctx) => void w.cancelWorkSync(ctx))
    k.run((ctx) => {
      bh.queueWork(ctx, w)
      t.modTimer(ctx, k.jiffies + 1)
    })
    k.advance(1)
    expect(k.diagnostics).toEqual([])
  })

  it('cancel_work_sync() of a WQ_BH work from hardirq: the WARN, no sleeping report', () => {
    const k = createKernel({ preemptRt })
    const w = k.initWork('bw', () => 0, { bh: true })
    k.requestIrq(5, 'dev', (ctx) => void untyped(w, 'cancelWorkSync')(ctx), { noThread: true })
    k.raiseIrq(5)
    expect(k.diagnostics.map((d) => d.title)).toEqual(['WARNING: CPU: 0 PID: 0 at __cancel_work_sync'])
  })

  it('synchronize_rcu() in a tasklet: might_sleep(); RT: first RCU-lockdep’s warning (BH off took rcu_read_lock()), and it waits for itself', () => {
    const k = createKernel({ preemptRt })
    const t = k.taskletSetup('tl', (ctx) => void untyped(k, 'synchronizeRcu')(ctx))
    if (preemptRt) expect(() => k.run((ctx) => t.taskletSchedule(ctx))).toThrow(DeadlockError)
    else k.run((ctx) => t.taskletSchedule(ctx))
    expect(k.diagnostics.map((d) => d.title)).toEqual(
      preemptRt
        ? ['WARNING: suspicious RCU usage', 'BUG: sleeping function called from invalid context', 'INFO: task ksoftirqd/0:2 blocked for more than 120 seconds.']
        : ['BUG: sleeping function called from invalid context'],
    )
    expect(sleeping(k)[0]?.report.split('\n')[0]).toBe('BUG: sleeping function called from invalid context at synchronize_rcu()')
  })

  it('synchronize_rcu() inside rcu_read_lock(): lockdep_rcu_suspicious()’s report, once per site, lockdep stays on', () => {
    const k = createKernel({ preemptRt })
    const once = (): void => {
      expect(() => k.run((ctx) => ctx.rcuReadLock((c) => void untyped(k, 'synchronizeRcu')(c)))).toThrow(DeadlockError)
    }
    once()
    const warn = k.diagnostics.find((d) => d.title === 'WARNING: suspicious RCU usage')
    expect(warn?.report.split('\n')).toEqual([
      '=============================',
      'WARNING: suspicious RCU usage',
      '-----------------------------',
      'kernel/rcu/tree.c synchronize_rcu(): Illegal synchronize_rcu() in RCU read-side critical section!',
      '',
      'other info that might help us debug this:',
      '',
      '',
      'rcu_scheduler_active = 2, debug_locks = 1',
      '1 lock held by task-1/1:',
      ' #0: (rcu_read_lock){....}-{1:3}, rcu_read_lock()',
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
    expect(k.lockdepStats().active).toBe(true)
    k.clearDiagnostics()
    once()
    expect(k.diagnostics.map((d) => d.title)).not.toContain('WARNING: suspicious RCU usage')
  })
})
