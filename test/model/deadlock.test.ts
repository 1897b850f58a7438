import { describe, expect, it } from 'vitest'
import { defineModel, runModel } from '../../src/index.js'
import { script } from './helpers.js'
import { ABBA_INTERLEAVE, abbaMutex, abbaSpin } from '../fixtures/models.js'

describe('deadlock = nothing can make progress', () => {
  it('ABBA of spinlock_t on a normal kernel, lockdep off: both CPUs spin with interrupts on — two soft lockups', () => {
    const r = runModel(abbaSpin(), { scheduler: script(ABBA_INTERLEAVE) })
    expect(r.outcome).toEqual({
      kind: 'deadlock',
      stuck: [
        { pid: 1, comm: 'one', cpu: 0, state: 'TASK_RUNNING', channel: "spinlock_t 'b'", inHardirq: false },
        { pid: 2, comm: 'two', cpu: 1, state: 'TASK_RUNNING', channel: "spinlock_t 'a'", inHardirq: false },
      ],
    })
    expect(r.diagnostics.map((d) => d.title)).toEqual([
      'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [one:1]',
      'watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [two:2]',
    ])
    expect(r.diagnostics[0]?.report).toContain("one/1 spins on spinlock_t 'b', held by two/2 (CPU 1), and nothing can make progress")
  })

  it('ABBA with spin_lock_irqsave on a normal kernel: the CPUs spin with interrupts off — two hard lockups', () => {
    const r = runModel(abbaSpin({ irqsave: true }), { scheduler: script(ABBA_INTERLEAVE) })
    expect(r.outcome.kind).toBe('deadlock')
    expect(r.diagnostics.map((d) => d.title)).toEqual([
      'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0',
      'watchdog: CPU1: Watchdog detected hard LOCKUP on cpu 1',
    ])
  })

  it('ABBA of spinlock_t on PREEMPT_RT: both sleep in TASK_RTLOCK_WAIT, which the hung-task detector does not watch', () => {
    const r = runModel(abbaSpin(), { preemptRt: true, scheduler: script(ABBA_INTERLEAVE) })
    expect(r.outcome.kind).toBe('deadlock')
    expect(r.diagnostics.map((d) => d.title)).toEqual([
      'lockproof: task one:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)',
      'lockproof: task two:2 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)',
    ])
  })

  for (const rt of [false, true]) {
    it(`ABBA of mutexes (${rt ? 'PREEMPT_RT' : 'normal'}): the hung-task report for each`, () => {
      const r = runModel(abbaMutex(), { preemptRt: rt, scheduler: script(ABBA_INTERLEAVE) })
      expect(r.outcome.kind).toBe('deadlock')
      expect(r.diagnostics.map((d) => d.title)).toEqual([
        'INFO: task one:1 blocked for more than 120 seconds.',
        'INFO: task two:2 blocked for more than 120 seconds.',
      ])
      const lines = (r.diagnostics[0]?.report ?? '').split('\n')
      expect(lines.slice(0, 3)).toEqual([
        'INFO: task one:1 blocked for more than 120 seconds.',
        '      Not tainted lockproof',
        '"echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.',
      ])
      // CONFIG_DETECT_HUNG_TASK_BLOCKER depends on !PREEMPT_RT.
      expect(lines.includes('INFO: task one:1 is blocked on a mutex likely owned by task two:2.')).toBe(!rt)
      expect(Object.values(r.machine.tasks).map((t) => [t.comm, t.state, t.waitChannelKind])).toEqual([
        ['one', 'TASK_UNINTERRUPTIBLE', 'mutex'],
        ['two', 'TASK_UNINTERRUPTIBLE', 'mutex'],
      ])
    })
  }

  it('a reader waiting on an rw_semaphore a writer holds forever: the hung-task report names both sides (normal kernel)', () => {
    const m = defineModel(
      (k) => {
        const sem = k.rwSemaphore('mmap_lock', 0)
        const done = k.mutex('never', 0)
        k.task('writer', { cpu: 0 }, function* (ctx) {
          yield* sem.withWrite(ctx, function* (ctx) {
            // Takes a mutex the reader holds: ABBA with the semaphore.
            yield* done.withLocked(ctx, function* () {})
          })
        })
        k.task('reader', { cpu: 1 }, function* (ctx) {
          yield* done.withLocked(ctx, function* (ctx) {
            yield* sem.withRead(ctx, function* () {})
          })
        })
      },
      { cpus: 2, lockdep: false },
    )
    const r = runModel(m, { scheduler: script(['writer', 'writer', 'reader', 'reader', 'writer', 'reader']) })
    const reader = r.diagnostics.find((d) => d.task === 'reader')
    expect(reader?.report.split('\n')).toContain('INFO: task reader:2 <reader> blocked on an rw-semaphore likely owned by task writer:1 <writer>')
    expect(r.diagnostics.find((d) => d.task === 'writer')?.report.split('\n')).toContain(
      'INFO: task writer:1 is blocked on a mutex likely owned by task reader:2.',
    )
  })

  it('the same ABBA with lockdep on: lockdep predicts it before the CPUs deadlock', () => {
    const m = abbaMutex()
    const r = runModel(m, { lockdep: true, scheduler: script(ABBA_INTERLEAVE) })
    expect(r.diagnostics.map((d) => d.kind)).toEqual(['circular-dependency', 'deadlock', 'deadlock'])
  })

  it('the default scheduler runs one task to its end first: no deadlock', () => {
    expect(runModel(abbaMutex()).outcome).toEqual({ kind: 'completed' })
  })
})

describe('the same-CPU case: a handler spinning on a lock its CPU holds', () => {
  const model = defineModel((k) => {
    const a = k.spinLock('a', { n: 0 })
    k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
      yield* a.withLocked(ctx, function* (_ctx, d) {
        d.n++
      })
    })
    k.task('t', { cpu: 0 }, function* (ctx) {
      yield* a.withLocked(ctx, function* (ctx, d) {
        yield* k.cpuRelax(ctx)
        d.n++
      })
    })
  })

  it('normal kernel: the interrupt arrives inside spin_lock() — spinlock recursion, reported at once', () => {
    const r = runModel(model, {
      lockdep: false,
      scheduler: script(['t', 't', 'irq:5@0', 'eth0-step', 'eth0-step'].map((n) => (n === 'eth0-step' ? 'irq 5 handler eth0' : n))),
    })
    expect(r.outcome).toEqual({ kind: 'deadlock', stuck: [{ pid: 1, comm: 't', cpu: 0, state: 'TASK_RUNNING', channel: "spinlock_t 'a'", inHardirq: true }] })
    expect(r.diagnostics.map((d) => d.title)).toEqual(['BUG: spinlock recursion on CPU#0, t/1'])
  })

  it('PREEMPT_RT: the handler is threaded; its thread waits for the lock and gets it', () => {
    const r = runModel(model, { preemptRt: true, lockdep: false, trace: true, scheduler: script(['t', 't', 'irq:5@0', 'irq/5-eth0', 'irq/5-eth0']) })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })
})
