/**
 * Behaviour unchanged? Fingerprints every model the test suite defines (./equiv/: vitest runs the
 * test files, records each `defineModel()`, then runs ./equiv/battery.ts on each model: both
 * kernels, many schedules, explore() in six configurations) and compares two such runs.
 *   npx tsx bench/explore/equiv.ts save <name> [test files…]   fingerprints into bench/out/equiv/<name>/
 *   npx tsx bench/explore/equiv.ts compare <a> <b>             every differing model and case
 * Without files: every test file that defines a model, except fast-check's (their models are random).
 * To fingerprint a tree while editing this one, run it in a copy (bench/explore/equiv-snap.sh).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ROOT } from '../types/generate.js'

interface FileResult {
  readonly file: string
  readonly models: readonly { readonly index: number; readonly cases: Readonly<Record<string, string>> }[]
}

/** A run's directory: bench/out/equiv/<name>, or the path itself when the name is one (a run made in a copy of the tree). */
const dirOf = (name: string): string => (name.includes('/') ? resolve(name) : join(ROOT, 'bench/out/equiv', name))

const load = (name: string): Map<string, FileResult> => {
  const dir = dirOf(name)
  const out = new Map<string, FileResult>()
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as FileResult
    out.set(r.file, r)
  }
  return out
}

const modelFiles = (): string[] =>
  readdirSync(join(ROOT, 'test'), { recursive: true, encoding: 'utf8' })
    .map((f) => `test/${f}`)
    .filter((f) => f.endsWith('.test.ts'))
    .filter((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8')
      return /defineModel|explore\(/.test(text) && !text.includes('fast-check')
    })
    .sort()

const [cmd, a, b, ...rest] = process.argv.slice(2)
if (cmd === 'save' && a !== undefined) {
  const files = [b, ...rest].filter((f): f is string => f !== undefined)
  const list = files.length > 0 ? files : modelFiles()
  const r = spawnSync('npx', ['vitest', 'run', '--config', 'bench/explore/equiv/vitest.config.ts', '--reporter=dot', ...list], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, EQUIV_OUT: dirOf(a) },
  })
  const saved = load(a)
  let models = 0
  let cases = 0
  for (const f of saved.values()) {
    models += f.models.length
    for (const m of f.models) cases += Object.keys(m.cases).length
  }
  console.log(`${a}: ${saved.size} test files, ${models} models, ${cases} fingerprints (vitest exit ${r.status})`)
} else if (cmd === 'compare' && a !== undefined && b !== undefined && existsSync(dirOf(a)) && existsSync(dirOf(b))) {
  const before = load(a)
  const after = load(b)
  let same = 0
  let differ = 0
  for (const [file, x] of before) {
    const y = after.get(file)
    if (y === undefined) {
      console.log(`${file}: missing in ${b}`)
      differ++
      continue
    }
    if (x.models.length !== y.models.length) console.log(`${file}: ${x.models.length} models in ${a}, ${y.models.length} in ${b}`)
    for (const m of x.models) {
      const n = y.models[m.index]
      for (const [k, h] of Object.entries(m.cases)) {
        if (n?.cases[k] === h) same++
        else {
          differ++
          console.log(`${file} model ${m.index} ${k}: ${h} → ${n?.cases[k] ?? 'missing'}`)
        }
      }
    }
  }
  console.log(`${same} fingerprints identical, ${differ} differ`)
  process.exit(differ === 0 ? 0 : 1)
} else {
  console.error('usage: equiv.ts save <name> [test files…] | compare <a> <b>')
  process.exit(2)
}
