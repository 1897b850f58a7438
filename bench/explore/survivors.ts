/**
 * What survives a young collection in explore() on the standard model: bundles a loop of
 * explore() calls with esbuild (this checkout's tsconfig.json, as the package is built), then
 *   1. runs it under `--trace-gc-nvp` and prints, for the cold start (scavenges 2–4: where V8's
 *      allocation-site pretenuring makes its decisions, and where the slow state begins) and for
 *      the warm run (the last 20), the bytes promoted and survived against those allocated;
 *   2. runs it under V8's sampling heap profiler keeping only samples NOT freed by a young
 *      collection (promoted or allocated old, then freed by a full one — or still alive), and
 *      prints those bytes per execution by the function that allocated them.
 * A baseline row in the same run: the same loop with pretenuring off (`--no-allocation-site-pretenuring`).
 *   npx tsx bench/explore/survivors.ts [calls=20] [top=25]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { ROOT } from '../types/generate.js'
import { sourcesOf } from './bundle-sources.js'

const [callsArg = '20', topArg = '25'] = process.argv.slice(2)
const ENTRY = `
import { Session } from 'node:inspector'
import { writeFileSync } from 'node:fs'
import { explore } from '../../../src/index.js'
import { standardModel } from '../../../bench/explore/models.js'
const model = standardModel(false)
const [mode, callsArg, out] = process.argv.slice(2)
const calls = Number(callsArg)
const run = () => explore(model, { shrink: false, stopOnFailure: false }).kernels.reduce((s, k) => s + k.executions, 0)
if (mode === 'gc') {
  let n = 0
  for (let i = 0; i < calls; i++) n += run()
  console.log('EXECUTIONS ' + n)
} else {
  const session = new Session()
  session.connect()
  const post = (method, params) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))))
  for (let i = 0; i < 5; i++) run()
  await post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false })
  let n = 0
  for (let i = 0; i < calls; i++) n += run()
  // What the last young collection has not looked at yet: young garbage, not survivors.
  globalThis.gc({ type: 'minor' })
  globalThis.gc({ type: 'minor' })
  const { profile } = await post('HeapProfiler.stopSampling', {})
  writeFileSync(out, JSON.stringify(profile))
  console.log('EXECUTIONS ' + n)
}
`
const dir = join(ROOT, 'bench/out/survivors')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'entry.mjs'), ENTRY)
const bundle = join(dir, 'bundle.mjs')
await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' })

const node = (flags: readonly string[], args: readonly string[]): string => {
  const r = spawnSync(process.execPath, [...flags, bundle, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 })
  if (r.status !== 0) throw new Error(`${r.status} ${r.signal} ${r.stderr}`)
  return r.stdout
}

/** Young collections' figures from `--trace-gc-nvp` lines. */
const scavenges = (out: string): { allocated: number; promoted: number; survived: number }[] =>
  out
    .split('\n')
    .filter((l) => l.includes(' gc=s '))
    .map((l) => {
      const field = (k: string): number => Number(new RegExp(` ${k}=(\\d+)`).exec(l)?.[1] ?? 'NaN')
      return { allocated: field('allocated'), promoted: field('promoted'), survived: field('new_space_survived') }
    })
const share = (xs: readonly { allocated: number; promoted: number; survived: number }[]): string => {
  const sum = (k: 'allocated' | 'promoted' | 'survived'): number => xs.reduce((s, x) => s + x[k], 0)
  const a = sum('allocated')
  return `promoted ${((100 * sum('promoted')) / a).toFixed(1)} %, survived ${((100 * sum('survived')) / a).toFixed(1)} % of ${(a / 1e6).toFixed(0)} MB`
}
const calls = String(Number(callsArg) * 3)
for (const [label, flags] of [
  ['pretenuring off (baseline)', ['--no-allocation-site-pretenuring']],
  ['as shipped', []],
] as const) {
  // A full-size new space from the start: the cold phase is where the pretenuring decisions are made.
  const s = scavenges(node(['--trace-gc-nvp', '--min-semi-space-size=16', ...flags], ['gc', calls]))
  console.log(`${label}: cold start (scavenges 2–4) ${share(s.slice(1, 4))}; warm (last 20) ${share(s.slice(-20))}`)
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: HeapNode[]
}
const sourceOf = sourcesOf(readFileSync(bundle, 'utf8'))
const file = join(dir, 'survivors.heapprofile')
const executions = Number(/EXECUTIONS (\d+)/.exec(node(['--expose-gc'], ['profile', callsArg, file]))?.[1] ?? 'NaN')
const self = new Map<string, number>()
let total = 0
const walk = (n: HeapNode): void => {
  if (n.selfSize > 0) {
    const f = n.callFrame
    const at = f.url.endsWith('bundle.mjs') ? `${sourceOf(f.lineNumber + 1)} @${f.lineNumber + 1}` : f.url || '(vm)'
    const key = `${f.functionName || '(anonymous)'} ${at}`
    self.set(key, (self.get(key) ?? 0) + n.selfSize)
    total += n.selfSize
  }
  for (const c of n.children) walk(c)
}
walk((JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }).head)
console.log(
  `not freed by a young collection: ~${Math.round(total / executions)} bytes per execution (${executions} executions, sampled), by allocating function:`,
)
for (const [k, b] of [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(topArg))) console.log(`  ${String(Math.round(b / executions)).padStart(6)} B  ${k}`)
