/**
 * The generator-flavoured locks of the model kernel (src/exec/model/): the same kinds, names,
 * methods and compile-time rules as createKernel()'s, derived from the same method tables
 * (kinds/derive.ts `MembersOf`), but every method that takes a lock is a scheduling point and may
 * wait, so it returns an operation to run with `yield*`, and a section is a generator function:
 *
 * ```ts
 * yield* a.withLocked(ctx, function* (ctx, d) { d.n++ })
 * using g = yield* m.lock(ctx)
 * ```
 *
 * A guard's `unlock()` never waits and stays plain.
 */
import { ScopeContext } from '../exec/scope.js'
import type { Context } from '../exec/context.js'
import type { UnlockableGuard } from '../waiting/unlockable.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockCommon, MembersOf } from '../kinds/derive.js'
import type { AnnotatedEntry, MethodEntry, Mode } from '../kinds/spec.js'
import type { LockKind, VariantOf } from '../kinds/lock-kinds.js'
import type { AcquireCheck, AcquireFullCheck, Acquired, HeldAs } from '../rules/acquire.js'
import type { ClassKey, NestLockCheck, NestedAcquireCheck, Subclass } from '../rules/nesting.js'
import type { TryAcquireCheck } from '../rules/trylock.js'
import type { Op } from '../exec/wait.js'
import { trackOp, type OpTracker } from '../exec/model/op.js'
import { registerLock, runtimeOf } from './api.js'
import type { NestLock } from './annotated-api.js'
import type { Compiled, LockRuntime, SectionOp, TryResult } from './lock.js'
import { MAX_LOCKDEP_SUBCLASSES } from '../lockdep/classes.js'

/**
 * A section of a model lock: a generator function, run with `yield*` while the lock is held.
 *
 * @example
 * ```ts
 * import type { FreshTaskState, ModelSection } from 'lockproof'
 *
 * const bump: ModelSection<FreshTaskState, { n: number }, number> = function* (_ctx, d) {
 *   return ++d.n
 * }
 * console.log(typeof bump)
 * ```
 */
export type ModelSection<S extends CtxState, D, R> = (ctx: Context<S>, data: D) => Op<R>

/**
 * `withLocked`-style, generator-flavoured: `yield* lock.withLocked(ctx, function* (ctx, data) { … })`.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     yield* a.withLocked(ctx, function* (_ctx, d) { d.n++ })
 *   })
 * })
 * ```
 */
export type ModelLocked<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string, M extends Mode = 'write'> = [V, M] extends [
  'plain' | 'irqsave',
  'write',
]
  ? <T extends CtxState, R>(ctx: Context<T> & NoInfer<AcquireCheck<K, N, T, F>>, cb: ModelSection<Acquired<K, N, V, T>, D, R>) => Op<R>
  : <T extends CtxState, R>(
      ctx: Context<T> & NoInfer<AcquireFullCheck<K, N, V, T, F, M>>,
      cb: ModelSection<Acquired<K, N, V, T, HeldAs<K, N, M>>, D, R>,
    ) => Op<R>

/**
 * `lock(ctx)`-style, generator-flavoured: `using g = yield* lock.lock(ctx)`.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     using g = yield* a.lock(ctx)
 *     g.data.n++
 *   })
 * })
 * ```
 */
export type ModelGuarded<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string, M extends Mode = 'write'> = [V, M] extends [
  'plain' | 'irqsave',
  'write',
]
  ? <T extends CtxState>(ctx: Context<T> & NoInfer<AcquireCheck<K, N, T, F>>) => Op<UnlockableGuard<Acquired<K, N, V, T>, D, T>>
  : <T extends CtxState>(ctx: Context<T> & NoInfer<AcquireFullCheck<K, N, V, T, F, M>>) => Op<UnlockableGuard<Acquired<K, N, V, T, HeldAs<K, N, M>>, D, T>>

/**
 * A trylock around a generator section.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     const r = yield* a.withTryLocked(ctx, function* (_ctx, d) { return ++d.n })
 *     if (r.taken) console.log(r.value)
 *   })
 * })
 * ```
 */
export type ModelTryLocked<K extends LockKind, N extends string, V extends VariantOf<K>, D> = <T extends CtxState, R>(
  ctx: Context<T> & TryAcquireCheck<K, N, T>,
  cb: ModelSection<Acquired<K, N, V, T>, D, R>,
) => Op<TryResult<R>>

/**
 * A trylock as a guard (null: not taken).
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     using g = yield* a.tryLock(ctx)
 *     if (g !== null) g.data.n++
 *   })
 * })
 * ```
 */
export type ModelTryGuarded<K extends LockKind, N extends string, V extends VariantOf<K>, D> = <T extends CtxState>(
  ctx: Context<T> & TryAcquireCheck<K, N, T>,
) => Op<UnlockableGuard<Acquired<K, N, V, T>, D, T> | null>

/**
 * `_nested(subclass)` around a generator section.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     yield* a.withLocked(ctx, function* (ctx) { yield* b.withLockedNested(ctx, 1, function* () {}) })
 *   })
 * })
 * ```
 */
export type ModelLockedNested<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, S extends Subclass, R>(
  ctx: Context<T> & NestedAcquireCheck<K, N, S, T, F>,
  subclass: S,
  cb: ModelSection<Acquired<K, ClassKey<N, S>, V, T>, D, R>,
) => Op<R>

/**
 * `_nested(subclass)` as a guard.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     using g = yield* a.lock(ctx)
 *     using h = yield* b.lockNested(g.ctx, 1)
 *     h.data.n++
 *   })
 * })
 * ```
 */
export type ModelGuardedNested<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, S extends Subclass>(
  ctx: Context<T> & NestedAcquireCheck<K, N, S, T, F>,
  subclass: S,
) => Op<UnlockableGuard<Acquired<K, ClassKey<N, S>, V, T>, D, T>>

/**
 * `_nest_lock(nest)` around a generator section.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     yield* a.withLocked(ctx, function* (ctx) { yield* b.withLockedNestLock(ctx, a, function* () {}) })
 *   })
 * })
 * ```
 */
export type ModelLockedNestLock<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, M extends string, R>(
  ctx: Context<T> & NestLockCheck<K, N, M, T, F>,
  nest: NestLock<M>,
  cb: ModelSection<Acquired<K, N, V, T>, D, R>,
) => Op<R>

/**
 * `_nest_lock(nest)` as a guard.
 *
 * @example
 * ```ts
 * import { defineModel } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a = k.mutex('a', { n: 0 })
 *   const b = k.mutex('b', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     using g = yield* a.lock(ctx)
 *     using h = yield* b.lockNestLock(g.ctx, a)
 *     h.data.n++
 *   })
 * })
 * ```
 */
export type ModelGuardedNestLock<K extends LockKind, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, M extends string>(
  ctx: Context<T> & NestLockCheck<K, N, M, T, F>,
  nest: NestLock<M>,
) => Op<UnlockableGuard<Acquired<K, N, V, T>, D, T>>

/** One member's generator-flavoured type from its descriptor (a `MembersOf` entry), as kinds/derive.ts's `MemberType`. */
type ModelMemberType<
  K extends LockKind,
  N extends string,
  D,
  F extends string,
  E extends { readonly form: string; readonly v: VariantOf<K>; readonly m: Mode },
> = E['form'] extends 'locked'
  ? ModelLocked<K, N, E['v'], D, F, E['m']>
  : E['form'] extends 'guarded'
    ? ModelGuarded<K, N, E['v'], D, F, E['m']>
    : E['form'] extends 'try'
      ? ModelTryLocked<K, N, E['v'], D>
      : E['form'] extends 'try-guard'
        ? ModelTryGuarded<K, N, E['v'], D>
        : E['form'] extends 'nested'
          ? ModelLockedNested<K, N, E['v'], D, F>
          : E['form'] extends 'nested-guard'
            ? ModelGuardedNested<K, N, E['v'], D, F>
            : E['form'] extends 'nest-lock'
              ? ModelLockedNestLock<K, N, E['v'], D, F>
              : ModelGuardedNestLock<K, N, E['v'], D, F>

/**
 * The generator-flavoured lock of kind K, class N, data D (F: the classes a declared lock order puts after N).
 *
 * @example
 * ```ts
 * import { defineModel, type ModelLockOf } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a: ModelLockOf<'spinlock_t', 'a', number, never> = k.spinLock('a', 0)
 *   console.log(a.kind, a.name) // 'spinlock_t' 'a'
 * })
 * ```
 */
export type ModelLockOf<K extends LockKind, N extends string, D, F extends string> = LockCommon<K, N> & {
  readonly [P in keyof MembersOf<K>]: ModelMemberType<K, N, D, F, MembersOf<K>[P]>
}

/**
 * The model kernel's `raw_spinlock_t`.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelRawSpinLock } from 'lockproof'
 *
 * defineModel((k) => {
 *   const hw: ModelRawSpinLock<'hw', { reg: number }> = k.rawSpinLock('hw', { reg: 0 })
 *   k.task('poke', { cpu: 0 }, function* (ctx) { yield* hw.withLockedIrqSave(ctx, function* (_ctx, r) { r.reg = 1 }) })
 * })
 * ```
 */
export type ModelRawSpinLock<N extends string, D, F extends string = never> = ModelLockOf<'raw_spinlock_t', N, D, F>
/**
 * The model kernel's `spinlock_t`: spins on a normal kernel, sleeps (TASK_RTLOCK_WAIT) on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelSpinLock } from 'lockproof'
 *
 * defineModel((k) => {
 *   const a: ModelSpinLock<'a', { n: number }> = k.spinLock('a', { n: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* a.withLocked(ctx, function* (_ctx, d) { d.n++ }) })
 * })
 * ```
 */
export type ModelSpinLock<N extends string, D, F extends string = never> = ModelLockOf<'spinlock_t', N, D, F>
/**
 * The model kernel's `rwlock_t`.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelRwLock } from 'lockproof'
 *
 * defineModel((k) => {
 *   const r: ModelRwLock<'routes', number[]> = k.rwLock('routes', [])
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* r.withRead(ctx, function* (_ctx, d) { return d.length }) })
 * })
 * ```
 */
export type ModelRwLock<N extends string, D, F extends string = never> = ModelLockOf<'rwlock_t', N, D, F>
/**
 * The model kernel's `struct mutex`: a contended `mutex_lock()` sleeps in TASK_UNINTERRUPTIBLE.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelMutex } from 'lockproof'
 *
 * defineModel((k) => {
 *   const m: ModelMutex<'cfg', { mode: string }> = k.mutex('cfg', { mode: 'fast' })
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     using g = yield* m.lock(ctx)
 *     g.data.mode = 'safe'
 *   })
 * })
 * ```
 */
export type ModelMutex<N extends string, D, F extends string = never> = ModelLockOf<'mutex', N, D, F>
/**
 * The model kernel's `struct rw_semaphore`.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelRwSemaphore } from 'lockproof'
 *
 * defineModel((k) => {
 *   const mm: ModelRwSemaphore<'mmap_lock', { vmas: number }> = k.rwSemaphore('mmap_lock', { vmas: 0 })
 *   k.task('t', { cpu: 0 }, function* (ctx) { yield* mm.withRead(ctx, function* (_ctx, m) { return m.vmas }) })
 * })
 * ```
 */
export type ModelRwSemaphore<N extends string, D, F extends string = never> = ModelLockOf<'rw_semaphore', N, D, F>
/**
 * The model kernel's `local_lock_t` with per-CPU data.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelLocalLock } from 'lockproof'
 *
 * defineModel((k) => {
 *   const pcp: ModelLocalLock<'pcp', { n: number }> = k.localLock('pcp', () => ({ n: 0 }))
 *   k.task('t', { cpu: 1 }, function* (ctx) { yield* pcp.withLocked(ctx, function* (_ctx, d) { d.n++ }) })
 * }, { cpus: 2 })
 * ```
 */
export type ModelLocalLock<N extends string, D, F extends string = never> = ModelLockOf<'local_lock_t', N, D, F>
/**
 * The model kernel's Rust-style `SpinLockIrq`.
 *
 * @example
 * ```ts
 * import { defineModel, type ModelSpinLockIrq } from 'lockproof'
 *
 * defineModel((k) => {
 *   const q: ModelSpinLockIrq<'q', number[]> = k.spinLockIrq('q', [])
 *   k.task('t', { cpu: 0 }, function* (ctx) { using g = yield* q.lock(ctx); g.data.push(1) })
 * })
 * ```
 */
export type ModelSpinLockIrq<N extends string, D, F extends string = never> = ModelLockOf<'SpinLockIrq', N, D, F>

/** A JavaScript caller passed the wrong arguments. */
const badCall = (what: string, ctx: unknown, hasCb: boolean): never => {
  const [first, second] = hasCb ? ['first argument', 'second argument'] : ['argument', '']
  if (!ScopeContext.is(ctx)) throw new InvalidArgumentError(`${what}: the ${first} must be a context`)
  throw new InvalidArgumentError(`${what}: the ${second} must be a generator function (function*)`)
}

const subclassOf = (what: string, subclass: unknown): number => {
  if (typeof subclass !== 'number' || !Number.isInteger(subclass) || subclass < 0 || subclass >= MAX_LOCKDEP_SUBCLASSES) {
    throw new InvalidArgumentError(`${what}: the subclass must be an integer 0 … ${MAX_LOCKDEP_SUBCLASSES - 1}`)
  }
  return subclass
}

type Section = SectionOp<unknown, unknown>

/**
 * A method's steps, prepared at its first call: a model kernel is built for every execution and
 * most of a lock's ~20 methods are never called in one (preparing all of them was most of the
 * cost of declaring a lock).
 */
const lazy = (compile: () => Compiled): (() => Compiled) => {
  let ops: Compiled | null = null
  return () => {
    ops ??= compile()
    return ops
  }
}

/** Builds the frozen generator-flavoured lock object of a runtime: one closure per entry of its kind's tables. */
export const buildModelLock = (runtime: LockRuntime<unknown>, tracker: OpTracker): object => {
  const lock: Record<string, unknown> = { kind: runtime.kind, name: runtime.name }
  const track = <R>(op: Op<R>, what: string): Op<R> => trackOp(op, what, tracker)
  for (const [method, [variant, mode]] of Object.entries(runtime.spec.methods as Readonly<Record<string, MethodEntry>>)) {
    const ops = lazy(() => runtime.compile(method, variant, mode, false))
    const what = `${runtime.label}.${method}(ctx, …)`
    lock[method] = (ctx: unknown, cb: unknown) => {
      if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(what, ctx, true)
      return track(runtime.withLockOp(ctx, ops(), cb as Section), what)
    }
  }
  for (const [method, [variant, mode]] of Object.entries(runtime.spec.guards as Readonly<Record<string, MethodEntry>>)) {
    const ops = lazy(() => runtime.compile(method, variant, mode, true))
    const what = `${runtime.label}.${method}(ctx)`
    lock[method] = (ctx: unknown) => {
      if (!ScopeContext.is(ctx)) return badCall(what, ctx, false)
      return track(runtime.lockGuardOp(ctx, ops()), what)
    }
  }
  for (const [method, [variant, mode, form, guard]] of Object.entries(runtime.spec.annotated as Readonly<Record<string, AnnotatedEntry>>)) {
    const ops = lazy(() => runtime.compile(method, variant, mode, guard, form === 'try'))
    const what = `${runtime.label}.${method}(ctx, …)`
    if (form === 'try') {
      lock[method] = guard
        ? (ctx: unknown) => {
            if (!ScopeContext.is(ctx)) return badCall(what, ctx, false)
            return track(runtime.tryLockGuardOp(ctx, ops()), what)
          }
        : (ctx: unknown, cb: unknown) => {
            if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(what, ctx, true)
            return track(runtime.tryWithLockOp(ctx, ops(), cb as Section), what)
          }
      continue
    }
    const annotation = (arg: unknown): readonly [number, LockRuntime<unknown> | null] =>
      form === 'nested' ? [subclassOf(what, arg), null] : [0, runtimeOf(what, arg)]
    lock[method] = guard
      ? (ctx: unknown, arg: unknown) => {
          if (!ScopeContext.is(ctx)) return badCall(what, ctx, false)
          const [subclass, nest] = annotation(arg)
          return track(runtime.lockGuardOp(ctx, ops(), subclass, nest), what)
        }
      : (ctx: unknown, arg: unknown, cb: unknown) => {
          if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(what, ctx, true)
          const [subclass, nest] = annotation(arg)
          return track(runtime.withLockOp(ctx, ops(), cb as Section, subclass, nest), what)
        }
  }
  const built = Object.freeze({ ...lock })
  registerLock(built, runtime)
  return built
}
