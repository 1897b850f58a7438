/**
 * Trust in the explorer, by differential testing on random small models (./dpor-models.ts):
 * DPOR against the naive DFS under the same preemption bound on both kernels (the same SET of
 * outcomes — what every context saw, the final state, the failures — and never more executions),
 * counterexamples that replay to the same failure, shrinking that keeps the failure and never
 * costs more, and seeded random and PCT searches that repeat. Seeded and bounded for CI; the
 * longer run is bench/dpor/differential.ts.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LockProbe } from '../../src/exec/explore/lock-probe.js'
import { takeTouched, touchShared } from '../../src/exec/explore/touched.js'
import { type Choice, type Counterexample, defineModel, type ExploreResult, explore } from '../../src/index.js'
import { buildModel, compareOn, exploreSpec, type ModelSpec, type Op, specArb } from './dpor-models.js'

const KERNELS = ['normal', 'rt'] as const
/** The naive search's budget: a model it cannot finish within it is skipped (fc.pre). */
const CAP = 800

const agree = (spec: ModelSpec, bound: number | null): void => {
  for (const kernel of KERNELS) {
    const c = compareOn(spec, kernel, bound, CAP)
    fc.pre(c !== null)
    expect({ kernel, missing: c.missing, extra: c.extra }).toEqual({ kernel, missing: [], extra: [] })
    expect(c.dporExhausted).toBe(true)
    expect(c.dpor).toBeLessThanOrEqual(c.naive)
  }
}

const section = (lock: number, body: Op[], variant: 'plain' | 'guard' = 'plain'): Op => ({ op: 'section', lock, variant, body })

describe('DPOR reaches every outcome the naive search reaches, in no more executions (random models)', () => {
  it('closed models (locks of four kinds, cells, signals and interruptible sleeps, an irq line, a softirq): bound 1', () => {
    fc.assert(
      fc.property(specArb({ taskLength: 3, deferred: false, waits: false, signals: 4 }), (spec) => agree(spec, 1)),
      { numRuns: 10, seed: 1717 },
    )
  }, 240_000)

  it('models with deferred work (modTimer, timerDelete, queueWork, cancelWork, taskletSchedule, irqWorkQueue, callRcu) and a completion: bound 1', () => {
    fc.assert(
      fc.property(specArb({ taskLength: 2 }), (spec) => agree(spec, 1)),
      { numRuns: 5, seed: 2323 },
    )
  }, 240_000)
})

describe('regressions found by the differential test (shrunk)', () => {
  // k.signal() ran inside a bare step of a closed model, read as touching its CPU only: DPOR
  // never ordered it against the victim's sleep and missed the sleep that ended by its timeout.
  const signal: ModelSpec = {
    cpus: 2,
    locks: ['spinLock', 'spinLock'],
    cells: 1,
    tasks: [
      { cpu: 1, ops: [{ op: 'sleep' }] },
      { cpu: 0, ops: [{ op: 'signal', task: 0 }] },
    ],
    irq: null,
    softirq: null,
    callbacks: {},
  }
  it.each(KERNELS)('k.signal() from a task is ordered against the sleep it interrupts (%s)', (kernel) => {
    for (const bound of [0, 2, null]) {
      const dpor = exploreSpec(signal, kernel, { reduction: 'dpor', preemptionBound: bound })
      const slept = [...dpor.outcomes].map((o) => (JSON.parse(o) as { logs: string[] }).logs[0])
      expect(slept.sort()).toEqual(['slept:0', 'slept:10'])
      expect(compareOn(signal, kernel, bound, CAP)?.missing).toEqual([])
    }
  })

  // Bounded DPOR: a reversal over the bound (the interrupt between t1's steps would preempt it) is
  // planted where t1's run began; the search planted it before t0's step on the other CPU, where
  // the sleep set (t0 explored there first) pruned it, so "the handler writes while t1 has not
  // run yet, then t1 writes" was never explored with bound 0.
  const runStart: ModelSpec = {
    cpus: 2,
    locks: ['spinLock'],
    cells: 1,
    tasks: [
      { cpu: 0, ops: [] },
      { cpu: 1, ops: [{ op: 'sleep' }, { op: 'write', cell: 0 }] },
    ],
    irq: { cpu: 1, ops: [{ op: 'write', cell: 0 }] },
    softirq: null,
    callbacks: {},
  }
  it.each(KERNELS)('bound 0: the interrupt before a task runs on its CPU, after a step of another CPU (%s)', (kernel) => {
    const cells = [...exploreSpec(runStart, kernel, { preemptionBound: 0 }).outcomes].map((o) => (JSON.parse(o) as { cells: string[] }).cells[0])
    expect(new Set(cells)).toEqual(new Set(['irq.0', 't1.1']))
    for (const bound of [0, 1, null]) expect(compareOn(runStart, kernel, bound, CAP)?.missing).toEqual([])
  })

  // The suspect's mechanism, proved with a completion: complete() and try_wait_for_completion()
  // in sections of two locks (the steps' accesses name the locks only), after a section of a
  // common lock. DPOR missed "t0 bumps first, t1 tries before t0 completes" (try:false after n=1).
  const completion: ModelSpec = {
    cpus: 2,
    locks: ['spinLock', 'spinLock', 'spinLock'],
    cells: 1,
    tasks: [
      { cpu: 0, ops: [section(2, [{ op: 'bump' }], 'guard'), section(0, [{ op: 'complete' }], 'guard')] },
      { cpu: 1, ops: [section(2, [{ op: 'bump' }], 'guard'), section(1, [{ op: 'tryWait' }], 'guard')] },
    ],
    irq: null,
    softirq: null,
    callbacks: {},
  }
  it.each(KERNELS)('complete() and try_wait_for_completion() under two locks: every order (%s)', (kernel) => {
    for (const bound of [0, 2, null]) {
      const c = compareOn(completion, kernel, bound, CAP)
      expect([c?.missing, c?.extra]).toEqual([[], []])
      const logs = [...exploreSpec(completion, kernel, { preemptionBound: bound }).outcomes].map((o) => (JSON.parse(o) as { logs: string[] }).logs[1])
      expect(logs.sort()).toEqual(['n=0 try:false', 'n=0 try:true', 'n=1 try:false', 'n=1 try:true'])
    }
  })

  // The suspect: a step that takes a lock and calls a synchronous deferred member. Each pair on
  // two CPUs under two locks, with no bare step between (guards: a plain unlock, the task ends in the step).
  const pair = (a: Op, b: Op, callbacks: ModelSpec['callbacks']): ModelSpec => ({
    cpus: 2,
    locks: ['spinLock', 'spinLock', 'spinLock'],
    cells: 1,
    tasks: [
      { cpu: 0, ops: [section(2, [{ op: 'bump' }], 'guard'), section(0, [a], 'guard')] },
      { cpu: 1, ops: [section(2, [{ op: 'bump' }], 'guard'), section(1, [b], 'guard')] },
    ],
    irq: null,
    softirq: null,
    callbacks,
  })
  it.each([
    ['modTimer / timerDelete', pair({ op: 'modTimer' }, { op: 'timerDelete' }, { timer: [] })],
    ['queueWork / cancelWork', pair({ op: 'queueWork' }, { op: 'cancelWork' }, { work: [] })],
    ['irqWorkQueue twice', pair({ op: 'irqWorkQueue' }, { op: 'irqWorkQueue' }, { irqWork: [] })],
  ] as const)('synchronous deferred members inside lock sections on two CPUs: %s — both orders, both kernels', (_name, spec) => {
    for (const kernel of KERNELS) {
      const c = compareOn(spec, kernel, 2, CAP)
      expect(c).not.toBeNull()
      expect([c?.missing, c?.extra]).toEqual([[], []])
    }
  })
})

describe('the touched-state mark (src/exec/explore/touched.ts)', () => {
  const probe = (): LockProbe => new LockProbe([], () => true)
  const step: Choice = { kind: 'task', pid: 1, comm: 't', cpu: 0, access: { channel: { id: 5, kind: 'spinlock_t', name: 'a' }, write: true } }

  it('a step whose access names a lock but that called a synchronous deferred member: dependent with everything', () => {
    const p = probe()
    expect(p.footprint(step)).toBe('keep')
    touchShared()
    expect(p.footprint(step)).toBeNull()
    expect(p.footprint(step)).toBe('keep') // read once: the next step is not marked
  })

  it('a replayed step clears the mark; an arrival is never marked; a new probe starts clean', () => {
    const p = probe()
    touchShared()
    p.skip(step)
    expect(p.footprint(step)).toBe('keep')
    touchShared()
    expect(p.footprint({ kind: 'irq', cpu: 0, line: 5 })).toBe('keep')
    expect(takeTouched()).toBe(false)
    touchShared()
    expect(probe().footprint(step)).toBe('keep')
  })

  it('the model members mark the step that calls them: modTimer(), pending, k.signal()', () => {
    const marks: boolean[] = []
    const timerModel = defineModel((k) => {
      const t = k.timerSetup('t', function* () {})
      const victim = k.task('victim', { cpu: 0 }, function* () {})
      k.task('arm', { cpu: 0 }, function* (ctx) {
        takeTouched()
        t.modTimer(ctx, 1)
        marks.push(takeTouched())
        marks.push(t.pending && takeTouched())
        k.signal(victim, 'SIGINT')
        marks.push(takeTouched())
        yield* k.cpuRelax(ctx)
        marks.push(takeTouched())
      })
    })
    explore(timerModel, { kernels: ['normal'], maxExecutions: 1 })
    expect(marks).toEqual([true, true, true, false])
  })
})

/** Every counterexample of a DPOR search, unshrunk and shrunk, on both kernels. */
const withCounterexamples = (spec: ModelSpec): { plain: ExploreResult; shrunk: ExploreResult } => {
  const { model } = buildModel(spec)
  const options = { preemptionBound: 1, maxExecutions: 60, stopOnFailure: false } as const
  return { plain: explore(model, { ...options, shrink: false }), shrunk: explore(model, { ...options, shrink: 40 }) }
}
const failureOf = (c: Counterexample): string => `${c.kernel} ${c.kind}: ${c.title}`

describe('counterexamples (random models with failures)', () => {
  it('each replay string re-runs to the same failure; shrinking keeps it and never costs more preemptions plus arrivals', () => {
    let checked = 0
    fc.assert(
      fc.property(fc.oneof(specArb({ taskLength: 4, deferred: false, waits: false }), specArb({ taskLength: 3 })), (spec) => {
        const { model } = buildModel(spec)
        const { plain, shrunk } = withCounterexamples(spec)
        fc.pre(plain.counterexamples.length > 0)
        expect(shrunk.counterexamples.map(failureOf)).toEqual(plain.counterexamples.map(failureOf))
        plain.counterexamples.forEach((before, i) => {
          const after = shrunk.counterexamples[i] as Counterexample
          expect(after.preemptions + after.arrivals).toBeLessThanOrEqual(before.preemptions + before.arrivals)
          for (const c of [before, after]) {
            const again = explore(model, { replay: c.replay, stopOnFailure: false })
            expect(again.counterexamples.map(failureOf)).toContain(failureOf(c))
            expect(again.counterexamples.find((x) => failureOf(x) === failureOf(c))?.replay).toBe(c.replay)
          }
        })
        checked += plain.counterexamples.length
      }),
      { numRuns: 4, seed: 99 },
    )
    expect(checked).toBeGreaterThan(4)
  }, 240_000)
})

describe('random and PCT with a seed are reproducible', () => {
  it('random and PCT counterexamples replay to the same failure too', () => {
    let checked = 0
    fc.assert(
      fc.property(specArb({ taskLength: 4, deferred: false, waits: false }), (spec) => {
        const { model } = buildModel(spec)
        for (const strategy of ['random', 'pct'] as const)
          for (const c of explore(model, { strategy, seed: 3, maxExecutions: 100, stopOnFailure: false, shrink: false }).counterexamples) {
            const again = explore(model, { replay: c.replay, stopOnFailure: false })
            expect(again.counterexamples.map(failureOf)).toContain(failureOf(c))
            checked++
          }
      }),
      { numRuns: 8, seed: 41 },
    )
    expect(checked).toBeGreaterThan(10)
  }, 120_000)

  const summary = (r: ExploreResult): string[] => [
    ...r.kernels.map((k) => `${k.kernel}: ${k.executions} executions`),
    ...r.counterexamples.map((c) => `${failureOf(c)} at ${c.foundAt}: ${c.replay}`),
  ]
  it.each([
    ['random', { strategy: 'random', seed: 7 }],
    ['pct', { strategy: 'pct', seed: 7, depth: 3 }],
  ] as const)(
    '%s: the same seed gives the same executions and counterexamples, also after other explorations',
    (_name, strategy) => {
      fc.assert(
        fc.property(specArb({ taskLength: 3 }), specArb({ taskLength: 2 }), (spec, other) => {
          const run = (s: ModelSpec, seed: number) =>
            summary(explore(buildModel(s).model, { ...strategy, seed, maxExecutions: 40, stopOnFailure: false, shrink: false }))
          const first = run(spec, strategy.seed)
          run(other, strategy.seed + 1)
          expect(run(spec, strategy.seed)).toEqual(first)
        }),
        { numRuns: 6, seed: 5 },
      )
    },
    120_000,
  )
})
