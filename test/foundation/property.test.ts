/**
 * Random nested programs on random kernels (./program.ts): every CPU ends exactly as it began,
 * no interrupt is lost, and at every step every predicate agrees with a reference computed from
 * the raw fields and masks. 2 × 5,000 programs on the mainline layout, on 1 and 2 CPUs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Runner, configArb } from './program.js'

const RUNS = 5_000

describe.each([false, true])('random nested programs, preemptRt=%s', (preemptRt) => {
  it(`${RUNS} programs: CPUs end as they began; predicates agree with the reference at every step`, () => {
    let steps = 0
    fc.assert(
      fc.property(configArb('mainline', preemptRt), (config) => {
        const r = new Runner(config)
        const initial = r.k.snapshot()
        r.runAll()
        expect(r.k.snapshot()).toEqual(initial)
        expect(r.k.diagnostics).toEqual([])
        // No interrupt was lost: each raised line ran its handler once per raise.
        expect(Object.fromEntries(r.handled)).toEqual(Object.fromEntries(r.raised))
        expect(r.nmisHandled).toBe(r.nmisRaised)
        steps += r.steps
      }),
      { numRuns: RUNS },
    )
    expect(steps).toBeGreaterThan(RUNS * 5)
  }, 60_000)
})
