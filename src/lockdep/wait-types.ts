/**
 * lockdep wait types (include/linux/lockdep_types.h). With CONFIG_PROVE_RAW_LOCK_NESTING off,
 * LD_WAIT_CONFIG *is* LD_WAIT_SPIN (2) and LD_WAIT_SLEEP becomes 3.
 */
export interface WaitValues {
  /** LD_WAIT_INV: not checked (a bare `lockdep_map` from `lockdep_init_map()`). */
  readonly inv: number
  /** LD_WAIT_FREE: wait-free (the outer type of RCU's and RT local_bh's maps). */
  readonly free: number
  readonly spin: number
  readonly config: number
  readonly sleep: number
  /** LD_WAIT_MAX: a task outside any interrupt allows everything. */
  readonly max: number
}

const PROVE_RAW: WaitValues = Object.freeze({ inv: 0, free: 1, spin: 2, config: 3, sleep: 4, max: 5 })
const NOT_PROVE_RAW: WaitValues = Object.freeze({ inv: 0, free: 1, spin: 2, config: 2, sleep: 3, max: 4 })

// One object per configuration, not per call: every execution's lockdep reads it.
export const waitValues = (proveRawLockNesting: boolean): WaitValues => (proveRawLockNesting ? PROVE_RAW : NOT_PROVE_RAW)

/**
 * A lockdep wait type at run time (include/linux/lockdep_types.h `enum lockdep_wait_type`:
 * LD_WAIT_INV … LD_WAIT_MAX). The type level's `WaitType` is the three a context can still
 * allow (`spin` < `config` < `sleep`).
 */
export type LockdepWaitType = keyof WaitValues
