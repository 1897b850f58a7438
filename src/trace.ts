/**
 * The trace: every state change of a simulated CPU, and its rendering in ftrace's latency format
 * (kernel/trace/trace_output.c, trace_print_lat_fmt()):
 *
 *                   _-----=> irqs-off/BH-disabled
 *                  / _----=> need-resched
 *                 | / _---=> hardirq/softirq
 *                 || / _--=> preempt-depth
 *                 ||| / _-=> migrate-disable
 *                 |||| /
 *   task-1-1    0 d.h1.   12: irq_enter
 */
import type { Cpu } from './cpu/cpu.js'
import { PREEMPT_NEED_RESCHED, SOFTIRQ_SHIFT } from './cpu/preempt-count.js'

/**
 * One state change of a simulated CPU, as the trace records it.
 *
 * @example
 * ```ts
 * import { createKernel, type TraceEvent } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * kernel.run((ctx) => ctx.preemptDisable(() => undefined))
 * const offCpu = (e: TraceEvent) => e.preemptCount !== 0 || e.irqsDisabled
 * console.log(kernel.trace.filter(offCpu).map((e) => `${e.seq} ${e.comm}: ${e.event}`))
 * ```
 */
export interface TraceEvent {
  /** Position in the whole trace, from 0. */
  readonly seq: number
  /** The CPU it happened on. */
  readonly cpu: number
  /** The running task's pid (0: idle). */
  readonly pid: number
  /** The running task's name. */
  readonly comm: string
  /** The kernel function or event (`preempt_disable`, `irq_enter`, `lock spinlock_t 'stats'`, …). */
  readonly event: string
  /** preempt_count after the change. */
  readonly preemptCount: number
  /** Interrupts were off after the change. */
  readonly irqsDisabled: boolean
  /** The five latency-format columns after the change, e.g. `d.h1.`. */
  readonly flags: string
}

const hex = (n: number): string => (n === 0 ? '.' : Math.min(n, 0xf).toString(16))

/** The latency-format flag columns for a CPU's state now. */
export const latencyFlags = (cpu: Cpu): string => {
  const bhOff = cpu.softirqCount() >>> (SOFTIRQ_SHIFT + 1) !== 0
  const irqsOff = cpu.irqsDisabled
  const irqsCol = irqsOff && bhOff ? 'D' : irqsOff ? 'd' : bhOff ? 'b' : '.'
  const reschedCol = (cpu.state.preemptCount & PREEMPT_NEED_RESCHED) !== 0 ? 'N' : '.'
  const nmi = cpu.inNmi()
  const hardirq = cpu.inHardirq()
  const softirq = cpu.inServingSoftirq()
  const irqCol = nmi && hardirq ? 'Z' : nmi ? 'z' : hardirq && softirq ? 'H' : hardirq ? 'h' : softirq ? 's' : '.'
  return `${irqsCol}${reschedCol}${irqCol}${hex(cpu.preemptCount & 0xff)}${hex(cpu.current.migrationDisabled)}`
}

const HEADER = [
  '#                    _-----=> irqs-off/BH-disabled',
  '#                   / _----=> need-resched',
  '#                  | / _---=> hardirq/softirq',
  '#                  || / _--=> preempt-depth',
  '#                  ||| / _-=> migrate-disable',
  '#                  |||| /',
  '#  cmd     pid CPU ||||| seq: event',
  '#     \\   /    |   |||||  |   |',
]

/**
 * Renders a trace in ftrace's latency format, one line per event, with its header.
 *
 * @example
 * ```ts
 * import { createKernel, formatTrace } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLockedIrq(ctx, (_ctx, s) => { s.hits++ }))
 * console.log(formatTrace(kernel.trace)) // `task-1-1 0 d..1. 3: lock spinlock_t 'stats'` …
 * ```
 */
export const formatTrace = (events: readonly TraceEvent[]): string =>
  [
    ...HEADER,
    ...events.map(
      (e) =>
        `${(e.pid === 0 ? '<idle>' : e.comm).slice(0, 8).padStart(8)}-${String(e.pid).padEnd(5)}${String(e.cpu).padStart(3)} ${e.flags} ${String(e.seq).padStart(4)}: ${e.event}`,
    ),
  ].join('\n')

/**
 * The trace as JSON, for tools.
 *
 * @example
 * ```ts
 * import { createKernel, traceToJson } from 'lockproof'
 *
 * const kernel = createKernel({ trace: true })
 * kernel.run((ctx) => ctx.rcuReadLock(() => undefined))
 * console.log(traceToJson(kernel.trace)) // [{ "seq": 0, "cpu": 0, … }, …]
 * ```
 */
export const traceToJson = (events: readonly TraceEvent[]): string => JSON.stringify(events, null, 2)
