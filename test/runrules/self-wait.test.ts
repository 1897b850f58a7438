/**
 * Waiting for yourself, at run time (type-tests/runrules-self-wait.test-d.ts is the compile-time
 * half; docs/SEMANTICS.md §26): timer_delete_sync(), flush_work(), cancel_work_sync(),
 * hrtimer_cancel(), synchronize_irq() / disable_irq() / free_irq() from the object's own callback
 * — lockdep's recursive map where the kernel has one, then the wait that never ends — and
 * hrtimer_cancel() of a timer RT expires in softirq, waiting from atomic context. Each with its
 * nearest valid pattern.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, type Diagnostic } from '../../src/index.js'

type Loose = (...args: unknown[]) => unknown
/** An untyped caller's view of a method the types refuse here. */
const loose = <O extends object>(o: O, key: keyof O & string): Loose => {
  const f = o[key]
  if (typeof f !== 'function') throw new Error(`${key} is not a method`)
  return (...args) => (f as Loose).apply(o, args)
}
const kinds = (ds: readonly Diagnostic[]): string[] => ds.map((d) => d.kind)

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it.each(['timerDeleteSync', 'timerShutdownSync', 'delTimerSync'] as const)('%s from its own timer callback: the recursive map, then the wait', (op) => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('&priv->watchdog', (ctx, timer) => void loose(timer, op)(ctx))
    k.run((ctx) => t.modTimer(ctx, 1))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('&priv->watchdog')
  })

  it('valid: timer_delete() from its own callback, another timer deleted synchronously there', () => {
    const k = createKernel({ preemptRt })
    const other = k.timerSetup('other', () => 0)
    const t = k.timerSetup('self', (ctx, timer) => {
      timer.timerDelete(ctx)
      other.timerDeleteSync(ctx)
    })
    k.run((ctx) => {
      t.modTimer(ctx, 1)
      other.modTimer(ctx, 5)
    })
    k.advance(1)
    expect(other.pending).toBe(false)
    expect(k.diagnostics).toEqual([])
  })

  it.each(['flushWork', 'cancelWorkSync'] as const)('%s from its own work: recursive locking on (work_completion), then the wait', (op) => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const w = k.initWork('w', (ctx) => void loose(w, op)(ctx))
    expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
    expect(k.diagnostics[0]?.report).toContain('(work_completion)w')
  })

  it('cancel_work_sync() from its own WQ_BH work: recursive locking, then a spin in the softirq', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events_bh', { bh: true })
    const w = k.initWork('w', (ctx) => void loose(w, 'cancelWorkSync')(ctx), { bh: true })
    expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
  })

  it.each(['cancelDelayedWorkSync', 'flushDelayedWork'] as const)('%s from its own delayed work', (op) => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const poll = k.initDelayedWork('poll', (ctx) => void loose(poll, op)(ctx))
    k.run((ctx) => wq.queueDelayedWork(ctx, poll, 1))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['recursive-locking', 'wait-forever'])
  })

  it('valid: cancel_work() and a requeue from its own work; flush_work() of another work', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const idle = k.initWork('idle', () => 0)
    let runs = 0
    const w = k.initWork('w', (ctx) => {
      runs++
      idle.flushWork(ctx)
      if (runs === 1) wq.queueWork(ctx, w)
      else w.cancelWork(ctx)
    })
    k.run((ctx) => {
      wq.queueWork(ctx, w)
      w.flushWork(ctx)
    })
    expect(runs).toBe(2)
    expect(k.diagnostics).toEqual([])
  })

  it.each(['HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_SOFT', 'HRTIMER_MODE_REL_HARD'] as const)(
    'hrtimer_cancel() from its own callback (%s): the wait that never ends',
    (mode) => {
      const k = createKernel({ preemptRt })
      const t = k.hrtimerSetup(
        'h',
        (ctx, timer) => {
          loose(timer, 'hrtimerCancel')(ctx)
          return 'HRTIMER_NORESTART'
        },
        mode,
      )
      k.run((ctx) => t.hrtimerStart(ctx, 1, mode))
      expect(() => k.advance(1)).toThrow(DeadlockError)
      expect(kinds(k.diagnostics)).toEqual(['wait-forever'])
    },
  )

  it('valid: hrtimer_try_to_cancel() from its own callback returns -1', () => {
    const k = createKernel({ preemptRt })
    const seen: number[] = []
    const t = k.hrtimerSetup(
      'h',
      (ctx, timer) => {
        seen.push(timer.hrtimerTryToCancel(ctx))
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    k.run((ctx) => t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
    k.advance(1)
    expect(seen).toEqual([-1])
    expect(k.diagnostics).toEqual([])
  })

  it.each(['synchronizeIrq', 'disableIrq', 'freeIrq'] as const)('%s(5) from the thread function of irq 5: its own thread never ends', (op) => {
    const k = createKernel({ preemptRt })
    k.requestThreadedIrq(
      5,
      'eth0',
      () => 'IRQ_WAKE_THREAD',
      (ctx) => void loose(k, op)(ctx, 5),
    )
    expect(() => k.raiseIrq(5)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['wait-forever'])
    expect(k.diagnostics[0]?.title).toMatch(/^INFO: task irq\/5-(s-)?eth0:\d+ blocked for more than 120 seconds\.$/)
  })

  it('valid: synchronize_irq() of another line and disable_irq_nosync() of its own, from thread_fn', () => {
    const k = createKernel({ preemptRt })
    k.requestThreadedIrq(
      6,
      'spi',
      () => 'IRQ_WAKE_THREAD',
      () => 0,
    )
    k.requestThreadedIrq(
      5,
      'eth0',
      () => 'IRQ_WAKE_THREAD',
      (ctx) => {
        k.synchronizeIrq(ctx, 6)
        k.disableIrqNosync(ctx, 5)
      },
    )
    k.raiseIrq(5)
    k.run((ctx) => k.enableIrq(ctx, 5))
    expect(k.diagnostics).toEqual([])
  })
})

describe('hrtimer_cancel() of a timer that expires in softirq on PREEMPT_RT, while its callback runs', () => {
  it('from a hard interrupt over the callback: spin_lock_bh(softirq_expiry_lock) sleeps in atomic context on RT', () => {
    const k = createKernel({ preemptRt: true })
    const t = k.hrtimerSetup(
      'h',
      (ctx) => {
        ctx.raiseIrq(6)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    k.requestIrq(6, 'tick', (ctx) => void loose(t, 'hrtimerCancel')(ctx), { noThread: true })
    k.run((ctx) => t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
    expect(() => k.advance(1)).toThrow(DeadlockError)
    expect(kinds(k.diagnostics)).toEqual(['sleeping-in-atomic', 'wait-forever'])
    expect(k.diagnostics[0]).toMatchObject({ title: 'BUG: sleeping function called from invalid context', what: 'spin_lock_bh(softirq_expiry_lock)' })
  })

  it('normal kernel, the same program: the default-mode callback runs in hardirq, so the handler runs after it — nothing to wait for', () => {
    const k = createKernel()
    const t = k.hrtimerSetup(
      'h',
      (ctx) => {
        ctx.raiseIrq(6)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL',
    )
    k.requestIrq(6, 'tick', (ctx) => void loose(t, 'hrtimerCancel')(ctx), { noThread: true })
    k.run((ctx) => t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL'))
    k.advance(1)
    expect(k.diagnostics).toEqual([])
  })

  it('valid on both kernels: a _HARD timer cancelled from a hard interrupt is waited for with cpu_relax()', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt })
      const t = k.hrtimerSetup('h', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL_HARD')
      k.requestIrq(6, 'tick', (ctx) => void t.hrtimerCancel(ctx), { noThread: true })
      k.run((ctx) => {
        t.hrtimerStart(ctx, 5, 'HRTIMER_MODE_REL_HARD')
        ctx.raiseIrq(6)
      })
      expect(t.active).toBe(false)
      expect(k.diagnostics).toEqual([])
    }
  })
})
