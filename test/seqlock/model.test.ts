/**
 * Sequence locks in the model executor: a writer preempted inside its section and a reader on
 * another CPU. On a normal kernel the reader spins until the write ends; on PREEMPT_RT a reader of
 * a seqlock_t / seqcount_spinlock_t takes and drops the writer's lock instead (it sleeps on it), then
 * reads again — visible in the trace as its lock and unlock; a plain seqcount_t reader spins on both.
 */
import { describe, expect, it } from 'vitest'
import { type Choice, defineModel, type ModelKernel, runModel, type Scheduler, type TraceEvent } from '../../src/index.js'
import { alternate } from '../fixtures/models.js'

/** Runs the task named by `who()` when it can (the writer until it is inside its section, then the reader). */
const prefer = (who: () => string): Scheduler => ({
  choose(choices: readonly Choice[]): number {
    const want = who()
    const i = choices.findIndex((c) => c.kind === 'task' && c.comm === want)
    return Math.max(i, 0)
  },
})

/** The lock and unlock events of class `name` on CPU `cpu`. */
const lockEventsOn = (trace: readonly TraceEvent[], name: string, cpu: number) =>
  trace.flatMap((e) => ('name' in e && e.name === name && e.cpu === cpu && (e.event === 'lock' || e.event === 'unlock') ? [e.event] : []))

describe.each([false, true])('sequence locks in a model, preemptRt=%s', (preemptRt) => {
  it('seqlock_t: a reader meets a preempted writer — spins on a normal kernel, takes and drops the lock on RT; it reads the new value', () => {
    const seen: number[] = []
    let sequence = () => 0
    const setup = (k: ModelKernel) => {
      const sl = k.seqlock('sl', { v: 0 })
      sequence = () => sl.sequence
      k.task('writer', { cpu: 0 }, function* (ctx) {
        yield* sl.writeSeqlock(ctx, function* (ctx, d) {
          d.v = 1
          yield* k.cpuRelax(ctx) // preempted (or interleaved) inside the write section
          d.v = 2
        })
      })
      k.task('reader', { cpu: 1 }, function* (ctx) {
        seen.push(yield* sl.read(ctx, (_ctx, d) => d.v))
      })
    }
    // The writer first, until its section is open; then the reader, which finds the count odd.
    const scheduler = prefer(() => (sequence() % 2 === 1 ? 'reader' : 'writer'))
    const r = runModel(defineModel(setup, { cpus: 2, trace: true }), { preemptRt, scheduler })
    expect([r.outcome.kind, r.diagnostics]).toEqual(['completed', []])
    expect(seen).toEqual([2])
    expect(lockEventsOn(r.trace, 'sl', 0)).toEqual(['lock', 'unlock'])
    // __seqprop_spinlock_sequence(): only on RT does the reader lock (and only because it found the count odd).
    expect(lockEventsOn(r.trace, 'sl', 1)).toEqual(preemptRt ? ['lock', 'unlock'] : [])
    // It waited: spinning on the sequence (normal), sleeping on the RT spinlock (TASK_RTLOCK_WAIT).
    const waits = r.trace.flatMap((e) => (e.event === 'sched_wait' && e.cpu === 1 ? [`${e.channel} ${e.state}`] : []))
    expect(waits[0]).toBe(preemptRt ? "spinlock_t 'sl' TASK_RTLOCK_WAIT" : "seqlock_t 'sl' TASK_RUNNING")
  })

  it('a write between read_seqbegin() and read_seqretry() makes the reader run its section again', () => {
    const passes: number[] = []
    const setup = (k: ModelKernel) => {
      const sl = k.seqlock('sl', { v: 0 })
      k.task('reader', { cpu: 0 }, function* (ctx) {
        yield* sl.read(ctx, (_ctx, d) => {
          passes.push(d.v)
          return d.v
        })
      })
      k.task('writer', { cpu: 1 }, function* (ctx) {
        yield* sl.writeSeqlock(ctx, function* (_ctx, d) {
          d.v = 7
        })
      })
    }
    const r = runModel(defineModel(setup, { cpus: 2 }), { preemptRt, scheduler: alternate() })
    expect(r.outcome.kind).toBe('completed')
    expect(passes).toEqual([0, 7])
  })

  it('seqcount_spinlock_t: the RT reader takes and drops the associated lock; a normal kernel spins', () => {
    const seen: number[] = []
    let sequence = () => 0
    const setup = (k: ModelKernel) => {
      const spin = k.spinLock('l', null)
      const seq = k.seqcountSpinlock('q', spin, { v: 0 })
      sequence = () => seq.sequence
      k.task('writer', { cpu: 0 }, function* (ctx) {
        yield* spin.withLocked(ctx, function* (ctx) {
          yield* seq.write(ctx, function* (ctx, d) {
            d.v = 1
            yield* k.cpuRelax(ctx)
            d.v = 2
          })
        })
      })
      k.task('reader', { cpu: 1 }, function* (ctx) {
        seen.push(yield* seq.read(ctx, (_ctx, d) => d.v))
      })
    }
    const scheduler = prefer(() => (sequence() % 2 === 1 ? 'reader' : 'writer'))
    const r = runModel(defineModel(setup, { cpus: 2, trace: true }), { preemptRt, scheduler })
    expect([r.outcome.kind, r.diagnostics, seen]).toEqual(['completed', [], [2]])
    expect(lockEventsOn(r.trace, 'l', 1)).toEqual(preemptRt ? ['lock', 'unlock'] : [])
  })

  it('seqcount_raw_spinlock_t: the reader spins on both kernels (raw_spinlock_t is not preemptible)', () => {
    const seen: number[] = []
    let sequence = () => 0
    const setup = (k: ModelKernel) => {
      const raw = k.rawSpinLock('l_raw', null)
      const seq = k.seqcountRawSpinlock('q', raw, { v: 0 })
      sequence = () => seq.sequence
      k.task('writer', { cpu: 0 }, function* (ctx) {
        yield* raw.withLocked(ctx, function* (ctx) {
          yield* seq.write(ctx, function* (ctx, d) {
            d.v = 1
            yield* k.cpuRelax(ctx)
            d.v = 2
          })
        })
      })
      k.task('reader', { cpu: 1 }, function* (ctx) {
        seen.push(yield* seq.read(ctx, (_ctx, d) => d.v))
      })
    }
    const scheduler = prefer(() => (sequence() % 2 === 1 ? 'reader' : 'writer'))
    const r = runModel(defineModel(setup, { cpus: 2, trace: true }), { preemptRt, scheduler })
    expect([r.outcome.kind, r.diagnostics, seen]).toEqual(['completed', [], [2]])
    expect(lockEventsOn(r.trace, 'l_raw', 1)).toEqual([])
    const waits = r.trace.flatMap((e) => (e.event === 'sched_wait' && e.cpu === 1 ? [`${e.channel} ${e.state}`] : []))
    expect(waits[0]).toBe("seqcount_raw_spinlock_t 'q' TASK_RUNNING")
  })
})
