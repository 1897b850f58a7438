/**
 * `takes(lock, variant)`: one lock a helper takes, as data. The call site of the helper checks
 * it against the caller's state with the acquire rule of direct code; its body may then take it.
 */
import { InvalidArgumentError } from '../errors.js'
import type { LocalLock, Mutex, RawSpinLock, RwLock, RwSemaphore, SpinLock, SpinLockIrq } from '../locks/api.js'
import { definedKind } from '../kinds/defined.js'
import type { Variant, VariantOf } from '../kinds/lock-kinds.js'
import type { LockKindSpec } from '../kinds/spec.js'
import type { KindRef } from '../kinds/kind-of.js'
import type { LockOf } from '../kinds/derive.js'
import type { DefaultVariant, KindNameOf, ModesOf, TakeArgs } from './defined-takes.js'

declare const afterBrand: unique symbol

/**
 * A lock a helper takes: its kind (a built-in's name, or a defined kind's spec: its `kind` at
 * run time is the spec's name), class, variant and (type only) the classes the kernel's
 * `lockOrder` puts after it.
 *
 * @example
 * ```ts
 * import { createKernel, takes, type Take } from 'lockproof'
 *
 * const kernel = createKernel()
 * const port = kernel.spinLock('port', { tx: 0 })
 * const t: Take<'spinlock_t', 'port', 'irqsave', never> = takes(port, 'irqsave')
 * console.log(t.kind, t.name, t.variant) // spinlock_t port irqsave
 * ```
 */
export interface Take<
  K extends KindRef = KindRef,
  N extends string = string,
  V extends Variant = Variant,
  F extends string = string,
  M extends 'read' | 'write' = 'read' | 'write',
> {
  /** The lock object. */
  readonly lock: object
  /** Its kind's name. */
  readonly kind: KindNameOf<K>
  /** Its class. */
  readonly name: N
  /** The variant the helper takes it with. */
  readonly variant: V
  /** Read or write (rwlock_t and rw_semaphore readers, a defined kind's read side; every other kind is 'write'). */
  readonly mode: M
  /** @internal Phantom: the classes declared after it. Never present at run time. */
  readonly [afterBrand]?: F
}

type SpinVariant = 'plain' | 'irq' | 'irqsave' | 'bh'
type LocalVariant = 'plain' | 'irq' | 'irqsave'

/**
 * Declares that a helper takes `lock` (with `variant`, default `'plain'`; an rwlock_t or
 * rw_semaphore also `'read'` or `'write'`, default `'write'`): for a helper's `takes`. A lock of a
 * defined kind (`kernel.lock(kind, …)`) takes the variants its spec has, and `'read'` where one
 * of its methods reads.
 *
 * @example
 * ```ts
 * import { createKernel, helper, takes } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', { mode: 'fast' })
 * const reconfigure = helper({ name: 'reconfigure', takes: [takes(cfg)] }, (ctx) =>
 *   cfg.withLocked(ctx, (_ctx, c) => { c.mode = 'safe' }),
 * )
 * kernel.run((ctx) => reconfigure(ctx))
 * ```
 *
 * @example
 * ```ts
 * import { createKernel, helper, PERCPU_RW_SEMAPHORE, takes } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hotplug = kernel.lock(PERCPU_RW_SEMAPHORE, 'hotplug', { online: 4 })
 * // A defined kind's lock: its spec's variants, and 'read' since one of its methods reads.
 * const online = helper({ name: 'online_cpus', takes: [takes(hotplug, 'plain', 'read')] }, (ctx) =>
 *   hotplug.withRead(ctx, (_ctx, h) => h.online),
 * )
 * kernel.run((ctx) => online(ctx)) // 4
 * ```
 */
export function takes<N extends string, D, F extends string, V extends SpinVariant = 'plain'>(
  lock: RawSpinLock<N, D, F>,
  variant?: V,
): Take<'raw_spinlock_t', N, NoInfer<V>, F, 'write'>
export function takes<N extends string, D, F extends string, V extends SpinVariant = 'plain'>(
  lock: SpinLock<N, D, F>,
  variant?: V,
): Take<'spinlock_t', N, NoInfer<V>, F, 'write'>
export function takes<N extends string, D, F extends string, V extends SpinVariant = 'plain', M extends 'read' | 'write' = 'write'>(
  lock: RwLock<N, D, F>,
  variant?: V,
  mode?: M,
): Take<'rwlock_t', N, NoInfer<V>, F, NoInfer<M>>
export function takes<N extends string, D, F extends string, V extends LocalVariant = 'plain'>(
  lock: LocalLock<N, D, F>,
  variant?: V,
): Take<'local_lock_t', N, NoInfer<V>, F, 'write'>
export function takes<N extends string, D, F extends string>(lock: Mutex<N, D, F>, variant?: 'plain'): Take<'mutex', N, 'plain', F, 'write'>
export function takes<N extends string, D, F extends string, M extends 'read' | 'write' = 'write'>(
  lock: RwSemaphore<N, D, F>,
  variant?: 'plain',
  mode?: M,
): Take<'rw_semaphore', N, 'plain', F, NoInfer<M>>
export function takes<N extends string, D, F extends string>(lock: SpinLockIrq<N, D, F>, variant?: 'plain'): Take<'SpinLockIrq', N, 'plain', F, 'write'>
/** A lock of a defined kind (`kernel.lock(kind, name, data)`): its variants and sides are its spec's. */
export function takes<
  S extends LockKindSpec,
  N extends string,
  D,
  F extends string,
  V extends VariantOf<S> = DefaultVariant<S>,
  M extends ModesOf<S> = 'write',
>(lock: LockOf<S, N, D, F>, ...args: TakeArgs<S, V, M>): Take<S, N, NoInfer<V>, F, NoInfer<M>>
export function takes(lock: unknown, variant: unknown = 'plain', mode: unknown = 'write'): Take {
  const spec = lockSpecOf(lock, 'takes()')
  const { kind } = spec
  const variants = spec.variants as Record<string, unknown>
  if (typeof variant !== 'string' || !(variant in variants)) {
    throw new InvalidArgumentError(`takes(): ${kind} has no variant ${String(variant)} (${Object.keys(variants).join(', ')})`)
  }
  if (mode !== 'write' && !(mode === 'read' && readable(spec))) {
    throw new InvalidArgumentError(`takes(): ${kind} is taken for write only, not ${String(mode)}`)
  }
  const { name } = lock as { name: string }
  return Object.freeze({ lock: lock as object, kind, name, variant: variant as Variant, mode: mode === 'read' ? 'read' : 'write' })
}

/** A kind has readers when one of its methods takes it for read (rwlock_t, rw_semaphore, a defined kind's read side). */
const readable = (spec: LockKindSpec): boolean =>
  [spec.methods, spec.guards, spec.annotated].some((table) => Object.values(table).some((entry) => entry[1] === 'read'))

/**
 * The spec of a lock object's kind — a built-in's or a defined kind's (defineLockKind()) — or a
 * named error.
 */
export const lockSpecOf = (lock: unknown, what: string): LockKindSpec => {
  const kind = typeof lock === 'object' && lock !== null ? (lock as { kind?: unknown }).kind : undefined
  const spec = typeof kind === 'string' ? definedKind(kind) : undefined
  if (spec === undefined || typeof (lock as { name?: unknown }).name !== 'string') {
    throw new InvalidArgumentError(`${what}: expected a lock made by a kernel (spinLock(), mutex(), kernel.lock(kind, …), …)`)
  }
  return spec
}
