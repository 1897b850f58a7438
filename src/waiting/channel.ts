/**
 * Wait channels: one per waiter entry (a semaphore_waiter, a swait or wait_queue entry), so that
 * a primitive decides itself whom a wake-up reaches (FIFO hand-off, exclusive and non-exclusive
 * entries, TASK_INTERRUPTIBLE-only wake-ups) and the executor only parks and unparks. Ids count
 * per kernel in creation order, so they are the same in every execution of one schedule.
 */
import type { Machine } from '../machine/machine.js'
import type { WaitChannel } from '../exec/wait.js'

const nextIds = new WeakMap<Machine, number>()

/** A fresh channel of `kind` (the kernel type reports print) named `name`. */
export const newChannel = (machine: Machine, kind: string, name: string): WaitChannel => {
  const id = nextIds.get(machine) ?? 1
  nextIds.set(machine, id + 1)
  return Object.freeze({ id, kind, name })
}
