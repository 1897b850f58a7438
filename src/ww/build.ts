/**
 * The runtime objects behind the typed faces (api.ts): a ww_class with its `acquire()` section
 * (`ww_acquire_init()` … `ww_acquire_fini()`), its acquire contexts, and its ww_mutexes. Every
 * argument from a JavaScript caller is checked before anything changes. The same builders make
 * the model flavour (src/ww/model.ts): the ops that may wait are handed out as generators.
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import { ForeignContextError, InvalidArgumentError } from '../errors.js'
import type { LockHost } from '../locks/lock.js'
import type { Cpu } from '../machine/cpu.js'
import type { CtxState } from '../rules/state.js'
import { WwAcquireCtxRuntime } from './acquire-ctx.js'
import { debugLocksWarnOn } from './debug-warn.js'
import { releaseRecord, validateRecord, WwRecord } from './record.js'
import { WwClassRuntime } from './ww-class.js'
import { acquireCtxArg, WwMutexRuntime } from './ww-mutex.js'
import type { SyncDrive } from '../exec/sync-wait.js'
import type { Op, WaitChannel, Waker } from '../exec/wait.js'

const CLASSES = new WeakMap<object, WwClassRuntime>()
const CONTEXTS = new WeakMap<object, WwAcquireCtxRuntime>()

/** The usable CPU of a context of `host`'s kernel (refused, nothing changed, otherwise). */
const cpuOf = (host: LockHost, ctx: unknown, what: string): Cpu => {
  const cpu = ScopeContext.from(ctx, what).assertUsable(what)
  if (host.cpus[cpu.id] !== cpu)
    throw new ForeignContextError(`${what}: the context belongs to another kernel; use a context of the kernel that made the ww_class`)
  return cpu
}

/** The public face of an acquire context. */
const publicCtx = (host: LockHost, actx: WwAcquireCtxRuntime): object => {
  const o = Object.freeze({
    wwClass: actx.cls.name,
    stamp: actx.stamp,
    get acquired() {
      return actx.acquired
    },
    get wounded() {
      return actx.wounded
    },
    done: (ctx: unknown) => {
      const what = `ww_acquire_done(${actx.cls.name})`
      const cpu = cpuOf(host, ctx, what)
      if (actx.finished) throw new InvalidArgumentError(`${what}: the acquire context was released by ww_acquire_fini()`)
      debugLocksWarnOn(host, cpu, actx.doneAcquire, 'ctx->done_acquire', 'ww_acquire_done')
      actx.doneAcquire = true
    },
  })
  CONTEXTS.set(o, actx)
  return o
}

/** The model flavour's hooks: op tracking (a forgotten yield*), the waker, wait channels. */
export interface ModelHooks {
  track<R>(op: Op<R>, what: string): Op<R>
  readonly waker: Waker
  channel(kind: string, name: string): WaitChannel
}

/** An acquire section in progress: what ww_acquire_fini() takes back. */
interface Section {
  readonly cpu: Cpu
  readonly scope: ScopeContext
  readonly first: WwRecord
  readonly actx: WwAcquireCtxRuntime
  readonly pub: object
}

/**
 * `ww_acquire_init()`: the stamp, then `mutex_acquire(&ctx->dep_map, …)` and
 * `mutex_acquire_nest(&ctx->first_lock_dep_map, 0, 0, &ctx->dep_map, …)`.
 */
const acquireInit = (host: LockHost, cls: WwClassRuntime, ctx: unknown, cb: unknown, what: string): Section => {
  const cpu = cpuOf(host, ctx, what)
  if (typeof cb !== 'function') throw new InvalidArgumentError(`${what}: the second argument must be a function`)
  const scope = ScopeContext.from(ctx, what)
  const c = ctx as Context<CtxState>
  cls.acquireMap.acquire(c)
  const first = new WwRecord(cls.mutexName, cls.firstLockId, cpu, false, cls.acquireMap.id)
  try {
    validateRecord(host, cpu, scope.heldLocks, first)
  } catch (error) {
    cls.acquireMap.release(c)
    throw error
  }
  scope.heldLocks.push(first)
  const actx = new WwAcquireCtxRuntime(cls, ++cls.stamp, cpu.current.pid, first)
  return { cpu, scope, first, actx, pub: publicCtx(host, actx) }
}

/**
 * `ww_acquire_fini()`: `mutex_release()` of both maps, then `DEBUG_LOCKS_WARN_ON(ctx->acquired)`.
 * A section that threw first releases what its context holds, as a lock scope releases its lock.
 */
const acquireFini = (host: LockHost, cls: WwClassRuntime, ctx: unknown, s: Section, threw: boolean): void => {
  const c = ctx as Context<CtxState>
  if (threw) for (const lock of [...s.actx.locks]) lock.unlockOnThrow(c)
  releaseRecord(host, s.cpu, s.scope.heldLocks, s.first)
  cls.acquireMap.release(c)
  s.actx.finished = true
  debugLocksWarnOn(host, s.cpu, s.actx.acquired > 0, 'ctx->acquired', 'ww_acquire_fini')
}

/** The synchronous section: ww_acquire_init(), `cb`, ww_acquire_fini(). */
const acquire = (host: LockHost, cls: WwClassRuntime, ctx: unknown, cb: unknown): unknown => {
  const what = `ww_acquire_init(${cls.name})`
  const s = acquireInit(host, cls, ctx, cb, what)
  let threw = true
  try {
    const r = ScopeContext.refuseThenable(what, (cb as (ctx: unknown, actx: object) => unknown)(ctx, s.pub))
    threw = false
    return r
  } finally {
    acquireFini(host, cls, ctx, s, threw)
  }
}

/** A generator's result (what `yield*` can run). */
const isOp = (v: unknown): v is Op<unknown> => typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function'

/** The model's section: the same around `yield* cb(ctx, actx)`. */
function* acquireOp(host: LockHost, cls: WwClassRuntime, ctx: unknown, cb: unknown): Op<unknown> {
  const what = `ww_acquire_init(${cls.name})`
  const s = acquireInit(host, cls, ctx, cb, what)
  let threw = true
  try {
    const section = (cb as (ctx: unknown, actx: object) => unknown)(ctx, s.pub)
    if (!isOp(section)) throw new InvalidArgumentError(`${what}: in a model the section must be a generator function (function*), run with yield*`)
    const r = yield* section
    threw = false
    return r
  } finally {
    acquireFini(host, cls, ctx, s, threw)
  }
}

/** `DEFINE_WD_CLASS(name)` (waitDie) / `DEFINE_WW_CLASS(name)`; `model`: the generator flavour. */
export const buildWwClass = (host: LockHost, name: string, isWaitDie: boolean, model: ModelHooks | null = null): object => {
  const cls = new WwClassRuntime(host, name, isWaitDie)
  const acquireOf =
    model === null
      ? (ctx: unknown, cb: unknown) => acquire(host, cls, ctx, cb)
      : (ctx: unknown, cb: unknown) => model.track(acquireOp(host, cls, ctx, cb), `${name}.acquire(ctx, …)`)
  const o = Object.freeze({ kind: 'ww_class', name, waitDie: isWaitDie, acquire: acquireOf })
  CLASSES.set(o, cls)
  return o
}

/** `ww_mutex_lock_slow()` returns nothing: `ret = ww_mutex_lock(lock, ctx); (void)ret;`. */
function* voidOp(op: Op<number>): Op<void> {
  yield* op
}

/** `ww_mutex_init(lock, ww_class)`; `flavour`: the synchronous driver, or the model's hooks (the generator flavour). */
export const buildWwMutex = (host: LockHost, wwClass: unknown, data: unknown, flavour: SyncDrive | ModelHooks): object => {
  const model = typeof flavour === 'function' ? null : flavour
  const cls = typeof wwClass === 'object' && wwClass !== null ? CLASSES.get(wwClass) : undefined
  if (cls === undefined) throw new InvalidArgumentError('ww_mutex_init: the class must come from defineWdClass() or defineWwClass()')
  if (cls.host !== host) throw new ForeignContextError('ww_mutex_init: the ww_class belongs to another kernel')
  const m = new WwMutexRuntime(host, cls, model === null ? null : model.channel('ww_mutex', cls.mutexName))
  if (model !== null) m.waker = model.waker
  const ctxArg = (what: string, ctx: unknown, actx: unknown) =>
    acquireCtxArg(what, actx, (v) => (typeof v === 'object' && v !== null ? CONTEXTS.get(v) : undefined), cpuOf(host, ctx, what))
  const needCtx = (what: string, ctx: unknown, actx: unknown): WwAcquireCtxRuntime => {
    const a = ctxArg(what, ctx, actx)
    if (a === null) throw new InvalidArgumentError(`${what}: needs the acquire context that got -EDEADLK`)
    // include/linux/ww_mutex.h ww_mutex_lock_slow(): `DEBUG_LOCKS_WARN_ON(!ctx->contending_lock);`
    debugLocksWarnOn(host, cpuOf(host, ctx, what), a.contendingLock === null, '!ctx->contending_lock', what)
    return a
  }
  const c = (ctx: unknown) => ctx as Context<CtxState>
  /** The synchronous call, or the model's op; `slow`: its value dropped, as ww_mutex_lock_slow() does. */
  const lockIn = (ctx: unknown, actx: WwAcquireCtxRuntime | null, interruptible: boolean, what: string, slow: boolean): unknown => {
    if (typeof flavour === 'function') {
      const r = m.lockSync(c(ctx), actx, interruptible, what, flavour)
      return slow && !interruptible ? undefined : r
    }
    const op = m.lockOp(c(ctx), actx, interruptible, what)
    return slow && !interruptible ? flavour.track(voidOp(op), `${what}(ctx, …)`) : flavour.track(op, `${what}(ctx, …)`)
  }
  // The arguments are checked at the call, before the op runs: bad input throws at once in both flavours.
  return Object.freeze({
    kind: 'ww_mutex',
    name: cls.mutexName,
    wwClass: cls.name,
    data,
    get locked() {
      return m.locked
    },
    lock: (ctx: unknown, actx: unknown) => lockIn(ctx, ctxArg('ww_mutex_lock', ctx, actx), false, 'ww_mutex_lock', false),
    lockInterruptible: (ctx: unknown, actx: unknown) =>
      lockIn(ctx, ctxArg('ww_mutex_lock_interruptible', ctx, actx), true, 'ww_mutex_lock_interruptible', false),
    lockSlow: (ctx: unknown, actx: unknown) => lockIn(ctx, needCtx('ww_mutex_lock_slow', ctx, actx), false, 'ww_mutex_lock_slow', true),
    lockSlowInterruptible: (ctx: unknown, actx: unknown) =>
      lockIn(ctx, needCtx('ww_mutex_lock_slow_interruptible', ctx, actx), true, 'ww_mutex_lock_slow_interruptible', true),
    trylock: (ctx: unknown, actx: unknown) => m.trylock(c(ctx), ctxArg('ww_mutex_trylock', ctx, actx), 'ww_mutex_trylock'),
    unlock: (ctx: unknown) => {
      cpuOf(host, ctx, 'ww_mutex_unlock')
      m.unlock(c(ctx), 'ww_mutex_unlock')
    },
  })
}
