/**
 * The command line's options, each once: its flag, its value, which commands take it, its help
 * line and its default. The parser (./args.ts) and the help texts (./help.ts) both read this table.
 */

export const COMMANDS = ['run', 'explore'] as const
export type Command = (typeof COMMANDS)[number]

export interface OptionSpec {
  readonly name: string
  readonly short?: string
  /** The value's placeholder in the help (`<n>`), or undefined for a switch. */
  readonly value?: string
  readonly commands: readonly Command[]
  readonly help: string
  /** The default, as the help prints it. */
  readonly default?: string
}

const BOTH: readonly Command[] = COMMANDS
const RUN: readonly Command[] = ['run']
const EXPLORE: readonly Command[] = ['explore']

/** In the order the help lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  // What the execution is: both commands.
  { name: 'rt', commands: RUN, help: 'Make the kernel CONFIG_PREEMPT_RT.', default: 'a normal kernel' },
  { name: 'cpus', value: '<n>', commands: RUN, help: 'Number of simulated CPUs.', default: "the model's options, else 1" },
  { name: 'kernels', value: '<list>', commands: EXPLORE, help: 'The kernels to explore, comma-separated: normal, rt.', default: 'normal,rt' },
  { name: 'strategy', value: '<name>', commands: EXPLORE, help: 'dfs (exhaustive within the bounds), random, or pct.', default: 'dfs' },
  { name: 'reduction', value: '<name>', commands: EXPLORE, help: "dfs's reduction: dpor (source sets + sleep sets), sleep, none.", default: 'dpor' },
  { name: 'preemption-bound', value: '<n>', commands: EXPLORE, help: 'Preemptions per execution; none: unbounded.', default: '2' },
  { name: 'seed', value: '<n>', commands: EXPLORE, help: "random's and pct's seed.", default: '1' },
  { name: 'depth', value: '<n>', commands: EXPLORE, help: "pct's bug depth.", default: '3' },
  { name: 'max-executions', value: '<n>', commands: EXPLORE, help: 'Executions per kernel.', default: '100000' },
  { name: 'max-time', value: '<ms>', commands: EXPLORE, help: 'Milliseconds per kernel.', default: '10000' },
  { name: 'step-limit', value: '<n>', commands: EXPLORE, help: 'Steps one task or handler may take in an execution; more is a livelock.', default: '10000' },
  { name: 'keep-going', commands: EXPLORE, help: 'Collect every distinct counterexample.', default: 'stop at the first failing execution' },
  { name: 'shrink', value: '<n>', commands: EXPLORE, help: 'Re-executions shrinking one counterexample may take; 0: none.', default: '300' },
  { name: 'no-shrink', commands: EXPLORE, help: 'Do not shrink (as --shrink 0).' },
  { name: 'no-lockdep', commands: BOTH, help: 'Run without lockdep; a deadlock is then found by execution.', default: "the model's option, else on" },
  {
    name: 'irq-arrivals',
    value: '<n>',
    commands: BOTH,
    help: 'How often each declared interrupt may arrive in one execution of a defineModel() model.',
    default: '1',
  },
  {
    name: 'replay',
    value: '<string>',
    commands: BOTH,
    help: "Run one recorded execution again: the replay string lp1:<kernel>:<fingerprint>:<choices> a counterexample prints (quote it: '*' is a glob character). run also takes the comma-separated schedule it prints.",
  },
  // Where the outputs go.
  {
    name: 'out',
    short: 'o',
    value: '<dir>',
    commands: BOTH,
    help: 'Write every output (trace.json, trace.txt, lockgraph.dot, lockgraph.svg, proc/) into <dir>; explore: one directory per failing execution, <dir>/<kernel>-<n>/.',
  },
  { name: 'perfetto', value: '<file>', commands: RUN, help: 'Write the trace as Chrome/Perfetto JSON (open it at ui.perfetto.dev).' },
  { name: 'ftrace', value: '<file>', commands: RUN, help: 'Write the trace as ftrace text (Perfetto and trace-cmd read it).' },
  { name: 'dot', value: '<file>', commands: RUN, help: "Write lockdep's class graph as Graphviz DOT." },
  { name: 'svg', value: '<file>', commands: RUN, help: 'Write the class graph as SVG (needs @hpcc-js/wasm-graphviz installed).' },
  { name: 'proc', value: '<dir>', commands: RUN, help: "Write lockdep's /proc files (lockdep, lockdep_chains, lockdep_stats) into <dir>." },
  { name: 'json', commands: BOTH, help: 'Print the result as one JSON object on stdout instead of text.' },
  { name: 'quiet', short: 'q', commands: BOTH, help: 'Print only the summary: no reports, tables or progress.' },
  { name: 'help', short: 'h', commands: BOTH, help: 'Show this help.' },
  { name: 'version', short: 'v', commands: BOTH, help: 'Show the version.' },
]

export const isCommand = (s: string): s is Command => (COMMANDS as readonly string[]).includes(s)

/** `-o, --out <dir>` as the help and the errors spell it. */
export const flagOf = (o: OptionSpec): string => `${o.short === undefined ? '' : `-${o.short}, `}--${o.name}${o.value === undefined ? '' : ` ${o.value}`}`
