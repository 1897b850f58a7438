import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel, type TraceEvent } from '../../src/index.js'
import { eventText } from '../../src/export/trace.js'

const events = (k: Kernel): string[] => k.trace.map((e) => eventText(e))
/** The events matching `re`, in order. */
const only = (k: Kernel, re: RegExp): string[] => events(k).filter((e) => re.test(e))
const first = (k: Kernel, event: string): TraceEvent => {
  const e = k.trace.find((t) => eventText(t) === event)
  if (e === undefined) throw new Error(`no trace event '${event}'`)
  return e
}
const indexOf = (k: Kernel, event: string): number => {
  const i = events(k).indexOf(event)
  if (i < 0) throw new Error(`no trace event '${event}'`)
  return i
}

describe.each([false, true])('hardirq delivery, preemptRt=%s', (preemptRt) => {
  const make = () => {
    const k = createKernel({ trace: true, preemptRt })
    for (const line of [1, 2, 3]) k.requestIrq(line, `dev${line}`, () => undefined, { noThread: true })
    return k
  }

  it('raised inside local_irq_save(): pending, then taken at the restore in raise order', () => {
    const k = make()
    let pendingInside: readonly number[] = []
    k.run((ctx) =>
      ctx.core.localIrqSave((c) => {
        c.raiseIrq(3)
        c.raiseIrq(1)
        c.raiseIrq(2)
        pendingInside = k.cpu(0).pendingIrqs
      }),
    )
    expect(pendingInside).toEqual([3, 1, 2])
    const restore = indexOf(k, 'local_irq_restore')
    expect(only(k, /^irq_handler_entry/)).toEqual(['irq_handler_entry 3 dev3', 'irq_handler_entry 1 dev1', 'irq_handler_entry 2 dev2'])
    expect(indexOf(k, 'irq_handler_entry 3 dev3')).toBeGreaterThan(restore)
    expect(events(k).slice(restore, restore + 5)).toEqual(['local_irq_restore', 'irq_enter', 'irq_handler_entry 3 dev3', 'irq_handler_exit 3 dev3', 'irq_exit'])
    expect(k.cpu(0).pendingIrqs).toEqual([])
  })

  it('preempt_disable() + local_irq_save(): taken at the irq restore, inside the preempt section', () => {
    const k = make()
    k.run((ctx) => ctx.preemptDisable((c) => c.core.localIrqSave((c2) => c2.raiseIrq(2))))
    const ev = events(k)
    expect(ev.indexOf('irq_enter')).toBeGreaterThan(ev.indexOf('local_irq_restore'))
    expect(ev.indexOf('irq_enter')).toBeLessThan(ev.indexOf('preempt_enable'))
    expect(first(k, 'irq_handler_entry 2 dev2').preemptCount).toBe(0x10001)
  })

  it('a line raised with interrupts on is taken at once', () => {
    const k = make()
    k.run((ctx) => ctx.raiseIrq(1))
    expect(only(k, /irq_raise|irq_enter|irq_exit/)).toEqual(['irq_raise 1', 'irq_enter', 'irq_exit'])
    expect(first(k, 'irq_enter')).toMatchObject({ preemptCount: 0x10000, irqsDisabled: true, comm: 'task-1' })
  })

  it('raised inside an IRQF_NO_THREAD handler: taken after it exits, in order, never nested', () => {
    const k = createKernel({ trace: true, preemptRt })
    k.requestIrq(
      1,
      'outer',
      (ctx) => {
        ctx.raiseIrq(3)
        ctx.raiseIrq(2)
      },
      { noThread: true },
    )
    k.requestIrq(2, 'b', () => undefined, { noThread: true })
    k.requestIrq(3, 'c', () => undefined, { noThread: true })
    k.raiseIrq(1)
    expect(only(k, /^irq_(enter|exit|handler)/)).toEqual([
      'irq_enter',
      'irq_handler_entry 1 outer',
      'irq_handler_exit 1 outer',
      'irq_exit',
      'irq_enter',
      'irq_handler_entry 3 c',
      'irq_handler_exit 3 c',
      'irq_exit',
      'irq_enter',
      'irq_handler_entry 2 b',
      'irq_handler_exit 2 b',
      'irq_exit',
    ])
    expect(k.trace.every((e) => e.preemptCount <= 0x10000)).toBe(true)
  })

  it('a line with no handler is spurious and changes nothing', () => {
    const k = make()
    const before = k.snapshot()
    k.raiseIrq(42)
    expect(events(k)).toContain('irq 42: spurious (no handler)')
    expect(k.snapshot()).toEqual(before)
  })
})

describe('softirqs on a normal kernel', () => {
  it('run at hardirq exit, after the hardirq count is dropped: 0x100', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('NET_RX', () => undefined)
    k.requestIrq(4, 'nic', (ctx) => ctx.raiseSoftirq(3), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4))
    expect(only(k, /irq_handler_exit|irq_exit|handle_softirqs|softirq_(entry|exit)/)).toEqual([
      'irq_handler_exit 4 nic',
      'irq_exit',
      'handle_softirqs begin',
      'softirq_entry vec=3 [action=NET_RX]',
      'softirq_exit vec=3 [action=NET_RX]',
      'handle_softirqs end',
    ])
    expect(first(k, 'irq_exit').preemptCount).toBe(0)
    expect(first(k, 'softirq_entry vec=3 [action=NET_RX]')).toMatchObject({ preemptCount: 0x100, irqsDisabled: false })
    expect(first(k, 'handle_softirqs end')).toMatchObject({ preemptCount: 0x100, irqsDisabled: true })
  })

  it('run at the local_bh_enable() that brings the count to zero: 0x001 then 0x101', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('TIMER', () => undefined)
    k.run((ctx) => ctx.localBhDisable((c) => c.localBhDisable((c2) => c2.raiseSoftirq(1))))
    const enables = k.trace.filter((e) => eventText(e) === 'local_bh_enable')
    expect(enables.map((e) => e.preemptCount)).toEqual([0x201, 0x001])
    const entry = first(k, 'softirq_entry vec=1 [action=TIMER]')
    expect(entry.preemptCount).toBe(0x101)
    expect(k.trace.indexOf(entry)).toBeGreaterThan(k.trace.indexOf(enables[1] as TraceEvent))
    expect(only(k, /ksoftirqd/)).toEqual([])
    expect(k.trace.at(-1)?.preemptCount).toBe(0)
  })

  it('never while in interrupt: an irq exit inside a BH-disabled section leaves them pending', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('NET_RX', () => undefined)
    k.requestIrq(4, 'nic', (ctx) => ctx.raiseSoftirq(3), { noThread: true })
    let pendingAfterIrq = -1
    k.run((ctx) =>
      ctx.localBhDisable((c) => {
        c.raiseIrq(4)
        pendingAfterIrq = k.cpu(0).softirqPending
      }),
    )
    expect(pendingAfterIrq).toBe(1 << 3)
    const ev = events(k)
    expect(ev.indexOf('softirq_entry vec=3 [action=NET_RX]')).toBeGreaterThan(ev.indexOf('local_bh_enable'))
    expect(first(k, 'softirq_entry vec=3 [action=NET_RX]').preemptCount).toBe(0x101)
  })

  it('a softirq raised by a softirq handler runs in the restart loop, not nested', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('TIMER', (ctx) => ctx.raiseSoftirq(0))
    k.openSoftirq('HI', () => undefined)
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq(1)))
    expect(only(k, /softirq_(entry|exit)|handle_softirqs/)).toEqual([
      'handle_softirqs begin',
      'softirq_entry vec=1 [action=TIMER]',
      'softirq_exit vec=1 [action=TIMER]',
      'softirq_entry vec=0 [action=HI]',
      'softirq_exit vec=0 [action=HI]',
      'handle_softirqs end',
    ])
  })

  it('lowest softirq number first', () => {
    const k = createKernel({ trace: true })
    for (const nr of [0, 1, 3, 9]) k.openSoftirq(nr, () => undefined)
    k.run((ctx) =>
      ctx.localBhDisable((c) => {
        c.raiseSoftirq(9)
        c.raiseSoftirq(3)
        c.raiseSoftirq(0)
        c.raiseSoftirq(1)
      }),
    )
    expect(only(k, /^softirq_entry/)).toEqual([
      'softirq_entry vec=0 [action=HI]',
      'softirq_entry vec=1 [action=TIMER]',
      'softirq_entry vec=3 [action=NET_RX]',
      'softirq_entry vec=9 [action=RCU]',
    ])
  })

  it('raised in a task with preemption off: ksoftirqd, at the preempt_enable()', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('TIMER', () => undefined)
    k.run((ctx) => ctx.preemptDisable((c) => c.raiseSoftirq(1)))
    const ev = events(k)
    expect(ev.indexOf('sched_switch task-1 => ksoftirqd/0')).toBeGreaterThan(ev.indexOf('preempt_enable'))
    expect(first(k, 'softirq_entry vec=1 [action=TIMER]')).toMatchObject({ comm: 'ksoftirqd/0', preemptCount: 0x100 })
  })
})

describe('softirqs on PREEMPT_RT', () => {
  it('never at irq exit: the hardirq wakes ksoftirqd, which runs them as a task', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.openSoftirq('NET_RX', () => undefined)
    k.requestIrq(4, 'nic', (ctx) => ctx.raiseSoftirq(3), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4))
    const ev = events(k)
    const exit = ev.indexOf('irq_exit')
    expect(ev[exit + 1]).toBe('sched_switch task-1 => ksoftirqd/0')
    expect(first(k, 'softirq_entry vec=3 [action=NET_RX]')).toMatchObject({ comm: 'ksoftirqd/0', preemptCount: 0, irqsDisabled: false })
    expect(k.trace.filter((e) => eventText(e).startsWith('softirq_entry') && e.preemptCount !== 0)).toEqual([])
  })

  it('run in the task at the outermost local_bh_enable(), interrupts off around the loop and back on after', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.openSoftirq('TIMER', () => undefined)
    let irqsAfter = true
    k.run((ctx) => {
      ctx.localBhDisable((c) => c.localBhDisable((c2) => c2.raiseSoftirq(1)))
      irqsAfter = k.cpu(0).irqsDisabled
    })
    expect(irqsAfter).toBe(false)
    expect(first(k, 'softirq_entry vec=1 [action=TIMER]')).toMatchObject({ comm: 'task-1', preemptCount: 0, irqsDisabled: false })
    expect(only(k, /ksoftirqd/)).toEqual([])
    expect(only(k, /migrate|rcu_read|local_bh|handle_softirqs/)).toEqual([
      'migrate_disable',
      'rcu_read_lock',
      'local_bh_disable',
      'local_bh_disable',
      'local_bh_enable',
      'local_bh_enable',
      'handle_softirqs begin',
      'handle_softirqs end',
      'migrate_enable',
      'rcu_read_unlock',
      'local_bh_enable',
    ])
  })

  it('ksoftirqd: BH off with SOFTIRQ_OFFSET, then interrupts off; at the end BH back on before interrupts (ksoftirqd_run_end)', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.openSoftirq('TIMER', () => undefined)
    k.raiseSoftirq('TIMER')
    const ksoftirqd = k.trace.filter((e) => e.comm === 'ksoftirqd/0').map((e) => eventText(e))
    expect(ksoftirqd).toEqual([
      'sched_switch swapper/0 => ksoftirqd/0',
      'migrate_disable',
      'rcu_read_lock',
      'local_bh_disable',
      'local_irq_disable',
      'handle_softirqs begin',
      'local_irq_enable',
      'softirq_entry vec=1 [action=TIMER]',
      'softirq_exit vec=1 [action=TIMER]',
      'local_irq_disable',
      'handle_softirqs end',
      'migrate_enable',
      'rcu_read_unlock',
      'local_bh_enable',
      'local_irq_enable',
    ])
  })

  it('with preemption off at local_bh_enable(): ksoftirqd is woken instead', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.openSoftirq('TIMER', () => undefined)
    k.run((ctx) => ctx.preemptDisable((c) => c.localBhDisable((c2) => c2.raiseSoftirq(1))))
    const ev = events(k)
    expect(first(k, 'softirq_entry vec=1 [action=TIMER]').comm).toBe('ksoftirqd/0')
    expect(ev.indexOf('sched_switch task-1 => ksoftirqd/0')).toBeGreaterThan(ev.indexOf('preempt_enable'))
  })

  it('force-threaded handler: woken by the hardirq, runs as irq/<line>-<name> with BH off, then softirqs at its local_bh_enable', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    let bh = -1
    k.requestIrq(9, 'eth0', (ctx) => {
      bh = k.cpu(0).softirqCount()
      ctx.raiseSoftirq(3)
    })
    k.openSoftirq(3, () => undefined)
    k.run((ctx) => ctx.raiseIrq(9))
    expect(bh).toBe(0x200)
    const ev = events(k)
    const wake = ev.indexOf('irq_handler_entry 9 eth0: wake irq/9-eth0')
    expect(ev.slice(wake - 1, wake + 6)).toEqual([
      'irq_enter',
      'irq_handler_entry 9 eth0: wake irq/9-eth0',
      'irq_exit',
      'sched_switch task-1 => irq/9-eth0',
      'migrate_disable',
      'rcu_read_lock',
      'local_bh_disable',
    ])
    expect(first(k, 'irq_handler_entry 9 eth0: wake irq/9-eth0').preemptCount).toBe(0x10000)
    expect(first(k, 'softirq_entry vec=3 [action=NET_RX]').comm).toBe('irq/9-eth0')
    expect(only(k, /sched_switch/)).toEqual([
      'sched_switch swapper/0 => task-1',
      'sched_switch task-1 => irq/9-eth0',
      'sched_switch irq/9-eth0 => task-1',
      'sched_switch task-1 => swapper/0',
    ])
  })

  it('the irq thread waits while the interrupted task is not preemptible', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.requestIrq(9, 'eth0', () => undefined)
    k.run((ctx) => ctx.preemptDisable((c) => c.raiseIrq(9)))
    const ev = events(k)
    expect(ev.indexOf('sched_switch task-1 => irq/9-eth0')).toBeGreaterThan(ev.indexOf('preempt_enable'))
  })
})

describe('threadIrqs on a normal kernel', () => {
  it('force-threaded handler runs with BH and interrupts off', () => {
    const k = createKernel({ trace: true, threadIrqs: true })
    k.requestIrq(7, 'sata', () => undefined)
    k.run((ctx) => ctx.raiseIrq(7))
    const ev = events(k)
    const sw = ev.indexOf('sched_switch task-1 => irq/7-sata')
    expect(ev.slice(sw, sw + 5)).toEqual(['sched_switch task-1 => irq/7-sata', 'local_bh_disable', 'local_irq_disable', 'local_irq_enable', 'local_bh_enable'])
    expect(k.trace[sw + 2]).toMatchObject({ preemptCount: 0x200, irqsDisabled: true, comm: 'irq/7-sata' })
  })
})
