/**
 * The typed event log: every event carries its facts as fields (which lock, which handler, both
 * tasks of a switch), formatTrace() renders them as before, and nothing is logged without `trace`.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, formatTrace, type TraceEvent } from '../../src/index.js'
import { machineOf } from '../../src/kernel.js'
import { eventText } from '../../src/export/trace.js'

/** The events named `name`, narrowed to their member of the union. */
type Named<E extends TraceEvent['event']> = TraceEvent & { readonly event: E }
const named = <E extends TraceEvent['event']>(events: readonly TraceEvent[], name: E): Named<E>[] => events.filter((e): e is Named<E> => e.event === name)

describe('the typed event log', () => {
  it('lock / unlock name the lock by id, kind and class, and say read or write', () => {
    const k = createKernel({ trace: true })
    const rw = k.rwLock('table', 0)
    const s = k.spinLock('stats', 0)
    k.run((ctx) => rw.withRead(ctx, (ctx) => s.withLocked(ctx, () => undefined)))
    const ids = Object.fromEntries(machineOf(k).locks.map((l) => [l.name, l.id]))
    expect(named(k.trace, 'lock').map(({ lock, lockKind, name, read }) => ({ lock, lockKind, name, read }))).toEqual([
      { lock: ids.table, lockKind: 'rwlock_t', name: 'table', read: true },
      { lock: ids.stats, lockKind: 'spinlock_t', name: 'stats', read: false },
    ])
    expect(named(k.trace, 'unlock').map((e) => e.name)).toEqual(['stats', 'table'])
    expect(named(k.trace, 'lock').map(eventText)).toEqual(["lock rwlock_t 'table' (read)", "lock spinlock_t 'stats'"])
  })

  it('sched_switch carries both tasks; the common pid/comm are the next one', () => {
    const k = createKernel({ trace: true })
    k.run(() => undefined, { comm: 'worker' })
    expect(
      named(k.trace, 'sched_switch').map(({ prevPid, prevComm, nextPid, nextComm, pid, comm }) => ({ prevPid, prevComm, nextPid, nextComm, pid, comm })),
    ).toEqual([
      { prevPid: 0, prevComm: 'swapper/0', nextPid: 1, nextComm: 'worker', pid: 1, comm: 'worker' },
      { prevPid: 1, prevComm: 'worker', nextPid: 0, nextComm: 'swapper/0', pid: 0, comm: 'swapper/0' },
    ])
    expect(named(k.trace, 'sched_switch').map(eventText)).toEqual(['sched_switch swapper/0 => worker', 'sched_switch worker => swapper/0'])
  })

  it('interrupts: the line and handler name; softirqs: the vector and its name; raise_softirq the vector', () => {
    const k = createKernel({ trace: true })
    k.openSoftirq('NET_RX', () => undefined)
    k.requestIrq(4, 'nic', (ctx) => ctx.raiseSoftirq(3), { noThread: true })
    k.raiseIrq(4)
    expect(named(k.trace, 'irq_raise').map((e) => e.line)).toEqual([4])
    expect(named(k.trace, 'irq_handler_entry').map(({ line, name, wake }) => ({ line, name, wake }))).toEqual([{ line: 4, name: 'nic', wake: false }])
    expect(named(k.trace, 'irq_handler_exit').map(({ line, name }) => ({ line, name }))).toEqual([{ line: 4, name: 'nic' }])
    expect(named(k.trace, 'raise_softirq').map((e) => e.vec)).toEqual([3])
    expect(named(k.trace, 'softirq_entry').map(({ vec, action }) => ({ vec, action }))).toEqual([{ vec: 3, action: 'NET_RX' }])
    expect(named(k.trace, 'handle_softirqs').map((e) => e.phase)).toEqual(['begin', 'end'])
    expect(k.trace.filter((e) => e.event.startsWith('softirq_') || e.event === 'handle_softirqs').map(eventText)).toEqual([
      'handle_softirqs begin',
      'softirq_entry vec=3 [action=NET_RX]',
      'softirq_exit vec=3 [action=NET_RX]',
      'handle_softirqs end',
    ])
  })

  it('a force-threaded handler only wakes its thread (wake: true), then runs as irq/<line>-<name>', () => {
    const k = createKernel({ trace: true, preemptRt: true })
    k.requestIrq(2, 'thr', () => undefined)
    k.raiseIrq(2)
    expect(named(k.trace, 'irq_handler_entry').map((e) => [e.wake, eventText(e)])).toEqual([[true, 'irq_handler_entry 2 thr: wake irq/2-thr']])
    expect(named(k.trace, 'sched_switch').map((e) => e.nextComm)).toContain('irq/2-thr')
  })

  it('msleep, kmalloc and a diagnostic carry their arguments', () => {
    const k = createKernel({ trace: true })
    const s = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      ctx.msleep(5)
      ctx.kmalloc(64, 'GFP_KERNEL')
      // Untyped code sleeping under a raw spinlock: a report, logged as an event.
      s.withLocked(ctx, (c) => (c as unknown as { msleep(ms: number): void }).msleep(1))
    })
    expect(named(k.trace, 'msleep').map((e) => e.ms)).toEqual([5, 1])
    expect(named(k.trace, 'kmalloc').map(({ size, gfp }) => ({ size, gfp }))).toEqual([{ size: 64, gfp: 'GFP_KERNEL' }])
    const d = k.diagnostics[0]
    expect(named(k.trace, 'diagnostic').map(({ kind, title }) => ({ kind, title }))).toEqual([{ kind: d?.kind, title: d?.title }])
    expect(d?.kind).toBe('scheduling-while-atomic')
  })

  it('bare lockdep maps: the map id and name', () => {
    const k = createKernel({ trace: true })
    const wq = k.lockMap('(wq_completion)events')
    k.run((ctx) => {
      wq.acquire(ctx)
      wq.release(ctx)
    })
    const id = machineOf(k).locks.find((l) => l.kind === 'lockdep_map')?.id
    expect(k.trace.filter((e) => e.event.startsWith('lock_map_')).map((e) => [e.event, 'lock' in e ? e.lock : null])).toEqual([
      ['lock_map_acquire', id],
      ['lock_map_release', id],
    ])
  })

  it('formatTrace renders the typed log in the latency format, one line an event', () => {
    const k = createKernel({ trace: true })
    const s = k.spinLock('stats', 0)
    k.run((ctx) => s.withLockedIrq(ctx, () => undefined))
    const lines = formatTrace(k.trace).split('\n').slice(8)
    expect(lines).toEqual([
      '  task-1-1      0 .....    0: sched_switch swapper/0 => task-1',
      '  task-1-1      0 d....    1: local_irq_disable',
      '  task-1-1      0 d..1.    2: preempt_disable',
      "  task-1-1      0 d..1.    3: lock spinlock_t 'stats'",
      "  task-1-1      0 d..1.    4: unlock spinlock_t 'stats'",
      '  task-1-1      0 ...1.    5: local_irq_enable',
      '  task-1-1      0 .....    6: preempt_enable',
      '  <idle>-0      0 .....    7: sched_switch task-1 => swapper/0',
    ])
  })

  it('without trace: true nothing is logged', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.run((ctx) => {
      s.withLocked(ctx, () => undefined)
      ctx.msleep(1)
    })
    expect(machineOf(k).events).toEqual([])
    expect(k.trace).toEqual([])
  })
})
