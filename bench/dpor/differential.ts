/**
 * The differential check of test/explore/dpor-differential.test.ts, longer: random small models
 * explored by DPOR and by the naive DFS under one preemption bound, on both kernels; prints each
 * model whose outcome sets differ or where DPOR ran more executions.
 *   npx tsx bench/dpor/differential.ts [runs] [seed] [bound|null]   (env: CAP, LEN, SHAPE=closed|deferred)
 * Figures are CPU seconds (process.cpuUsage()).
 */
import fc from 'fast-check'
import { compareOn, specArb } from '../../test/explore/dpor-models.js'

const runs = Number(process.argv[2] ?? 20)
const seed = Number(process.argv[3] ?? 1)
const bound = process.argv[4] === 'null' ? null : Number(process.argv[4] ?? 1)
const cap = Number(process.env.CAP ?? 4000)
const taskLength = Number(process.env.LEN ?? 3)
const closed = process.env.SHAPE === 'closed'
const signals = Number(process.env.SIGNALS ?? 1)
let compared = 0
let skipped = 0
let dporTotal = 0
let naiveTotal = 0
let bad = 0
const t0 = process.cpuUsage()
const shape = closed ? { taskLength, deferred: false, waits: false, signals } : { taskLength }
for (const [i, spec] of fc.sample(specArb(shape), { numRuns: runs, seed }).entries()) {
  for (const kernel of ['normal', 'rt'] as const) {
    const c = compareOn(spec, kernel, bound, cap)
    if (c === null) {
      skipped++
      continue
    }
    compared++
    naiveTotal += c.naive
    dporTotal += c.dpor
    if (c.missing.length > 0 || c.extra.length > 0 || c.dpor > c.naive) {
      bad++
      console.log(`#${i} ${kernel}: naive ${c.naive} dpor ${c.dpor} missing ${c.missing.length} extra ${c.extra.length}`)
      console.log(JSON.stringify(spec))
      for (const m of c.missing.slice(0, 3)) console.log('  missing', m)
      for (const m of c.extra.slice(0, 3)) console.log('  extra', m)
    }
  }
}
const cpu = process.cpuUsage(t0)
console.log({ compared, skipped, bad, naiveTotal, dporTotal, cpuSeconds: (cpu.user + cpu.system) / 1e6 })
