/**
 * The trace (`createKernel({ trace: true })`): ftrace's latency-format flag columns for known
 * states, formatTrace's layout, traceToJson, and determinism.
 *
 *   irqs-off/BH-disabled | need-resched | hardirq/softirq | preempt-depth | migrate-disable
 */
import { describe, expect, it } from 'vitest'
import { createKernel, formatTrace, traceToJson, type Kernel, type TraceEvent } from '../../src/index.js'
import { eventText } from '../../src/export/trace.js'

/** The first event named exactly `event` (after `from`), or fail. */
const find = (k: Kernel, event: string, from = 0): TraceEvent => {
  const e = k.trace.slice(from).find((t) => eventText(t) === event)
  if (e === undefined) throw new Error(`no trace event '${event}' in:\n${k.trace.map((t) => eventText(t)).join('\n')}`)
  return e
}
const flags = (k: Kernel, event: string, from = 0): string => find(k, event, from).flags

describe('latency flags', () => {
  it("a task: '.....'; preempt_disable(): '...1.'", () => {
    const k = createKernel({ trace: true })
    k.run((ctx) => {
      ctx.preemptDisable((p) => p.preemptDisable(() => 0))
    })
    expect(flags(k, 'sched_switch swapper/0 => task-1')).toBe('.....')
    const pd = k.trace.filter((e) => eventText(e) === 'preempt_disable').map((e) => e.flags)
    expect(pd).toEqual(['...1.', '...2.'])
    const pe = k.trace.filter((e) => eventText(e) === 'preempt_enable').map((e) => e.flags)
    expect(pe).toEqual(['...1.', '.....'])
  })

  it("a raw irqsave section: 'd..1.' (guard and callback forms)", () => {
    for (const irqDisable of ['counted', 'save-restore'] as const) {
      const k = createKernel({ trace: true, irqDisable })
      const hw = k.rawSpinLock('hw', 0)
      k.run((ctx) => {
        hw.withLockedIrqSave(ctx, () => 0)
        using g = hw.lockIrqSave(ctx)
        expect(g.held).toBe(true)
      })
      const locks = k.trace.filter((e) => eventText(e) === "lock raw_spinlock_t 'hw'")
      expect(locks.map((e) => e.flags)).toEqual(['d..1.', 'd..1.'])
      // local_irq_save() comes first: interrupts off, preemption not yet.
      expect(flags(k, 'local_irq_save')).toBe('d....')
      expect(k.trace.at(-1)?.flags).toBe('.....')
    }
  })

  it("a hardirq handler taken at a spin_unlock_irqrestore(): 'd.h1.'", () => {
    // spin_unlock_irqrestore(): release, local_irq_restore(flags), preempt_enable(). The pending
    // interrupt is taken by the hardware the moment local_irq_restore() turns interrupts on, so
    // before preempt_enable(): preempt-depth is still 1. Interrupts were on for that instant
    // (local_irq_restore shows '...1.'), but entering the handler turns them off again: 'd'.
    const k = createKernel({ trace: true })
    const s = k.spinLock('s', 0)
    k.requestIrq(1, 'dev', () => undefined)
    k.run((ctx) => s.withLockedIrqSave(ctx, (c) => c.raiseIrq(1)))
    expect(flags(k, 'irq_raise 1')).toBe('d..1.')
    expect(flags(k, 'local_irq_restore')).toBe('...1.')
    expect(flags(k, 'irq_enter')).toBe('d.h1.')
    expect(flags(k, 'irq_handler_entry 1 dev')).toBe('d.h1.')
    expect(flags(k, 'irq_exit')).toBe('d..1.')
    const order = k.trace.map((e) => eventText(e))
    expect(order.indexOf('irq_enter')).toBeLessThan(order.indexOf('preempt_enable'))
  })

  it.each(['counted', 'save-restore'] as const)(
    "a hardirq handler taken at a guard's spin_unlock_irqrestore(): also 'd.h1.' (kernel order; %s)",
    (irqDisable) => {
      // The same unlock steps as the callback form (kinds.ts: "Unlock restores interrupts *before*
      // preempt_enable(): a pending IRQ sees preempt_count 1"), so the same flags are expected.
      const k = createKernel({ trace: true, irqDisable })
      const s = k.spinLock('s', 0)
      k.requestIrq(1, 'dev', () => undefined)
      k.run((ctx) => {
        using g = s.lockIrqSave(ctx)
        g.ctx.raiseIrq(1)
      })
      expect(flags(k, 'irq_handler_entry 1 dev')).toBe('d.h1.')
      const order = k.trace.map((e) => eventText(e))
      expect(order.indexOf('irq_enter')).toBeLessThan(order.indexOf('preempt_enable'))
    },
  )

  it("softirq: '..s..'; BH disabled on a normal kernel: 'b....' (preempt_count 0x200)", () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('TIMER', () => undefined)
    k.requestIrq(1, 'dev', (c) => c.raiseSoftirq('TIMER'))
    k.run((ctx) => {
      ctx.localBhDisable(() => {
        expect(k.cpu(0).preemptCount).toBe(0x200)
      })
      ctx.raiseIrq(1)
    })
    // SOFTIRQ_DISABLE_OFFSET sets the BH column; the preempt-depth column reads the low byte only.
    expect(flags(k, 'local_bh_disable')).toBe('b....')
    // At irq_exit the softirq runs: serving (SOFTIRQ_OFFSET) with interrupts on.
    expect(flags(k, 'softirq_entry vec=1 [action=TIMER]')).toBe('..s..')
    expect(flags(k, 'handle_softirqs begin')).toBe('d.s..')
  })

  it("softirq run by ksoftirqd in its own task: '..s..'", () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('NET_RX', () => undefined)
    k.run((ctx) => ctx.raiseSoftirq('NET_RX'))
    const e = find(k, 'softirq_entry vec=3 [action=NET_RX]')
    expect(e.flags).toBe('..s..')
    expect(e.comm).toBe('ksoftirqd/0')
  })

  it("BH and interrupts off together: 'D'", () => {
    const k = createKernel({ trace: true })
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      ctx.localBhDisable((b) => {
        using g = hw.lockIrqSave(b)
        expect(g.held).toBe(true)
      })
    })
    expect(flags(k, "lock raw_spinlock_t 'hw'")).toBe('D..1.')
  })

  it("an NMI inside a hardirq handler: 'Z'", () => {
    const k = createKernel({ trace: true })
    const hw = k.rawSpinLock('hw', 0)
    k.requestNmi('watchdog', (c) => hw.withLocked(c, () => 0))
    k.requestIrq(1, 'dev', (c) => c.raiseNmi('watchdog'))
    k.run((ctx) => ctx.raiseIrq(1))
    expect(flags(k, 'irq_handler_entry 1 dev')).toBe('d.h..')
    expect(flags(k, 'nmi_enter')).toBe('d.Z..')
    expect(flags(k, "lock raw_spinlock_t 'hw'")).toBe('d.Z1.')
    expect(flags(k, 'nmi_exit')).toBe('d.h..')
  })

  it("PREEMPT_RT spinlock_t: the migrate-disable column, '....1'", () => {
    const k = createKernel({ trace: true, preemptRt: true })
    const s = k.spinLock('s', 0)
    k.run((ctx) => {
      using g = s.lock(ctx)
      expect(g.held).toBe(true)
    })
    // rt_spin_lock(): the lockdep annotation first (nothing disabled yet), then rcu_read_lock(),
    // then migrate_disable(). Preemption stays enabled: the depth column stays '.'.
    expect(flags(k, "lock spinlock_t 's'")).toBe('.....')
    expect(flags(k, 'migrate_disable')).toBe('....1')
    expect(flags(k, "unlock spinlock_t 's'")).toBe('....1')
    expect(flags(k, 'migrate_enable')).toBe('.....')
  })

  it('every event records preempt_count and the interrupt flag consistently with its columns', () => {
    const k = createKernel({ trace: true })
    const hw = k.rawSpinLock('hw', 0)
    k.requestIrq(1, 'dev', () => undefined)
    k.run((ctx) => {
      using g = hw.lockIrqSave(ctx)
      g.ctx.raiseIrq(1)
    })
    for (const e of k.trace) {
      expect(e.flags).toHaveLength(5)
      expect(e.flags[0] === 'd' || e.flags[0] === 'D').toBe(e.irqsDisabled)
      const depth = e.preemptCount & 0xff
      expect(e.flags[3]).toBe(depth === 0 ? '.' : Math.min(depth, 0xf).toString(16))
    }
  })
})

/** A small program exercising tasks, locks, an interrupt and a softirq. */
const program = (k: Kernel): void => {
  const stats = k.spinLock('stats', { n: 0 })
  const hw = k.rawSpinLock('hw', 0)
  k.openSoftirq('TIMER', () => undefined)
  k.requestIrq(3, 'nic', (c) => {
    stats.withLocked(c, (_c, d) => {
      d.n++
    })
    c.raiseSoftirq('TIMER')
  })
  k.run(
    (ctx) => {
      using g = stats.lockIrqSave(ctx)
      g.ctx.raiseIrq(3)
      using h = hw.lock(g.ctx)
      expect(h.held).toBe(true)
    },
    { comm: 'averyverylongname' },
  )
  k.run((ctx) => ctx.preemptDisable(() => 0))
}

describe('formatTrace', () => {
  it("starts with the '#' header, then one line per event; pid 0 is shown as '<idle>'", () => {
    const k = createKernel({ trace: true })
    program(k)
    const lines = formatTrace(k.trace).split('\n')
    const header = lines.filter((l) => l.startsWith('#'))
    expect(header).toHaveLength(8)
    expect(lines.slice(0, header.length)).toEqual(header)
    expect(header[0]).toContain('irqs-off/BH-disabled')
    expect(header.join('\n')).toContain('migrate-disable')
    const body = lines.slice(header.length)
    expect(body).toHaveLength(k.trace.length)
    k.trace.forEach((e, i) => {
      const line = body[i] ?? ''
      expect(line).toContain(` ${String(e.seq).padStart(4)}: `)
      expect(line).toContain(` ${e.flags} `)
      if (e.pid === 0) expect(line.trimStart().startsWith('<idle>-0')).toBe(true)
      else expect(line).toContain(`${e.comm.slice(0, 8)}-${e.pid}`)
    })
    // Each event's text, literally (not through eventText(), which formatTrace itself uses).
    expect(body.map((l) => l.slice(l.indexOf(': ') + 2))).toEqual([
      'sched_switch swapper/0 => averyverylongname',
      'local_irq_save',
      'local_interrupt_disable',
      'preempt_disable',
      "lock spinlock_t 'stats'",
      'irq_raise 3',
      'preempt_disable',
      "lock raw_spinlock_t 'hw'",
      "unlock raw_spinlock_t 'hw'",
      'preempt_enable',
      "unlock spinlock_t 'stats'",
      'local_interrupt_enable',
      'local_irq_restore',
      'irq_enter',
      'irq_handler_entry 3 nic',
      'preempt_disable',
      "lock spinlock_t 'stats'",
      "unlock spinlock_t 'stats'",
      'preempt_enable',
      'local_irq_save',
      'raise_softirq 1',
      'local_irq_restore',
      'irq_handler_exit 3 nic',
      'irq_exit',
      'handle_softirqs begin',
      'local_irq_enable',
      'softirq_entry vec=1 [action=TIMER]',
      'softirq_exit vec=1 [action=TIMER]',
      'local_irq_disable',
      'handle_softirqs end',
      'preempt_enable',
      'sched_switch averyverylongname => swapper/0',
      'sched_switch swapper/0 => task-2',
      'preempt_disable',
      'preempt_enable',
      'sched_switch task-2 => swapper/0',
    ])
    // The task's comm is cut to 8 characters, as ftrace's latency format does.
    expect(body[0]).toBe('averyver-1      0 .....    0: sched_switch swapper/0 => averyverylongname')
    const idle = body.find((l) => l.includes('sched_switch averyverylongname => swapper/0'))
    expect(idle?.startsWith('  <idle>-0      0 ..... ')).toBe(true)
    expect(body.some((l) => l.includes('<idle>'))).toBe(true)
  })

  it('an empty trace is only the header', () => {
    expect(
      formatTrace([])
        .split('\n')
        .every((l) => l.startsWith('#')),
    ).toBe(true)
  })

  it('traceToJson round-trips', () => {
    const k = createKernel({ trace: true })
    program(k)
    expect(k.trace.length).toBeGreaterThan(20)
    expect(JSON.parse(traceToJson(k.trace))).toEqual(k.trace)
  })

  it('without trace: true nothing is recorded', () => {
    const k = createKernel()
    program(k)
    expect(k.trace).toEqual([])
  })

  it('is deterministic: the same program twice gives the same output', () => {
    const a = createKernel({ trace: true })
    const b = createKernel({ trace: true })
    program(a)
    program(b)
    expect(formatTrace(a.trace)).toBe(formatTrace(b.trace))
    expect(traceToJson(a.trace)).toBe(traceToJson(b.trace))
    // seq numbers are consecutive from 0.
    expect(a.trace.map((e) => e.seq)).toEqual(a.trace.map((_e, i) => i))
  })
})
