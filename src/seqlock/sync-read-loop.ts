/**
 * The synchronous flavour's read loop. (A reader's wait — the spin on a write in progress — runs
 * on the one synchronous driver, src/exec/sync-wait.ts, as every synchronous wait does.)
 */
import { DeadlockError } from '../errors.js'

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
