/**
 * What the waiting primitives (this folder) need from their kernel: the lock host (their
 * internal locks are real locks: a semaphore's and a completion's raw_spinlock_t, a wait queue
 * head's spinlock_t), the might-sleep check, the kernel's WARN_ONCE sites, the clock, the
 * executor's waker, and how the executor that runs the caller drives an op.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Machine } from '../machine/machine.js'
import type { ResolvedOptions } from '../options.js'
import type { KernelWarning } from '../diagnostics/proof-diagnostics.js'
import type { LockHost } from '../locks/lock.js'
import type { Op, WaitChannel, Waker } from '../exec/wait.js'

export interface WaitHost {
  readonly options: ResolvedOptions
  /** The clock (`clockMs`) and the channel ids live here. */
  readonly machine: Machine
  readonly lockHost: LockHost
  /** `might_sleep()` at `what`: reports "sleeping function called from invalid context" where sleeping is not allowed. */
  mightSleep(cpu: Cpu, what: string): void
  /** A voluntary `schedule()` with no might_sleep() before it (CondVar::wait()): schedule_debug()'s checks. */
  schedule(cpu: Cpu, what: string): void
  /** A WARN_ONCE() of the kernel (each site once per kernel). */
  warnOnce(cpu: Cpu, warning: KernelWarning, detail?: string): void
  /** lockdep is on (`debug_locks`): its lockdep_assert_*() run only then. */
  lockdepActive(): boolean
  /** A new wait channel (one per waiter entry) of `kind`, the kernel type reports print, named `name`. */
  channel(kind: string, name: string): WaitChannel
  /** Makes the task parked on a channel runnable (the synchronous flavour never parks one). */
  readonly waker: Waker
  /** Runs `op` to its end for the caller on `cpu` (the synchronous flavour: runSync and the one onWait). */
  drive<R>(cpu: Cpu, op: Op<R>): R
}
