/**
 * The method tables of the built-in kinds: for each method, the variant and side it takes (and
 * for annotated ones, the form and whether it returns a guard). The typed lock interfaces are
 * derived from these tables (derive.ts), member by member: a member's JSDoc is written here, on
 * its entry, and the derived member carries it.
 */
import type { AnnotatedEntry, MethodEntry } from './spec.js'

export const RAW_SPIN_METHODS = {
  /** `raw_spin_lock()` … `raw_spin_unlock()` around `cb`. */
  withLocked: ['plain', 'write'],
  /** `raw_spin_lock_irq()` … `raw_spin_unlock_irq()` around `cb`. */
  withLockedIrq: ['irq', 'write'],
  /** `raw_spin_lock_irqsave()` … `raw_spin_unlock_irqrestore()` around `cb`. */
  withLockedIrqSave: ['irqsave', 'write'],
  /** `raw_spin_lock_bh()` … `raw_spin_unlock_bh()` around `cb`. */
  withLockedBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

export const RAW_SPIN_GUARDS = {
  /** `raw_spin_lock()` as a guard. */
  lock: ['plain', 'write'],
  /** `raw_spin_lock_irq()` as a guard. */
  lockIrq: ['irq', 'write'],
  /** `raw_spin_lock_irqsave()` as a guard. */
  lockIrqSave: ['irqsave', 'write'],
  /** `raw_spin_lock_bh()` as a guard. */
  lockBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

export const SPIN_METHODS = {
  /** `spin_lock()` … `spin_unlock()` around `cb`. */
  withLocked: ['plain', 'write'],
  /** `spin_lock_irq()` … `spin_unlock_irq()` around `cb`. */
  withLockedIrq: ['irq', 'write'],
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  withLockedIrqSave: ['irqsave', 'write'],
  /** `spin_lock_bh()` … `spin_unlock_bh()` around `cb`. */
  withLockedBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

export const SPIN_GUARDS = {
  /** `spin_lock()` as a guard. */
  lock: ['plain', 'write'],
  /** `spin_lock_irq()` as a guard. */
  lockIrq: ['irq', 'write'],
  /** `spin_lock_irqsave()` as a guard. */
  lockIrqSave: ['irqsave', 'write'],
  /** `spin_lock_bh()` as a guard. */
  lockBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

/** Trylocks and nesting of the spinning kinds (raw_spinlock_t, spinlock_t). */
export const SPIN_ANNOTATED = {
  /** `spin_trylock()` around `cb`. */
  withTryLocked: ['plain', 'write', 'try', false],
  /** `spin_trylock_irq()` around `cb`. */
  withTryLockedIrq: ['irq', 'write', 'try', false],
  /** `spin_trylock_irqsave()` around `cb`. */
  withTryLockedIrqSave: ['irqsave', 'write', 'try', false],
  /** `spin_trylock_bh()` around `cb`. */
  withTryLockedBh: ['bh', 'write', 'try', false],
  /** `spin_trylock()` as a guard (null: not taken). */
  tryLock: ['plain', 'write', 'try', true],
  /** `spin_trylock_irq()` as a guard. */
  tryLockIrq: ['irq', 'write', 'try', true],
  /** `spin_trylock_irqsave()` as a guard. */
  tryLockIrqSave: ['irqsave', 'write', 'try', true],
  /** `spin_trylock_bh()` as a guard. */
  tryLockBh: ['bh', 'write', 'try', true],
  /** `spin_lock_nested(lock, subclass)` around `cb`. */
  withLockedNested: ['plain', 'write', 'nested', false],
  /** `spin_lock_irqsave_nested(lock, flags, subclass)` around `cb`. */
  withLockedIrqSaveNested: ['irqsave', 'write', 'nested', false],
  /** `spin_lock_nested()` as a guard. */
  lockNested: ['plain', 'write', 'nested', true],
  /** `spin_lock_irqsave_nested()` as a guard. */
  lockIrqSaveNested: ['irqsave', 'write', 'nested', true],
  /** `spin_lock_nest_lock(lock, nest)` around `cb`. */
  withLockedNestLock: ['plain', 'write', 'nest-lock', false],
  /** `spin_lock_nest_lock()` as a guard. */
  lockNestLock: ['plain', 'write', 'nest-lock', true],
} as const satisfies Record<string, AnnotatedEntry>

export const RWLOCK_METHODS = {
  /** `write_lock()` … `write_unlock()` around `cb` (same as `withWrite`). */
  withLocked: ['plain', 'write'],
  /** `read_lock()` … `read_unlock()` around `cb`. */
  withRead: ['plain', 'read'],
  /** `write_lock()` … `write_unlock()` around `cb`. */
  withWrite: ['plain', 'write'],
  /** `read_lock_irq()` … `read_unlock_irq()` around `cb`. */
  withReadIrq: ['irq', 'read'],
  /** `write_lock_irq()` … `write_unlock_irq()` around `cb`. */
  withWriteIrq: ['irq', 'write'],
  /** `read_lock_irqsave()` … `read_unlock_irqrestore()` around `cb`. */
  withReadIrqSave: ['irqsave', 'read'],
  /** `write_lock_irqsave()` … `write_unlock_irqrestore()` around `cb`. */
  withWriteIrqSave: ['irqsave', 'write'],
  /** `read_lock_bh()` … `read_unlock_bh()` around `cb`. */
  withReadBh: ['bh', 'read'],
  /** `write_lock_bh()` … `write_unlock_bh()` around `cb`. */
  withWriteBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

export const RWLOCK_GUARDS = {
  /** `write_lock()` as a guard (same as `write`). */
  lock: ['plain', 'write'],
  /** `read_lock()` as a guard. */
  read: ['plain', 'read'],
  /** `write_lock()` as a guard. */
  write: ['plain', 'write'],
  /** `read_lock_irq()` as a guard. */
  readIrq: ['irq', 'read'],
  /** `write_lock_irq()` as a guard. */
  writeIrq: ['irq', 'write'],
  /** `read_lock_irqsave()` as a guard. */
  readIrqSave: ['irqsave', 'read'],
  /** `write_lock_irqsave()` as a guard. */
  writeIrqSave: ['irqsave', 'write'],
  /** `read_lock_bh()` as a guard. */
  readBh: ['bh', 'read'],
  /** `write_lock_bh()` as a guard. */
  writeBh: ['bh', 'write'],
} as const satisfies Record<string, MethodEntry>

/** `read_trylock()` / `write_trylock()` of rwlock_t, and `down_read_trylock()` / `down_write_trylock()`. */
export const RW_TRY_ANNOTATED = {
  /** `read_trylock()` / `down_read_trylock()` around `cb`. */
  withTryRead: ['plain', 'read', 'try', false],
  /** `write_trylock()` / `down_write_trylock()` around `cb`. */
  withTryWrite: ['plain', 'write', 'try', false],
  /** The read trylock as a guard. */
  tryRead: ['plain', 'read', 'try', true],
  /** The write trylock as a guard. */
  tryWrite: ['plain', 'write', 'try', true],
} as const satisfies Record<string, AnnotatedEntry>

/** rwlock_t's trylocks: the read/write pair and `write_trylock_irqsave()`. */
export const RWLOCK_ANNOTATED = {
  ...RW_TRY_ANNOTATED,
  /** `write_trylock_irqsave()` around `cb` (on RT `flags = 0; rt_write_trylock()`: interrupts stay on). */
  withTryWriteIrqSave: ['irqsave', 'write', 'try', false],
  /** `write_trylock_irqsave()` as a guard. */
  tryWriteIrqSave: ['irqsave', 'write', 'try', true],
} as const satisfies Record<string, AnnotatedEntry>

export const MUTEX_METHODS = {
  /** `mutex_lock()` … `mutex_unlock()` around `cb`. */
  withLocked: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

export const MUTEX_GUARDS = {
  /** `mutex_lock()` as a guard. */
  lock: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

/** `mutex_trylock()`, `mutex_lock_nested()`, `mutex_lock_nest_lock()`. */
export const MUTEX_ANNOTATED = {
  /** `mutex_trylock()` around `cb`. */
  withTryLocked: ['plain', 'write', 'try', false],
  /** `mutex_trylock()` as a guard. */
  tryLock: ['plain', 'write', 'try', true],
  /** `mutex_lock_nested(lock, subclass)` around `cb`. */
  withLockedNested: ['plain', 'write', 'nested', false],
  /** `mutex_lock_nested()` as a guard. */
  lockNested: ['plain', 'write', 'nested', true],
  /** `mutex_lock_nest_lock(lock, nest)` around `cb`. */
  withLockedNestLock: ['plain', 'write', 'nest-lock', false],
  /** `mutex_lock_nest_lock()` as a guard. */
  lockNestLock: ['plain', 'write', 'nest-lock', true],
} as const satisfies Record<string, AnnotatedEntry>

export const RWSEM_METHODS = {
  /** `down_write()` … `up_write()` around `cb` (same as `withWrite`). */
  withLocked: ['plain', 'write'],
  /** `down_read()` … `up_read()` around `cb`. */
  withRead: ['plain', 'read'],
  /** `down_write()` … `up_write()` around `cb`. */
  withWrite: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

export const RWSEM_GUARDS = {
  /** `down_write()` as a guard (same as `write`). */
  lock: ['plain', 'write'],
  /** `down_read()` as a guard. */
  read: ['plain', 'read'],
  /** `down_write()` as a guard. */
  write: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

/** rw_semaphore's trylocks, and `down_read_nested()` / `down_write_nested()`. */
export const RWSEM_ANNOTATED = {
  ...RW_TRY_ANNOTATED,
  /** `down_read_nested(sem, subclass)` around `cb`. */
  withReadNested: ['plain', 'read', 'nested', false],
  /** `down_write_nested(sem, subclass)` around `cb`. */
  withWriteNested: ['plain', 'write', 'nested', false],
  /** `down_read_nested()` as a guard. */
  readNested: ['plain', 'read', 'nested', true],
  /** `down_write_nested()` as a guard. */
  writeNested: ['plain', 'write', 'nested', true],
} as const satisfies Record<string, AnnotatedEntry>

export const LOCAL_LOCK_METHODS = {
  /** `local_lock()` … `local_unlock()` around `cb`, with this CPU's data. */
  withLocked: ['plain', 'write'],
  /** `local_lock_irq()` … `local_unlock_irq()` around `cb`. */
  withLockedIrq: ['irq', 'write'],
  /** `local_lock_irqsave()` … `local_unlock_irqrestore()` around `cb`. */
  withLockedIrqSave: ['irqsave', 'write'],
} as const satisfies Record<string, MethodEntry>

export const LOCAL_LOCK_GUARDS = {
  /** `local_lock()` as a guard. */
  lock: ['plain', 'write'],
  /** `local_lock_irq()` as a guard. */
  lockIrq: ['irq', 'write'],
  /** `local_lock_irqsave()` as a guard. */
  lockIrqSave: ['irqsave', 'write'],
} as const satisfies Record<string, MethodEntry>

export const SPIN_LOCK_IRQ_METHODS = {
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  withLocked: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

export const SPIN_LOCK_IRQ_GUARDS = {
  /** A guard: counted interrupt disabling by default (spin_lock_irq_disable()), so nested guards only bump the count. */
  lock: ['plain', 'write'],
} as const satisfies Record<string, MethodEntry>

/** No annotated methods (local_lock_t, SpinLockIrq). */
export const NO_ANNOTATED = {} as const satisfies Record<string, AnnotatedEntry>
