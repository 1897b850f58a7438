/**
 * A section that throws: the error comes out unchanged, every lock on the way out is released
 * with its unlock steps, the CPU is as it was, and the locks work again. A section that returns a
 * Promise is refused after it has been undone.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, PromiseInScopeError, type Context, type Kernel, type FreshTaskState } from '../../src/index.js'
import { loose } from './helpers.js'

/** One lock of every kind, nested in an order valid on both kernels, outermost first. */
const allKinds = (k: Kernel) => ({
  m: k.mutex('m', { n: 0 }),
  sem: k.rwSemaphore('sem', { n: 0 }),
  bh: k.spinLock('bh', { n: 0 }),
  rw: k.rwLock('rw', { n: 0 }),
  ll: k.localLock('ll', (cpu) => ({ cpu, n: 0 })),
  sli: k.spinLockIrq('sli', { n: 0 }),
  raw: k.rawSpinLock('raw', { n: 0 }),
})

const NAMES = ['m', 'sem', 'bh', 'rw', 'll', 'sli', 'raw'] as const

/**
 * mutex → down_read → spin_lock_bh → write_lock_irq → local_lock_irqsave → SpinLockIrq →
 * raw_spin_lock_irqsave; `fail(depth, held)` runs at each depth (1..7) and may throw.
 */
const nest = (ctx: Context<FreshTaskState>, l: ReturnType<typeof allKinds>, k: Kernel, fail: (depth: number) => void): string =>
  l.m.withLocked(ctx, (c1) => {
    fail(1)
    return l.sem.withRead(c1, (c2) => {
      fail(2)
      return l.bh.withLockedBh(c2, (c3) => {
        fail(3)
        return l.rw.withWriteIrq(c3, (c4) => {
          fail(4)
          return l.ll.withLockedIrqSave(c4, (c5) => {
            fail(5)
            return l.sli.withLocked(c5, (c6) => {
              fail(6)
              return l.raw.withLockedIrqSave(c6, (_c7, d) => {
                d.n++
                fail(7)
                return k.heldLocks().join(',')
              })
            })
          })
        })
      })
    })
  })

describe.each([false, true])('a throwing section, preemptRt=%s', (preemptRt) => {
  it.each([1, 2, 3, 4, 5, 6, 7])('thrown at depth %i: same error, CPU as before, nothing held, locks usable again', (depth) => {
    const k = createKernel({ preemptRt })
    const l = allKinds(k)
    const boom = new Error(`boom at ${depth}`)
    const heldAtThrow: string[][] = []
    const kernelBefore = k.snapshot()
    let caught: unknown
    let taskBefore: unknown
    let taskAfter: unknown
    let heldAfter: readonly string[] = ['?']
    k.run((ctx) => {
      taskBefore = k.snapshot()
      try {
        nest(ctx, l, k, (d) => {
          if (d === depth) {
            heldAtThrow.push([...k.heldLocks()])
            throw boom
          }
        })
      } catch (e) {
        caught = e
      }
      taskAfter = k.snapshot()
      heldAfter = k.heldLocks()
    })
    expect(caught).toBe(boom)
    expect(heldAtThrow).toEqual([NAMES.slice(0, depth)])
    expect(taskAfter).toEqual(taskBefore)
    expect(heldAfter).toEqual([])
    expect(k.snapshot()).toEqual(kernelBefore)
    expect(k.heldLocks()).toEqual([])
    expect(k.diagnostics).toEqual([])

    // Everything can be taken again, without reports (no stale owner, no stale held entry).
    const again = k.run((ctx) => nest(ctx, l, k, () => undefined))
    expect(again).toBe(NAMES.join(','))
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(kernelBefore)
  })

  it('a thrown non-Error value comes out as the same value', () => {
    const k = createKernel({ preemptRt })
    const l = allKinds(k)
    const thrown = { not: 'an Error' }
    let caught: unknown
    try {
      k.run((ctx) =>
        nest(ctx, l, k, (d) => {
          if (d === 7) throw thrown
        }),
      )
    } catch (e) {
      caught = e
    }
    expect(caught).toBe(thrown)
    expect(k.heldLocks()).toEqual([])
    expect(k.snapshot()).toEqual(createKernel({ preemptRt }).snapshot())
  })

  it('the error escapes kernel.run unchanged and the CPU is idle again', () => {
    const k = createKernel({ preemptRt })
    const l = allKinds(k)
    const before = k.snapshot()
    const boom = new RangeError('out of range')
    expect(() =>
      k.run((ctx) =>
        nest(ctx, l, k, (d) => {
          if (d === 4) throw boom
        }),
      ),
    ).toThrow(boom)
    expect(k.snapshot()).toEqual(before)
    expect(k.cpu(0).current.comm).toBe('swapper/0')
    expect(k.heldLocks()).toEqual([])
  })

  it('every irqsave level restores its own flags: a throw inside local_irq_save keeps interrupts off there', () => {
    const k = createKernel({ preemptRt })
    const raw = k.rawSpinLock('raw', {})
    const boom = new Error('x')
    let irqsAfterCatch: boolean | undefined
    let pcAfterCatch = -1
    k.run((ctx) =>
      ctx.core.localIrqSave((c) => {
        try {
          raw.withLockedIrqSave(c, () => {
            throw boom
          })
        } catch (e) {
          expect(e).toBe(boom)
        }
        irqsAfterCatch = k.cpu(0).irqsDisabled
        pcAfterCatch = k.cpu(0).preemptCount
      }),
    )
    expect(irqsAfterCatch).toBe(true)
    expect(pcAfterCatch).toBe(0)
    expect(k.cpu(0).irqsDisabled).toBe(false)
  })
})

describe.each([false, true])('a section returning a Promise, preemptRt=%s', (preemptRt) => {
  const factories: [string, (k: Kernel) => object, string][] = [
    ['raw_spinlock_t', (k) => k.rawSpinLock('l', {}), 'withLockedIrqSave'],
    ['spinlock_t', (k) => k.spinLock('l', {}), 'withLockedBh'],
    ['rwlock_t (read)', (k) => k.rwLock('l', {}), 'withReadIrq'],
    ['rwlock_t (write)', (k) => k.rwLock('l', {}), 'withWriteBh'],
    ['mutex', (k) => k.mutex('l', {}), 'withLocked'],
    ['rw_semaphore', (k) => k.rwSemaphore('l', {}), 'withRead'],
    ['local_lock_t', (k) => k.localLock('l', () => ({})), 'withLockedIrqSave'],
    ['SpinLockIrq', (k) => k.spinLockIrq('l', {}), 'withLocked'],
  ]

  it.each(factories)('%s: PromiseInScopeError, the lock released, the CPU as before', (_n, make, method) => {
    const k = createKernel({ preemptRt })
    const lock = make(k)
    const kernelBefore = k.snapshot()
    let caught: unknown
    let taskBefore: unknown
    let taskAfter: unknown
    let heldInside: readonly string[] = []
    k.run((ctx) => {
      taskBefore = k.snapshot()
      try {
        loose(lock, method)(ctx, () => {
          heldInside = k.heldLocks()
          return Promise.resolve(42)
        })
      } catch (e) {
        caught = e
      }
      taskAfter = k.snapshot()
      expect(k.heldLocks()).toEqual([])
    })
    expect(heldInside).toEqual(['l'])
    expect(caught).toBeInstanceOf(PromiseInScopeError)
    expect((caught as Error).name).toBe('PromiseInScopeError')
    expect(taskAfter).toEqual(taskBefore)
    expect(k.snapshot()).toEqual(kernelBefore)
    expect(k.diagnostics).toEqual([])
    // Usable again.
    expect(k.run((ctx) => loose(lock, method)(ctx, () => 'ok'))).toBe('ok')
    expect(k.diagnostics).toEqual([])
  })

  it('a rejected Promise from the innermost of nested locks: refused, all released, no unhandled rejection', async () => {
    const k = createKernel({ preemptRt })
    const l = allKinds(k)
    const before = k.snapshot()
    let caught: unknown
    k.run((ctx) => {
      try {
        l.m.withLocked(ctx, (c1) =>
          l.bh.withLockedBh(c1, (c2) => l.raw.withLockedIrqSave(c2, (c3) => loose(l.ll, 'withLocked')(c3, () => Promise.reject(new Error('async failure'))))),
        )
      } catch (e) {
        caught = e
      }
    })
    expect(caught).toBeInstanceOf(PromiseInScopeError)
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
    // Give a rejection the chance to surface as unhandled (vitest fails the run if it does).
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(k.run((ctx) => nest(ctx, l, k, () => undefined))).toBe(NAMES.join(','))
  })

  it('a thenable that is not a Promise is refused too', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('l', {})
    const before = k.snapshot()
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is refused too
    const thenable = { then: (_ok: (v: number) => void) => undefined }
    expect(() => k.run((ctx) => loose(s)(ctx, () => thenable))).toThrow(PromiseInScopeError)
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
  })
})

describe.each([false, true])('a local_lock_t whose per-CPU init throws, preemptRt=%s', (preemptRt) => {
  it('the error propagates, nothing stays held, the CPU is as before, and the lock works once init succeeds', () => {
    const k = createKernel({ preemptRt })
    const boom = new Error('init failed')
    let fail = true
    const ll = k.localLock('pcp', (cpu) => {
      if (fail) throw boom
      return { cpu }
    })
    const before = k.snapshot()
    let caught: unknown
    let heldAfterCatch: readonly string[] = ['?']
    let taskBefore: unknown
    let taskAfter: unknown
    k.run((ctx) => {
      taskBefore = k.snapshot()
      try {
        ll.withLocked(ctx, () => 'unreachable')
      } catch (e) {
        caught = e
      }
      taskAfter = k.snapshot()
      heldAfterCatch = k.heldLocks()
    })
    expect(caught).toBe(boom)
    expect(heldAfterCatch).toEqual([])
    expect(taskAfter).toEqual(taskBefore)
    expect(k.snapshot()).toEqual(before)
    fail = false
    expect(k.run((ctx) => ll.withLocked(ctx, (_c, d) => d))).toEqual({ cpu: 0 })
    expect(k.diagnostics).toEqual([])
  })
})
