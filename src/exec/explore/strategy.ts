/**
 * What every exploration strategy is (one a file beside this one, as loom's src/rt and Shuttle's
 * src/scheduler keep theirs): a `Scheduler` for the model executor's one question, plus the two
 * edges of an execution. Each execution re-runs the model from scratch, so a strategy only ever
 * sees choice points; the driver (./driver.ts) counts executions and time.
 */
import type { Choice, ChoicePoint, Scheduler } from '../model/scheduler.js'
import type { Access } from '../wait.js'

export interface Strategy extends Scheduler {
  /** Prepares the next execution; false when the strategy's bounded space is done. */
  begin(): boolean
  /** The execution that began last has ended (after its last `choose`). */
  end(): void
  /** True when `begin()` returned false because every execution of the bounded space was run. */
  readonly exhausted: boolean
  /** How much of the bounded space is done, 0..1 (an estimate for DFS; null when unbounded). */
  progress(): number | null
  /** What the step chosen last really touched (./lock-probe.ts): `access`, or everything (undefined). */
  amend?(access: Access | undefined): void
  /**
   * Points before this index re-run the steps of the execution before (DFS: its replayed prefix),
   * whose accesses were amended when they first ran: the recorder does not probe them again.
   */
  readonly replayed?: number
}

/** Thrown by a strategy's `choose` when the rest of this execution can only repeat explored ones (sleep-set blocked). */
export class PrunedExecution extends Error {
  override name = 'PrunedExecution'
}

/** The one instance thrown (an Error's stack is captured at construction: once, not per pruned execution). */
export const PRUNED = new PrunedExecution('sleep-set blocked: the rest of this execution repeats explored ones')

export type { Choice, ChoicePoint, Scheduler }
