import { describe, expect, it } from 'vitest'
import {
  createKernel,
  DeadlockError,
  downReadInterruptible,
  downReadKillable,
  downWriteKillable,
  InvalidArgumentError,
  mutexLockInterruptible,
  mutexLockKillable,
} from '../../src/index.js'

type Loose = (...args: unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

describe.each([false, true])('interruptible and killable locking (preemptRt: %s)', (preemptRt) => {
  it('uncontended: the guard, held as mutex_lock() / down_read() / down_write() hold it', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', { n: 0 })
    const sem = kernel.rwSemaphore('mmap_lock', {})
    kernel.run((ctx) => {
      const g = mutexLockInterruptible(ctx, m)
      if (g === -4) throw new Error('no signal can arrive in kernel.run()')
      g.data.n++
      g.unlock()
      const k = mutexLockKillable(ctx, m)
      expect(k).not.toBe(-4)
      if (k !== -4) k.unlock()
      const r = downReadKillable(ctx, sem)
      expect(kernel.heldLocks(0)).toEqual(['mmap_lock'])
      if (r !== -4) r.unlock()
      const r2 = downReadInterruptible(ctx, sem)
      if (r2 !== -4) r2.unlock()
      const w = downWriteKillable(ctx, sem)
      expect(kernel.heldLocks(0)).toEqual(['mmap_lock'])
      if (w !== -4) w.unlock()
    })
    expect(kernel.diagnostics).toEqual([])
  })

  it('they might_sleep(): under a spinlock, the might-sleep report', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', {})
    const s = kernel.spinLock('s', {})
    kernel.run((ctx) =>
      s.withLocked(ctx, (ctx) => {
        const g = loose(mutexLockKillable)(ctx, m) as { unlock(): void }
        g.unlock()
      }),
    )
    expect(kernel.diagnostics.map((d) => d.kind)).toContain('sleeping-in-atomic')
  })

  it('lockdep records the acquisition before waiting: a recursive mutex_lock_interruptible() is reported, then the contention', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', {})
    expect(() =>
      kernel.run((ctx) => {
        using g = m.lock(ctx)
        loose(mutexLockInterruptible)(g.ctx, m)
      }),
    ).toThrowError(DeadlockError)
    expect(kernel.diagnostics.map((d) => d.kind)).toContain('recursive-locking')
    expect(kernel.heldLocks(0)).toEqual([])
  })

  it('the wrong lock kind is a named error, nothing taken', () => {
    const kernel = createKernel({ preemptRt })
    const s = kernel.spinLock('s', {})
    kernel.run((ctx) => {
      expect(() => loose(mutexLockInterruptible)(ctx, s)).toThrowError(InvalidArgumentError)
      expect(() => loose(downReadKillable)(ctx, {})).toThrowError(/expected a lock made by this kernel/)
    })
    expect(kernel.heldLocks(0)).toEqual([])
  })
})
