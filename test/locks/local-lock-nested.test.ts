/**
 * local_lock_t on a normal kernel has no lock word: include/linux/local_lock_internal.h makes
 * local_lock() `preempt_disable(); local_lock_acquire(this_cpu_ptr(lock))`, and
 * local_lock_acquire() is lockdep's lock_map_acquire() plus an owner field checked by
 * DEBUG_LOCKS_WARN_ON(). An interrupt handler taking it over the task that holds it therefore
 * does not wait: lockdep reports the inconsistent state (mark_usage() runs before the AA check,
 * and its report switches debug_locks off, so the owner WARN stays silent), and the per-CPU data
 * is raced on. On PREEMPT_RT local_lock_t is a per-CPU spinlock_t: the threaded handler sleeps.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineModel, explore } from '../../src/index.js'
import { kinds, loose } from './helpers.js'

describe('local_lock_t taken again on its CPU by an interrupt handler', () => {
  const run = (noThread: boolean) => {
    const k = createKernel({})
    const pcp = k.localLock('pcp', () => ({ n: 0 }))
    // IRQF_NO_THREAD is a compile error (type-tests: local_lock_t sleeps on RT); untyped here.
    const take = loose(pcp, 'withLockedIrqSave')
    if (noThread) k.requestIrq(9, 'dev', (ctx) => void take.call(pcp, ctx, () => undefined), { noThread: true })
    else k.requestIrq(9, 'dev', (ctx) => void pcp.withLockedIrqSave(ctx, (_c, d) => void d.n++))
    k.run((ctx) =>
      pcp.withLocked(ctx, (c, d) => {
        d.n++
        c.raiseIrq(9)
      }),
    )
    expect(k.heldLocks()).toEqual([])
    return k
  }

  it('kernel.run, normal kernel, a force-threadable handler: no spinning; lockdep reports the inconsistent state only', () => {
    const k = run(false)
    expect(kinds(k)).toEqual(['inconsistent-lock-state'])
    expect(k.diagnostics[0]).toMatchObject({ title: 'WARNING: inconsistent lock state', lock: "local_lock_t 'pcp'" })
  })

  it('kernel.run, normal kernel, IRQF_NO_THREAD: the invalid wait context (LD_WAIT_CONFIG in hardirq), and no spinning', () => {
    const k = run(true)
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    expect(k.diagnostics[0]).toMatchObject({ lock: "local_lock_t 'pcp'", context: 'hardirq context' })
  })

  const model = (lockdep: boolean) =>
    defineModel(
      (k) => {
        const pcp = k.localLock('pcp', () => ({ n: 0 }))
        k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
          yield* pcp.withLockedIrqSave(ctx, function* (_ctx, d) {
            d.n++
          })
        })
        k.task('t0', { cpu: 0 }, function* (ctx) {
          yield* pcp.withLocked(ctx, function* (ctx, d) {
            const v = d.n
            yield* k.cpuRelax(ctx)
            d.n = v + 1
          })
        })
      },
      { cpus: 1, lockdep },
    )

  it('explore, normal kernel: no deadlock; lockdep on: inconsistent lock state and the data race; lockdep off: the data race', () => {
    const on = explore(model(true), { kernels: ['normal'], stopOnFailure: false })
    expect(on.counterexamples.map((c) => c.title)).toEqual(['WARNING: inconsistent lock state', 'BUG: KCSAN: data-race in dev / t0'])
    const off = explore(model(false), { kernels: ['normal'], stopOnFailure: false })
    expect(off.counterexamples.map((c) => c.title)).toEqual(['BUG: KCSAN: data-race in dev / t0'])
  })

  it('explore, PREEMPT_RT (the twin): the threaded handler sleeps on the per-CPU spinlock_t, nothing to report', () => {
    const r = explore(model(true), { kernels: ['rt'], stopOnFailure: false })
    expect(r.kernels[0]?.exhausted).toBe(true)
    expect(r.counterexamples).toEqual([])
  })
})
