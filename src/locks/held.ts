/** What a task holds: lockdep's `held_locks[]`, one entry per acquisition, outermost first. */
import type { IrqFlags, TaskState } from '../cpu/state.js'
import type { ChainNode } from '../lockdep/chains.js'
import type { LockClass } from '../lockdep/classes.js'
import { classTypesOf, type LockdepKind } from '../lockdep/maps.js'
import type { Variant } from './kinds.js'

/**
 * lockdep's `irq_context`: `2 * hardirq + softirq_context` — 0 task, 1 softirq, 2 hardirq, 3 a
 * hardirq taken while serving softirqs (NMI counts as hardirq).
 */
export type IrqContext = 0 | 1 | 2 | 3

export interface HeldLock {
  /** The task holding it. */
  readonly task: TaskState
  /** The lock class (its name). */
  readonly name: string
  /** A lock kind, or one of lockdep's maps (`rcu_read_lock`, RT's `local_bh`: lockdep/maps.ts). */
  readonly kind: LockdepKind
  /** `held_lock::check`: false for rcu_read_lock's map (no usage, no dependencies). */
  readonly check: boolean
  readonly variant: Variant
  readonly mode: 'write' | 'read'
  /** A recursive read (`read == 2`): rwlock_t readers where read_lock_is_recursive(). */
  readonly recursiveRead: boolean
  readonly cpu: number
  readonly irqContext: IrqContext
  /** The instance, to tell a real deadlock (same instance) from a class-level report. */
  readonly instance: object
  /** Flags an irqsave variant saved, for its restore. */
  flags: IrqFlags | null
  /** Taken with a variant that turned interrupts off on this kernel. */
  readonly irqLock: boolean
  /** Taken by a trylock (`hlock->trylock`): lockdep walks past it when adding dependencies. */
  readonly trylock: boolean
  /** `hlock->nest_lock`: the instance of the nest lock it was taken under, or null. */
  readonly nestLock: object | null
  /** The lockdep key's name it was taken under (its class name unless re-keyed). */
  readonly key: string
  /** The subclass it was taken with. */
  readonly subclass: number
  /** lockdep's class and the chain ending at this lock (null while lockdep is off). */
  cls: LockClass | null
  chain: ChainNode | null
}

/** Held-lock stacks by task. Plain arrays of plain records. */
export class HeldLocks {
  readonly #byTask = new WeakMap<TaskState, HeldLock[]>()

  of(task: TaskState): HeldLock[] {
    let stack = this.#byTask.get(task)
    if (stack === undefined) {
      stack = []
      this.#byTask.set(task, stack)
    }
    return stack
  }

  /** The locks' class names, outermost first (lockdep's maps left out: they are not locks). */
  names(task: TaskState): readonly string[] {
    return lockNames(this.#byTask.get(task) ?? [])
  }

  /** How many locks the task holds (lockdep's maps not counted). */
  count(task: TaskState): number {
    const stack = this.#byTask.get(task)
    if (stack === undefined) return 0
    let n = 0
    for (const h of stack) if (!classTypesOf(h.kind).map) n++
    return n
  }
}

/** The class names of the locks among `held` (not lockdep's maps), as diagnostics list them. */
export const lockNames = (held: readonly HeldLock[]): readonly string[] => held.filter((h) => !classTypesOf(h.kind).map).map((h) => h.name)
