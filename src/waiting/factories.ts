/**
 * The synchronous flavour's factories (`kernel.semaphore()`, `kernel.completion()`, …): the
 * primitives' runtimes over a {@link WaitHost} whose `drive` is the one synchronous driver
 * (./sync-wait.ts) and whose waker remembers the channel for the waiter's next yield (nothing parks on one call stack).
 */
import type { KernelParts } from '../exec/executor.js'
import type { LockHost } from '../locks/lock.js'
import type { SyncExecutor } from '../exec/sync.js'
import { nameArg, intArg } from './args.js'
import type { WaitHost } from './host.js'
import { driveSync } from './sync-wait.js'
import { newChannel } from './channel.js'
import { type Semaphore, SemaphoreRuntime, syncSemaphore } from './semaphore.js'
import { type Completion, CompletionRuntime, syncCompletion } from './completion.js'
import { syncWaitQueue, type WaitQueueHead, WaitQueueRuntime } from './wait-queue.js'
import { type CondVar, CondVarRuntime, syncCondVar } from './condvar.js'

export const syncWaitHost = (parts: KernelParts, lockHost: LockHost, exec: SyncExecutor): WaitHost => ({
  options: parts.options,
  machine: parts.machine,
  lockHost,
  mightSleep: (cpu, what) => parts.reporter.mightSleep(cpu, what),
  schedule: (cpu, what) => parts.reporter.schedule(cpu, what),
  warnOnce: (cpu, warning, detail) => parts.reporter.warnOnce(cpu, warning, detail),
  lockdepActive: () => parts.lockdep.active,
  waker: { wake: (channel) => exec.wake(channel) },
  channel: (kind, name) => newChannel(parts.machine, kind, name),
  drive: (cpu, op) => driveSync(parts, exec, cpu, op),
})

export class SyncWaiting {
  constructor(readonly host: WaitHost) {}

  semaphore<N extends string>(name: N, count: number): Semaphore<N> {
    const what = 'DEFINE_SEMAPHORE()'
    return syncSemaphore<N>(new SemaphoreRuntime(this.host, nameArg(what, name), intArg(what, 'the count', count)))
  }

  completion<N extends string>(name: N): Completion<N> {
    return syncCompletion<N>(new CompletionRuntime(this.host, nameArg('DECLARE_COMPLETION()', name)))
  }

  waitQueue<N extends string>(name: N): WaitQueueHead<N> {
    const n = nameArg('DECLARE_WAIT_QUEUE_HEAD()', name)
    return syncWaitQueue<N>(new WaitQueueRuntime(this.host, n, `${n}.lock`, 'wait_queue_head'))
  }

  condVar<N extends string>(name: N): CondVar<N> {
    return syncCondVar<N>(new CondVarRuntime(this.host, nameArg('new_condvar!()', name)))
  }
}
