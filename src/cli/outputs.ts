/**
 * What `lockproof run` writes after a run: the trace (Perfetto JSON, ftrace text), lockdep's
 * class graph (DOT, SVG through the optional @hpcc-js/wasm-graphviz), lockdep's /proc files.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { lockGraphToDot, traceToFtrace, traceToPerfetto } from '../index.js'
import type { CliArgs } from './args.js'
import type { RunRecord } from './run.js'

/** An output could not be made (e.g. --svg without Graphviz installed): exit status 2. */
export class OutputError extends Error {
  override name = 'OutputError'
}

const write = async (cwd: string, file: string, text: string): Promise<string> => {
  const path = resolve(cwd, file)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text)
  return path
}

/** DOT → SVG with Graphviz's WebAssembly build, when it is installed. */
export const renderSvg = async (dot: string): Promise<string> => {
  const mod: { Graphviz: { load(): Promise<{ dot(src: string): string }> } } | null = await import('@hpcc-js/wasm-graphviz').catch(() => null)
  if (mod === null) throw new OutputError('--svg needs Graphviz: npm i -D @hpcc-js/wasm-graphviz (or write --dot and run `dot -Tsvg`)')
  return (await mod.Graphviz.load()).dot(dot)
}

/** Writes every output asked for; returns the paths written, in order. */
export const writeOutputs = async (run: RunRecord, args: CliArgs, cwd: string, title: string): Promise<string[]> => {
  const written: string[] = []
  const layout = { preemptCountLayout: run.preemptCountLayout }
  if (args.perfetto !== undefined) written.push(await write(cwd, args.perfetto, traceToPerfetto(run.trace, layout)))
  if (args.ftrace !== undefined) written.push(await write(cwd, args.ftrace, traceToFtrace(run.trace, layout)))
  if (args.dot !== undefined || args.svg !== undefined) {
    const dot = lockGraphToDot(run.lockGraph(), { diagnostics: run.diagnostics, title })
    if (args.dot !== undefined) written.push(await write(cwd, args.dot, dot))
    if (args.svg !== undefined) written.push(await write(cwd, args.svg, await renderSvg(dot)))
  }
  if (args.proc !== undefined) {
    for (const file of ['/proc/lockdep', '/proc/lockdep_chains', '/proc/lockdep_stats'] as const) {
      written.push(await write(cwd, join(args.proc, file.slice('/proc/'.length)), run.readProc(file)))
    }
  }
  return written
}
