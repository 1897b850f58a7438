/**
 * Runtime items 1–2: the moment a live context's proof becomes false it is reported
 * ('proof-falsified'), and the kernel's own WARNINGs fire for untyped code that the types refuse
 * (type-tests/rule8-irqs-back-on.test-d.ts): _irq unlocks and BH sections where interrupts may be
 * off, in hardirq handlers and in NMIs.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, GuardOrderError, type Kernel, KernelSplat, type ProofFalsifiedDiagnostic } from '../../src/index.js'
import { kinds, loose } from '../locks/helpers.js'

const falsified = (k: Kernel): ProofFalsifiedDiagnostic[] => k.diagnostics.filter((d): d is ProofFalsifiedDiagnostic => d.kind === 'proof-falsified')
const warnings = (k: Kernel): string[] => k.diagnostics.flatMap((d) => (d.kind === 'kernel-warning' ? [d.warning] : []))
/** A BH section as plain JavaScript writes it (the types refuse it where these tests put it). */
const looseBh = (ctx: unknown, cb: (c: unknown) => unknown): unknown => (ctx as { localBhDisable(cb: (c: unknown) => unknown): unknown }).localBhDisable(cb)

describe('a nested _irq unlock turns interrupts on under a live IrqDisabled proof', () => {
  it.each([false, true])('reported at its local_irq_enable(), naming the proofs (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    let irqsOnInside = false
    k.run((ctx) =>
      hw.withLockedIrqSave(ctx, (c) => {
        loose(dev, 'withLockedIrq')(c, () => 0)
        irqsOnInside = !k.cpu(0).irqsDisabled
      }),
    )
    expect(irqsOnInside).toBe(true)
    const [d] = falsified(k)
    expect(kinds(k)).toEqual(['proof-falsified'])
    // hw still holds preempt_disable(): preemption is off, interrupts and BH are not.
    expect(d).toMatchObject({ by: 'local_irq_enable()', proofs: ['IrqDisabled', 'BhDisabled'], refused: false, contexts: 1, heldLocks: ['hw'] })
    expect(d?.report).toContain('local_irq_enable() turned interrupts, bottom halves back on')
  })
  it('valid: an _irq section in a task, under a mutex or a plain spinlock_t: no report', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const cfg = k.mutex('cfg', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      stats.withLockedIrq(ctx, () => 0)
      cfg.withLocked(ctx, (c) => hw.withLockedIrq(c, () => 0))
      stats.withLocked(ctx, (c) => hw.withLockedIrq(c, () => 0))
      ctx.preemptDisable((c) => hw.withLockedIrq(c, () => 0))
    })
    expect(k.diagnostics).toEqual([])
  })
})

describe('local_bh_enable() with interrupts off (kernel/softirq.c __local_bh_enable_ip())', () => {
  it('normal kernel, lockdep on: lockdep_assert_irqs_enabled() warns, and interrupts end up ON (TRACE_IRQFLAGS local_irq_enable())', () => {
    const k = createKernel()
    let irqsOnAfterBh = false
    k.run((ctx) =>
      ctx.core.localIrqSave((c) => {
        looseBh(c, () => 0)
        irqsOnAfterBh = !k.cpu(0).irqsDisabled
      }),
    )
    expect(irqsOnAfterBh).toBe(true)
    expect(warnings(k)).toEqual(['bh-enable-irqs-disabled'])
    expect(k.diagnostics[0]?.title).toBe('WARNING: kernel/softirq.c at __local_bh_enable_ip(): lockdep_assert_irqs_enabled()')
    // The local_irq_save() section's proofs are false from there on: reported once.
    expect(falsified(k).map((d) => [d.by, d.proofs])).toEqual([['local_irq_enable()', ['IrqDisabled', 'PreemptDisabled', 'BhDisabled']]])
    expect(k.snapshot()[0]?.irqsDisabled).toBe(false)
  })
  it('normal kernel, lockdep off: no TRACE_IRQFLAGS: no warning, the flag is untouched', () => {
    const k = createKernel({ lockdep: false })
    let irqsOffAfterBh = false
    k.run((ctx) => ctx.core.localIrqSave((c) => looseBh(c, () => (irqsOffAfterBh = k.cpu(0).irqsDisabled))))
    expect(irqsOffAfterBh).toBe(true)
    expect(k.diagnostics).toEqual([])
  })
  it('PREEMPT_RT: warns, and local_irq_restore() brings the flag back as it was', () => {
    const k = createKernel({ preemptRt: true })
    let irqsOff = false
    k.run((ctx) =>
      ctx.core.localIrqSave((c) => {
        looseBh(c, () => 0)
        irqsOff = k.cpu(0).irqsDisabled
      }),
    )
    expect(irqsOff).toBe(true)
    expect(warnings(k)).toEqual(['bh-enable-irqs-disabled'])
    expect(falsified(k)).toEqual([])
  })
  it('warns once per kernel (WARN_ON_ONCE)', () => {
    const k = createKernel()
    k.run((ctx) => ctx.core.localIrqSave((c) => looseBh(c, () => 0)))
    k.run((ctx) => ctx.core.localIrqSave((c) => looseBh(c, () => 0)))
    expect(warnings(k)).toEqual(['bh-enable-irqs-disabled'])
  })
})

describe('bottom halves and _irq unlocks in hardirq context', () => {
  it.each([false, true])('local_bh_disable() in an IRQF_NO_THREAD handler warns on both kernels (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    k.requestIrq(3, 'timer', (ctx) => void looseBh(ctx, () => 0), { noThread: true })
    k.raiseIrq(3)
    expect(warnings(k)).toEqual(
      preemptRt
        ? ['bh-disable-in-hardirq', 'bh-enable-in-hardirq', 'bh-enable-irqs-disabled']
        : ['bh-disable-in-hardirq', 'bh-enable-in-hardirq', 'bh-enable-irqs-disabled', 'irq-handler-enabled-interrupts'],
    )
    // Normal kernel: local_bh_enable() turned interrupts on in the handler; the handler's proofs
    // were false, and __handle_irq_event_percpu() warned and turned them off again.
    expect(falsified(k).length).toBe(preemptRt ? 0 : 1)
    expect(k.snapshot()[0]?.irqsDisabled).toBe(false)
    expect(k.snapshot()[0]?.preemptCount).toBe(0)
  })
  it('an _irq unlock in a threadable handler on a normal kernel (a hardirq there): "irq 4 handler nic enabled interrupts"', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    let irqsOffAfter = false
    k.requestIrq(4, 'nic', (ctx) => void loose(stats, 'withLockedIrq')(ctx, () => 0))
    k.run((ctx) => {
      ctx.raiseIrq(4)
      irqsOffAfter = k.cpu(0).irqsDisabled
    })
    expect(warnings(k)).toEqual(['irq-handler-enabled-interrupts'])
    expect(k.diagnostics[0]?.title).toBe('WARNING: kernel/irq/handle.c at __handle_irq_event_percpu(): irq 4 handler nic enabled interrupts')
    expect(irqsOffAfter).toBe(false)
  })
  it('the same handler force-threaded on RT: interrupts are on in the thread, nothing to warn about', () => {
    const k = createKernel({ preemptRt: true })
    const stats = k.spinLock('stats', 0)
    k.requestIrq(4, 'nic', (ctx) => void loose(stats, 'withLockedIrq')(ctx, () => 0))
    k.raiseIrq(4)
    expect(k.diagnostics).toEqual([])
  })
  it('valid: _bh and BH sections in a softirq, and in a task under a spinlock_t', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    const q = k.spinLock('q', 0)
    const rx = k.spinLock('rx', 0)
    k.openSoftirq('NET_RX', (ctx) => {
      rx.withLockedBh(ctx, () => 0)
      ctx.localBhDisable(() => 0)
    })
    k.run((ctx) => {
      ctx.raiseSoftirq('NET_RX')
      stats.withLocked(ctx, (c) => q.withLockedBh(c, () => 0))
      rx.withLockedBh(ctx, () => 0)
    })
    k.run(() => undefined)
    expect(k.diagnostics).toEqual([])
  })
})

describe('guards dropped out of order: the drop that would falsify a proof is refused', () => {
  it.each(['counted', 'save-restore'] as const)('a BH guard dropped under a guard taken from its context (irqDisable: %s)', (irqDisable) => {
    const k = createKernel({ irqDisable })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    k.run((ctx) => {
      const a = hw.lockBh(ctx)
      const b = dev.lock(a.ctx) // b.ctx types as BhDisabled, from a
      const before = k.snapshot()
      expect(() => a.unlock()).toThrow(GuardOrderError)
      expect(k.snapshot()).toEqual(before)
      expect(k.heldLocks()).toEqual(['hw', 'dev'])
      b.unlock()
      a.unlock()
    })
    expect(falsified(k).map((d) => [d.by, d.proofs, d.refused])).toEqual([["raw_spinlock_t 'hw'", ['BhDisabled'], true]])
  })
  it.each(['counted', 'save-restore'] as const)('an irqsave guard dropped under a plain guard taken from its context (irqDisable: %s)', (irqDisable) => {
    const k = createKernel({ irqDisable })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    k.run((ctx) => {
      const a = hw.lockIrqSave(ctx)
      const b = dev.lock(a.ctx) // b.ctx types as IrqDisabled, from a
      expect(() => a.unlock()).toThrow(GuardOrderError)
      b.unlock()
      a.unlock()
    })
    expect(falsified(k).map((d) => d.proofs)).toEqual([['IrqDisabled', 'BhDisabled']])
  })
  it('counted guards that keep interrupts off may still drop in any order', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    k.run((ctx) => {
      const a = hw.lockIrqSave(ctx)
      const b = dev.lockIrqSave(a.ctx)
      a.unlock() // the count keeps interrupts off, b holds preemption: b's proofs stay true
      expect(k.cpu(0).irqsDisabled).toBe(true)
      b.unlock()
    })
    expect(k.diagnostics).toEqual([])
  })
  it('a callback made from a guard context, whose guard is dropped inside it, is reported at the moment', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    k.run((ctx) => {
      const a = hw.lockBh(ctx)
      dev.withLocked(a.ctx, () => {
        expect(() => a.unlock()).toThrow(GuardOrderError)
      })
      a.unlock()
    })
    expect(falsified(k).map((d) => d.refused)).toEqual([true])
  })
})

describe("guardDrop: 'report': the drop goes ahead and what it falsified is reported", () => {
  it.each(['counted', 'save-restore'] as const)('an irqsave guard dropped under a plain guard taken from its context (irqDisable: %s)', (irqDisable) => {
    const k = createKernel({ irqDisable, guardDrop: 'report' })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    k.run((ctx) => {
      const a = hw.lockIrqSave(ctx)
      const b = dev.lock(a.ctx)
      a.unlock() // interrupts back on while b.ctx still claims IrqDisabled
      expect(k.cpu(0).irqsDisabled).toBe(false)
      expect(k.heldLocks()).toEqual(['dev'])
      b.unlock()
    })
    expect(falsified(k).map((d) => [d.proofs, d.refused])).toEqual([[['IrqDisabled', 'BhDisabled'], false]])
  })
  it('an unknown value is a named error', () => {
    const create = createKernel as (options: unknown) => unknown
    expect(() => create({ guardDrop: 'allow' })).toThrow("createKernel: guardDrop must be one of 'refuse', 'report'")
  })
})

describe("onDiagnostic: 'throw' with the new reports", () => {
  it.each([false, true])('a BH section under local_irq_save(): the warning is thrown first, and the CPU ends as it began (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const initial = k.snapshot()
    let thrown: unknown
    try {
      k.run((ctx) => ctx.core.localIrqSave((c) => looseBh(c, () => 0)))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(KernelSplat)
    expect((thrown as KernelSplat).diagnostic.kind).toBe('kernel-warning')
    expect(k.diagnostics[0]?.kind).toBe('kernel-warning')
    expect(k.snapshot()).toEqual(initial)
  })
  it('a refused guard drop throws proof-falsified; both guards still release in order afterwards', () => {
    const k = createKernel({ onDiagnostic: 'throw' })
    const hw = k.rawSpinLock('hw', 0)
    const dev = k.rawSpinLock('dev', 0)
    const initial = k.snapshot()
    k.run((ctx) => {
      const a = hw.lockBh(ctx)
      const b = dev.lock(a.ctx)
      expect(() => a.unlock()).toThrow(KernelSplat)
      expect(k.heldLocks()).toEqual(['hw', 'dev'])
      b.unlock()
      a.unlock()
    })
    expect(kinds(k)).toEqual(['proof-falsified'])
    expect(k.snapshot()).toEqual(initial)
  })
})
