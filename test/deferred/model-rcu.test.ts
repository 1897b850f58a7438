/**
 * RCU inside models (src/deferred/model/rcu.ts): a grace period ends when the read-side
 * sections begun before it have ended; callbacks run from the tick's RCU core processing
 * (RCU_SOFTIRQ on a normal kernel, rcuc/N on PREEMPT_RT); synchronize_rcu() and rcu_barrier() wait.
 */
import { describe, expect, it } from 'vitest'
import { assertNoCounterexample, defineModel, explore, type ExploreResult, type Op, runModel } from '../../src/index.js'
import { loose } from './loose.js'

const summary = (r: ExploreResult): (string | number | boolean)[][] => r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

/**
 * A reader dereferences `gp` (object 1) in a read-side section and uses it after a scheduling
 * point; the updater publishes object 2 and frees object 1 — right away, after synchronize_rcu(),
 * or in call_rcu(). Cells (marked accesses: rcu_dereference() / rcu_assign_pointer()) hold the
 * pointer and the last freed object.
 */
const updater = (how: 'at once' | 'synchronize_rcu' | 'call_rcu') =>
  defineModel(
    (k) => {
      const gp = k.cell('gp', 1)
      const freed = k.cell('freed', 0)
      k.task('reader', { cpu: 0 }, function* (ctx) {
        yield* k.rcuReadLock(ctx, function* (ctx) {
          const p = yield* gp.readOnce(ctx)
          yield* k.cpuRelax(ctx)
          if ((yield* freed.readOnce(ctx)) >= p) throw new Error(`use after free: the reader's object ${p} was freed`)
        })
      })
      k.task('updater', { cpu: 1 }, function* (ctx) {
        yield* gp.writeOnce(ctx, 2)
        if (how === 'at once') yield* freed.writeOnce(ctx, 1)
        else if (how === 'synchronize_rcu') {
          yield* k.synchronizeRcu(ctx)
          yield* freed.writeOnce(ctx, 1)
        } else {
          yield* k.callRcu(ctx, function* (ctx) {
            yield* freed.writeOnce(ctx, 1)
          })
        }
      })
    },
    { cpus: 2, lockdep: false },
  )

describe('grace periods', () => {
  it('freeing the old object at once: the reader still inside its section sees it freed, on both kernels', () => {
    const r = explore(updater('at once'), { stopOnFailure: false })
    expect(summary(r)).toEqual([
      ['normal', true, 1],
      ['rt', true, 1],
    ])
    expect(r.kernels[0]?.counterexamples[0]?.title).toContain('use after free')
  })

  it.each(['synchronize_rcu', 'call_rcu'] as const)(
    'valid: freeing it after %s() — the grace period waits for the reader; every interleaving, nothing found',
    (how) => {
      const r = explore(updater(how))
      expect(summary(r)).toEqual([
        ['normal', true, 0],
        ['rt', true, 0],
      ])
      assertNoCounterexample(r)
    },
  )

  it("synchronize_rcu() inside a read-side section (untyped code): lockdep-RCU's warning, then the wait that never ends — a hung task on both kernels", () => {
    const m = defineModel((k) => {
      const sync = loose(k, 'synchronizeRcu')
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* k.rcuReadLock(ctx, function* (ctx) {
          yield* sync(ctx) as Op<void>
        })
      })
    })
    const r = explore(m, { stopOnFailure: false })
    // RCU_LOCKDEP_WARN(), then might_sleep() with RCU nest depth 1, then the wait for itself.
    const expected = [
      'deadlock: INFO: task t:1 blocked for more than 120 seconds.',
      'diagnostic: WARNING: suspicious RCU usage', // lockdep_rcu_suspicious()
      'diagnostic: BUG: sleeping function called from invalid context',
    ]
    expect(titles(r, 'normal')).toEqual(expected)
    expect(titles(r, 'rt')).toEqual(expected)
    expect(runModel(m).diagnostics.find((x) => x.title.startsWith('BUG'))?.report).toContain('RCU nest depth: 1, expected: 0')
  })
})

describe('RCU callbacks', () => {
  it('run from the tick: in RCU_SOFTIRQ on a normal kernel (over the interrupted task), in rcuc/N with BH off on PREEMPT_RT', () => {
    const where = (preemptRt: boolean): string[] => {
      const comms = new Set<string>()
      const m = defineModel((k) => {
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.callRcu(ctx, function* (ctx) {
            comms.add(ctx.comm)
          })
          yield* k.cpuRelax(ctx)
        })
      })
      const r = explore(m, { kernels: [preemptRt ? 'rt' : 'normal'] })
      expect(r.kernels[0]?.counterexamples).toEqual([])
      return [...comms].sort()
    }
    expect(where(false)).toEqual(['swapper/0', 't'])
    expect(where(true)).toEqual(['rcuc/0'])
  })

  /** A module's exit: call_rcu() for a last object, then (or not) rcu_barrier() before its code goes away. */
  const unload = (barrier: boolean) =>
    defineModel(
      (k) => {
        const mod = { loaded: true }
        k.task('rmmod', { cpu: 0 }, function* (ctx) {
          yield* k.callRcu(ctx, function* () {
            if (!mod.loaded) throw new Error('an RCU callback ran after its module was unloaded')
          })
          if (barrier) yield* k.rcuBarrier(ctx)
          mod.loaded = false
        })
      },
      { lockdep: false },
    )

  it('module exit without rcu_barrier(): the callback may run after the unload, on both kernels', () => {
    const r = explore(unload(false), { stopOnFailure: false })
    expect(summary(r)).toEqual([
      ['normal', true, 1],
      ['rt', true, 1],
    ])
    expect(r.kernels[1]?.counterexamples[0]?.title).toContain('after its module was unloaded')
  })

  it('valid: rcu_barrier() first — it waits for the callback; nothing found', () => {
    const r = explore(unload(true))
    expect(summary(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })

  it('mutex_lock() in an RCU callback (untyped code) is the might-sleep splat, on both kernels', () => {
    for (const preemptRt of [false, true]) {
      const m = defineModel(
        (k) => {
          const cfg = k.mutex('cfg', 0)
          const lock = loose(cfg, 'withLocked')
          k.task('t', { cpu: 0 }, function* (ctx) {
            yield* k.callRcu(ctx, function* (ctx) {
              yield* lock(ctx, function* () {}) as Op<unknown>
            })
            yield* k.cpuRelax(ctx)
          })
        },
        { lockdep: false },
      )
      expect(runModel(m, { preemptRt }).diagnostics.map((d) => d.title)).toContain('BUG: sleeping function called from invalid context')
    }
  })
})
