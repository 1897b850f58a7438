/**
 * The rules of this folder in models: the explorer finds them on the kernel where the kernel is
 * wrong, and the nearest valid pattern explores clean (type-tests/runrules-self-wait.test-d.ts
 * has the models' compile-time half).
 */
import { describe, expect, it } from 'vitest'
import { explore, RT_TRYLOCK_TITLE } from '../../src/index.js'
import type { ModelKernel, Op } from '../../src/index.js'

type LooseOp = (...args: unknown[]) => Op<unknown>
/** An untyped caller's view of a model op the types refuse here (JavaScript yield*s what it returns). */
const loose = <O extends object>(o: O, key: keyof O & string): LooseOp => {
  const f = o[key]
  if (typeof f !== 'function') throw new Error(`${key} is not a method`)
  return (...args) => (f as LooseOp).apply(o, args)
}

describe('models', () => {
  it('a spinlock_t trylock in a no-thread handler: rt-trylock on PREEMPT_RT only', () => {
    const model = (k: ModelKernel) => {
      const stats = k.spinLock('stats', { n: 0 })
      k.irq(6, { noThread: true }, function* (ctx) {
        yield* loose(stats, 'withTryLocked')(ctx, function* () {})
      })
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* () {})
      })
    }
    const r = explore(model, { shrink: false })
    const rt = r.kernels.find((x) => x.kernel === 'rt')
    const normal = r.kernels.find((x) => x.kernel === 'normal')
    expect(normal?.counterexamples).toEqual([])
    expect(rt?.counterexamples.map((c) => c.title)).toContain(RT_TRYLOCK_TITLE)
  })

  it('valid: the same handler taking a raw spinlock with a trylock explores clean on both kernels', () => {
    const model = (k: ModelKernel) => {
      const hw = k.rawSpinLock('hw', { n: 0 })
      k.irq(6, { noThread: true }, function* (ctx) {
        yield* hw.withTryLocked(ctx, function* () {})
      })
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* hw.withLockedIrqSave(ctx, function* () {})
      })
    }
    const r = explore(model, { shrink: false })
    expect(r.ok).toBe(true)
    expect(r.exhausted).toBe(true)
  })

  it('timer_delete_sync() from its own callback: found on both kernels; timer_delete() there explores clean', () => {
    const bad = (k: ModelKernel) => {
      const t = k.timerSetup('t', function* (ctx, timer) {
        yield* loose(timer, 'timerDeleteSync')(ctx)
      })
      k.task('arm', { cpu: 0 }, function* (ctx) {
        t.modTimer(ctx, k.jiffies + 1)
      })
    }
    const r = explore(bad, { shrink: false })
    for (const kernel of r.kernels) expect(kernel.counterexamples.length).toBeGreaterThan(0)
    const good = (k: ModelKernel) => {
      const t = k.timerSetup('t', function* (ctx, timer) {
        timer.timerDelete(ctx)
      })
      k.task('arm', { cpu: 0 }, function* (ctx) {
        t.modTimer(ctx, k.jiffies + 1)
        yield* t.timerDeleteSync(ctx)
      })
    }
    expect(explore(good, { shrink: false }).ok).toBe(true)
  })
})
