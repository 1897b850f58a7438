/**
 * `lockproof`: runs or explores a model module on a simulated kernel and writes its pictures. The
 * exit status tells CI what happened: 0 nothing found, 1 a diagnostic or counterexample (or a
 * lockproof error the model threw), 2 a usage error or a model that could not be loaded, was
 * refused or threw something else.
 */
import { readFile } from 'node:fs/promises'
import { parseCli } from './args.js'
import { exploreCommand } from './explore-command.js'
import { helpOf } from './help.js'
import { type CliIo, EXIT_CLEAN, EXIT_USAGE } from './io.js'
import { runCommand } from './run-command.js'

export type { CliIo } from './io.js'
export { EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE } from './io.js'

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

export const main = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const parsed = parseCli(argv)
  switch (parsed.kind) {
    case 'help':
      io.out(helpOf(parsed.command))
      return EXIT_CLEAN
    case 'version':
      io.out(`${await version()}\n`)
      return EXIT_CLEAN
    case 'usage-error':
      io.err(`lockproof: ${parsed.message}\nTry 'lockproof ${parsed.command === null ? '' : `${parsed.command} `}--help'.\n`)
      return EXIT_USAGE
    case 'args':
      return parsed.args.command === 'run' ? runCommand(parsed.args, io) : exploreCommand(parsed.args, io)
  }
}
