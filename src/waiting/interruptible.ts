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

/** Each lock's compiled methods, made on first use. */
const compiled = new WeakMap<LockRuntime<unknown>, Map<string, Compiled>>()

const compiledFor = (call: string, kind: 'mutex' | 'rw_semaphore', mode: 'read' | 'write', ctx: unknown, lock: unknown) => {
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

const take = (call: string, kind: 'mutex' | 'rw_semaphore', mode: 'read' | 'write', ctx: unknown, lock: unknown): unknown => {
  const { runtime, c, ops } = compiledFor(call, kind, mode, ctx, lock)
  return runtime.lockGuard(c, ops)
}

/** The model flavour: the acquisition waits in `state`; a signal it lets in ends it with -EINTR (all its steps undone). */
function* takeOp(call: string, kind: 'mutex' | 'rw_semaphore', mode: 'read' | 'write', state: SleepState, ctx: unknown, lock: unknown): Op<unknown> {
  const { runtime, c, ops } = compiledFor(call, kind, mode, ctx, lock)
  const g = yield* runtime.lockGuardWaitOp(c, ops, state)
  return g === null ? -4 : g
}

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
  mutexLockInterruptible: <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
    lock: ModelMutex<N, D, F>,
  ): Op<InterruptibleResult<'mutex', N, D, T>> =>
    takeOp('mutex_lock_interruptible', 'mutex', 'write', 'TASK_INTERRUPTIBLE', ctx, lock) as Op<InterruptibleResult<'mutex', N, D, T>>,
  /** `mutex_lock_killable()` in a model. */
  mutexLockKillable: <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
    lock: ModelMutex<N, D, F>,
  ): Op<InterruptibleResult<'mutex', N, D, T>> =>
    takeOp('mutex_lock_killable', 'mutex', 'write', 'TASK_KILLABLE', ctx, lock) as Op<InterruptibleResult<'mutex', N, D, T>>,
  /** `down_read_interruptible()` in a model. */
  downReadInterruptible: <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
    sem: ModelRwSemaphore<N, D, F>,
  ): Op<InterruptibleResult<'rw_semaphore', N, D, T>> =>
    takeOp('down_read_interruptible', 'rw_semaphore', 'read', 'TASK_INTERRUPTIBLE', ctx, sem) as Op<InterruptibleResult<'rw_semaphore', N, D, T>>,
  /** `down_read_killable()` in a model. */
  downReadKillable: <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
    sem: ModelRwSemaphore<N, D, F>,
  ): Op<InterruptibleResult<'rw_semaphore', N, D, T>> =>
    takeOp('down_read_killable', 'rw_semaphore', 'read', 'TASK_KILLABLE', ctx, sem) as Op<InterruptibleResult<'rw_semaphore', N, D, T>>,
  /** `down_write_killable()` in a model. */
  downWriteKillable: <T extends CtxState, N extends string, D, F extends string>(
    ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
    sem: ModelRwSemaphore<N, D, F>,
  ): Op<InterruptibleResult<'rw_semaphore', N, D, T>> =>
    takeOp('down_write_killable', 'rw_semaphore', 'write', 'TASK_KILLABLE', ctx, sem) as Op<InterruptibleResult<'rw_semaphore', N, D, T>>,
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
export const mutexLockInterruptible = <T extends CtxState, N extends string, D, F extends string>(
  ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
  lock: Mutex<N, D, F>,
): InterruptibleResult<'mutex', N, D, T> => take('mutex_lock_interruptible', 'mutex', 'write', ctx, lock) as InterruptibleResult<'mutex', N, D, T>

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
export const mutexLockKillable = <T extends CtxState, N extends string, D, F extends string>(
  ctx: Context<T> & NoInfer<AcquireCheck<'mutex', N, T, F>>,
  lock: Mutex<N, D, F>,
): InterruptibleResult<'mutex', N, D, T> => take('mutex_lock_killable', 'mutex', 'write', ctx, lock) as InterruptibleResult<'mutex', N, D, T>

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
export const downReadInterruptible = <T extends CtxState, N extends string, D, F extends string>(
  ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
  sem: RwSemaphore<N, D, F>,
): InterruptibleResult<'rw_semaphore', N, D, T> =>
  take('down_read_interruptible', 'rw_semaphore', 'read', ctx, sem) as InterruptibleResult<'rw_semaphore', N, D, T>

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
export const downReadKillable = <T extends CtxState, N extends string, D, F extends string>(
  ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
  sem: RwSemaphore<N, D, F>,
): InterruptibleResult<'rw_semaphore', N, D, T> => take('down_read_killable', 'rw_semaphore', 'read', ctx, sem) as InterruptibleResult<'rw_semaphore', N, D, T>

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
export const downWriteKillable = <T extends CtxState, N extends string, D, F extends string>(
  ctx: Context<T> & NoInfer<AcquireCheck<'rw_semaphore', N, T, F>>,
  sem: RwSemaphore<N, D, F>,
): InterruptibleResult<'rw_semaphore', N, D, T> =>
  take('down_write_killable', 'rw_semaphore', 'write', ctx, sem) as InterruptibleResult<'rw_semaphore', N, D, T>
