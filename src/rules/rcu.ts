/**
 * The RCU read-side flavours that are not scopes of their own (include/linux/rcupdate.h):
 * `rcu_read_lock_sched()` is `preempt_disable(); … rcu_lock_acquire(&rcu_sched_lock_map);` and
 * `rcu_read_lock_bh()` is `local_bh_disable(); … rcu_lock_acquire(&rcu_bh_lock_map);`, on both
 * kernels. The maps' inner wait types (kernel/rcu/update.c: LD_WAIT_SPIN, LD_WAIT_CONFIG) are what
 * their preempt_disable() / local_bh_disable() already allow; the reason names the section.
 */
import type { SoftirqCounted } from './in-interrupt.js'
import type { CtxState, With } from './state.js'
import type { Restrict } from './transitions.js'

/** Inside `rcu_read_lock_sched()`: preemption off on both kernels; only raw spinning locks. */
export type RcuReadLockedSchedIn<S extends CtxState> = With<
  Restrict<S, 'spin', 'in an RCU-sched read-side section (rcu_read_lock_sched(): preemption disabled)'>,
  { preempt: true }
>

/** Inside `rcu_read_lock_bh()`: bottom halves off on both kernels (the softirq count raised); no sleeping. */
export type RcuReadLockedBhIn<S extends CtxState> = With<
  Restrict<S, 'config', 'in an RCU-bh read-side section (rcu_read_lock_bh())'>,
  { bh: true; held: S['held'] | SoftirqCounted }
>
