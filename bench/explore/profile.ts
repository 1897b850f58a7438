/**
 * Where the time of explore() goes: bundles a hot loop over the standard model
 * (bench/explore/models.ts) with esbuild (unminified, so profile lines are real), runs it under
 * `node --cpu-prof` and prints the functions by self and inclusive time, each named by the source
 * file the bundle took it from.
 *   npx tsx bench/explore/profile.ts [explore|run|fake] [on|off] [seconds]
 * `explore`: explore() (DPOR, both kernels, no shrinking); `run`: runModel() alone; `fake`: the
 * explorer alone on the standard model's shape as a test transition system (test/explore/fake-model.ts).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { ROOT } from '../types/generate.js'
import { summarise } from '../runtime/summarise.js'
import { sourcesOf } from './bundle-sources.js'

const ENTRY = `
import { explore, runModel } from '../../../src/index.js'
import { standardModel } from '../../../bench/explore/models.js'
import { exploreRuns } from '../../../src/exec/explore/explore-runs.js'
import { fakeRunner, lock, unlock } from '../../../test/explore/fake-model.js'
const [what, mode, secs] = process.argv.slice(2)
// The standard model's shape on the test transition system (bench/explore/run-explore.ts 'fake'): the explorer's own cost.
const FAKE = {
  tasks: [
    { name: 'a', cpu: 0, ops: [lock('x'), unlock('x'), lock('y'), unlock('y'), lock('x'), unlock('x')] },
    { name: 'b', cpu: 1, ops: [lock('y'), unlock('y'), lock('x'), unlock('x'), lock('y'), unlock('y')] },
  ],
  irqs: [{ name: 'dev', cpu: 0, line: 5, ops: [lock('z'), unlock('z')] }],
}
const model = standardModel(mode === 'on')
const end = Date.now() + Number(secs) * 1000
let n = 0
while (Date.now() < end) {
  if (what === 'run') { runModel(model); n++ }
  else if (what === 'fake') n += exploreRuns(fakeRunner(FAKE), { shrink: false, stopOnFailure: false, maxTimeMs: Infinity }).kernels.reduce((s, k) => s + k.executions, 0)
  else n += explore(model, { shrink: false, stopOnFailure: false }).kernels.reduce((s, k) => s + k.executions, 0)
}
console.log(n + ' executions in ' + secs + ' s: ' + (n / Number(secs)).toFixed(0) + '/s (profiled)')
`

const [what = 'explore', mode = 'off', secs = '5'] = process.argv.slice(2)
const dir = join(ROOT, 'bench/out/profile-explore')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
writeFileSync(join(dir, 'entry.ts'), ENTRY)
const out = join(dir, 'bundle.mjs')
await build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, keepNames: false, logLevel: 'error' })
const r = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, out, what, mode, secs], { cwd: ROOT, stdio: 'inherit' })
if (r.status !== 0) process.exit(r.status ?? 1)
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
if (file === undefined) throw new Error('no profile written')
const source = sourcesOf(readFileSync(out, 'utf8'))
console.log(`${what}, lockdep ${mode}: ${join('bench/out/profile-explore', file)} (lines: bench/out/profile-explore/bundle.mjs)`)
for (const line of summarise(join(dir, file), Number(process.env.TOP ?? 45), (url, l) => (url.endsWith('bundle.mjs') ? `${source(l)} @${l}` : url)))
  console.log(line)
