/**
 * `lockproof explore`: the explorer over a defineModel() model with the command line's options,
 * and each counterexample re-run once more (its replay string) for what the explorer does not
 * keep: lockdep's graph and /proc files of that execution.
 */
import { decodeReplay, type Counterexample, type ExploreResult, explore, type Model, type Progress } from '../index.js'
import type { ExploreArgs } from './args.js'
import type { LoadedModel } from './load-model.js'
import { PROGRESS_EVERY_MS } from './progress.js'
import { exploreReplay, ModelError, type RunRecord, replayExecution } from './run.js'

export interface ExploreRun {
  readonly model: Model
  readonly result: ExploreResult
  /** `--replay`: the replayed execution (written whether it failed or not); else null. */
  readonly replayed: RunRecord | null
}

export const exploreLoaded = (loaded: LoadedModel, args: ExploreArgs, onProgress: ((p: Progress) => void) | undefined): ExploreRun => {
  if (loaded.kind !== 'model')
    throw new ModelError(
      'is a function of a kernel: explore takes a model from defineModel() (`export default defineModel((k) => { … })`); `lockproof run` runs it',
    )
  const model = loaded.model
  const stepLimit = args.search.stepLimit
  if (args.replay !== undefined) {
    // args.ts accepts only a replay string for explore.
    const text = args.replay.kind === 'string' ? args.replay.text : ''
    const result = exploreReplay(model, text, { ...args, ...(stepLimit === undefined ? {} : { stepLimit }) })
    const races = result.counterexamples.filter((c) => c.kind === 'data-race')
    return { model, result, replayed: replayExecution(model, decodeReplay(text), args, races) }
  }
  const result = explore(model, {
    ...args.search,
    ...(args.lockdep === undefined ? {} : { lockdep: args.lockdep }),
    ...(args.irqArrivals === undefined ? {} : { irqArrivals: args.irqArrivals }),
    ...(onProgress === undefined ? {} : { onProgress, progressEveryMs: PROGRESS_EVERY_MS }),
  })
  return { model, result, replayed: null }
}

/**
 * A counterexample's execution again, with everything runModel() returns; its trace is the
 * explorer's own (the re-run's is the same event for event: test/cli/replay-record.test.ts).
 */
export const counterexampleRecord = (run: ExploreRun, c: Counterexample, args: ExploreArgs): RunRecord => ({
  ...replayExecution(run.model, decodeReplay(c.replay), args, c.kind === 'data-race' ? [c] : []),
  trace: c.trace,
})

/** The flags a replay needs to be the same execution (they change what runs), for the printed command. */
export const replayFlags = (args: ExploreArgs): string[] => [
  ...(args.lockdep === false ? ['--no-lockdep'] : []),
  ...(args.irqArrivals === undefined ? [] : ['--irq-arrivals', String(args.irqArrivals)]),
  ...(args.search.stepLimit === undefined ? [] : ['--step-limit', String(args.search.stepLimit)]),
]
