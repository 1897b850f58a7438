/** `lockproof run <model>`: one execution, its reports on stdout, its pictures written. */
import type { RunArgs } from './args.js'
import { type CliIo, EXIT_CLEAN, EXIT_FOUND, EXIT_USAGE, errorText, modelFailureText, plural } from './io.js'
import { loadModel } from './load-model.js'
import { outputDirectory, writeOutputs } from './outputs.js'
import { type RunRecord, runLoaded } from './run.js'

export const runCommand = async (args: RunArgs, io: CliIo): Promise<number> => {
  let run: RunRecord
  try {
    run = await runLoaded(await loadModel(args.model, io.cwd), args)
  } catch (e) {
    // The model could not be loaded, its options were refused, it threw something of its own, or a replay string was refused.
    io.err(`lockproof: ${modelFailureText(args.model, e)}\n`)
    return EXIT_USAGE
  }
  const found = run.diagnostics.length + run.races.length > 0 || run.threw !== null || run.unfinished !== null
  const status = found ? EXIT_FOUND : EXIT_CLEAN
  const title = `${args.model} (${run.config})`
  const files: string[] = []
  try {
    if (args.out !== undefined) {
      const w = await writeOutputs(run, outputDirectory(args.out), io.cwd, title)
      files.push(...w.paths)
      for (const note of w.notes) io.err(`lockproof: ${note}\n`)
    }
    files.push(...(await writeOutputs(run, args, io.cwd, title)).paths)
  } catch (e) {
    // An OutputError (--svg without Graphviz) or the file system's error.
    io.err(`lockproof: ${errorText(e)}\n`)
    return EXIT_USAGE
  }
  if (args.json) {
    io.out(
      `${JSON.stringify(
        {
          command: 'run',
          model: args.model,
          config: run.config,
          cpus: run.cpus,
          exitStatus: status,
          diagnostics: run.diagnostics.map((d) => ({ kind: d.kind, title: d.title, report: d.report })),
          races: run.races.map((c) => ({ title: c.title, report: c.report })),
          unfinished: run.unfinished,
          threw: run.threw === null ? null : { name: run.threw.name, message: run.threw.message },
          schedule: run.schedule,
          files,
        },
        null,
        2,
      )}\n`,
    )
    return status
  }
  if (!args.quiet) {
    for (const d of run.diagnostics) io.out(`${d.report}\n\n`)
    for (const c of run.races) io.out(`${c.report}\n\n`)
    if (run.threw !== null) io.out(`${run.threw.name}: ${run.threw.message}\n\n`)
  }
  for (const path of files) io.out(`wrote ${path}\n`)
  const ended = [
    run.races.length === 0 ? '' : `, ${plural(run.races.length, 'data race')}`,
    run.unfinished === null ? '' : `, the execution ended in ${run.unfinished}`,
    run.threw === null ? '' : `, the model threw ${run.threw.name}`,
  ].join('')
  io.out(`lockproof run ${args.model} (${run.config}, ${plural(run.cpus, 'CPU')}): ${plural(run.diagnostics.length, 'diagnostic')}${ended}\n`)
  if (run.schedule !== null) io.out(`schedule: ${run.schedule.join(',')} (--replay it)\n`)
  return status
}
