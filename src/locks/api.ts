/**
 * The typed face of each lock kind, and the one runtime builder behind all of them. Each public
 * interface is its kind's spec derived at the type level (kinds/derive.ts `LockOf`); the builder
 * makes one closure per entry of the same spec's method tables.
 */
import { ScopeContext } from '../context/context.js'
import type { Context } from '../context/public.js'
import type { CtxState } from '../context/state.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockOf } from '../kinds/derive.js'
import { KIND_SPECS, type KindSpecs } from '../kinds/registry.js'
import type { AnnotatedEntry, MethodEntry } from '../kinds/spec.js'
import type { LockKind } from './kinds.js'
import type { LockRuntime } from './lock.js'
import { MAX_LOCKDEP_SUBCLASSES } from '../lockdep/classes.js'

export type { Guarded, Locked } from './methods.js'

/**
 * `raw_spinlock_t`: spins on both kernels; its irq variants always disable interrupts.
 *
 * @example
 * ```ts
 * import { createKernel, type IrqDisabled, type RawSpinLock } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw: RawSpinLock<'hw', { reg: number }> = kernel.rawSpinLock('hw', { reg: 0 })
 * const poke = (_ctx: IrqDisabled) => {}
 * kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx, r) => { r.reg = 1; poke(ctx) })) // proves IrqDisabled
 * ```
 */
export interface RawSpinLock<N extends string, D, F extends string = never> extends LockOf<'raw_spinlock_t', N, D, F> {}

/**
 * `spinlock_t`: spins on a normal kernel, an rtmutex-based sleeping lock on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { createKernel, type SpinLock } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const stats: SpinLock<'stats', { hits: number }> = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => stats.withLockedIrqSave(ctx, (_ctx, s) => { s.hits++ })) // interrupts stay on, on RT
 * ```
 */
export interface SpinLock<N extends string, D, F extends string = never> extends LockOf<'spinlock_t', N, D, F> {}

/**
 * `rwlock_t`: readers share; `withLocked` is the write side. Sleeping on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { createKernel, type RwLock } from 'lockproof'
 *
 * const kernel = createKernel()
 * const routes: RwLock<'routes', Map<string, number>> = kernel.rwLock('routes', new Map())
 * kernel.run((ctx) => routes.withWrite(ctx, (_ctx, m) => { m.set('default', 1) }))
 * kernel.run((ctx) => routes.withRead(ctx, (_ctx, m) => m.get('default'))) // 1
 * ```
 */
export interface RwLock<N extends string, D, F extends string = never> extends LockOf<'rwlock_t', N, D, F> {}

/**
 * `struct mutex`: sleeps; task context only, nothing spinning held.
 *
 * @example
 * ```ts
 * import { createKernel, type Mutex } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg: Mutex<'cfg', { mode: string }> = kernel.mutex('cfg', { mode: 'fast' })
 * kernel.run((ctx) => cfg.withLocked(ctx, (ctx, c) => { ctx.msleep(1); c.mode = 'safe' })) // may sleep inside
 * ```
 */
export interface Mutex<N extends string, D, F extends string = never> extends LockOf<'mutex', N, D, F> {}

/**
 * `struct rw_semaphore`: sleeps; `withLocked` is the write side (down_write).
 *
 * @example
 * ```ts
 * import { createKernel, type RwSemaphore } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm: RwSemaphore<'mmap_lock', { vmas: number }> = kernel.rwSemaphore('mmap_lock', { vmas: 0 })
 * kernel.run((ctx) => mm.withRead(ctx, (_ctx, m) => m.vmas))
 * ```
 */
export interface RwSemaphore<N extends string, D, F extends string = never> extends LockOf<'rw_semaphore', N, D, F> {}

/**
 * `local_lock_t` with its per-CPU data: preempt/IRQ disable on a normal kernel, a per-CPU lock on RT.
 *
 * @example
 * ```ts
 * import { createKernel, type LocalLock } from 'lockproof'
 *
 * const kernel = createKernel({ cpus: 2 })
 * const pcp: LocalLock<'pcp', { n: number }> = kernel.localLock('pcp', () => ({ n: 0 }))
 * kernel.run((ctx) => pcp.withLocked(ctx, (_ctx, d) => { d.n++ }), { cpu: 1 }) // CPU 1's copy
 * ```
 */
export interface LocalLock<N extends string, D, F extends string = never> extends LockOf<'local_lock_t', N, D, F> {}

/**
 * Rust-for-Linux's `SpinLockIrq`: a spinlock_t taken with spin_lock_irqsave() every time.
 *
 * @example
 * ```ts
 * import { createKernel, type SpinLockIrq } from 'lockproof'
 *
 * const kernel = createKernel()
 * const q: SpinLockIrq<'q', number[]> = kernel.spinLockIrq('q', [])
 * kernel.run((ctx) => {
 *   using a = q.lock(ctx) // counted: nested guards only bump the interrupt-disable count
 *   a.data.push(1)
 * })
 * ```
 */
export interface SpinLockIrq<N extends string, D, F extends string = never> extends LockOf<'SpinLockIrq', N, D, F> {}

/** Which guard methods each kind has, and the variant and mode each one takes (its spec's `guards`). */
export const GUARD_METHODS = {
  raw_spinlock_t: KIND_SPECS.raw_spinlock_t.guards,
  spinlock_t: KIND_SPECS.spinlock_t.guards,
  rwlock_t: KIND_SPECS.rwlock_t.guards,
  mutex: KIND_SPECS.mutex.guards,
  rw_semaphore: KIND_SPECS.rw_semaphore.guards,
  local_lock_t: KIND_SPECS.local_lock_t.guards,
  SpinLockIrq: KIND_SPECS.SpinLockIrq.guards,
} as const satisfies { readonly [K in LockKind]: KindSpecs[K]['guards'] }

/** Which callback methods each kind has, and the variant and mode each one takes (its spec's `methods`). */
export const METHODS = {
  raw_spinlock_t: KIND_SPECS.raw_spinlock_t.methods,
  spinlock_t: KIND_SPECS.spinlock_t.methods,
  rwlock_t: KIND_SPECS.rwlock_t.methods,
  mutex: KIND_SPECS.mutex.methods,
  rw_semaphore: KIND_SPECS.rw_semaphore.methods,
  local_lock_t: KIND_SPECS.local_lock_t.methods,
  SpinLockIrq: KIND_SPECS.SpinLockIrq.methods,
} as const satisfies { readonly [K in LockKind]: KindSpecs[K]['methods'] }

/** A JavaScript caller passed the wrong arguments (out of line: the methods stay small enough to inline). */
const badCall: (what: string, ctx: unknown, ...cb: unknown[]) => never = (what, ctx, ...cb) => {
  const [first, second] = cb.length === 0 ? ['argument', ''] : ['first argument', 'second argument']
  if (!ScopeContext.is(ctx)) throw new InvalidArgumentError(`${what}: the ${first} must be a context`)
  throw new InvalidArgumentError(`${what}: the ${second} must be a function`)
}

/** The runtime behind each built lock, and back (for nest locks and lockdep annotations). */
const RUNTIMES = new WeakMap<object, LockRuntime<unknown>>()
const BUILT = new WeakMap<object, { readonly kind: LockKind; readonly name: string }>()

/** The lock object of a runtime (an instance in a cmp_fn's arguments). */
export const lockOf = (runtime: object): { readonly kind: LockKind; readonly name: string } => {
  const built = BUILT.get(runtime)
  if (built === undefined) throw new InvalidArgumentError('lockdep: not a lock instance')
  return built
}

/** The runtime behind a lock object made by {@link buildLock} (undefined for anything else). */
export const lockRuntimeOf = (lock: object): LockRuntime<unknown> | undefined => RUNTIMES.get(lock)

/** The runtime of a lock object built here; a clear error for anything else. */
export const runtimeOf = (what: string, lock: unknown): LockRuntime<unknown> => {
  const runtime = typeof lock === 'object' && lock !== null ? RUNTIMES.get(lock) : undefined
  if (runtime === undefined) throw new InvalidArgumentError(`${what}: expected a lock made by this kernel`)
  return runtime
}

/** A subclass lockdep accepts (look_up_lock_class(): "BUG: looking up invalid subclass"). */
const subclassOf = (what: string, subclass: unknown): number => {
  if (typeof subclass !== 'number' || !Number.isInteger(subclass) || subclass < 0 || subclass >= MAX_LOCKDEP_SUBCLASSES) {
    throw new InvalidArgumentError(`${what}: the subclass must be an integer 0 … ${MAX_LOCKDEP_SUBCLASSES - 1}`)
  }
  return subclass
}

/** The trylock, `_nested` and `_nest_lock` methods of a lock. */
const addAnnotated = <D>(lock: Record<string, unknown>, runtime: LockRuntime<D>): void => {
  for (const [method, [variant, mode, form, guard]] of Object.entries(runtime.spec.annotated as Readonly<Record<string, AnnotatedEntry>>)) {
    const ops = runtime.compile(method, variant, mode, guard, form === 'try')
    const what = `${runtime.label}.${method}`
    type Cb = (ctx: Context<CtxState>, data: D) => unknown
    if (form === 'try') {
      lock[method] = guard
        ? (ctx: unknown) => {
            if (!ScopeContext.is(ctx)) badCall(what, ctx)
            return runtime.tryLockGuard(ctx, ops)
          }
        : (ctx: unknown, cb: unknown) => {
            if (!ScopeContext.is(ctx) || typeof cb !== 'function') badCall(what, ctx, cb)
            return runtime.tryWithLock(ctx, ops, cb as Cb)
          }
      continue
    }
    const annotation = form === 'nested' ? (arg: unknown) => [subclassOf(what, arg), null] as const : (arg: unknown) => [0, runtimeOf(what, arg)] as const
    lock[method] = guard
      ? (ctx: unknown, arg: unknown) => {
          if (!ScopeContext.is(ctx)) badCall(what, ctx)
          const [subclass, nest] = annotation(arg)
          return runtime.lockGuard(ctx, ops, subclass, nest)
        }
      : (ctx: unknown, arg: unknown, cb: unknown) => {
          if (!ScopeContext.is(ctx) || typeof cb !== 'function') badCall(what, ctx, cb)
          const [subclass, nest] = annotation(arg)
          return runtime.withLock(ctx, ops, cb as Cb, subclass, nest)
        }
  }
}

/** Builds the frozen lock object of a kind: `kind`, `name`, and one closure per method. */
export const buildLock = <D>(runtime: LockRuntime<D>): object => {
  const lock: Record<string, unknown> = { kind: runtime.kind, name: runtime.name }
  addAnnotated(lock, runtime)
  for (const [method, [variant, mode]] of Object.entries(runtime.spec.methods as Readonly<Record<string, MethodEntry>>)) {
    const ops = runtime.compile(method, variant, mode, false)
    lock[method] = (ctx: unknown, cb: unknown) => {
      if (!ScopeContext.is(ctx) || typeof cb !== 'function') badCall(`${runtime.label}.${method}`, ctx, cb)
      return runtime.withLock(ctx, ops, cb as (ctx: Context<CtxState>, data: D) => unknown)
    }
  }
  for (const [method, [variant, mode]] of Object.entries(runtime.spec.guards as Readonly<Record<string, MethodEntry>>)) {
    const ops = runtime.compile(method, variant, mode, true)
    lock[method] = (ctx: unknown) => {
      if (!ScopeContext.is(ctx)) badCall(`${runtime.label}.${method}`, ctx)
      return runtime.lockGuard(ctx, ops)
    }
  }
  const built = Object.freeze(lock)
  RUNTIMES.set(built, runtime as LockRuntime<unknown>)
  BUILT.set(runtime, built as { readonly kind: LockKind; readonly name: string })
  return built
}
