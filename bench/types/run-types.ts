/**
 * Type-check cost: every shape × flavour × compiler, then the targets.
 *   - depth 48 (lockdep's MAX_LOCK_DEPTH) compiles with no TS2589 on both compilers;
 *   - instantiations per lock site flat (±10 %) from 100 to 5,000 sites;
 *   - check time ≤ 3× the untyped baseline at 1,000 sites.
 * "Per lock site" is marginal: (figure(N) − figure(0 sites)) / N, so the fixed cost of checking
 * lockproof's own source and the libs is not spread over the sites.
 */
import { type Flavour, type Shape, shapeName, writeProgram } from './generate.js'
import { COMPILERS, type CompilerName, type TscFigures, runTsc } from './measure.js'
import type { TargetRow } from '../table.js'

export interface TypeRun extends TscFigures {
  readonly shape: string
  readonly flavour: Flavour
  /** Check time: the median of `repeats` runs (the counts do not vary). */
  readonly repeats: number
}

export interface TypeBenchResult {
  readonly runs: readonly TypeRun[]
  readonly rows: readonly TargetRow[]
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2
}

export const measureShape = (compiler: CompilerName, shape: Shape, flavour: Flavour, repeats = 1, base?: string): TypeRun => {
  const tsconfig = writeProgram(shape, flavour, base)
  const all: TscFigures[] = []
  for (let i = 0; i < repeats; i++) all.push(runTsc(compiler, tsconfig))
  const first = all[0] as TscFigures
  const checks = all.map((r) => r.checkTimeS).filter((x): x is number => x !== null)
  return { ...first, checkTimeS: checks.length > 0 ? median(checks) : null, shape: shapeName(shape), flavour, repeats }
}

export const perSite = (at: TscFigures, empty: TscFigures, sites: number): number | null =>
  at.instantiations === null || empty.instantiations === null ? null : (at.instantiations - empty.instantiations) / sites

const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)))

export const runTypeBench = (quick: boolean, log: (line: string) => void = () => undefined): TypeBenchResult => {
  const siteCounts = quick ? [10, 20, 40] : [100, 1000, 5000]
  const depths = quick ? [1, 2, 4] : [1, 8, 16, 32, 48]
  const checkAt = quick ? 20 : 1000
  const checkRepeats = quick ? 1 : 3
  const runs: TypeRun[] = []
  const rows: TargetRow[] = []

  for (const compiler of Object.keys(COMPILERS) as CompilerName[]) {
    const get = (shape: Shape, flavour: Flavour): TypeRun => {
      const repeats = shape.kind === 'flat' && (shape.sites === checkAt || shape.sites === 0) ? checkRepeats : 1
      const r = measureShape(compiler, shape, flavour, repeats)
      log(
        `  ${compiler} ${shapeName(shape).padEnd(10)} ${flavour.padEnd(8)} inst=${r.instantiations} types=${r.types} mem=${r.memoryKiB}K check=${r.checkTimeS}s errors=${r.errors.join(',') || '-'}`,
      )
      runs.push(r)
      return r
    }
    const empty = { typed: get({ kind: 'flat', sites: 0 }, 'typed'), baseline: get({ kind: 'flat', sites: 0 }, 'baseline') }
    const flat = new Map<number, { typed: TypeRun; baseline: TypeRun }>()
    for (const n of siteCounts) flat.set(n, { typed: get({ kind: 'flat', sites: n }, 'typed'), baseline: get({ kind: 'flat', sites: n }, 'baseline') })
    const nested = new Map<number, { typed: TypeRun; baseline: TypeRun }>()
    for (const d of depths) nested.set(d, { typed: get({ kind: 'nested', depth: d }, 'typed'), baseline: get({ kind: 'nested', depth: d }, 'baseline') })

    // Depth: no TS2589 (and no error at all: the programs are valid).
    const deepest = depths.at(-1) as number
    const deep = nested.get(deepest)?.typed as TypeRun
    rows.push({
      group: 'types',
      figure: `${compiler}: nesting depth ${deepest}, errors (TS2589 = too deep)`,
      value: deep.errors.length,
      baseline: null,
      ratio: null,
      unit: 'errors',
      target: 'no TS2589 (no error)',
      met: deep.errors.length === 0,
    })
    for (const d of depths) {
      const n = nested.get(d) as { typed: TypeRun; baseline: TypeRun }
      rows.push({
        group: 'types',
        figure: `${compiler}: nesting depth ${d}, instantiations (typed vs untyped)`,
        value: n.typed.instantiations,
        baseline: n.baseline.instantiations,
        ratio: n.typed.instantiations !== null && n.baseline.instantiations ? round(n.typed.instantiations / n.baseline.instantiations) : null,
        unit: 'inst',
        target: 'info',
        met: null,
      })
    }

    // Instantiations per site: flat from the smallest to the largest count.
    const first = siteCounts[0] as number
    const ref = perSite((flat.get(first) as { typed: TypeRun }).typed, empty.typed, first)
    for (const n of siteCounts) {
      const f = flat.get(n) as { typed: TypeRun; baseline: TypeRun }
      const typed = perSite(f.typed, empty.typed, n)
      const base = perSite(f.baseline, empty.baseline, n)
      const drift = typed !== null && ref !== null ? typed / ref : null
      rows.push({
        group: 'types',
        figure: `${compiler}: instantiations per lock site at ${n} sites (marginal; baseline = untyped)`,
        value: round(typed),
        baseline: round(base),
        ratio: typed !== null && base ? round(typed / base) : null,
        unit: 'inst/site',
        target: n === first ? 'reference' : `within ±10% of ${first} sites (${drift === null ? 'n/a' : `${((drift - 1) * 100).toFixed(1)}%`})`,
        met: n === first ? null : drift === null ? null : Math.abs(drift - 1) <= 0.1,
      })
      rows.push({
        group: 'types',
        figure: `${compiler}: types / memory at ${n} sites (typed; baseline = untyped)`,
        value: f.typed.types,
        baseline: f.baseline.types,
        ratio: f.typed.types !== null && f.baseline.types ? round(f.typed.types / f.baseline.types) : null,
        unit: `types (mem ${f.typed.memoryKiB ?? 'null'}K vs ${f.baseline.memoryKiB ?? 'null'}K)`,
        target: 'info',
        met: null,
      })
    }

    // Incremental cost of the added sites, step by step: flat means each step costs the same per site.
    const steps: { from: number; to: number; perSite: number }[] = []
    for (let i = 1; i < siteCounts.length; i++) {
      const from = siteCounts[i - 1] as number
      const to = siteCounts[i] as number
      const a = (flat.get(from) as { typed: TypeRun }).typed.instantiations
      const b = (flat.get(to) as { typed: TypeRun }).typed.instantiations
      if (a !== null && b !== null) steps.push({ from, to, perSite: (b - a) / (to - from) })
    }
    for (const s of steps) {
      const refStep = steps[0] as { perSite: number }
      const drift = s.perSite / refStep.perSite
      rows.push({
        group: 'types',
        figure: `${compiler}: instantiations per added site, ${s.from} → ${s.to} sites`,
        value: round(s.perSite),
        baseline: s === steps[0] ? null : round(refStep.perSite),
        ratio: s === steps[0] ? null : round(drift),
        unit: 'inst/site',
        target: s === steps[0] ? 'reference' : 'within ±10% of the first step',
        met: s === steps[0] ? null : Math.abs(drift - 1) <= 0.1,
      })
    }

    // Helpers: the same number of sites, each a call of one of `helpers` helpers (docs/helpers.md).
    const helperSites = checkAt
    const helperCount = helperSites / 10 // as the issue has it: 1,000 sites through 100 helpers
    const viaHelpers = get({ kind: 'helpers', sites: helperSites, helpers: helperCount }, 'typed')
    const direct = perSite((flat.get(checkAt) as { typed: TypeRun }).typed, empty.typed, checkAt)
    const helpers = perSite(viaHelpers, empty.typed, helperSites)
    rows.push({
      group: 'types',
      figure: `${compiler}: instantiations per site, ${helperSites} sites through ${helperCount} helpers (baseline = direct sites)`,
      value: round(helpers),
      baseline: round(direct),
      ratio: helpers !== null && direct ? round(helpers / direct) : null,
      unit: 'inst/site',
      // Quick mode has too few sites to spread the helper types' one-off cost: information only.
      target: quick ? 'info (quick mode: too few sites)' : '≤ 1.2× direct sites',
      met: quick || helpers === null || !direct ? null : helpers / direct <= 1.2 && viaHelpers.errors.length === 0,
    })
    const chainDepth = quick ? 4 : 16
    const chain = get({ kind: 'chain', depth: chainDepth }, 'typed')
    rows.push({
      group: 'types',
      figure: `${compiler}: helpers calling helpers, depth ${chainDepth}, errors (TS2589 = too deep)`,
      value: chain.errors.length,
      baseline: null,
      ratio: null,
      unit: 'errors',
      target: 'no TS2589 (no error)',
      met: chain.errors.length === 0,
    })

    // Check time at checkAt sites: whole program, and marginal (minus the 0-site program).
    const c = flat.get(checkAt) as { typed: TypeRun; baseline: TypeRun }
    const ct = c.typed.checkTimeS
    const cb = c.baseline.checkTimeS
    rows.push({
      group: 'types',
      figure: `${compiler}: check time, ${checkAt} sites (whole program, median of ${checkRepeats})`,
      value: ct,
      baseline: cb,
      ratio: ct !== null && cb ? round(ct / cb) : null,
      unit: 's',
      target: '≤ 3× baseline',
      met: ct !== null && cb ? ct / cb <= 3 : null,
    })
    const et = empty.typed.checkTimeS
    const eb = empty.baseline.checkTimeS
    if (ct !== null && cb !== null && et !== null && eb !== null) {
      const mt = Math.max(0, ct - et)
      const mb = Math.max(0, cb - eb)
      rows.push({
        group: 'types',
        figure: `${compiler}: check time, ${checkAt} sites minus the 0-site program (${et}s typed, ${eb}s untyped)`,
        value: round(mt, 3),
        baseline: round(mb, 3),
        ratio: mb > 0 ? round(mt / mb) : null,
        unit: 's',
        target: '≤ 3× baseline (marginal view)',
        met: mb > 0 ? mt / mb <= 3 : null,
      })
    }
  }
  return { runs, rows }
}
