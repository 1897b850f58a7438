/**
 * lockdep annotations on lock objects, named as in include/linux/lockdep.h. They change what
 * lockdep sees, not the lock: the class a lock's acquisitions use, how instances of one class
 * are ordered, whether a class is validated at all, and acquisitions lockdep should check
 * without the lock being taken. They act at run time; the compile-time rules keep the lock's
 * own name (see docs/annotations.md).
 */
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import { lockOf, runtimeOf } from '../locks/api.js'
import type { LockKind } from '../kinds/lock-kinds.js'
import type { Subclass } from '../rules/nesting.js'
import type { AcquireCheck } from '../rules/acquire.js'
import { MAX_LOCKDEP_SUBCLASSES, NO_VALIDATE_KEY } from './classes.js'
import type { AnyLock } from '../locks/any-lock.js'

export { NO_VALIDATE_KEY }

/**
 * `lockdep_set_class(lock, key)`: the lock's later acquisitions use the class of `key` (a name
 * shared by every lock given the same key) instead of the one named at creation.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepSetClass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.spinLock('a', 0)
 * lockdepSetClass(a, 'a_key') // reports now name the class a_key
 * ```
 */
export const lockdepSetClass = (lock: AnyLock, key: string): void => {
  if (typeof key !== 'string' || key === '') throw new InvalidArgumentError('lockdep_set_class(): the key must be a non-empty string')
  runtimeOf('lockdep_set_class()', lock).setClass(key)
}

/**
 * `lockdep_set_novalidate_class(lock)`: `lockdep_set_class_and_name(lock, &__lockdep_no_validate__, #lock)`.
 * Every such lock shares one class that `__lock_acquire()` does not check (`if (… lock->key ==
 * &__lockdep_no_validate__) check = 0;`): no usage states, no dependencies, no recursion check;
 * the wait-context check still runs.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepSetNovalidateClass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const dev = kernel.mutex('dev->mutex', 0)
 * lockdepSetNovalidateClass(dev) // as the driver core does for device mutexes
 * ```
 */
export const lockdepSetNovalidateClass = (lock: AnyLock): void => {
  runtimeOf('lockdep_set_novalidate_class()', lock).setClass(NO_VALIDATE_KEY)
}

/**
 * `lock_set_cmp_fn(lock, cmp_fn, NULL)`: orders two instances of the lock's class. Taking an
 * instance while one that `cmp(held, next) < 0` orders before it is held is no recursion and
 * adds no dependency (check_deadlock(), check_prev_add()); otherwise the recursion report also
 * prints "and the lock comparison function returns %i:".
 *
 * @example
 * ```ts
 * import { createKernel, lockSetCmpFn } from 'lockproof'
 *
 * const kernel = createKernel()
 * const ino = new Map<object, number>()
 * const inode = (n: number) => { const l = kernel.mutex('i_rwsem', n); ino.set(l, n); return l }
 * const [a, b] = [inode(1), inode(2)]
 * lockSetCmpFn(a, (x, y) => (ino.get(x) ?? 0) - (ino.get(y) ?? 0)) // lower inode number first
 * ```
 */
export const lockSetCmpFn = (lock: AnyLock, cmp: (held: AnyLock, next: AnyLock) => number): void => {
  if (typeof cmp !== 'function') throw new InvalidArgumentError('lock_set_cmp_fn(): the comparison must be a function')
  const runtime = runtimeOf('lock_set_cmp_fn()', lock)
  runtime.classOf(0).cmpFn = (a, b) => cmp(lockOf(runtime.objectOf(a)), lockOf(runtime.objectOf(b)))
}

const subclassArg = (what: string, subclass: unknown): number => {
  if (typeof subclass !== 'number' || !Number.isInteger(subclass) || subclass < 0 || subclass >= MAX_LOCKDEP_SUBCLASSES) {
    throw new InvalidArgumentError(`${what}: the subclass must be an integer 0 … ${MAX_LOCKDEP_SUBCLASSES - 1}`)
  }
  return subclass
}

/**
 * `lock_set_class(lock, name, key, subclass, ip)` on a lock the task of `ctx` holds: the lock
 * is re-keyed and its held entry becomes class (`key`, `subclass`); it and the locks taken
 * after it are validated again (`reacquire_held_locks()`). Not held: a bad unlock balance report
 * and an InvalidArgumentError.
 *
 * @example
 * ```ts
 * import { createKernel, lockSetClass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const sb = kernel.rwSemaphore('s_umount', 0)
 * kernel.run((ctx) => sb.withWrite(ctx, (ctx) => lockSetClass(ctx, sb, 's_umount_key#2', 0)))
 * ```
 */
export const lockSetClass = <S extends CtxState>(ctx: Context<S>, lock: AnyLock, key: string, subclass: Subclass = 0): void => {
  const what = 'lock_set_class()'
  if (typeof key !== 'string' || key === '') throw new InvalidArgumentError(`${what}: the key must be a non-empty string`)
  runtimeOf(what, lock).setHeldClass(ctx, key, subclassArg(what, subclass), what)
}

/**
 * `lock_set_subclass(lock, subclass, ip)` = `lock_set_class(lock, lock->name, lock->key, subclass, ip)`.
 *
 * @example
 * ```ts
 * import { createKernel, lockSetSubclass } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.spinLock('a', 0)
 * kernel.run((ctx) => a.withLocked(ctx, (ctx) => lockSetSubclass(ctx, a, 1))) // held as a/1 from here on
 * ```
 */
export const lockSetSubclass = <S extends CtxState>(ctx: Context<S>, lock: AnyLock, subclass: Subclass): void => {
  const what = 'lock_set_subclass()'
  const runtime = runtimeOf(what, lock)
  runtime.setHeldClass(ctx, runtime.key, subclassArg(what, subclass), what)
}

/**
 * `might_lock(lock)`: `lock_acquire(); lock_release();` at once, so lockdep validates taking
 * the lock here without taking it. The compile-time rules of taking it apply too.
 *
 * @example
 * ```ts
 * import { createKernel, mightLock } from 'lockproof'
 *
 * const kernel = createKernel()
 * const m = kernel.mutex('m', 0)
 * kernel.run((ctx) => mightLock(ctx, m)) // a path that only sometimes takes m
 * ```
 */
export const mightLock = <T extends CtxState, K extends LockKind, N extends string>(
  ctx: Context<T> & AcquireCheck<K, N, T, never>,
  lock: { readonly kind: K; readonly name: N },
): void => {
  runtimeOf('might_lock()', lock).mightLock(ctx, 'write')
}

/**
 * `might_lock_read(lock)`: as {@link mightLock}, for a read acquisition (read = 1).
 *
 * @example
 * ```ts
 * import { createKernel, mightLockRead } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', 0)
 * kernel.run((ctx) => mightLockRead(ctx, mm)) // e.g. a fault path
 * ```
 */
export const mightLockRead = <T extends CtxState, K extends LockKind, N extends string>(
  ctx: Context<T> & AcquireCheck<K, N, T, never>,
  lock: { readonly kind: K; readonly name: N },
): void => {
  runtimeOf('might_lock_read()', lock).mightLock(ctx, 'read')
}
