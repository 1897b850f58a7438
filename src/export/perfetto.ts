/**
 * A run's event log as a Chrome / Perfetto JSON trace (the Trace Event Format, object form
 * `{ "traceEvents": [...] }`; `ts` and `dur` in µs of simulated time, see contexts.ts).
 *
 * Layout: one process per CPU (`pid` = base + CPU) holding one thread track named `CPU0`, …
 * (metadata events `M`); on it the running task and, nested in it, hardirq / handler / softirq /
 * softirq action / NMI contexts as complete slices (`X`, properly nested: a context still open
 * when its task is switched out is closed there and reopened when the task runs again); each
 * lock hold as an async slice (`b`/`e`, one id per hold, so holds dropped out of order stay
 * apart); `preempt_count`'s fields and the interrupt flag as counters (`C`); each waits-for edge
 * the log has as a flow (`s` → `f`); each diagnostic as a thread-scoped instant (`i`) carrying
 * its full report in `args`.
 *
 * Perfetto's JSON reader accepts no `\u` escape and reads `ts` differently when
 * `displayTimeUnit` is present: the output has neither (every string is printable ASCII, other
 * characters written `<U+XXXX>`).
 */
import type { TraceEvent } from '../machine/events.js'
import { preemptCountLayoutOf } from '../machine/layout.js'
import { type ContextKind, contextEdge, cpusOf, lockHolds, timeUs, waitsForEdges } from './contexts.js'

/**
 * How {@link traceToPerfetto} lays the run out.
 *
 * @example
 * ```ts
 * import type { PerfettoOptions } from 'lockproof'
 *
 * // Two runs in one file: the second one's CPUs are processes 101, 102, …
 * const second: PerfettoOptions = { pid: 101, name: 'PREEMPT_RT', preemptCountLayout: 'mainline' }
 * ```
 */
export interface PerfettoOptions {
  /** The process id of CPU0's track; CPU n is `pid + n`. Default 1. */
  readonly pid?: number
  /** Put before each process's name (`PREEMPT_RT CPU0`). Default none. */
  readonly name?: string
  /** The `preempt_count` layout of the kernel that made the log (`kernel.options.preemptCountLayout`). Default 'mainline'. */
  readonly preemptCountLayout?: 'mainline' | 'interrupt-count'
}

type ArgValue = string | number | boolean | null | readonly ArgValue[] | { readonly [key: string]: ArgValue }

/** One event of the Trace Event Format, as this exporter writes them. */
export interface PerfettoEvent {
  name: string
  cat?: string
  ph: 'X' | 'b' | 'e' | 'C' | 'i' | 's' | 'f' | 'M'
  ts: number
  pid: number
  tid: number
  dur?: number
  id?: string
  s?: 't'
  bp?: 'e'
  args: Record<string, ArgValue>
}

/** A string as printable ASCII (tab and newline kept; JSON writes them `\t`, `\n`), everything else `<U+XXXX>`. */
export const asciiOnly = (s: string): string =>
  s.replace(/[^\t\n\x20-\x7e]/gu, (c) => `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`)

/** Every string of a value made ASCII-only, keys included. */
const clean = (v: unknown): ArgValue => {
  if (typeof v === 'string') return asciiOnly(v)
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v)
  if (typeof v === 'boolean' || v === null) return v
  if (Array.isArray(v)) return v.map(clean)
  if (typeof v === 'object' && v !== undefined) return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [asciiOnly(k), clean(x)]))
  return String(v)
}

/** The instants of the log: each diagnostic with its report, and the interrupt events that are points in time. */
const instantOf = (e: TraceEvent): { name: string; cat: string; args: Record<string, ArgValue> } | null => {
  switch (e.event) {
    case 'diagnostic': {
      const { report, ...rest } = e.diagnostic
      return { name: e.title, cat: 'diagnostic', args: { report, ...(clean(rest) as Record<string, ArgValue>) } }
    }
    case 'irq_raise':
      return { name: `irq_raise ${e.line}`, cat: 'irq', args: { irq: e.line } }
    case 'spurious_irq':
      return { name: `spurious irq ${e.line}`, cat: 'irq', args: { irq: e.line } }
    case 'raise_softirq':
      return { name: `raise_softirq ${e.vec}`, cat: 'irq', args: { vec: e.vec } }
    case 'softirq_unhandled':
      return { name: `softirq ${e.action}: no handler`, cat: 'irq', args: { vec: e.vec } }
    case 'msleep':
      return { name: `msleep(${e.ms})`, cat: 'sleep', args: { ms: e.ms } }
    case 'sched_wait':
      return { name: `${e.state === 'TASK_RUNNING' ? 'spin' : 'sleep'} on ${e.channel}`, cat: 'sched', args: { state: e.state, channel: e.channel } }
    case 'sched_waking':
      return { name: `wake ${e.wakeComm}`, cat: 'sched', args: { pid: e.wakePid, comm: e.wakeComm, target_cpu: e.targetCpu } }
    default:
      return null
  }
}

interface OpenSlice {
  readonly kind: ContextKind | 'task'
  readonly ev: PerfettoEvent
}

interface CpuTrack {
  readonly pid: number
  readonly stack: OpenSlice[]
  /** The contexts a task had open when it was switched out, reopened when it runs again. */
  readonly suspended: Map<number, { kind: ContextKind; name: string; args: Record<string, ArgValue> }[]>
  preemptCount: number | null
  irqsDisabled: boolean | null
}

/**
 * The trace events {@link traceToPerfetto} writes, as objects (metadata first, then in the
 * order they begin).
 */
export const perfettoEvents = (events: readonly TraceEvent[], options: PerfettoOptions = {}): PerfettoEvent[] => {
  const base = options.pid ?? 1
  const prefix = options.name === undefined ? '' : `${options.name} `
  const fields = preemptCountLayoutOf(options.preemptCountLayout ?? 'mainline').fieldsOutermostFirst
  const out: PerfettoEvent[] = []
  const tracks = new Map<number, CpuTrack>()
  for (const cpu of cpusOf(events)) {
    const pid = base + cpu
    tracks.set(cpu, { pid, stack: [], suspended: new Map(), preemptCount: null, irqsDisabled: null })
    out.push(
      { name: 'process_name', ph: 'M', ts: 0, pid, tid: pid, args: { name: `${prefix}CPU${cpu}` } },
      { name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: pid, args: { sort_index: cpu } },
      { name: 'thread_name', ph: 'M', ts: 0, pid, tid: pid, args: { name: `CPU${cpu}` } },
      { name: 'thread_sort_index', ph: 'M', ts: 0, pid, tid: pid, args: { sort_index: cpu } },
    )
  }
  const track = (e: TraceEvent): CpuTrack => tracks.get(e.cpu) as CpuTrack
  const open = (t: CpuTrack, kind: OpenSlice['kind'], name: string, cat: string, ts: number, args: Record<string, ArgValue>): void => {
    const ev: PerfettoEvent = { name, cat, ph: 'X', ts, dur: 0, pid: t.pid, tid: t.pid, args }
    out.push(ev)
    t.stack.push({ kind, ev })
  }
  const close = (s: OpenSlice, ts: number): void => {
    s.ev.dur = ts - s.ev.ts
  }
  const last = events.at(-1)
  const endTs = last === undefined ? 0 : timeUs(last) + 1

  // Lock holds (b/e) and waits-for flows (s/f) are found over the whole log first.
  const holds = lockHolds(events)
  const holdAt = new Map(holds.map((h) => [h.begin.seq, h]))
  const holdEnds = new Map<number, typeof holds>()
  for (const h of holds) if (h.end !== null) holdEnds.set(h.end.seq, [...(holdEnds.get(h.end.seq) ?? []), h])
  const flows = waitsForEdges(events)
  // Where each flow end lands: a flow binds to the slice enclosing it, so one without is left out.
  const flowEnds = new Set(flows.flatMap((f) => [f.from.seq, f.to.seq]))
  const flowAt = new Map<number, { ts: number; pid: number; inSlice: boolean }>()
  const holdEnd = (h: (typeof holds)[number], ts: number, pid: number, args: Record<string, ArgValue>): PerfettoEvent => ({
    name: h.label,
    cat: 'lock',
    ph: 'e',
    ts,
    pid,
    tid: pid,
    id: `0x${h.id.toString(16)}`,
    args,
  })

  for (const e of events) {
    const ts = timeUs(e)
    const t = track(e)
    if (e.event === 'sched_switch') {
      const contexts = t.stack.filter((s): s is OpenSlice & { kind: ContextKind } => s.kind !== 'task')
      for (const s of t.stack.splice(0).reverse()) close(s, ts)
      if (contexts.length > 0)
        t.suspended.set(
          e.prevPid,
          contexts.map((s) => ({ kind: s.kind, name: s.ev.name, args: { ...s.ev.args, resumed: true } })),
        )
      if (e.nextPid !== 0) {
        open(t, 'task', e.nextComm, 'task', ts, { pid: e.nextPid, comm: e.nextComm })
        for (const c of t.suspended.get(e.nextPid) ?? []) open(t, c.kind, c.name, 'context', ts, c.args)
        t.suspended.delete(e.nextPid)
      }
    } else {
      // A task running with no switch in the log before it (the log began inside it).
      if (e.pid !== 0 && !t.stack.some((s) => s.kind === 'task')) open(t, 'task', e.comm, 'task', ts, { pid: e.pid, comm: e.comm })
      const edge = contextEdge(e)
      if (edge !== null && 'open' in edge) open(t, edge.open, edge.name, 'context', ts, { ...edge.args })
      else if (edge !== null) {
        const at = t.stack.map((s) => s.kind).lastIndexOf(edge.close)
        if (at >= 0) for (const s of t.stack.splice(at).reverse()) close(s, ts)
      }
    }
    if (t.preemptCount !== e.preemptCount) {
      t.preemptCount = e.preemptCount
      const args: Record<string, ArgValue> = {}
      for (const f of fields) args[f.name] = (e.preemptCount & f.mask) >>> f.shift
      out.push({ name: 'preempt_count', ph: 'C', ts, pid: t.pid, tid: t.pid, args })
    }
    if (t.irqsDisabled !== e.irqsDisabled) {
      t.irqsDisabled = e.irqsDisabled
      out.push({ name: 'irqs', ph: 'C', ts, pid: t.pid, tid: t.pid, args: { disabled: e.irqsDisabled ? 1 : 0 } })
    }
    const hold = holdAt.get(e.seq)
    if (hold !== undefined) {
      const b = hold.begin
      out.push({
        name: hold.label,
        cat: 'lock',
        ph: 'b',
        ts,
        pid: t.pid,
        tid: t.pid,
        id: `0x${hold.id.toString(16)}`,
        args: { lock: b.lock, kind: b.lockKind, class: b.name, read: b.read, task: b.comm, pid: b.pid },
      })
    }
    // The end goes where the hold began: an async slice ends on its own track.
    for (const h of holdEnds.get(e.seq) ?? []) out.push(holdEnd(h, ts, track(h.begin).pid, {}))
    if (flowEnds.has(e.seq)) flowAt.set(e.seq, { ts, pid: t.pid, inSlice: t.stack.length > 0 })
    const instant = instantOf(e)
    if (instant !== null) out.push({ ...instant, ph: 'i', s: 't', ts, pid: t.pid, tid: t.pid })
  }
  flows.forEach((f, i) => {
    const from = flowAt.get(f.from.seq)
    const to = flowAt.get(f.to.seq)
    if (from === undefined || to === undefined || !from.inSlice || !to.inSlice) return
    const flow = { name: f.label, cat: 'waits-for', id: String(i + 1), args: {} }
    out.push({ ...flow, ph: 's', ts: from.ts, pid: from.pid, tid: from.pid }, { ...flow, ph: 'f', bp: 'e', ts: to.ts, pid: to.pid, tid: to.pid })
  })
  // What is still open when the log ends ends there.
  for (const t of tracks.values()) for (const s of t.stack.splice(0).reverse()) close(s, endTs)
  for (const h of holds) if (h.end === null) out.push(holdEnd(h, endTs, track(h.begin).pid, { held_at_end: true }))
  return out.map((ev) => clean(ev) as unknown as PerfettoEvent)
}

/**
 * Renders a trace as a Chrome / Perfetto JSON trace: open it at ui.perfetto.dev ("Open trace
 * file") or in chrome://tracing.
 *
 * @example
 * ```ts
 * import { createKernel, traceToPerfetto } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLockedIrq(ctx, (_ctx, s) => { s.hits++ }))
 * const json = traceToPerfetto(kernel.trace, { preemptCountLayout: kernel.options.preemptCountLayout })
 * console.log(json.startsWith('{"traceEvents":[')) // true
 * ```
 */
export const traceToPerfetto = (events: readonly TraceEvent[], options: PerfettoOptions = {}): string =>
  `{"traceEvents":[\n${perfettoEvents(events, options)
    .map((e) => JSON.stringify(e))
    .join(',\n')}\n]}\n`
