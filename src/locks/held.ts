/** What a task holds: lockdep's `held_locks[]`, one entry per acquisition, outermost first. */
import type { IrqFlags, TaskState } from '../cpu/state.js'
import type { ChainNode } from '../lockdep/chains.js'
import type { LockClass } from '../lockdep/classes.js'
import type { DepKind } from '../lockdep/wait-types.js'
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
  /** The lock kind, or 'lockdep_map' for a bare map (`lock_map_acquire()`). */
  readonly kind: DepKind
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

  /** Class names, outermost first, as reports list them. */
  names(task: TaskState): readonly string[] {
    return (this.#byTask.get(task) ?? []).map((h) => h.name)
  }

  count(task: TaskState): number {
    return this.#byTask.get(task)?.length ?? 0
  }
}
