/**
 * One run of a loaded model, whichever its kind, as what the CLI prints and writes: the trace,
 * the diagnostics, lockdep's graph and files, and how the run ended.
 */
import {
  createKernel,
  type Diagnostic,
  type LockdepProcFile,
  type LockGraph,
  LockproofRuntimeError,
  replayScheduler,
  runModel,
  type TraceEvent,
} from '../index.js'
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
}

/** The model threw something that is not lockproof's: the CLI's exit status 2. */
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

export interface RunFlags {
  readonly rt: boolean
  readonly cpus: number | undefined
  readonly replay: readonly number[] | undefined
}

export const runLoaded = async (loaded: LoadedModel, flags: RunFlags): Promise<RunRecord> => {
  const overrides = { ...(flags.rt ? { preemptRt: true } : {}), ...(flags.cpus === undefined ? {} : { cpus: flags.cpus }), trace: true }
  if (loaded.kind === 'model') {
    const r = runModel(loaded.model, { ...overrides, ...(flags.replay === undefined ? {} : { scheduler: replayScheduler(flags.replay) }) })
    const o = { ...loaded.model.options, ...overrides }
    return {
      trace: r.trace,
      diagnostics: r.diagnostics,
      lockGraph: r.lockGraph,
      readProc: r.readProc,
      preemptCountLayout: o.preemptCountLayout ?? 'mainline',
      config: o.preemptRt === true ? 'PREEMPT_RT' : 'normal kernel',
      cpus: o.cpus ?? 1,
      unfinished: r.outcome.kind === 'deadlock' || r.outcome.kind === 'step-limit' ? r.outcome.kind : null,
      threw: r.outcome.kind === 'error' ? thrown(r.outcome.error) : null,
      schedule: r.schedule,
    }
  }
  if (flags.replay !== undefined)
    throw new ModelError('is a function of a kernel: --replay takes a defineModel() model (a kernel.run program has one schedule)')
  const kernel = createKernel({ ...loaded.options, ...overrides })
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
  }
}
