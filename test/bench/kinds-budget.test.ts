// The type-check cost of defined lock kinds (issue #18), count-based (TypeScript 6.0): ten kinds
// defined and never used add nothing to the sites that do not use them; a defined kind's sites
// (copies of the built-ins' specs through kernel.lock()) stay within the type budget's tolerance
// of the built-ins' (docs/defining-kinds.md, "Cost", gives the figures).
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../bench/types/generate.js'
import { type KindsFlavour, measureKinds } from '../../bench/types/kinds.js'

const base = join(ROOT, 'bench/out/.types-kinds-budget-test')
const SITES = 100

const perSite = (flavour: KindsFlavour): number => {
  const empty = measureKinds('TS 6.0', flavour, 0, base)
  const full = measureKinds('TS 6.0', flavour, SITES, base)
  expect(empty.errors, `${flavour}: the empty program compiles`).toEqual([])
  expect(full.errors, `${flavour}: ${SITES} sites compile`).toEqual([])
  expect(full.instantiations, 'the compiler prints instantiations').toBeTypeOf('number')
  return ((full.instantiations as number) - (empty.instantiations as number)) / SITES
}

describe('defined kinds: type-check cost', () => {
  it('ten defined, unused kinds add no instantiations to sites of built-ins', { timeout: 180_000 }, () => {
    expect(perSite('ten-unused')).toBe(perSite('builtin'))
  })

  it("a defined kind's sites: within the type budget's +20 % of the built-ins'", { timeout: 180_000 }, () => {
    const builtin = perSite('builtin')
    const defined = perSite('defined')
    expect(defined, `${defined} instantiations per defined site, ${builtin} per built-in site`).toBeLessThanOrEqual(builtin * 1.2)
  })
})
