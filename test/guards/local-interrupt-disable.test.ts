/**
 * `ctx.localInterruptDisable()` guards: counted interrupt disabling. The flags are saved on the
 * 0→1 step only and restored on 1→0 only, so such guards may be dropped in any order; pending
 * interrupts are taken at the last drop.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'
import { GUARD_LEAK_TITLE } from '../../src/diagnostics/titles.js'
import { DoubleUnlockError, GuardOrderError } from '../../src/errors.js'
import { kinds, type LooseGuard } from './helpers.js'
import { eventText } from '../../src/export/trace.js'

const cpu = (k: Kernel) => k.cpu(0)
const events = (k: Kernel, from: number, name: string): number => k.trace.slice(from).filter((e) => eventText(e) === name).length

describe.each([false, true])('local_interrupt_disable() guards (preemptRt=%s)', (preemptRt) => {
  it('nesting bumps the count; flags saved on 0→1 only and restored on 1→0 only', () => {
    const k = createKernel({ preemptRt, trace: true })
    const initial = k.snapshot()
    k.run((ctx) => {
      const start = k.trace.length
      const d1 = ctx.localInterruptDisable()
      expect(d1.held).toBe(true)
      expect(d1.data).toBeUndefined()
      expect(cpu(k).interruptDisableCount).toBe(1)
      expect(cpu(k).irqsDisabled).toBe(true)
      expect(k.snapshot()[0]?.interruptDisableSaved).toEqual({ irqsDisabled: false })
      const d2 = d1.ctx.localInterruptDisable()
      const d3 = d2.ctx.localInterruptDisable()
      expect(cpu(k).interruptDisableCount).toBe(3)
      // One save for three disables.
      expect(events(k, start, 'local_irq_save')).toBe(1)
      expect(events(k, start, 'local_interrupt_disable')).toBe(3)
      expect(k.snapshot()[0]?.interruptDisableSaved).toEqual({ irqsDisabled: false })
      // Only the interrupt flag: preempt_count is untouched.
      expect(cpu(k).preemptCount).toBe(0)
      d3.unlock()
      d2.unlock()
      expect(cpu(k).interruptDisableCount).toBe(1)
      expect(cpu(k).irqsDisabled).toBe(true)
      expect(events(k, start, 'local_irq_restore')).toBe(0)
      d1.unlock()
      expect(cpu(k).interruptDisableCount).toBe(0)
      expect(cpu(k).irqsDisabled).toBe(false)
      expect(events(k, start, 'local_irq_restore')).toBe(1)
      expect(k.snapshot()[0]?.interruptDisableSaved).toBeNull()
    })
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it('entered with interrupts already off: the 1→0 restore leaves them off', () => {
    const k = createKernel({ preemptRt })
    k.run((ctx) => {
      ctx.core.localIrqSave((c) => {
        const d = c.localInterruptDisable()
        expect(k.snapshot()[0]?.interruptDisableSaved).toEqual({ irqsDisabled: true })
        d.unlock()
        expect(cpu(k).irqsDisabled).toBe(true)
        expect(cpu(k).interruptDisableCount).toBe(0)
      })
      expect(cpu(k).irqsDisabled).toBe(false)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('two guards dropped out of order: interrupts stay off until the last', () => {
    const k = createKernel({ preemptRt })
    const initial = k.snapshot()
    k.run((ctx) => {
      const d1 = ctx.localInterruptDisable()
      const d2 = d1.ctx.localInterruptDisable()
      d1.unlock()
      expect(d1.held).toBe(false)
      expect(d1.ctx.live).toBe(false)
      expect(cpu(k).interruptDisableCount).toBe(1)
      expect(cpu(k).irqsDisabled).toBe(true)
      // The inner guard's context is still the innermost one.
      expect(d2.ctx.live).toBe(true)
      d2.unlock()
      expect(cpu(k).interruptDisableCount).toBe(0)
      expect(cpu(k).irqsDisabled).toBe(false)
    })
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it('a pending interrupt is taken at the last drop, not before', () => {
    const k = createKernel({ preemptRt: false })
    const log: string[] = []
    k.requestIrq(7, 'dev', () => {
      log.push(`irq: count=${cpu(k).interruptDisableCount}`)
    })
    k.run((ctx) => {
      const d1 = ctx.localInterruptDisable()
      const d2 = d1.ctx.localInterruptDisable()
      d2.ctx.raiseIrq(7)
      expect(cpu(k).pendingIrqs).toEqual([7])
      log.push('raised')
      d1.unlock()
      log.push('d1 dropped')
      expect(cpu(k).pendingIrqs).toEqual([7])
      d2.unlock()
      log.push('d2 dropped')
      expect(cpu(k).pendingIrqs).toEqual([])
    })
    expect(log).toEqual(['raised', 'd1 dropped', 'irq: count=0', 'd2 dropped'])
    expect(k.diagnostics).toEqual([])
  })

  it('unlocking twice throws DoubleUnlockError and changes nothing', () => {
    const k = createKernel({ preemptRt })
    k.run((ctx) => {
      const d = ctx.localInterruptDisable()
      d.unlock()
      const before = k.snapshot()
      expect(() => d.unlock()).toThrow(DoubleUnlockError)
      expect(k.snapshot()).toEqual(before)
      // Disposing after unlock is a no-op.
      d[Symbol.dispose]()
      expect(k.snapshot()).toEqual(before)
    })
  })

  it('mixes with counted lock guards in one count, in any drop order', () => {
    const k = createKernel({ preemptRt })
    const hw = k.rawSpinLock('hw', 0)
    const initial = k.snapshot()
    k.run((ctx) => {
      const d = ctx.localInterruptDisable()
      const g = hw.lockIrqSave(d.ctx)
      expect(cpu(k).interruptDisableCount).toBe(2)
      expect(cpu(k).preemptCount).toBe(1)
      d.unlock()
      expect(cpu(k).irqsDisabled).toBe(true)
      expect(cpu(k).interruptDisableCount).toBe(1)
      g.unlock()
      expect(cpu(k).irqsDisabled).toBe(false)
    })
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it("with `using`, and leaked from a callback scope: 'guard-leak', count back to 0", () => {
    const k = createKernel({ preemptRt })
    k.run((ctx) => {
      const before = k.snapshot()
      {
        using d = ctx.localInterruptDisable()
        using e = d.ctx.localInterruptDisable()
        expect(e.held).toBe(true)
        expect(cpu(k).interruptDisableCount).toBe(2)
      }
      expect(k.snapshot()).toEqual(before)
      let leaked: LooseGuard | undefined
      ctx.rcuReadLock((r) => {
        leaked = r.localInterruptDisable()
      })
      expect(leaked?.held).toBe(false)
      expect(k.snapshot()).toEqual(before)
    })
    expect(kinds(k)).toEqual(['guard-leak'])
    const d = k.diagnostics[0]
    if (d?.kind !== 'guard-leak') throw new Error('expected a guard-leak report')
    expect(d.title).toBe(GUARD_LEAK_TITLE)
    expect(d.lock).toBe('local_interrupt_disable()')
  })
})

describe("local_interrupt_disable() on a kernel with irqDisable: 'save-restore'", () => {
  it('is still counted (the option only changes lock guards)', () => {
    const k = createKernel({ irqDisable: 'save-restore' })
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const d = ctx.localInterruptDisable()
      using g = hw.lockIrqSave(d.ctx)
      expect(g.held).toBe(true)
      // The lock saved flags instead of counting: the count is the counted guard's alone.
      expect(cpu(k).interruptDisableCount).toBe(1)
      expect(cpu(k).irqsDisabled).toBe(true)
      g.unlock()
      d.unlock()
    })
    expect(k.diagnostics).toEqual([])
  })

  it.each([
    // The lock's preempt_disable() keeps preemption off; the counted guard (mainline layout) does not.
    ['counted guard', 'the lock guard taken inside it', ['IrqDisabled', 'BhDisabled']],
    ['lock guard', 'the counted guard taken inside it', ['IrqDisabled', 'PreemptDisabled', 'BhDisabled']],
  ] as const)('the outer one (%s) dropped first would turn interrupts on under %s: refused, nothing changes', (outer, _inner, proofs) => {
    // Both contexts prove IrqDisabled: the outer restore (the counted guard's 1→0, or the lock's
    // saved "enabled") would make the inner one's proof false: the #998 hazard, refused.
    const k = createKernel({ irqDisable: 'save-restore' })
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      const [first, second]: readonly [LooseGuard, LooseGuard] = (() => {
        if (outer === 'counted guard') {
          const f = ctx.localInterruptDisable()
          return [f, hw.lockIrqSave(f.ctx)] as const
        }
        const f = hw.lockIrqSave(ctx)
        return [f, f.ctx.localInterruptDisable()] as const
      })()
      const before = k.snapshot()
      expect(() => first.unlock()).toThrow(GuardOrderError)
      expect(k.snapshot()).toEqual(before)
      expect(first.held).toBe(true)
      expect(cpu(k).irqsDisabled).toBe(true)
      second.unlock()
      first.unlock()
    })
    expect(kinds(k)).toEqual(['proof-falsified'])
    const d = k.diagnostics[0]
    if (d?.kind !== 'proof-falsified') throw new Error('expected proof-falsified')
    expect(d).toMatchObject({ refused: true, proofs })
    expect(k.snapshot()[0]?.irqsDisabled).toBe(false)
  })
})
