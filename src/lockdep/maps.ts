/**
 * lockdep maps that are not locks, and the wait types, labels and lock types of every class
 * lockdep sees. rcu_read_lock() takes `rcu_lock_map` (kernel/rcu/update.c), and on PREEMPT_RT
 * every `__local_bh_disable_ip()` takes `bh_lock_map` (kernel/softirq.c): both are entries of
 * the task's held-lock stack, printed, counted toward MAX_LOCK_DEPTH and part of chain keys.
 */
import { LOCK_KINDS, type LockKind } from '../locks/kinds.js'
import type { WaitValues } from './wait-types.js'

/** `enum lockdep_lock_type`: local_lock_t and RT's bh_lock_map are LD_LOCK_PERCPU (LOCAL_SPIN_DEP_MAP_INIT on RT too). */
export type LockType = 'normal' | 'percpu'

/**
 * The maps. `check`: the `check` argument of their lock_acquire() — rcu_lock_acquire() passes 0
 * (`lock_acquire(map, 0, 0, 2, 0, NULL, _THIS_IP_)`), lock_map_acquire_read() 1
 * (`lock_acquire_shared_recursive()`: `lock_acquire(l, s, t, 2, 1, n, i)`). Both are recursive
 * reads (read == 2) with wait_type_outer LD_WAIT_FREE and wait_type_inner LD_WAIT_CONFIG.
 */
export const LOCKDEP_MAPS = {
  rcu_read_lock: { label: 'rcu_read_lock()', check: false, lockType: 'normal' },
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
export type LockdepKind = LockKind | LockdepMapName | 'lockdep_map'

interface ClassTypes {
  /** How reports name an acquisition of this kind (`spinlock_t`, `rcu_read_lock()`). */
  readonly label: string
  readonly inner: keyof WaitValues
  /** `wait_type_outer ?: wait_type_inner`. */
  readonly outer: keyof WaitValues
  readonly lockType: LockType
  readonly map: boolean
}

const lockTypes = (k: LockKind): ClassTypes => {
  const { label, wait } = LOCK_KINDS[k]
  return { label, inner: wait, outer: wait, lockType: k === 'local_lock_t' ? 'percpu' : 'normal', map: false }
}

/** Every class kind's wait types, label and lock type, looked up once per use (no branches). */
export const CLASS_TYPES: Readonly<Record<LockdepKind, ClassTypes>> = {
  ...(Object.fromEntries((Object.keys(LOCK_KINDS) as LockKind[]).map((k) => [k, lockTypes(k)])) as Record<LockKind, ClassTypes>),
  ...(Object.fromEntries(
    (Object.keys(LOCKDEP_MAPS) as LockdepMapName[]).map((m) => [
      m,
      { label: LOCKDEP_MAPS[m].label, inner: 'config', outer: 'free', lockType: LOCKDEP_MAPS[m].lockType, map: true },
    ]),
  ) as Record<LockdepMapName, ClassTypes>),
  lockdep_map: { label: 'lockdep_map', inner: 'inv', outer: 'inv', lockType: 'normal', map: true },
}

/** Whether a kind is one of lockdep's own maps (named by what takes them, `rcu_read_lock()`). */
export const isLockdepMap = (kind: LockdepKind): kind is LockdepMapName => kind in LOCKDEP_MAPS
