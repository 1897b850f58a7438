/**
 * The runtime objects behind the typed faces (api.ts): a ww_class with its `acquire()` section
 * (`ww_acquire_init()` … `ww_acquire_fini()`), its acquire contexts, and its ww_mutexes. Every
 * argument from a JavaScript caller is checked before anything changes.
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

/**
 * `ww_acquire_init()`: the stamp, then `mutex_acquire(&ctx->dep_map, …)` and
 * `mutex_acquire_nest(&ctx->first_lock_dep_map, 0, 0, &ctx->dep_map, …)`; `ww_acquire_fini()`:
 * `mutex_release()` of both, then `DEBUG_LOCKS_WARN_ON(ctx->acquired)`.
 */
const acquire = (host: LockHost, cls: WwClassRuntime, ctx: unknown, cb: unknown): unknown => {
  const what = `ww_acquire_init(${cls.name})`
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
  let threw = true
  try {
    const r = ScopeContext.refuseThenable(what, (cb as (ctx: unknown, actx: object) => unknown)(ctx, publicCtx(host, actx)))
    threw = false
    return r
  } finally {
    if (threw) for (const lock of [...actx.locks]) lock.unlockOnThrow(c)
    releaseRecord(host, cpu, scope.heldLocks, first)
    cls.acquireMap.release(c)
    actx.finished = true
    debugLocksWarnOn(host, cpu, actx.acquired > 0, 'ctx->acquired', 'ww_acquire_fini')
  }
}

/** `DEFINE_WD_CLASS(name)` (waitDie) / `DEFINE_WW_CLASS(name)`. */
export const buildWwClass = (host: LockHost, name: string, isWaitDie: boolean): object => {
  const cls = new WwClassRuntime(host, name, isWaitDie)
  const o = Object.freeze({ kind: 'ww_class', name, waitDie: isWaitDie, acquire: (ctx: unknown, cb: unknown) => acquire(host, cls, ctx, cb) })
  CLASSES.set(o, cls)
  return o
}

/** `ww_mutex_init(lock, ww_class)`. */
export const buildWwMutex = (host: LockHost, wwClass: unknown, data: unknown): object => {
  const cls = typeof wwClass === 'object' && wwClass !== null ? CLASSES.get(wwClass) : undefined
  if (cls === undefined) throw new InvalidArgumentError('ww_mutex_init: the class must come from defineWdClass() or defineWwClass()')
  if (cls.host !== host) throw new ForeignContextError('ww_mutex_init: the ww_class belongs to another kernel')
  const m = new WwMutexRuntime(host, cls)
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
  return Object.freeze({
    kind: 'ww_mutex',
    name: cls.mutexName,
    wwClass: cls.name,
    data,
    get locked() {
      return m.locked
    },
    lock: (ctx: unknown, actx: unknown) => m.lockSync(c(ctx), ctxArg('ww_mutex_lock', ctx, actx), false, 'ww_mutex_lock'),
    lockInterruptible: (ctx: unknown, actx: unknown) =>
      m.lockSync(c(ctx), ctxArg('ww_mutex_lock_interruptible', ctx, actx), true, 'ww_mutex_lock_interruptible'),
    lockSlow: (ctx: unknown, actx: unknown) => {
      m.lockSync(c(ctx), needCtx('ww_mutex_lock_slow', ctx, actx), false, 'ww_mutex_lock_slow')
    },
    lockSlowInterruptible: (ctx: unknown, actx: unknown) =>
      m.lockSync(c(ctx), needCtx('ww_mutex_lock_slow_interruptible', ctx, actx), true, 'ww_mutex_lock_slow_interruptible'),
    trylock: (ctx: unknown, actx: unknown) => m.trylock(c(ctx), ctxArg('ww_mutex_trylock', ctx, actx), 'ww_mutex_trylock'),
    unlock: (ctx: unknown) => {
      cpuOf(host, ctx, 'ww_mutex_unlock')
      m.unlock(c(ctx), 'ww_mutex_unlock')
    },
  })
}
