/**
 * What a step really did to the locks. A step's `access` names what its FIRST operation touches;
 * the rest of the step may do more without a point of its own (a guard's `unlock()` is plain and
 * runs inside whatever step it falls in), and a step after a bare point says nothing. The probe
 * compares every lock's owner between two points, and the step's access is corrected:
 * - it changed a lock its access does not name: no access (dependent with everything);
 * - it had no access and changed exactly one lock: that lock;
 * - it had no access and changed none, in a model whose setup declares only locks, tasks,
 *   handlers and cells (nothing else can be touched between points): its CPU only.
 * Sound as long as every other shared object a model can reach is reached at a point that names
 * it (the seam's contract, src/exec/wait.ts).
 */
import { LOCK_KINDS } from '../../kinds/lock-kinds.js'
import type { Choice } from '../model/scheduler.js'
import type { Access } from '../wait.js'
import { withDataAccess } from './races/footprint.js'
import { probing, stepWatcher } from './races/slot.js'
import { takeTouched } from './touched.js'

/** What the probe reads of a machine lock (src/machine/machine.ts ProbedLock), by shape. */
export interface ProbedLock {
  readonly id: number
  readonly kind: string
  readonly name: string
  readonly writerPid: number
  readonly readerPids: readonly number[]
  /** Bumped when the lock's queue of waiters changes (src/locks/wake/): a read attempt that queued does not commute with another. */
  readonly queueSeq: number
}

const signature = (l: ProbedLock): number => l.writerPid * 1024 + l.readerPids.length
const FREE = -1 * 1024

/** The correction for a step: keep its access, replace it, or drop it (null). */
export type Footprint = 'keep' | Access | null

const cpuAccess: Access[] = []
/** A channel only the steps of one CPU touch. */
export const cpuLocal = (cpu: number): Access => {
  let a = cpuAccess[cpu]
  if (a === undefined) {
    a = Object.freeze({ channel: Object.freeze({ id: -1 - cpu, kind: 'cpu', name: `CPU ${cpu}` }), write: true })
    cpuAccess[cpu] = a
  }
  return a
}

export class LockProbe {
  readonly #locks: readonly ProbedLock[]
  readonly #isClosed: () => boolean
  #closed: boolean | null = null
  readonly #seen: number[] = []
  readonly #seenQueue: number[] = []

  /** `closed`: the model declares nothing but locks, tasks, handlers and cells (asked once, after the setup). */
  constructor(locks: readonly ProbedLock[], closed: () => boolean) {
    this.#locks = locks
    this.#isClosed = closed
    probing()
    takeTouched()
  }

  /** How the step just taken (`choice`) must be read, from the locks it changed and the watched data it touched (./races/footprint.ts). */
  footprint(choice: Choice): Footprint {
    const f = withDataAccess(this.#lockFootprint(choice), choice)
    // A synchronous member reached shared state no point names (./touched.ts): dependent with everything.
    return takeTouched() && choice.kind === 'task' ? null : f
  }

  /** A step whose footprint is known (a replayed one): only the watched data's bookkeeping (./races/footprint.ts). */
  skip(choice: Choice): void {
    stepWatcher()?.stepEnded(choice)
    takeTouched()
  }

  #lockFootprint(choice: Choice): Footprint {
    const locks = this.#locks
    const seen = this.#seen
    const seenQueue = this.#seenQueue
    let changed: ProbedLock | null = null
    let many = false
    let queued = false
    for (let i = 0; i < locks.length; i++) {
      const l = locks[i] as ProbedLock
      if (!Object.hasOwn(LOCK_KINDS, l.kind)) continue // lockdep's own maps (rcu_read_lock, local_bh, …) exclude nobody
      const now = signature(l)
      const before = seen[i] ?? FREE
      seen[i] = now
      const q = seenQueue[i] ?? 0
      seenQueue[i] = l.queueSeq
      if (before === now && q === l.queueSeq) continue
      if (changed === null) {
        changed = l
        queued = q !== l.queueSeq
      } else many = true
    }
    if (choice.kind !== 'task') return 'keep'
    const a = choice.access
    if (a !== undefined) {
      if (changed === null) return 'keep'
      if (!many && a.channel.id === changed.id && a.channel.kind === changed.kind) {
        // A read that queued (or left the queue) changed the order the next waiters get the lock in.
        return queued && !a.write ? { channel: a.channel, write: true } : 'keep'
      }
      return null
    }
    if (many) return 'keep'
    if (changed !== null) return { channel: { id: changed.id, kind: changed.kind, name: changed.name }, write: true }
    this.#closed ??= this.#isClosed()
    return this.#closed ? cpuLocal(choice.cpu) : 'keep'
  }
}
