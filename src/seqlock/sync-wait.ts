/**
 * The synchronous flavour's answer to a seqcount reader's wait (src/exec/wait.ts `runSync`): on
 * one call stack the write section a reader finds open belongs to the code it runs in (its own
 * write section, or the task an interrupt handler interrupted), which cannot go on until the
 * reader returns — the kernel would spin there for ever. One place, so the lead can switch it
 * to the synchronous executor's lockup report when that lands.
 */
import { DeadlockError } from '../errors.js'
import type { WaitYield, WakeReason } from '../exec/wait.js'

export const seqSyncWait = (y: WaitYield): WakeReason => {
  throw new DeadlockError(
    `${y.channel.kind} '${y.channel.name}': the reader finds a write section in progress that cannot end before it returns (its own, or the code it interrupted): it would spin for ever`,
  )
}

/**
 * A read loop whose section changes the count itself can never succeed: the kernel livelocks.
 * After this many retries in one synchronous call the loop gives up with a DeadlockError.
 */
export const MAX_SYNC_READ_RETRIES = 64

/** The kernel's `do { seq = begin(); … } while (retry(seq));`, driven synchronously. */
export const syncReadLoop = <R>(what: string, begin: () => number, retry: (seq: number) => boolean, section: () => R): R => {
  for (let attempt = 0; attempt <= MAX_SYNC_READ_RETRIES; attempt++) {
    const seq = begin()
    const r = section()
    if (!retry(seq)) return r
  }
  throw new DeadlockError(
    `${what}: the read section was retried ${MAX_SYNC_READ_RETRIES} times; it changes the sequence itself, so it can never succeed (a livelock)`,
  )
}
