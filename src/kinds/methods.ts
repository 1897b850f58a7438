/**
 * The method tables of the built-in kinds: for each method, the variant and side it takes (and
 * for annotated ones, the form and whether it returns a guard). The typed lock interfaces are
 * derived from these tables (derive.ts), member by member. Each table is a type (the one
 * the derivation reads; a member's JSDoc is written here, on its entry, and the derived member
 * carries it, in the published .d.ts too) and a value of that type (the runtime's; the compiler
 * holds the two to the same entries).
 */

export type RawSpinMethods = {
  /** `raw_spin_lock()` … `raw_spin_unlock()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
  /** `raw_spin_lock_irq()` … `raw_spin_unlock_irq()` around `cb`. */
  readonly withLockedIrq: readonly ['irq', 'write']
  /** `raw_spin_lock_irqsave()` … `raw_spin_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: readonly ['irqsave', 'write']
  /** `raw_spin_lock_bh()` … `raw_spin_unlock_bh()` around `cb`. */
  readonly withLockedBh: readonly ['bh', 'write']
}

export const RAW_SPIN_METHODS: RawSpinMethods = {
  withLocked: ['plain', 'write'],
  withLockedIrq: ['irq', 'write'],
  withLockedIrqSave: ['irqsave', 'write'],
  withLockedBh: ['bh', 'write'],
}

export type RawSpinGuards = {
  /** `raw_spin_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
  /** `raw_spin_lock_irq()` as a guard. */
  readonly lockIrq: readonly ['irq', 'write']
  /** `raw_spin_lock_irqsave()` as a guard. */
  readonly lockIrqSave: readonly ['irqsave', 'write']
  /** `raw_spin_lock_bh()` as a guard. */
  readonly lockBh: readonly ['bh', 'write']
}

export const RAW_SPIN_GUARDS: RawSpinGuards = {
  lock: ['plain', 'write'],
  lockIrq: ['irq', 'write'],
  lockIrqSave: ['irqsave', 'write'],
  lockBh: ['bh', 'write'],
}

export type SpinMethods = {
  /** `spin_lock()` … `spin_unlock()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
  /** `spin_lock_irq()` … `spin_unlock_irq()` around `cb`. */
  readonly withLockedIrq: readonly ['irq', 'write']
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: readonly ['irqsave', 'write']
  /** `spin_lock_bh()` … `spin_unlock_bh()` around `cb`. */
  readonly withLockedBh: readonly ['bh', 'write']
}

export const SPIN_METHODS: SpinMethods = {
  withLocked: ['plain', 'write'],
  withLockedIrq: ['irq', 'write'],
  withLockedIrqSave: ['irqsave', 'write'],
  withLockedBh: ['bh', 'write'],
}

export type SpinGuards = {
  /** `spin_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
  /** `spin_lock_irq()` as a guard. */
  readonly lockIrq: readonly ['irq', 'write']
  /** `spin_lock_irqsave()` as a guard. */
  readonly lockIrqSave: readonly ['irqsave', 'write']
  /** `spin_lock_bh()` as a guard. */
  readonly lockBh: readonly ['bh', 'write']
}

export const SPIN_GUARDS: SpinGuards = {
  lock: ['plain', 'write'],
  lockIrq: ['irq', 'write'],
  lockIrqSave: ['irqsave', 'write'],
  lockBh: ['bh', 'write'],
}

/** Trylocks and nesting of the spinning kinds (raw_spinlock_t, spinlock_t). */
export type SpinAnnotated = {
  /** `spin_trylock()` around `cb`. */
  readonly withTryLocked: readonly ['plain', 'write', 'try', false]
  /** `spin_trylock_irq()` around `cb`. */
  readonly withTryLockedIrq: readonly ['irq', 'write', 'try', false]
  /** `spin_trylock_irqsave()` around `cb`. */
  readonly withTryLockedIrqSave: readonly ['irqsave', 'write', 'try', false]
  /** `spin_trylock_bh()` around `cb`. */
  readonly withTryLockedBh: readonly ['bh', 'write', 'try', false]
  /** `spin_trylock()` as a guard (null: not taken). */
  readonly tryLock: readonly ['plain', 'write', 'try', true]
  /** `spin_trylock_irq()` as a guard. */
  readonly tryLockIrq: readonly ['irq', 'write', 'try', true]
  /** `spin_trylock_irqsave()` as a guard. */
  readonly tryLockIrqSave: readonly ['irqsave', 'write', 'try', true]
  /** `spin_trylock_bh()` as a guard. */
  readonly tryLockBh: readonly ['bh', 'write', 'try', true]
  /** `spin_lock_nested(lock, subclass)` around `cb`. */
  readonly withLockedNested: readonly ['plain', 'write', 'nested', false]
  /** `spin_lock_irqsave_nested(lock, flags, subclass)` around `cb`. */
  readonly withLockedIrqSaveNested: readonly ['irqsave', 'write', 'nested', false]
  /** `spin_lock_nested()` as a guard. */
  readonly lockNested: readonly ['plain', 'write', 'nested', true]
  /** `spin_lock_irqsave_nested()` as a guard. */
  readonly lockIrqSaveNested: readonly ['irqsave', 'write', 'nested', true]
  /** `spin_lock_nest_lock(lock, nest)` around `cb`. */
  readonly withLockedNestLock: readonly ['plain', 'write', 'nest-lock', false]
  /** `spin_lock_nest_lock()` as a guard. */
  readonly lockNestLock: readonly ['plain', 'write', 'nest-lock', true]
}

export const SPIN_ANNOTATED: SpinAnnotated = {
  withTryLocked: ['plain', 'write', 'try', false],
  withTryLockedIrq: ['irq', 'write', 'try', false],
  withTryLockedIrqSave: ['irqsave', 'write', 'try', false],
  withTryLockedBh: ['bh', 'write', 'try', false],
  tryLock: ['plain', 'write', 'try', true],
  tryLockIrq: ['irq', 'write', 'try', true],
  tryLockIrqSave: ['irqsave', 'write', 'try', true],
  tryLockBh: ['bh', 'write', 'try', true],
  withLockedNested: ['plain', 'write', 'nested', false],
  withLockedIrqSaveNested: ['irqsave', 'write', 'nested', false],
  lockNested: ['plain', 'write', 'nested', true],
  lockIrqSaveNested: ['irqsave', 'write', 'nested', true],
  withLockedNestLock: ['plain', 'write', 'nest-lock', false],
  lockNestLock: ['plain', 'write', 'nest-lock', true],
}

export type RwlockMethods = {
  /** `write_lock()` … `write_unlock()` around `cb` (same as `withWrite`). */
  readonly withLocked: readonly ['plain', 'write']
  /** `read_lock()` … `read_unlock()` around `cb`. */
  readonly withRead: readonly ['plain', 'read']
  /** `write_lock()` … `write_unlock()` around `cb`. */
  readonly withWrite: readonly ['plain', 'write']
  /** `read_lock_irq()` … `read_unlock_irq()` around `cb`. */
  readonly withReadIrq: readonly ['irq', 'read']
  /** `write_lock_irq()` … `write_unlock_irq()` around `cb`. */
  readonly withWriteIrq: readonly ['irq', 'write']
  /** `read_lock_irqsave()` … `read_unlock_irqrestore()` around `cb`. */
  readonly withReadIrqSave: readonly ['irqsave', 'read']
  /** `write_lock_irqsave()` … `write_unlock_irqrestore()` around `cb`. */
  readonly withWriteIrqSave: readonly ['irqsave', 'write']
  /** `read_lock_bh()` … `read_unlock_bh()` around `cb`. */
  readonly withReadBh: readonly ['bh', 'read']
  /** `write_lock_bh()` … `write_unlock_bh()` around `cb`. */
  readonly withWriteBh: readonly ['bh', 'write']
}

export const RWLOCK_METHODS: RwlockMethods = {
  withLocked: ['plain', 'write'],
  withRead: ['plain', 'read'],
  withWrite: ['plain', 'write'],
  withReadIrq: ['irq', 'read'],
  withWriteIrq: ['irq', 'write'],
  withReadIrqSave: ['irqsave', 'read'],
  withWriteIrqSave: ['irqsave', 'write'],
  withReadBh: ['bh', 'read'],
  withWriteBh: ['bh', 'write'],
}

export type RwlockGuards = {
  /** `write_lock()` as a guard (same as `write`). */
  readonly lock: readonly ['plain', 'write']
  /** `read_lock()` as a guard. */
  readonly read: readonly ['plain', 'read']
  /** `write_lock()` as a guard. */
  readonly write: readonly ['plain', 'write']
  /** `read_lock_irq()` as a guard. */
  readonly readIrq: readonly ['irq', 'read']
  /** `write_lock_irq()` as a guard. */
  readonly writeIrq: readonly ['irq', 'write']
  /** `read_lock_irqsave()` as a guard. */
  readonly readIrqSave: readonly ['irqsave', 'read']
  /** `write_lock_irqsave()` as a guard. */
  readonly writeIrqSave: readonly ['irqsave', 'write']
  /** `read_lock_bh()` as a guard. */
  readonly readBh: readonly ['bh', 'read']
  /** `write_lock_bh()` as a guard. */
  readonly writeBh: readonly ['bh', 'write']
}

export const RWLOCK_GUARDS: RwlockGuards = {
  lock: ['plain', 'write'],
  read: ['plain', 'read'],
  write: ['plain', 'write'],
  readIrq: ['irq', 'read'],
  writeIrq: ['irq', 'write'],
  readIrqSave: ['irqsave', 'read'],
  writeIrqSave: ['irqsave', 'write'],
  readBh: ['bh', 'read'],
  writeBh: ['bh', 'write'],
}

/** `read_trylock()` / `write_trylock()` of rwlock_t, and `down_read_trylock()` / `down_write_trylock()`. */
export type RwTryAnnotated = {
  /** `read_trylock()` / `down_read_trylock()` around `cb`. */
  readonly withTryRead: readonly ['plain', 'read', 'try', false]
  /** `write_trylock()` / `down_write_trylock()` around `cb`. */
  readonly withTryWrite: readonly ['plain', 'write', 'try', false]
  /** The read trylock as a guard. */
  readonly tryRead: readonly ['plain', 'read', 'try', true]
  /** The write trylock as a guard. */
  readonly tryWrite: readonly ['plain', 'write', 'try', true]
}

export const RW_TRY_ANNOTATED: RwTryAnnotated = {
  withTryRead: ['plain', 'read', 'try', false],
  withTryWrite: ['plain', 'write', 'try', false],
  tryRead: ['plain', 'read', 'try', true],
  tryWrite: ['plain', 'write', 'try', true],
}

/** rwlock_t's trylocks: the read/write pair and `write_trylock_irqsave()`. */
export type RwlockAnnotated = RwTryAnnotated & {
  /** `write_trylock_irqsave()` around `cb` (on RT `flags = 0; rt_write_trylock()`: interrupts stay on). */
  readonly withTryWriteIrqSave: readonly ['irqsave', 'write', 'try', false]
  /** `write_trylock_irqsave()` as a guard. */
  readonly tryWriteIrqSave: readonly ['irqsave', 'write', 'try', true]
}

export const RWLOCK_ANNOTATED: RwlockAnnotated = {
  ...RW_TRY_ANNOTATED,
  withTryWriteIrqSave: ['irqsave', 'write', 'try', false],
  tryWriteIrqSave: ['irqsave', 'write', 'try', true],
}

export type MutexMethods = {
  /** `mutex_lock()` … `mutex_unlock()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
}

export const MUTEX_METHODS: MutexMethods = {
  withLocked: ['plain', 'write'],
}

export type MutexGuards = {
  /** `mutex_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
}

export const MUTEX_GUARDS: MutexGuards = {
  lock: ['plain', 'write'],
}

/** `mutex_trylock()`, `mutex_lock_nested()`, `mutex_lock_nest_lock()`. */
export type MutexAnnotated = {
  /** `mutex_trylock()` around `cb`. */
  readonly withTryLocked: readonly ['plain', 'write', 'try', false]
  /** `mutex_trylock()` as a guard. */
  readonly tryLock: readonly ['plain', 'write', 'try', true]
  /** `mutex_lock_nested(lock, subclass)` around `cb`. */
  readonly withLockedNested: readonly ['plain', 'write', 'nested', false]
  /** `mutex_lock_nested()` as a guard. */
  readonly lockNested: readonly ['plain', 'write', 'nested', true]
  /** `mutex_lock_nest_lock(lock, nest)` around `cb`. */
  readonly withLockedNestLock: readonly ['plain', 'write', 'nest-lock', false]
  /** `mutex_lock_nest_lock()` as a guard. */
  readonly lockNestLock: readonly ['plain', 'write', 'nest-lock', true]
}

export const MUTEX_ANNOTATED: MutexAnnotated = {
  withTryLocked: ['plain', 'write', 'try', false],
  tryLock: ['plain', 'write', 'try', true],
  withLockedNested: ['plain', 'write', 'nested', false],
  lockNested: ['plain', 'write', 'nested', true],
  withLockedNestLock: ['plain', 'write', 'nest-lock', false],
  lockNestLock: ['plain', 'write', 'nest-lock', true],
}

export type RwsemMethods = {
  /** `down_write()` … `up_write()` around `cb` (same as `withWrite`). */
  readonly withLocked: readonly ['plain', 'write']
  /** `down_read()` … `up_read()` around `cb`. */
  readonly withRead: readonly ['plain', 'read']
  /** `down_write()` … `up_write()` around `cb`. */
  readonly withWrite: readonly ['plain', 'write']
}

export const RWSEM_METHODS: RwsemMethods = {
  withLocked: ['plain', 'write'],
  withRead: ['plain', 'read'],
  withWrite: ['plain', 'write'],
}

export type RwsemGuards = {
  /** `down_write()` as a guard (same as `write`). */
  readonly lock: readonly ['plain', 'write']
  /** `down_read()` as a guard. */
  readonly read: readonly ['plain', 'read']
  /** `down_write()` as a guard. */
  readonly write: readonly ['plain', 'write']
}

export const RWSEM_GUARDS: RwsemGuards = {
  lock: ['plain', 'write'],
  read: ['plain', 'read'],
  write: ['plain', 'write'],
}

/** rw_semaphore's trylocks, and `down_read_nested()` / `down_write_nested()`. */
export type RwsemAnnotated = RwTryAnnotated & {
  /** `down_read_nested(sem, subclass)` around `cb`. */
  readonly withReadNested: readonly ['plain', 'read', 'nested', false]
  /** `down_write_nested(sem, subclass)` around `cb`. */
  readonly withWriteNested: readonly ['plain', 'write', 'nested', false]
  /** `down_read_nested()` as a guard. */
  readonly readNested: readonly ['plain', 'read', 'nested', true]
  /** `down_write_nested()` as a guard. */
  readonly writeNested: readonly ['plain', 'write', 'nested', true]
}

export const RWSEM_ANNOTATED: RwsemAnnotated = {
  ...RW_TRY_ANNOTATED,
  withReadNested: ['plain', 'read', 'nested', false],
  withWriteNested: ['plain', 'write', 'nested', false],
  readNested: ['plain', 'read', 'nested', true],
  writeNested: ['plain', 'write', 'nested', true],
}

export type LocalLockMethods = {
  /** `local_lock()` … `local_unlock()` around `cb`, with this CPU's data. */
  readonly withLocked: readonly ['plain', 'write']
  /** `local_lock_irq()` … `local_unlock_irq()` around `cb`. */
  readonly withLockedIrq: readonly ['irq', 'write']
  /** `local_lock_irqsave()` … `local_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: readonly ['irqsave', 'write']
}

export const LOCAL_LOCK_METHODS: LocalLockMethods = {
  withLocked: ['plain', 'write'],
  withLockedIrq: ['irq', 'write'],
  withLockedIrqSave: ['irqsave', 'write'],
}

export type LocalLockGuards = {
  /** `local_lock()` as a guard. */
  readonly lock: readonly ['plain', 'write']
  /** `local_lock_irq()` as a guard. */
  readonly lockIrq: readonly ['irq', 'write']
  /** `local_lock_irqsave()` as a guard. */
  readonly lockIrqSave: readonly ['irqsave', 'write']
}

export const LOCAL_LOCK_GUARDS: LocalLockGuards = {
  lock: ['plain', 'write'],
  lockIrq: ['irq', 'write'],
  lockIrqSave: ['irqsave', 'write'],
}

export type SpinLockIrqMethods = {
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  readonly withLocked: readonly ['plain', 'write']
}

export const SPIN_LOCK_IRQ_METHODS: SpinLockIrqMethods = {
  withLocked: ['plain', 'write'],
}

export type SpinLockIrqGuards = {
  /** A guard: counted interrupt disabling by default (spin_lock_irq_disable()), so nested guards only bump the count. */
  readonly lock: readonly ['plain', 'write']
}

export const SPIN_LOCK_IRQ_GUARDS: SpinLockIrqGuards = {
  lock: ['plain', 'write'],
}

/** No annotated methods (local_lock_t, SpinLockIrq). */
export type NoAnnotated = Record<never, never>
export const NO_ANNOTATED: NoAnnotated = {}
