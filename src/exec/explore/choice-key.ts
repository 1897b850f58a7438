/**
 * A choice's identity across the points of one execution: the "thread" of DPOR. A task's steps
 * are one thread (its pid); each declared interrupt line and softirq on a CPU is one. Numbers, not
 * strings: these are computed at every choice point of every execution.
 */
import type { Choice } from '../model/scheduler.js'
import { IRQ_WORK_LINE, LOCAL_TIMER_LINE } from '../../deferred/lines.js'

export type ChoiceKey = number

// Tasks are their pids (positive). Arrivals are negative, with no overlap: a line may be any whole
// number ≥ 0 or one of the kernel's own lines (≥ -2, src/deferred/lines.ts), a CPU is < 64
// (options.ts), softirqs and interrupts alternate.
const CPUS = 64
const LINE_OFFSET = 3

// Every CPU's idle task is pid 0: a frame over an idle CPU (a handler, softirqs, deferred work's
// frames) is a thread of that CPU's own, above any pid, or two idle CPUs' frames would be one thread.
const IDLE_BASE = 2 ** 30

export const choiceKey = (c: Choice): ChoiceKey =>
  c.kind === 'task'
    ? c.pid !== 0
      ? c.pid
      : IDLE_BASE + c.cpu
    : c.kind === 'irq'
      ? -(1 + 2 * (c.cpu + CPUS * (c.line + LINE_OFFSET)))
      : -(2 + 2 * (c.cpu + CPUS * c.nr))

/** An interrupt or softirq arrival (what the shrinker removes and the preemption count includes). */
export const isArrival = (c: Choice): boolean => c.kind !== 'task'

/** How a choice reads in a table or message: `task 'writer' (pid 3)`, `irq 5 on CPU 0`. */
export const describeChoice = (c: Choice): string =>
  c.kind === 'task'
    ? `${c.comm}`
    : c.kind === 'irq'
      ? c.line === LOCAL_TIMER_LINE
        ? `local timer interrupt on CPU ${c.cpu}` // a model's timer expiry (src/deferred/model/)
        : c.line === IRQ_WORK_LINE
          ? `irq_work IPI on CPU ${c.cpu}`
          : `irq ${c.line} on CPU ${c.cpu}`
      : `softirq ${c.nr} on CPU ${c.cpu}`
