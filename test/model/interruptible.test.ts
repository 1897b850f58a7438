import { describe, expect, it } from 'vitest'
import { defineModel, runModel, type Signal } from '../../src/index.js'
import { lockRuntimeOf } from '../../src/locks/api.js'
import type { SleepState } from '../../src/locks/lock.js'
import { ScopeContext } from '../../src/exec/scope.js'
import { script } from './helpers.js'

/**
 * The seam the sleepers' mutex_lock_interruptible()/_killable() use (LockRuntime.lockGuardWaitOp):
 * holder takes m and sleeps; waiter waits for m in `state`; killer sends `sig`.
 */
const model = (state: SleepState, sig: Signal, kind: 'mutex' | 'rwSemaphore' = 'mutex') =>
  defineModel(
    (k) => {
      const m = kind === 'mutex' ? k.mutex('m', 0) : k.rwSemaphore('m', 0)
      const results: string[] = []
      k.task('holder', { cpu: 0 }, function* (ctx) {
        using g = yield* m.lock(ctx)
        yield* k.msleep(g.ctx, 10)
      })
      const waiter = k.task('waiter', { cpu: 1 }, function* (ctx) {
        const runtime = lockRuntimeOf(m)
        if (runtime === undefined) throw new Error('no runtime')
        const ops = runtime.compile('lock_interruptible', 'plain', 'write', true)
        const g = yield* runtime.lockGuardWaitOp(ScopeContext.from(ctx, 'test'), ops, state)
        results.push(g === null ? '-EINTR' : 'taken')
        g?.unlock()
      })
      k.task('killer', { cpu: 2 }, function* () {
        k.signal(waiter, sig)
        yield* []
      })
      k.task('report', { cpu: 2 }, function* () {
        yield* []
        throw new Error(results.join(','))
      })
    },
    { cpus: 3 },
  )

const ORDER = ['holder', 'holder', 'waiter', 'waiter', 'killer']

describe('interruptible and killable lock waits (the seam for mutex_lock_interruptible/_killable)', () => {
  it('TASK_INTERRUPTIBLE: any signal ends the wait with -EINTR, and the waiter holds nothing', () => {
    const r = runModel(model('TASK_INTERRUPTIBLE', 'SIGTERM'), { scheduler: script([...ORDER, 'waiter', 'report']) })
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('-EINTR')
    expect(r.machine.tasks[2]).toBeUndefined()
    expect(r.machine.cpus[1]?.preemptCount).toBe(0)
  })

  it('TASK_KILLABLE: SIGTERM does not end it; the unlock does', () => {
    const s = script([...ORDER])
    const r = runModel(model('TASK_KILLABLE', 'SIGTERM'), { scheduler: s })
    // After the signal the waiter is still asleep: CPU 1 offers nothing until the holder's timer and unlock.
    expect(s.offered[5]).toEqual(['holder', 'report'])
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('taken')
  })

  it('TASK_KILLABLE: SIGKILL ends it with -EINTR (down_write_killable on an rw_semaphore too)', () => {
    for (const kind of ['mutex', 'rwSemaphore'] as const) {
      const r = runModel(model('TASK_KILLABLE', 'SIGKILL', kind), { scheduler: script([...ORDER, 'waiter', 'report']) })
      expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('-EINTR')
    }
  })

  it('TASK_UNINTERRUPTIBLE (mutex_lock): no signal ends it', () => {
    const r = runModel(model('TASK_UNINTERRUPTIBLE', 'SIGKILL'), { scheduler: script([...ORDER]) })
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('taken')
  })

  it('a signal pending before the wait begins ends it at once (signal_pending_state() before schedule())', () => {
    const r = runModel(model('TASK_INTERRUPTIBLE', 'SIGINT'), { scheduler: script(['holder', 'holder', 'killer', 'waiter', 'waiter', 'waiter', 'report']) })
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('-EINTR')
  })
})
