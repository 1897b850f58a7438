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
import type { AnnotatedEntry, LockKindSpec, MethodEntry, Mode } from '../kinds/spec.js'
import type { LockKind, Variant, VariantOf } from '../kinds/lock-kinds.js'
import type { KindRef, SpecRef } from '../kinds/kind-of.js'
import type { AnyKindFacts, FactsOf } from '../kinds/facts.js'
import type { RequiringMember } from './model-defined.js'
import type { AcquireCheck, AcquireFullCheck, Acquired, HeldAs } from '../rules/acquire.js'
import type { ClassKey, NestLockCheck, NestedAcquireCheck, Subclass } from '../rules/nesting.js'
import type { TryAcquireCheck } from '../rules/trylock.js'
import type { Op } from '../exec/wait.js'
import { markOp, newTrack, trackOp, type OpTracker } from '../exec/model/op.js'
import { registerLock, runtimeOf } from './api.js'
import type { NestLock } from './annotated-api.js'
import { type Compiled, LOCK_RUNTIME, type LockRuntime, type SectionOp, type TryResult } from './lock.js'
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
export type ModelLocked<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string, M extends Mode = 'write'> = [V, M] extends [
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
export type ModelGuarded<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string, M extends Mode = 'write'> = [V, M] extends [
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
export type ModelTryLocked<K extends KindRef, N extends string, V extends VariantOf<K>, D> = <T extends CtxState, R>(
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
export type ModelTryGuarded<K extends KindRef, N extends string, V extends VariantOf<K>, D> = <T extends CtxState>(
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
export type ModelLockedNested<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, S extends Subclass, R>(
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
export type ModelGuardedNested<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, S extends Subclass>(
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
export type ModelLockedNestLock<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, M extends string, R>(
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
export type ModelGuardedNestLock<K extends KindRef, N extends string, V extends VariantOf<K>, D, F extends string> = <T extends CtxState, M extends string>(
  ctx: Context<T> & NestLockCheck<K, N, M, T, F>,
  nest: NestLock<M>,
) => Op<UnlockableGuard<Acquired<K, N, V, T>, D, T>>

/** One member's generator-flavoured type from its descriptor (a `MembersOf` entry), as kinds/derive.ts's `MemberType`. */
type ModelMemberType<
  K extends KindRef,
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
 * K is a built-in's name, or a defined kind's spec (`k.lock(kind, name, data)`; a kind that
 * requires a proof checks it in its callbacks and guards, locks/model-defined.ts).
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
export type ModelLockOf<K extends SpecRef, N extends string, D, F extends string> = K extends LockKind
  ? BuiltinModelLock<K, N, D, F>
  : K extends LockKindSpec
    ? DefinedModelLock<K, FactsOf<K>, N, D, F>
    : never

/** A defined kind's model lock: the members of spec S, typed with its facts R (kinds/facts.ts), as its createKernel() lock's are. */
type DefinedModelLock<S extends LockKindSpec, R extends AnyKindFacts, N extends string, D, F extends string> = LockCommon<S['kind'], N> &
  (S['requires'] extends readonly []
    ? { readonly [P in keyof MembersOf<S>]: ModelMemberType<R, N, D, F, MembersOf<S>[P]> }
    : { readonly [P in keyof MembersOf<S>]: RequiringMember<R, N, D, F, MembersOf<S>[P], ModelMemberType<R, N, D, F, MembersOf<S>[P]>> })

/** A built-in's model lock: what its factory returns, without ModelLockOf's choice of kind (a cost per lock). */
type BuiltinModelLock<K extends LockKind, N extends string, D, F extends string> = LockCommon<K, N> & {
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
export type ModelRawSpinLock<N extends string, D, F extends string = never> = BuiltinModelLock<'raw_spinlock_t', N, D, F>
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
export type ModelSpinLock<N extends string, D, F extends string = never> = BuiltinModelLock<'spinlock_t', N, D, F>
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
export type ModelRwLock<N extends string, D, F extends string = never> = BuiltinModelLock<'rwlock_t', N, D, F>
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
export type ModelMutex<N extends string, D, F extends string = never> = BuiltinModelLock<'mutex', N, D, F>
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
export type ModelRwSemaphore<N extends string, D, F extends string = never> = BuiltinModelLock<'rw_semaphore', N, D, F>
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
export type ModelLocalLock<N extends string, D, F extends string = never> = BuiltinModelLock<'local_lock_t', N, D, F>
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
export type ModelSpinLockIrq<N extends string, D, F extends string = never> = BuiltinModelLock<'SpinLockIrq', N, D, F>

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

/** One method of a kind, as the model flavour calls it: its entry in the kind's tables and the shape of its arguments. */
interface MethodPlan {
  readonly method: string
  readonly variant: Variant
  readonly mode: Mode
  readonly guard: boolean
  readonly trylock: boolean
  /** How errors and the forgotten-`yield*` check name the call after the lock's label. */
  readonly call: string
}

/** A method prepared for one lock, at its first call: its steps and how errors name the call. */
interface Slot {
  readonly ops: Compiled
  readonly what: string
}

/**
 * What a model lock object carries: its runtime, the executor's op tracker (both null once its
 * execution has ended: {@link retireModelLock}), its label, and its methods prepared so far.
 */
interface ModelLockState {
  runtime: LockRuntime<unknown> | null
  tracker: OpTracker | null
  readonly label: string
  /** Its methods made so far (by slot). */
  readonly methods: (Method | undefined)[]
}

/** A lock kept from an execution that has ended, used in another: the model keeps state between executions. */
const retired = (st: ModelLockState): never => {
  throw new InvalidArgumentError(
    `${st.label}: this lock belongs to an execution that has ended; a model's setup makes its locks anew for every execution (keep nothing between executions)`,
  )
}
const runtimeOfState = (st: ModelLockState): LockRuntime<unknown> => st.runtime ?? retired(st)
const trackerOf = (st: ModelLockState): OpTracker => st.tracker ?? retired(st)

const STATE: unique symbol = Symbol('lockproof model lock')
type ModelLockObject = { readonly [STATE]: ModelLockState }

const whatOf = (st: ModelLockState, plan: MethodPlan): string => `${st.label}.${plan.method}${plan.call}`

/**
 * A method of the lock, prepared at its first call: a model kernel is built for every execution
 * and most of a lock's ~20 methods are never called in one (the steps themselves are compiled
 * once per kind and kernel configuration, src/locks/lock.ts `compiledSteps`).
 */
// Class instances, not object or array literals: V8 pretenures a literal's allocation site once
// most of its objects survive a young collection, and a setup's closures keep every execution's
// lock objects that long (their generator functions' maps point to them); pretenured, they pulled
// whole executions into the old space (bench/explore/survivors.ts, BENCHMARKS.md). A class
// instance has no allocation site; `Array.of()` neither.
class SlotOf implements Slot {
  readonly ops: Compiled
  readonly what: string
  constructor(st: ModelLockState, plan: MethodPlan) {
    this.ops = runtimeOfState(st).compile(plan.method, plan.variant, plan.mode, plan.guard, plan.trylock)
    this.what = whatOf(st, plan)
  }
}
const slotOf = (st: ModelLockState, plan: MethodPlan): Slot => new SlotOf(st, plan)
class LockStateOf implements ModelLockState {
  runtime: LockRuntime<unknown> | null
  tracker: OpTracker | null
  readonly label: string
  readonly methods: (Method | undefined)[] = Array.of()
  constructor(runtime: LockRuntime<unknown>, tracker: OpTracker) {
    this.runtime = runtime
    this.tracker = tracker
    this.label = runtime.label
  }
}

type Method = (...args: unknown[]) => unknown

/** How method `i` is made for one lock (at its first read: most of a lock's ~20 methods are never read in one execution). */
const makerOf = (plan: MethodPlan, form: AnnotatedEntry[2] | 'locked' | 'guarded'): ((st: ModelLockState) => Method) => {
  switch (form) {
    case 'locked':
      return (st) => {
        let slot: Slot | undefined
        return (ctx: unknown, cb: unknown) => {
          if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(whatOf(st, plan), ctx, true)
          if (slot === undefined) slot = slotOf(st, plan)
          // The op is its own forgotten-`yield*` record, in the frame running now.
          const tracker = trackerOf(st)
          return runtimeOfState(st).withLockOp(ctx, slot.ops, cb as Section, 0, null, slot.what, tracker)
        }
      }
    case 'guarded':
      return (st) => {
        let slot: Slot | undefined
        return (ctx: unknown) => {
          if (!ScopeContext.is(ctx)) return badCall(whatOf(st, plan), ctx, false)
          if (slot === undefined) slot = slotOf(st, plan)
          const t = newTrack(slot.what, trackerOf(st))
          return markOp(runtimeOfState(st).lockGuardOp(ctx, slot.ops, 0, null, t), t)
        }
      }
    case 'try':
      return plan.guard
        ? (st) => {
            let slot: Slot | undefined
            return (ctx: unknown) => {
              if (!ScopeContext.is(ctx)) return badCall(whatOf(st, plan), ctx, false)
              if (slot === undefined) slot = slotOf(st, plan)
              return trackOp(runtimeOfState(st).tryLockGuardOp(ctx, slot.ops), slot.what, trackerOf(st))
            }
          }
        : (st) => {
            let slot: Slot | undefined
            return (ctx: unknown, cb: unknown) => {
              if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(whatOf(st, plan), ctx, true)
              if (slot === undefined) slot = slotOf(st, plan)
              return trackOp(runtimeOfState(st).tryWithLockOp(ctx, slot.ops, cb as Section), slot.what, trackerOf(st))
            }
          }
    default: {
      const annotation = (what: string, arg: unknown): readonly [number, LockRuntime<unknown> | null] =>
        form === 'nested' ? [subclassOf(what, arg), null] : [0, runtimeOf(what, arg)]
      return plan.guard
        ? (st) => {
            let slot: Slot | undefined
            return (ctx: unknown, arg: unknown) => {
              if (!ScopeContext.is(ctx)) return badCall(whatOf(st, plan), ctx, false)
              const [subclass, nest] = annotation(whatOf(st, plan), arg)
              if (slot === undefined) slot = slotOf(st, plan)
              return trackOp(runtimeOfState(st).lockGuardOp(ctx, slot.ops, subclass, nest), slot.what, trackerOf(st))
            }
          }
        : (st) => {
            let slot: Slot | undefined
            return (ctx: unknown, arg: unknown, cb: unknown) => {
              if (!ScopeContext.is(ctx) || typeof cb !== 'function') return badCall(whatOf(st, plan), ctx, true)
              const [subclass, nest] = annotation(whatOf(st, plan), arg)
              if (slot === undefined) slot = slotOf(st, plan)
              return trackOp(runtimeOfState(st).withLockOp(ctx, slot.ops, cb as Section, subclass, nest), slot.what, trackerOf(st))
            }
          }
    }
  }
}

/** The methods of a kind's model locks, built once per kind spec (a lock object is its state over this). */
const PROTOTYPES = new WeakMap<LockKindSpec, object>()

const prototypeOf = (spec: LockKindSpec): object => {
  const known = PROTOTYPES.get(spec)
  if (known !== undefined) return known
  const proto = {}
  let i = 0
  // A getter per method: the method, made for this lock at its first read and kept (it may be
  // read off the lock and called on its own, as src/seqlock/ does), is a plain closure.
  const define = (plan: MethodPlan, form: AnnotatedEntry[2] | 'locked' | 'guarded'): void => {
    const at = i++
    const make = makerOf(plan, form)
    Object.defineProperty(proto, plan.method, {
      get(this: ModelLockObject): Method {
        const st = this[STATE]
        let m = st.methods[at]
        if (m === undefined) {
          m = make(st)
          st.methods[at] = m
        }
        return m
      },
      enumerable: true,
    })
  }
  for (const [method, [variant, mode]] of Object.entries(spec.methods as Readonly<Record<string, MethodEntry>>))
    define({ method, variant, mode, guard: false, trylock: false, call: '(ctx, …)' }, 'locked')
  for (const [method, [variant, mode]] of Object.entries(spec.guards as Readonly<Record<string, MethodEntry>>))
    define({ method, variant, mode, guard: true, trylock: false, call: '(ctx)' }, 'guarded')
  for (const [method, [variant, mode, form, guard]] of Object.entries(spec.annotated as Readonly<Record<string, AnnotatedEntry>>))
    define({ method, variant, mode, guard, trylock: form === 'try', call: '(ctx, …)' }, form)
  // The runtime as src/locks/api.ts reads it, through the state: a retired lock no longer reaches its execution.
  Object.defineProperty(proto, LOCK_RUNTIME, {
    get(this: ModelLockObject): LockRuntime<unknown> {
      return runtimeOfState(this[STATE])
    },
  })
  Object.freeze(proto)
  PROTOTYPES.set(spec, proto)
  return proto
}

/** Builds the frozen generator-flavoured lock object of a runtime: `kind`, `name` and its state over its kind's methods. */
export const buildModelLock = (runtime: LockRuntime<unknown>, tracker: OpTracker): object => {
  const lock = Object.create(prototypeOf(runtime.spec)) as { kind: string; name: string; [STATE]: ModelLockState }
  lock.kind = runtime.kind
  lock.name = runtime.name
  Object.defineProperty(lock, STATE, { value: new LockStateOf(runtime, tracker) })
  // As buildLock() registers its objects: the kind as the public types name it.
  const built = Object.freeze(lock) as { readonly kind: LockKind; readonly name: string }
  registerLock(built, runtime)
  return built
}

/**
 * @internal Cuts a model lock off its execution, which has ended (src/exec/model/run.ts
 * `modelExecutions`, before the next one): its methods then throw a named error. The setup's
 * generator functions keep the lock reachable from V8's maps until the next full collection, and
 * through it the whole execution — each young collection promoted it (BENCHMARKS.md).
 */
export const retireModelLock = (lock: object): void => {
  const st = (lock as Partial<ModelLockObject>)[STATE]
  if (st === undefined) return
  st.runtime = null
  st.tracker = null
}
