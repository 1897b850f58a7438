/**
 * A lock's write record is made once and reused by every write acquisition (a fresh record per
 * acquisition would cost a write barrier on the hot path). These tests pin that reuse never
 * shows: a stale guard cannot touch a later holder's record, a failed recursive attempt leaves
 * the held record as it was, and out-of-order drops keep lockdep's chains right.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { DeadlockError, DoubleUnlockError } from '../../src/errors.js'

describe('the reused write record', () => {
  it('a stale guard unlocked again after the lock was re-taken leaves the new holder alone', () => {
    const k = createKernel()
    const a = k.spinLock('a', { n: 0 })
    k.run((ctx) => {
      const first = a.lock(ctx)
      first.unlock()
      const second = a.lock(ctx)
      expect(() => first.unlock()).toThrow(DoubleUnlockError)
      expect(second.held).toBe(true)
      expect(k.heldLocks()).toEqual(['a'])
      expect(k.cpu(0).preemptCount).toBe(1)
      second.unlock()
    })
    expect(k.heldLocks()).toEqual([])
    expect(k.cpu(0).preemptCount).toBe(0)
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['bad-unlock-balance'])
  })

  it('a recursive attempt on a held lock (keepGoing) leaves the held record, owner and counts as they were', () => {
    const k = createKernel({ lockdep: { keepGoing: true } })
    const a = k.spinLock('a', { n: 0 })
    const b = k.spinLock('b', { n: 0 })
    k.run((ctx) => {
      using ga = a.lockIrqSave(ctx)
      using gb = b.lock(ga.ctx)
      const again = a.lock as unknown as (c: unknown) => unknown
      expect(() => again(gb.ctx)).toThrow(DeadlockError)
      expect(k.heldLocks()).toEqual(['a', 'b'])
      expect(k.cpu(0).irqsDisabled).toBe(true)
    })
    expect(k.heldLocks()).toEqual([])
    expect(k.cpu(0).irqsDisabled).toBe(false)
    expect(k.cpu(0).preemptCount).toBe(0)
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['recursive-locking', 'deadlock'])
  })

  it('taken again after an out-of-order drop, a lock gets a correct record and chain', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => {
      const ga = a.lock(ctx)
      const gb = b.lock(ga.ctx)
      ga.unlock() // out of order: b's chain is recomputed without a
      expect(k.heldLocks()).toEqual(['b'])
      // gb.ctx's type still says 'a' is held (types follow scopes); at run time it no longer is.
      const lockA = a.lock as unknown as (c: unknown) => { unlock(): void }
      const ga2 = lockA(gb.ctx) // b -> a: a cycle with a -> b
      ga2.unlock()
      gb.unlock()
    })
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['circular-dependency'])
    expect(k.heldLocks()).toEqual([])
  })

  it('readers get records of their own; the write record is not shared with them', () => {
    // RT: rwlock_t readers are recursive, so two nested readers are fine for lockdep too.
    const k = createKernel({ preemptRt: true })
    const rw = k.rwLock('rw', { n: 0 })
    k.run((ctx) => {
      rw.withWrite(ctx, () => undefined)
      // Recursive reads are a compile error (portable rule); this is the RT runtime's view of them.
      const readAgain = rw.withRead as unknown as (c: unknown, cb: () => void) => void
      rw.withRead(ctx, (c) => readAgain(c, () => expect(k.heldLocks()).toEqual(['rw', 'rw'])))
      rw.withWrite(ctx, () => expect(k.heldLocks()).toEqual(['rw']))
    })
    expect(k.heldLocks()).toEqual([])
    expect(k.diagnostics).toEqual([])
  })
})
