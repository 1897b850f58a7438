/**
 * ww_mutex_lock() under kernel.run waits on the one synchronous driver (src/exec/sync-wait.ts):
 * while it sleeps what is woken on its CPU runs (schedule()), and a wait nothing ends is reported
 * as a contended mutex is (src/exec/blocked.ts): kernel/hung_task.c's title, the holder named.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, type Diagnostic } from '../../src/index.js'
import { deadlockMessage } from '../fixtures/errors.js'

const deadlockFields = (ds: readonly Diagnostic[]) => ds.flatMap((d) => (d.kind === 'deadlock' ? [{ title: d.title, lock: d.lock, holder: d.holder }] : []))

describe.each([false, true])('preemptRt=%s', (preemptRt) => {
  it('a ww_mutex held by the task below (CPU 0) on one call stack: the hung task, word for word as a mutex', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const cls = kernel.defineWwClass('crtc_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const ww = deadlockMessage(() =>
      kernel.run((ctx) =>
        cls.acquire(ctx, (ctx, actx) => {
          a.lock(ctx, actx)
          kernel.run((ctx) => cls.acquire(ctx, (ctx, actx2) => a.lock(ctx, actx2)), { cpu: 1 })
        }),
      ),
    )
    const plain = createKernel({ preemptRt, cpus: 2 })
    const m = plain.mutex('crtc_ww_class_mutex', 0)
    const mutex = deadlockMessage(() => plain.run((ctx) => m.withLocked(ctx, () => plain.run((ctx) => m.withLocked(ctx, () => 0), { cpu: 1 }))))
    expect(ww).toBe(
      "INFO: task task-2:2 blocked for more than 120 seconds.: ww_mutex 'crtc_ww_class_mutex' is held by task-1/1 on CPU 0, which cannot run until task-2 gives up CPU 1",
    )
    expect(ww).toBe(mutex.replace("mutex '", "ww_mutex '"))
    expect(deadlockFields(kernel.diagnostics)).toEqual([
      { title: 'INFO: task task-2:2 blocked for more than 120 seconds.', lock: "ww_mutex 'crtc_ww_class_mutex'", holder: { comm: 'task-1', pid: 1, cpu: 0 } },
    ])
    expect(deadlockFields(plain.diagnostics)).toEqual([
      { title: 'INFO: task task-2:2 blocked for more than 120 seconds.', lock: "mutex 'crtc_ww_class_mutex'", holder: { comm: 'task-1', pid: 1, cpu: 0 } },
    ])
    expect([a.locked, kernel.heldLocks(0), kernel.heldLocks(1)]).toEqual([false, [], []])
  })

  it('the waiter sleeps (schedule()): work woken on its CPU runs before the report, as for every synchronous wait', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const cls = kernel.defineWdClass('crtc_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const wq = kernel.allocWorkqueue('events')
    const ran: string[] = []
    const w = kernel.initWork('reset', () => void ran.push(`work with ${kernel.diagnostics.length} reports`))
    expect(() =>
      kernel.run((ctx) =>
        cls.acquire(ctx, (ctx, actx) => {
          a.lock(ctx, actx)
          kernel.run(
            (ctx) =>
              cls.acquire(ctx, (ctx, actx2) => {
                // Queued on CPU 1 while this task holds its acquire context: it does not preempt the task.
                wq.queueWork(ctx, w)
                ran.push('queued')
                return a.lock(ctx, actx2)
              }),
            { cpu: 1 },
          )
        }),
      ),
    ).toThrow(DeadlockError)
    expect(ran).toEqual(['queued', 'work with 0 reports'])
    expect(kernel.diagnostics.map((d) => d.title)).toEqual(['INFO: task task-2:2 blocked for more than 120 seconds.'])
  })
})
