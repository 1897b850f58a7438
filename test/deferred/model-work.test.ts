/**
 * Workqueues and threaded irqs inside models (src/deferred/model/): kworkers and irq threads are
 * kernel threads of the model, so the explorer interleaves them with the model's tasks; the
 * documented deadlocks are found by execution (lockdep off) with their valid twins.
 */
import { describe, expect, it } from 'vitest'
import { assertNoCounterexample, defineModel, explore, runModel, type ExploreResult, type ModelWork } from '../../src/index.js'

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

const clean = (r: ExploreResult): (string | number | boolean)[][] => r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])

/** flush_work() from the work itself, or from the task that queued it. */
const flushWork = (fromWork: boolean, unbound: boolean) =>
  defineModel(
    (k) => {
      const cfg = k.mutex('cfg', { resets: 0 })
      const wq = k.allocWorkqueue('eth0_wq', { unbound })
      const reset: ModelWork = k.initWork('&priv->reset_work', function* (ctx) {
        yield* cfg.withLocked(ctx, function* (_ctx, c) {
          c.resets++
        })
        if (fromWork) yield* reset.flushWork(ctx)
      })
      k.task('probe', { cpu: 0 }, function* (ctx) {
        wq.queueWork(ctx, reset)
        yield* cfg.withLocked(ctx, function* (_ctx, c) {
          c.resets++
        })
        if (!fromWork) yield* reset.flushWork(ctx)
      })
    },
    { cpus: 2, lockdep: false },
  )

describe('flush_work()', () => {
  it.each([false, true])('from the work itself (unbound %s): the kworker waits for itself, a hung task on both kernels', (unbound) => {
    const r = explore(flushWork(true, unbound), { stopOnFailure: false })
    const hung = unbound ? 'kworker/u0:1:2' : 'kworker/0:1:2'
    expect(titles(r, 'normal')).toEqual([`deadlock: INFO: task ${hung} blocked for more than 120 seconds.`])
    expect(titles(r, 'rt')).toEqual([`deadlock: INFO: task ${hung} blocked for more than 120 seconds.`])
  })

  it.each([false, true])('valid (unbound %s): from the task that queued it — every interleaving with the kworker, nothing found', (unbound) => {
    const r = explore(flushWork(false, unbound))
    expect(clean(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
    // The kworker runs on either CPU for an unbound workqueue: more interleavings than on a bound one.
    const bound = explore(flushWork(false, false))
    if (unbound) expect(r.kernels[0]?.executions).toBeGreaterThan(bound.kernels[0]?.executions ?? 0)
    assertNoCounterexample(r)
  })

  it('under a mutex the work takes (lockdep off): the kworker blocks on the mutex, the flusher on the work — both hung', () => {
    const m = defineModel(
      (k) => {
        const cfg = k.mutex('cfg', 0)
        const wq = k.allocWorkqueue('eth0_wq')
        const w = k.initWork('w', function* (ctx) {
          yield* cfg.withLocked(ctx, function* () {})
        })
        k.task('remove', { cpu: 0 }, function* (ctx) {
          wq.queueWork(ctx, w)
          yield* cfg.withLocked(ctx, function* (ctx) {
            yield* w.flushWork(ctx)
          })
        })
      },
      { cpus: 1, lockdep: false },
    )
    const r = explore(m, { stopOnFailure: false })
    const c = r.kernels[0]?.counterexamples[0]
    expect(c?.title).toBe('INFO: task remove:1 blocked for more than 120 seconds.')
    expect(c?.report).toContain('kworker/0:1')
    expect(titles(r, 'rt')).toEqual(['deadlock: INFO: task remove:1 blocked for more than 120 seconds.'])
  })
})

describe('kworkers: concurrency management and the end of an execution', () => {
  /** Two works on one bound pool; the first sleeps (msleep) or not. */
  const twoWorks = (sleeps: boolean) =>
    defineModel((k) => {
      const wq = k.allocWorkqueue('events')
      const a = k.initWork('a', function* (ctx) {
        if (sleeps) yield* k.msleep(ctx, 10)
        else yield* k.cpuRelax(ctx)
      })
      const b = k.initWork('b', function* (ctx) {
        yield* k.cpuRelax(ctx)
      })
      k.task('queue', { cpu: 0 }, function* (ctx) {
        wq.queueWork(ctx, a)
        wq.queueWork(ctx, b)
      })
    })
  const kworkers = (sleeps: boolean): string[] =>
    Object.values(runModel(twoWorks(sleeps)).machine.tasks)
      .map((t) => `${t.comm} ${t.state}`)
      .sort()

  it('a worker that sleeps in its work lets the pool run the next one in a second kworker (wq_worker_sleeping())', () => {
    expect(kworkers(true)).toEqual(['kworker/0:1 TASK_INTERRUPTIBLE', 'kworker/0:2 TASK_INTERRUPTIBLE'])
  })

  it('one that does not: one kworker runs both; idle kworkers are neither hung nor left to run', () => {
    expect(kworkers(false)).toEqual(['kworker/0:1 TASK_INTERRUPTIBLE'])
    expect(runModel(twoWorks(false)).outcome).toEqual({ kind: 'completed' })
  })

  it('queued work is run before the execution ends, also when the queueing task ended first', () => {
    const done: number[] = []
    const m = defineModel((k) => {
      const wq = k.allocWorkqueue('events')
      const stats = k.spinLock('stats', { runs: 0 })
      const w = k.initWork('w', function* (ctx) {
        yield* stats.withLocked(ctx, function* (_ctx, s) {
          s.runs++
          done.push(s.runs)
        })
      })
      k.task('queue', { cpu: 0 }, function* (ctx) {
        wq.queueWork(ctx, w)
      })
    })
    const r = explore(m)
    expect(r.kernels.map((k) => k.exhausted)).toEqual([true, true])
    const executions = (r.kernels[0]?.executions ?? 0) + (r.kernels[1]?.executions ?? 0)
    expect(done).toEqual(new Array<number>(executions).fill(1))
  })
})

/** A threaded irq whose thread_fn takes `cfg`; a task calls synchronize_irq() under `cfg` or after it. */
const syncIrq = (underLock: boolean, oneshot: boolean) =>
  defineModel(
    (k) => {
      const cfg = k.mutex('cfg', { n: 0 })
      const threadFn = function* (ctx: Parameters<Parameters<typeof k.requestThreadedIrq>[3]>[0]) {
        yield* cfg.withLocked(ctx, function* (_ctx, d) {
          d.n++
        })
      }
      if (oneshot) k.requestThreadedIrq(5, { cpu: 0, name: 'eth0', oneshot: true }, null, threadFn)
      else k.requestThreadedIrq(5, { cpu: 0, name: 'eth0' }, (_ctx) => wake(), threadFn)
      k.task('remove', { cpu: 1 }, function* (ctx) {
        if (underLock) {
          yield* cfg.withLocked(ctx, (ctx) => k.synchronizeIrq(ctx, 5))
        } else {
          yield* k.synchronizeIrq(ctx, 5)
          yield* cfg.withLocked(ctx, function* () {})
        }
      })
    },
    { cpus: 2, lockdep: false },
  )
function* wake() {
  return 'IRQ_WAKE_THREAD' as const
}

describe('threaded irqs', () => {
  it.each([false, true])('synchronize_irq() under the mutex thread_fn takes (oneshot %s): hung tasks on both kernels', (oneshot) => {
    const r = explore(syncIrq(true, oneshot), { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: INFO: task remove:1 blocked for more than 120 seconds.'])
    expect(titles(r, 'rt')).toEqual(['deadlock: INFO: task remove:1 blocked for more than 120 seconds.'])
    // The irq thread (irq/5-s-eth0 when RT forces the primary into irq/5-eth0) is stuck on the mutex too.
    const thread = oneshot ? 'irq/5-eth0' : 'irq/5-s-eth0'
    expect(r.kernels[1]?.counterexamples[0]?.report).toContain(`INFO: task ${thread}:`)
  })

  it.each([false, true])('valid (oneshot %s): synchronize_irq() before taking the mutex — nothing found', (oneshot) => {
    expect(clean(explore(syncIrq(false, oneshot)))).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })

  /** Two arrivals; the primary handler fails if it runs while thread_fn runs. */
  const masked = (oneshot: boolean) =>
    defineModel(
      (k) => {
        const state = { inThread: false }
        const threadFn = function* (ctx: Parameters<Parameters<typeof k.requestThreadedIrq>[3]>[0]) {
          state.inThread = true
          yield* k.msleep(ctx, 1)
          state.inThread = false
        }
        function* primary() {
          if (state.inThread) throw new Error('the line arrived while thread_fn ran')
          return 'IRQ_WAKE_THREAD' as const
        }
        if (oneshot) k.requestThreadedIrq(7, { name: 'spi', arrivals: 2, oneshot: true }, primary, threadFn)
        else k.requestThreadedIrq(7, { name: 'spi', arrivals: 2 }, primary, threadFn)
        k.task('idle', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 1, lockdep: false },
    )

  it('IRQF_ONESHOT: the line stays masked until thread_fn returns — the second arrival never meets a running thread_fn', () => {
    expect(clean(explore(masked(true)))).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })

  it('without IRQF_ONESHOT the line comes again while thread_fn sleeps', () => {
    const r = explore(masked(false), { stopOnFailure: false })
    expect(r.kernels[0]?.counterexamples.map((c) => [c.kind, c.title])).toEqual([['assertion', 'Error: the line arrived while thread_fn ran']])
  })
})
