/**
 * Outside audit: workqueue rules from kernel/workqueue.c.
 * - `check_flush_dependency()`: a WQ_MEM_RECLAIM work flushing work of a !WQ_MEM_RECLAIM
 *   workqueue (flush_work(), flush_workqueue()) is the WARN_ONCE "workqueue: WQ_MEM_RECLAIM %s:%ps
 *   is flushing !WQ_MEM_RECLAIM %s:%ps"; not from cancel_work_sync() (`from_cancel`), not for an
 *   idle work (`start_flush_work()` returns at `already_gone` first), not from a plain workqueue.
 * - `start_flush_work()`: the (work_completion) map only when there is something to wait for.
 * - `__queue_work()` on a destroyed workqueue: "workqueue: cannot queue %ps on wq %s".
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineModel, runModel, type ModelWork } from '../../src/index.js'

const asserts = (k: { diagnostics: readonly { kind: string }[] }): string[] =>
  k.diagnostics.flatMap((d) => ('assertion' in d && typeof d.assertion === 'string' ? [d.assertion] : []))

const RECLAIM_WARN = 'workqueue: WQ_MEM_RECLAIM reclaim_wq:&p->reclaim is flushing !WQ_MEM_RECLAIM events:&p->other'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('a WQ_MEM_RECLAIM work flushing a !WQ_MEM_RECLAIM work: check_flush_dependency()’s WARN_ONCE', () => {
    const k = createKernel({ preemptRt })
    const reclaim = k.allocWorkqueue('reclaim_wq', { memReclaim: true })
    const events = k.allocWorkqueue('events')
    const other = k.initWork('&p->other', () => 0)
    const w = k.initWork('&p->reclaim', (ctx) => {
      events.queueWork(ctx, other)
      other.flushWork(ctx)
      events.queueWork(ctx, other)
      other.flushWork(ctx) // WARN_ONCE: not again
    })
    k.run((ctx) => reclaim.queueWork(ctx, w))
    expect(asserts(k)).toEqual([RECLAIM_WARN])
    expect(k.diagnostics.map((d) => d.title)).toEqual(['WARNING: CPU: 0 PID: 2 at check_flush_dependency'])
  })

  it('flush_workqueue() of a !WQ_MEM_RECLAIM workqueue from a WQ_MEM_RECLAIM work: the same warning, target_func NULL', () => {
    const k = createKernel({ preemptRt })
    const reclaim = k.allocWorkqueue('reclaim_wq', { memReclaim: true })
    const events = k.allocWorkqueue('events')
    const w = k.initWork('&p->reclaim', (ctx) => events.flushWorkqueue(ctx))
    k.run((ctx) => reclaim.queueWork(ctx, w))
    expect(asserts(k)).toEqual(['workqueue: WQ_MEM_RECLAIM reclaim_wq:&p->reclaim is flushing !WQ_MEM_RECLAIM events:0x0'])
  })

  it('valid: the target is WQ_MEM_RECLAIM too, the flusher is a plain work or a task, cancel_work_sync(), an idle work', () => {
    const k = createKernel({ preemptRt })
    const reclaim = k.allocWorkqueue('reclaim_wq', { memReclaim: true })
    const reclaim2 = k.allocWorkqueue('reclaim2', { memReclaim: true })
    const events = k.allocWorkqueue('events')
    const other = k.initWork('&p->other', () => 0)
    const safe = k.initWork('&p->safe', () => 0)
    const fromReclaim = k.initWork('&p->reclaim', (ctx) => {
      reclaim2.queueWork(ctx, safe)
      safe.flushWork(ctx) // WQ_MEM_RECLAIM target
      events.queueWork(ctx, other)
      other.cancelWorkSync(ctx) // from_cancel
      other.flushWork(ctx) // idle: already_gone
    })
    const fromPlain = k.initWork('&p->plain', (ctx) => {
      events.queueWork(ctx, other)
      other.flushWork(ctx)
    })
    k.run((ctx) => {
      reclaim.queueWork(ctx, fromReclaim)
      events.queueWork(ctx, fromPlain)
      events.queueWork(ctx, other)
      other.flushWork(ctx)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('a kworker that sleeps lets its pool start the next work in another (wq_worker_sleeping() → kick_pool()): no false hang', () => {
    const k = createKernel({ preemptRt })
    const events = k.allocWorkqueue('events')
    const ran: string[] = []
    const other = k.initWork('other', (ctx) => void ran.push(`other ${ctx.comm}`))
    const first = k.initWork('first', (ctx) => {
      ran.push(`first ${ctx.comm}`)
      // Queued before this work started: no worker was woken for it then.
      expect(other.flushWork(ctx)).toBe(true)
      ran.push('first done')
    })
    k.run((ctx) => {
      events.queueWork(ctx, first)
      events.queueWork(ctx, other)
      other.flushWork(ctx)
    })
    expect(ran).toEqual(['first kworker/0:1', 'other kworker/0:2', 'first done'])
    expect(k.diagnostics).toEqual([])
  })

  it('flush_work() of an idle work tells lockdep nothing: no report even under the lock the work takes', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('cfg', 0)
    const wq = k.allocWorkqueue('events')
    const w = k.initWork('w', (ctx) => m.withLocked(ctx, () => 0))
    k.run((ctx) => wq.queueWork(ctx, w)) // learnt: (work_completion)w → cfg
    k.run((ctx) => m.withLocked(ctx, (c) => expect(w.flushWork(c)).toBe(false)))
    expect(k.diagnostics).toEqual([])
  })

  it('queue_work() on a destroyed workqueue: the WARN_ONCE, nothing queued', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('gone_wq')
    const w = k.initWork('w', () => 0)
    k.run((ctx) => {
      wq.destroyWorkqueue(ctx)
      expect(wq.queueWork(ctx, w)).toBe(false)
    })
    expect(w.pending).toBe(false)
    expect(k.diagnostics.map((d) => d.title)).toEqual(['WARNING: CPU: 0 PID: 1 at __queue_work'])
  })
})

describe('in a model', () => {
  it('the WQ_MEM_RECLAIM flush warning is the same op (both kernels)', () => {
    const m = defineModel(
      (k) => {
        const reclaim = k.allocWorkqueue('reclaim_wq', { memReclaim: true })
        const events = k.allocWorkqueue('events')
        const other: ModelWork = k.initWork('&p->other', function* () {})
        const w: ModelWork = k.initWork('&p->reclaim', function* (ctx) {
          events.queueWork(ctx, other)
          yield* other.flushWork(ctx)
        })
        k.task('t', { cpu: 0 }, function* (ctx) {
          reclaim.queueWork(ctx, w)
        })
      },
      { cpus: 1 },
    )
    for (const preemptRt of [false, true]) {
      const r = runModel(m, { preemptRt })
      expect(asserts(r)).toEqual([RECLAIM_WARN])
    }
  })
})
