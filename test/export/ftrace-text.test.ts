/**
 * traceToFtrace(): the run as ftrace's text output, line by line against the kernel's formats
 * (kernel/trace/trace.c print_func_help_header_irq(), kernel/trace/trace_output.c
 * trace_print_context() and trace_print_lat_fmt(), the TP_printk() of sched_switch, irq and
 * softirq events, include/trace/events/lock.h) and against what Perfetto's systrace text
 * importer reads (systrace_line_tokenizer.cc's line regex, systrace_parser.h's markers).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineModel, replayScheduler, runModel, type TraceEvent, traceToFtrace } from '../../src/index.js'

/** Perfetto's SystraceLineTokenizer regex (task-pid, optional tgid, [cpu], up to 5 flag characters, ts, event name). */
const PERFETTO_LINE = /-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*[a-zA-Z0-9.]{0,5}\s*(\d+\.\d+):\s+(\S+):/
/** trace_print_context() with record-tgid and irq-info: `%16s-%-7d (%7d) [%03d] <flags> %5lu.%06lu: `. */
const KERNEL_LINE = /^(.{16})-(\d+) {0,6} \(( {0,6}\d+|-------)\) \[(\d{3})\] ([.dDb][.nNpPlLbB][.hHsSzZ][.1-9a-f][.1-9a-f]) ( {0,4}\d+)\.(\d{6}): (\S+):(.*)$/

const scenario = () => {
  const k = createKernel({ trace: true, lockdep: { keepGoing: true } })
  const a = k.spinLock('a', 0)
  const b = k.rwLock('b', 0)
  k.openSoftirq('NET_RX', (ctx) => b.withRead(ctx, () => 0))
  k.requestIrq(4, 'nic', (ctx) => a.withLocked(ctx, (c) => c.raiseSoftirq('NET_RX')))
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

const body = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))
const markers = (text: string): string[] => body(text).flatMap((l) => /tracing_mark_write: (.*)$/.exec(l)?.slice(1) ?? [])

describe('traceToFtrace()', () => {
  it("starts with '# tracer: nop' and print_func_help_header_irq()'s header with record-tgid", () => {
    const k = scenario()
    const text = traceToFtrace(k.trace)
    const lines = text.split('\n')
    expect(lines.slice(0, 12)).toEqual([
      '# tracer: nop',
      '#',
      `# entries-in-buffer/entries-written: ${body(text).length}/${body(text).length}   #P:1`,
      '#',
      '#                                          _-----=> irqs-off/BH-disabled',
      '#                                         / _----=> need-resched',
      '#                                        | / _---=> hardirq/softirq',
      '#                                        || / _--=> preempt-depth',
      '#                                        ||| / _-=> migrate-disable',
      '#                                        |||| /     delay',
      '#           TASK-PID       TGID    CPU#  |||||  TIMESTAMP  FUNCTION',
      '#              | |           |       |   |||||     |         |',
    ])
    expect(text.endsWith('\n')).toBe(true)
  })

  it("every line has the kernel's columns and Perfetto's tokenizer reads back the task, pid, tgid, CPU and time", () => {
    const k = scenario()
    const lines = body(traceToFtrace(k.trace))
    const eventLines = lines.filter((l) => !l.includes('tracing_mark_write:'))
    expect(eventLines.length).toBe(k.trace.length)
    eventLines.forEach((line, i) => {
      const e = k.trace[i] as TraceEvent
      const m = KERNEL_LINE.exec(line)
      expect(m, line).not.toBeNull()
      const p = PERFETTO_LINE.exec(line)
      expect(p, line).not.toBeNull()
      const us = e.clockMs * 1000 + e.seq
      expect([line.slice(0, p?.index ?? 0).trim(), p?.[1], p?.[2], p?.[3], p?.[4]]).toEqual([
        e.pid === 0 ? '<idle>' : e.comm,
        String(e.pid),
        e.pid === 0 ? '-------' : String(e.pid),
        String(e.cpu).padStart(3, '0'),
        `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`,
      ])
      expect(m?.[5]).toBe(e.flags)
    })
    // msleep(2) moved the clock: the lines after it are 2 ms later.
    expect(eventLines.at(-1)).toMatch(/ 0\.002\d{3}: sched_switch:/)
  })

  it('sched_switch, irq, softirq and lock events in their TP_printk() formats', () => {
    const lines = body(traceToFtrace(scenario().trace)).map((l) => l.slice(l.indexOf(': ') + 2))
    expect(lines).toContain('sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=worker next_pid=1 next_prio=120')
    expect(lines).toContain('irq_handler_entry: irq=4 name=nic')
    expect(lines).toContain('irq_handler_exit: irq=4 ret=handled')
    expect(lines).toContain('softirq_raise: vec=3 [action=NET_RX]')
    expect(lines).toContain('softirq_entry: vec=3 [action=NET_RX]')
    expect(lines).toContain('softirq_exit: vec=3 [action=NET_RX]')
    expect(lines.filter((l) => l.startsWith('lock_acquire:'))).toEqual([
      expect.stringMatching(/^lock_acquire: [0-9a-f]{16} a$/),
      expect.stringMatching(/^lock_acquire: [0-9a-f]{16} read b$/),
      expect.stringMatching(/^lock_acquire: [0-9a-f]{16} a$/),
    ])
    expect(lines.filter((l) => l.startsWith('lock_release:')).length).toBe(3)
  })

  it('contexts are B|tgid|name … E|tgid markers on the running task, properly nested', () => {
    const ctx = markers(traceToFtrace(scenario().trace)).filter((m) => /^[BE]\|/.test(m))
    expect(ctx).toEqual(['B|1|hardirq', 'B|1|irq 4: nic', 'E|1', 'E|1', 'B|1|softirq', 'B|1|NET_RX', 'E|1', 'E|1'])
  })

  it('lock holds are S|tgid|name|cookie … F|tgid|name|cookie, one cookie per hold (the handler drops a before NET_RX runs)', () => {
    const holds = markers(traceToFtrace(scenario().trace)).filter((m) => /^[SF]\|/.test(m))
    expect(holds).toEqual([
      "S|1|spinlock_t 'a'|1",
      "F|1|spinlock_t 'a'|1",
      "S|1|rwlock_t 'b'|2",
      "F|1|rwlock_t 'b'|2",
      "S|1|spinlock_t 'a'|3",
      "F|1|spinlock_t 'a'|3",
    ])
  })

  it('counters are C|0|CPUn <field>|value when they change; diagnostics I|tgid|title', () => {
    const k = scenario()
    const m = markers(traceToFtrace(k.trace))
    const counters = m.filter((x) => x.startsWith('C|'))
    expect(counters.slice(0, 5)).toEqual([
      'C|0|CPU0 preempt_count.nmi|0',
      'C|0|CPU0 preempt_count.hardirq|0',
      'C|0|CPU0 preempt_count.softirq|0',
      'C|0|CPU0 preempt_count.preempt|0',
      'C|0|CPU0 irqs_disabled|0',
    ])
    expect(counters).toContain('C|0|CPU0 preempt_count.hardirq|1')
    expect(counters).toContain('C|0|CPU0 irqs_disabled|1')
    expect(counters.every((c) => /^C\|0\|CPU\d+ [a-z_.-]+\|\d+$/.test(c))).toBe(true)
    expect(m.filter((x) => x.startsWith('I|'))).toEqual(k.diagnostics.map((d) => `I|1|${d.title}`))
    expect(k.diagnostics.length).toBeGreaterThan(0)
  })

  it("a model's wait: sched_wait, then sched_switch with the state it sleeps in (D), then the waker's sched_waking", () => {
    const m = defineModel(
      (k) => {
        const a = k.mutex('a', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (c) {
            yield* k.condResched(c)
          })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          yield* a.withLocked(ctx, function* () {})
        })
      },
      { cpus: 2 },
    )
    const r = runModel(m, { trace: true, scheduler: replayScheduler([0, 1, 0, 1, 0, 1, 0, 0]) })
    const lines = body(traceToFtrace(r.trace)).map((l) => l.slice(l.indexOf(': ') + 2))
    const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix))
    expect(lines[at('sched_wait:')]).toBe("sched_wait: state=TASK_UNINTERRUPTIBLE channel=mutex_'a'")
    expect(lines[at('sched_switch: prev_comm=two')]).toBe(
      'sched_switch: prev_comm=two prev_pid=2 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120',
    )
    expect(lines[at('sched_waking:')]).toBe('sched_waking: comm=two pid=2 prio=120 target_cpu=001')
    expect(at('sched_wait:') < at('sched_switch: prev_comm=two') && at('sched_switch: prev_comm=two') < at('sched_waking:')).toBe(true)
    // A task that ends running is switched out as R.
    expect(lines.filter((l) => l.startsWith('sched_switch: prev_comm=one'))).toEqual([
      'sched_switch: prev_comm=one prev_pid=1 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120',
    ])
  })

  it("names are ASCII with no '|' (the markers' separator) and no spaces in key=value fields", () => {
    const k = createKernel({ trace: true })
    const s = k.spinLock('a|b é', 0)
    k.run((ctx) => s.withLocked(ctx, () => 0), { comm: 'my task' })
    const text = traceToFtrace(k.trace)
    expect(/^[\n\x20-\x7e]*$/.test(text)).toBe(true)
    expect(markers(text)).toContain("S|1|spinlock_t 'a/b <U+00E9>'|1")
    expect(text).toContain('next_comm=my_task next_pid=1')
    expect(text).toContain('lock_acquire: ')
    expect(body(text)[0]).toMatch(/^ {9}my task-1 {7}\( {6}1\) \[000\] /)
  })

  it('an idle CPU prints <idle>-0 with tgid (-------), as the kernel does for tgid 0', () => {
    const k = createKernel({ trace: true, cpus: 2 })
    k.requestNmi('perf', () => 0)
    k.raiseNmi('perf', { cpu: 1 })
    const [first] = body(traceToFtrace(k.trace))
    expect(first).toMatch(/^ {10}<idle>-0 {7}\(-------\) \[001\] \.\.Z\.\. {5}0\.000000: nmi_enter:$/)
  })
})
