/** Any lock object a kernel made, as the annotations and assertions take it. */
import type { LockKind } from '../kinds/lock-kinds.js'

/**
 * Any lock a kernel made: its kind and class name. lockdep's annotations and assertions take one.
 *
 * @example
 * ```ts
 * import { createKernel, type AnyLock } from 'lockproof'
 *
 * const locks: AnyLock[] = [createKernel().spinLock('port', 0), createKernel().mutex('m', 0)]
 * console.log(locks.map((l) => `${l.kind} ${l.name}`)) // ['spinlock_t port', 'mutex m']
 * ```
 */
export interface AnyLock {
  /** The lock kind. */
  readonly kind: LockKind
  /** The lock class. */
  readonly name: string
}
