/** The waiting primitives in a model: real waiting, woken by another task, an interrupt handler, a signal. */
import { describe, expect, it } from 'vitest'
import { defineModel, interruptibleOps, runModel } from '../../src/index.js'

describe.each([false, true])('waiting in a model (preemptRt: %s)', (preemptRt) => {
  it('a task blocked in down() is woken by up() from another task: the unit is handed over (FIFO)', () => {
    const log: string[] = []
    const m = defineModel(
      (k) => {
        const sem = k.semaphore('s', 0)
        k.task('waiter', { cpu: 0 }, function* (ctx) {
          log.push('down')
          yield* sem.down(ctx)
          log.push(`got it, count ${sem.count}`)
        })
        k.task('poster', { cpu: 1 }, function* (ctx) {
          log.push('up')
          sem.up(ctx)
        })
      },
      { cpus: 2, preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(log).toEqual(['down', 'up', 'got it, count 0'])
    expect(r.diagnostics).toEqual([])
  })

  it('down() woken by up() from a hardirq handler (IRQF_NO_THREAD) on the same CPU', () => {
    const m = defineModel(
      (k) => {
        const sem = k.semaphore('s', 0)
        k.task('waiter', { cpu: 0 }, function* (ctx) {
          yield* sem.down(ctx)
        })
        k.irq(5, { cpu: 0, noThread: true }, function* (ctx) {
          sem.up(ctx)
        })
      },
      { preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })

  it('wait_for_completion() woken by complete() from a hardirq handler; the jiffies left come back', () => {
    let left = -1
    const m = defineModel(
      (k) => {
        const done = k.completion('fw')
        k.task('loader', { cpu: 0 }, function* (ctx) {
          yield* done.waitForCompletion(ctx)
          done.reinitCompletion()
          left = yield* done.waitForCompletionTimeout(ctx, 50)
        })
        k.irq(7, { cpu: 0, noThread: true, arrivals: 1 }, function* (ctx) {
          done.complete(ctx)
        })
      },
      { preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    // The second wait has nobody to complete it: its timeout ran out.
    expect(left).toBe(0)
    expect(r.diagnostics).toEqual([])
  })

  it('a missing complete() in a model: the task is stuck, the hung-task report', () => {
    const m = defineModel(
      (k) => {
        const done = k.completion('probe')
        k.task('modprobe', { cpu: 0 }, function* (ctx) {
          yield* done.waitForCompletion(ctx)
        })
      },
      { preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome.kind).toBe('deadlock')
    expect(r.diagnostics.map((d) => d.title)).toEqual(['INFO: task modprobe:1 blocked for more than 120 seconds.'])
  })

  it('wait_event(): the condition is checked before queueing, after prepare_to_wait_event() and after each wake-up; woken while still false, the task sleeps again', () => {
    const checks: number[] = []
    const m = defineModel(
      (k) => {
        const wq = k.waitQueue('rx_wait')
        const gate = k.semaphore('gate', 0)
        const ring = { ready: 0 }
        k.task('reader', { cpu: 0 }, function* (ctx) {
          yield* wq.waitEvent(ctx, () => {
            checks.push(ring.ready)
            return ring.ready >= 2
          })
        })
        k.task('nic', { cpu: 1 }, function* (ctx) {
          ring.ready = 1
          wq.wakeUp(ctx)
          yield* gate.down(ctx) // lets the reader run with the condition still false
          ring.ready = 2
          wq.wakeUp(ctx)
        })
        k.irq(9, { cpu: 1, noThread: true }, function* (ctx) {
          gate.up(ctx)
        })
      },
      { cpus: 2, preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(checks).toEqual([0, 0, 1, 1, 2])
    expect(r.diagnostics).toEqual([])
  })

  it('CondVar: wait() gives the lock up while sleeping and holds it again after notify_all()', () => {
    const seen: string[] = []
    const m = defineModel(
      (k) => {
        const inner = k.spinLock('Process::inner', { outstanding: 1 })
        const cv = k.condVar('Process::freeze_wait')
        k.task('freezer', { cpu: 0 }, function* (ctx) {
          using g = yield* inner.lock(ctx)
          while (g.data.outstanding > 0) yield* cv.wait(g)
          seen.push(`woken, outstanding ${g.data.outstanding}`)
        })
        k.task('txn', { cpu: 1 }, function* (ctx) {
          const wake = yield* inner.withLocked(ctx, function* (_ctx, d) {
            d.outstanding--
            return d.outstanding === 0
          })
          if (wake) cv.notifyAll(ctx)
        })
      },
      { cpus: 2, preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(seen).toEqual(['woken, outstanding 0'])
    expect(r.diagnostics).toEqual([])
  })

  it('a signal ends down_interruptible() with -EINTR and wait_event_interruptible() with -ERESTARTSYS; down() ignores it', () => {
    const got: number[] = []
    const m = defineModel(
      (k) => {
        const sem = k.semaphore('s', 0)
        const wq = k.waitQueue('q')
        const t = k.task('victim', { cpu: 0 }, function* (ctx) {
          got.push(yield* sem.downInterruptible(ctx))
          got.push(yield* wq.waitEventInterruptible(ctx, () => false))
          got.push(yield* sem.downKillable(ctx))
        })
        k.signal(t, 'SIGKILL')
      },
      { preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(got).toEqual([-4, -512, -4])
  })

  it('mutex_lock_interruptible() on a held mutex: a signal ends the wait with -EINTR; mutex_lock_killable() ignores SIGINT and gets the lock', () => {
    const got: (number | string)[] = []
    const m = defineModel(
      (k) => {
        const mtx = k.mutex('m', { n: 0 })
        const done = k.completion('done')
        k.task('holder', { cpu: 0 }, function* (ctx) {
          const g = yield* mtx.lock(ctx)
          yield* done.waitForCompletion(g.ctx)
          g.unlock()
        })
        const t = k.task('waiter', { cpu: 1 }, function* (ctx) {
          const r = yield* interruptibleOps.mutexLockInterruptible(ctx, mtx)
          got.push(r === -4 ? -4 : 'taken')
          done.complete(ctx)
          const r2 = yield* interruptibleOps.mutexLockKillable(ctx, mtx)
          got.push(r2 === -4 ? -4 : 'taken')
          if (r2 !== -4) r2.unlock()
        })
        k.signal(t, 'SIGINT')
      },
      { cpus: 2, preemptRt },
    )
    const r = runModel(m)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(got).toEqual([-4, 'taken'])
  })
})
