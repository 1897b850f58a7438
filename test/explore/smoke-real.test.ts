import { it } from 'vitest'
import { defineModel } from '../../src/index.js'
import { explore } from '../../src/exec/explore/explore.js'
import { formatExploreResult } from '../../src/exec/explore/assert.js'
it('smoke', () => {
  const abba = defineModel(
    (k) => {
      const a = k.spinLock('a', 0)
      const b = k.spinLock('b', 0)
      k.task('one', { cpu: 0 }, function* (ctx) {
        yield* a.withLocked(ctx, function* (ctx) {
          yield* b.withLocked(ctx, function* () {})
        })
      })
      k.task('two', { cpu: 1 }, function* (ctx) {
        yield* b.withLocked(ctx, function* (ctx) {
          yield* a.withLocked(ctx, function* () {})
        })
      })
    },
    { cpus: 2, lockdep: false },
  )
  const r = explore(abba)
  console.log(formatExploreResult(r))
})
