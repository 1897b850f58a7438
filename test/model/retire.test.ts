/**
 * The explorer's executions on reused CPUs (src/exec/model/run.ts `modelExecutions`) cut the
 * locks of an execution that has ended off it (src/locks/model-api.ts `retireModelLock`): a
 * lock kept from one execution and used in another is a named error, not a silent run against
 * the old execution's machine; a lock of the running execution works as before.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, InvalidArgumentError, type ModelSpinLock, type Scheduler } from '../../src/index.js'
import { modelExecutions } from '../../src/exec/model/run.js'

const first: Scheduler = { choose: () => 0 }

describe('locks of an ended execution', () => {
  it('a lock kept from the execution before and used in this one: InvalidArgumentError naming the lock', () => {
    let kept: ModelSpinLock<'stats', number> | null = null
    let runs = 0
    const model = defineModel(
      (k) => {
        const fresh = k.spinLock('stats', 0)
        const use = kept ?? fresh
        kept ??= fresh
        runs++
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* use.withLocked(ctx, function* () {})
        })
      },
      { cpus: 1, lockdep: false },
    )
    const run = modelExecutions(model)
    expect(run(first).outcome).toEqual({ kind: 'completed' })
    const second = run(first).outcome
    expect(runs).toBe(2)
    expect(second.kind).toBe('error')
    const error = second.kind === 'error' ? second.error : null
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toBe(
      "spinlock_t 'stats': this lock belongs to an execution that has ended; a model's setup makes its locks anew for every execution (keep nothing between executions)",
    )
  })

  it('valid: the locks each execution makes work in it, execution after execution', () => {
    const seen: number[] = []
    const model = defineModel(
      (k) => {
        const a = k.spinLock('a', { n: 0 })
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (_ctx, d) {
            d.n++
            seen.push(d.n)
          })
        })
      },
      { cpus: 1, lockdep: false },
    )
    const run = modelExecutions(model)
    for (let i = 0; i < 3; i++) expect(run(first).outcome).toEqual({ kind: 'completed' })
    expect(seen).toEqual([1, 1, 1])
  })
})
