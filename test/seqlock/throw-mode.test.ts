/** onDiagnostic: 'throw' — a report thrown from inside a sequence lock or ww_mutex operation loses nothing. */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat } from '../../src/index.js'
/** A reader's begin as an untyped caller calls it (a reader inside its own write section is a compile error). */
const looseBegin = (seq: object) => (seq as unknown as { readBegin: (ctx: unknown) => number }).readBegin

type LooseLock = (ctx: unknown, actx: unknown) => number
type LooseAcquire = (ctx: unknown, cb: (ctx: unknown, actx: unknown) => unknown) => unknown

describe.each([false, true])("onDiagnostic: 'throw', preemptRt=%s", (preemptRt) => {
  it('a lockdep report from a reader inside its own seqcount write section: the write ends, the CPU as before', () => {
    const kernel = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const sc = kernel.seqcount('sc', 0)
    expect(() => kernel.run((ctx) => ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => looseBegin(sc)(ctx))))).toThrow(KernelSplat)
    expect([sc.sequence, kernel.cpu(0).preemptCount, kernel.cpu(0).irqsDisabled, kernel.heldLocks(0)]).toEqual([2, 0, false, []])
  })

  it('a DEBUG_LOCKS_WARN_ON() thrown while taking a ww_mutex: not taken, the context unchanged', () => {
    const kernel = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const x = kernel.defineWwClass('x_class')
    const m = kernel.wwMutex(kernel.defineWwClass('y_class'), 0)
    const lock = (m as unknown as { lock: LooseLock }).lock
    let acquired = -1
    expect(() =>
      kernel.run((ctx) =>
        (x.acquire as unknown as LooseAcquire)(ctx, (ctx, actx) => {
          try {
            lock(ctx, actx)
          } finally {
            acquired = (actx as { acquired: number }).acquired
          }
        }),
      ),
    ).toThrow('DEBUG_LOCKS_WARN_ON(ww_ctx->ww_class != ww->ww_class)')
    expect([m.locked, acquired, kernel.heldLocks(0)]).toEqual([false, 0, []])
  })

  it('a second acquire context of one class: the recursive-locking splat, and the first context is released', () => {
    const kernel = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const x = kernel.defineWwClass('x_class')
    const m = kernel.wwMutex(x, 0)
    expect(() =>
      kernel.run((ctx) =>
        x.acquire(ctx, (ctx, actx) => {
          m.lock(ctx, actx)
          ;(x.acquire as unknown as LooseAcquire)(ctx, () => 0)
        }),
      ),
    ).toThrow(KernelSplat)
    expect([m.locked, kernel.heldLocks(0)]).toEqual([false, []])
  })
})
