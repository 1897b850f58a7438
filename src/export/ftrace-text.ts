/**
 * A run's event log as the text of /sys/kernel/tracing/trace with the `record-tgid` and
 * `irq-info` options, which Perfetto and trace-cmd's tools import ("systrace" text):
 *
 *   `# tracer: nop` and print_func_help_header_irq()'s header (kernel/trace/trace.c), then per
 *   event trace_print_context()'s columns (kernel/trace/trace_output.c):
 *   `%16s-%-7d (%7d) [%03d] <5 flags> %5lu.%06lu: event: args` — comm-pid, tgid (`(-------)`
 *   for the idle task), CPU, trace_print_lat_fmt()'s flags, seconds.microseconds.
 *
 * Each event is written as the tracepoint of its name with the kernel's TP_printk() format where
 * there is one (sched_switch, irq_handler_entry/exit, softirq_entry/exit/raise, lock_acquire /
 * lock_release), else as lockproof's event name and fields. The pictures come from
 * `tracing_mark_write:` lines as Perfetto's systrace parser reads them
 * (src/trace_processor/importers/systrace/systrace_parser.h): `B|tgid|name` / `E|tgid` around
 * each context on the running task's thread, `S|tgid|name|cookie` / `F|…` around each lock
 * hold, `C|0|CPUn <counter>|value` for preempt_count's fields and the interrupt flag (on the idle
 * process, one place for every CPU), `I|tgid|title` for each diagnostic.
 */
import type { TraceEvent } from '../machine/events.js'
import { preemptCountLayoutOf } from '../machine/layout.js'
import { SOFTIRQ_NAMES } from '../machine/softirq-names.js'
import { contextEdge, cpusOf, lockHolds, timeUs } from './contexts.js'

/**
 * How {@link traceToFtrace} writes the run.
 *
 * @example
 * ```ts
 * import type { FtraceTextOptions } from 'lockproof'
 *
 * const options: FtraceTextOptions = { preemptCountLayout: 'mainline' }
 * ```
 */
export interface FtraceTextOptions {
  /** The `preempt_count` layout of the kernel that made the log (`kernel.options.preemptCountLayout`). Default 'mainline'. */
  readonly preemptCountLayout?: 'mainline' | 'interrupt-count'
}

/** TASK_COMM_LEN is 16: a comm is at most 15 characters. */
const comm = (s: string): string => s.slice(0, 15)

/** Printable ASCII only (other characters `<U+XXXX>`), and none of the marker's `|` separators. */
const markerText = (s: string): string =>
  s.replace(/[^\x20-\x7e]/gu, (c) => `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`).replace(/\|/g, '/')

/** A value of a `key=value` field: Perfetto splits the arguments on spaces. */
const field = (s: string): string => markerText(s).replace(/\s/g, '_')

/** `%p` of a lock: a synthetic address, one per lock id. */
const lockAddr = (lock: number): string => (0xffff888000100000n + BigInt(lock) * 0x40n).toString(16).padStart(16, '0')

const softirqName = (vec: number): string => SOFTIRQ_NAMES[vec] ?? String(vec)

/**
 * `prev_state` of sched_switch (include/trace/events/sched.h, task_state_index()): the state the
 * task went to sleep in, `R` if it did not (the log has no other task state). TASK_KILLABLE is
 * TASK_WAKEKILL | TASK_UNINTERRUPTIBLE and reports as D; "TASK_RTLOCK_WAIT … appear as if the
 * task has gone through a regular rt_mutex_lock() call": D.
 */
const PREV_STATE: Readonly<Record<string, string>> = {
  TASK_RUNNING: 'R',
  TASK_INTERRUPTIBLE: 'S',
  TASK_UNINTERRUPTIBLE: 'D',
  TASK_KILLABLE: 'D',
  TASK_RTLOCK_WAIT: 'D',
}

/** The event column: `name: args`, in the TP_printk() format where the kernel has the tracepoint. */
const eventColumn = (e: TraceEvent, prevState: string): string => {
  switch (e.event) {
    case 'sched_switch':
      return `sched_switch: prev_comm=${field(comm(e.prevComm))} prev_pid=${e.prevPid} prev_prio=120 prev_state=${prevState} ==> next_comm=${field(comm(e.nextComm))} next_pid=${e.nextPid} next_prio=120`
    case 'sched_waking':
      return `sched_waking: comm=${field(comm(e.wakeComm))} pid=${e.wakePid} prio=120 target_cpu=${String(e.targetCpu).padStart(3, '0')}`
    case 'sched_wait':
      return `sched_wait: state=${e.state} channel=${field(e.channel)}`
    case 'irq_handler_entry':
      return `irq_handler_entry: irq=${e.line} name=${field(e.name)}`
    case 'irq_handler_exit':
      return `irq_handler_exit: irq=${e.line} ret=handled`
    case 'softirq_entry':
    case 'softirq_exit':
      return `${e.event}: vec=${e.vec} [action=${field(e.action)}]`
    case 'raise_softirq':
      return `softirq_raise: vec=${e.vec} [action=${softirqName(e.vec)}]`
    case 'lock':
      return `lock_acquire: ${lockAddr(e.lock)} ${e.read ? 'read ' : ''}${field(e.name)}`
    case 'unlock':
      return `lock_release: ${lockAddr(e.lock)} ${field(e.name)}`
    case 'irq_raise':
    case 'spurious_irq':
      return `${e.event}: irq=${e.line}`
    case 'softirq_unhandled':
      return `softirq_unhandled: vec=${e.vec} [action=${field(e.action)}]`
    case 'handle_softirqs':
      return `handle_softirqs: ${e.phase}`
    case 'lock_map_acquire':
    case 'lock_map_acquire_try':
    case 'lock_map_acquire_read':
    case 'lock_map_release':
      return `${e.event}: ${lockAddr(e.lock)} ${field(e.name)}`
    case 'msleep':
      return `msleep: ms=${e.ms}`
    case 'kmalloc':
      return `kmalloc: bytes_req=${e.size} gfp_flags=${e.gfp}`
    case 'diagnostic':
      return `diagnostic: kind=${e.kind}`
    default:
      return `${e.event}:${ownFields(e)}`
  }
}

/** The fields every event has; the rest are the event's own. */
const COMMON = new Set(['seq', 'cpu', 'pid', 'comm', 'preemptCount', 'irqsDisabled', 'flags', 'clockMs', 'event'])

/** ` key=value` for each of an event's own fields (an event without a kernel format of its own). */
const ownFields = (e: TraceEvent): string =>
  Object.entries(e)
    .filter(([k, v]) => !COMMON.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
    .map(([k, v]) => ` ${k}=${field(String(v))}`)
    .join('')

/** The five header lines and column legend of print_func_help_header_irq() with record-tgid (`prec` 12). */
const header = (entries: number, cpus: number): string[] => {
  const pad = ' '.repeat(12)
  return [
    '# tracer: nop',
    '#',
    `# entries-in-buffer/entries-written: ${entries}/${entries}   #P:${cpus}`,
    '#',
    `#                            ${pad}  _-----=> irqs-off/BH-disabled`,
    `#                            ${pad} / _----=> need-resched`,
    `#                            ${pad}| / _---=> hardirq/softirq`,
    `#                            ${pad}|| / _--=> preempt-depth`,
    `#                            ${pad}||| / _-=> migrate-disable`,
    `#                            ${pad}|||| /     delay`,
    `#           TASK-PID  ${'     TGID   '} CPU#  |||||  TIMESTAMP  FUNCTION`,
    `#              | |    ${'       |    '}   |   |||||     |         |`,
  ]
}

/**
 * Renders a trace as ftrace's text output (`cat /sys/kernel/tracing/trace`), with
 * `tracing_mark_write` markers for contexts, lock holds, counters and diagnostics: Perfetto
 * (ui.perfetto.dev, "Open trace file") draws them.
 *
 * @example
 * ```ts
 * import { createKernel, traceToFtrace } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLocked(ctx, (_ctx, s) => { s.hits++ }), { comm: 'worker' })
 * console.log(traceToFtrace(kernel.trace)) // `          worker-1       (      1) [000] ...1.     0.000002: lock_acquire: … stats` …
 * ```
 */
export const traceToFtrace = (events: readonly TraceEvent[], options: FtraceTextOptions = {}): string => {
  const fields = preemptCountLayoutOf(options.preemptCountLayout ?? 'mainline').fieldsOutermostFirst
  const holds = lockHolds(events)
  const holdAt = new Map(holds.map((h) => [h.begin.seq, h]))
  const holdEnds = new Map<number, typeof holds>()
  for (const h of holds) if (h.end !== null) holdEnds.set(h.end.seq, [...(holdEnds.get(h.end.seq) ?? []), h])
  const last = new Map<number, { preempt: Map<string, number>; irqsDisabled: boolean | null }>()
  const lines: string[] = []
  // The contexts open on each task's thread, innermost last (markers close them by kind).
  const open = new Map<string, string[]>()
  // The state each task last began to wait in, until it is switched out.
  const waitState = new Map<number, string>()
  for (const e of events) {
    if (e.event === 'sched_wait') waitState.set(e.pid, e.state)
    if (e.event === 'sched_waking') waitState.delete(e.wakePid)
    const prevState = e.event === 'sched_switch' ? (PREV_STATE[waitState.get(e.prevPid) ?? 'TASK_RUNNING'] ?? 'R') : 'R'
    if (e.event === 'sched_switch') waitState.delete(e.prevPid)
    const tgid = e.pid === 0 ? '-------' : String(e.pid).padStart(7)
    const us = timeUs(e)
    const prefix = `${markerText(comm(e.pid === 0 ? '<idle>' : e.comm)).padStart(16)}-${String(e.pid).padEnd(7)} (${tgid}) [${String(e.cpu).padStart(3, '0')}] ${e.flags} ${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, '0')}: `
    const mark = (text: string): void => {
      lines.push(`${prefix}tracing_mark_write: ${text}`)
    }
    const thread = `${e.cpu}:${e.pid}`
    const stack = open.get(thread) ?? []
    open.set(thread, stack)
    const edge = contextEdge(e)
    // An end closes its context's slice before the event line, a begin opens it after.
    if (edge !== null && 'close' in edge) {
      const at = stack.lastIndexOf(edge.close)
      for (let n = at >= 0 ? stack.splice(at).length : 0; n > 0; n--) mark(`E|${e.pid}`)
    }
    for (const h of holdEnds.get(e.seq) ?? []) mark(`F|${h.begin.pid}|${markerText(h.label)}|${h.id}`)
    lines.push(`${prefix}${eventColumn(e, prevState)}`)
    if (edge !== null && 'open' in edge) {
      stack.push(edge.open)
      mark(`B|${e.pid}|${markerText(edge.name)}`)
    }
    const hold = holdAt.get(e.seq)
    if (hold !== undefined) mark(`S|${e.pid}|${markerText(hold.label)}|${hold.id}`)
    const seen = last.get(e.cpu) ?? { preempt: new Map<string, number>(), irqsDisabled: null }
    last.set(e.cpu, seen)
    for (const f of fields) {
      const v = (e.preemptCount & f.mask) >>> f.shift
      if (seen.preempt.get(f.name) !== v) {
        seen.preempt.set(f.name, v)
        mark(`C|0|CPU${e.cpu} preempt_count.${f.name}|${v}`)
      }
    }
    if (seen.irqsDisabled !== e.irqsDisabled) {
      seen.irqsDisabled = e.irqsDisabled
      mark(`C|0|CPU${e.cpu} irqs_disabled|${e.irqsDisabled ? 1 : 0}`)
    }
    if (e.event === 'diagnostic') mark(`I|${e.pid}|${markerText(e.title)}`)
  }
  return `${[...header(lines.length, cpusOf(events).length), ...lines].join('\n')}\n`
}
