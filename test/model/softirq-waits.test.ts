/**
 * Softirq handlers that wait in a model: on a normal kernel a softirq run at irq_exit() spins on a
 * contended spinlock_t over the interrupted code (interrupts on); on PREEMPT_RT softirqs run in
 * ksoftirqd, a task, and the handler sleeps on it (TASK_RTLOCK_WAIT).
 */
import { describe, expect, it } from 'vitest'
import { defineModel, runModel } from '../../src/index.js'
import { explore } from '../../src/exec/explore/explore.js'
import { script } from './helpers.js'

/** `holder` takes spinlock_t `s` on `holderCpu`; a device interrupt on CPU 0 raises NET_RX, whose handler takes `s`. */
const model = (holderCpu: number) =>
  defineModel(
    (k) => {
      const s = k.spinLock('s', 0)
      k.softirq(
        'NET_RX',
        function* (ctx) {
          yield* s.withLocked(ctx, function* () {})
        },
        { cpu: 0, raises: 1 },
      )
      k.task('holder', { cpu: holderCpu }, function* (ctx) {
        yield* s.withLocked(ctx, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      })
    },
    { cpus: 2, lockdep: false },
  )

const waits = (trace: readonly { event: string }[]) =>
  trace.flatMap((e) => (e.event === 'sched_wait' && 'state' in e && 'channel' in e && 'comm' in e ? [[e.comm, e.state, e.channel]] : []))

describe('a softirq handler that finds its spinlock_t taken on another CPU', () => {
  it('normal kernel: it spins in softirq context over the idle task, then takes the lock at the unlock', () => {
    const s = script(['holder', 'holder', 'softirq:3@0', 'softirqs on CPU 0', 'softirqs on CPU 0', 'holder'])
    const r = runModel(model(1), { trace: true, scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
    expect(waits(r.trace)).toEqual([['swapper/0', 'TASK_RUNNING', "spinlock_t 's'"]])
  })

  it('PREEMPT_RT: it runs in ksoftirqd/0, which sleeps on the lock (TASK_RTLOCK_WAIT) until the unlock', () => {
    const s = script(['holder', 'holder', 'softirq:3@0', 'ksoftirqd/0', 'ksoftirqd/0', 'ksoftirqd/0', 'holder'])
    const r = runModel(model(1), { preemptRt: true, trace: true, scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
    expect(waits(r.trace)).toEqual([['ksoftirqd/0', 'TASK_RTLOCK_WAIT', "spinlock_t 's'"]])
  })
})

describe('a softirq handler that takes the spinlock_t its own CPU holds (spin_lock() without _bh in the task)', () => {
  it('deadlocks only on the normal kernel: the softirq spins over the holder; on RT ksoftirqd sleeps and the holder goes on', () => {
    const r = explore(model(0), { stopOnFailure: false })
    const normal = r.kernels.find((k) => k.kernel === 'normal')
    expect(normal?.counterexamples.some((c) => c.kind === 'deadlock')).toBe(true)
    const rt = r.kernels.find((k) => k.kernel === 'rt')
    expect([rt?.exhausted, rt?.counterexamples.map((c) => c.kind)]).toEqual([true, []])
    expect(r.differences).toContain('deadlocks only on the normal kernel')
  })

  it('the valid twin: spin_lock_bh() in the task keeps the softirq out until the unlock; nothing found on either kernel', () => {
    const twin = defineModel(
      (k) => {
        const s = k.spinLock('s', 0)
        k.softirq(
          'NET_RX',
          function* (ctx) {
            yield* s.withLocked(ctx, function* () {})
          },
          { cpu: 0, raises: 1 },
        )
        k.task('holder', { cpu: 0 }, function* (ctx) {
          yield* s.withLockedBh(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
          })
        })
      },
      { cpus: 1, lockdep: false },
    )
    const r = explore(twin, { stopOnFailure: false })
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.map((c) => c.kind)])).toEqual([
      ['normal', true, []],
      ['rt', true, []],
    ])
  })
})
