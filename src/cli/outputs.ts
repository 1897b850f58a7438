/**
 * What the CLI writes after an execution: the trace (Perfetto JSON, ftrace text), lockdep's
 * class graph (DOT, SVG through the optional @hpcc-js/wasm-graphviz), lockdep's /proc files —
 * each to a file of its own (`run --perfetto …`), or all into one directory (`--out dir`).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { lockGraphToDot, traceToFtrace, traceToPerfetto } from '../index.js'
import type { RunRecord } from './run.js'

/** An output could not be made (e.g. --svg without Graphviz installed): exit status 2. */
export class OutputError extends Error {
  override name = 'OutputError'
}

/** Where each output goes (relative to the working directory), or undefined for none. */
export interface OutputTargets {
  readonly perfetto?: string | undefined
  readonly ftrace?: string | undefined
  readonly dot?: string | undefined
  readonly svg?: string | undefined
  /** Skip the SVG when Graphviz is not installed (`--out`), instead of failing (`--svg`). */
  readonly svgIfInstalled?: boolean
  readonly proc?: string | undefined
}

/** Every output, in one directory: the names `--out` writes. */
export const outputDirectory = (dir: string): OutputTargets => ({
  perfetto: join(dir, 'trace.json'),
  ftrace: join(dir, 'trace.txt'),
  dot: join(dir, 'lockgraph.dot'),
  svg: join(dir, 'lockgraph.svg'),
  svgIfInstalled: true,
  proc: join(dir, 'proc'),
})

/** Writes `file` (relative to `cwd`); returns it as it was given, as the user reads it back. */
const write = async (cwd: string, file: string, text: string): Promise<string> => {
  const path = resolve(cwd, file)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text)
  return file
}

type Graphviz = { dot(src: string): string }

const graphviz = async (): Promise<Graphviz | null> => {
  const mod: { Graphviz: { load(): Promise<Graphviz> } } | null = await import('@hpcc-js/wasm-graphviz').catch(() => null)
  return mod === null ? null : mod.Graphviz.load()
}

const NO_GRAPHVIZ = 'npm i -D @hpcc-js/wasm-graphviz (or write the DOT and run `dot -Tsvg`)'

/** DOT → SVG with Graphviz's WebAssembly build, when it is installed. */
export const renderSvg = async (dot: string): Promise<string> => {
  const g = await graphviz()
  if (g === null) throw new OutputError(`--svg needs Graphviz: ${NO_GRAPHVIZ}`)
  return g.dot(dot)
}

export interface Written {
  /** The paths written, in order (relative to the working directory when given so). */
  readonly paths: readonly string[]
  /** What was skipped and why (the SVG of `--out` without Graphviz). */
  readonly notes: readonly string[]
}

/** Writes every output asked for. */
export const writeOutputs = async (run: RunRecord, to: OutputTargets, cwd: string, title: string): Promise<Written> => {
  const paths: string[] = []
  const notes: string[] = []
  const layout = { preemptCountLayout: run.preemptCountLayout }
  if (to.perfetto !== undefined) paths.push(await write(cwd, to.perfetto, traceToPerfetto(run.trace, layout)))
  if (to.ftrace !== undefined) paths.push(await write(cwd, to.ftrace, traceToFtrace(run.trace, layout)))
  if (to.dot !== undefined || to.svg !== undefined) {
    const dot = lockGraphToDot(run.lockGraph(), { diagnostics: run.diagnostics, title })
    if (to.dot !== undefined) paths.push(await write(cwd, to.dot, dot))
    if (to.svg !== undefined) {
      const g = to.svgIfInstalled === true ? await graphviz() : null
      if (to.svgIfInstalled === true && g === null) notes.push(`no SVG: ${NO_GRAPHVIZ}`)
      else paths.push(await write(cwd, to.svg, g === null ? await renderSvg(dot) : g.dot(dot)))
    }
  }
  if (to.proc !== undefined) {
    for (const file of ['/proc/lockdep', '/proc/lockdep_chains', '/proc/lockdep_stats'] as const) {
      paths.push(await write(cwd, join(to.proc, file.slice('/proc/'.length)), run.readProc(file)))
    }
  }
  return { paths, notes }
}
