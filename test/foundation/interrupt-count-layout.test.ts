/**
 * `createKernel({ preemptCountLayout: 'interrupt-count' })`: the counted-interrupt-disabling
 * series' preempt_count (v2, 2026-05; docs/SEMANTICS.md §7). The interrupt-disable depth lives in
 * bits 16–23, hardirq moves to 24–27, NMI is the single bit 28 with its nesting in a per-CPU
 * `nmi_nesting`. Each behaviour is checked against the mainline layout, which must not change.
 */
import fc from 'fast-check'
import { Runner, configArb } from './program.js'
import { describe, expect, it } from 'vitest'
import { IC_HARDIRQ_DISABLE_MASK, IC_HARDIRQ_MASK, IC_NMI_MASK, INTERRUPT_COUNT_LAYOUT, MAINLINE_LAYOUT } from '../../src/machine/layout.js'
import { HARDIRQ_MASK, HARDIRQ_OFFSET, NMI_MASK, NMI_OFFSET } from '../../src/machine/preempt-count.js'
import { PROOF_FALSIFIED_TITLE } from '../../src/index.js'
import { loose } from '../locks/helpers.js'
import { CountingError, InvalidArgumentError, createKernel, type Context, type CtxState, type KernelOptions } from '../../src/index.js'

type Layout = NonNullable<KernelOptions['preemptCountLayout']>
const IC = { preemptCountLayout: 'interrupt-count' } as const

describe('the layouts', () => {
  it('pins the interrupt-count masks and offsets (HARDIRQ_DISABLE 16–23, HARDIRQ 24–27, NMI bit 28)', () => {
    expect(IC_HARDIRQ_DISABLE_MASK).toBe(0x00ff0000)
    expect(IC_HARDIRQ_MASK).toBe(0x0f000000)
    expect(IC_NMI_MASK).toBe(0x10000000)
    expect(INTERRUPT_COUNT_LAYOUT).toMatchObject({
      name: 'interrupt-count',
      interruptDisableMask: 0x00ff0000,
      interruptDisableShift: 16,
      interruptDisableOffset: 0x00010000,
      hardirqMask: 0x0f000000,
      hardirqShift: 24,
      hardirqOffset: 0x01000000,
      nmiMask: 0x10000000,
      nmiShift: 28,
      nmiOffset: 0x10000000,
      nmiNestingPerCpu: true,
      nmiNestingMax: 15,
    })
    expect(INTERRUPT_COUNT_LAYOUT.fieldsOutermostFirst.map((f) => [f.name, f.mask])).toEqual([
      ['nmi', 0x10000000],
      ['hardirq', 0x0f000000],
      ['interrupt-disable', 0x00ff0000],
      ['softirq', 0x0000ff00],
      ['preempt', 0x000000ff],
    ])
    // The fields do not overlap and leave bits 29–31 alone.
    const all = INTERRUPT_COUNT_LAYOUT.fieldsOutermostFirst.reduce((acc, f) => {
      expect(acc & f.mask).toBe(0)
      return acc | f.mask
    }, 0)
    expect(all >>> 0).toBe(0x1fffffff)
  })

  it('keeps the mainline constants and makes them the mainline layout', () => {
    expect([HARDIRQ_MASK, NMI_MASK, HARDIRQ_OFFSET, NMI_OFFSET]).toEqual([0x000f0000, 0x00f00000, 0x10000, 0x100000])
    expect(MAINLINE_LAYOUT).toMatchObject({
      name: 'mainline',
      hardirqMask: HARDIRQ_MASK,
      hardirqOffset: HARDIRQ_OFFSET,
      nmiMask: NMI_MASK,
      nmiOffset: NMI_OFFSET,
      interruptDisableMask: 0,
      interruptDisableOffset: 0,
      nmiNestingPerCpu: false,
    })
    expect(MAINLINE_LAYOUT.fieldsOutermostFirst.map((f) => f.name)).toEqual(['nmi', 'hardirq', 'softirq', 'preempt'])
  })

  it("the option defaults to 'mainline' and refuses anything else", () => {
    expect(createKernel().options.preemptCountLayout).toBe('mainline')
    expect(createKernel(IC).options.preemptCountLayout).toBe('interrupt-count')
    expect(() => createKernel({ preemptCountLayout: 'series' as unknown as Layout })).toThrow(InvalidArgumentError)
    expect(() => createKernel({ preemptCountLayout: 'series' as unknown as Layout })).toThrow(
      "createKernel: preemptCountLayout must be one of 'mainline', 'interrupt-count'",
    )
  })

  it('a fresh CPU is the same plain data on both layouts (nmiNesting 0)', () => {
    expect(createKernel(IC).snapshot()).toEqual(createKernel().snapshot())
    expect(createKernel().snapshot()[0]?.nmiNesting).toBe(0)
  })
})

describe.each([false, true])('interrupt-count layout, preemptRt=%s', (preemptRt) => {
  it('hardirq entry adds 0x01000000 (mainline: 0x10000)', () => {
    const seen: Record<Layout, number[]> = { mainline: [], 'interrupt-count': [] }
    for (const layout of ['mainline', 'interrupt-count'] as const) {
      const k = createKernel({ preemptRt, preemptCountLayout: layout })
      k.requestIrq(
        4,
        'dev',
        () => {
          const v = k.cpu(0)
          expect([v.inHardirq(), v.inNmi(), v.inInterrupt(), v.inTask(), v.inAtomic()]).toEqual([true, false, true, false, true])
          seen[layout].push(v.preemptCount)
        },
        { noThread: true },
      )
      k.run((ctx) => ctx.raiseIrq(4))
      expect(k.cpu(0).preemptCount).toBe(0)
      expect(k.diagnostics).toEqual([])
    }
    expect(seen).toEqual({ mainline: [0x10000], 'interrupt-count': [0x01000000] })
  })

  it('NMI entry sets bit 28 and adds one hardirq (0x11000000; mainline 0x110000)', () => {
    for (const layout of ['mainline', 'interrupt-count'] as const) {
      const k = createKernel({ preemptRt, preemptCountLayout: layout })
      const seen: { pc: number; nesting: number; nmi: boolean; hardirq: boolean }[] = []
      k.requestNmi('perf', () => {
        const v = k.cpu(0)
        seen.push({ pc: v.preemptCount, nesting: v.snapshot().nmiNesting, nmi: v.inNmi(), hardirq: v.inHardirq() })
      })
      k.run((ctx) => ctx.raiseNmi('perf'))
      expect(seen).toEqual([{ pc: layout === 'mainline' ? 0x110000 : 0x11000000, nesting: layout === 'mainline' ? 0 : 1, nmi: true, hardirq: true }])
      expect(k.snapshot()[0]).toMatchObject({ preemptCount: 0, nmiNesting: 0 })
    }
  })

  it('nested NMIs are counted in nmi_nesting; preempt_count keeps one NMI bit until the outermost exit', () => {
    const k = createKernel({ preemptRt, ...IC })
    const seen: { where: string; pc: number; nesting: number; inNmi: boolean }[] = []
    const look = (where: string) => {
      const s = k.cpu(0).snapshot()
      seen.push({ where, pc: s.preemptCount, nesting: s.nmiNesting, inNmi: k.cpu(0).inNmi() })
    }
    k.requestNmi('inner', () => look('inner'))
    k.requestNmi('outer', (ctx) => {
      look('outer before')
      ctx.raiseNmi('inner')
      look('outer after')
    })
    k.run((ctx) => ctx.raiseNmi('outer'))
    expect(seen).toEqual([
      { where: 'outer before', pc: 0x11000000, nesting: 1, inNmi: true },
      { where: 'inner', pc: 0x12000000, nesting: 2, inNmi: true },
      { where: 'outer after', pc: 0x11000000, nesting: 1, inNmi: true },
    ])
    expect(k.snapshot()[0]).toMatchObject({ preemptCount: 0, nmiNesting: 0 })
    expect(k.diagnostics).toEqual([])
  })

  it('the mainline layout counts the same nesting in the NMI field instead (0x220000, nmiNesting 0)', () => {
    const k = createKernel({ preemptRt })
    const seen: [number, number][] = []
    k.requestNmi('inner', () => seen.push([k.cpu(0).preemptCount, k.cpu(0).snapshot().nmiNesting]))
    k.requestNmi('outer', (ctx) => ctx.raiseNmi('inner'))
    k.run((ctx) => ctx.raiseNmi('outer'))
    expect(seen).toEqual([[0x220000, 0]])
  })

  it('a 16th nested NMI is refused as an NMI overflow (BUG_ON(nmi_nesting >= 15)), and the CPU is put back', () => {
    const k = createKernel({ preemptRt, ...IC })
    let depth = 0
    let deepest = 0
    k.requestNmi('nest', (ctx) => {
      depth++
      deepest = Math.max(deepest, k.cpu(0).snapshot().nmiNesting)
      ctx.raiseNmi('nest')
    })
    expect(() => k.run((ctx) => ctx.raiseNmi('nest'))).toThrow(CountingError)
    expect(depth).toBe(15)
    expect(deepest).toBe(15)
    expect(k.diagnostics[0]).toMatchObject({ kind: 'bad-counting', field: 'nmi', problem: 'overflow' })
    expect(k.snapshot()[0]).toMatchObject({ preemptCount: 0, nmiNesting: 0 })
  })

  it('local_interrupt_disable() raises preempt_count: in_atomic() true, preemptible() false, still a task', () => {
    const k = createKernel({ preemptRt, ...IC })
    const initial = k.snapshot()
    k.run((ctx) => {
      const v = k.cpu(0)
      const g1 = ctx.localInterruptDisable()
      expect([v.preemptCount, v.interruptDisableCount]).toEqual([0x10000, 1])
      expect([v.inAtomic(), v.preemptible(), v.irqsDisabled]).toEqual([true, false, true])
      expect([v.inTask(), v.inInterrupt(), v.inHardirq(), v.inSoftirq(), v.inNmi()]).toEqual([true, false, false, false, false])
      const g2 = g1.ctx.localInterruptDisable()
      expect([v.preemptCount, v.interruptDisableCount]).toEqual([0x20000, 2])
      g1.unlock() // out of order: the count drops, interrupts stay off
      expect([v.preemptCount, v.interruptDisableCount, v.irqsDisabled]).toEqual([0x10000, 1, true])
      g2.unlock()
      expect([v.preemptCount, v.interruptDisableCount, v.irqsDisabled, v.preemptible()]).toEqual([0, 0, false, true])
    })
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it('mainline: the same guard leaves preempt_count unchanged (in_atomic() false)', () => {
    const k = createKernel({ preemptRt })
    k.run((ctx) => {
      const v = k.cpu(0)
      const g = ctx.localInterruptDisable()
      expect([v.preemptCount, v.interruptDisableCount, v.inAtomic(), v.irqsDisabled]).toEqual([0, 1, false, true])
      g.unlock()
    })
    expect(k.diagnostics).toEqual([])
  })

  it('counted irqsave guards of a spinning lock carry the count, and (v3) no preempt_disable() (raw_spinlock_t: 0x10000; mainline 0x1)', () => {
    for (const layout of ['mainline', 'interrupt-count'] as const) {
      const k = createKernel({ preemptRt, preemptCountLayout: layout })
      const hw = k.rawSpinLock('hw', 0)
      k.run((ctx) => {
        const g = hw.lockIrqSave(ctx)
        // v3 __raw_spin_lock_irq_disable(): local_interrupt_disable(); spin_acquire(); — the
        // HARDIRQ_DISABLE field alone keeps in_atomic() true.
        expect(k.cpu(0).preemptCount).toBe(layout === 'mainline' ? 0x1 : 0x10000)
        expect(k.cpu(0).inAtomic()).toBe(true)
        g.unlock()
        expect(k.cpu(0).preemptCount).toBe(0)
      })
      expect(k.diagnostics).toEqual([])
    }
  })

  it('twin: a plain spin_lock() guard keeps its preempt_disable() on both layouts (0x1), and spin_lock_bh() its 0x201', () => {
    for (const layout of ['mainline', 'interrupt-count'] as const) {
      const k = createKernel({ preemptRt, preemptCountLayout: layout })
      const hw = k.rawSpinLock('hw', 0)
      k.run((ctx) => {
        const g = hw.lock(ctx)
        expect(k.cpu(0).preemptCount).toBe(0x1)
        g.unlock()
        const b = hw.lockBh(ctx)
        expect(k.cpu(0).preemptCount).toBe(preemptRt ? 0 : 0x201) // RT: softirq_disable_cnt is the task's
        b.unlock()
        expect(k.cpu(0).preemptCount).toBe(0)
      })
      expect(k.diagnostics).toEqual([])
    }
  })

  it('the 256th nested local_interrupt_disable() is refused as an interrupt-disable overflow; nothing changes', () => {
    const k = createKernel({ preemptRt, ...IC })
    k.run((ctx) => {
      const guards: { unlock(): void }[] = []
      let c = ctx as Context<CtxState>
      for (let i = 0; i < 255; i++) {
        const g = c.localInterruptDisable()
        guards.push(g)
        c = g.ctx as Context<CtxState>
      }
      expect(k.cpu(0).preemptCount).toBe(0x00ff0000)
      expect(() => c.localInterruptDisable()).toThrow(CountingError)
      expect([k.cpu(0).preemptCount, k.cpu(0).interruptDisableCount]).toEqual([0x00ff0000, 255])
      for (const g of guards.reverse()) g.unlock()
    })
    expect(k.diagnostics).toHaveLength(1)
    expect(k.diagnostics[0]).toMatchObject({ kind: 'bad-counting', field: 'interrupt-disable', problem: 'overflow' })
    expect(k.snapshot()[0]).toMatchObject({ preemptCount: 0, interruptDisableCount: 0, irqsDisabled: false })
  })

  it("lockdep's context summary reads the hardirq depth from the layout ([HC1[1]:…])", () => {
    const k = createKernel({ preemptRt, ...IC })
    const s = k.rawSpinLock('s', 0)
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['inconsistent-lock-state'])
    expect(k.diagnostics[0]?.report).toContain('task-2/2 [HC1[1]:SC0[0]:HE0:SE1] takes:')
  })
})

/**
 * A hardirq taken while local_interrupt_disable() is held (reachable when untyped code nests an
 * _irq unlock inside it, which turns interrupts back on; a save/restore guard dropped out of
 * order, Rust-for-Linux #998, is refused now) raises a softirq. At irq exit the series skips
 * softirqs while `hardirq_disable_count()` is non-zero; mainline runs them.
 */
describe('softirqs at irq exit while the interrupt-disable count is held', () => {
  const scenario = (layout: Layout) => {
    const k = createKernel({ preemptCountLayout: layout })
    const ran: string[] = []
    k.openSoftirq('TIMER', (ctx) => ran.push(ctx.comm))
    k.requestIrq(5, 'dev', (ctx) => ctx.raiseSoftirq('TIMER'), { noThread: true })
    const hw = k.rawSpinLock('hw', 0)
    const during: { ran: number; pending: number; preemptCount: number; preemptible: boolean; irqsOn: boolean } = {
      ran: -1,
      pending: -1,
      preemptCount: -1,
      preemptible: false,
      irqsOn: false,
    }
    k.run(
      (ctx) => {
        const g = ctx.localInterruptDisable() // count 0→1 saves "on"
        loose(hw, 'withLockedIrq')(g.ctx, () => 0) // untyped: its unlock enables interrupts, count held
        const v = k.cpu(0)
        during.irqsOn = !v.irqsDisabled
        during.preemptible = v.preemptible()
        g.ctx.raiseIrq(5) // taken at once: hardirq, TIMER raised, irq exit
        during.ran = ran.length
        during.pending = v.softirqPending
        during.preemptCount = v.preemptCount
        g.unlock()
      },
      { comm: 'app' },
    )
    return { k, ran, during }
  }

  it('interrupt-count: TIMER stays pending at irq exit (count 1); it runs at the next local_bh_enable()', () => {
    const { k, ran, during } = scenario('interrupt-count')
    expect(during).toEqual({ ran: 0, pending: 1 << 1, preemptCount: 0x10000, preemptible: false, irqsOn: true })
    expect(ran).toEqual([])
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['proof-falsified'])
    expect(k.diagnostics[0]?.title).toBe(PROOF_FALSIFIED_TITLE)
    expect(k.cpu(0).softirqPending).toBe(1 << 1)
    k.run((ctx) => ctx.localBhDisable(() => undefined), { comm: 'later' })
    expect(ran).toEqual(['later'])
    expect(k.cpu(0).softirqPending).toBe(0)
  })

  it('mainline: the same program runs TIMER at that irq exit, on the interrupted task', () => {
    const { k, ran, during } = scenario('mainline')
    expect(during).toEqual({ ran: 1, pending: 0, preemptCount: 0, preemptible: true, irqsOn: true })
    expect(ran).toEqual(['app'])
    // Interrupts and BH at the _irq unlock's local_irq_enable(); preemption at its preempt_enable()
    // (the interrupt-disable count is outside preempt_count on this layout).
    expect(k.diagnostics.map((d) => (d.kind === 'proof-falsified' ? d.proofs : d.kind))).toEqual([['IrqDisabled', 'BhDisabled'], ['PreemptDisabled']])
  })
})

// ── random nested programs (./program.ts), on this layout ──
const RUNS = 2_000

// The mainline layout runs the same programs in property.test.ts.
describe.each([
  ['interrupt-count', false],
  ['interrupt-count', true],
] as const)('random nested programs with counted interrupt disabling, layout=%s, preemptRt=%s', (layout, preemptRt) => {
  it(`${RUNS} programs: CPUs end as they began; predicates agree with the layout's reference at every step`, () => {
    let steps = 0
    let nmis = 0
    fc.assert(
      fc.property(configArb(layout, preemptRt), (config) => {
        const r = new Runner(config)
        const initial = r.k.snapshot()
        r.runAll()
        expect(r.k.snapshot()).toEqual(initial)
        expect(r.k.diagnostics).toEqual([])
        expect(Object.fromEntries(r.handled)).toEqual(Object.fromEntries(r.raised))
        expect(r.nmisHandled).toBe(r.nmisRaised)
        steps += r.steps
        nmis += r.nmisHandled
      }),
      { numRuns: RUNS },
    )
    expect(steps).toBeGreaterThan(RUNS * 5)
    expect(nmis).toBeGreaterThan(0)
  }, 60_000)
})
