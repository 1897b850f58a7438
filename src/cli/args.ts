/**
 * The command line: `lockproof <command> [options] <model>`, parsed with node:util parseArgs
 * (strict: an unknown option or a missing value is a usage error, exit status 2).
 */
import { parseArgs } from 'node:util'

export const COMMANDS = ['run'] as const
export type Command = (typeof COMMANDS)[number]

export const HELP = `Usage: lockproof <command> [options] <model>

Run a lockproof model on a simulated kernel and write what it did: the trace for Perfetto,
lockdep's class graph for Graphviz, lockdep's /proc files.

Commands:
  run <model>          Run the model once: a module whose default export is a function of a
                       kernel, (kernel) => void, or a model from defineModel() (one execution
                       with the default scheduler, or --replay's). A .ts model needs tsx
                       installed (npm i -D tsx), or compile it to .js/.mjs first.

Options:
  --rt                 Make the kernel CONFIG_PREEMPT_RT (default: a normal kernel).
  --cpus <n>           Number of simulated CPUs (default: the model's options, else 1).
  --perfetto <file>    Write the trace as Chrome/Perfetto JSON (open it at ui.perfetto.dev).
  --ftrace <file>      Write the trace as ftrace text (Perfetto and trace-cmd read it).
  --dot <file>         Write lockdep's class graph as Graphviz DOT.
  --svg <file>         Write the class graph as SVG (needs @hpcc-js/wasm-graphviz installed).
  --proc <dir>         Write lockdep's /proc files (lockdep, lockdep_chains, lockdep_stats) into <dir>.
  --replay <schedule>  Run a defineModel() model with this schedule: the choice taken at each
                       point, comma-separated (as the summary line prints it).
  -q, --quiet          Print only the summary line, not each report.
  -h, --help           Show this help.
  -v, --version        Show the version.

A model module may also export \`options\` (createKernel()'s options); --rt and --cpus override them.

Exit status:
  0  nothing was reported
  1  a diagnostic was reported (or the model threw a lockproof error)
  2  a usage error, or the model could not be loaded or threw something else
`

export interface CliArgs {
  readonly command: Command
  readonly model: string
  readonly rt: boolean
  readonly cpus: number | undefined
  readonly perfetto: string | undefined
  readonly ftrace: string | undefined
  readonly dot: string | undefined
  readonly svg: string | undefined
  readonly proc: string | undefined
  /** The schedule to replay (choice indices), or undefined. */
  readonly replay: readonly number[] | undefined
  readonly quiet: boolean
}

export type Parsed =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string }
  | { readonly kind: 'args'; readonly args: CliArgs }

const isCommand = (s: string): s is Command => (COMMANDS as readonly string[]).includes(s)

/** Parses `argv` (without node and the script); never throws. */
export const parseCli = (argv: readonly string[]): Parsed => {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (e) {
    return { kind: 'usage-error', message: e instanceof Error ? e.message : String(e) }
  }
  const { values, positionals } = parsed
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }
  const [command, model, ...extra] = positionals
  if (command === undefined) return { kind: 'usage-error', message: 'no command given' }
  if (!isCommand(command)) return { kind: 'usage-error', message: `unknown command '${command}' (commands: ${COMMANDS.join(', ')})` }
  if (model === undefined) return { kind: 'usage-error', message: `${command}: no model module given` }
  if (extra.length > 0) return { kind: 'usage-error', message: `${command}: one model at a time (also given: ${extra.join(' ')})` }
  let cpus: number | undefined
  if (values.cpus !== undefined) {
    cpus = Number(values.cpus)
    if (!Number.isInteger(cpus) || cpus < 1) return { kind: 'usage-error', message: `--cpus: a whole number ≥ 1, not '${values.cpus}'` }
  }
  let replay: number[] | undefined
  if (values.replay !== undefined) {
    replay = values.replay === '' ? [] : values.replay.split(',').map(Number)
    if (!replay.every((i) => Number.isInteger(i) && i >= 0)) {
      return { kind: 'usage-error', message: `--replay: choice indices separated by commas (0,1,0), not '${values.replay}'` }
    }
  }
  return {
    kind: 'args',
    args: {
      command,
      model,
      rt: values.rt === true,
      cpus,
      perfetto: values.perfetto,
      ftrace: values.ftrace,
      dot: values.dot,
      svg: values.svg,
      proc: values.proc,
      replay,
      quiet: values.quiet === true,
    },
  }
}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      rt: { type: 'boolean' },
      cpus: { type: 'string' },
      perfetto: { type: 'string' },
      ftrace: { type: 'string' },
      dot: { type: 'string' },
      svg: { type: 'string' },
      proc: { type: 'string' },
      replay: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
