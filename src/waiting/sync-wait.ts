/**
 * The waiting primitives' synchronous flavour: their ops run through the one synchronous driver
 * (src/exec/sync-wait.ts) — a wait lets woken work run on its CPU and on idle CPUs, a timed one
 * lets time pass through the timers, one nothing ends is the report of a wait that never ends
 * (kernel/hung_task.c's "INFO: task %s:%d blocked for more than %ld seconds." for a
 * TASK_UNINTERRUPTIBLE sleeper) and a DeadlockError, with the op's `finally` blocks run.
 */
import type { Cpu } from '../machine/cpu.js'
import type { KernelParts } from '../exec/executor.js'
import type { SyncExecutor } from '../exec/sync.js'
import { runSyncOp } from '../exec/sync-wait.js'
import type { Op } from '../exec/wait.js'

export const driveSync = <R>(parts: KernelParts, exec: SyncExecutor, cpu: Cpu, op: Op<R>): R => runSyncOp(parts, cpu, op, exec)
