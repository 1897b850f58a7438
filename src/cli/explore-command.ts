/**
 * `lockproof explore <model>`: the explorer's result on stdout (text or --json), progress on
 * stderr, each counterexample's pictures (or the replayed execution's) written with --out.
 */
import { join } from 'node:path'
import type { Counterexample } from '../index.js'
import type { ExploreArgs } from './args.js'
import { counterexampleRecord, type ExploreRun, exploreLoaded, replayFlags } from './explore.js'
import { type ExploreTextOptions, exploreJson, exploreText, shellWord } from './explore-text.js'
import { type CliIo, EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE, errorText, modelFailureText } from './io.js'
import { loadModel } from './load-model.js'
import { outputDirectory, writeOutputs } from './outputs.js'
import { progressSink } from './progress.js'

/**
 * Writes each failing execution into `<out>/<kernel>-<n>/` (n counts that kernel's executions
 * from 1; counterexamples found in one execution share its directory), or the replayed execution
 * into `<out>/`.
 */
const writeAll = async (run: ExploreRun, args: ExploreArgs, io: CliIo, out: string): Promise<Map<Counterexample | null, readonly string[]>> => {
  const written = new Map<Counterexample | null, readonly string[]>()
  const notes = new Set<string>()
  if (run.replayed !== null) {
    const w = await writeOutputs(run.replayed, outputDirectory(out), io.cwd, `${args.model} (${run.replayed.config})`)
    written.set(null, w.paths)
    for (const n of w.notes) notes.add(n)
  } else
    for (const k of run.result.kernels) {
      const byReplay = new Map<string, readonly string[]>()
      for (const c of k.counterexamples) {
        let paths = byReplay.get(c.replay)
        if (paths === undefined) {
          const record = counterexampleRecord(run, c, args)
          const dir = join(out, `${c.kernel}-${byReplay.size + 1}`)
          const w = await writeOutputs(record, outputDirectory(dir), io.cwd, `${args.model} (${record.config}): ${c.title}`)
          paths = w.paths
          byReplay.set(c.replay, paths)
          for (const n of w.notes) notes.add(n)
        }
        written.set(c, paths)
      }
    }
  for (const n of notes) io.err(`lockproof: ${n}\n`)
  return written
}

export const exploreCommand = async (args: ExploreArgs, io: CliIo): Promise<number> => {
  const progress = args.quiet ? null : progressSink(io.err, io.errIsTTY === true)
  let run: ExploreRun
  try {
    run = exploreLoaded(await loadModel(args.model, io.cwd), args, progress?.onProgress)
  } catch (e) {
    // Not loadable, not a defineModel() model, a replay string of another model, or the model's own mistake (ForgottenYieldError, DeclarationsChangedError, …).
    io.err(`lockproof: ${modelFailureText(args.model, e)}\n`)
    return EXIT_USAGE
  } finally {
    progress?.done()
  }
  let written = new Map<Counterexample | null, readonly string[]>()
  try {
    if (args.out !== undefined) written = await writeAll(run, args, io, args.out)
  } catch (e) {
    io.err(`lockproof: ${errorText(e)}\n`)
    return EXIT_USAGE
  }
  const flags = replayFlags(args)
  const options: ExploreTextOptions = {
    model: args.model,
    quiet: args.quiet,
    stopOnFailure: args.search.stopOnFailure !== false,
    replay: args.replay?.kind === 'string' ? args.replay.text : null,
    replayCommand: (c) => ['lockproof', 'explore', shellWord(args.model), ...flags, '--replay', shellWord(c.replay)].join(' '),
    written,
  }
  const status = run.result.ok ? EXIT_CLEAN : EXIT_FOUND
  io.out(args.json ? exploreJson(run.result, options, status) : exploreText(run.result, options))
  return status
}
