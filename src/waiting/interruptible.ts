/**
 * Interruptible and killable locking: `mutex_lock_interruptible()`, `mutex_lock_killable()`
 * (kernel/locking/mutex.c, and rtmutex_api.c on PREEMPT_RT), `down_read_interruptible()`,
 * `down_read_killable()`, `down_write_killable()` (kernel/locking/rwsem.c; there is no
 * down_write_interruptible()). The same acquisition as mutex_lock() / down_read() / down_write()
 * — might_sleep(), lockdep's acquire *before* waiting, so a deadlock is still reported — but the
 * task sleeps TASK_INTERRUPTIBLE / TASK_KILLABLE, and a signal the state lets in ends the wait
 * with **-EINTR** (`mutex_release()` / `rwsem_release()` undo the lockdep entry). Free functions,
 * as the lockdep annotations are, over the locks of the registry: no new lock variant.
 *
 * In `kernel.run()` nothing can deliver a signal, so they return the guard (or meet the
 * contention the synchronous executor reports); a model (src/exec/model/) delivers signals.
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import { InvalidArgumentError } from '../errors.js'
import { runtimeOf, type Mutex, type RwSemaphore } from '../locks/api.js'
import type { Compiled, LockRuntime, SleepState } from '../locks/lock.js'
import type { ModelMutex, ModelRwSemaphore } from '../locks/model-api.js'
import type { Op } from '../exec/wait.js'
import type { AcquireCheck, Acquired } from '../rules/acquire.js'
import type { CtxState } from '../rules/state.js'
import type { UnlockableGuard } from './unlockable.js'

/**
 * A guard of lock N of kind K taken from a context of state T, or -EINTR.
 *
 * @example
 * ```ts
 * import { createKernel, mutexLockKillable, type FreshTaskState, type InterruptibleResult } from 'lockproof'
 *
 * const kernel = createKernel()
 * const m = kernel.mutex('m', { n: 0 })
 * kernel.run((ctx) => {
 *   const r: InterruptibleResult<'mutex', 'm', { n: number }, FreshTaskState> = mutexLockKillable(ctx, m)
 *   if (r !== -4) r.unlock()
 * })
 * ```
 */
export type InterruptibleResult<K extends 'mutex' | 'rw_semaphore', N extends string, D, T extends CtxState> =
  | UnlockableGuard<Acquired<K, N, 'plain', T>, D, T>
  | -4

/** The calls, each with its lock kind, side and sleep state (one table: the wrappers below name a row). */
const CALLS = {
  mutex_lock_interruptible: { kind: 'mutex', mode: 'write', state: 'TASK_INTERRUPTIBLE' },
  mutex_lock_killable: { kind: 'mutex', mode: 'write', state: 'TASK_KILLABLE' },
  down_read_interruptible: { kind: 'rw_semaphore', mode: 'read', state: 'TASK_INTERRUPTIBLE' },
  down_read_killable: { kind: 'rw_semaphore', mode: 'read', state: 'TASK_KILLABLE' },
  down_write_killable: { kind: 'rw_semaphore', mode: 'write', state: 'TASK_KILLABLE' },
} as const satisfies Record<string, { kind: SleeperKind; mode: 'read' | 'write'; state: SleepState }>

type SleeperKind = 'mutex' | 'rw_semaphore'
type Call = keyof typeof CALLS
/** The calls on a lock of kind K. */
type CallOn<K extends SleeperKind> = { [C in Call]: (typeof CALLS)[C]['kind'] extends K ? C : never }[Call]

/** The typed faces a call takes, by kind and flavour. */
interface Faces<N extends string, D, F extends string> {
  readonly mutex: { readonly sync: Mutex<N, D, F>; readonly model: ModelMutex<N, D, F> }
  readonly rw_semaphore: { readonly sync: RwSemaphore<N, D, F>; readonly model: ModelRwSemaphore<N, D, F> }
}

/** Each lock's compiled methods, made on first use. */
const compiled = new WeakMap<LockRuntime<unknown>, Map<string, Compiled>>()

const compiledFor = (call: Call, ctx: unknown, lock: unknown) => {
  const { kind, mode } = CALLS[call]
  const what = `${call}()`
  const runtime = runtimeOf(what, lock)
  if (runtime.kind !== kind) throw new InvalidArgumentError(`${what}: expected a ${kind}, not ${runtime.label}`)
  const c = ScopeContext.from(ctx, what)
  let methods = compiled.get(runtime)
  if (methods === undefined) {
    methods = new Map()
    compiled.set(runtime, methods)
  }
  let ops = methods.get(call)
  if (ops === undefined) {
    ops = runtime.compile(call, 'plain', mode, true)
    methods.set(call, ops)
  }
  return { runtime, c, ops }
}

/**
 * The synchronous call. The runtime's guard is untyped (`LockRuntime<unknown>`); this signature is
 * the one place that says what it is for the typed call: the guard of lock N taken from state T.
 */
function take<K extends SleeperKind, N extends string, D, F extends string, T extends CtxState>(
  call: CallOn<K>,
  ctx: Context<T>,
  lock: Faces<N, D, F>[K]['sync'],
): InterruptibleResult<K, N, D, T>
function take(call: Call, ctx: unknown, lock: unknown): unknown {
  const { runtime, c, ops } = compiledFor(call, ctx, lock)
  return runtime.lockGuard(c, ops)
}

/** The model flavour: the acquisition waits in the call's state; a signal it lets in ends it with -EINTR (all its steps undone). */
function takeOp<K extends SleeperKind, N extends string, D, F extends string, T extends CtxState>(
  call: CallOn<K>,
  ctx: Context<T>,
  lock: Faces<N, D, F>[K]['model'],
): Op<InterruptibleResult<K, N, D, T>>
function* takeOp(call: Call, ctx: unknown, lock: unknown): Op<unknown> {
  const { runtime, c, ops } = compiledFor(call, ctx, lock)
  const g = yield* runtime.lockGuardWaitOp(c, ops, CALLS[call].state)
  return g === null ? -4 : g
}

/** A synchronous call on a mutex (one per row of {@link CALLS}): the typed face of `take()`. */
const mutexCall =
  (call: CallOn<'mutex'>) =>
  <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
    lock: Mutex<N, D, F>,
  ): InterruptibleResult<'mutex', N, D, T> =>
    take<'mutex', N, D, F, T>(call, ctx, lock)

/** A synchronous call on an rw_semaphore. */
const semCall =
  (call: CallOn<'rw_semaphore'>) =>
  <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
    sem: RwSemaphore<N, D, F>,
  ): InterruptibleResult<'rw_semaphore', N, D, T> =>
    take<'rw_semaphore', N, D, F, T>(call, ctx, sem)

/** A model's call on a mutex: the op of `takeOp()`. */
const mutexOp =
  (call: CallOn<'mutex'>) =>
  <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
    lock: ModelMutex<N, D, F>,
  ): Op<InterruptibleResult<'mutex', N, D, T>> =>
    takeOp<'mutex', N, D, F, T>(call, ctx, lock)

/** A model's call on an rw_semaphore. */
const semOp =
  (call: CallOn<'rw_semaphore'>) =>
  <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
    sem: ModelRwSemaphore<N, D, F>,
  ): Op<InterruptibleResult<'rw_semaphore', N, D, T>> =>
    takeOp<'rw_semaphore', N, D, F, T>(call, ctx, sem)

/**
 * The model flavour of the interruptible and killable locks, for a model's locks (`k.mutex()`,
 * `k.rwSemaphore()`): `yield*` the op; a signal (`k.signal()`) the state lets in gives -EINTR.
 *
 * @example
 * ```ts
 * import { defineModel, interruptibleOps, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => {
 *   const m = k.mutex('m', 0)
 *   k.task('t', { cpu: 0 }, function* (ctx) {
 *     const g = yield* interruptibleOps.mutexLockKillable(ctx, m)
 *     if (g !== -4) g.unlock()
 *   })
 * })
 * console.log(runModel(model).outcome.kind) // 'completed'
 * ```
 */
export const interruptibleOps = {
  /** `mutex_lock_interruptible()` in a model. */
  mutexLockInterruptible: mutexOp('mutex_lock_interruptible'),
  /** `mutex_lock_killable()` in a model. */
  mutexLockKillable: mutexOp('mutex_lock_killable'),
  /** `down_read_interruptible()` in a model. */
  downReadInterruptible: semOp('down_read_interruptible'),
  /** `down_read_killable()` in a model. */
  downReadKillable: semOp('down_read_killable'),
  /** `down_write_killable()` in a model. */
  downWriteKillable: semOp('down_write_killable'),
}

/**
 * `mutex_lock_interruptible(lock)`: the guard, or -EINTR (-4) when a signal ends the wait.
 *
 * @example
 * ```ts
 * import { createKernel, mutexLockInterruptible } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', { mode: 'fast' })
 * kernel.run((ctx) => {
 *   const g = mutexLockInterruptible(ctx, cfg)
 *   if (g === -4) return // -EINTR: a signal arrived while waiting
 *   using held = g
 *   held.data.mode = 'safe'
 * })
 * ```
 */
export const mutexLockInterruptible = mutexCall('mutex_lock_interruptible')

/**
 * `mutex_lock_killable(lock)`: the guard, or -EINTR (-4) when a fatal signal ends the wait.
 *
 * @example
 * ```ts
 * import { createKernel, mutexLockKillable } from 'lockproof'
 *
 * const kernel = createKernel()
 * const m = kernel.mutex('m', { n: 0 })
 * kernel.run((ctx) => {
 *   const g = mutexLockKillable(ctx, m)
 *   if (g !== -4) g.unlock()
 * })
 * ```
 */
export const mutexLockKillable = mutexCall('mutex_lock_killable')

/**
 * `down_read_interruptible(sem)`: the read guard, or -EINTR (-4).
 *
 * @example
 * ```ts
 * import { createKernel, downReadInterruptible } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', { vmas: 0 })
 * kernel.run((ctx) => {
 *   const g = downReadInterruptible(ctx, mm)
 *   if (g !== -4) g.unlock()
 * })
 * ```
 */
export const downReadInterruptible = semCall('down_read_interruptible')

/**
 * `down_read_killable(sem)`: the read guard, or -EINTR (-4) when a fatal signal ends the wait.
 *
 * @example
 * ```ts
 * import { createKernel, downReadKillable } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', { vmas: 0 })
 * kernel.run((ctx) => {
 *   const g = downReadKillable(ctx, mm)
 *   if (g !== -4) g.unlock()
 * })
 * ```
 */
export const downReadKillable = semCall('down_read_killable')

/**
 * `down_write_killable(sem)`: the write guard, or -EINTR (-4) when a fatal signal ends the wait.
 *
 * @example
 * ```ts
 * import { createKernel, downWriteKillable } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', { vmas: 0 })
 * kernel.run((ctx) => {
 *   const g = downWriteKillable(ctx, mm)
 *   if (g !== -4) g.unlock()
 * })
 * ```
 */
export const downWriteKillable = semCall('down_write_killable')
