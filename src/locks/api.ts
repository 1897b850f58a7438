/**
 * The typed face of each lock kind, and the one runtime builder behind all of them. The builder
 * makes one closure per entry of the kind's spec (kinds/registry.ts). The interfaces are written
 * out member by member: each is exactly `LockOf` of its kind (kinds/derive.ts), which the type
 * test type-tests/kinds-derive.test-d.ts checks, member by member; written out, a lock's members
 * are instantiated one at a time when used, where a mapped type resolves all of them at the
 * first use (about 40 instantiations more per lock site, over the type budget).
 */
import { ScopeContext } from '../exec/scope.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockCommon } from '../kinds/derive.js'
import { KIND_SPECS, type KindSpecs } from '../kinds/registry.js'
import type { AnnotatedEntry, MethodEntry } from '../kinds/spec.js'
import type { LockKind } from '../kinds/lock-kinds.js'
import type { Guarded, Locked } from './methods.js'
import { LOCK_RUNTIME, LockRuntime } from './lock.js'
import type { MutexAnnotations, RwlockTryAnnotations, RwTryAnnotations, RwsemNestedAnnotations, SpinAnnotations } from './annotated-api.js'
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
export interface RawSpinLock<N extends string, D, F extends string = never>
  extends LockCommon<'raw_spinlock_t', N>,
    SpinAnnotations<'raw_spinlock_t', N, D, F> {
  /** `raw_spin_lock()` … `raw_spin_unlock()` around `cb`. */
  readonly withLocked: Locked<'raw_spinlock_t', N, 'plain', D, F>
  /** `raw_spin_lock_irq()` … `raw_spin_unlock_irq()` around `cb`. */
  readonly withLockedIrq: Locked<'raw_spinlock_t', N, 'irq', D, F>
  /** `raw_spin_lock_irqsave()` … `raw_spin_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: Locked<'raw_spinlock_t', N, 'irqsave', D, F>
  /** `raw_spin_lock_bh()` … `raw_spin_unlock_bh()` around `cb`. */
  readonly withLockedBh: Locked<'raw_spinlock_t', N, 'bh', D, F>
  /** `raw_spin_lock()` as a guard. */
  readonly lock: Guarded<'raw_spinlock_t', N, 'plain', D, F>
  /** `raw_spin_lock_irq()` as a guard. */
  readonly lockIrq: Guarded<'raw_spinlock_t', N, 'irq', D, F>
  /** `raw_spin_lock_irqsave()` as a guard. */
  readonly lockIrqSave: Guarded<'raw_spinlock_t', N, 'irqsave', D, F>
  /** `raw_spin_lock_bh()` as a guard. */
  readonly lockBh: Guarded<'raw_spinlock_t', N, 'bh', D, F>
}

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
export interface SpinLock<N extends string, D, F extends string = never> extends LockCommon<'spinlock_t', N>, SpinAnnotations<'spinlock_t', N, D, F> {
  /** `spin_lock()` … `spin_unlock()` around `cb`. */
  readonly withLocked: Locked<'spinlock_t', N, 'plain', D, F>
  /** `spin_lock_irq()` … `spin_unlock_irq()` around `cb`. */
  readonly withLockedIrq: Locked<'spinlock_t', N, 'irq', D, F>
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: Locked<'spinlock_t', N, 'irqsave', D, F>
  /** `spin_lock_bh()` … `spin_unlock_bh()` around `cb`. */
  readonly withLockedBh: Locked<'spinlock_t', N, 'bh', D, F>
  /** `spin_lock()` as a guard. */
  readonly lock: Guarded<'spinlock_t', N, 'plain', D, F>
  /** `spin_lock_irq()` as a guard. */
  readonly lockIrq: Guarded<'spinlock_t', N, 'irq', D, F>
  /** `spin_lock_irqsave()` as a guard. */
  readonly lockIrqSave: Guarded<'spinlock_t', N, 'irqsave', D, F>
  /** `spin_lock_bh()` as a guard. */
  readonly lockBh: Guarded<'spinlock_t', N, 'bh', D, F>
}

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
export interface RwLock<N extends string, D, F extends string = never> extends LockCommon<'rwlock_t', N>, RwlockTryAnnotations<N, D> {
  /** `write_lock()` … `write_unlock()` around `cb` (same as `withWrite`). */
  readonly withLocked: Locked<'rwlock_t', N, 'plain', D, F>
  /** `read_lock()` … `read_unlock()` around `cb`. */
  readonly withRead: Locked<'rwlock_t', N, 'plain', D, F, 'read'>
  /** `write_lock()` … `write_unlock()` around `cb`. */
  readonly withWrite: Locked<'rwlock_t', N, 'plain', D, F>
  /** `read_lock_irq()` … `read_unlock_irq()` around `cb`. */
  readonly withReadIrq: Locked<'rwlock_t', N, 'irq', D, F, 'read'>
  /** `write_lock_irq()` … `write_unlock_irq()` around `cb`. */
  readonly withWriteIrq: Locked<'rwlock_t', N, 'irq', D, F>
  /** `read_lock_irqsave()` … `read_unlock_irqrestore()` around `cb`. */
  readonly withReadIrqSave: Locked<'rwlock_t', N, 'irqsave', D, F, 'read'>
  /** `write_lock_irqsave()` … `write_unlock_irqrestore()` around `cb`. */
  readonly withWriteIrqSave: Locked<'rwlock_t', N, 'irqsave', D, F>
  /** `read_lock_bh()` … `read_unlock_bh()` around `cb`. */
  readonly withReadBh: Locked<'rwlock_t', N, 'bh', D, F, 'read'>
  /** `write_lock_bh()` … `write_unlock_bh()` around `cb`. */
  readonly withWriteBh: Locked<'rwlock_t', N, 'bh', D, F>
  /** `write_lock()` as a guard (same as `write`). */
  readonly lock: Guarded<'rwlock_t', N, 'plain', D, F>
  /** `read_lock()` as a guard. */
  readonly read: Guarded<'rwlock_t', N, 'plain', D, F, 'read'>
  /** `write_lock()` as a guard. */
  readonly write: Guarded<'rwlock_t', N, 'plain', D, F>
  /** `read_lock_irq()` as a guard. */
  readonly readIrq: Guarded<'rwlock_t', N, 'irq', D, F, 'read'>
  /** `write_lock_irq()` as a guard. */
  readonly writeIrq: Guarded<'rwlock_t', N, 'irq', D, F>
  /** `read_lock_irqsave()` as a guard. */
  readonly readIrqSave: Guarded<'rwlock_t', N, 'irqsave', D, F, 'read'>
  /** `write_lock_irqsave()` as a guard. */
  readonly writeIrqSave: Guarded<'rwlock_t', N, 'irqsave', D, F>
  /** `read_lock_bh()` as a guard. */
  readonly readBh: Guarded<'rwlock_t', N, 'bh', D, F, 'read'>
  /** `write_lock_bh()` as a guard. */
  readonly writeBh: Guarded<'rwlock_t', N, 'bh', D, F>
}

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
export interface Mutex<N extends string, D, F extends string = never> extends LockCommon<'mutex', N>, MutexAnnotations<N, D, F> {
  /** `mutex_lock()` … `mutex_unlock()` around `cb`. */
  readonly withLocked: Locked<'mutex', N, 'plain', D, F>
  /** `mutex_lock()` as a guard. */
  readonly lock: Guarded<'mutex', N, 'plain', D, F>
}

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
export interface RwSemaphore<N extends string, D, F extends string = never>
  extends LockCommon<'rw_semaphore', N>,
    RwTryAnnotations<'rw_semaphore', N, D>,
    RwsemNestedAnnotations<N, D, F> {
  /** `down_write()` … `up_write()` around `cb` (same as `withWrite`). */
  readonly withLocked: Locked<'rw_semaphore', N, 'plain', D, F>
  /** `down_read()` … `up_read()` around `cb`. */
  readonly withRead: Locked<'rw_semaphore', N, 'plain', D, F>
  /** `down_write()` … `up_write()` around `cb`. */
  readonly withWrite: Locked<'rw_semaphore', N, 'plain', D, F>
  /** `down_write()` as a guard (same as `write`). */
  readonly lock: Guarded<'rw_semaphore', N, 'plain', D, F>
  /** `down_read()` as a guard. */
  readonly read: Guarded<'rw_semaphore', N, 'plain', D, F>
  /** `down_write()` as a guard. */
  readonly write: Guarded<'rw_semaphore', N, 'plain', D, F>
}

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
export interface LocalLock<N extends string, D, F extends string = never> extends LockCommon<'local_lock_t', N> {
  /** `local_lock()` … `local_unlock()` around `cb`, with this CPU's data. */
  readonly withLocked: Locked<'local_lock_t', N, 'plain', D, F>
  /** `local_lock_irq()` … `local_unlock_irq()` around `cb`. */
  readonly withLockedIrq: Locked<'local_lock_t', N, 'irq', D, F>
  /** `local_lock_irqsave()` … `local_unlock_irqrestore()` around `cb`. */
  readonly withLockedIrqSave: Locked<'local_lock_t', N, 'irqsave', D, F>
  /** `local_lock()` as a guard. */
  readonly lock: Guarded<'local_lock_t', N, 'plain', D, F>
  /** `local_lock_irq()` as a guard. */
  readonly lockIrq: Guarded<'local_lock_t', N, 'irq', D, F>
  /** `local_lock_irqsave()` as a guard. */
  readonly lockIrqSave: Guarded<'local_lock_t', N, 'irqsave', D, F>
}

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
export interface SpinLockIrq<N extends string, D, F extends string = never> extends LockCommon<'SpinLockIrq', N> {
  /** `spin_lock_irqsave()` … `spin_unlock_irqrestore()` around `cb`. */
  readonly withLocked: Locked<'SpinLockIrq', N, 'plain', D, F>
  /** A guard: counted interrupt disabling by default (spin_lock_irq_disable()), so nested guards only bump the count. */
  readonly lock: Guarded<'SpinLockIrq', N, 'plain', D, F>
}

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

/**
 * Enters a model kernel's lock object (./model-api.ts) beside its runtime: on the two objects
 * themselves (`runtime.built`, and the lock's own `LOCK_RUNTIME`, set by its builder), as a model
 * builds its locks for every execution and a WeakMap entry per short-lived key cost more in
 * garbage collection than building the lock.
 */
export const registerLock = (built: { readonly kind: LockKind; readonly name: string }, runtime: LockRuntime<unknown>): void => {
  runtime.built = built
}

/** The runtime behind a lock object: this file's (the maps), or a model lock's (its own). */
const runtimeIn = (lock: object): LockRuntime<unknown> | undefined =>
  RUNTIMES.get(lock) ?? (lock as { readonly [LOCK_RUNTIME]?: LockRuntime<unknown> })[LOCK_RUNTIME]

/** The lock object of a runtime (an instance in a cmp_fn's arguments). */
export const lockOf = (runtime: object | undefined): { readonly kind: LockKind; readonly name: string } => {
  const built = runtime === undefined ? undefined : (BUILT.get(runtime) ?? (runtime instanceof LockRuntime ? (runtime.built ?? undefined) : undefined))
  if (built === undefined) throw new InvalidArgumentError('lockdep: not a lock instance')
  return built
}

/** The runtime behind a lock object made by {@link buildLock} or the model kernel (undefined for anything else). */
export const lockRuntimeOf = (lock: object): LockRuntime<unknown> | undefined => runtimeIn(lock)

/** The runtime of a lock object built here; a clear error for anything else. */
export const runtimeOf = (what: string, lock: unknown): LockRuntime<unknown> => {
  const runtime = typeof lock === 'object' && lock !== null ? runtimeIn(lock) : undefined
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
  // Copied into a literal: V8 keeps an object given more than a dozen properties by computed-key
  // stores as a dictionary, and each `lock.withLocked` on one was a slow lookup.
  const built = Object.freeze({ ...lock })
  RUNTIMES.set(built, runtime as LockRuntime<unknown>)
  BUILT.set(runtime, built as { readonly kind: LockKind; readonly name: string })
  return built
}
