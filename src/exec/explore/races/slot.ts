/**
 * The watched data of the execution being probed, for the lock probe (../lock-probe.ts) — which
 * settles an execution's last step after the execution returned, when no execution is active.
 * A probe is made per execution before it runs anything (`probing()`); the execution's watch,
 * made on its first watched access, takes the slot (`watching()`). A leaf module: the probe and
 * the watch both import it.
 */
import type { Choice } from '../../model/scheduler.js'
import type { Access } from '../../wait.js'

/** What the probe asks of the watch at each step's end: what the step touched (undefined: nothing; null: several roots). */
export interface StepWatcher {
  stepEnded(choice: Choice): Access | null | undefined
}

let current: StepWatcher | null = null

/** A new execution's probe: nothing watched yet. */
export const probing = (): void => {
  current = null
}

/** The execution's watch exists. */
export const watching = (w: StepWatcher): void => {
  current = w
}

export const stepWatcher = (): StepWatcher | null => current
