import { LOCK_KINDS, type LockKind } from '../locks/kinds.js'

/**
 * lockdep wait types (include/linux/lockdep_types.h). With CONFIG_PROVE_RAW_LOCK_NESTING off,
 * LD_WAIT_CONFIG *is* LD_WAIT_SPIN (2) and LD_WAIT_SLEEP becomes 3.
 */
export interface WaitValues {
  readonly spin: number
  readonly config: number
  readonly sleep: number
  /** LD_WAIT_MAX: a task outside any interrupt allows everything. */
  readonly max: number
}

export const waitValues = (proveRawLockNesting: boolean): WaitValues =>
  proveRawLockNesting ? { spin: 2, config: 3, sleep: 4, max: 5 } : { spin: 2, config: 2, sleep: 3, max: 4 }

/**
 * What lockdep validates: a lock of a kind, or a bare `lockdep_map` (`lock_map_acquire()`), whose
 * `lockdep_init_map()` leaves the wait types at LD_WAIT_INV (0): no wait-context check for it
 * (`if (!next_inner || …) return 0`), and it constrains no later lock (`if (prev_inner)`).
 */
export type DepKind = LockKind | 'lockdep_map'

/** The type name reports print for a kind. */
export const depLabel = (kind: DepKind): string => (kind === 'lockdep_map' ? 'lockdep_map' : LOCK_KINDS[kind].label)

/** LD_WAIT_* of a kind (LD_WAIT_INV = 0 for a bare lockdep_map). */
export const depWait = (kind: DepKind, wait: WaitValues): number => (kind === 'lockdep_map' ? 0 : wait[LOCK_KINDS[kind].wait])
