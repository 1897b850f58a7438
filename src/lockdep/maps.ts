/**
 * lockdep maps that are not locks, and the wait types, labels and lock types every class is
 * made with (a lock kind's come from its spec). rcu_read_lock() takes `rcu_lock_map` (kernel/rcu/update.c), and on PREEMPT_RT
 * every `__local_bh_disable_ip()` takes `bh_lock_map` (kernel/softirq.c): both are entries of
 * the task's held-lock stack, printed, counted toward MAX_LOCK_DEPTH and part of chain keys.
 */
import { kindSpec } from '../kinds/registry.js'
import type { LockKindSpec, LockType, ReadRecursion } from '../kinds/spec.js'
import type { AnyKindName } from '../kinds/kind-of.js'
import type { WaitValues } from './wait-types.js'

/** `enum lockdep_lock_type`: local_lock_t and RT's bh_lock_map are LD_LOCK_PERCPU (LOCAL_SPIN_DEP_MAP_INIT on RT too). */
export type { LockType } from '../kinds/spec.js'

/**
 * The maps. `check`: the `check` argument of their lock_acquire() — rcu_lock_acquire() passes 0
 * (`lock_acquire(map, 0, 0, 2, 0, NULL, _THIS_IP_)`), lock_map_acquire_read() 1
 * (`lock_acquire_shared_recursive()`: `lock_acquire(l, s, t, 2, 1, n, i)`). Both are recursive
 * reads (read == 2) with wait_type_outer LD_WAIT_FREE and wait_type_inner LD_WAIT_CONFIG.
 */
export const LOCKDEP_MAPS = {
  rcu_read_lock: { label: 'rcu_read_lock()', check: false, lockType: 'normal' },
  // rcu_read_lock_bh() / rcu_read_lock_sched(): rcu_lock_acquire(&rcu_bh_lock_map / &rcu_sched_lock_map), check == 0.
  rcu_read_lock_bh: { label: 'rcu_read_lock_bh()', check: false, lockType: 'normal' },
  rcu_read_lock_sched: { label: 'rcu_read_lock_sched()', check: false, lockType: 'normal' },
  // .lock_type = LD_LOCK_PERCPU: usage_skip() leaves it out of irq-inversion searches.
  local_bh: { label: 'local_bh_disable()', check: true, lockType: 'percpu' },
} as const satisfies Record<string, { label: string; check: boolean; lockType: LockType }>

export type LockdepMapName = keyof typeof LOCKDEP_MAPS
/**
 * What a lock class is made from: a lock kind, one of the maps, or a bare `lockdep_map` of the
 * user's (`kernel.lockMap()`, lock-map.ts): `lockdep_init_map()` leaves its wait types at
 * LD_WAIT_INV, so it is not wait-checked (`if (!next_inner || …) return 0`) and constrains no
 * lock under it (`if (prev_inner)`).
 */
export type LockdepKind = AnyKindName | LockdepMapName | 'lockdep_map'

/**
 * What a class is made with, as `struct lockdep_map` carries it (include/linux/lockdep_types.h):
 * its name's label, `wait_type_inner`, `wait_type_outer` (`?: wait_type_inner` already applied),
 * `lock_type`, and how a read of it reaches lockdep. Copied into the class when it is made
 * (classes.ts); lockdep reads them from the class.
 */
export interface ClassTypes {
  /** How reports name an acquisition of this kind (`spinlock_t`, `rcu_read_lock()`). */
  readonly label: string
  readonly inner: keyof WaitValues
  /** `wait_type_outer ?: wait_type_inner`. */
  readonly outer: keyof WaitValues
  readonly lockType: LockType
  /** One of lockdep's own maps (or a bare `lockdep_map`), not a lock. */
  readonly map: boolean
  /** `rwlock_acquire_read()` (read == 2 where `read_lock_is_recursive()`) or `lock_acquire_shared()`; null for a map. */
  readonly readRecursion: ReadRecursion | null
}

/**
 * A lock kind's class types, from its spec's `lockdep` (kinds/builtins.ts). A kind without a
 * lockdep map never reaches lockdep (locks/lock.ts); its label and LD_WAIT_INV keep the held-lock
 * printing total.
 */
const fromSpec = (s: LockKindSpec): ClassTypes => ({
  label: s.label,
  inner: s.lockdep?.waitInner ?? 'inv',
  outer: s.lockdep?.waitOuter ?? s.lockdep?.waitInner ?? 'inv',
  lockType: s.lockdep?.lockType ?? 'normal',
  map: false,
  readRecursion: s.readRecursion,
})

/** The maps' class types: recursive reads with wait_type_outer LD_WAIT_FREE and wait_type_inner LD_WAIT_CONFIG. */
const MAP_TYPES: Readonly<Record<LockdepMapName | 'lockdep_map', ClassTypes>> = {
  rcu_read_lock: {
    label: LOCKDEP_MAPS.rcu_read_lock.label,
    inner: 'config',
    outer: 'free',
    lockType: LOCKDEP_MAPS.rcu_read_lock.lockType,
    map: true,
    readRecursion: null,
  },
  local_bh: { label: LOCKDEP_MAPS.local_bh.label, inner: 'config', outer: 'free', lockType: LOCKDEP_MAPS.local_bh.lockType, map: true, readRecursion: null },
  // kernel/rcu/update.c: rcu_bh_lock_map LD_WAIT_CONFIG inner; rcu_sched_lock_map `.wait_type_inner = LD_WAIT_SPIN` (both outer LD_WAIT_FREE).
  rcu_read_lock_bh: { label: LOCKDEP_MAPS.rcu_read_lock_bh.label, inner: 'config', outer: 'free', lockType: 'normal', map: true, readRecursion: null },
  rcu_read_lock_sched: { label: LOCKDEP_MAPS.rcu_read_lock_sched.label, inner: 'spin', outer: 'free', lockType: 'normal', map: true, readRecursion: null },
  lockdep_map: { label: 'lockdep_map', inner: 'inv', outer: 'inv', lockType: 'normal', map: true, readRecursion: null },
}

/** Every lock kind's class types, made once per kind from the open registry (kinds/defined.ts) on first use. */
const KIND_TYPES = new Map<string, ClassTypes>()

/** The class types of a kind: from its spec in the registry, or the map's. */
export const classTypesOf = (kind: LockdepKind | string): ClassTypes => {
  const known = KIND_TYPES.get(kind) ?? (MAP_TYPES as Readonly<Record<string, ClassTypes | undefined>>)[kind]
  if (known !== undefined) return known
  let t: ClassTypes
  try {
    t = fromSpec(kindSpec(kind))
  } catch {
    throw new Error(`lockdep: no class types for '${kind}'`)
  }
  KIND_TYPES.set(kind, t)
  return t
}

/** Whether a kind is one of lockdep's own maps (named by what takes them, `rcu_read_lock()`). */
export const isLockdepMap = (kind: LockdepKind): kind is LockdepMapName => kind in LOCKDEP_MAPS
