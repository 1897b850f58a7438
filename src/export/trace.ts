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
import type { Cpu } from '../machine/cpu.js'
import { PREEMPT_NEED_RESCHED, SOFTIRQ_SHIFT } from '../machine/preempt-count.js'
import { lockName } from '../lockdep/splat.js'
import type { TraceEvent, TracePayload } from '../machine/events.js'

export type { TraceEvent } from '../machine/events.js'

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

/** The event column of one line: the event's name and its fields, as the latency format prints them. */
export const eventText = (e: TracePayload): string => {
  switch (e.event) {
    case 'raise_softirq':
      return `raise_softirq ${e.vec}`
    case 'handle_softirqs':
      return `handle_softirqs ${e.phase}`
    case 'irq_raise':
      return `irq_raise ${e.line}`
    case 'spurious_irq':
      return `irq ${e.line}: spurious (no handler)`
    case 'irq_handler_entry':
      return `irq_handler_entry ${e.line} ${e.name}${e.wake ? `: wake irq/${e.line}-${e.name}` : ''}`
    case 'irq_handler_exit':
      return `irq_handler_exit ${e.line} ${e.name}`
    case 'softirq_entry':
    case 'softirq_exit':
      return `${e.event} vec=${e.vec} [action=${e.action}]`
    case 'softirq_unhandled':
      return `softirq ${e.action}: no handler`
    case 'sched_switch':
      return `sched_switch ${e.prevComm} => ${e.nextComm}`
    case 'lock':
    case 'unlock':
      return `${e.event} ${lockName({ kind: e.lockKind, name: e.name })}${e.read ? ' (read)' : ''}`
    case 'lock_map_acquire':
    case 'lock_map_acquire_try':
    case 'lock_map_acquire_read':
    case 'lock_map_release':
      return `${e.event} ${e.name}`
    case 'sched_waking':
      return `sched_waking comm=${e.wakeComm} pid=${e.wakePid} target_cpu=${String(e.targetCpu).padStart(3, '0')}`
    case 'sched_wait':
      return `${e.state === 'TASK_RUNNING' ? 'spin' : `sleep ${e.state}`} on ${e.channel}`
    case 'msleep':
      return `msleep ${e.ms}`
    case 'kmalloc':
      return `kmalloc ${e.size} ${e.gfp}`
    case 'diagnostic':
      return e.title
    default:
      return e.event
  }
}

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
        `${(e.pid === 0 ? '<idle>' : e.comm).slice(0, 8).padStart(8)}-${String(e.pid).padEnd(5)}${String(e.cpu).padStart(3)} ${e.flags} ${String(e.seq).padStart(4)}: ${eventText(e)}`,
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
