/**
 * The machine/executor seam (issue #14): CPU primitives return outcomes and never call handlers;
 * the delivery (src/exec/delivery.ts) runs them through the executor bound to the CPU.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { Cpu, type CpuHost } from '../../src/machine/cpu.js'
import { HARDIRQ_OFFSET } from '../../src/machine/preempt-count.js'
import { bindHandlers, deliverPendingIrqs, handleSoftirqs } from '../../src/exec/delivery.js'
import { createMachineCpu } from '../../src/machine/machine.js'
import { OK, type IrqOutcome, type OkOutcome, type SoftirqsOutcome } from '../../src/machine/outcome.js'
import { CLAIM_BH } from '../../src/exec/claim-bits.js'
import { eventText } from '../../src/export/trace.js'

const host = (events: string[], preemptRt = false): CpuHost => ({
  preemptRt,
  forceIrqThreads: preemptRt,
  tracing: true,
  traceIrqflags: false,
  countingError: (_cpu, _field, _problem, detail) => {
    throw new Error(detail)
  },
  trace: (_cpu, event) => events.push(eventText(event)),
  proofsMayBeFalse: () => undefined,
  warn: (_cpu, warning) => events.push(`warn ${warning}`),
})

describe('machine outcomes', () => {
  it("'ok' is one frozen constant, returned by identity when nothing is to run", () => {
    expect(Object.isFrozen(OK)).toBe(true)
    const cpu = new Cpu(createMachineCpu(0), host([]))
    expect(cpu.localIrqEnable()).toBe(OK)
    expect(cpu.localIrqRestore(cpu.localIrqSave())).toBe(OK)
    expect(cpu.raiseSoftirq(1)).toBe(OK)
    expect(cpu.takeIrq()).toBe(OK)
  })

  it("turning interrupts on with one pending returns the 'irq' outcome and enters nothing", () => {
    const events: string[] = []
    const state = createMachineCpu(0)
    const cpu = new Cpu(state, host(events))
    cpu.localIrqDisable()
    expect(cpu.raiseIrq(3)).toBe(OK)
    expect(cpu.localIrqEnable()).toEqual({ tag: 'irq', cpu: 0, line: 3 })
    // No handler ran (none is bound: a call would throw), nothing was entered.
    expect(state).toMatchObject({ irqsDisabled: false, pendingIrqs: [3], preemptCount: 0 })
    expect(events).toEqual(['local_irq_disable', 'irq_raise 3', 'local_irq_enable'])
  })

  it("takeIrq() enters hardirq context; irq_exit() with softirqs pending returns 'softirqs' and runs none", () => {
    const events: string[] = []
    const state = createMachineCpu(0)
    const cpu = new Cpu(state, host(events))
    state.pendingIrqs.push(4)
    expect(cpu.takeIrq()).toEqual({ tag: 'irq', cpu: 0, line: 4 })
    expect(state).toMatchObject({ irqsDisabled: true, pendingIrqs: [], preemptCount: HARDIRQ_OFFSET })
    state.softirqPending = 1 << 3
    expect(cpu.irqExit()).toEqual({ tag: 'softirqs', cpu: 0 })
    expect(state).toMatchObject({ softirqPending: 1 << 3, preemptCount: 0, irqsDisabled: true })
    cpu.irqReturn()
    expect(state.irqsDisabled).toBe(false)
    expect(events).toEqual(['irq_enter', 'irq_exit'])
  })

  it('the delivery runs the bound handlers: hardirq, then the softirqs at its irq_exit()', () => {
    const events: string[] = []
    const state = createMachineCpu(0)
    const cpu = new Cpu(state, host(events))
    const ran: string[] = []
    bindHandlers(cpu, {
      hardirq: (c, line) => {
        ran.push(`irq ${line} pc=${c.preemptCount.toString(16)}`)
        state.softirqPending |= 1 << 1
      },
      softirq: (c, nr) => ran.push(`softirq ${nr} pc=${c.preemptCount.toString(16)} irqs=${c.irqsDisabled ? 'off' : 'on'}`),
    })
    state.pendingIrqs.push(7)
    deliverPendingIrqs(cpu)
    expect(ran).toEqual(['irq 7 pc=10000', 'softirq 1 pc=100 irqs=on'])
    expect(state).toMatchObject({ irqsDisabled: false, pendingIrqs: [], softirqPending: 0, preemptCount: 0, ksoftirqdWoken: false })
  })

  it('handle_softirqs() stops after MAX_SOFTIRQ_RESTART rounds and wakes ksoftirqd', () => {
    const state = createMachineCpu(0)
    const cpu = new Cpu(state, host([]))
    let rounds = 0
    bindHandlers(cpu, {
      hardirq: () => undefined,
      softirq: (_c, nr) => {
        rounds++
        state.softirqPending |= 1 << nr // raises itself again
      },
    })
    cpu.localIrqDisable()
    state.softirqPending = 1 << 2
    handleSoftirqs(cpu, false)
    expect(rounds).toBe(10)
    expect(state).toMatchObject({ ksoftirqdWoken: true, softirqPending: 1 << 2, irqsDisabled: true, preemptCount: 0 })
  })
})

describe("the CPU primitives' outcome types", () => {
  it('say which outcomes each can return: an interrupt to take, or softirqs for irq_exit()', () => {
    const cpu = new Cpu(createMachineCpu(0), host([]))
    expectTypeOf(cpu.localIrqEnable()).toEqualTypeOf<OkOutcome | IrqOutcome>()
    expectTypeOf(cpu.localIrqRestore(cpu.localIrqSave())).toEqualTypeOf<OkOutcome | IrqOutcome>()
    cpu.localInterruptDisable()
    expectTypeOf(cpu.localInterruptEnable()).toEqualTypeOf<OkOutcome | IrqOutcome>()
    expectTypeOf(cpu.raiseSoftirq(1)).toEqualTypeOf<OkOutcome | IrqOutcome>()
    cpu.localIrqDisable()
    expectTypeOf(cpu.raiseIrq(3)).toEqualTypeOf<OkOutcome | IrqOutcome>()
    cpu.irqEnter()
    expectTypeOf(cpu.irqExit()).toEqualTypeOf<OkOutcome | SoftirqsOutcome>()
    expect(cpu.state.pendingIrqs).toEqual([3])
  })

  it('localBhEnableEndsIrqsOn() only answers: the proofs are checked by localBhEnableSoftirqsOn()', () => {
    const checked: string[] = []
    const cpu = new Cpu(createMachineCpu(0), { ...host([]), proofsMayBeFalse: (_cpu, by) => checked.push(by) })
    cpu.addClaims(CLAIM_BH)
    expect(cpu.localBhEnableEndsIrqsOn(false)).toBe(false)
    expect(checked).toEqual([])
    cpu.localBhEnableSoftirqsOn()
    expect(checked).toEqual(['local_bh_enable()'])
  })
})
