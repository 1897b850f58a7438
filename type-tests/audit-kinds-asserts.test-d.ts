// An outside audit of #18's kinds (auditkinds): lockdep's assertions and LockedBy over a defined
// kind's lock. include/linux/lockdep.h: `lockdep_assert_held(l)` is
// `lockdep_assert(lockdep_is_held(l) != LOCK_STATE_NOT_HELD)` and `lockdep_is_held(lock)` is
// `lock_is_held(&(lock)->dep_map)`: any lock with a map (rt_mutex, percpu_rw_semaphore:
// `percpu_rwsem_assert_held(sem)` is `lockdep_assert_held(sem)`); a bit_spin_lock has none, so the
// C does not compile. Rust's LockedBy (rust/kernel/sync/locked_by.rs) checks the owner by
// address, not by lockdep. The run-time side: test/kinds/audit-asserts.test.ts.
import { expectError } from 'tsd'
import {
  BIT_SPIN_LOCK,
  createKernel,
  LockedBy,
  lockdepAssertHeld,
  lockdepAssertHeldOnce,
  lockdepAssertHeldRead,
  lockdepAssertHeldWrite,
  lockdepAssertNotHeld,
  PERCPU_RW_SEMAPHORE,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
} from '../src/index.js'

const kernel = createKernel()
const pi = kernel.lock(RT_MUTEX, 'pi', { prio: 0 })
const hotplug = kernel.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', { online: 4 })
const bucket = kernel.lock(BIT_SPIN_LOCK, 'hlist_bl', { n: 0 })
const qc = kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'qc', 0)
const boosted = new LockedBy(pi, { waiters: 0 })
const chain = new LockedBy(bucket, { first: 0 })

kernel.run((ctx) => {
  // Valid: held, with a map.
  pi.withLocked(ctx, (ctx) => {
    lockdepAssertHeld(ctx, pi)
    lockdepAssertHeldOnce(ctx, pi)
    lockdepAssertHeldWrite(ctx, pi)
    lockdepAssertNotHeld(ctx, hotplug)
    boosted.access(ctx).waiters++
    // @expect-error lockdep_assert_not_held(pi): rt_mutex 'pi' is held here, so the kernel's WARN_ON() fires
    expectError(lockdepAssertNotHeld(ctx, pi))
  })
  hotplug.withRead(ctx, (ctx) => lockdepAssertHeldRead(ctx, hotplug))
  qc.withLocked(ctx, (ctx) => lockdepAssertHeld(ctx, qc))
  // Not held.
  // @expect-error lockdep_assert_held(pi): rt_mutex 'pi' is not held here, so the kernel's WARN_ON() fires
  expectError(lockdepAssertHeld(ctx, pi))
  // @expect-error lockdep_assert_held_read(cpu_hotplug_lock): percpu_rw_semaphore 'cpu_hotplug_lock' is not held here
  expectError(lockdepAssertHeldRead(ctx, hotplug))
  // @expect-error LockedBy: this data is protected by rt_mutex 'pi', which is not held here
  expectError(boosted.access(ctx))

  // bit_spin_lock has no lockdep map: no lockdep assertion of it compiles, held or not.
  bucket.withLocked(ctx, (ctx) => {
    // @expect-error lockdep_assert_held(hlist_bl): bit_spin_lock 'hlist_bl' has no lockdep map (its kind's lockdep is null), so lockdep cannot tell whether it is held
    expectError(lockdepAssertHeld(ctx, bucket))
    // The nearest valid pattern: LockedBy does not ask lockdep (Rust's checks the owner's address).
    chain.access(ctx).first++
  })
  // @expect-error lockdep_assert_not_held(hlist_bl): bit_spin_lock 'hlist_bl' has no lockdep map
  expectError(lockdepAssertNotHeld(ctx, bucket))
  // @expect-error LockedBy: this data is protected by bit_spin_lock 'hlist_bl', which is not held here
  expectError(chain.access(ctx))
})
