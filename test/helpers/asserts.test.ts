/** lockdep's assertions at run time: each fires as the kernel's WARN_ON() does, and only then. */
import { describe, expect, it } from 'vitest'
import {
  createKernel,
  lockdepAssertHeld,
  lockdepAssertHeldOnce,
  lockdepAssertHeldRead,
  lockdepAssertHeldWrite,
  lockdepAssertInSoftirq,
  lockdepAssertIrqsDisabled,
  lockdepAssertNotHeld,
  lockdepAssertPreemptionDisabled,
  ForeignContextError,
  InvalidArgumentError,
  StaleContextError,
  type LockdepAssertDiagnostic,
} from '../../src/index.js'
import { loose } from '../locks/helpers.js'
import { looseAssert } from './loose.js'

const warnings = (ds: readonly { kind: string }[]) =>
  ds.filter((d): d is LockdepAssertDiagnostic => d.kind === 'lockdep-assert').map((d) => `${d.assertion} at ${d.where}`)

describe.each([false, true])('lockdep assertions, preemptRt=%s', (preemptRt) => {
  it('lockdep_assert_held / _not_held: silent when true, one WARN each time when false', () => {
    const kernel = createKernel({ preemptRt })
    const port = kernel.spinLock('port', 0)
    kernel.run((ctx) => port.withLocked(ctx, (ctx) => lockdepAssertHeld(ctx, port)))
    kernel.run((ctx) => lockdepAssertNotHeld(ctx, port))
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, port, 'serial8250_tx_chars'))
    kernel.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, port, 'serial8250_tx_chars'))
    kernel.run((ctx) => loose(port)(ctx, (ctx) => looseAssert(lockdepAssertNotHeld)(ctx, port)))
    expect(warnings(kernel.diagnostics)).toEqual([
      'lockdep_assert_held(port) at serial8250_tx_chars',
      'lockdep_assert_held(port) at serial8250_tx_chars',
      'lockdep_assert_not_held(port) at lockdep_assert_not_held',
    ])
  })

  it('lockdep_assert_held_once: WARN_ON_ONCE, once per site', () => {
    const kernel = createKernel({ preemptRt })
    const port = kernel.spinLock('port', 0)
    for (let i = 0; i < 3; i++) kernel.run((ctx) => looseAssert(lockdepAssertHeldOnce)(ctx, port, 'serial8250_set_THRI'))
    kernel.run((ctx) => looseAssert(lockdepAssertHeldOnce)(ctx, port, 'serial8250_clear_THRI'))
    expect(warnings(kernel.diagnostics)).toEqual([
      'lockdep_assert_held_once(port) at serial8250_set_THRI',
      'lockdep_assert_held_once(port) at serial8250_clear_THRI',
    ])
  })

  it('_held_read / _held_write check the mode (lockdep_is_held_type(l, 1) / (l, 0))', () => {
    const kernel = createKernel({ preemptRt })
    const mm = kernel.rwSemaphore('mmap_lock', 0)
    kernel.run((ctx) => mm.withRead(ctx, (ctx) => lockdepAssertHeldRead(ctx, mm)))
    kernel.run((ctx) => mm.withWrite(ctx, (ctx) => lockdepAssertHeldWrite(ctx, mm)))
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => mm.withWrite(ctx, (ctx) => lockdepAssertHeldRead(ctx, mm)))
    kernel.run((ctx) => mm.withRead(ctx, (ctx) => lockdepAssertHeldWrite(ctx, mm)))
    expect(warnings(kernel.diagnostics)).toEqual([
      'lockdep_assert_held_read(mmap_lock) at lockdep_assert_held_read',
      'lockdep_assert_held_write(mmap_lock) at lockdep_assert_held_write',
    ])
  })

  it('lockdep_assert_irqs_disabled: what the CPU says, on this kernel', () => {
    const kernel = createKernel({ preemptRt })
    const hw = kernel.rawSpinLock('hw', 0)
    const port = kernel.spinLock('port', 0)
    kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx) => lockdepAssertIrqsDisabled(ctx)))
    expect(kernel.diagnostics).toEqual([])
    // spin_lock_irqsave(): interrupts off on a normal kernel only.
    kernel.run((ctx) => loose(port, 'withLockedIrqSave')(ctx, (ctx) => looseAssert(lockdepAssertIrqsDisabled)(ctx, 'serial8250_handle_irq')))
    expect(warnings(kernel.diagnostics)).toEqual(preemptRt ? ['lockdep_assert_irqs_disabled() at serial8250_handle_irq'] : [])
  })

  it('lockdep_assert_preemption_disabled: preempt_count() == 0 with interrupts on', () => {
    const kernel = createKernel({ preemptRt })
    const port = kernel.spinLock('port', 0)
    kernel.run((ctx) => ctx.preemptDisable((ctx) => lockdepAssertPreemptionDisabled(ctx)))
    kernel.run((ctx) => ctx.core.localIrqSave((ctx) => lockdepAssertPreemptionDisabled(ctx)))
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => loose(port)(ctx, (ctx) => looseAssert(lockdepAssertPreemptionDisabled)(ctx, 'spin')))
    expect(warnings(kernel.diagnostics)).toEqual(preemptRt ? ['lockdep_assert_preemption_disabled() at spin'] : [])
  })

  it('lockdep_assert_in_softirq: BH disabled or serving, not in hardirq', () => {
    const kernel = createKernel({ preemptRt })
    kernel.run((ctx) => ctx.localBhDisable((ctx) => lockdepAssertInSoftirq(ctx)))
    kernel.openSoftirq('NET_RX', (ctx) => lockdepAssertInSoftirq(ctx))
    kernel.raiseSoftirq('NET_RX')
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => looseAssert(lockdepAssertInSoftirq)(ctx, 'napi_poll'))
    kernel.requestIrq(3, 'eth0', (ctx) => looseAssert(lockdepAssertInSoftirq)(ctx, 'eth0_irq'), { noThread: true })
    kernel.raiseIrq(3)
    expect(warnings(kernel.diagnostics)).toEqual(['lockdep_assert_in_softirq() at napi_poll', 'lockdep_assert_in_softirq() at eth0_irq'])
  })

  it('lockdep_assert_in_softirq: interrupts off alone leave softirq_count() at 0, so it warns', () => {
    const kernel = createKernel({ preemptRt })
    kernel.run((ctx) => ctx.core.localIrqSave((ctx) => looseAssert(lockdepAssertInSoftirq)(ctx, 'irqs_off')))
    expect(warnings(kernel.diagnostics)).toEqual(['lockdep_assert_in_softirq() at irqs_off'])
  })
})

describe('lockdep assertions and debug_locks', () => {
  it('are silent with lockdep off, and once lockdep has reported (debug_locks = 0)', () => {
    const off = createKernel({ lockdep: false })
    const port = off.spinLock('port', 0)
    off.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, port))
    expect(off.diagnostics).toEqual([])
    const kernel = createKernel()
    const a = kernel.spinLock('a', 0)
    const b = kernel.spinLock('b', 0)
    kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    kernel.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
    expect(kernel.lockdepStats().active).toBe(false)
    kernel.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, a))
    expect(kernel.diagnostics.map((d) => d.kind)).toEqual(['circular-dependency'])
  })

  it('refuse a stale context and a lock that is not a kernel lock', () => {
    const kernel = createKernel()
    const port = kernel.spinLock('port', 0)
    let saved: unknown
    kernel.run((ctx) => {
      saved = ctx
    })
    expect(() => kernel.run(() => looseAssert(lockdepAssertHeld)(saved, port))).toThrow(StaleContextError)
    expect(() => kernel.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, { kind: 'spinlock_t', name: 'port' }))).toThrow(
      new InvalidArgumentError('lockdep_assert_held(port): expected a lock made by a kernel (spinLock(), mutex(), …)'),
    )
    expect(() => looseAssert(lockdepAssertIrqsDisabled)({})).toThrow(
      new InvalidArgumentError('lockdep_assert_irqs_disabled(): the first argument must be a context'),
    )
  })

  it('a lock of another kernel is a named error, not a silent "not held": nothing is reported on either kernel', () => {
    const a = createKernel()
    const b = createKernel()
    const port = b.spinLock('port', 0)
    expect(() => a.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, port))).toThrow(
      new ForeignContextError('lockdep_assert_held(port): the lock belongs to another kernel than the context'),
    )
    expect(a.diagnostics).toEqual([])
    expect(b.diagnostics).toEqual([])
    // Its own kernel's context: the ordinary assertion (not held: a warning).
    b.run((ctx) => looseAssert(lockdepAssertHeld)(ctx, port))
    expect(warnings(b.diagnostics)).toHaveLength(1)
  })
})
