// The type-check budget: instantiations per lock site (TypeScript 6.0, count-based so stable)
// may not rise more than 20 % above the figure recorded in bench/types/budget.json; and (issue #12)
// a program of 1,000 call sites through 100 helpers costs at most 1.2x the instantiations per site
// of 1,000 direct sites, on TypeScript 6.0 and 7.0, and helpers calling helpers 16 deep compile.
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

const helperBase = join(ROOT, 'bench/out/.types-helper-budget-test')

describe.each(['TS 6.0', 'TS 7.0'] as const)('helper type budget, %s', (compiler) => {
  it('1,000 sites through 100 helpers: within +20 % of direct sites, per site', { timeout: 180_000 }, () => {
    const empty = measureShape(compiler, { kind: 'flat', sites: 0 }, 'typed', 1, helperBase)
    const direct = measureShape(compiler, { kind: 'flat', sites: 1000 }, 'typed', 1, helperBase)
    const viaHelpers = measureShape(compiler, { kind: 'helpers', sites: 1000, helpers: 100 }, 'typed', 1, helperBase)
    expect(direct.errors).toEqual([])
    expect(viaHelpers.errors).toEqual([])
    const d = perSite(direct, empty, 1000) as number
    const h = perSite(viaHelpers, empty, 1000) as number
    expect(d, 'the compiler prints instantiations').toBeTypeOf('number')
    expect(h, `${h} instantiations per helper site, ${d} per direct site`).toBeLessThanOrEqual(d * 1.2)
  })

  it('helpers calling helpers 16 deep: no TS2589, no error', { timeout: 120_000 }, () => {
    const chain = measureShape(compiler, { kind: 'chain', depth: 16 }, 'typed', 1, helperBase)
    expect(chain.errors).toEqual([])
  })
})
