import { describe, expect, it } from 'vitest'
import { createKernel, DoubleUnlockError, InvalidArgumentError, StaleContextError } from '../../src/index.js'

type Loose = (...args: unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

describe.each([false, true])('Guard.doUnlocked() and CondVar (preemptRt: %s)', (preemptRt) => {
  it('doUnlocked(): the lock is released around the callback (its context has the outer state) and re-taken the same way', () => {
    const kernel = createKernel({ preemptRt })
    const inner = kernel.spinLock('Process::inner', { n: 0 })
    kernel.run((ctx) => {
      using g = inner.lockIrqSave(ctx)
      expect(kernel.heldLocks(0)).toEqual(['Process::inner'])
      const irqsInside = kernel.cpu(0).irqsDisabled
      const r = g.doUnlocked((c) => {
        expect(kernel.heldLocks(0)).toEqual([])
        expect(kernel.cpu(0).irqsDisabled).toBe(false)
        expect(() => g.ctx.cpuId).not.toThrow()
        expect(() => g.ctx.raiseSoftirq('TASKLET')).toThrowError(StaleContextError)
        c.msleep(5)
        return 7
      })
      expect(r).toBe(7)
      expect(kernel.heldLocks(0)).toEqual(['Process::inner'])
      expect(kernel.cpu(0).irqsDisabled).toBe(irqsInside)
      g.data.n++
    })
    expect(kernel.clockMs).toBe(5)
    expect(kernel.diagnostics).toEqual([])
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })

  it('doUnlocked() re-takes the lock when the callback throws; the callback’s error wins', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', {})
    kernel.run((ctx) => {
      using g = m.lock(ctx)
      expect(() =>
        g.doUnlocked(() => {
          throw new Error('boom')
        }),
      ).toThrowError('boom')
      expect(kernel.heldLocks(0)).toEqual(['m'])
    })
    expect(kernel.heldLocks(0)).toEqual([])
  })

  it('doUnlocked() on a guard that is not the innermost scope is refused (nothing changes)', () => {
    const kernel = createKernel({ preemptRt })
    const a = kernel.mutex('a', {})
    const b = kernel.mutex('b', {})
    kernel.run((ctx) => {
      using ga = a.lock(ctx)
      using _gb = b.lock(ga.ctx)
      expect(() => ga.doUnlocked(() => 0)).toThrowError(/an inner scope is running/)
      expect(kernel.heldLocks(0)).toEqual(['a', 'b'])
    })
  })

  it('local_interrupt_disable()’s guard holds no lock: doUnlocked() is a named error', () => {
    const kernel = createKernel({ preemptRt })
    kernel.run((ctx) => {
      using g = ctx.localInterruptDisable()
      expect(() => loose(Reflect.get(g, 'doUnlocked')).call(g, () => 0)).toThrowError(InvalidArgumentError)
    })
  })

  it('CondVar.wait() with nobody to notify: the lock is given up, then the hung-task report; the guard holds its lock again', () => {
    const kernel = createKernel({ preemptRt })
    const inner = kernel.spinLock('Process::inner', { frozen: false })
    const cv = kernel.condVar('Process::freeze_wait')
    let heldAfter: readonly string[] = []
    expect(() =>
      kernel.run(
        (ctx) => {
          using g = inner.lock(ctx)
          try {
            cv.wait(g)
          } finally {
            heldAfter = kernel.heldLocks(0)
          }
        },
        { comm: 'binder' },
      ),
    ).toThrowError(/^INFO: task binder:\d+ blocked for more than 120 seconds\.: CondVar 'Process::freeze_wait' can never be woken/)
    expect(heldAfter).toEqual(['Process::inner'])
    expect(kernel.heldLocks(0)).toEqual([])
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })

  it('CondVar.waitInterruptibleTimeout(): Timeout after the clock ran; wait_interruptible() never sees a signal here', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', {})
    const cv = kernel.condVar('cv')
    kernel.run((ctx) => {
      using g = m.lock(ctx)
      expect(cv.waitInterruptibleTimeout(g, 25)).toEqual({ tag: 'Timeout' })
      expect(kernel.heldLocks(0)).toEqual(['m'])
      cv.notifyOne(g.ctx)
      cv.notifyAll(g.ctx)
      cv.notifySync(g.ctx)
    })
    expect(kernel.clockMs).toBe(25)
    expect(kernel.diagnostics).toEqual([])
  })

  // CondVar::wait() is schedule_timeout() under do_unlocked(), no might_sleep(): schedule() reports.
  it('CondVar.wait() while another spinning lock is held: scheduling while atomic (RT: the RCU warning) at the sleep', () => {
    const kernel = createKernel({ preemptRt })
    const outer = kernel.spinLock('outer', {})
    const inner = kernel.spinLock('inner', {})
    const cv = kernel.condVar('cv')
    kernel.run((ctx) =>
      outer.withLocked(ctx, (ctx) => {
        using g = inner.lock(ctx)
        loose(cv.waitInterruptibleTimeout)(g, 1)
      }),
    )
    const d = kernel.diagnostics.filter((x) => x.kind === (preemptRt ? 'kernel-warning' : 'scheduling-while-atomic'))
    expect(d.map((x) => x.report.split('\n')[0])).toEqual([
      preemptRt
        ? 'WARNING: kernel/rcu/tree_plugin.h at rcu_note_context_switch(): Voluntary context switch within RCU read-side critical section!'
        : 'BUG: scheduling while atomic: task-1/1/0x00000002',
    ])
    expect(d[0]?.heldLocks).toEqual(['outer'])
  })

  it('lockdep sees the order guard lock → the CondVar’s wait queue lock (prepare_to_wait_exclusive() under the guard)', () => {
    const kernel = createKernel({ preemptRt })
    const inner = kernel.spinLock('inner', {})
    const cv = kernel.condVar('cv')
    kernel.run((ctx) => {
      using g = inner.lock(ctx)
      cv.waitInterruptibleTimeout(g, 1)
    })
    // cv's class has a backward dependency (BD ≥ 1): a lock held when it was taken.
    expect(kernel.readProc('/proc/lockdep')).toMatch(/BD:\s+[1-9]\d* \S+: cv\n/)
  })

  it('bad arguments are named errors', () => {
    const kernel = createKernel({ preemptRt })
    const cv = kernel.condVar('cv')
    expect(() => loose(cv.wait)({})).toThrowError(InvalidArgumentError)
    expect(() => kernel.condVar('')).toThrowError(InvalidArgumentError)
    const m = kernel.mutex('m', {})
    kernel.run((ctx) => {
      const g = m.lock(ctx)
      g.unlock()
      expect(() => loose(cv.wait)(g)).toThrowError(StaleContextError)
      expect(() => g.unlock()).toThrowError(DoubleUnlockError)
    })
  })
})
