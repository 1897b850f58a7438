/**
 * `lockproof --help` and `lockproof <command> --help`: the usage line, what it does, the options
 * with their defaults (from ./options.ts), examples, the exit statuses.
 */
import { type Command, flagOf, OPTIONS, type OptionSpec } from './options.js'

const EXIT_STATUS = `Exit status:
  0  nothing was found
  1  a diagnostic, a deadlock, a data race or another counterexample was found
  2  a usage error, or the model could not be loaded, was refused or threw something else
`

const WIDTH = 100

/** `text` in lines of at most WIDTH columns, the first after `lead`, the rest indented as far. */
const wrap = (lead: string, text: string): string => {
  const lines: string[] = []
  let line = lead
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > WIDTH && line.trim().length > lead.trim().length) {
      lines.push(line.trimEnd())
      line = ' '.repeat(lead.length)
    }
    line += `${word} `
  }
  lines.push(line.trimEnd())
  return lines.join('\n')
}

/** An option's help text with its default: `… (default: 2).` */
export const describeOption = (o: OptionSpec): string => (o.default === undefined ? o.help : `${o.help.replace(/\.$/, '')} (default: ${o.default}).`)

const optionLines = (command: Command | null): string => {
  const shown = OPTIONS.filter((o) => (command === null ? o.name === 'help' || o.name === 'version' : o.commands.includes(command)))
  const width = Math.max(...shown.map((o) => flagOf(o).length)) + 2
  return shown.map((o) => wrap(`  ${flagOf(o).padEnd(width)} `, describeOption(o))).join('\n')
}

const TOP = `Usage: lockproof <command> [options] <model>

Run or explore a lockproof model on a simulated kernel (normal and CONFIG_PREEMPT_RT) and write
what it did: the trace for Perfetto, lockdep's class graph for Graphviz, lockdep's /proc files.

Commands:
  run <model>          Run the model once: a module whose default export is a function of a
                       kernel, (kernel) => void, or a model from defineModel().
  explore <model>      Explore every interleaving and interrupt arrival of a defineModel() model
                       within the bounds, on both kernels; print and write each counterexample.

A .ts model needs tsx installed (npm i -D tsx), or compile it to .js/.mjs first.

Options:
${optionLines(null)}

Examples:
  lockproof run model.ts --out pictures/
  lockproof explore model.ts
  lockproof explore model.ts --replay 'lp1:normal:1mee3nl:1.1.0*4' --out cx/

Run 'lockproof <command> --help' (or 'lockproof help <command>') for a command's options.

${EXIT_STATUS}`

const RUN_HELP = `Usage: lockproof run [options] <model>

Run the model once and write what it did. The model module's default export is a function of a
kernel, (kernel) => void, run by kernel.run's synchronous executor (the module may export
\`options\`, createKernel()'s options; --rt and --cpus override them), or a model from
defineModel(), run once by the model executor with the default scheduler or --replay's.

Options:
${optionLines('run')}

Examples:
  lockproof run model.ts --perfetto trace.json --dot graph.dot
  lockproof run model.ts --rt --cpus 4 --out pictures/
  lockproof run model.ts --replay 'lp1:rt:1mee3nl:1.1.0*4' --ftrace trace.txt

${EXIT_STATUS}`

const EXPLORE_HELP = `Usage: lockproof explore [options] <model>

Explore a defineModel() model: every interleaving of its tasks and every arrival of its
interrupts within the bounds, on each kernel. Prints each kernel's search, what happens on one
kernel only, and each counterexample (shrunk) with its report, its per-CPU table and its replay
string; with --out, writes each counterexample's trace (Perfetto JSON, ftrace text), lockdep's
class graph (DOT, and SVG when @hpcc-js/wasm-graphviz is installed) and lockdep's /proc files.
Progress goes to stderr about every 500 ms (one rewritten line on a terminal).

Options:
${optionLines('explore')}

Examples:
  lockproof explore model.ts --out counterexamples/
  lockproof explore model.ts --kernels rt --strategy random --seed 7 --max-time 60000
  lockproof explore model.ts --no-lockdep --keep-going --json
  lockproof explore model.ts --replay 'lp1:normal:1mee3nl:1.1.0*4' --out replay/

${EXIT_STATUS}`

export const helpOf = (command: Command | null): string => (command === 'run' ? RUN_HELP : command === 'explore' ? EXPLORE_HELP : TOP)
