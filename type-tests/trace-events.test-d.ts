// The typed event log: `event` narrows to the event's own fields; another event's fields are refused.
import { expectError, expectType } from 'tsd'
import { createKernel, type TraceEvent } from '../src/index.js'

const kernel = createKernel({ trace: true })

const describeEvent = (e: TraceEvent): string => {
  if (e.event === 'lock' || e.event === 'unlock') {
    expectType<number>(e.lock)
    expectType<boolean>(e.read)
    return `${e.lockKind} '${e.name}'`
  }
  if (e.event === 'sched_switch') return `${e.prevComm}/${e.prevPid} => ${e.nextComm}/${e.nextPid}`
  if (e.event === 'irq_handler_entry') return `${e.line} ${e.name}${e.wake ? ' (wakes its thread)' : ''}`
  if (e.event === 'diagnostic') return e.title
  // Common to every event.
  return `${e.seq} ${e.cpu} ${e.pid} ${e.comm} ${e.preemptCount} ${e.irqsDisabled} ${e.flags}`
}
kernel.trace.map(describeEvent)

const notNarrowed = (e: TraceEvent): void => {
  if (e.event === 'msleep') {
    // @expect-error Property 'line' does not exist
    expectError(e.line)
  }
  // @expect-error Property 'ms' does not exist
  expectError(e.ms)
}
kernel.trace.map(notNarrowed)
