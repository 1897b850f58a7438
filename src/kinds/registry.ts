/**
 * The built-in kinds' registry: the seven built-ins (builtins.ts), by kind name, with their
 * literal types (every defined kind, these included, is also in the open registry, defined.ts). Everything
 * that needs a kind's facts reads its spec from here: the lock runtime (steps per variant per
 * kernel), lockdep (the class's wait types, lock type and read rule, copied when the class is
 * made), the factories (kernel.ts), the method tables and, at the type level, the derived lock
 * interfaces (derive.ts). `LOCK_KINDS` (kinds/lock-kinds.ts) is the public view of its step tables.
 *
 * A user-defined kind is one more entry of the open registry: see docs/defining-kinds.md.
 */
import { LOCAL_LOCK, MUTEX, RAW_SPINLOCK, RW_SEMAPHORE, RWLOCK, SPIN_LOCK_IRQ, SPINLOCK } from './builtins.js'
import { definedKind } from './defined.js'
import type { LockKindSpec, Mode, Ops, Variant } from './spec.js'

/**
 * The seven built-in kinds' specs, by kind name: what `defineLockKind()` made of them, for
 * `kernel.lock(KIND_SPECS.spinlock_t, …)` or as the start of a kind of one's own.
 *
 * @example
 * ```ts
 * import { createKernel, defineLockKind, KIND_SPECS } from 'lockproof'
 *
 * const myMutex = defineLockKind({ ...KIND_SPECS.mutex, kind: 'my_mutex', label: 'my_mutex' })
 * const kernel = createKernel()
 * const m = kernel.lock(myMutex, 'm', 0)
 * kernel.run((ctx) => m.withLocked(ctx, (ctx) => ctx.msleep(1)))
 * ```
 */
export const KIND_SPECS = {
  raw_spinlock_t: RAW_SPINLOCK,
  spinlock_t: SPINLOCK,
  rwlock_t: RWLOCK,
  local_lock_t: LOCAL_LOCK,
  mutex: MUTEX,
  rw_semaphore: RW_SEMAPHORE,
  SpinLockIrq: SPIN_LOCK_IRQ,
} as const satisfies Record<string, LockKindSpec>

/** The registry's type: every type-level rule reads a kind's facts from it. */
export type KindSpecs = typeof KIND_SPECS

/** A built-in kind's name. */
export type KindName = keyof KindSpecs

/** The spec of a kind, built-in or defined (a clear error for a name no kind has). */
export const kindSpec = (kind: string): LockKindSpec => {
  const spec = definedKind(kind)
  if (spec === undefined) throw new Error(`no lock kind '${kind}' in the registry`)
  return spec
}

/** The steps of `variant` of a kind in `mode` on a configuration. */
export const opsOfSpec = (spec: LockKindSpec, variant: Variant, preemptRt: boolean, mode: Mode = 'write'): Ops => {
  const table = mode === 'read' && spec.readVariants !== null ? spec.readVariants : spec.variants
  const perConfig = table[variant]
  if (perConfig === undefined) throw new Error(`${spec.kind} has no ${variant} variant`)
  return preemptRt ? perConfig.rt : perConfig.normal
}
