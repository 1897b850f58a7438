/**
 * What `explore --out` writes for a counterexample comes from two places: the explorer's trace,
 * and a re-run of its replay string (decodeReplay → runModel with replayScheduler) for lockdep's
 * graph and /proc files. This checks the re-run is that execution: the same event log, event for
 * event, on each fixture's counterexamples (a deadlock, lockdep reports, data races; both kernels).
 */
import { describe, expect, it } from 'vitest'
import type { ExploreArgs } from '../../src/cli/args.js'
import { exploreLoaded } from '../../src/cli/explore.js'
import { replayExecution } from '../../src/cli/run.js'
import { decodeReplay, type Model } from '../../src/index.js'
import abba from './fixtures/abba.model.js'
import race from './fixtures/race.model.js'
import rfl998 from './fixtures/rfl998.model.js'

const args = (lockdep: false | undefined): ExploreArgs => ({
  command: 'explore',
  model: 'fixture',
  lockdep,
  irqArrivals: undefined,
  replay: undefined,
  out: undefined,
  json: false,
  quiet: true,
  search: { stopOnFailure: false },
})

describe("a counterexample's re-run is the explorer's execution", () => {
  it.each([
    ['abba', abba, undefined],
    ['abba without lockdep', abba, false],
    ['rfl998', rfl998, undefined],
    ['race', race, undefined],
  ] as const)('%s: every counterexample on both kernels', (_name, model: Model, lockdep) => {
    const a = args(lockdep)
    const run = exploreLoaded({ kind: 'model', model }, a, undefined)
    expect(run.result.counterexamples.length).toBeGreaterThan(0)
    for (const c of run.result.counterexamples) {
      const again = replayExecution(model, decodeReplay(c.replay), a)
      expect(again.trace).toEqual(c.trace)
      expect(again.config).toBe(c.kernel === 'rt' ? 'PREEMPT_RT' : 'normal kernel')
    }
  })
})
