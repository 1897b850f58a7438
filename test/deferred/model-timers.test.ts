/**
 * timer_list and hrtimers inside models (src/deferred/model/): the expiry is an arrival the
 * explorer chooses, the callback runs where the kernel runs it on each kernel, and the
 * documented deadlocks are found by execution (lockdep off) with their valid twins.
 */
import { describe, expect, it } from 'vitest'
import {
  assertNoCounterexample,
  defineModel,
  explore,
  ForgottenYieldError,
  InvalidArgumentError,
  runModel,
  type ExploreResult,
  type ModelTimerList,
  type Op,
} from '../../src/index.js'
import { loose } from './loose.js'

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

/** `timer_delete_sync()` on CPU 0 with or without the lock the callback takes; the timer armed on CPU 1. */
const deleteSync = (underLock: boolean, lockdep: boolean) =>
  defineModel(
    (k) => {
      const lock = k.spinLock('priv->lock', { n: 0 })
      const t = k.timerSetup('&priv->timer', function* (ctx) {
        yield* lock.withLocked(ctx, function* (_ctx, d) {
          d.n++
        })
      })
      k.task('arm', { cpu: 1 }, function* (ctx) {
        t.modTimer(ctx, k.jiffies + 1)
        yield* k.cpuRelax(ctx)
      })
      k.task('stop', { cpu: 0 }, function* (ctx) {
        if (underLock) {
          // spin_lock_bh(): the callback runs in the TIMER softirq.
          yield* lock.withLockedBh(ctx, function* (ctx) {
            yield* t.timerDeleteSync(ctx)
          })
        } else {
          yield* t.timerDeleteSync(ctx)
          yield* lock.withLockedBh(ctx, function* () {})
        }
      })
    },
    { cpus: 2, lockdep },
  )

describe('timer_delete_sync() under the lock the callback takes', () => {
  it('lockdep off: the deadlock is found by execution on both kernels (the callback spins or sleeps on the lock, the delete waits for it)', () => {
    const r = explore(deleteSync(true, false), { stopOnFailure: false })
    expect(r.kernels.map((k) => k.exhausted)).toEqual([true, true])
    // Normal: both CPUs spin with interrupts on; RT: the delete sleeps on expiry_lock, the callback (in ktimers/1) on the rtmutex.
    expect(titles(r, 'normal')).toEqual(['deadlock: watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [stop:2]'])
    expect(titles(r, 'rt')).toEqual(['deadlock: lockproof: task stop:2 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'])
    const rt = r.kernels[1]?.counterexamples[0]
    expect(rt?.report).toContain('ktimers/1')
  })

  it('lockdep on: its circular dependency through the timer map as well, on both kernels', () => {
    const r = explore(deleteSync(true, true), { stopOnFailure: false })
    for (const kernel of ['normal', 'rt'] as const) expect(titles(r, kernel)[0]).toBe('diagnostic: WARNING: possible circular locking dependency detected')
  })

  it('valid: the delete before taking the lock — every execution on both kernels, nothing found', () => {
    for (const lockdep of [false, true]) {
      const r = explore(deleteSync(false, lockdep))
      expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])).toEqual([
        ['normal', true, 0],
        ['rt', true, 0],
      ])
      assertNoCounterexample(r)
    }
  })
})

describe('timer_list placement and the end of an execution', () => {
  const armed = defineModel((k) => {
    const stats = k.spinLock('stats', { fired: 0 })
    const t = k.timerSetup('&priv->watchdog', function* (ctx) {
      yield* stats.withLocked(ctx, function* (_ctx, s) {
        s.fired++
      })
    })
    k.task('arm', { cpu: 0 }, function* (ctx) {
      t.modTimer(ctx, k.jiffies + 100)
    })
  })

  it.each([false, true])(
    'preemptRt %s: an armed timer fires before the execution ends; the clock moves to its expiry; ktimers/0 idles only on RT',
    (preemptRt) => {
      const r = runModel(armed, { preemptRt, trace: true })
      expect(r.outcome).toEqual({ kind: 'completed' })
      expect(r.machine.clockMs).toBe(100)
      expect(r.trace.filter((e) => e.event === 'lock').length).toBe(1)
      const kthreads = Object.values(r.machine.tasks).map((t) => [t.comm, t.state])
      // An idle ktimers thread is neither hung nor left to run.
      expect(kthreads).toEqual(preemptRt ? [['ktimers/0', 'TASK_INTERRUPTIBLE']] : [])
    },
  )

  it('the callback is in softirq for lockdep on the normal kernel: a lock the task takes with plain spin_lock() is an inconsistent lock state', () => {
    const m = defineModel((k) => {
      const l = k.spinLock('l', 0)
      const t = k.timerSetup('t', function* (ctx) {
        yield* l.withLocked(ctx, function* () {})
      })
      k.task('a', { cpu: 0 }, function* (ctx) {
        yield* l.withLocked(ctx, function* () {})
        t.modTimer(ctx, 1)
      })
    })
    const d = runModel(m).diagnostics
    expect(d.map((x) => x.title)).toEqual(['WARNING: inconsistent lock state'])
    expect(d[0]?.report).toContain('IN-SOFTIRQ-W')
  })

  it('a timer_list callback cannot sleep: mutex_lock() in it (untyped code) is the might-sleep splat, on both kernels', () => {
    const m = defineModel(
      (k) => {
        const cfg = k.mutex('cfg', 0)
        const lock = loose(cfg, 'withLocked')
        const t = k.timerSetup('t', function* (ctx) {
          yield* lock(ctx, function* () {}) as Op<unknown>
        })
        k.task('arm', { cpu: 0 }, function* (ctx) {
          t.modTimer(ctx, 1)
        })
      },
      { lockdep: false },
    )
    for (const preemptRt of [false, true]) {
      const r = runModel(m, { preemptRt })
      expect(r.diagnostics.map((d) => d.title)).toEqual(['BUG: sleeping function called from invalid context'])
    }
  })
})

/** A task on CPU 0 holds `tx` with plain spin_lock(), spin_lock_bh() or spin_lock_irqsave() while an hrtimer of `mode` armed there takes it. */
const hrtimerVsTask = (mode: 'HRTIMER_MODE_REL' | 'HRTIMER_MODE_REL_SOFT', how: 'plain' | 'irqsave' | 'bh') =>
  defineModel(
    (k) => {
      const tx = k.spinLock('tx', { kicks: 0 })
      const t = k.hrtimerSetup(
        'rs485',
        function* (ctx) {
          yield* tx.withLocked(ctx, function* (_ctx, d) {
            d.kicks++
          })
          return 'HRTIMER_NORESTART' as const
        },
        mode,
      )
      k.task('xmit', { cpu: 0 }, function* (ctx) {
        t.hrtimerStart(ctx, 1, mode)
        // Work under the lock: a point where the timer may expire.
        if (how === 'plain') yield* tx.withLocked(ctx, (ctx) => k.cpuRelax(ctx))
        else if (how === 'bh') yield* tx.withLockedBh(ctx, (ctx) => k.cpuRelax(ctx))
        else yield* tx.withLockedIrqSave(ctx, (ctx) => k.cpuRelax(ctx))
      })
    },
    { cpus: 1, lockdep: false },
  )

/** The same with a `_HARD` hrtimer and a raw_spinlock_t (what a hardirq callback may take). */
const hardVsTask = defineModel(
  (k) => {
    const hw = k.rawSpinLock('hw', { beats: 0 })
    const t = k.hrtimerSetup(
      'watchdog_hrtimer',
      function* (ctx) {
        yield* hw.withLocked(ctx, function* (_ctx, d) {
          d.beats++
        })
        return 'HRTIMER_NORESTART' as const
      },
      'HRTIMER_MODE_REL_HARD',
    )
    k.task('xmit', { cpu: 0 }, function* (ctx) {
      t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD')
      yield* hw.withLocked(ctx, (ctx) => k.cpuRelax(ctx))
    })
  },
  { cpus: 1, lockdep: false },
)

describe('hrtimer placement, by execution', () => {
  it('default mode vs a task holding the lock with plain spin_lock(): deadlock on the normal kernel (hardirq), none on RT (HRTIMER softirq in ktimers/0)', () => {
    const r = explore(hrtimerVsTask('HRTIMER_MODE_REL', 'plain'), { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: BUG: spinlock recursion on CPU#0, xmit/1'])
    expect(titles(r, 'rt')).toEqual([])
    expect(r.differences).toEqual(['deadlocks only on the normal kernel'])
    const c = r.kernels[0]?.counterexamples[0]
    expect([c?.preemptions, c?.arrivals]).toEqual([0, 1])
    expect(c?.table).toContain('irq_handler_entry -1 local_timer')
  })

  it('valid: spin_lock_irqsave() — no expiry while it is held; nothing found on both kernels', () => {
    const r = explore(hrtimerVsTask('HRTIMER_MODE_REL', 'irqsave'))
    expect(r.kernels.map((k) => [k.exhausted, k.counterexamples.length])).toEqual([
      [true, 0],
      [true, 0],
    ])
  })

  it('_HARD with a raw_spinlock_t: hardirq on both kernels, so the deadlock is on both', () => {
    const r = explore(hardVsTask, { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: BUG: spinlock recursion on CPU#0, xmit/1'])
    expect(titles(r, 'rt')).toEqual(['deadlock: BUG: spinlock recursion on CPU#0, xmit/1'])
  })

  it('_SOFT: the HRTIMER softirq at irq exit on the normal kernel spins on the lock its task holds; spin_lock_bh() is the fix', () => {
    const r = explore(hrtimerVsTask('HRTIMER_MODE_REL_SOFT', 'plain'), { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: BUG: spinlock recursion on CPU#0, xmit/1'])
    expect(titles(r, 'rt')).toEqual([])
    const fixed = explore(hrtimerVsTask('HRTIMER_MODE_REL_SOFT', 'bh'))
    expect(fixed.kernels.map((k) => [k.exhausted, k.counterexamples.length])).toEqual([
      [true, 0],
      [true, 0],
    ])
  })
})

const isTimer = (x: unknown): x is ModelTimerList => typeof x === 'object' && x !== null && 'modTimer' in x

describe('refusals in models (untyped callers), each a named error', () => {
  const outcomeError = (setup: Parameters<typeof defineModel>[0], preemptRt = false): unknown => {
    const o = runModel(defineModel(setup, { lockdep: false }), { preemptRt }).outcome
    return o.kind === 'error' ? o.error : o
  }

  it('a callback that is not a generator function', () => {
    const e = outcomeError((k) => {
      const t = loose(k, 'timerSetup')('t', () => 0)
      k.task('arm', { cpu: 0 }, function* (ctx) {
        if (isTimer(t)) t.modTimer(ctx, 1)
      })
    })
    expect(e).toBeInstanceOf(InvalidArgumentError)
    expect((e as Error).message).toBe("timer 't': in a model, a callback is a generator function (function*)")
  })

  it.each([false, true])('an operation made in a callback and never run (preemptRt %s): ForgottenYieldError when the callback returns', (preemptRt) => {
    const e = outcomeError((k) => {
      const lock = k.spinLock('l', 0)
      const t = k.timerSetup('t', function* (ctx) {
        lock.withLocked(ctx, function* () {})
      })
      k.task('arm', { cpu: 0 }, function* (ctx) {
        t.modTimer(ctx, 1)
      })
    }, preemptRt)
    expect(e).toBeInstanceOf(ForgottenYieldError)
    expect((e as Error).message).toContain("timer 't': spinlock_t 'l'.withLocked(ctx, …) was never run")
  })

  it("a model's own TIMER softirq handler: the kernel's timers cannot run there", () => {
    const e = outcomeError((k) => {
      k.softirq('TIMER', function* () {})
      const t = k.timerSetup('t', function* () {})
      k.task('arm', { cpu: 0 }, function* (ctx) {
        t.modTimer(ctx, 1)
      })
    })
    expect(e).toBeInstanceOf(InvalidArgumentError)
    expect((e as Error).message).toBe("softirq TIMER: the model declares its own handler (k.softirq()), but TIMER runs the kernel's timers")
  })

  it('a work of another model kernel, a WQ_BH workqueue, a threaded irq with handler null and no ONESHOT', () => {
    let foreign: unknown = null
    runModel(
      defineModel((k) => {
        foreign = k.initWork('w', function* () {})
      }),
    )
    const e = outcomeError((k) => {
      const wq = k.allocWorkqueue('wq')
      k.task('q', { cpu: 0 }, function* (ctx) {
        loose(wq, 'queueWork')(ctx, foreign)
      })
    })
    expect((e as Error).message).toBe('queue_work(): expected a work item made by this model kernel (k.initWork())')
    expect(() => runModel(defineModel((k) => void loose(k, 'allocWorkqueue')('bh', { bh: true })))).not.toThrow()
    expect((outcomeError((k) => void loose(k, 'allocWorkqueue')('bh', { bh: true })) as Error).message).toBe(
      'alloc_workqueue(): WQ_BH workqueues are not modelled in a model yet (kernel.run has them)',
    )
    expect((outcomeError((k) => void loose(k, 'requestThreadedIrq')(5, { name: 'eth0' }, null, function* () {})) as Error).message).toBe(
      'request_threaded_irq(): Threaded irq requested with handler=NULL and !ONESHOT for eth0 (irq 5) (-EINVAL)',
    )
  })
})
