/**
 * The synchronous flavour's answer to a wait of the waiting primitives: the synchronous
 * executor's one driver (src/exec/sync-wait.ts) — woken work on the sleeper's CPU and on idle CPUs
 * runs first, a timed wait lets time pass through the timers, a wait nothing ends is reported and
 * throws DeadlockError. What this file adds: the op is left clean when a wait throws.
 */
import type { Cpu } from '../machine/cpu.js'
import type { KernelParts } from '../exec/executor.js'
import type { SyncExecutor } from '../exec/sync.js'
import { runSyncOp } from '../exec/sync-wait.js'
import type { Op } from '../exec/wait.js'

/**
 * runSyncOp for `op`. A wait that throws leaves the op suspended at its yield: the error is
 * thrown into it there, so its `finally` blocks take its waiter entry off again (nothing is left
 * queued), and then rethrown.
 */
export const driveSync = <R>(parts: KernelParts, exec: SyncExecutor, cpu: Cpu, op: Op<R>): R => {
  try {
    return runSyncOp(parts, cpu, op, exec)
  } catch (error) {
    try {
      op.throw(error)
    } catch {
      /* the op rethrows it: the original is thrown below */
    }
    throw error
  }
}
