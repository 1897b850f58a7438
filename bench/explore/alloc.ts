/**
 * What one execution of the standard model allocates, by function: bundles a loop of explore()
 * (or runModel()) calls with esbuild, runs it under V8's sampling heap profiler (every 256 bytes,
 * collected objects included)
 * and prints bytes per execution, self, by function and the source file the bundle took it from.
 * Allocation is what the young collections pay for (a quarter to a third of an execution), and
 * unlike time it does not move with the machine's load.
 *   npx tsx bench/explore/alloc.ts [explore|run] [calls=300] [top=40]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { ROOT } from '../types/generate.js'
import { sourcesOf } from './bundle-sources.js'

const [what = 'explore', callsArg = '300', topArg = '40'] = process.argv.slice(2)
const ENTRY = `
import { Session } from 'node:inspector'
import { writeFileSync } from 'node:fs'
import { explore, runModel } from '../../../src/index.js'
import { standardModel } from '../../../bench/explore/models.js'
const model = standardModel(false)
const calls = Number(process.argv[2])
const session = new Session()
session.connect()
const post = (method, params) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))))
// Warm up first: the figures are the steady state's.
for (let i = 0; i < 20; i++) explore(model, { shrink: false, stopOnFailure: false })
await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
let n = 0
for (let i = 0; i < calls; i++) {
  if (${JSON.stringify(what)} === 'run') { runModel(model, { preemptRt: i % 2 === 1 }); n++ }
  else n += explore(model, { shrink: false, stopOnFailure: false }).kernels.reduce((s, k) => s + k.executions, 0)
}
const { profile } = await post('HeapProfiler.stopSampling', {})
writeFileSync(process.argv[3], JSON.stringify(profile))
console.log('EXECUTIONS ' + n)
`
const dir = join(ROOT, 'bench/out/alloc-explore')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'entry.mjs'), ENTRY)
const out = join(dir, 'bundle.mjs')
await build({ entryPoints: [join(dir, 'entry.mjs')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' })
const r = spawnSync(process.execPath, [out, callsArg, join(dir, 'run.heapprofile')], { cwd: ROOT, encoding: 'utf8' })
if (r.status !== 0) throw new Error(`${r.status} ${r.signal} ${r.error} ${r.stderr}`)
const executions = Number(/EXECUTIONS (\d+)/.exec(r.stdout)?.[1] ?? 'NaN')
const file = readdirSync(dir).find((f) => f.endsWith('.heapprofile'))
if (file === undefined) throw new Error('no heap profile written')

const sourceOf = sourcesOf(readFileSync(out, 'utf8'))
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: HeapNode[]
}
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { head: HeapNode }
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
walk(profile.head)
console.log(`${what}, standard model, lockdep off: ${executions} executions, ~${Math.round(total / executions)} bytes allocated per execution (sampled)`)
for (const [k, b] of [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(topArg))) console.log(`  ${String(Math.round(b / executions)).padStart(6)} B  ${k}`)
