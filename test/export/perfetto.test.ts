/**
 * traceToPerfetto(): the run as a Chrome / Perfetto JSON trace, checked field by field against
 * the Trace Event Format (./trace-event-format.ts) and for what each part of the picture shows.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, defineModel, replayScheduler, runModel, type TraceEvent, traceToPerfetto } from '../../src/index.js'
import { asciiOnly, type PerfettoEvent, perfettoEvents } from '../../src/export/perfetto.js'
import { checkTraceEventFormat, hasUnicodeEscape } from './trace-event-format.js'

/** Two CPUs: an NMI on idle CPU1; on CPU0 a task takes an interrupt whose handler raises NET_RX, then sleeps 2 ms. */
const scenario = () => {
  const k = createKernel({ trace: true, cpus: 2, lockdep: { keepGoing: true } })
  const a = k.spinLock('a', { n: 0 })
  const b = k.spinLock('b', { n: 0 })
  k.openSoftirq('NET_RX', (ctx) => b.withLocked(ctx, () => 0))
  k.requestIrq(4, 'nic', (ctx) => a.withLocked(ctx, (c) => c.raiseSoftirq('NET_RX')))
  k.requestNmi('perf', () => 0)
  k.raiseNmi('perf', { cpu: 1 })
  k.run(
    (ctx) => {
      ctx.raiseIrq(4)
      a.withLocked(ctx, () => 0)
      ctx.msleep(2)
    },
    { comm: 'worker' },
  )
  return k
}

const named = (events: readonly PerfettoEvent[], ph: PerfettoEvent['ph'], name?: string): PerfettoEvent[] =>
  events.filter((e) => e.ph === ph && (name === undefined || e.name === name))

describe('the checker of the Trace Event Format', () => {
  it('finds each kind of mistake (so a clean result means something)', () => {
    const bad = JSON.stringify({
      displayTimeUnit: 'ns',
      traceEvents: [
        { name: 'a', ph: 'X', ts: 0, dur: 10, pid: 1, tid: 1, args: {} },
        { name: 'b', ph: 'X', ts: 5, dur: 10, pid: 1, tid: 1, args: {} },
        { name: 'x', ph: 'X', ts: 0, pid: 1, tid: 1 },
        { name: 'h', cat: 'lock', ph: 'b', ts: 1, id: '0x1', pid: 1, tid: 1 },
        { name: 'other', cat: 'lock', ph: 'e', ts: 2, id: '0x1', pid: 1, tid: 1 },
        { name: 'i', ph: 'i', s: 'x', ts: 1, pid: 1, tid: 1 },
        { name: 'c', ph: 'C', ts: 1, pid: 1, tid: 1, args: { v: 'high' } },
        { name: 'é\u0001', ph: 'f', cat: 'w', id: 9, ts: 1, pid: 1, tid: 1 },
      ],
    })
    expect(checkTraceEventFormat(bad)).toEqual([
      'a \\u escape (Perfetto rejects it)',
      'a character outside printable ASCII',
      'displayTimeUnit present (changes how Perfetto reads ts)',
      'event 2: X needs dur ≥ 0',
      'event 4: async end without its begin (cat, id, name, pid must match)',
      'event 5: instant scope s must be g, p or t',
      'event 6: counter series v is not a number',
      'event 7: flow end without its start (cat, id, name must match)',
      'async slice lock|0x1|h|1 never ends',
      "thread 1/1: 'b' [5, 15] overlaps 'a' [0, 10] without nesting",
    ])
  })

  it('tells a \\u escape from an escaped backslash followed by u', () => {
    expect(hasUnicodeEscape(String.raw`{"a":"\u00e9"}`)).toBe(true)
    expect(hasUnicodeEscape(String.raw`{"a":"C:\\users"}`)).toBe(false)
    expect(hasUnicodeEscape(String.raw`{"a":"\\\u0001"}`)).toBe(true)
  })
})

describe('traceToPerfetto()', () => {
  it('is a valid trace: object form, every field of every phase, nested slices, matched async and flow events', () => {
    const k = scenario()
    const text = traceToPerfetto(k.trace)
    expect(text.startsWith('{"traceEvents":[\n')).toBe(true)
    expect(Object.keys(JSON.parse(text))).toEqual(['traceEvents'])
    expect(checkTraceEventFormat(text)).toEqual([])
  })

  it('one process and one thread track per CPU, named CPU0, CPU1 (metadata events)', () => {
    const events = perfettoEvents(scenario().trace)
    expect(named(events, 'M').map((e) => [e.name, e.pid, e.tid, e.args])).toEqual([
      ['process_name', 1, 1, { name: 'CPU0' }],
      ['process_sort_index', 1, 1, { sort_index: 0 }],
      ['thread_name', 1, 1, { name: 'CPU0' }],
      ['thread_sort_index', 1, 1, { sort_index: 0 }],
      ['process_name', 2, 2, { name: 'CPU1' }],
      ['process_sort_index', 2, 2, { sort_index: 1 }],
      ['thread_name', 2, 2, { name: 'CPU1' }],
      ['thread_sort_index', 2, 2, { sort_index: 1 }],
    ])
    expect(named(perfettoEvents(scenario().trace, { pid: 101, name: 'PREEMPT_RT' }), 'M', 'process_name').map((e) => [e.pid, e.args.name])).toEqual([
      [101, 'PREEMPT_RT CPU0'],
      [102, 'PREEMPT_RT CPU1'],
    ])
  })

  it('ts is µs of simulated time: the clock (ms) × 1000 plus one µs per event; msleep(2) moves what follows by 2000', () => {
    const k = scenario()
    const events = perfettoEvents(k.trace)
    const sleep = k.trace.find((e) => e.event === 'msleep') as TraceEvent
    expect(sleep.clockMs).toBe(2)
    expect(named(events, 'i', 'msleep(2)')[0]).toMatchObject({ cat: 'sleep', ts: 2000 + sleep.seq, pid: 1, tid: 1, args: { ms: 2 } })
    // The task's slice ends at the switch back to idle, the last event: 2 ms and its position later.
    const last = k.trace.at(-1) as TraceEvent
    const worker = named(events, 'X', 'worker')[0] as PerfettoEvent
    expect(last.event).toBe('sched_switch')
    expect(worker.ts + (worker.dur ?? 0)).toBe(2000 + last.seq)
  })

  it('contexts are nested complete slices: task ⊃ hardirq ⊃ handler; softirq ⊃ NET_RX after it; NMI on CPU1', () => {
    const events = perfettoEvents(scenario().trace)
    const span = (name: string): [number, number, number] => {
      const e = named(events, 'X', name)[0] as PerfettoEvent
      return [e.pid, e.ts, e.ts + (e.dur ?? 0)]
    }
    const [, taskB, taskE] = span('worker')
    const [, hB, hE] = span('hardirq')
    const [, iB, iE] = span('irq 4: nic')
    const [, sB, sE] = span('softirq')
    const [, nB, nE] = span('NET_RX')
    expect(taskB < hB && hB < iB && iE < hE && hE <= sB && sB < nB && nE < sE && sE < taskE).toBe(true)
    expect(span('NMI')[0]).toBe(2)
    expect(named(events, 'X', 'irq 4: nic')[0]?.args).toEqual({ irq: 4, name: 'nic', threaded: false })
  })

  it('preempt_count fields and the interrupt flag are counters: hardirq 1 and irqs off at irq_enter', () => {
    const k = scenario()
    const events = perfettoEvents(k.trace)
    const enter = k.trace.find((e) => e.event === 'irq_enter') as TraceEvent
    const at = (name: string): PerfettoEvent | undefined => named(events, 'C', name).find((e) => e.ts === enter.seq)
    expect(at('preempt_count')?.args).toEqual({ nmi: 0, hardirq: 1, softirq: 0, preempt: 0 })
    expect(at('irqs')?.args).toEqual({ disabled: 1 })
    // Only changes are written: no two consecutive samples of a CPU's counter are equal.
    const cpu0 = named(events, 'C', 'preempt_count').filter((e) => e.pid === 1)
    expect(cpu0.every((e, i) => i === 0 || JSON.stringify(e.args) !== JSON.stringify(cpu0[i - 1]?.args))).toBe(true)
  })

  it("the counters follow the kernel's preempt_count layout ('interrupt-count' has interrupt-disable)", () => {
    const k = createKernel({ trace: true, preemptCountLayout: 'interrupt-count' })
    k.run((ctx) => {
      const g = ctx.localInterruptDisable()
      g.unlock()
    })
    const events = perfettoEvents(k.trace, { preemptCountLayout: k.options.preemptCountLayout })
    const fields = Object.keys(named(events, 'C', 'preempt_count')[0]?.args ?? {})
    expect(fields).toEqual(['nmi', 'hardirq', 'interrupt-disable', 'softirq', 'preempt'])
    expect(named(events, 'C', 'preempt_count').some((e) => e.args['interrupt-disable'] === 1)).toBe(true)
  })

  it('each diagnostic is a thread-scoped instant with its full report in args', () => {
    const k = scenario()
    const events = perfettoEvents(k.trace)
    const instants = named(events, 'i').filter((e) => e.cat === 'diagnostic')
    expect(instants.map((e) => e.name)).toEqual(k.diagnostics.map((d) => d.title))
    expect(instants.map((e) => e.s)).toEqual(k.diagnostics.map(() => 't'))
    expect(instants.map((e) => e.args.report)).toEqual(k.diagnostics.map((d) => d.report))
    expect(instants[0]?.args.kind).toBe(k.diagnostics[0]?.kind)
  })

  it('lock holds are async slices, one id per hold: holds dropped out of order overlap without nesting', () => {
    const k = createKernel({ trace: true, irqDisable: 'counted' })
    const irq1 = k.spinLockIrq('irq1', 0)
    const irq2 = k.spinLockIrq('irq2', 0)
    k.run((ctx) => {
      const a = irq1.lock(ctx)
      const b = irq2.lock(a.ctx)
      a.unlock()
      b.unlock()
    })
    const text = traceToPerfetto(k.trace)
    expect(checkTraceEventFormat(text)).toEqual([])
    const events = perfettoEvents(k.trace)
    const holds = events.filter((e) => e.cat === 'lock').map((e) => `${e.ph} ${e.name} ${e.id}`)
    expect(holds).toEqual(["b SpinLockIrq 'irq1' 0x1", "b SpinLockIrq 'irq2' 0x2", "e SpinLockIrq 'irq1' 0x1", "e SpinLockIrq 'irq2' 0x2"])
    expect(named(events, 'b')[0]?.args).toMatchObject({ kind: 'SpinLockIrq', class: 'irq1', read: false, task: 'task-1', pid: 1 })
  })

  it('a hold still open when the log ends ends there, marked held_at_end', () => {
    const base = { cpu: 0, pid: 1, comm: 'a', preemptCount: 0, irqsDisabled: false, flags: '.....', clockMs: 0 } as const
    const log: TraceEvent[] = [
      { ...base, seq: 0, event: 'sched_switch', prevPid: 0, prevComm: 'swapper/0', nextPid: 1, nextComm: 'a' },
      { ...base, seq: 1, event: 'lock', lock: 7, lockKind: 'mutex', name: 'm', read: false },
    ]
    const events = perfettoEvents(log)
    expect(checkTraceEventFormat(traceToPerfetto(log))).toEqual([])
    expect(named(events, 'e').map((e) => [e.name, e.ts, e.args])).toEqual([["mutex 'm'", 2, { held_at_end: true }]])
  })

  it("a deadlock report's waits-for edge is a flow from the holder's acquisition to the blocked attempt", () => {
    const k = createKernel({ trace: true })
    const s = k.rawSpinLock('s', 0)
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0), { noThread: true })
    expect(() => k.run((ctx) => s.withLocked(ctx, (c) => c.raiseIrq(3)), { comm: 'holder' })).toThrow(DeadlockError)
    const events = perfettoEvents(k.trace)
    const flow = events.filter((e) => e.cat === 'waits-for')
    expect(flow.map((e) => [e.ph, e.id, e.name])).toEqual([
      ['s', '1', "holder waits for raw_spinlock_t 's' held by holder/1"],
      ['f', '1', "holder waits for raw_spinlock_t 's' held by holder/1"],
    ])
    const lock = k.trace.find((e) => e.event === 'lock') as TraceEvent
    const report = k.trace.find((e) => e.event === 'diagnostic' && e.kind === 'deadlock') as TraceEvent
    expect(flow.map((e) => e.ts)).toEqual([lock.seq, report.seq])
    expect(flow[1]?.bp).toBe('e')
    expect(checkTraceEventFormat(traceToPerfetto(k.trace))).toEqual([])
  })

  it("a model's wait is a flow from the waiter's sched_wait to the waker's sched_waking; both are instants", () => {
    const m = defineModel(
      (k) => {
        const a = k.mutex('a', { n: 0 })
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (c, d) {
            d.n++
            yield* k.condResched(c)
          })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (_c, d) {
            d.n++
          })
        })
      },
      { cpus: 2 },
    )
    // one takes a, then two runs and must wait: the schedule that makes them contend.
    const r = runModel(m, { trace: true, scheduler: replayScheduler([0, 1, 0, 1, 0, 1, 0, 0]) })
    expect(r.outcome).toEqual({ kind: 'completed' })
    const events = perfettoEvents(r.trace)
    const wait = r.trace.find((e) => e.event === 'sched_wait') as TraceEvent
    const wake = r.trace.find((e) => e.event === 'sched_waking') as TraceEvent
    expect(events.filter((e) => e.cat === 'waits-for').map((e) => [e.ph, e.ts, e.pid, e.name])).toEqual([
      ['s', wait.seq, 2, "two waits on mutex 'a', woken by one"],
      ['f', wake.seq, 1, "two waits on mutex 'a', woken by one"],
    ])
    expect(events.filter((e) => e.cat === 'sched').map((e) => [e.name, e.args])).toEqual([
      ["sleep on mutex 'a'", { state: 'TASK_UNINTERRUPTIBLE', channel: "mutex 'a'" }],
      ['wake two', { pid: 2, comm: 'two', target_cpu: 1 }],
    ])
    expect(checkTraceEventFormat(traceToPerfetto(r.trace))).toEqual([])
  })

  it('a context open when its task is switched out is closed there and reopened when the task runs again', () => {
    const base = { cpu: 0, preemptCount: 0, irqsDisabled: false, flags: '.....', clockMs: 0 } as const
    const log: TraceEvent[] = [
      { ...base, seq: 0, pid: 1, comm: 'a', event: 'sched_switch', prevPid: 0, prevComm: 'swapper/0', nextPid: 1, nextComm: 'a' },
      { ...base, seq: 1, pid: 1, comm: 'a', event: 'handle_softirqs', phase: 'begin' },
      { ...base, seq: 2, pid: 2, comm: 'b', event: 'sched_switch', prevPid: 1, prevComm: 'a', nextPid: 2, nextComm: 'b' },
      { ...base, seq: 3, pid: 1, comm: 'a', event: 'sched_switch', prevPid: 2, prevComm: 'b', nextPid: 1, nextComm: 'a' },
      { ...base, seq: 4, pid: 1, comm: 'a', event: 'handle_softirqs', phase: 'end' },
    ]
    const events = perfettoEvents(log)
    expect(named(events, 'X').map((e) => [e.name, e.ts, e.dur, e.args.resumed ?? false])).toEqual([
      ['a', 0, 2, false],
      ['softirq', 1, 1, false],
      ['b', 2, 1, false],
      ['a', 3, 2, false],
      ['softirq', 3, 1, true],
    ])
    expect(checkTraceEventFormat(traceToPerfetto(log))).toEqual([])
  })

  it('no \\u escape and only printable ASCII: other characters are written <U+XXXX> (a control character too)', () => {
    const k = createKernel({ trace: true })
    const s = k.spinLock('café\u0001', 0)
    k.run((ctx) => s.withLocked(ctx, () => 0), { comm: 'wörker' })
    const text = traceToPerfetto(k.trace)
    // JSON.stringify alone would escape the control character as \u0001.
    expect(JSON.stringify('café\u0001')).toContain('\\u0001')
    expect(hasUnicodeEscape(text)).toBe(false)
    expect(checkTraceEventFormat(text)).toEqual([])
    expect(named(perfettoEvents(k.trace), 'b')[0]?.name).toBe("spinlock_t 'caf<U+00E9><U+0001>'")
    expect(named(perfettoEvents(k.trace), 'X')[0]?.name).toBe('w<U+00F6>rker')
    expect(asciiOnly('tab\tnewline\n😀')).toBe('tab\tnewline\n<U+1F600>')
  })

  it('an empty log is an empty, valid trace', () => {
    expect(traceToPerfetto([])).toBe('{"traceEvents":[\n\n]}\n')
    expect(checkTraceEventFormat(traceToPerfetto([]))).toEqual([])
  })
})
