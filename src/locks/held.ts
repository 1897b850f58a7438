/**
 * What a task holds: lockdep's `held_locks[]`, one entry per acquisition, outermost first. The
 * stack is the task's own (`Task.held`, src/machine/machine.ts); its entries are plain data that
 * refer to the lock, the nest lock, lockdep's class and chain by id.
 */
import type { HeldLock } from '../machine/held-lock.js'
import type { Task } from '../machine/machine.js'
import { classTypesOf } from '../lockdep/maps.js'

export type { HeldLock, IrqContext } from '../machine/held-lock.js'

/** Held-lock stacks by task: each task's own `held` array. */
export class HeldLocks {
  of(task: Task): HeldLock[] {
    return task.held
  }

  /** The locks' class names, outermost first (lockdep's maps left out: they are not locks). */
  names(task: Task): readonly string[] {
    return lockNames(task.held)
  }

  /** How many locks the task holds (lockdep's maps not counted). */
  count(task: Task): number {
    let n = 0
    for (const h of task.held) if (!classTypesOf(h.kind).map) n++
    return n
  }
}

/** The class names of the locks among `held` (not lockdep's maps), as diagnostics list them. */
export const lockNames = (held: readonly HeldLock[]): readonly string[] => held.filter((h) => !classTypesOf(h.kind).map).map((h) => h.name)
