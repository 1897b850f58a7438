/** Runtime items 3, 5 and 6: foreign contexts, sleeping locks released in interrupt context, 'throw' mode. */
import { describe, expect, it } from 'vitest'
import {
  createKernel,
  type CpuState,
  type CtxState,
  ForeignContextError,
  type Guard,
  InterruptContextError,
  type Kernel,
  KernelSplat,
} from '../../src/index.js'
import { loose } from '../locks/helpers.js'

const unchanged = (k: Kernel, before: readonly CpuState[]): void => expect(k.snapshot()).toEqual(before)

describe('a context of another kernel instance', () => {
  it.each([
    [false, true],
    [true, false],
  ])('is refused with ForeignContextError; neither kernel changes (A preemptRt=%s, B preemptRt=%s)', (rtA, rtB) => {
    const a = createKernel({ preemptRt: rtA })
    const b = createKernel({ preemptRt: rtB })
    const stats = a.spinLock('stats', 0)
    const hw = a.rawSpinLock('hw', 0)
    const beforeA = a.snapshot()
    b.run((ctx) => {
      const beforeB = b.snapshot()
      expect(() => loose(stats)(ctx, () => 0)).toThrow(ForeignContextError)
      expect(() => loose(hw, 'withLockedIrqSave')(ctx, () => 0)).toThrow(ForeignContextError)
      expect(() => (hw.lock as unknown as (c: unknown) => unknown)(ctx)).toThrow('the context belongs to another kernel')
      unchanged(b, beforeB)
      expect(b.heldLocks()).toEqual([])
    })
    unchanged(a, beforeA)
    expect(a.heldLocks()).toEqual([])
    expect(a.lockdepStats().classes).toBe(0)
    expect(b.lockdepStats().classes).toBe(0)
    expect([...a.diagnostics, ...b.diagnostics]).toEqual([])
    // The lock still works with its own kernel's contexts.
    expect(a.run((ctx) => stats.withLocked(ctx, (_c, n) => n + 1))).toBe(1)
  })
})

describe('a sleeping lock guard released from interrupt context', () => {
  it.each([
    ['mutex', false],
    ['rw_semaphore', false],
    ['spinlock_t', true],
  ] as const)('%s (preemptRt=%s): refused in a hardirq and an NMI handler; the lock stays held', (kind, preemptRt) => {
    const k = createKernel({ preemptRt })
    const lock = kind === 'mutex' ? k.mutex('m', 0) : kind === 'rw_semaphore' ? k.rwSemaphore('m', 0) : k.spinLock('m', 0)
    let held: Guard<CtxState, number> | undefined
    const errors: unknown[] = []
    const tryUnlock = (): void => {
      try {
        held?.unlock()
      } catch (error) {
        errors.push(error)
      }
    }
    k.requestIrq(3, 'dev', tryUnlock, { noThread: true })
    k.requestNmi('perf', tryUnlock)
    k.run((ctx) => {
      const g = lock.lock(ctx)
      held = g
      g.ctx.raiseIrq(3)
      g.ctx.raiseNmi('perf')
      expect(g.held).toBe(true)
      expect(k.heldLocks()).toEqual(['m'])
      g.unlock()
    })
    expect(errors).toHaveLength(2)
    for (const e of errors) {
      expect(e).toBeInstanceOf(InterruptContextError)
      expect((e as Error).message).toContain('a sleeping lock cannot be released from interrupt context')
    }
    expect(k.heldLocks()).toEqual([])
  })
  it('a spinlock_t guard on a normal kernel may be released by the same task in an interrupt (valid there)', () => {
    const k = createKernel()
    const lock = k.spinLock('s', 0)
    let held: Guard<CtxState, number> | undefined
    k.requestIrq(3, 'dev', () => held?.unlock(), { noThread: true })
    k.run((ctx) => {
      const g = lock.lock(ctx)
      held = g
      expect(k.heldLocks()).toEqual(['s'])
      g.ctx.raiseIrq(3)
      expect(g.held).toBe(false)
    })
    expect(k.heldLocks()).toEqual([])
    expect(k.diagnostics).toEqual([])
  })
})

describe("onDiagnostic: 'throw'", () => {
  it('a leaked guard throws guard-leak (the first diagnostic), with the lock released and the CPU restored', () => {
    const k = createKernel({ onDiagnostic: 'throw' })
    const hw = k.rawSpinLock('hw', 0)
    const before = k.snapshot()
    let thrown: unknown
    try {
      k.run((ctx) => {
        ctx.preemptDisable((c) => {
          hw.lockIrqSave(c) // never unlocked: leaks out of the preempt_disable() scope
        })
      })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(KernelSplat)
    expect((thrown as KernelSplat).diagnostic.kind).toBe('guard-leak')
    expect(k.diagnostics[0]?.kind).toBe('guard-leak')
    expect(k.heldLocks()).toEqual([])
    unchanged(k, before)
    // Later runs see a clean machine: no bogus deadlock on the leaked lock.
    expect(k.run((ctx) => hw.withLocked(ctx, () => 'ok'))).toBe('ok')
    expect(k.diagnostics).toHaveLength(1)
  })
  it('a guard held at task exit throws held-lock-at-exit first and leaves nothing held', () => {
    const k = createKernel({ onDiagnostic: 'throw', irqDisable: 'save-restore' })
    const stats = k.spinLock('stats', 0)
    const before = k.snapshot()
    expect(() => k.run((ctx) => void stats.lockIrqSave(ctx))).toThrow(KernelSplat)
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['held-lock-at-exit'])
    unchanged(k, before)
    expect(k.run((ctx) => stats.withLocked(ctx, () => 1))).toBe(1)
  })
})
