/** Runs a compiler with --extendedDiagnostics on a generated project and parses what it prints. */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './generate.js'

export const COMPILERS = {
  'TS 6.0': 'node_modules/typescript/bin/tsc',
  'TS 7.0': 'node_modules/typescript-7/bin/tsc',
} as const
/** Compilers measured only on request (the kinds' cost, bench/types/kinds.ts), not by the full type bench. */
export const OTHER_COMPILERS = {
  'TS 5.9': 'node_modules/typescript-5.9/bin/tsc',
} as const
const ALL_COMPILERS = { ...COMPILERS, ...OTHER_COMPILERS }
export type CompilerName = keyof typeof ALL_COMPILERS

export interface TscFigures {
  readonly compiler: CompilerName
  readonly version: string
  /** null when this compiler does not print the figure. */
  readonly instantiations: number | null
  readonly types: number | null
  /** "Memory used", in KiB. */
  readonly memoryKiB: number | null
  readonly checkTimeS: number | null
  readonly totalTimeS: number | null
  /** Error codes reported (TS2589 = type instantiation excessively deep). */
  readonly errors: readonly string[]
  readonly wallS: number
}

const versions = new Map<CompilerName, string>()

export const compilerVersion = (compiler: CompilerName): string => {
  let v = versions.get(compiler)
  if (v === undefined) {
    const r = spawnSync(process.execPath, [join(ROOT, ALL_COMPILERS[compiler]), '--version'], { encoding: 'utf8' })
    v = r.stdout.trim().replace(/^Version\s+/, '')
    versions.set(compiler, v)
  }
  return v
}

/** `Label:   123.4K` / `Check time: 0.5s` lines → map of label → number (K and s stripped). */
export const parseExtendedDiagnostics = (output: string): Map<string, number> => {
  const figures = new Map<string, number>()
  for (const line of output.split('\n')) {
    const m = /^([A-Za-z][A-Za-z /]*?):\s+([\d.]+)([Ks]?)\s*$/.exec(line.trim())
    if (m) figures.set((m[1] as string).trim(), Number(m[2]))
  }
  return figures
}

export const runTsc = (compiler: CompilerName, tsconfig: string, extraArgs: readonly string[] = []): TscFigures => {
  const started = process.hrtime.bigint()
  const r = spawnSync(
    process.execPath,
    [join(ROOT, ALL_COMPILERS[compiler]), '-p', tsconfig, '--extendedDiagnostics', '--noEmit', '--pretty', 'false', ...extraArgs],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  )
  const wallS = Number(process.hrtime.bigint() - started) / 1e9
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`
  if (r.error) throw r.error
  const f = parseExtendedDiagnostics(output)
  const errors = [...output.matchAll(/error (TS\d+)/g)].map((m) => m[1] as string)
  if (!f.has('Instantiations') && !f.has('Types')) throw new Error(`${compiler} printed no diagnostics for ${tsconfig}:\n${output.slice(0, 2000)}`)
  return {
    compiler,
    version: compilerVersion(compiler),
    instantiations: f.get('Instantiations') ?? null,
    types: f.get('Types') ?? null,
    memoryKiB: f.get('Memory used') ?? null,
    checkTimeS: f.get('Check time') ?? null,
    totalTimeS: f.get('Total time') ?? null,
    errors,
    wallS,
  }
}
