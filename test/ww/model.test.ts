/**
 * ww_mutex in the model executor, on both kernels: two tasks take two ww_mutexes of one class in
 * opposite order. The younger context backs off (-EDEADLK), sleeps on the contended lock with
 * ww_mutex_lock_slow(), takes the rest, and both finish: no deadlock — for wait-die (the younger
 * dies when it meets the older's lock) and for wound-wait (the older wounds the younger holder).
 * The same with plain mutexes is the AB-BA deadlock.
 */
import { describe, expect, it } from 'vitest'
import { type Context, defineModel, EDEADLK, type FreshTaskState, type ModelKernel, type ModelWwMutex, runModel } from '../../src/index.js'
import { abbaMutex, alternate } from '../fixtures/models.js'

type M = ModelWwMutex<'gpu_ww_class', { owner: string }>

/** What each task saw: its stamp, every ww_mutex_lock() return, and that it finished holding both. */
interface Log {
  stamp: number
  readonly returns: number[]
  done: boolean
}

const setup = (waitDie: boolean, logs: Record<'one' | 'two', Log>) => (k: ModelKernel) => {
  const cls = waitDie ? k.defineWdClass('gpu_ww_class') : k.defineWwClass('gpu_ww_class')
  const a: M = k.wwMutex(cls, { owner: '' })
  const b: M = k.wwMutex(cls, { owner: '' })
  const body = (name: 'one' | 'two', order: readonly M[]) =>
    function* (ctx: Context<FreshTaskState>) {
      const log = logs[name]
      yield* cls.acquire(ctx, function* (ctx, actx) {
        log.stamp = actx.stamp
        // The kernel's pattern (Documentation/locking/ww-mutex-design.rst): on -EDEADLK drop
        // everything, ww_mutex_lock_slow() the contended lock, then take the others again.
        let slow: M | null = null
        for (;;) {
          const held: M[] = slow === null ? [] : [slow]
          let contended: M | null = null
          for (const m of order) {
            if (m === slow) continue
            const r = yield* m.lock(ctx, actx)
            log.returns.push(r)
            if (r === -EDEADLK) {
              contended = m
              break
            }
            held.push(m)
          }
          if (contended === null) break
          for (const m of held) m.unlock(ctx)
          yield* contended.lockSlow(ctx, actx)
          slow = contended
        }
        actx.done(ctx)
        a.data.owner = name
        b.data.owner = name
        log.done = a.locked && b.locked
        b.unlock(ctx)
        a.unlock(ctx)
      })
    }
  k.task('one', { cpu: 0 }, body('one', [a, b]))
  k.task('two', { cpu: 1 }, body('two', [b, a]))
}

const freshLogs = (): Record<'one' | 'two', Log> => ({ one: { stamp: 0, returns: [], done: false }, two: { stamp: 0, returns: [], done: false } })

describe.each([false, true])('ww_mutex in a model, preemptRt=%s', (preemptRt) => {
  it.each([
    ['wait-die', true],
    ['wound-wait', false],
  ] as const)('%s: AB against BA — the younger backs off with -EDEADLK, ww_mutex_lock_slow(), both finish', (_name, waitDie) => {
    const logs = freshLogs()
    const r = runModel(defineModel(setup(waitDie, logs), { cpus: 2 }), { preemptRt, scheduler: alternate() })
    expect(r.outcome.kind).toBe('completed')
    expect(r.diagnostics).toEqual([])
    const [older, younger] = logs.one.stamp < logs.two.stamp ? [logs.one, logs.two] : [logs.two, logs.one]
    expect([older.stamp, younger.stamp]).toEqual([1, 2])
    // The older context never backs off; the younger gets -EDEADLK once, then takes both.
    expect(older.returns).toEqual([0, 0])
    expect(younger.returns).toEqual([0, -EDEADLK, 0])
    expect([older.done, younger.done]).toEqual([true, true])
  })

  it('the default scheduler (one task to its end first): no contention, no back-off', () => {
    const logs = freshLogs()
    const r = runModel(defineModel(setup(true, logs), { cpus: 2 }), { preemptRt })
    expect([r.outcome.kind, logs.one.returns, logs.two.returns]).toEqual(['completed', [0, 0], [0, 0]])
  })

  it('the same interleaving with plain mutexes is the AB-BA deadlock (the hung-task report)', () => {
    const m = abbaMutex()
    expect(runModel(m, { preemptRt, scheduler: alternate() }).outcome.kind).toBe('deadlock')
  })

  it('a forgotten yield* on ww_mutex_lock() is found', () => {
    const m = defineModel((k) => {
      const cls = k.defineWdClass('c')
      const a = k.wwMutex(cls, 0)
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* cls.acquire(ctx, function* (ctx, actx) {
          a.lock(ctx, actx)
        })
      })
    })
    const r = runModel(m, { preemptRt })
    expect(r.outcome.kind).toBe('error')
    expect(String(r.outcome.kind === 'error' ? r.outcome.error : '')).toContain('ww_mutex_lock(ctx, …)')
  })

  it('ww_mutex_lock(lock, NULL) AB against BA: no back-off, the deadlock, each waiter reported as a lock wait naming its holder', () => {
    const m = defineModel(
      (k) => {
        const cls = k.defineWdClass('gpu_ww_class')
        const a = k.wwMutex(cls, 0)
        const b = k.wwMutex(cls, 0)
        const body = (first: typeof a, second: typeof a) =>
          function* (ctx: Context<FreshTaskState>) {
            yield* first.lock(ctx, null)
            yield* second.lock(ctx, null)
          }
        k.task('one', { cpu: 0 }, body(a, b))
        k.task('two', { cpu: 1 }, body(b, a))
      },
      { cpus: 2, lockdep: false },
    )
    const r = runModel(m, { preemptRt, scheduler: alternate() })
    expect(r.outcome.kind).toBe('deadlock')
    expect(r.diagnostics.map((d) => (d.kind === 'deadlock' ? [d.title, d.lock, d.holder.comm] : [d.kind]))).toEqual([
      ['INFO: task one:1 blocked for more than 120 seconds.', "ww_mutex 'gpu_ww_class_mutex'", 'two'],
      ['INFO: task two:2 blocked for more than 120 seconds.', "ww_mutex 'gpu_ww_class_mutex'", 'one'],
    ])
    // A ww_mutex waiter is a mutex waiter (ww_mutex.h __ww_waiter_add() → __mutex_add_waiter(), which sets the
    // hung-task blocker); CONFIG_DETECT_HUNG_TASK_BLOCKER depends on !PREEMPT_RT.
    expect((r.diagnostics[0]?.report ?? '').split('\n').includes('INFO: task one:1 is blocked on a mutex likely owned by task two:2.')).toBe(!preemptRt)
  })
})
