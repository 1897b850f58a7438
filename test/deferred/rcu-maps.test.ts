/**
 * rcu_read_lock_bh() and rcu_read_lock_sched() take their lockdep maps (include/linux/rcupdate.h:
 * `rcu_lock_acquire(&rcu_bh_lock_map)` / `&rcu_sched_lock_map`; kernel/rcu/update.c: inner
 * LD_WAIT_CONFIG / LD_WAIT_SPIN, outer LD_WAIT_FREE): the run-time twin of
 * type-tests/audit-rcu.test-d.ts, for untyped callers (docs/SEMANTICS.md §24).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat } from '../../src/index.js'
import { loose } from '../locks/helpers.js'

const kinds = (ds: readonly { kind: string }[]) => ds.map((d) => d.kind)

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('a spinlock_t inside rcu_read_lock_sched(): an invalid wait context on both kernels (the map), on RT also sleeping in atomic', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', 0)
    k.run((ctx) => k.rcuReadLockSched(ctx, (ctx) => loose(s)(ctx, () => 0)))
    expect(kinds(k.diagnostics)).toEqual(preemptRt ? ['invalid-wait-context', 'sleeping-in-atomic'] : ['invalid-wait-context'])
    const report = k.diagnostics[0]?.report ?? ''
    // print_lock_invalid_wait_context() names no limit; lockproof keeps it in `context`.
    expect(k.diagnostics[0]).toMatchObject({ context: 'rcu_read_lock_sched()' })
    expect(report).toContain(' #0: (rcu_read_lock_sched){....}-{1:2}, rcu_read_lock_sched()')
    expect([k.heldLocks(0), k.cpu(0).preemptCount]).toEqual([[], 0])
  })

  it('a mutex inside rcu_read_lock_bh(): sleeping in atomic, then the invalid wait context of rcu_bh_lock_map', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', 0)
    k.run((ctx) => k.rcuReadLockBh(ctx, (ctx) => loose(m)(ctx, () => 0)))
    expect(kinds(k.diagnostics)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
  })

  it('the nearest valid patterns: a raw_spinlock_t under rcu_read_lock_sched(), a spinlock_t under rcu_read_lock_bh()', () => {
    const k = createKernel({ preemptRt })
    const r = k.rawSpinLock('r', 0)
    const s = k.spinLock('s', 0)
    const inside = k.run((ctx) => [
      k.rcuReadLockSched(ctx, (ctx) => r.withLocked(ctx, () => k.heldLocks(0))),
      k.rcuReadLockBh(ctx, (ctx) => s.withLocked(ctx, () => k.heldLocks(0))),
    ])
    // heldLocks() lists lock classes; the maps show in lockdep's held-lock lines (above).
    expect(inside).toEqual([['r'], ['s']])
    expect([k.diagnostics, k.heldLocks(0)]).toEqual([[], []])
  })

  it("onDiagnostic: 'throw': the report leaves the CPU and the held-lock stack as before", () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const s = k.spinLock('s', 0)
    expect(() => k.run((ctx) => k.rcuReadLockSched(ctx, (ctx) => loose(s)(ctx, () => 0)))).toThrow(KernelSplat)
    expect([k.heldLocks(0), k.cpu(0).preemptCount, k.cpu(0).softirqCount()]).toEqual([[], 0, 0])
  })
})

describe('without the map', () => {
  it('lockdep off: the normal kernel sees preempt_disable() only; RT still sleeps in atomic', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt, lockdep: false })
      const s = k.spinLock('s', 0)
      k.run((ctx) => k.rcuReadLockSched(ctx, (ctx) => loose(s)(ctx, () => 0)))
      expect(kinds(k.diagnostics)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
    }
  })

  it('CONFIG_PROVE_RAW_LOCK_NESTING off: LD_WAIT_CONFIG is LD_WAIT_SPIN, so spinlock_t under the sched map is not reported', () => {
    const k = createKernel({ proveRawLockNesting: false })
    const s = k.spinLock('s', 0)
    k.run((ctx) => k.rcuReadLockSched(ctx, (ctx) => loose(s)(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})
