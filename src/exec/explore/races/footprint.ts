/**
 * The lock probe's correction (../lock-probe.ts) for watched data: a property access has no
 * scheduling point naming it, so a step that touched a lock's data or a per-CPU variable is read
 * as touching that root's channel too. Without it a step that reaches a lock's data through a
 * kept reference would look independent of the lock holder's steps, and partial-order reduction
 * would never order the two accesses both ways.
 */
import type { Choice } from '../../model/scheduler.js'
import type { Access } from '../../wait.js'
import { stepWatcher } from './slot.js'

/** The lock probe's correction of a step (../lock-probe.ts `Footprint`): keep its access, replace it, or drop it (null). */
type Footprint = 'keep' | Access | null

export const withDataAccess = (f: Footprint, choice: Choice): Footprint => {
  const races = stepWatcher()
  if (races === null) return f
  const touched = races.stepEnded(choice)
  // Arrivals run no model code; a step already dependent with everything stays so.
  if (touched === undefined || choice.kind !== 'task' || f === null) return f
  if (touched === null) return null
  const own = f === 'keep' ? choice.access : f
  if (own === undefined) return f
  // A step that touched nothing but its CPU (a closed model's bare point): its CPU and the data.
  if (own.channel.kind === 'cpu' && own.channel.id < 0) return touched
  if (own.channel.id === touched.channel.id && own.channel.kind === touched.channel.kind)
    return own.write || !touched.write ? f : { channel: own.channel, write: true }
  return null
}
