// The explorer's watched per-CPU data (k.perCpu): a struct per CPU, reached by this_cpu_ptr() / per_cpu_ptr().
import { expectError, expectType } from 'tsd'
import { defineModel, type ModelPerCpu } from '../src/index.js'

defineModel(
  (k) => {
    const pcp = k.perCpu('pcp', (cpu) => ({ n: cpu, list: [] as number[] }))
    expectType<ModelPerCpu<{ n: number; list: number[] }>>(pcp)
    const lock = k.localLock('pcp.lock', () => null)

    k.task('valid', { cpu: 0 }, function* (ctx) {
      // The nearest valid pattern: the own copy under its local_lock, another CPU's copy read.
      yield* lock.withLocked(ctx, function* (ctx) {
        pcp.thisCpuPtr(ctx).n++
        pcp.thisCpuPtr(ctx).list.push(1)
      })
      expectType<number>(pcp.perCpuPtr(ctx, 1).n)
      // @expect-error Expected 2 arguments, but got 1
      expectError(pcp.perCpuPtr(ctx))
    })

    // The per-CPU data is a struct: a bare counter is `{ n: 0 }`.
    // @expect-error Type 'number' is not assignable to type 'object'
    expectError(k.perCpu('count', () => 0))
  },
  { cpus: 2 },
)
