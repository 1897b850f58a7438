/** Shared helpers for the foundation tests: observe every predicate of a CPU at once. */
import type { CpuView } from '../../src/index.js'

export interface Observation {
  readonly comm: string
  readonly pid: number
  readonly preemptCount: number
  readonly softirqCount: number
  readonly irqsDisabled: boolean
  readonly inTask: boolean
  readonly inInterrupt: boolean
  readonly inHardirq: boolean
  readonly inSoftirq: boolean
  readonly inServingSoftirq: boolean
  readonly inNmi: boolean
  readonly inAtomic: boolean
  readonly preemptible: boolean
  readonly migrationDisabled: number
  readonly rcuReadLockNesting: number
  readonly softirqDisableCnt: number
}

export const observe = (v: CpuView): Observation => {
  const cur = v.current
  return {
    comm: cur.comm,
    pid: cur.pid,
    preemptCount: v.preemptCount,
    softirqCount: v.softirqCount(),
    irqsDisabled: v.irqsDisabled,
    inTask: v.inTask(),
    inInterrupt: v.inInterrupt(),
    inHardirq: v.inHardirq(),
    inSoftirq: v.inSoftirq(),
    inServingSoftirq: v.inServingSoftirq(),
    inNmi: v.inNmi(),
    inAtomic: v.inAtomic(),
    preemptible: v.preemptible(),
    migrationDisabled: cur.migrationDisabled,
    rcuReadLockNesting: cur.rcuReadLockNesting,
    softirqDisableCnt: cur.softirqDisableCnt,
  }
}

/** Plain task context: every "interrupt" predicate false. */
export const TASK_PREDICATES = {
  inTask: true,
  inInterrupt: false,
  inHardirq: false,
  inSoftirq: false,
  inServingSoftirq: false,
  inNmi: false,
} as const
