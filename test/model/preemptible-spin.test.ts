/**
 * A task that busy-waits with preemption on (a seqcount reader's `cpu_relax()` loop) can be
 * preempted, as any preemptible task can (full preemption on the normal kernel, and RT): the
 * model offers the other tasks of its CPU while it spins. A spin with preemption off keeps its CPU.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, runModel } from '../../src/index.js'
import { script } from './helpers.js'

const model = (readerRaw: boolean) =>
  defineModel((k) => {
    const sc = k.seqcount('sc', { v: 0 })
    const l = k.rawSpinLock('l', {})
    // raw_write_seqcount_begin(): no preempt_disable(), so the writer can be preempted inside.
    k.task('W', { cpu: 0 }, function* (ctx) {
      yield* sc.rawWrite(ctx, function* (ctx, d) {
        yield* k.cpuRelax(ctx)
        d.v++
      })
    })
    k.task('R', { cpu: 0 }, function* (ctx) {
      if (readerRaw) {
        yield* l.withLocked(ctx, function* (ctx) {
          yield* sc.readBegin(ctx)
        })
      } else {
        yield* sc.readBegin(ctx)
      }
    })
  })

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('a preemptible reader spinning on the preempted writer: the writer is offered, runs, and the reader gets through', () => {
    const s = script(['W', 'R', 'W'])
    const r = runModel(model(false), { preemptRt, scheduler: s })
    expect(s.offered.slice(0, 3)).toEqual([['W', 'R'], ['W', 'R'], ['W']])
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })

  it('a reader spinning with preemption off (under a raw_spinlock_t) keeps its CPU: the writer never runs again — a soft lockup', () => {
    const s = script(['W', 'R', 'R'])
    const r = runModel(model(true), { preemptRt, lockdep: false, scheduler: s })
    expect(r.outcome).toEqual({ kind: 'deadlock', stuck: [{ pid: 2, comm: 'R', cpu: 0, state: 'TASK_RUNNING', channel: "seqcount_t 'sc'", inHardirq: false }] })
    expect(r.diagnostics.map((d) => d.title)).toEqual(['watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [R:2]'])
  })
})
