/**
 * The execution the explorer is running now, for the shared cells made during its setup: their
 * race detector, and which choice is running (the context a race report names). Executions run
 * one at a time on one thread, so one slot is enough; outside `explore()` it is null and a cell
 * keeps a detector of its own (nothing reports its races).
 */
import type { ProbedLock } from './lock-probe.js'
import type { Choice } from '../model/scheduler.js'
import type { RaceDetector } from './kcsan.js'

export interface ActiveExecution {
  readonly detector: RaceDetector
  /** The choice whose step runs now (null before the first). */
  current(): Choice | null
  /** The execution's kernel was made (its plugged factories run first): its machine's locks. */
  attach(locks: readonly ProbedLock[]): void
}

let active: ActiveExecution | null = null

export const activeExecution = (): ActiveExecution | null => active

/** Runs `fn` with `a` as the active execution (restored after, even when it throws). */
export const withActiveExecution = <R>(a: ActiveExecution, fn: () => R): R => {
  const before = active
  active = a
  try {
    return fn()
  } finally {
    active = before
  }
}
