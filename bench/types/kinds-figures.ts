/**
 * Prints the defined kinds' type-check cost (bench/types/kinds.ts): instantiations per lock site
 * and per further call site, marginal ((inst(N) − inst(0)) / N), by compiler, flavour and site
 * count. Counts, so the machine's load does not move them.
 *
 *   npx tsx bench/types/kinds-figures.ts [compiler …] [--sites 100,1000] [--flavours builtin,factory,defined]
 *
 * Compilers: 'TS 5.9', 'TS 6.0', 'TS 7.0' (default: all three). TS 7.0 prints no instantiation
 * count in some builds; its rows then say so.
 */
import { join } from 'node:path'
import { ROOT } from './generate.js'
import { type KindsFlavour, measureKinds } from './kinds.js'
import type { CompilerName } from './measure.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name)
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback
}
const optionValues = new Set([option('--sites', ''), option('--flavours', '')])
const compilers = args.filter((a) => !a.startsWith('--') && !optionValues.has(a)) as CompilerName[]
const sites = option('--sites', '100,1000').split(',').map(Number)
const flavours = option('--flavours', 'builtin,factory,defined').split(',') as KindsFlavour[]
const base = join(ROOT, 'bench/out/.types-kinds-figures')

console.log('| compiler | flavour | sites | per lock site | per further call site |')
console.log('|---|---|---|---|---|')
for (const compiler of compilers.length > 0 ? compilers : (['TS 5.9', 'TS 6.0', 'TS 7.0'] as const)) {
  for (const flavour of flavours) {
    const empty = measureKinds(compiler, flavour, 0, base).instantiations
    for (const n of sites) {
      const once = measureKinds(compiler, flavour, n, base)
      const twice = measureKinds(compiler, flavour, n, base, 2)
      const errors = [...once.errors, ...twice.errors]
      if (errors.length > 0) throw new Error(`${compiler} ${flavour} ${n}: ${errors.slice(0, 5).join(', ')}`)
      const lock = empty === null || once.instantiations === null ? 'n/a' : ((once.instantiations - empty) / n).toFixed(2)
      const call = once.instantiations === null || twice.instantiations === null ? 'n/a' : ((twice.instantiations - once.instantiations) / n).toFixed(2)
      console.log(`| ${compiler} (${once.version}) | ${flavour} | ${n} | ${lock} | ${call} |`)
    }
  }
}
