// The type-check budget: instantiations per lock site (TypeScript 6.0, count-based so stable)
// may not rise more than 20 % above the figure recorded in bench/types/budget.json.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../bench/types/generate.js'
import { measureShape, perSite } from '../../bench/types/run-types.js'

interface Budget {
  readonly compiler: 'TS 6.0'
  /** Recorded marginal instantiations per lock site, by site count. */
  readonly instantiationsPerSite: Readonly<Record<string, number>>
  readonly tolerance: number
}

const budget = JSON.parse(readFileSync(join(ROOT, 'bench/types/budget.json'), 'utf8')) as Budget
const base = join(ROOT, 'bench/out/.types-budget-test')

describe('type-check budget', () => {
  it('instantiations per lock site stay within the recorded budget (+20 %)', { timeout: 120_000 }, () => {
    const empty = measureShape(budget.compiler, { kind: 'flat', sites: 0 }, 'typed', 1, base)
    expect(empty.errors).toEqual([])
    for (const sites of [100, 1000]) {
      const run = measureShape(budget.compiler, { kind: 'flat', sites }, 'typed', 1, base)
      expect(run.errors, `${sites}-site program compiles`).toEqual([])
      const measured = perSite(run, empty, sites)
      const recorded = budget.instantiationsPerSite[String(sites)]
      expect(recorded, `budget.json records ${sites} sites`).toBeTypeOf('number')
      const limit = (recorded as number) * (1 + budget.tolerance)
      expect(measured, `${sites} sites: ${measured} instantiations per site, recorded ${recorded}, limit ${limit.toFixed(1)}`).not.toBeNull()
      expect(measured as number).toBeLessThanOrEqual(limit)
    }
  })
})
