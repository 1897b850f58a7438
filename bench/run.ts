/**
 * `npm run bench` (`-- --quick`, or `npm run bench:quick`, for tiny sizes that only prove it runs).
 * Prints one table (figure, baseline, ratio, target, met?) and writes bench/out/results.json.
 *   --types-only / --runtime-only   run one half
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { runExploreBench } from './explore/run-explore.js'
import { runRuntimeBench } from './runtime/run-runtime.js'
import { formatTable, type TargetRow } from './table.js'
import { ROOT } from './types/generate.js'
import { COMPILERS, type CompilerName, compilerVersion } from './types/measure.js'
import { runTypeBench } from './types/run-types.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const doTypes = !args.includes('--runtime-only')
const doRuntime = !args.includes('--types-only')
const log = (line: string): void => console.log(line)

const cpuModel = (): string => {
  try {
    return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown'
  } catch {
    return cpus()[0]?.model ?? 'unknown'
  }
}

const machine = {
  nproc: cpus().length,
  cpu: cpuModel(),
  node: process.version,
  typescript: Object.fromEntries((Object.keys(COMPILERS) as CompilerName[]).map((c) => [c, compilerVersion(c)])),
  quick,
  date: new Date().toISOString(),
}
log(
  `lockproof benchmarks${quick ? ' (quick: tiny sizes, figures meaningless)' : ''} — ${machine.nproc}× ${machine.cpu}, Node ${machine.node}, ${Object.entries(
    machine.typescript,
  )
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ')}`,
)

const rows: TargetRow[] = []
let types: ReturnType<typeof runTypeBench> | null = null
let runtime: ReturnType<typeof runRuntimeBench> | null = null
if (doTypes) {
  log('\ntype-check cost (tsc --extendedDiagnostics --noEmit):')
  types = runTypeBench(quick, log)
  rows.push(...types.rows)
}
if (doRuntime) {
  log('\nruntime cost (tinybench):')
  runtime = runRuntimeBench(quick, log)
  rows.push(...runtime.rows)
  log('\nthe explorer (issue #17):')
  rows.push(...runExploreBench(quick, log).rows)
}

log(`\n${formatTable(rows)}`)
const missed = rows.filter((r) => r.met === false)
log(`\n${rows.filter((r) => r.met === true).length} targets met, ${missed.length} missed${quick ? ' (quick mode: not meaningful)' : ''}`)

const out = join(ROOT, 'bench/out')
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'results.json'), `${JSON.stringify({ machine, rows, typeRuns: types?.runs ?? [], runtimeFigures: runtime?.figures ?? [] }, null, 2)}\n`)
log(`written: bench/out/results.json`)
