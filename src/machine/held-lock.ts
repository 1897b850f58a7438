/**
 * One entry of a task's held-lock stack (lockdep's `struct held_lock`), as plain data: the lock,
 * the nest lock, lockdep's class and chain are ids.
 */
import type { IrqFlags } from './cpu-state.js'
import type { LockdepKind } from '../lockdep/maps.js'
import type { Variant } from '../kinds/lock-kinds.js'

/** A lock's id: its index in `machine.locks`. */
export type LockId = number

/**
 * lockdep's `irq_context`: `2 * hardirq + softirq_context` — 0 task, 1 softirq, 2 hardirq, 3 a
 * hardirq taken while serving softirqs (NMI counts as hardirq).
 */
export type IrqContext = 0 | 1 | 2 | 3

export interface HeldLock {
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
  /** The lock's id (`machine.locks[lock]`): tells a real deadlock (same instance) from a class-level report. */
  readonly lock: LockId
  /** Flags an irqsave variant saved, for its restore. */
  flags: IrqFlags | null
  /** Taken with a variant that turned interrupts off on this kernel. */
  readonly irqLock: boolean
  /** Taken by a trylock (`hlock->trylock`): lockdep walks past it when adding dependencies. */
  readonly trylock: boolean
  /** `hlock->nest_lock`: the id of the nest lock it was taken under, or null. */
  readonly nestLock: LockId | null
  /** The lockdep key's name it was taken under (its class name unless re-keyed). */
  readonly key: string
  /** The subclass it was taken with. */
  readonly subclass: number
  /** lockdep's class (`hlock->class_idx`) and the chain ending at this lock, by id (null while lockdep is off). */
  classId: number | null
  chainId: number | null
}
