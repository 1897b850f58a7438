import { describe, expect, it } from 'vitest'
import { Cpu, INTERRUPT_DISABLE_MAX, type CpuHost } from '../../src/machine/cpu.js'
import type { CpuState } from '../../src/machine/cpu-state.js'
import { bindHandlers, localBhEnable, localInterruptEnable } from '../../src/exec/delivery.js'
import type { TracePayload } from '../../src/machine/events.js'
import { createMachineCpu } from '../../src/machine/machine.js'
import {
  CountingError,
  KernelSplat,
  createKernel,
  type BadCountingDiagnostic,
  type Context,
  type CountingField,
  type CtxState,
  type Diagnostic,
} from '../../src/index.js'

/** A task with interrupts on on both kernels: where local_bh_disable() may be called. */
type BhAllowed = Context<CtxState & { readonly exec: 'task'; readonly irq: false }>
/** `n` nested preempt_disable() sections, then `inner` in the innermost. */
const nestPreempt = (ctx: BhAllowed, n: number, inner: (c: BhAllowed) => void): void => {
  if (n === 0) {
    inner(ctx)
    return
  }
  ctx.preemptDisable((c) => nestPreempt(c, n - 1, inner))
}
const nestBh = (ctx: BhAllowed, n: number, inner: (c: BhAllowed) => void): void => {
  if (n === 0) {
    inner(ctx)
    return
  }
  ctx.localBhDisable((c) => nestBh(c, n - 1, inner))
}

const badCounting = (d: Diagnostic | undefined): BadCountingDiagnostic => {
  if (d?.kind !== 'bad-counting') throw new Error(`expected a bad-counting diagnostic, got ${d?.kind ?? 'none'}`)
  return d
}

interface Report {
  readonly field: CountingField
  readonly problem: 'underflow' | 'overflow'
}

/** A CpuHost that records counting reports and throws like the kernel's. */
class StubHost implements CpuHost {
  readonly reports: Report[] = []
  readonly irqs: number[] = []
  readonly softirqs: number[] = []
  readonly events: string[] = []
  readonly tracing = true
  constructor(readonly preemptRt: boolean) {}
  get forceIrqThreads(): boolean {
    return this.preemptRt
  }
  countingError(_cpu: Cpu, field: CountingField, problem: 'underflow' | 'overflow', detail: string): never {
    this.reports.push({ field, problem })
    throw new CountingError(detail)
  }
  handleIrq(_cpu: Cpu, line: number): void {
    this.irqs.push(line)
  }
  handleSoftirq(_cpu: Cpu, nr: number): void {
    this.softirqs.push(nr)
  }
  trace(_cpu: Cpu, event: TracePayload): void {
    this.events.push(event.event)
  }
  readonly traceIrqflags = false
  proofsMayBeFalse(): void {}
  warn(_cpu: Cpu, warning: string): void {
    this.events.push(`warn ${warning}`)
  }
}

const makeCpu = (preemptRt = false): { cpu: Cpu; host: StubHost; state: CpuState } => {
  const host = new StubHost(preemptRt)
  const state = createMachineCpu(0)
  const cpu = new Cpu(state, host)
  // The machine never calls handlers: its delivery (src/exec/delivery.ts) runs them through these.
  bindHandlers(cpu, { hardirq: (c, line) => host.handleIrq(c, line), softirq: (c, nr) => host.handleSoftirq(c, nr) })
  return { cpu, host, state }
}

describe('preempt field overflow', () => {
  it.each([false, true])('255 nested preempt_disable() are fine; the 256th is refused (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    let deepest = -1
    k.run((ctx) =>
      nestPreempt(ctx, 255, () => {
        deepest = k.cpu(0).preemptCount
      }),
    )
    expect(deepest).toBe(255)
    expect(k.diagnostics).toEqual([])

    const before = k.snapshot()
    let reached = false
    expect(() =>
      k.run((ctx) =>
        nestPreempt(ctx, 256, () => {
          reached = true
        }),
      ),
    ).toThrow(CountingError)
    expect(reached).toBe(false)
    expect(k.diagnostics).toHaveLength(1)
    const d = badCounting(k.diagnostics[0])
    expect(d).toMatchObject({
      kind: 'bad-counting',
      field: 'preempt',
      problem: 'overflow',
      title: 'WARNING: preempt field of preempt_count overflows',
      cpu: 0,
      task: 'task-2',
      preemptCount: 255,
    })
    expect(d.report.split('\n')).toEqual([
      'WARNING: preempt field of preempt_count overflows',
      'preempt field would exceed 255; refused, nothing changed',
      'CPU: 0 PID: 2 Comm: task-2',
    ])
    expect(k.snapshot()).toEqual(before)
  })

  it('the thrown error is the CountingError, and the CPU is usable afterwards', () => {
    const k = createKernel()
    let caught: unknown
    try {
      k.run((ctx) => nestPreempt(ctx, 300, () => undefined))
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(CountingError)
    expect((caught as Error).message).toBe('WARNING: preempt field of preempt_count overflows: preempt field would exceed 255')
    expect(k.run((ctx) => ctx.preemptDisable(() => k.cpu(0).preemptCount))).toBe(1)
  })

  it('local_bh_enable() under 255 nested preempt_disable() is not an overflow (non-RT), and softirqs still run', () => {
    const k = createKernel()
    let seen = -1
    k.openSoftirq(1, () => {
      seen = k.cpu(0).preemptCount
    })
    k.run((ctx) => nestPreempt(ctx, 255, (c) => c.localBhDisable((c2) => c2.raiseSoftirq(1))))
    expect(k.diagnostics).toEqual([])
    expect(seen).toBe(0x1ff)
    expect(k.snapshot()[0]?.preemptCount).toBe(0)
  })
})

describe('softirq field overflow', () => {
  it.each([false, true])('127 nested local_bh_disable() fit, the 128th is refused (preemptRt=%s)', (preemptRt) => {
    // lockdep off: on RT every local_bh_disable() is a lockdep entry (bh_lock_map), and 48
    // exceed MAX_LOCK_DEPTH first (test/lockdep/held-maps.test.ts).
    const k = createKernel({ preemptRt, lockdep: false })
    let deepest = -1
    k.run((ctx) =>
      nestBh(ctx, 127, () => {
        deepest = k.cpu(0).softirqCount()
      }),
    )
    expect(deepest).toBe(0xfe00)
    const before = k.snapshot()
    expect(() => k.run((ctx) => nestBh(ctx, 128, () => undefined))).toThrow(CountingError)
    expect(badCounting(k.diagnostics[0])).toMatchObject({ field: 'softirq', problem: 'overflow' })
    expect(k.diagnostics).toHaveLength(1)
    expect(k.snapshot()).toEqual(before)
  })
})

describe('NMI nesting overflow', () => {
  it.each([false, true])('15 nested NMIs fit (0xff0000); the 16th is refused (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    let limit = 15
    let deepest = 0
    let depth = 0
    k.requestNmi('nmi', (ctx) => {
      depth++
      deepest = Math.max(deepest, k.cpu(0).preemptCount)
      try {
        if (depth < limit) ctx.raiseNmi('nmi')
      } finally {
        depth--
      }
    })
    k.run((ctx) => ctx.raiseNmi('nmi'))
    expect(deepest).toBe(0xff0000)
    expect(k.diagnostics).toEqual([])

    const before = k.snapshot()
    limit = 16
    deepest = 0
    expect(() => k.run((ctx) => ctx.raiseNmi('nmi'))).toThrow(CountingError)
    expect(deepest).toBe(0xff0000)
    expect(k.diagnostics).toHaveLength(1)
    const d = badCounting(k.diagnostics[0])
    expect(d.problem).toBe('overflow')
    expect(['nmi', 'hardirq']).toContain(d.field)
    expect(d.preemptCount).toBe(0xff0000)
    expect(k.snapshot()).toEqual(before)
  })
})

describe('underflow via the Cpu primitives', () => {
  const cases: readonly (readonly [string, boolean, CountingField, (cpu: Cpu) => void])[] = [
    ['preempt_enable()', false, 'preempt', (c) => c.preemptEnable()],
    ['preempt_enable() RT', true, 'preempt', (c) => c.preemptEnable()],
    ['local_bh_enable()', false, 'softirq', (c) => localBhEnable(c)],
    ['local_bh_enable() RT', true, 'softirq', (c) => localBhEnable(c)],
    ['local_interrupt_enable()', false, 'interrupt-disable', (c) => c.localInterruptEnable()],
    ['migrate_enable()', false, 'migrate', (c) => c.migrateEnable()],
    ['migrate_enable() RT', true, 'migrate', (c) => c.migrateEnable()],
    ['rcu_read_unlock()', false, 'rcu', (c) => c.rcuReadUnlock()],
    ['rcu_read_unlock() RT', true, 'rcu', (c) => c.rcuReadUnlock()],
    ['irq_exit()', false, 'hardirq', (c) => c.irqExit()],
  ]
  it.each(cases)('%s at 0 is refused and changes nothing', (_name, preemptRt, field, act) => {
    const { cpu, host, state } = makeCpu(preemptRt)
    const before = structuredClone(state)
    expect(() => act(cpu)).toThrow(CountingError)
    expect(host.reports).toEqual([{ field, problem: 'underflow' }])
    expect(state).toEqual(before)
    expect(host.events).toEqual([])
  })

  it('nmi_exit() without nmi_enter() is refused (reported on the hardirq field, checked first)', () => {
    const { cpu, host, state } = makeCpu()
    const before = structuredClone(state)
    expect(() => cpu.nmiExit()).toThrow(CountingError)
    expect(host.reports).toHaveLength(1)
    expect(host.reports[0]?.problem).toBe('underflow')
    expect(['nmi', 'hardirq']).toContain(host.reports[0]?.field)
    expect(state).toEqual(before)
  })

  it('nmi_exit() inside a plain hardirq (no NMI) is refused on the nmi field', () => {
    const { cpu, host, state } = makeCpu()
    cpu.irqEnter()
    const before = structuredClone(state)
    expect(() => cpu.nmiExit()).toThrow(CountingError)
    expect(host.reports).toEqual([{ field: 'nmi', problem: 'underflow' }])
    expect(state).toEqual(before)
  })

  it('one local_bh_enable() too many after a balanced pair is refused', () => {
    for (const preemptRt of [false, true]) {
      const { cpu, host, state } = makeCpu(preemptRt)
      cpu.localBhDisable()
      localBhEnable(cpu)
      const before = structuredClone(state)
      expect(() => localBhEnable(cpu)).toThrow(CountingError)
      expect(host.reports).toEqual([{ field: 'softirq', problem: 'underflow' }])
      expect(state).toEqual(before)
    }
  })

  it('preempt_enable() with only BH disabled is refused: the fields are checked separately', () => {
    const { cpu, host, state } = makeCpu()
    cpu.localBhDisable()
    expect(state.preemptCount).toBe(0x200)
    expect(() => cpu.preemptEnable()).toThrow(CountingError)
    expect(host.reports).toEqual([{ field: 'preempt', problem: 'underflow' }])
    expect(state.preemptCount).toBe(0x200)
  })
})

describe('counted interrupt disabling (local_interrupt_disable)', () => {
  it('saves the flags on 0→1 only and restores them on 1→0; nested calls only count', () => {
    const { cpu, state } = makeCpu()
    cpu.localInterruptDisable()
    expect(state).toMatchObject({ interruptDisableCount: 1, irqsDisabled: true, interruptDisableSaved: { irqsDisabled: false } })
    const saved = state.interruptDisableSaved
    cpu.localInterruptDisable()
    cpu.localInterruptDisable()
    expect(state.interruptDisableCount).toBe(3)
    expect(state.interruptDisableSaved).toBe(saved)
    cpu.localInterruptEnable()
    cpu.localInterruptEnable()
    expect(state).toMatchObject({ interruptDisableCount: 1, irqsDisabled: true })
    cpu.localInterruptEnable()
    expect(state).toMatchObject({ interruptDisableCount: 0, irqsDisabled: false, interruptDisableSaved: null })
  })

  it('from interrupts already off: the 1→0 enable leaves them off', () => {
    const { cpu, state } = makeCpu()
    cpu.localIrqDisable()
    cpu.localInterruptDisable()
    expect(state.interruptDisableSaved).toEqual({ irqsDisabled: true })
    cpu.localInterruptEnable()
    expect(state).toMatchObject({ interruptDisableCount: 0, irqsDisabled: true, interruptDisableSaved: null })
  })

  it('the nested calls neither save nor touch the flag: only the outermost flags come back', () => {
    const { cpu, state } = makeCpu()
    cpu.localIrqDisable()
    cpu.localInterruptDisable() // saves "off"
    cpu.localIrqEnable()
    cpu.localInterruptDisable() // nested: counts only, interrupts stay on
    expect(state).toMatchObject({ interruptDisableCount: 2, irqsDisabled: false })
    cpu.localInterruptEnable()
    expect(state.irqsDisabled).toBe(false)
    cpu.localInterruptEnable() // restores the saved "off"
    expect(state).toMatchObject({ interruptDisableCount: 0, irqsDisabled: true })
  })

  it('interrupts raised meanwhile are taken at the 1→0 enable, in order', () => {
    const { cpu, host, state } = makeCpu()
    cpu.localInterruptDisable()
    cpu.localInterruptDisable()
    cpu.raiseIrq(4)
    cpu.raiseIrq(2)
    localInterruptEnable(cpu)
    expect(host.irqs).toEqual([])
    expect(state.pendingIrqs).toEqual([4, 2])
    localInterruptEnable(cpu)
    expect(host.irqs).toEqual([4, 2])
    expect(state.pendingIrqs).toEqual([])
    expect(state.preemptCount).toBe(0)
  })

  it('does not touch preempt_count (mainline layout)', () => {
    const { cpu, state } = makeCpu()
    cpu.localInterruptDisable()
    expect(state.preemptCount).toBe(0)
    expect(cpu.inAtomic()).toBe(false)
    expect(cpu.preemptible()).toBe(false)
    cpu.localInterruptEnable()
  })

  it('overflows at 255: the 256th nested disable is refused and changes nothing', () => {
    const { cpu, host, state } = makeCpu()
    expect(INTERRUPT_DISABLE_MAX).toBe(255)
    for (let i = 0; i < 255; i++) cpu.localInterruptDisable()
    expect(host.reports).toEqual([])
    const before = structuredClone(state)
    expect(() => cpu.localInterruptDisable()).toThrow(CountingError)
    expect(host.reports).toEqual([{ field: 'interrupt-disable', problem: 'overflow' }])
    expect(state).toEqual(before)
    for (let i = 0; i < 255; i++) cpu.localInterruptEnable()
    expect(state).toMatchObject({ interruptDisableCount: 0, irqsDisabled: false })
    expect(() => cpu.localInterruptEnable()).toThrow(CountingError)
    expect(host.reports.at(-1)).toEqual({ field: 'interrupt-disable', problem: 'underflow' })
  })
})

describe("onDiagnostic: 'throw'", () => {
  it('throws a KernelSplat carrying the diagnostic, records it, and leaves the CPU as before', () => {
    const k = createKernel({ onDiagnostic: 'throw' })
    const before = k.snapshot()
    let caught: unknown
    try {
      k.run((ctx) => nestPreempt(ctx, 256, () => undefined))
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(KernelSplat)
    const splat = caught as KernelSplat
    expect(splat.diagnostic).toBe(k.diagnostics[0])
    expect(splat.diagnostic).toMatchObject({ kind: 'bad-counting', field: 'preempt', problem: 'overflow', preemptCount: 255 })
    expect(splat.message.split('\n')[0]).toBe('WARNING: preempt field of preempt_count overflows')
    expect(k.diagnostics).toHaveLength(1)
    expect(k.snapshot()).toEqual(before)
  })

  it('clearDiagnostics() empties the record', () => {
    const k = createKernel()
    expect(() => k.run((ctx) => nestPreempt(ctx, 256, () => undefined))).toThrow(CountingError)
    expect(k.diagnostics).toHaveLength(1)
    k.clearDiagnostics()
    expect(k.diagnostics).toEqual([])
  })
})
