/**
 * Delayed work inside models (src/deferred/model/delayed-work.ts): a TIMER_IRQSAFE timer that
 * queues the work, whose expiry the explorer chooses; cancel_delayed_work_sync() waits for a
 * running instance, so under a lock the work takes it deadlocks (a hung task on both kernels).
 */
import { describe, expect, it } from 'vitest'
import { assertNoCounterexample, defineModel, explore, InvalidArgumentError, type ExploreResult, type Op, runModel } from '../../src/index.js'
import { loose } from './loose.js'

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

/** open() on CPU 1 schedules the poll; remove() on CPU 0 cancels it under the mutex the poll takes, or after it. */
const removeWhilePolling = (underLock: boolean) =>
  defineModel(
    (k) => {
      const cfg = k.mutex('cfg', { polls: 0 })
      const poll = k.initDelayedWork('&priv->poll', function* (ctx) {
        yield* cfg.withLocked(ctx, function* (_ctx, c) {
          c.polls++
        })
      })
      k.task('open', { cpu: 1 }, function* (ctx) {
        k.scheduleDelayedWork(ctx, poll, 10)
      })
      k.task('remove', { cpu: 0 }, function* (ctx) {
        if (underLock) {
          yield* cfg.withLocked(ctx, function* (ctx) {
            yield* poll.cancelDelayedWorkSync(ctx)
          })
        } else {
          yield* cfg.withLocked(ctx, function* () {})
          yield* poll.cancelDelayedWorkSync(ctx)
        }
      })
    },
    { cpus: 2, lockdep: false },
  )

describe('cancel_delayed_work_sync()', () => {
  it('under the mutex the work takes: the timer fires, the kworker blocks on the mutex, remove() waits for it — hung tasks on both kernels', {
    timeout: 60_000,
  }, () => {
    const r = explore(removeWhilePolling(true), { stopOnFailure: false })
    expect(r.kernels.map((k) => k.exhausted)).toEqual([true, true])
    expect(titles(r, 'normal')).toEqual(['deadlock: INFO: task remove:2 blocked for more than 120 seconds.'])
    expect(titles(r, 'rt')).toEqual(['deadlock: INFO: task remove:2 blocked for more than 120 seconds.'])
    // The other half of the cycle: the kworker the timer's queueing woke, on the CPU that armed it.
    expect(r.kernels[0]?.counterexamples[0]?.report).toContain('INFO: task kworker/1:1:3 blocked for more than 120 seconds.')
    // On RT the timer's softirq runs in ktimers/1 (pid 3), so the kworker is pid 4.
    expect(r.kernels[1]?.counterexamples[0]?.report).toContain('INFO: task kworker/1:1:4 blocked for more than 120 seconds.')
    // The timer's expiry is the local timer interrupt on CPU 1.
    expect(r.kernels[0]?.counterexamples[0]?.table).toContain('local_timer')
  })

  it('valid: after the mutex is released — every interleaving of timer, kworker and remove(), nothing found', { timeout: 60_000 }, () => {
    const r = explore(removeWhilePolling(false))
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
    assertNoCounterexample(r)
  })

  it('returns whether it was pending: its armed timer is taken off (the work never runs), an idle one is false', () => {
    const seen: boolean[] = []
    let ran = 0
    const m = defineModel((k) => {
      const poll = k.initDelayedWork('poll', function* () {
        ran++
      })
      k.task('t', { cpu: 0 }, function* (ctx) {
        k.scheduleDelayedWork(ctx, poll, 100)
        seen.push(poll.pending)
        seen.push(yield* poll.cancelDelayedWorkSync(ctx))
        seen.push(poll.pending, yield* poll.cancelDelayedWorkSync(ctx))
      })
    })
    expect(runModel(m).outcome).toEqual({ kind: 'completed' })
    expect(seen).toEqual([true, true, false, false])
    expect(ran).toBe(0)
  })
})

describe('flush_delayed_work(), mod_delayed_work(), cancel_delayed_work()', () => {
  it('flush_delayed_work(): a pending timer is cancelled and the work queued at once, then flushed — the work has run when it returns, in every interleaving', {
    timeout: 60_000,
  }, () => {
    const m = defineModel(
      (k) => {
        const stats = k.spinLock('stats', { polls: 0 })
        const wq = k.allocWorkqueue('eth0_wq')
        const poll = k.initDelayedWork('poll', function* (ctx) {
          yield* stats.withLocked(ctx, function* (_ctx, s) {
            s.polls++
          })
        })
        k.task('t', { cpu: 0 }, function* (ctx) {
          wq.queueDelayedWork(ctx, poll, 1000)
          expect(yield* poll.flushDelayedWork(ctx)).toBe(true)
          yield* stats.withLocked(ctx, function* (_ctx, s) {
            if (s.polls !== 1) throw new Error(`polls ${s.polls}`)
          })
        })
      },
      { cpus: 2 },
    )
    const r = explore(m)
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })

  it('mod_delayed_work(): true when pending, re-armed with the new delay; delay 0 queues at once; cancel_delayed_work() does not wait', () => {
    const seen: (boolean | number)[] = []
    let ran = 0
    const m = defineModel((k) => {
      const wq = k.allocWorkqueue('events_long')
      const poll = k.initDelayedWork('poll', function* () {
        ran++
      })
      k.task('t', { cpu: 0 }, function* (ctx) {
        seen.push(wq.modDelayedWork(ctx, poll, 100)) // idle: queued, false
        seen.push(wq.queueDelayedWork(ctx, poll, 5)) // pending already: false
        seen.push(wq.modDelayedWork(ctx, poll, 0)) // pending: true, queued now
        seen.push(poll.cancelDelayedWork(ctx)) // queued, not yet run: true
        seen.push(poll.cancelDelayedWork(ctx), poll.pending) // idle: false
        wq.modDelayedWork(ctx, poll, 0)
        yield* poll.flushWork(ctx)
        seen.push(ran)
      })
    })
    expect(runModel(m).outcome).toEqual({ kind: 'completed' })
    expect(seen).toEqual([false, false, true, true, false, false, 1])
  })

  it('cancel_work_sync() of a delayed work leaves its timer armed (no WORK_CANCEL_DELAYED), as the kernel does', () => {
    const seen: boolean[] = []
    const m = defineModel((k) => {
      const poll = k.initDelayedWork('poll', function* () {})
      k.task('t', { cpu: 0 }, function* (ctx) {
        k.scheduleDelayedWork(ctx, poll, 100)
        seen.push(yield* poll.cancelWorkSync(ctx), poll.pending)
        poll.cancelDelayedWork(ctx)
      })
    })
    runModel(m)
    expect(seen).toEqual([false, true])
  })

  it('refusals (untyped callers): a work that is not a delayed work, a bad delay — named errors', () => {
    const outcome = (setup: Parameters<typeof defineModel>[0]): unknown => {
      const o = runModel(defineModel(setup)).outcome
      return o.kind === 'error' ? o.error : o
    }
    const plain = outcome((k) => {
      const w = k.initWork('w', function* () {})
      k.task('t', { cpu: 0 }, function* (ctx) {
        loose(k, 'scheduleDelayedWork')(ctx, w, 1)
      })
    })
    expect(plain).toBeInstanceOf(InvalidArgumentError)
    expect((plain as Error).message).toBe('queue_delayed_work(): expected a delayed work (initDelayedWork())')
    const delay = outcome((k) => {
      const wq = k.allocWorkqueue('q')
      const dw = k.initDelayedWork('dw', function* () {})
      k.task('t', { cpu: 0 }, function* (ctx) {
        loose(wq, 'modDelayedWork')(ctx, dw, -1)
      })
    })
    expect((delay as Error).message).toBe('mod_delayed_work(): the delay must be a finite number ≥ 0')
  })

  it('cancel_delayed_work_sync() from a spinlock section (untyped code) is the might-sleep splat, on both kernels', () => {
    const m = defineModel(
      (k) => {
        const stats = k.spinLock('stats', 0)
        const poll = k.initDelayedWork('poll', function* () {})
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* stats.withLocked(ctx, function* (ctx) {
            yield* loose(poll, 'cancelDelayedWorkSync')(ctx) as Op<boolean>
          })
        })
      },
      { lockdep: false },
    )
    for (const preemptRt of [false, true]) {
      expect(runModel(m, { preemptRt }).diagnostics.map((d) => d.title)).toEqual(['BUG: sleeping function called from invalid context'])
    }
  })
})
