/**
 * Locks of defined kinds in models (issue #18): `k.lock(kind, name, data)` makes a
 * generator-flavoured lock of the kind's spec; the runtime twins of
 * type-tests/model-defined-kinds.test-d.ts, on both kernels, and the explorer over such locks.
 */
import { describe, expect, it } from 'vitest'
import {
  BIT_SPIN_LOCK,
  type Diagnostic,
  defineModel,
  InvalidArgumentError,
  type ModelKernel,
  type Op,
  PERCPU_RW_SEMAPHORE,
  ProofRequiredError,
  RT_MUTEX,
  runModel,
  SPIN_LOCK_IRQ_V6,
} from '../../src/index.js'
import { explore } from '../../src/exec/explore/explore.js'

const kinds = (ds: readonly Diagnostic[]) => ds.map((d) => d.kind)

/** A model lock method as untyped JavaScript calls it. */
type LooseOp = (ctx: unknown, ...args: unknown[]) => Op<unknown>
const looseOp = (lock: object, method: string): LooseOp => (lock as Record<string, LooseOp>)[method] as LooseOp
/** An empty section. */
const nothing = function* (): Op<void> {}

describe.each([false, true])('defined kinds in models, preemptRt=%s', (preemptRt) => {
  it("k.lock(kind, …): the kind's name, class and methods; two tasks contending on an rt_mutex: the waiter sleeps, both complete", () => {
    let seen: readonly string[] = []
    const model = defineModel(
      (k) => {
        const pi = k.lock(RT_MUTEX, 'pi', { n: 0 })
        seen = [pi.kind, pi.name, typeof pi.withLocked, typeof pi.lock]
        for (const [comm, cpu] of [
          ['t1', 0],
          ['t2', 1],
        ] as const)
          k.task(comm, { cpu }, function* (ctx) {
            yield* pi.withLocked(ctx, function* (ctx, d) {
              yield* k.msleep(ctx, 1)
              d.n++
            })
          })
      },
      { cpus: 2, preemptRt },
    )
    const r = runModel(model)
    expect(seen).toEqual(['rt_mutex', 'pi', 'function', 'function'])
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })

  it('the valid patterns of the type test report nothing', () => {
    const model = defineModel(
      (k) => {
        const pi = k.lock(RT_MUTEX, 'pi', { prio: 0 })
        const sem = k.lock(PERCPU_RW_SEMAPHORE, 'sem', { n: 0 })
        const bucket = k.lock(BIT_SPIN_LOCK, 'bucket', { n: 0 })
        const stats = k.spinLock('stats', 0)
        const hw = k.rawSpinLock('hw', 0)
        k.task('valid', { cpu: 0 }, function* (ctx) {
          yield* pi.withLocked(ctx, function* (ctx) {
            yield* k.msleep(ctx, 1)
            yield* sem.withRead(ctx, nothing)
          })
          yield* bucket.withLocked(ctx, function* (ctx) {
            yield* hw.withLocked(ctx, nothing)
          })
          yield* stats.withLocked(ctx, function* (ctx) {
            yield* pi.withTryLocked(ctx, nothing)
          })
        })
      },
      { preemptRt, lockOrder: ['pi', 'sem'] },
    )
    const r = runModel(model)
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })

  it('an rt_mutex under a spinlock_t (untyped): might_sleep() and the invalid wait context, as for a mutex', () => {
    const model = defineModel(
      (k) => {
        const pi = k.lock(RT_MUTEX, 'pi', 0)
        const stats = k.spinLock('stats', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* stats.withLocked(ctx, function* (ctx) {
            yield* looseOp(pi, 'withLocked')(ctx, nothing)
          })
        })
      },
      { preemptRt },
    )
    const r = runModel(model)
    expect(kinds(r.diagnostics)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    expect(r.diagnostics[1]?.report).toContain('(pi){....}-{4:4}, rt_mutex')
  })

  it('a spinlock_t inside a bit_spin_lock (untyped): lockdep cannot see the bit lock; on RT the rtlock splats with preemption off', () => {
    const model = defineModel(
      (k) => {
        const bucket = k.lock(BIT_SPIN_LOCK, 'bucket', 0)
        const stats = k.spinLock('stats', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* bucket.withLocked(ctx, function* (ctx) {
            yield* looseOp(stats, 'withLocked')(ctx, nothing)
          })
        })
      },
      { preemptRt },
    )
    expect(kinds(runModel(model).diagnostics)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
  })

  it("rt_mutex_trylock() in a hard interrupt (untyped): the kernel's WARN_ON_ONCE(!in_task()), and the trylock fails", () => {
    let got: unknown = null
    const model = defineModel(
      (k) => {
        const pi = k.lock(RT_MUTEX, 'pi', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
        k.irq(5, { cpu: 0, noThread: true }, function* (ctx) {
          got = yield* looseOp(pi, 'withTryLocked')(ctx, function* () {
            return 1
          })
        })
      },
      { preemptRt },
    )
    const r = runModel(model)
    expect(kinds(r.diagnostics)).toEqual(['trylock-in-interrupt'])
    expect(got).toEqual({ taken: false })
  })

  it('the v6 token kind without interrupts off: ProofRequiredError, as kernel.lock()', () => {
    const model = defineModel(
      (k) => {
        const q6 = k.lock(SPIN_LOCK_IRQ_V6, 'q6', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* looseOp(q6, 'withLocked')(ctx, nothing)
        })
      },
      { preemptRt },
    )
    const r = runModel(model)
    expect(r.outcome).toMatchObject({ kind: 'error', error: expect.any(ProofRequiredError) })
    expect(r.outcome).toMatchObject({
      error: { message: "withLocked(q6): SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires); nothing was taken" },
    })
    expect(r.machine.cpus[0]).toMatchObject({ preemptCount: 0, irqsDisabled: false })
  })

  it('k.lock() of something defineLockKind() did not make: a named error', () => {
    const model = defineModel((k: ModelKernel) => {
      ;(k.lock as unknown as (kind: unknown, name: string, data: unknown) => unknown)({ kind: 'rt_mutex' }, 'x', 0)
    })
    const r = runModel(model, { preemptRt })
    expect(r.outcome).toMatchObject({ kind: 'error', error: expect.any(InvalidArgumentError) })
    expect(r.outcome).toMatchObject({
      error: { message: "lock(): the kind must be one made by defineLockKind() (or a built-in's spec), not a plain object" },
    })
  })
})

describe('the explorer over locks of defined kinds', () => {
  /** Two tasks on two CPUs take two rt_mutexes, in opposite orders (abba) or the same order. */
  const twoMutexes = (abba: boolean) =>
    defineModel(
      (k) => {
        const a = k.lock(RT_MUTEX, 'a', 0)
        const b = k.lock(RT_MUTEX, 'b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* b.withLocked(ctx, nothing)
          })
        })
        // No lock order is declared: the compiler leaves ABBA to lockdep and the explorer.
        k.task('two', { cpu: 1 }, function* (ctx) {
          if (abba)
            yield* b.withLocked(ctx, function* (ctx) {
              yield* a.withLocked(ctx, nothing)
            })
          else
            yield* a.withLocked(ctx, function* (ctx) {
              yield* b.withLocked(ctx, nothing)
            })
        })
      },
      { cpus: 2, lockdep: false },
    )

  it('ABBA on two rt_mutexes: a hung task on both kernels; the same order: every execution explored, nothing found', () => {
    const r = explore(twoMutexes(true))
    expect(r.counterexamples.map((c) => [c.kernel, c.kind])).toEqual([
      ['normal', 'deadlock'],
      ['rt', 'deadlock'],
    ])
    const ok = explore(twoMutexes(false))
    expect(ok.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })
})
