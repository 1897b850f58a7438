/**
 * The command line: `lockproof <command> [options] <model>`, parsed with node:util parseArgs
 * (strict: an unknown option or a missing value is a usage error, exit status 2), then each
 * option checked against its command and each value against what it may be.
 */
import { parseArgs } from 'node:util'
import { type DecodedReplay, decodeReplay, type ExploreOptions, type KernelName } from '../index.js'
import { COMMANDS, type Command, isCommand, OPTIONS } from './options.js'

/** What `--replay` was given: the explorer's replay string, or (run only) the comma-separated indices `run` prints. */
export type ReplayArg =
  | { readonly kind: 'string'; readonly text: string; readonly decoded: DecodedReplay }
  | { readonly kind: 'indices'; readonly indices: readonly number[] }

interface CommonArgs {
  readonly model: string
  /** false with --no-lockdep; undefined: the model's option. */
  readonly lockdep: false | undefined
  readonly irqArrivals: number | undefined
  readonly replay: ReplayArg | undefined
  readonly out: string | undefined
  readonly json: boolean
  readonly quiet: boolean
}

export interface RunArgs extends CommonArgs {
  readonly command: 'run'
  readonly rt: boolean
  readonly cpus: number | undefined
  readonly perfetto: string | undefined
  readonly ftrace: string | undefined
  readonly dot: string | undefined
  readonly svg: string | undefined
  readonly proc: string | undefined
}

/** The explorer's search options given on the command line (the rest keep the explorer's defaults). */
export type SearchArgs = Pick<
  ExploreOptions,
  'kernels' | 'strategy' | 'reduction' | 'preemptionBound' | 'seed' | 'depth' | 'maxExecutions' | 'maxTimeMs' | 'stepLimit' | 'stopOnFailure'
> & {
  /** The most re-executions shrinking one counterexample may take (0: no shrinking). */
  readonly shrink?: number
}

export interface ExploreArgs extends CommonArgs {
  readonly command: 'explore'
  readonly search: SearchArgs
}

export type CliArgs = RunArgs | ExploreArgs

export type Parsed =
  | { readonly kind: 'help'; readonly command: Command | null }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string; readonly command: Command | null }
  | { readonly kind: 'args'; readonly args: CliArgs }

/** A bad value: the message names the option and what it takes. */
class UsageError extends Error {}

const parse = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(
      OPTIONS.map((o) => [
        o.name,
        { type: o.value === undefined ? ('boolean' as const) : ('string' as const), ...(o.short === undefined ? {} : { short: o.short }) },
      ]),
    ),
  })

type Values = ReturnType<typeof parse>['values']

const str = (values: Values, name: string): string | undefined => {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

const integer = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${name}: a whole number ≥ ${min}, not '${text}'`)
  return n
}

const oneOf = <T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T | undefined => {
  if (text === undefined) return undefined
  const found = allowed.find((a) => a === text)
  if (found === undefined) throw new UsageError(`--${name}: one of ${allowed.join(', ')}, not '${text}'`)
  return found
}

const kernelsOf = (text: string | undefined): KernelName[] | undefined => {
  if (text === undefined) return undefined
  const list = text.split(',').map((k) => k.trim())
  if (list.some((k) => k !== 'normal' && k !== 'rt') || new Set(list).size !== list.length)
    throw new UsageError(`--kernels: normal and/or rt, comma-separated, each once, not '${text}'`)
  return list as KernelName[]
}

const replayOf = (command: Command, text: string | undefined): ReplayArg | undefined => {
  if (text === undefined) return undefined
  if (/^lp\d+:/.test(text.trim())) {
    try {
      return { kind: 'string', text: text.trim(), decoded: decodeReplay(text) }
    } catch (e) {
      throw new UsageError(`--replay: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  const indices = text === '' ? [] : text.split(',').map(Number)
  if (command === 'run' && (text === '' || text.split(',').every((i) => /^\d+$/.test(i.trim())))) return { kind: 'indices', indices }
  throw new UsageError(
    command === 'run'
      ? `--replay: a replay string (lp1:<kernel>:<fingerprint>:<choices>, as explore prints it) or choice indices separated by commas (0,1,0), not '${text}'`
      : `--replay: a replay string (lp1:<kernel>:<fingerprint>:<choices>, as a counterexample prints it), not '${text}'`,
  )
}

/** The search options `--replay` leaves no room for: the string fixes the kernel and every choice. */
const SEARCH_FLAGS = [
  'kernels',
  'strategy',
  'reduction',
  'preemption-bound',
  'seed',
  'depth',
  'max-executions',
  'max-time',
  'keep-going',
  'shrink',
  'no-shrink',
]

const searchOf = (values: Values): SearchArgs => {
  const bound = str(values, 'preemption-bound')
  const shrink = values['no-shrink'] === true ? 0 : integer('shrink', str(values, 'shrink'), 0)
  const s: { -readonly [K in keyof SearchArgs]: SearchArgs[K] } = {}
  const kernels = kernelsOf(str(values, 'kernels'))
  if (kernels !== undefined) s.kernels = kernels
  const strategy = oneOf('strategy', str(values, 'strategy'), ['dfs', 'random', 'pct'] as const)
  if (strategy !== undefined) s.strategy = strategy
  const reduction = oneOf('reduction', str(values, 'reduction'), ['dpor', 'sleep', 'none'] as const)
  if (reduction !== undefined) s.reduction = reduction
  if (bound !== undefined) s.preemptionBound = bound === 'none' ? null : (integer('preemption-bound', bound, 0) as number)
  const numbers = [
    ['seed', 'seed', 0],
    ['depth', 'depth', 1],
    ['max-executions', 'maxExecutions', 1],
    ['max-time', 'maxTimeMs', 1],
    ['step-limit', 'stepLimit', 1],
  ] as const
  for (const [flag, key, min] of numbers) {
    const n = integer(flag, str(values, flag), min)
    if (n !== undefined) s[key] = n
  }
  if (values['keep-going'] === true) s.stopOnFailure = false
  if (shrink !== undefined) s.shrink = shrink
  return s
}

const argsOf = (command: Command, model: string, values: Values): CliArgs => {
  for (const name of Object.keys(values)) {
    const spec = OPTIONS.find((o) => o.name === name)
    if (spec !== undefined && !spec.commands.includes(command))
      throw new UsageError(`${command}: --${name} is not one of its options (it is ${spec.commands.join(' and ')}'s; see 'lockproof ${command} --help')`)
  }
  const replay = replayOf(command, str(values, 'replay'))
  if (replay !== undefined) {
    const given = SEARCH_FLAGS.filter((f) => values[f] !== undefined)
    if (given.length > 0) throw new UsageError(`--replay runs one recorded execution: ${given.map((f) => `--${f}`).join(', ')} cannot go with it`)
    if (replay.kind === 'string' && values.cpus !== undefined)
      throw new UsageError('--replay: --cpus cannot go with a replay string (it was recorded on the model as it is)')
    if (replay.kind === 'string' && values.rt === true && replay.decoded.kernel !== 'rt')
      throw new UsageError(`--replay: the replay string ran on the ${replay.decoded.kernel} kernel, --rt asks for PREEMPT_RT`)
  }
  const common: CommonArgs = {
    model,
    lockdep: values['no-lockdep'] === true ? false : undefined,
    irqArrivals: integer('irq-arrivals', str(values, 'irq-arrivals'), 0),
    replay,
    out: str(values, 'out'),
    json: values.json === true,
    quiet: values.quiet === true,
  }
  if (command === 'explore') return { ...common, command, search: searchOf(values) }
  return {
    ...common,
    command,
    rt: values.rt === true || (replay?.kind === 'string' && replay.decoded.kernel === 'rt'),
    cpus: integer('cpus', str(values, 'cpus'), 1),
    perfetto: str(values, 'perfetto'),
    ftrace: str(values, 'ftrace'),
    dot: str(values, 'dot'),
    svg: str(values, 'svg'),
    proc: str(values, 'proc'),
  }
}

/** Parses `argv` (without node and the script); never throws. */
export const parseCli = (argv: readonly string[]): Parsed => {
  let parsed: ReturnType<typeof parse>
  const first = argv.find((a) => !a.startsWith('-'))
  const guess = first !== undefined && isCommand(first) ? first : null
  try {
    parsed = parse(argv)
  } catch (e) {
    return { kind: 'usage-error', message: e instanceof Error ? e.message : String(e), command: guess }
  }
  const { values, positionals } = parsed
  const [command, model, ...extra] = positionals
  const known = command !== undefined && isCommand(command) ? command : null
  if (values.help === true) return { kind: 'help', command: known }
  // `lockproof help [command]`, as git and npm take it.
  if (command === 'help') return model !== undefined && isCommand(model) ? { kind: 'help', command: model } : { kind: 'help', command: null }
  if (values.version === true) return { kind: 'version' }
  const error = (message: string) => ({ kind: 'usage-error' as const, message, command: known })
  if (command === undefined) return error('no command given')
  if (known === null) return error(`unknown command '${command}' (commands: ${COMMANDS.join(', ')})`)
  if (model === undefined) return error(`${command}: no model module given`)
  if (extra.length > 0) return error(`${command}: one model at a time (also given: ${extra.join(' ')})`)
  try {
    return { kind: 'args', args: argsOf(known, model, values) }
  } catch (e) {
    if (e instanceof UsageError) return error(e.message)
    throw e
  }
}
