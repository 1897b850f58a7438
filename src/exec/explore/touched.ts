/**
 * Steps that reach shared state no scheduling point names: a synchronous deferred member
 * (`modTimer()`, `queueWork()`, `taskletSchedule()`, `irqWorkQueue()`, `cancelWork()`, …, and their
 * `pending` reads), `k.signal()` from a task. Such a member runs inside whatever step calls it,
 * often a step whose access names a lock, so the partial-order reduction would read that step as
 * touching the lock only. The member marks the step here; the lock probe (./lock-probe.ts) reads
 * the mark at the step's end and makes the step dependent with everything. A leaf module: the
 * model's members import it, and outside `explore()` the mark is a store nobody reads.
 */

let touched = false

/** The step running now changed or read shared state without a point naming it. */
export const touchShared = (): void => {
  touched = true
}

/** Whether the step that just ended was marked (and clears the mark for the next one). */
export const takeTouched = (): boolean => {
  const t = touched
  touched = false
  return t
}
