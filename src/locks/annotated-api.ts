/**
 * The typed face of the annotated acquisitions: trylocks (`spin_trylock()`, `mutex_trylock()`,
 * `down_read_trylock()`, …), subclasses (`spin_lock_nested()`, `mutex_lock_nested()`,
 * `down_read_nested()`, …) and nest locks (`spin_lock_nest_lock()`, `mutex_lock_nest_lock()`).
 * Each composes the ordinary rules (rules/acquire.ts) with its own (rules/trylock.ts, rules/nesting.ts).
 */
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { NotThenable } from '../rules/error.js'
import type { UnlockableGuard } from '../waiting/unlockable.js'
import type { Variant } from '../kinds/spec.js'
import type { AnyKindName, KindRef } from '../kinds/kind-of.js'
import type { TryResult } from './lock.js'
import type { ClassKey, NestLockCheck, NestedAcquireCheck, Subclass } from '../rules/nesting.js'
import type { Acquired, LockLabel } from '../rules/acquire.js'
import type { TryAcquireCheck } from '../rules/trylock.js'

/**
 * A trylock around `cb`: `{ taken: true, value }` when it got the lock, `{ taken: false }` otherwise.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.spinLock('a', 0)
 * kernel.run((ctx) => a.withLocked(ctx, () => a.withTryLocked(ctx, () => 'never'))) // { taken: false }
 * ```
 */
export type TryLocked<K extends KindRef, N extends string, V extends Variant, D> = <T extends CtxState, R>(
  ctx: Context<T> & TryAcquireCheck<K, N, T>,
  cb: (ctx: Context<Acquired<K, N, V, T>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
) => TryResult<R>

/**
 * A trylock as a guard: the guard when it got the lock, null otherwise.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const m = kernel.mutex('m', { n: 0 })
 * kernel.run((ctx) => {
 *   using g = m.tryLock(ctx)
 *   if (g !== null) g.data.n++
 * })
 * ```
 */
export type TryGuarded<K extends KindRef, N extends string, V extends Variant, D> = <T extends CtxState>(
  ctx: Context<T> & TryAcquireCheck<K, N, T>,
) => UnlockableGuard<Acquired<K, N, V, T>, D, T> | null

/**
 * `spin_lock_nested(lock, subclass)`-style: the lock taken as class `N/subclass` around `cb`.
 *
 * @example
 * ```ts
 * import { createKernel, SINGLE_DEPTH_NESTING } from 'lockproof'
 *
 * const kernel = createKernel()
 * const parent = kernel.spinLock('inode', 0)
 * const child = kernel.spinLock('inode', 0)
 * kernel.run((ctx) => parent.withLocked(ctx, (ctx) => child.withLockedNested(ctx, SINGLE_DEPTH_NESTING, () => 0)))
 * ```
 */
export type LockedNested<K extends KindRef, N extends string, V extends Variant, D, F extends string> = <T extends CtxState, S extends Subclass, R>(
  ctx: Context<T> & NestedAcquireCheck<K, N, S, T, F>,
  subclass: S,
  cb: (ctx: Context<Acquired<K, ClassKey<N, S>, V, T>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
) => R

/**
 * The guard form of a `_nested` acquisition.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.mutex('dir', 0)
 * const b = kernel.mutex('dir', 0)
 * kernel.run((ctx) => {
 *   using g = a.lock(ctx)
 *   using h = b.lockNested(g.ctx, 1)
 * })
 * ```
 */
export type GuardedNested<K extends KindRef, N extends string, V extends Variant, D, F extends string> = <T extends CtxState, S extends Subclass>(
  ctx: Context<T> & NestedAcquireCheck<K, N, S, T, F>,
  subclass: S,
) => UnlockableGuard<Acquired<K, ClassKey<N, S>, V, T>, D, T>

/** A lock given as a nest_lock: any lock object, by its class name. */
export interface NestLock<M extends string> {
  /** Its lock kind. */
  readonly kind: AnyKindName
  /** Its class name: the nest lock's class must be held. */
  readonly name: M
}

/**
 * `spin_lock_nest_lock(lock, nest)`-style: `nest` (held) serializes the instances of N's class.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const all = kernel.mutex('all', 0)
 * const y1 = kernel.spinLock('y', 0)
 * const y2 = kernel.spinLock('y', 0)
 * kernel.run((ctx) =>
 *   all.withLocked(ctx, (ctx) => y1.withLockedNestLock(ctx, all, (ctx) => y2.withLockedNestLock(ctx, all, () => 0))),
 * )
 * ```
 */
export type LockedNestLock<K extends KindRef, N extends string, V extends Variant, D, F extends string> = <T extends CtxState, M extends string, R>(
  ctx: Context<T> & NestLockCheck<K, N, M, T, F>,
  nest: NestLock<M>,
  cb: (ctx: Context<Acquired<K, N, V, T>>, data: D) => NotThenable<R, `a section holding ${LockLabel<K, N>}`>,
) => R

/**
 * The guard form of a nest_lock acquisition.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const all = kernel.mutex('all', 0)
 * const y = kernel.mutex('y', 0)
 * kernel.run((ctx) => {
 *   using a = all.lock(ctx)
 *   using g = y.lockNestLock(a.ctx, all)
 * })
 * ```
 */
export type GuardedNestLock<K extends KindRef, N extends string, V extends Variant, D, F extends string> = <T extends CtxState, M extends string>(
  ctx: Context<T> & NestLockCheck<K, N, M, T, F>,
  nest: NestLock<M>,
) => UnlockableGuard<Acquired<K, N, V, T>, D, T>

/** Trylocks and nesting of the spinning kinds (raw_spinlock_t, spinlock_t). */
export interface SpinAnnotations<K extends 'raw_spinlock_t' | 'spinlock_t', N extends string, D, F extends string> {
  /** `spin_trylock()` around `cb`. */
  readonly withTryLocked: TryLocked<K, N, 'plain', D>
  /** `spin_trylock_irq()` around `cb`. */
  readonly withTryLockedIrq: TryLocked<K, N, 'irq', D>
  /** `spin_trylock_irqsave()` around `cb`. */
  readonly withTryLockedIrqSave: TryLocked<K, N, 'irqsave', D>
  /** `spin_trylock_bh()` around `cb`. */
  readonly withTryLockedBh: TryLocked<K, N, 'bh', D>
  /** `spin_trylock()` as a guard (null: not taken). */
  readonly tryLock: TryGuarded<K, N, 'plain', D>
  /** `spin_trylock_irq()` as a guard. */
  readonly tryLockIrq: TryGuarded<K, N, 'irq', D>
  /** `spin_trylock_irqsave()` as a guard. */
  readonly tryLockIrqSave: TryGuarded<K, N, 'irqsave', D>
  /** `spin_trylock_bh()` as a guard. */
  readonly tryLockBh: TryGuarded<K, N, 'bh', D>
  /** `spin_lock_nested(lock, subclass)` around `cb`. */
  readonly withLockedNested: LockedNested<K, N, 'plain', D, F>
  /** `spin_lock_irqsave_nested(lock, flags, subclass)` around `cb`. */
  readonly withLockedIrqSaveNested: LockedNested<K, N, 'irqsave', D, F>
  /** `spin_lock_nested()` as a guard. */
  readonly lockNested: GuardedNested<K, N, 'plain', D, F>
  /** `spin_lock_irqsave_nested()` as a guard. */
  readonly lockIrqSaveNested: GuardedNested<K, N, 'irqsave', D, F>
  /** `spin_lock_nest_lock(lock, nest)` around `cb`. */
  readonly withLockedNestLock: LockedNestLock<K, N, 'plain', D, F>
  /** `spin_lock_nest_lock()` as a guard. */
  readonly lockNestLock: GuardedNestLock<K, N, 'plain', D, F>
}

/** `read_trylock()` / `write_trylock()` of rwlock_t, and `down_read_trylock()` / `down_write_trylock()`. */
export interface RwTryAnnotations<K extends 'rwlock_t' | 'rw_semaphore', N extends string, D> {
  /** `read_trylock()` / `down_read_trylock()` around `cb`. */
  readonly withTryRead: TryLocked<K, N, 'plain', D>
  /** `write_trylock()` / `down_write_trylock()` around `cb`. */
  readonly withTryWrite: TryLocked<K, N, 'plain', D>
  /** The read trylock as a guard. */
  readonly tryRead: TryGuarded<K, N, 'plain', D>
  /** The write trylock as a guard. */
  readonly tryWrite: TryGuarded<K, N, 'plain', D>
}

/** rwlock_t's trylocks: the read/write pair and `write_trylock_irqsave()`. */
export interface RwlockTryAnnotations<N extends string, D> extends RwTryAnnotations<'rwlock_t', N, D> {
  /** `write_trylock_irqsave()` around `cb` (on RT `flags = 0; rt_write_trylock()`: interrupts stay on). */
  readonly withTryWriteIrqSave: TryLocked<'rwlock_t', N, 'irqsave', D>
  /** `write_trylock_irqsave()` as a guard. */
  readonly tryWriteIrqSave: TryGuarded<'rwlock_t', N, 'irqsave', D>
}

/** `mutex_trylock()`, `mutex_lock_nested()`, `mutex_lock_nest_lock()`. */
export interface MutexAnnotations<N extends string, D, F extends string> {
  /** `mutex_trylock()` around `cb`. */
  readonly withTryLocked: TryLocked<'mutex', N, 'plain', D>
  /** `mutex_trylock()` as a guard. */
  readonly tryLock: TryGuarded<'mutex', N, 'plain', D>
  /** `mutex_lock_nested(lock, subclass)` around `cb`. */
  readonly withLockedNested: LockedNested<'mutex', N, 'plain', D, F>
  /** `mutex_lock_nested()` as a guard. */
  readonly lockNested: GuardedNested<'mutex', N, 'plain', D, F>
  /** `mutex_lock_nest_lock(lock, nest)` around `cb`. */
  readonly withLockedNestLock: LockedNestLock<'mutex', N, 'plain', D, F>
  /** `mutex_lock_nest_lock()` as a guard. */
  readonly lockNestLock: GuardedNestLock<'mutex', N, 'plain', D, F>
}

/** `down_read_nested()` / `down_write_nested()`. */
export interface RwsemNestedAnnotations<N extends string, D, F extends string> {
  /** `down_read_nested(sem, subclass)` around `cb`. */
  readonly withReadNested: LockedNested<'rw_semaphore', N, 'plain', D, F>
  /** `down_write_nested(sem, subclass)` around `cb`. */
  readonly withWriteNested: LockedNested<'rw_semaphore', N, 'plain', D, F>
  /** `down_read_nested()` as a guard. */
  readonly readNested: GuardedNested<'rw_semaphore', N, 'plain', D, F>
  /** `down_write_nested()` as a guard. */
  readonly writeNested: GuardedNested<'rw_semaphore', N, 'plain', D, F>
}
