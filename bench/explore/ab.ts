/**
 * Old code against new in ONE process (the machine is shared: wall-clock rates move ±50 %):
 * bundles the standard model's loop from a base tree and from this tree with esbuild, then runs
 * each in processes of their own, alternating, measuring CPU time (process.cpuUsage) per execution.
 *   npx tsx bench/explore/ab.ts [base-ref=main] [processes=12] [ms per round=1500] [what=explore|run]
 * The base tree is `git archive <ref>` unpacked in $TMPDIR/lockproof-ab-base/ (outside the checkout),
 * with that ref's tsconfig.json: esbuild reads it for each tree (`useDefineForClassFields` alone
 * moves the figure by half: without it the base was bundled with class fields defined, this tree not).
 * Rounds of 1.5 s: a shorter one measures V8's cold start, where the pretenuring state is not yet set.
 */
import { execSync, spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { ROOT } from '../types/generate.js'

const [ref = 'main', roundsArg = '12', msArg = '1500', what = 'explore'] = process.argv.slice(2)
const dir = join(ROOT, 'bench/out/ab')
// Outside the checkout: tsconfig.json includes bench/, and the base tree's sources would be type-checked with it.
mkdirSync(dir, { recursive: true })
const base = join(tmpdir(), 'lockproof-ab-base')
rmSync(base, { recursive: true, force: true })
mkdirSync(base, { recursive: true })
execSync(`git archive ${ref} src bench/explore/models.ts test/fixtures tsconfig.json | tar -x -C ${base}`, { cwd: ROOT })
// Its imports (ts-pattern) resolve from this checkout's packages.
symlinkSync(join(ROOT, 'node_modules'), join(base, 'node_modules'))

/** A loop of `what` over the standard model, as a module exporting `round(ms)` → [executions, cpu µs]. */
const entry = (root: string): string => `
import { explore, runModel } from '${root}/src/index.js'
import { standardModel } from '${root}/bench/explore/models.js'
const model = standardModel(false)
export const round = (ms) => {
  const end = Date.now() + ms
  const t0 = process.cpuUsage()
  let n = 0
  while (Date.now() < end) {
    if (${JSON.stringify(what)} === 'run') { runModel(model, { preemptRt: n % 2 === 1 }); n++ }
    else n += explore(model, { shrink: false, stopOnFailure: false }).kernels.reduce((s, k) => s + k.executions, 0)
  }
  const t = process.cpuUsage(t0)
  return [n, t.user + t.system]
}
`
const bundle = async (name: string, root: string): Promise<void> => {
  const src = join(dir, `${name}-entry.mjs`)
  writeFileSync(src, entry(root))
  const out = join(dir, `${name}.mjs`)
  await build({ entryPoints: [src], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' })
}
await bundle('base', base)
await bundle('head', ROOT)
const rounds = Number(roundsArg)
const ms = Number(msArg)
// Each measurement in a process of its own (no shared heap, no JIT state carried over), base and
// head alternating; a process warms up, then reports its best round: interference only ever adds.
const child = (name: string): number => {
  const code = `const { round } = await import(${JSON.stringify(pathToFileURL(join(dir, `${name}.mjs`)).href)}); round(${ms}); let best = Infinity; for (let i = 0; i < 3; i++) { const [n, us] = round(${ms}); best = Math.min(best, us / n) } console.log(best)`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  return Number(r.stdout.trim())
}
const per: { base: number[]; head: number[] } = { base: [], head: [] }
for (let i = 0; i < rounds; i++) {
  for (const name of i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const)) per[name].push(child(name))
}
const min = (xs: number[]): number => Math.min(...xs)
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)] as number
}
console.log(
  `${what}, standard model, lockdep off: CPU µs per execution over ${rounds} processes each (best / median): ${ref} ${min(per.base).toFixed(1)} / ${median(per.base).toFixed(1)}, this tree ${min(per.head).toFixed(1)} / ${median(per.head).toFixed(1)} (×${(min(per.base) / min(per.head)).toFixed(2)} / ×${(median(per.base) / median(per.head)).toFixed(2)})`,
)
