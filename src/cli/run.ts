/**
 * One run of a loaded model, whichever its kind, as what the CLI prints and writes: the trace,
 * the diagnostics, lockdep's graph and files, and how the run ended. `replayExecution` re-runs one
 * recorded execution (a replay string) with everything runModel() returns, for `run --replay` and
 * for each counterexample `explore` writes.
 */
import {
  type Counterexample,
  createKernel,
  type DecodedReplay,
  type Diagnostic,
  explore,
  type LockdepProcFile,
  type LockGraph,
  LockproofRuntimeError,
  type Model,
  type ModelResult,
  replayScheduler,
  runModel,
  type TraceEvent,
} from '../index.js'
import type { ReplayArg } from './args.js'
import type { LoadedModel } from './load-model.js'

export interface RunRecord {
  readonly trace: readonly TraceEvent[]
  readonly diagnostics: readonly Diagnostic[]
  readonly lockGraph: () => LockGraph
  readonly readProc: (file: LockdepProcFile) => string
  readonly preemptCountLayout: 'mainline' | 'interrupt-count'
  /** 'normal kernel' or 'PREEMPT_RT'. */
  readonly config: string
  readonly cpus: number
  /** How a model execution ended, when it did not complete ('deadlock', 'step-limit'), else null. */
  readonly unfinished: string | null
  /** What the model threw (a lockproof error: a splat with onDiagnostic 'throw', a deadlock), or null. */
  readonly threw: Error | null
  /** A model execution's schedule (the choice index at each point: `--replay` takes it), else null. */
  readonly schedule: readonly number[] | null
  /** What the explorer sees in a replayed execution and one run does not: its data races. */
  readonly races: readonly Counterexample[]
}

/** The model threw something that is not lockproof's, or cannot be run so: the CLI's exit status 2. */
export class ModelError extends Error {
  override name = 'ModelError'
}

/** A lockproof error, by name too, since the model may import another copy of lockproof. */
const isLockproofError = (e: unknown): e is Error =>
  e instanceof LockproofRuntimeError || (e instanceof Error && ['LockproofError', 'KernelSplat', 'DeadlockError', 'ForgottenYieldError'].includes(e.name))

const thrown = (e: unknown): Error => {
  if (isLockproofError(e)) return e
  throw new ModelError(`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
}

/** What every execution of a model gets from the command line. */
export interface ExecutionFlags {
  /** false: --no-lockdep; undefined: the model's option. */
  readonly lockdep: false | undefined
  readonly irqArrivals: number | undefined
}

export interface RunFlags extends ExecutionFlags {
  readonly rt: boolean
  readonly cpus: number | undefined
  readonly replay: ReplayArg | undefined
}

const executionOptions = (flags: ExecutionFlags) => ({
  ...(flags.lockdep === undefined ? {} : { lockdep: flags.lockdep }),
  ...(flags.irqArrivals === undefined ? {} : { irqArrivals: flags.irqArrivals }),
})

/** `replayed`: an error the model threw is a finding (the explorer's failed assertion), whatever it is. */
const recordOf = (
  model: Model,
  r: ModelResult,
  options: { preemptRt?: boolean; cpus?: number },
  races: readonly Counterexample[],
  replayed: boolean,
): RunRecord => {
  const error = r.outcome.kind === 'error' ? r.outcome.error : undefined
  const o = { ...model.options, ...options }
  return {
    trace: r.trace,
    diagnostics: r.diagnostics,
    lockGraph: r.lockGraph,
    readProc: r.readProc,
    preemptCountLayout: o.preemptCountLayout ?? 'mainline',
    config: o.preemptRt === true ? 'PREEMPT_RT' : 'normal kernel',
    cpus: o.cpus ?? 1,
    unfinished: r.outcome.kind === 'deadlock' || r.outcome.kind === 'step-limit' ? r.outcome.kind : null,
    threw: r.outcome.kind !== 'error' ? null : replayed && error instanceof Error ? error : thrown(error),
    schedule: r.schedule,
    races,
  }
}

/**
 * Re-runs one recorded execution with the event log on: exactly its choices (then it stops: a
 * step-limit counterexample ends where it was recorded), on its kernel.
 */
export const replayExecution = (model: Model, replay: DecodedReplay, flags: ExecutionFlags, races: readonly Counterexample[] = []): RunRecord => {
  const kernel = { preemptRt: replay.kernel === 'rt' }
  const r = runModel(model, {
    ...kernel,
    ...executionOptions(flags),
    trace: true,
    scheduler: replayScheduler(replay.schedule),
    maxSteps: replay.schedule.length,
  })
  return recordOf(model, r, kernel, races, true)
}

/**
 * `explore(model, { replay })`: the explorer's own check that the string was recorded on this
 * model (a ReplayError names the two fingerprints), and its findings in that execution.
 */
export const exploreReplay = (model: Model, text: string, flags: ExecutionFlags & { readonly stepLimit?: number }) =>
  explore(model, { replay: text, trace: true, ...executionOptions(flags), ...(flags.stepLimit === undefined ? {} : { stepLimit: flags.stepLimit }) })

export const runLoaded = async (loaded: LoadedModel, flags: RunFlags): Promise<RunRecord> => {
  const overrides = { ...(flags.rt ? { preemptRt: true } : {}), ...(flags.cpus === undefined ? {} : { cpus: flags.cpus }), trace: true }
  if (loaded.kind === 'model') {
    const replay = flags.replay
    if (replay?.kind === 'string') {
      const found = exploreReplay(loaded.model, replay.text, flags)
      return replayExecution(
        loaded.model,
        replay.decoded,
        flags,
        found.counterexamples.filter((c) => c.kind === 'data-race'),
      )
    }
    const scheduler = replay === undefined ? {} : { scheduler: replayScheduler(replay.indices) }
    const r = runModel(loaded.model, { ...overrides, ...executionOptions(flags), ...scheduler })
    return recordOf(loaded.model, r, overrides, [], false)
  }
  if (flags.replay !== undefined)
    throw new ModelError('is a function of a kernel: --replay takes a defineModel() model (a kernel.run program has one schedule)')
  if (flags.irqArrivals !== undefined) throw new ModelError('is a function of a kernel: --irq-arrivals applies to defineModel() models')
  const kernel = createKernel({ ...loaded.options, ...overrides, ...(flags.lockdep === undefined ? {} : { lockdep: flags.lockdep }) })
  let threw: Error | null = null
  try {
    await loaded.run(kernel)
  } catch (e) {
    threw = thrown(e)
  }
  return {
    trace: kernel.trace,
    diagnostics: kernel.diagnostics,
    lockGraph: () => kernel.lockGraph(),
    readProc: (file) => kernel.readProc(file),
    preemptCountLayout: kernel.options.preemptCountLayout,
    config: kernel.options.preemptRt ? 'PREEMPT_RT' : 'normal kernel',
    cpus: kernel.cpuCount,
    unfinished: null,
    threw,
    schedule: null,
    races: [],
  }
}
