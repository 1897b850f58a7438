/**
 * What the timeline exporters (perfetto.ts, ftrace-text.ts) share: where an event sits in
 * simulated time, which events open and close an execution context (hardirq, a handler, softirq
 * processing, one softirq's action, NMI), the lock holds (a `lock` event to its `unlock`, matched
 * per lock and task, so holds released out of order stay what they are), and the waits-for edges
 * the log has (a deadlock report names the holder of the lock it could not take).
 */
import type { DeadlockDiagnostic } from '../diagnostics/types.js'
import type { TraceEvent } from '../machine/events.js'
import { lockName } from '../lockdep/splat.js'

/**
 * The event's time in µs: the simulated clock (ms) plus one µs per event before it. The machine
 * has no instruction timing; the event's position keeps every event at its own instant, and a
 * clock jump (msleep, a timeout) moves everything after it.
 */
export const timeUs = (e: TraceEvent): number => e.clockMs * 1000 + e.seq

export type ContextKind = 'hardirq' | 'irq_handler' | 'softirq' | 'softirq_action' | 'nmi'

/** An event that opens a context: its kind, the slice's name and what it carries. */
export interface ContextOpen {
  readonly open: ContextKind
  readonly name: string
  readonly args: Readonly<Record<string, string | number | boolean>>
}

/** What an event does to the context stack of its CPU, or null. */
export const contextEdge = (e: TraceEvent): ContextOpen | { readonly close: ContextKind } | null => {
  switch (e.event) {
    case 'irq_enter':
      return { open: 'hardirq', name: 'hardirq', args: {} }
    case 'irq_exit':
      return { close: 'hardirq' }
    case 'irq_handler_entry':
      return e.wake
        ? { open: 'irq_handler', name: `irq ${e.line}: ${e.name} (wakes irq/${e.line}-${e.name})`, args: { irq: e.line, name: e.name, threaded: true } }
        : { open: 'irq_handler', name: `irq ${e.line}: ${e.name}`, args: { irq: e.line, name: e.name, threaded: false } }
    case 'irq_handler_exit':
      return { close: 'irq_handler' }
    case 'handle_softirqs':
      return e.phase === 'begin' ? { open: 'softirq', name: 'softirq', args: {} } : { close: 'softirq' }
    case 'softirq_entry':
      return { open: 'softirq_action', name: e.action, args: { vec: e.vec, action: e.action } }
    case 'softirq_exit':
      return { close: 'softirq_action' }
    case 'nmi_enter':
      return { open: 'nmi', name: 'NMI', args: {} }
    case 'nmi_exit':
      return { close: 'nmi' }
    default:
      return null
  }
}

/** A `lock` or `unlock` event (a hold's begin is always a `lock`). */
type LockEvent = Extract<TraceEvent, { readonly event: 'lock' | 'unlock' }>

/** One lock hold: from its `lock` event to its `unlock` (null: still held when the log ends). */
export interface Hold {
  /** Unique in the trace (the async slice's id). */
  readonly id: number
  readonly begin: LockEvent
  readonly end: TraceEvent | null
  /** `spinlock_t 'a'`, as reports name it. */
  readonly label: string
}

/** Every lock hold of the log, in the order they began. */
export const lockHolds = (events: readonly TraceEvent[]): Hold[] => {
  const holds: { id: number; begin: LockEvent; end: TraceEvent | null; label: string }[] = []
  // Open holds per (lock, task): a reader's hold is its own, however many readers there are.
  const open = new Map<string, number[]>()
  for (const e of events) {
    if (e.event === 'lock') {
      const begin: LockEvent = e
      const key = `${e.lock}:${e.pid}`
      const stack = open.get(key) ?? []
      stack.push(holds.length)
      open.set(key, stack)
      holds.push({ id: holds.length + 1, begin, end: null, label: lockName({ kind: e.lockKind, name: e.name }) })
    } else if (e.event === 'unlock') {
      const i = open.get(`${e.lock}:${e.pid}`)?.pop()
      const hold = i === undefined ? undefined : holds[i]
      if (hold !== undefined) hold.end = e
    }
  }
  return holds
}

/** A waits-for edge: the holder's acquisition (`from`) blocks the waiter's attempt (`to`). */
export interface WaitsFor {
  readonly from: TraceEvent
  readonly to: TraceEvent
  readonly label: string
}

/**
 * The waits-for edges in the log: a wait (`sched_wait`, the model executor) points at the
 * `sched_waking` that ends it, on the waker's CPU; each deadlock report points at the holder's
 * last acquisition of that lock before it.
 */
export const waitsForEdges = (events: readonly TraceEvent[]): WaitsFor[] => {
  const edges: WaitsFor[] = []
  // Each task's wait not yet ended, by pid.
  const waiting = new Map<number, TraceEvent & { readonly event: 'sched_wait' }>()
  for (const e of events) {
    if (e.event === 'sched_wait') waiting.set(e.pid, e)
    else if (e.event === 'sched_waking') {
      const w = waiting.get(e.wakePid)
      if (w === undefined) continue
      waiting.delete(e.wakePid)
      edges.push({ from: w, to: e, label: `${w.comm} waits on ${w.channel}, woken by ${e.pid === 0 ? '<idle>' : e.comm}` })
    }
  }
  events.forEach((e, i) => {
    if (e.event !== 'diagnostic' || e.diagnostic.kind !== 'deadlock') return
    const d: DeadlockDiagnostic = e.diagnostic
    for (let j = i - 1; j >= 0; j--) {
      const b = events[j] as TraceEvent
      if (b.event === 'lock' && b.pid === d.holder.pid && lockName({ kind: b.lockKind, name: b.name }) === d.lock) {
        edges.push({ from: b, to: e, label: `${d.task} waits for ${d.lock} held by ${d.holder.comm}/${d.holder.pid}` })
        return
      }
    }
  })
  return edges
}

/** The CPUs the log has events on, in order. */
export const cpusOf = (events: readonly TraceEvent[]): number[] => [...new Set(events.map((e) => e.cpu))].sort((a, b) => a - b)
