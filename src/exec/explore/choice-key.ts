/**
 * A choice's identity across the points of one execution: the "thread" of DPOR. A task's steps
 * are one thread (its pid); each declared interrupt line and softirq on a CPU is one. Numbers, not
 * strings: these are computed at every choice point of every execution.
 */
import type { Choice } from '../model/scheduler.js'
import { IRQ_WORK_LINE, LOCAL_TIMER_LINE } from '../../deferred/lines.js'

const IRQ_BASE = 1 << 24
const SOFTIRQ_BASE = 1 << 25

export type ChoiceKey = number

export const choiceKey = (c: Choice): ChoiceKey =>
  c.kind === 'task' ? c.pid : c.kind === 'irq' ? IRQ_BASE + c.cpu * 4096 + c.line : SOFTIRQ_BASE + c.cpu * 4096 + c.nr

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
