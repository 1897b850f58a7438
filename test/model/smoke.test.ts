import { describe, expect, it } from 'vitest'
import { defineModel, runModel } from '../../src/index.js'

describe('model smoke', () => {
  it('two tasks on two CPUs contend on a spinlock', () => {
    const m = defineModel(
      (k) => {
        const a = k.spinLock('a', { n: 0 })
        k.task('t1', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (_ctx, d) {
            d.n++
          })
        })
        k.task('t2', { cpu: 1 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (_ctx, d) {
            d.n++
          })
        })
      },
      { cpus: 2 },
    )
    const r = runModel(m, { trace: true })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.diagnostics).toEqual([])
  })
})
