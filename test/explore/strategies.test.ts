/**
 * The search strategies on a small transition system (./fake-model.ts): what each finds, how many
 * executions each needs, and that the reductions reach every outcome the naive search reaches.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { exploreRuns } from '../../src/exec/explore/explore-runs.js'
import { DeclarationsChangedError, NondeterministicModelError, ReplayError } from '../../src/exec/explore/errors.js'
import { type FakeModel, fakeRunner, lock, type Op, type Outcomes, read, unlock, write } from './fake-model.js'

const abba: FakeModel = {
  tasks: [
    { name: 'one', cpu: 0, ops: [lock('a'), lock('b'), unlock('b'), unlock('a')] },
    { name: 'two', cpu: 1, ops: [lock('b'), lock('a'), unlock('a'), unlock('b')] },
  ],
}
const ordered: FakeModel = {
  tasks: [
    { name: 'one', cpu: 0, ops: [lock('a'), lock('b'), unlock('b'), unlock('a')] },
    { name: 'two', cpu: 1, ops: [lock('a'), lock('b'), unlock('b'), unlock('a')] },
  ],
}
const philosophers = (n: number): FakeModel => ({
  tasks: Array.from({ length: n }, (_, i) => ({
    name: `phil${i}`,
    cpu: i,
    ops: [lock(`fork${i}`), lock(`fork${(i + 1) % n}`), unlock(`fork${(i + 1) % n}`), unlock(`fork${i}`)],
  })),
})
const independent = (n: number): FakeModel => ({
  tasks: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, cpu: i, ops: [lock(`l${i}`), read(`c${i}`), write(`c${i}`, 'r', 1), unlock(`l${i}`)] })),
})
/** A lost update: two unlocked read-modify-writes, then a check. */
const lostUpdate: FakeModel = {
  tasks: [
    { name: 'inc0', cpu: 0, ops: [read('x'), write('x', 'r', 1)] },
    { name: 'inc1', cpu: 1, ops: [read('x'), write('x', 'r', 1), lock('done'), unlock('done')] },
  ],
}
const unbounded = { preemptionBound: null, kernels: ['normal'] } as const

describe('exhaustive DFS', () => {
  it('finds ABBA with every reduction, and says the search stopped at the failure', () => {
    for (const reduction of ['none', 'sleep', 'dpor'] as const) {
      const r = exploreRuns(fakeRunner(abba), { ...unbounded, reduction, shrink: false })
      expect(r.ok).toBe(false)
      expect(r.counterexamples.map((c) => [c.kind, c.title])).toEqual([['deadlock', 'deadlock on a, b']])
      expect(r.kernels[0]?.exhausted).toBe(false)
    }
  })

  it('the same locks in the same order: explored completely, nothing found', () => {
    for (const reduction of ['none', 'sleep', 'dpor'] as const) {
      const r = exploreRuns(fakeRunner(ordered), { ...unbounded, reduction })
      expect(r.ok).toBe(true)
      expect(r.exhausted).toBe(true)
    }
  })

  it('N independent tasks: DPOR needs one execution whatever N; the naive search grows with N', () => {
    const counts = [2, 3, 4].map((n) => ({
      dpor: exploreRuns(fakeRunner(independent(n)), { ...unbounded }).kernels[0]?.executions,
      naive: exploreRuns(fakeRunner(independent(n)), { ...unbounded, reduction: 'none', maxExecutions: 5000 }).kernels[0]?.executions,
    }))
    expect(counts.map((c) => c.dpor)).toEqual([1, 1, 1])
    expect(counts.map((c) => c.naive)).toEqual([70, 5000, 5000])
  })

  it('dining philosophers: the deadlock is found, and DPOR explores the deadlock-free variant in far fewer executions', () => {
    const r = exploreRuns(fakeRunner(philosophers(3)), { ...unbounded, stopOnFailure: false })
    expect(r.counterexamples.map((c) => c.title)).toEqual(['deadlock on fork0, fork1, fork2'])
    const all = (reduction: 'none' | 'dpor'): number =>
      exploreRuns(fakeRunner(philosophers(3)), { ...unbounded, reduction, stopOnFailure: false, shrink: false }).kernels[0]?.executions ?? 0
    const dpor = all('dpor')
    const naive = all('none')
    expect(dpor * 10).toBeLessThanOrEqual(naive)
  })

  it('a lost update is found by DPOR (the write-write and read-write races are reversed)', () => {
    const racy: FakeModel = {
      tasks: [...lostUpdate.tasks, { name: 'check', cpu: 2, ops: [lock('done'), unlock('done'), { op: 'assert', cell: 'x', equals: 2 }] }],
    }
    const r = exploreRuns(fakeRunner(racy), { ...unbounded })
    expect(r.counterexamples.map((c) => c.title)).toContain('x is 1, not 2')
  })

  it('a preemption bound of 0 cannot let the interrupt in: the bounded space is exhausted with nothing found; bound 1 finds it', () => {
    const irq: FakeModel = {
      tasks: [{ name: 'task', cpu: 0, ops: [lock('a'), unlock('a')] }],
      irqs: [{ name: 'handler', cpu: 0, line: 5, ops: [lock('a'), unlock('a')] }],
    }
    const none = exploreRuns(fakeRunner(irq), { kernels: ['normal'], preemptionBound: 0 })
    expect([none.ok, none.exhausted]).toEqual([true, true])
    const one = exploreRuns(fakeRunner(irq), { kernels: ['normal'], preemptionBound: 1 })
    expect(one.counterexamples.map((c) => [c.kind, c.arrivals])).toEqual([['deadlock', 1]])
  })
})

describe('reductions are sound: every outcome of the naive search is reached (random small programs)', () => {
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.constantFrom('a', 'b').map((l) => lock(l)),
    fc.constantFrom('a', 'b').map((l): Op => ({ op: 'lockIrq', lock: l })),
    fc.constantFrom('x', 'y').map((c) => read(c)),
    fc.constantFrom('x', 'y').map((c) => write(c, 'r', 1)),
  )
  /** Balanced: a lock op is followed later by its unlock, so deadlocks come from orders only. */
  const balance = (ops: Op[]): Op[] => {
    const out: Op[] = []
    const held: Op[] = []
    for (const op of ops) {
      if (op.op === 'lock' || op.op === 'lockIrq') {
        if (held.some((h) => (h as { lock: string }).lock === op.lock)) continue
        held.push(op)
      }
      out.push(op)
    }
    for (let h = held.pop(); h !== undefined; h = held.pop()) {
      const l = (h as { lock: string }).lock
      out.push(h.op === 'lockIrq' ? { op: 'unlockIrq', lock: l } : unlock(l))
    }
    return out
  }
  it('dpor and sleep reach the same outcomes as none', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 }),
        fc.boolean(),
        fc.option(fc.array(opArb, { minLength: 1, maxLength: 2 })),
        (threads, shared, handler) => {
          const model: FakeModel = {
            tasks: threads.map((ops, i) => ({ name: `t${i}`, cpu: shared && i === 1 ? 0 : i, ops: balance(ops) })),
            irqs: handler === null ? [] : [{ name: 'h', cpu: 0, line: 3, ops: balance(handler) }],
          }
          const reach = (reduction: 'none' | 'sleep' | 'dpor'): Outcomes | null => {
            const out: Outcomes = new Set()
            const r = exploreRuns(fakeRunner(model, out), { ...unbounded, reduction, stopOnFailure: false, shrink: false, maxExecutions: 20000 })
            return r.exhausted ? out : null
          }
          const naive = reach('none')
          fc.pre(naive !== null) // the naive search saw everything
          expect(reach('sleep')).toEqual(naive)
          expect(reach('dpor')).toEqual(naive)
        },
      ),
      { numRuns: 40, seed: 17 },
    )
  }, 60_000)
})

describe('random and PCT', () => {
  it('random with a seed finds ABBA, and the same seed finds it at the same execution', () => {
    const at = (): number | undefined =>
      exploreRuns(fakeRunner(abba), { kernels: ['normal'], strategy: 'random', seed: 7, shrink: false }).counterexamples[0]?.foundAt
    const first = at()
    expect(first).toBeGreaterThan(0)
    expect(at()).toBe(first)
    const r = exploreRuns(fakeRunner(ordered), { kernels: ['normal'], strategy: 'random', maxExecutions: 200 })
    expect([r.ok, r.exhausted, r.kernels[0]?.executions]).toEqual([true, false, 200])
  })

  it('PCT with depth 2 finds ABBA within 100 executions', () => {
    const r = exploreRuns(fakeRunner(abba), { kernels: ['normal'], strategy: 'pct', depth: 2, seed: 3, maxExecutions: 100, shrink: false })
    expect(r.counterexamples.map((c) => c.kind)).toEqual(['deadlock'])
  })
})

describe('replay strings, and models that change between executions', () => {
  it('a counterexample replays exactly: same failure, same schedule', () => {
    const r = exploreRuns(fakeRunner(abba), { kernels: ['normal'] })
    const c = r.counterexamples[0]
    expect(c?.replay).toMatch(/^lp1:normal:[0-9a-z]+:[0-9.*]+$/)
    const again = exploreRuns(fakeRunner(abba), { replay: c?.replay ?? '' })
    expect(again.counterexamples.map((x) => [x.kind, x.replay])).toEqual([['deadlock', c?.replay]])
  })

  it('a replay string from another model, or malformed, is a ReplayError', () => {
    const c = exploreRuns(fakeRunner(abba), { kernels: ['normal'] }).counterexamples[0]
    const other: FakeModel = { tasks: [...abba.tasks, { name: 'three', cpu: 2, ops: [] }] }
    expect(() => exploreRuns(fakeRunner(other), { replay: c?.replay ?? '' })).toThrow(ReplayError)
    expect(() => exploreRuns(fakeRunner(abba), { replay: 'lp1:normal:zz' })).toThrow(/not a replay string/)
    expect(() => exploreRuns(fakeRunner(abba), { replay: 'lp9:normal:zz:0' })).toThrow(/version lp9/)
  })

  it('declarations that differ between executions are named', () => {
    let n = 0
    const base = fakeRunner(abba)
    const changing = (k: Parameters<typeof base>[0], s: Parameters<typeof base>[1]) => {
      const e = base(k, s)
      n++
      return { ...e, declarations: n === 1 ? e.declarations : [...e.declarations.slice(0, 1), 'task three cpu1'] }
    }
    expect(() => exploreRuns(changing, { ...unbounded })).toThrow(DeclarationsChangedError)
    n = 0
    expect(() => exploreRuns(changing, { ...unbounded })).toThrow(
      "declared something else in execution 2 than in execution 1 (declaration 2 was 'task two cpu1', now 'task three cpu1')",
    )
  })

  it('choices that differ at a replayed point: NondeterministicModelError', () => {
    let flip = false
    const twoOrThree: FakeModel = abba
    const run = fakeRunner(twoOrThree)
    const wobbly = (k: Parameters<typeof run>[0], s: Parameters<typeof run>[1]) => {
      flip = !flip
      return (flip ? run : fakeRunner(ordered))(k, s)
    }
    expect(() => exploreRuns(wobbly, { ...unbounded, reduction: 'none' })).toThrow(NondeterministicModelError)
  })

  it('a task that never ends is a step-limit failure naming it', () => {
    const spin: FakeModel = { tasks: [{ name: 'spinner', cpu: 0, ops: Array.from({ length: 50 }, () => read('x')) }] }
    const r = exploreRuns(fakeRunner(spin), { kernels: ['normal'], stepLimit: 20 })
    expect(r.counterexamples.map((c) => [c.kind, c.title])).toEqual([
      ['step-limit', "spinner took more than 20 steps in one execution: a livelock (a loop that never waits), or raise the explorer's stepLimit"],
    ])
  })
})

describe('both kernels in one call', () => {
  it("a spin lock taken by a task and its CPU's handler: deadlock on normal only (the handler is a thread on RT)", () => {
    const model: FakeModel = {
      tasks: [{ name: 'task', cpu: 0, ops: [lock('a'), unlock('a')] }],
      irqs: [{ name: 'handler', cpu: 0, line: 5, ops: [lock('a'), unlock('a')] }],
    }
    const r = exploreRuns(fakeRunner(model))
    expect(r.kernels.map((k) => [k.kernel, k.counterexamples.length, k.exhausted])).toEqual([
      ['normal', 1, false],
      ['rt', 0, true],
    ])
    expect(r.differences).toEqual(['deadlocks only on the normal kernel'])
  })
})

describe('shrinking', () => {
  it('an ABBA found with extra switches is shown with the fewest', () => {
    const r = exploreRuns(fakeRunner(abba), { kernels: ['normal'], strategy: 'random', seed: 11, shrink: true })
    const c = r.counterexamples[0]
    expect(c?.preemptions).toBe(0)
    // The shrunk schedule: each takes its first lock, then each blocks on the other's.
    expect(c?.table.split('\n').slice(2)).toEqual([
      "| 0   |                                            | two: lock spinlock_t 'b'  [pc=0x1 irqs on] |",
      "| 1   | one: lock spinlock_t 'a'  [pc=0x1 irqs on] |                                            |",
    ])
  })
})

describe('lockdep witness (over the search)', () => {
  it('a circular dependency is witnessed by a deadlock on its classes; an unrelated deadlock does not count', async () => {
    const { witnessAccepts, witnessClasses } = await import('../../src/exec/explore/witness.js')
    const report = { kind: 'circular-dependency', lock: 'a', held: 'b', chain: ['a', 'b'] } as const
    const classes = witnessClasses({ ...report, title: '', cpu: 0, task: null, heldLocks: [], preemptCount: 0, report: '' })
    expect(classes).toEqual(['a', 'b'])
    const hit = exploreRuns(fakeRunner(abba), { kernels: ['normal'] }, { accept: witnessAccepts(classes) })
    expect(hit.counterexamples.map((c) => c.title)).toEqual(['deadlock on a, b'])
    const miss = exploreRuns(fakeRunner(abba), { kernels: ['normal'] }, { accept: witnessAccepts(['c', 'd']) })
    expect([miss.ok, miss.exhausted]).toEqual([true, true])
  })
})

describe('options and replay strings', () => {
  it('bad options are InvalidArgumentErrors naming the option', async () => {
    const { InvalidArgumentError } = await import('../../src/errors.js')
    const run = fakeRunner(ordered)
    const bad: [object, RegExp][] = [
      [{ kernels: [] }, /kernels must list 'normal' and\/or 'rt', each once/],
      [{ kernels: ['normal', 'normal'] }, /each once/],
      [{ strategy: 'bfs' }, /strategy must be one of 'dfs', 'random', 'pct' \(got bfs\)/],
      [{ reduction: 'full' }, /reduction must be one of/],
      [{ preemptionBound: -1 }, /preemptionBound must be an integer ≥ 0/],
      [{ maxExecutions: 0 }, /maxExecutions must be an integer ≥ 1/],
      [{ depth: 1.5 }, /depth must be an integer 1 … 1000/],
      [{ onProgress: 3 }, /onProgress must be a function/],
    ]
    for (const [options, message] of bad) {
      expect(() => exploreRuns(run, options)).toThrow(InvalidArgumentError)
      expect(() => exploreRuns(run, options)).toThrow(message)
    }
  })

  it('encodes runs of one index compactly and decodes them back', async () => {
    const { decodeReplay, encodeReplay } = await import('../../src/exec/explore/replay-string.js')
    const schedule = [0, 0, 0, 0, 1, 2, 2, 0, 11, 11, 11]
    const text = encodeReplay('rt', 'abc', schedule)
    expect(text).toBe('lp1:rt:abc:0*4.1.2.2.0.11*3')
    expect(decodeReplay(text)).toEqual({ kernel: 'rt', fingerprint: 'abc', schedule })
    expect(decodeReplay('lp1:normal:abc:')).toEqual({ kernel: 'normal', fingerprint: 'abc', schedule: [] })
  })
})
