/**
 * A counterexample as a table with one column per CPU, the shape Lincheck made familiar: each row
 * is one event of the trace (kernel names, as the ftrace text prints them) in its CPU's column,
 * with the task or handler, preempt_count and the interrupt flag after it. Without a trace (a
 * model run untraced), the rows are the choice points.
 */
import { eventText } from '../../export/trace.js'
import type { TraceEvent } from '../../machine/events.js'
import type { Choice } from '../model/scheduler.js'
import { describeChoice } from './choice-key.js'
import type { Point } from './recorder.js'

const MAX_ROWS = 200

interface Row {
  readonly n: string
  readonly cpu: number
  readonly text: string
}

const hex = (n: number): string => `0x${n.toString(16)}`

const traceRows = (trace: readonly TraceEvent[]): Row[] =>
  trace.map((e) => ({
    n: String(e.seq),
    cpu: e.cpu,
    text: `${e.pid === 0 ? '<idle>' : e.comm}: ${eventText(e)}  [pc=${hex(e.preemptCount)} irqs ${e.irqsDisabled ? 'off' : 'on'}]`,
  }))

const pointRows = (points: readonly Point[]): Row[] =>
  points.map((p, i) => {
    const c = p.choices[p.chosen] as Choice
    const what =
      c.kind === 'task'
        ? `${c.comm}: step${c.access === undefined ? '' : ` (${c.access.write ? 'write' : 'read'} ${c.access.channel.kind} '${c.access.channel.name}')`}`
        : `${describeChoice(c)} arrives`
    return { n: String(i + 1), cpu: c.cpu, text: what }
  })

export const formatTable = (trace: readonly TraceEvent[], points: readonly Point[], cpus?: number): string => {
  let rows = trace.length > 0 ? traceRows(trace) : pointRows(points)
  const ncpu = Math.max(cpus ?? 0, ...rows.map((r) => r.cpu + 1), 1)
  let cut = 0
  if (rows.length > MAX_ROWS) {
    cut = rows.length - MAX_ROWS
    rows = [...rows.slice(0, MAX_ROWS / 2), { n: '…', cpu: -1, text: `(${cut} rows left out)` }, ...rows.slice(rows.length - MAX_ROWS / 2)]
  }
  const head = [trace.length > 0 ? 'seq' : 'step', ...Array.from({ length: ncpu }, (_, c) => `CPU ${c}`)]
  const body = rows.map((r) => [r.n, ...Array.from({ length: ncpu }, (_, c) => (r.cpu === c || (r.cpu === -1 && c === 0) ? r.text : ''))])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`
  return [line(head), rule, ...body.map(line)].join('\n')
}
