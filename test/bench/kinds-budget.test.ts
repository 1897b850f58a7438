// The type-check cost of defined lock kinds (issue #18), count-based (TypeScript 6.0), on the flat
// program's four forms (bench/types/kinds.ts), 100 locks:
// - ten kinds defined and never used add nothing to the sites that do not use them;
// - a call site of a lock of a defined kind (copies of the built-ins' specs) costs no more than a
//   built-in's, once the lock's type is resolved (each lock taken twice: the second site's
//   marginal cost), through kernel.lockOf(kind) and through kernel.lock(kind, …);
// - a lock site (declaration and first call) through the recommended form, the kind's factory
//   `kernel.lockOf(kind)` made once (bench/types/kinds.ts 'factory'), costs no more than a
//   built-in's factory's;
// - a lock site through kernel.lock(kind, …) costs at most the extra recorded in
//   bench/types/budget.json above a built-in's: the kind's type parameter and the mapped type of
//   its members (docs/defining-kinds.md, "Cost", gives the figures);
// - a lock site through the factory of a kind whose member tables are its own (no written shape:
//   bench/types/kinds.ts 'own') costs at most the extra recorded in bench/types/budget.json above a
//   built-in's (the rule's remaining miss), and a further call site no more than a built-in's.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../bench/types/generate.js'
import { type KindsFlavour, measureKinds } from '../../bench/types/kinds.js'

interface ExtraBudget {
  /** Recorded instantiations per lock site above a built-in's, by site count. */
  readonly extraPerLockSite: Readonly<Record<string, number>>
  readonly tolerance: number
}

interface KindsBudget {
  /** A defined kind through kernel.lock(kind, …). */
  readonly definedKind: ExtraBudget
  /** A kind with member tables of its own through its factory, kernel.lockOf(kind). */
  readonly ownTablesKind: ExtraBudget
}

const budget = JSON.parse(readFileSync(join(ROOT, 'bench/types/budget.json'), 'utf8')) as KindsBudget
const base = join(ROOT, 'bench/out/.types-kinds-budget-test')
const SITES = 100

const instantiations = (flavour: KindsFlavour, sites: number, uses = 1): number => {
  const run = measureKinds('TS 6.0', flavour, sites, base, uses)
  expect(run.errors, `${flavour}, ${sites} locks × ${uses} sites: compiles`).toEqual([])
  expect(run.instantiations, 'the compiler prints instantiations').toBeTypeOf('number')
  return run.instantiations as number
}

const cache = new Map<string, number>()
const count = (flavour: KindsFlavour, sites: number, uses = 1): number => {
  const key = `${flavour} ${sites} ${uses}`
  let n = cache.get(key)
  if (n === undefined) {
    n = instantiations(flavour, sites, uses)
    cache.set(key, n)
  }
  return n
}

/** Marginal instantiations per lock site: its declaration and one call. */
const lockSite = (flavour: KindsFlavour): number => (count(flavour, SITES) - count(flavour, 0)) / SITES

/** Marginal instantiations per further call site of the same locks. */
const callSite = (flavour: KindsFlavour): number => (count(flavour, SITES, 2) - count(flavour, SITES)) / SITES

describe('defined kinds: type-check cost', () => {
  it('ten defined, unused kinds add no instantiations to sites of built-ins', { timeout: 600_000 }, () => {
    expect(lockSite('ten-unused')).toBe(lockSite('builtin'))
  })

  it("a defined kind's call site costs no more than a built-in's", { timeout: 600_000 }, () => {
    const builtin = callSite('builtin')
    expect(builtin, 'a further call site costs something').toBeGreaterThan(0)
    for (const flavour of ['factory', 'own', 'defined'] as const) {
      const defined = callSite(flavour)
      expect(defined, `${defined} instantiations per further call site of a defined kind (${flavour}), ${builtin} of a built-in`).toBeLessThanOrEqual(builtin)
    }
  })

  it("a defined kind's lock site through kernel.lockOf(kind) costs no more than a built-in's", { timeout: 600_000 }, () => {
    const builtin = lockSite('builtin')
    const factory = lockSite('factory')
    expect(builtin, 'a lock site costs something').toBeGreaterThan(100)
    expect(factory, `${factory} instantiations per lock site of a defined kind's factory, ${builtin} of a built-in's`).toBeLessThanOrEqual(builtin)
  })

  it("a defined kind's lock site through kernel.lock(kind, …): within the recorded extra over a built-in's", { timeout: 600_000 }, () => {
    const builtin = lockSite('builtin')
    const defined = lockSite('defined')
    const recorded = budget.definedKind.extraPerLockSite[String(SITES)] as number
    const limit = recorded * (1 + budget.definedKind.tolerance)
    expect(
      defined - builtin,
      `${defined} instantiations per lock site of a defined kind, ${builtin} of a built-in; recorded extra ${recorded}, limit ${limit.toFixed(1)}`,
    ).toBeLessThanOrEqual(limit)
  })

  it("a lock site of a kind with tables of its own through kernel.lockOf(kind): within the recorded extra over a built-in's", { timeout: 600_000 }, () => {
    const builtin = lockSite('builtin')
    const own = lockSite('own')
    const recorded = budget.ownTablesKind.extraPerLockSite[String(SITES)] as number
    const limit = recorded * (1 + budget.ownTablesKind.tolerance)
    expect(
      own - builtin,
      `${own} instantiations per lock site of a kind with tables of its own, ${builtin} of a built-in; recorded extra ${recorded}, limit ${limit.toFixed(2)}`,
    ).toBeLessThanOrEqual(limit)
  })
})
