/**
 * `lockproof`: runs a model module on a simulated kernel and writes its pictures. The exit
 * status tells CI what happened: 0 nothing reported, 1 a diagnostic (or a lockproof error the
 * model threw), 2 a usage error or a model that could not be loaded or threw something else.
 */
import { readFile } from 'node:fs/promises'
import { HELP, parseCli } from './args.js'
import { loadModel } from './load-model.js'
import { writeOutputs } from './outputs.js'
import { ModelError, type RunRecord, runLoaded } from './run.js'

/** Where the CLI reads and writes: the process's, or a test's. */
export interface CliIo {
  readonly cwd: string
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

export const EXIT_CLEAN = 0
export const EXIT_FOUND = 1
export const EXIT_USAGE = 2

/** The package's version, from the package.json beside dist/ (or two up from src/cli/). */
const version = async (): Promise<string> => {
  for (const rel of ['../package.json', '../../package.json']) {
    const text = await readFile(new URL(rel, import.meta.url), 'utf8').catch(() => null)
    if (text === null) continue
    const pkg: unknown = JSON.parse(text)
    if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'lockproof' && 'version' in pkg) return String(pkg.version)
  }
  return 'unknown'
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export const main = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const parsed = parseCli(argv)
  if (parsed.kind === 'help') {
    io.out(HELP)
    return EXIT_CLEAN
  }
  if (parsed.kind === 'version') {
    io.out(`${await version()}\n`)
    return EXIT_CLEAN
  }
  if (parsed.kind === 'usage-error') {
    io.err(`lockproof: ${parsed.message}\nTry 'lockproof --help'.\n`)
    return EXIT_USAGE
  }
  const { args } = parsed
  let run: RunRecord
  try {
    run = await runLoaded(await loadModel(args.model, io.cwd), args)
  } catch (e) {
    // The model could not be loaded, its options were refused, or it threw something of its own.
    io.err(`lockproof: ${e instanceof ModelError ? `${args.model} ${e.message}` : e instanceof Error ? e.message : String(e)}\n`)
    return EXIT_USAGE
  }
  if (!args.quiet) for (const d of run.diagnostics) io.out(`${d.report}\n\n`)
  if (run.threw !== null && !args.quiet) io.out(`${run.threw.name}: ${run.threw.message}\n\n`)
  try {
    for (const path of await writeOutputs(run, args, io.cwd, `${args.model} (${run.config})`)) io.out(`wrote ${path}\n`)
  } catch (e) {
    // An OutputError (--svg without Graphviz) or the file system's error.
    io.err(`lockproof: ${e instanceof Error ? e.message : String(e)}\n`)
    return EXIT_USAGE
  }
  const found = run.diagnostics.length
  const ended = [
    run.unfinished === null ? '' : `, the execution ended in ${run.unfinished}`,
    run.threw === null ? '' : `, the model threw ${run.threw.name}`,
  ].join('')
  io.out(`lockproof run ${args.model} (${run.config}, ${plural(run.cpus, 'CPU')}): ${plural(found, 'diagnostic')}${ended}\n`)
  if (run.schedule !== null) io.out(`schedule: ${run.schedule.join(',')} (--replay it)\n`)
  return found > 0 || run.threw !== null || run.unfinished !== null ? EXIT_FOUND : EXIT_CLEAN
}
