/**
 * The typed face of each lock kind, and the one runtime builder behind all of them. A method's
 * context parameter is `Context<T> & AcquireCheck<…>`: valid nesting leaves it `Context<T>`,
 * invalid nesting adds an impossible member whose text is the kernel's complaint.
 */
import { Context } from '../context/context.js'
import type { CtxState } from '../context/state.js'
import type { NotThenable } from '../context/type-error.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockKind, Variant, VariantOf } from './kinds.js'
import type { LockRuntime } from './lock.js'
import type { Guard } from './guard.js'
import type { AcquireCheck, Acquired, LockLabel } from './rules.js'

/** `withLocked`-style method: takes the lock around `cb`, whose context proves what it gives. */
export type Locked<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, R>(
  ctx: Context<T> & AcquireCheck<K, N, T, F>,
  cb: (ctx: Context<Acquired<K, N, V, T>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
) => R

/** `lock(ctx)`-style method: takes the lock and returns a guard (use it with `using`). */
export type Guarded<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState>(
  ctx: Context<T> & AcquireCheck<K, N, T, F>,
) => Guard<Acquired<K, N, V, T>, D>

interface LockCommon<K extends LockKind, N extends string> {
  /** The lock kind, as the kernel names its type. */
  readonly kind: K
  /** The lock class. */
  readonly name: N
}

/** `raw_spinlock_t`: spins on both kernels; its irq variants always disable interrupts. */
export interface RawSpinLock<N extends string, D, F extends string = never> extends LockCommon<'raw_spinlock_t', N> {
  readonly withLocked: Locked<'raw_spinlock_t', N, 'plain', D, F>
  readonly withLockedIrq: Locked<'raw_spinlock_t', N, 'irq', D, F>
  readonly withLockedIrqSave: Locked<'raw_spinlock_t', N, 'irqsave', D, F>
  readonly withLockedBh: Locked<'raw_spinlock_t', N, 'bh', D, F>
  readonly lock: Guarded<'raw_spinlock_t', N, 'plain', D, F>
  readonly lockIrq: Guarded<'raw_spinlock_t', N, 'irq', D, F>
  readonly lockIrqSave: Guarded<'raw_spinlock_t', N, 'irqsave', D, F>
  readonly lockBh: Guarded<'raw_spinlock_t', N, 'bh', D, F>
}

/** `spinlock_t`: spins on a normal kernel, an rtmutex-based sleeping lock on PREEMPT_RT. */
export interface SpinLock<N extends string, D, F extends string = never> extends LockCommon<'spinlock_t', N> {
  readonly withLocked: Locked<'spinlock_t', N, 'plain', D, F>
  readonly withLockedIrq: Locked<'spinlock_t', N, 'irq', D, F>
  readonly withLockedIrqSave: Locked<'spinlock_t', N, 'irqsave', D, F>
  readonly withLockedBh: Locked<'spinlock_t', N, 'bh', D, F>
  readonly lock: Guarded<'spinlock_t', N, 'plain', D, F>
  readonly lockIrq: Guarded<'spinlock_t', N, 'irq', D, F>
  readonly lockIrqSave: Guarded<'spinlock_t', N, 'irqsave', D, F>
  readonly lockBh: Guarded<'spinlock_t', N, 'bh', D, F>
}

/** `rwlock_t`: readers share; `withLocked` is the write side. Sleeping on PREEMPT_RT. */
export interface RwLock<N extends string, D, F extends string = never> extends LockCommon<'rwlock_t', N> {
  readonly withLocked: Locked<'rwlock_t', N, 'plain', D, F>
  readonly withRead: Locked<'rwlock_t', N, 'plain', D, F>
  readonly withWrite: Locked<'rwlock_t', N, 'plain', D, F>
  readonly withReadIrq: Locked<'rwlock_t', N, 'irq', D, F>
  readonly withWriteIrq: Locked<'rwlock_t', N, 'irq', D, F>
  readonly withReadIrqSave: Locked<'rwlock_t', N, 'irqsave', D, F>
  readonly withWriteIrqSave: Locked<'rwlock_t', N, 'irqsave', D, F>
  readonly withReadBh: Locked<'rwlock_t', N, 'bh', D, F>
  readonly withWriteBh: Locked<'rwlock_t', N, 'bh', D, F>
  readonly lock: Guarded<'rwlock_t', N, 'plain', D, F>
  readonly read: Guarded<'rwlock_t', N, 'plain', D, F>
  readonly write: Guarded<'rwlock_t', N, 'plain', D, F>
  readonly readIrq: Guarded<'rwlock_t', N, 'irq', D, F>
  readonly writeIrq: Guarded<'rwlock_t', N, 'irq', D, F>
  readonly readIrqSave: Guarded<'rwlock_t', N, 'irqsave', D, F>
  readonly writeIrqSave: Guarded<'rwlock_t', N, 'irqsave', D, F>
  readonly readBh: Guarded<'rwlock_t', N, 'bh', D, F>
  readonly writeBh: Guarded<'rwlock_t', N, 'bh', D, F>
}

/** `struct mutex`: sleeps; task context only, nothing spinning held. */
export interface Mutex<N extends string, D, F extends string = never> extends LockCommon<'mutex', N> {
  readonly withLocked: Locked<'mutex', N, 'plain', D, F>
  readonly lock: Guarded<'mutex', N, 'plain', D, F>
}

/** `struct rw_semaphore`: sleeps; `withLocked` is the write side (down_write). */
export interface RwSemaphore<N extends string, D, F extends string = never> extends LockCommon<'rw_semaphore', N> {
  readonly withLocked: Locked<'rw_semaphore', N, 'plain', D, F>
  readonly withRead: Locked<'rw_semaphore', N, 'plain', D, F>
  readonly withWrite: Locked<'rw_semaphore', N, 'plain', D, F>
  readonly lock: Guarded<'rw_semaphore', N, 'plain', D, F>
  readonly read: Guarded<'rw_semaphore', N, 'plain', D, F>
  readonly write: Guarded<'rw_semaphore', N, 'plain', D, F>
}

/** `local_lock_t` with its per-CPU data: preempt/IRQ disable on a normal kernel, a per-CPU lock on RT. */
export interface LocalLock<N extends string, D, F extends string = never> extends LockCommon<'local_lock_t', N> {
  readonly withLocked: Locked<'local_lock_t', N, 'plain', D, F>
  readonly withLockedIrq: Locked<'local_lock_t', N, 'irq', D, F>
  readonly withLockedIrqSave: Locked<'local_lock_t', N, 'irqsave', D, F>
  readonly lock: Guarded<'local_lock_t', N, 'plain', D, F>
  readonly lockIrq: Guarded<'local_lock_t', N, 'irq', D, F>
  readonly lockIrqSave: Guarded<'local_lock_t', N, 'irqsave', D, F>
}

/** Rust-for-Linux's `SpinLockIrq`: a spinlock_t taken with spin_lock_irqsave() every time. */
export interface SpinLockIrq<N extends string, D, F extends string = never> extends LockCommon<'SpinLockIrq', N> {
  readonly withLocked: Locked<'SpinLockIrq', N, 'plain', D, F>
  /** A guard: counted interrupt disabling by default (spin_lock_irq_disable()), so nested guards only bump the count. */
  readonly lock: Guarded<'SpinLockIrq', N, 'plain', D, F>
}

type Method = readonly [variant: Variant, mode: 'read' | 'write']

const SPIN_METHODS = {
  withLocked: ['plain', 'write'],
  withLockedIrq: ['irq', 'write'],
  withLockedIrqSave: ['irqsave', 'write'],
  withLockedBh: ['bh', 'write'],
} as const satisfies Record<string, Method>

const SPIN_GUARDS = {
  lock: ['plain', 'write'],
  lockIrq: ['irq', 'write'],
  lockIrqSave: ['irqsave', 'write'],
  lockBh: ['bh', 'write'],
} as const satisfies Record<string, Method>

/** Which guard methods each kind has, and the variant and mode each one takes. */
export const GUARD_METHODS = {
  raw_spinlock_t: SPIN_GUARDS,
  spinlock_t: SPIN_GUARDS,
  rwlock_t: {
    lock: ['plain', 'write'],
    read: ['plain', 'read'],
    write: ['plain', 'write'],
    readIrq: ['irq', 'read'],
    writeIrq: ['irq', 'write'],
    readIrqSave: ['irqsave', 'read'],
    writeIrqSave: ['irqsave', 'write'],
    readBh: ['bh', 'read'],
    writeBh: ['bh', 'write'],
  },
  mutex: { lock: ['plain', 'write'] },
  rw_semaphore: { lock: ['plain', 'write'], read: ['plain', 'read'], write: ['plain', 'write'] },
  local_lock_t: { lock: ['plain', 'write'], lockIrq: ['irq', 'write'], lockIrqSave: ['irqsave', 'write'] },
  SpinLockIrq: { lock: ['plain', 'write'] },
} as const satisfies Record<LockKind, Record<string, Method>>

/** Which callback methods each kind has, and the variant and mode each one takes. */
export const METHODS = {
  raw_spinlock_t: SPIN_METHODS,
  spinlock_t: SPIN_METHODS,
  rwlock_t: {
    withLocked: ['plain', 'write'],
    withRead: ['plain', 'read'],
    withWrite: ['plain', 'write'],
    withReadIrq: ['irq', 'read'],
    withWriteIrq: ['irq', 'write'],
    withReadIrqSave: ['irqsave', 'read'],
    withWriteIrqSave: ['irqsave', 'write'],
    withReadBh: ['bh', 'read'],
    withWriteBh: ['bh', 'write'],
  },
  mutex: { withLocked: ['plain', 'write'] },
  rw_semaphore: { withLocked: ['plain', 'write'], withRead: ['plain', 'read'], withWrite: ['plain', 'write'] },
  local_lock_t: { withLocked: ['plain', 'write'], withLockedIrq: ['irq', 'write'], withLockedIrqSave: ['irqsave', 'write'] },
  SpinLockIrq: { withLocked: ['plain', 'write'] },
} as const satisfies Record<LockKind, Record<string, Method>>

/** Builds the frozen lock object of a kind: `kind`, `name`, and one closure per method. */
export const buildLock = <D>(runtime: LockRuntime<D>): object => {
  const lock: Record<string, unknown> = { kind: runtime.kind, name: runtime.name }
  for (const [method, [variant, mode]] of Object.entries(METHODS[runtime.kind] as Record<string, Method>)) {
    const ops = runtime.compile(method, variant, mode, false)
    lock[method] = (ctx: unknown, cb: unknown) => {
      if (!(ctx instanceof Context)) throw new InvalidArgumentError(`${runtime.label}.${method}: the first argument must be a context`)
      if (typeof cb !== 'function') throw new InvalidArgumentError(`${runtime.label}.${method}: the second argument must be a function`)
      return runtime.withLock(ctx, ops, cb as (ctx: Context<CtxState>, data: D) => unknown)
    }
  }
  for (const [method, [variant, mode]] of Object.entries(GUARD_METHODS[runtime.kind] as Record<string, Method>)) {
    const ops = runtime.compile(method, variant, mode, true)
    lock[method] = (ctx: unknown) => {
      if (!(ctx instanceof Context)) throw new InvalidArgumentError(`${runtime.label}.${method}: the argument must be a context`)
      return runtime.lockGuard(ctx, ops)
    }
  }
  return Object.freeze(lock)
}
