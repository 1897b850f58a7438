import { describe, expect, it } from 'vitest'
import { CountingError, createKernel } from '../../src/index.js'
import { eventText } from '../../src/export/trace.js'

describe('NMI context', () => {
  it('masks interrupts while the handler runs, and restores the flag after', () => {
    const kernel = createKernel()
    const seen: boolean[] = []
    kernel.requestNmi('watchdog', () => seen.push(kernel.cpu(0).irqsDisabled))
    kernel.run((ctx) => ctx.raiseNmi('watchdog'))
    expect(seen).toEqual([true])
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('an IRQ raised inside an NMI waits until the NMI returns', () => {
    const kernel = createKernel({ trace: true })
    kernel.requestIrq(3, 'dev', () => undefined, { noThread: true })
    kernel.requestNmi('perf', (ctx) => ctx.raiseIrq(3))
    kernel.run((ctx) => ctx.raiseNmi('perf'))
    const events = kernel.trace.map((e) => eventText(e))
    expect(events.indexOf('nmi_exit')).toBeLessThan(events.indexOf('irq_enter'))
  })

  it('names the NMI field when NMI nesting overflows', () => {
    const kernel = createKernel()
    let depth = 0
    kernel.requestNmi('nest', (ctx) => {
      depth++
      ctx.raiseNmi('nest')
    })
    expect(() => kernel.run((ctx) => ctx.raiseNmi('nest'))).toThrow(CountingError)
    expect(depth).toBe(15)
    expect(kernel.diagnostics[0]).toMatchObject({ kind: 'bad-counting', field: 'nmi', problem: 'overflow' })
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })
})

describe('threadirqs on a normal kernel', () => {
  it('hands softirqs raised in hardirq to ksoftirqd instead of running them at irq exit', () => {
    const kernel = createKernel({ threadIrqs: true })
    const where: string[] = []
    kernel.openSoftirq('TIMER', (ctx) => where.push(ctx.comm))
    kernel.requestIrq(0, 'timer', (ctx) => ctx.raiseSoftirq('TIMER'), { noThread: true })
    kernel.run((ctx) => ctx.raiseIrq(0), { comm: 'app' })
    expect(where).toEqual(['ksoftirqd/0'])
  })

  it('without threadirqs the same softirq runs at irq exit, on the interrupted task', () => {
    const kernel = createKernel()
    const where: string[] = []
    kernel.openSoftirq('TIMER', (ctx) => where.push(ctx.comm))
    kernel.requestIrq(0, 'timer', (ctx) => ctx.raiseSoftirq('TIMER'), { noThread: true })
    kernel.run((ctx) => ctx.raiseIrq(0), { comm: 'app' })
    expect(where).toEqual(['app'])
  })
})
