/**
 * `lockproof`: runs a model module on a simulated kernel and writes its pictures. The exit
 * status tells CI what happened: 0 nothing reported, 1 a diagnostic (or a lockproof error the
 * model threw), 2 a usage error or a model that could not be loaded or threw something else.
 */
import { readFile } from 'node:fs/promises'
// Only the public surface: the built CLI imports it from dist/index.js, the same module a model's `import 'lockproof'` gets.
import { createKernel, type Kernel, LockproofRuntimeError } from '../index.js'
import { HELP, parseCli } from './args.js'
import { loadModel } from './load-model.js'
import { writeOutputs } from './outputs.js'

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

/** A lockproof error thrown by a model: by name, since the model may import another copy of lockproof. */
const isLockproofError = (e: unknown): e is Error =>
  e instanceof LockproofRuntimeError || (e instanceof Error && ['LockproofError', 'KernelSplat', 'DeadlockError'].includes(e.name))

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
  let kernel: Kernel
  let threw: unknown = null
  try {
    const model = await loadModel(args.model, io.cwd)
    kernel = createKernel({
      ...model.options,
      ...(args.rt ? { preemptRt: true } : {}),
      ...(args.cpus === undefined ? {} : { cpus: args.cpus }),
      trace: true,
    })
    try {
      await model.run(kernel)
    } catch (e) {
      threw = e
    }
  } catch (e) {
    io.err(`lockproof: ${e instanceof Error ? e.message : String(e)}\n`)
    return EXIT_USAGE
  }
  if (threw !== null && !isLockproofError(threw)) {
    io.err(`lockproof: ${args.model} threw: ${threw instanceof Error ? (threw.stack ?? threw.message) : String(threw)}\n`)
    return EXIT_USAGE
  }
  const config = kernel.options.preemptRt ? 'PREEMPT_RT' : 'normal kernel'
  if (!args.quiet) for (const d of kernel.diagnostics) io.out(`${d.report}\n\n`)
  if (threw instanceof Error && !args.quiet) io.out(`${threw.name}: ${threw.message}\n\n`)
  try {
    for (const path of await writeOutputs(kernel, args, io.cwd, `${args.model} (${config})`)) io.out(`wrote ${path}\n`)
  } catch (e) {
    // An OutputError (--svg without Graphviz) or the file system's error.
    io.err(`lockproof: ${e instanceof Error ? e.message : String(e)}\n`)
    return EXIT_USAGE
  }
  const found = kernel.diagnostics.length
  const thrown = threw instanceof Error ? `, the model threw ${threw.name}` : ''
  io.out(`lockproof run ${args.model} (${config}, ${plural(kernel.cpuCount, 'CPU')}): ${plural(found, 'diagnostic')}${thrown}\n`)
  return found > 0 || threw !== null ? EXIT_FOUND : EXIT_CLEAN
}
