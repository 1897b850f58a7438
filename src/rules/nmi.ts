/**
 * What takes a lock that is also taken outside NMI may not run in NMI context: lockdep's
 * `verify_lock_unused()` (kernel/locking/lockdep.c, the only check lock_acquire() makes in NMI)
 * reports "inconsistent {INITIAL USE} -> {IN-NMI} usage" for it, and the NMI can deadlock on
 * its own CPU holding it. up(), down_trylock(), complete(), try_wait_for_completion() take their
 * primitive's raw_spinlock_t. A state whose wait type is above 'spin' cannot be NMI (NMI context
 * admits raw spinlocks only), so only a state that may be NMI *and* allows only raw spinning
 * locks is refused: a helper body declared to take a spinlock_t (execution kind unknown, wait
 * type 'config') may call them.
 */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

export type NotInNmi<S extends CtxState, What extends string, Lock extends string> = 'nmi' extends S['exec']
  ? 'spin' extends S['wait']
    ? LockproofError<`${What} in NMI context: it takes ${Lock}, which is taken outside NMI too (lockdep: inconsistent {INITIAL USE} -> {IN-NMI} usage; the NMI can deadlock on its own CPU)`>
    : unknown
  : unknown
