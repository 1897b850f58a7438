/**
 * An outside audit of #18's kinds (auditkinds): lockdep's assertions and LockedBy over a defined
 * kind's lock, for untyped callers, on both kernels (the compile-time side:
 * type-tests/audit-kinds-asserts.test-d.ts). `lockdep_is_held(lock)` is
 * `lock_is_held(&(lock)->dep_map)` (include/linux/lockdep.h): rt_mutex and percpu_rw_semaphore
 * have a map; bit_spin_lock has none, so the assertion is refused, never a false WARN.
 */
import { describe, expect, it } from 'vitest'
import {
  BIT_SPIN_LOCK,
  createKernel,
  InvalidArgumentError,
  LockedBy,
  LockedByError,
  lockdepAssertHeld,
  lockdepAssertHeldRead,
  lockdepAssertHeldWrite,
  lockdepAssertNotHeld,
  PERCPU_RW_SEMAPHORE,
  RT_MUTEX,
} from '../../src/index.js'

type Kernel = ReturnType<typeof createKernel>
const kinds = (k: Kernel) => k.diagnostics.map((d) => d.kind)
/** An assertion as an untyped caller calls it. */
const untyped = (f: unknown) => f as (ctx: unknown, lock: unknown) => void

describe.each([false, true])('lockdep assertions and LockedBy over defined kinds, preemptRt: %s', (preemptRt) => {
  it('rt_mutex: held is silent, not held is the WARN_ON()', () => {
    const k = createKernel({ preemptRt })
    const pi = k.lock(RT_MUTEX, 'pi', 0)
    k.run((ctx) => pi.withLocked(ctx, (ctx) => lockdepAssertHeld(ctx, pi)))
    k.run((ctx) => pi.withLocked(ctx, (ctx) => lockdepAssertHeldWrite(ctx, pi)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => untyped(lockdepAssertHeld)(ctx, pi))
    expect(kinds(k)).toEqual(['lockdep-assert'])
    expect(k.diagnostics[0]?.title).toContain('at lockdep_assert_held')
  })

  it('percpu_rw_semaphore: a read holds it for read (percpu_rwsem_assert_held()), not for write', () => {
    const k = createKernel({ preemptRt })
    const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
    k.run((ctx) => sem.withRead(ctx, (ctx) => lockdepAssertHeldRead(ctx, sem)))
    k.run((ctx) => sem.withRead(ctx, (ctx) => lockdepAssertHeld(ctx, sem)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => sem.withRead(ctx, (ctx) => untyped(lockdepAssertHeldWrite)(ctx, sem)))
    expect(kinds(k)).toEqual(['lockdep-assert'])
  })

  it('bit_spin_lock has no lockdep map: every assertion of it is refused, held or not, and nothing changes', () => {
    const k = createKernel({ preemptRt })
    const b = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
    const refused = "lockdep_assert_held(hlist_bl): bit_spin_lock 'hlist_bl' has no lockdep map (its kind's lockdep is null)"
    let preemptCount = -1
    expect(() =>
      k.run((ctx) =>
        b.withLocked(ctx, (ctx) => {
          try {
            untyped(lockdepAssertHeld)(ctx, b)
          } finally {
            preemptCount = k.cpu(0).preemptCount
          }
        }),
      ),
    ).toThrow(refused)
    expect(preemptCount).toBe(1)
    expect(() => k.run((ctx) => untyped(lockdepAssertNotHeld)(ctx, b))).toThrow(InvalidArgumentError)
    expect(k.diagnostics).toEqual([])
    expect(k.run(() => k.cpu(0).preemptCount)).toBe(0)
  })

  it('LockedBy: a defined kind owner works, a map-less one too (the lock word says who holds it)', () => {
    const k = createKernel({ preemptRt })
    const pi = k.lock(RT_MUTEX, 'pi', 0)
    const b = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
    const waiters = new LockedBy(pi, { n: 0 })
    const first = new LockedBy(b, { n: 0 })
    k.run((ctx) => pi.withLocked(ctx, (ctx) => waiters.access(ctx).n++))
    k.run((ctx) => b.withLocked(ctx, (ctx) => first.access(ctx).n++))
    expect(k.run((ctx) => pi.withLocked(ctx, (ctx) => waiters.access(ctx).n))).toBe(1)
    expect(k.run((ctx) => b.withLocked(ctx, (ctx) => first.access(ctx).n))).toBe(1)
    const untypedAccess = (ctx: unknown, l: { access(ctx: never): unknown }) => (l.access as (ctx: unknown) => unknown).call(l, ctx)
    expect(() => k.run((ctx) => untypedAccess(ctx, first))).toThrow(LockedByError)
    expect(() => k.run((ctx) => untypedAccess(ctx, first))).toThrow("LockedBy<bit_spin_lock 'hlist_bl'>: bit_spin_lock 'hlist_bl' is not held by this task")
    expect(() => k.run((ctx) => untypedAccess(ctx, waiters))).toThrow("LockedBy<rt_mutex 'pi'>: rt_mutex 'pi' is not held by this task")
  })

  it("LockedBy over a map-less owner: another instance of the class held is not this one's", () => {
    const k = createKernel({ preemptRt })
    const b1 = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
    const b2 = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
    const data = new LockedBy(b1, 0)
    const access = data.access as (ctx: unknown) => unknown
    expect(() => k.run((ctx) => b2.withLocked(ctx, (ctx) => access.call(data, ctx)))).toThrow(LockedByError)
    expect(k.run((ctx) => b1.withLocked(ctx, (ctx) => data.access(ctx)))).toBe(0)
  })
})
