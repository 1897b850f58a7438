import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { TASK_PREDICATES, observe, type Observation } from './helpers.js'

const TIMER = 1
const NET_RX = 3

describe.each([false, true])('predicates, preemptRt=%s', (preemptRt) => {
  const make = () => createKernel({ preemptRt })

  it('idle CPU: swapper, preemptible, in task context', () => {
    const k = make()
    expect(observe(k.cpu(0))).toEqual({
      comm: 'swapper/0',
      pid: 0,
      preemptCount: 0,
      softirqCount: 0,
      irqsDisabled: false,
      ...TASK_PREDICATES,
      inAtomic: false,
      preemptible: true,
      migrationDisabled: 0,
      rcuReadLockNesting: 0,
      softirqDisableCnt: 0,
    })
  })

  it('plain task', () => {
    const k = make()
    const o = k.run(() => observe(k.cpu(0)), { comm: 'worker' })
    expect(o).toEqual({
      comm: 'worker',
      pid: 1,
      preemptCount: 0,
      softirqCount: 0,
      irqsDisabled: false,
      ...TASK_PREDICATES,
      inAtomic: false,
      preemptible: true,
      migrationDisabled: 0,
      rcuReadLockNesting: 0,
      softirqDisableCnt: 0,
    })
  })

  it('preempt_disable(): count 1, atomic, still a task', () => {
    const k = make()
    const o = k.run((ctx) => ctx.preemptDisable(() => observe(k.cpu(0))))
    expect(o).toMatchObject({ preemptCount: 1, ...TASK_PREDICATES, inAtomic: true, preemptible: false, irqsDisabled: false })
  })

  it('nested preempt_disable() counts', () => {
    const k = make()
    const o = k.run((ctx) => ctx.preemptDisable((c) => c.preemptDisable((c2) => c2.preemptDisable(() => observe(k.cpu(0))))))
    expect(o.preemptCount).toBe(3)
  })

  it('local_bh_disable(): in_softirq() but still in_task()', () => {
    const k = make()
    const o = k.run((ctx) => ctx.localBhDisable(() => observe(k.cpu(0))))
    expect(o).toMatchObject({
      softirqCount: 0x200,
      inTask: true,
      inSoftirq: true,
      inServingSoftirq: false,
      inInterrupt: true,
      inHardirq: false,
      inNmi: false,
      irqsDisabled: false,
    })
    if (!preemptRt) {
      expect(o).toMatchObject({ preemptCount: 0x200, inAtomic: true, preemptible: false, softirqDisableCnt: 0, migrationDisabled: 0, rcuReadLockNesting: 0 })
    } else {
      // SEMANTICS §1: RT BH-disable is migrate_disable() + rcu_read_lock() + the task counter.
      expect(o).toMatchObject({ preemptCount: 0, inAtomic: false, preemptible: true, softirqDisableCnt: 0x200, migrationDisabled: 1, rcuReadLockNesting: 1 })
    }
  })

  it('nested local_bh_disable() only adds to the count (RT: first entry only takes migrate/RCU)', () => {
    const k = make()
    const o = k.run((ctx) => ctx.localBhDisable((c) => c.localBhDisable(() => observe(k.cpu(0)))))
    expect(o.softirqCount).toBe(0x400)
    if (preemptRt) expect(o).toMatchObject({ preemptCount: 0, softirqDisableCnt: 0x400, migrationDisabled: 1, rcuReadLockNesting: 1 })
    else expect(o).toMatchObject({ preemptCount: 0x400, softirqDisableCnt: 0 })
  })

  it('RT: local_bh_disable() under preempt_disable() takes neither migrate nor RCU (first entry not preemptible)', () => {
    const k = make()
    const o = k.run((ctx) => ctx.preemptDisable((c) => c.localBhDisable(() => observe(k.cpu(0)))))
    if (preemptRt) expect(o).toMatchObject({ preemptCount: 1, softirqDisableCnt: 0x200, migrationDisabled: 0, rcuReadLockNesting: 0 })
    else expect(o).toMatchObject({ preemptCount: 0x201, softirqDisableCnt: 0 })
    expect(k.snapshot()[0]?.current.comm).toBe('swapper/0')
  })

  it('rcu_read_lock(): a task counter, preempt_count untouched', () => {
    const k = make()
    const o = k.run((ctx) => ctx.rcuReadLock((c) => c.rcuReadLock(() => observe(k.cpu(0)))))
    expect(o).toMatchObject({ preemptCount: 0, rcuReadLockNesting: 2, ...TASK_PREDICATES, inAtomic: false, preemptible: true })
  })

  it('migrate_disable(): a task counter, preempt_count untouched', () => {
    const k = make()
    const o = k.run((ctx) => ctx.migrateDisable(() => observe(k.cpu(0))))
    expect(o).toMatchObject({ preemptCount: 0, migrationDisabled: 1, ...TASK_PREDICATES, inAtomic: false, preemptible: true })
  })

  it('core.localIrqSave(): irqs off, not atomic, not preemptible', () => {
    const k = make()
    const o = k.run((ctx) => ctx.core.localIrqSave(() => observe(k.cpu(0))))
    expect(o).toMatchObject({ preemptCount: 0, irqsDisabled: true, ...TASK_PREDICATES, inAtomic: false, preemptible: false })
    expect(k.cpu(0).irqsDisabled).toBe(false)
  })

  it('IRQF_NO_THREAD handler: hardirq context on the interrupted task, 0x10000, irqs off', () => {
    const k = make()
    const seen: Observation[] = []
    k.requestIrq(5, 'timer', () => seen.push(observe(k.cpu(0))), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(5), { comm: 'victim' })
    k.raiseIrq(5)
    expect(seen).toHaveLength(2)
    const hard = {
      preemptCount: 0x10000,
      irqsDisabled: true,
      inTask: false,
      inInterrupt: true,
      inHardirq: true,
      inSoftirq: false,
      inServingSoftirq: false,
      inNmi: false,
      inAtomic: true,
      preemptible: false,
      softirqCount: 0,
    }
    expect(seen[0]).toMatchObject({ ...hard, comm: 'victim' })
    expect(seen[1]).toMatchObject({ ...hard, comm: 'swapper/0' })
  })

  it('hardirq nested in preempt_disable() and BH-disabled code adds to what is there', () => {
    const k = make()
    let o: Observation | undefined
    k.requestIrq(
      5,
      'dev',
      () => {
        o = observe(k.cpu(0))
      },
      { noThread: true },
    )
    k.run((ctx) => ctx.preemptDisable((c) => c.localBhDisable((c2) => c2.raiseIrq(5))))
    if (preemptRt) expect(o).toMatchObject({ preemptCount: 0x10001, softirqCount: 0x200, inSoftirq: true, inHardirq: true })
    else expect(o).toMatchObject({ preemptCount: 0x10201, softirqCount: 0x200, inSoftirq: true, inHardirq: true })
  })

  it('threadable handler: hardirq on a normal kernel, a BH-disabled task irq/<line>-<name> on RT', () => {
    const k = make()
    let o: Observation | undefined
    k.requestIrq(9, 'eth0', () => {
      o = observe(k.cpu(0))
    })
    k.run((ctx) => ctx.raiseIrq(9))
    if (!preemptRt) {
      expect(o).toMatchObject({ comm: 'task-1', preemptCount: 0x10000, inHardirq: true, inTask: false, irqsDisabled: true })
    } else {
      expect(o).toMatchObject({
        comm: 'irq/9-eth0',
        preemptCount: 0,
        softirqCount: 0x200,
        softirqDisableCnt: 0x200,
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        irqsDisabled: false,
        inTask: true,
        inSoftirq: true,
        inServingSoftirq: false,
        inInterrupt: true,
        inHardirq: false,
        inNmi: false,
        inAtomic: false,
        preemptible: true,
      })
    }
  })

  it('softirq run from local_bh_enable(): non-RT 0x101; RT task count 0x100', () => {
    const k = make()
    let o: Observation | undefined
    k.openSoftirq(TIMER, () => {
      o = observe(k.cpu(0))
    })
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq(TIMER)), { comm: 'bh' })
    const serving = {
      comm: 'bh',
      inTask: false,
      inInterrupt: true,
      inHardirq: false,
      inSoftirq: true,
      inServingSoftirq: true,
      inNmi: false,
      irqsDisabled: false,
      softirqCount: 0x100,
    }
    if (!preemptRt) expect(o).toMatchObject({ ...serving, preemptCount: 0x101, inAtomic: true, preemptible: false })
    else
      expect(o).toMatchObject({
        ...serving,
        preemptCount: 0,
        softirqDisableCnt: 0x100,
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        inAtomic: false,
        preemptible: true,
      })
  })

  it('softirq raised in hardirq: non-RT runs at irq exit with 0x100; RT in ksoftirqd', () => {
    const k = make()
    let o: Observation | undefined
    k.openSoftirq(NET_RX, () => {
      o = observe(k.cpu(0))
    })
    k.requestIrq(4, 'nic', (ctx) => ctx.raiseSoftirq(NET_RX), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4), { comm: 'app' })
    const serving = {
      inTask: false,
      inInterrupt: true,
      inHardirq: false,
      inSoftirq: true,
      inServingSoftirq: true,
      inNmi: false,
      irqsDisabled: false,
      softirqCount: 0x100,
    }
    if (!preemptRt) expect(o).toMatchObject({ ...serving, comm: 'app', preemptCount: 0x100 })
    else
      expect(o).toMatchObject({
        ...serving,
        comm: 'ksoftirqd/0',
        preemptCount: 0,
        softirqDisableCnt: 0x100,
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        preemptible: true,
      })
  })

  it('softirq raised in a preemptible task runs in ksoftirqd', () => {
    const k = make()
    let o: Observation | undefined
    k.openSoftirq('TASKLET', () => {
      o = observe(k.cpu(0))
    })
    k.run((ctx) => ctx.raiseSoftirq(6))
    expect(o).toMatchObject({ comm: 'ksoftirqd/0', inServingSoftirq: true, inTask: false, softirqCount: 0x100, irqsDisabled: false })
    expect(o?.preemptCount).toBe(preemptRt ? 0 : 0x100)
  })

  it('NMI: 0x110000, in_nmi() and in_hardirq()', () => {
    const k = make()
    const seen: Observation[] = []
    k.requestNmi('watchdog', () => seen.push(observe(k.cpu(0))))
    k.run((ctx) => ctx.raiseNmi('watchdog'))
    k.run((ctx) => ctx.core.localIrqSave((c) => c.raiseNmi('watchdog')))
    const nmi = {
      preemptCount: 0x110000,
      inNmi: true,
      inHardirq: true,
      inInterrupt: true,
      inTask: false,
      inSoftirq: false,
      inServingSoftirq: false,
      inAtomic: true,
      preemptible: false,
    }
    expect(seen[0]).toMatchObject(nmi)
    expect(seen[1]).toMatchObject({ ...nmi, irqsDisabled: true })
  })

  it('NMI inside a hardirq handler: 0x120000', () => {
    const k = make()
    let o: Observation | undefined
    k.requestNmi('perf', () => {
      o = observe(k.cpu(0))
    })
    k.requestIrq(3, 'x', (ctx) => ctx.raiseNmi('perf'), { noThread: true })
    k.raiseIrq(3)
    expect(o).toMatchObject({ preemptCount: 0x120000, inNmi: true, inHardirq: true })
  })

  it('ksoftirqd runs as its own task and the CPU returns to the idle task', () => {
    const k = make()
    let comm = ''
    k.openSoftirq('SCHED', () => {
      comm = k.cpu(0).current.comm
    })
    k.raiseSoftirq('SCHED')
    expect(comm).toBe('ksoftirqd/0')
    expect(observe(k.cpu(0))).toMatchObject({ comm: 'swapper/0', preemptCount: 0, irqsDisabled: false, softirqCount: 0 })
  })

  it('every context leaves the CPU as it found it', () => {
    const k = make()
    const before = k.snapshot()
    k.requestIrq(1, 'a', () => undefined, { noThread: true })
    k.requestIrq(2, 'b', () => undefined)
    k.openSoftirq(0, () => undefined)
    k.requestNmi('n', () => undefined)
    k.run((ctx) =>
      ctx.localBhDisable((c) =>
        c.rcuReadLock((c2) =>
          c2.migrateDisable((c3) =>
            c3.core.localIrqSave((c4) => {
              c4.raiseIrq(1)
              c4.raiseIrq(2)
              c4.raiseSoftirq(0)
              c4.raiseNmi('n')
            }),
          ),
        ),
      ),
    )
    expect(k.snapshot()).toEqual(before)
  })
})

describe('threadIrqs on a normal kernel', () => {
  it('force-threads with BH and interrupts off: 0x200, irqs disabled, in task', () => {
    const k = createKernel({ threadIrqs: true })
    let o: Observation | undefined
    k.requestIrq(7, 'sata', () => {
      o = observe(k.cpu(0))
    })
    k.run((ctx) => ctx.raiseIrq(7))
    expect(o).toMatchObject({
      comm: 'irq/7-sata',
      preemptCount: 0x200,
      softirqCount: 0x200,
      irqsDisabled: true,
      inTask: true,
      inSoftirq: true,
      inServingSoftirq: false,
      inHardirq: false,
      inAtomic: true,
      preemptible: false,
      softirqDisableCnt: 0,
      migrationDisabled: 0,
    })
  })

  it('keeps IRQF_NO_THREAD handlers in hardirq context', () => {
    const k = createKernel({ threadIrqs: true })
    let o: Observation | undefined
    k.requestIrq(
      7,
      'timer',
      () => {
        o = observe(k.cpu(0))
      },
      { noThread: true },
    )
    k.raiseIrq(7)
    expect(o).toMatchObject({ comm: 'swapper/0', preemptCount: 0x10000, inHardirq: true })
  })
})
