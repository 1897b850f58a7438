/**
 * Outside audit of issue #17 items 3, 7 and 8: strategies and bounds, `exhausted`, replay strings,
 * shrinking to the fewest preemptions and arrivals, the per-CPU table, progress, absurd options.
 */
import { describe, expect, it } from 'vitest'
import {
  decodeReplay,
  defineModel,
  explore,
  type ExploreModelOptions,
  InvalidArgumentError,
  type KernelName,
  type Progress,
  ReplayError,
} from '../../src/index.js'

const KERNELS: readonly KernelName[] = ['normal', 'rt']

/**
 * One CPU, two tasks. "writer" writes 1, 2, 3 with a point between; "reader" reads twice and
 * fails on (1, 2): the reader must come in after the first write (preemption 1), the writer back
 * before its second read (2), the reader again before the third write (3).
 */
const threePreemptions = defineModel(
  (k) => {
    const x = k.cell('x', 0)
    k.task('writer', { cpu: 0 }, function* (ctx) {
      yield* x.writeOnce(ctx, 1)
      yield* x.writeOnce(ctx, 2)
      yield* x.writeOnce(ctx, 3)
    })
    k.task('reader', { cpu: 0 }, function* (ctx) {
      const a = yield* x.readOnce(ctx)
      const b = yield* x.readOnce(ctx)
      if (a === 1 && b === 2) throw new Error('saw 1 then 2')
    })
  },
  { cpus: 1 },
)

/** A single preemption: the reader in the middle of the writer's two writes. */
const onePreemption = defineModel(
  (k) => {
    const x = k.cell('x', 0)
    k.task('writer', { cpu: 0 }, function* (ctx) {
      yield* x.writeOnce(ctx, 1)
      yield* x.writeOnce(ctx, 0)
    })
    k.task('reader', { cpu: 0 }, function* (ctx) {
      if ((yield* x.readOnce(ctx)) === 1) throw new Error('saw the intermediate 1')
    })
  },
  { cpus: 1 },
)

const irqDeadlock = defineModel(
  (k) => {
    const stats = k.spinLock('stats', 0)
    k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
      yield* stats.withLocked(ctx, function* () {})
    })
    k.task('poller', { cpu: 0 }, function* (ctx) {
      yield* stats.withLocked(ctx, function* (ctx) {
        yield* k.cpuRelax(ctx)
      })
    })
  },
  { cpus: 1, lockdep: false },
)

describe('dfs: the preemption bound', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: a bug that needs one preemption is not found with bound 0 (exhausted), and is with bound 1`, () => {
      const r0 = explore(onePreemption, { kernels: [kernel], preemptionBound: 0 })
      expect(r0).toMatchObject({ ok: true, exhausted: true })
      const r1 = explore(onePreemption, { kernels: [kernel], preemptionBound: 1 })
      expect(r1.counterexamples.map((c) => [c.kind, c.title, c.preemptions])).toEqual([['assertion', 'Error: saw the intermediate 1', 1]])
    })

    it(`${kernel}: a bug that needs three is not found within the default bound 2, and is with 3 and unbounded`, () => {
      expect(explore(threePreemptions, { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true })
      expect(explore(threePreemptions, { kernels: [kernel], preemptionBound: 3 }).counterexamples[0]?.preemptions).toBe(3)
      expect(explore(threePreemptions, { kernels: [kernel], preemptionBound: null }).counterexamples[0]?.title).toBe('Error: saw 1 then 2')
    })

    it(`${kernel}: every reduction finds the same bug at the same bound`, () => {
      for (const reduction of ['dpor', 'sleep', 'none'] as const) {
        expect(explore(onePreemption, { kernels: [kernel], reduction, preemptionBound: 0 }).ok).toBe(true)
        expect(explore(onePreemption, { kernels: [kernel], reduction, preemptionBound: 1 }).ok).toBe(false)
      }
    })
  }

  it('two CPUs: ordering their steps is no preemption — ABBA is found with bound 0', () => {
    const abba = defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        const b = k.spinLock('b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          yield* b.withLocked(ctx, function* (ctx) {
            yield* a.withLocked(ctx, function* () {})
          })
        })
      },
      { cpus: 2, lockdep: false },
    )
    const r = explore(abba, { preemptionBound: 0 })
    expect(r.counterexamples.map((c) => [c.kernel, c.kind, c.preemptions])).toEqual([
      ['normal', 'deadlock', 0],
      ['rt', 'deadlock', 0],
    ])
  })
})

describe('random and PCT: seeded, reproducible, never "exhausted"', () => {
  for (const strategy of ['random', 'pct'] as const) {
    it(`${strategy}: the same seed gives the same executions and counterexamples`, () => {
      const o: ExploreModelOptions = { strategy, seed: 42, maxExecutions: 200, stopOnFailure: false }
      const a = explore(onePreemption, o)
      const b = explore(onePreemption, o)
      expect(a.kernels.map((k) => k.executions)).toEqual(b.kernels.map((k) => k.executions))
      expect(a.counterexamples.map((c) => [c.kernel, c.replay, c.foundAt])).toEqual(b.counterexamples.map((c) => [c.kernel, c.replay, c.foundAt]))
    })

    it(`${strategy}: finds the one-preemption bug, and its replay string re-runs it exactly`, () => {
      const r = explore(onePreemption, { strategy, seed: 3, maxExecutions: 500, kernels: ['normal'] })
      const c = r.counterexamples[0]
      expect(c?.title).toBe('Error: saw the intermediate 1')
      expect(r.exhausted).toBe(false) // a random search cannot know it has seen everything
      const again = explore(onePreemption, { replay: c?.replay ?? '' })
      expect(again.counterexamples.map((x) => [x.title, x.replay])).toEqual([[c?.title, c?.replay]])
    })

    it(`${strategy}: a clean model runs the whole budget and is not exhausted`, () => {
      const r = explore(onePreemption, { strategy, maxExecutions: 30, preemptionBound: 0 })
      // the preemption bound is the DFS's: random and PCT may preempt, so they find the bug or run 30
      for (const k of r.kernels) expect(k.counterexamples.length > 0 || k.executions === 30).toBe(true)
      expect(r.exhausted).toBe(false)
    })
  }

  it('pct: depth 1 never lowers a priority, depth 2 may (the one-preemption bug)', () => {
    const d1 = explore(onePreemption, { strategy: 'pct', depth: 1, seed: 5, maxExecutions: 100, kernels: ['normal'] })
    expect(d1.ok).toBe(true) // one thread runs to its end first: no change point, no preemption
    const d2 = explore(onePreemption, { strategy: 'pct', depth: 2, seed: 5, maxExecutions: 300, kernels: ['normal'] })
    expect(d2.ok).toBe(false)
  })
})

describe('budgets and exhausted', () => {
  it('maxExecutions stops each kernel at exactly that many, exhausted false', () => {
    const r = explore(threePreemptions, { maxExecutions: 3, preemptionBound: null })
    expect(r.kernels.map((k) => [k.executions, k.exhausted])).toEqual([
      [3, false],
      [3, false],
    ])
    expect(r.exhausted).toBe(false)
  })

  it('maxTimeMs stops a long search early, exhausted false', () => {
    const big = defineModel(
      (k) => {
        const a = k.cell('a', 0)
        const b = k.cell('b', 0)
        for (const [i, name] of ['t0', 't1', 't2', 't3'].entries())
          k.task(name, { cpu: i % 2 }, function* (ctx) {
            for (let j = 0; j < 6; j++) yield* (j % 2 === 0 ? a : b).writeOnce(ctx, j)
          })
      },
      { cpus: 2 },
    )
    const r = explore(big, { kernels: ['normal'], maxTimeMs: 50, preemptionBound: null })
    expect(r.kernels[0]?.exhausted).toBe(false)
    expect(r.kernels[0]?.elapsedMs).toBeLessThan(5000)
    expect(r.ok).toBe(true)
  })

  it('a search ended by its first failure is not exhausted; with stopOnFailure false and a small space it is', () => {
    expect(explore(irqDeadlock, { kernels: ['normal'] }).kernels[0]?.exhausted).toBe(false)
    const all = explore(irqDeadlock, { kernels: ['normal'], stopOnFailure: false })
    expect(all.kernels[0]?.exhausted).toBe(true)
    expect(all.exhausted).toBe(true)
    expect(all.ok).toBe(false)
  })
})

describe('replay strings', () => {
  for (const kernel of KERNELS)
    it(`${kernel}: a counterexample's replay string re-runs exactly it (one execution), also after other explorations`, () => {
      const c = explore(onePreemption, { kernels: [kernel], preemptionBound: 1 }).counterexamples[0]
      expect(c?.replay).toMatch(new RegExp(`^lp1:${kernel}:[0-9a-z]+:`))
      explore(threePreemptions, { maxExecutions: 10 })
      const again = explore(onePreemption, { replay: c?.replay ?? '' })
      expect(again.kernels.map((k) => [k.kernel, k.executions])).toEqual([[kernel, 1]])
      expect(again.counterexamples.map((x) => [x.kernel, x.title, x.replay, x.table])).toEqual([[kernel, c?.title, c?.replay, c?.table]])
    })

  it('decodeReplay reads the kernel, the fingerprint and the schedule, with i*n runs expanded', () => {
    expect(decodeReplay('lp1:rt:1mee3nl:1.1.0*4')).toEqual({ kernel: 'rt', fingerprint: '1mee3nl', schedule: [1, 1, 0, 0, 0, 0] })
  })

  it('a bad replay string is a ReplayError, and the model still explores afterwards (nothing lost)', () => {
    const good = explore(onePreemption, { kernels: ['normal'], preemptionBound: 1 }).counterexamples[0]?.replay ?? ''
    const [, , print] = good.split(':')
    const bad = [
      '',
      'not a replay',
      'lp2:normal:abc:0',
      'lp1:bsd:abc:0',
      `lp1:normal:${print}:x`,
      `lp1:normal:${print}:99`,
      `lp1:normal:${print}:0*-1`,
      'lp1:normal:zzzzzz:0',
    ]
    for (const replay of bad) expect(() => explore(onePreemption, { replay }), replay).toThrow(ReplayError)
    // a replay of another model: refused by its fingerprint
    expect(() => explore(threePreemptions, { replay: good })).toThrow(/another model|changed|fingerprint|ReplayError|not the one/)
    expect(() => explore(threePreemptions, { replay: good })).toThrow(ReplayError)
    expect(explore(onePreemption, { kernels: ['normal'], preemptionBound: 1 }).counterexamples[0]?.replay).toBe(good)
  })

  it('a replay string with kernels that leave out its kernel is a ReplayError, not one of the two ignored', () => {
    const good = explore(onePreemption, { kernels: ['normal'], preemptionBound: 1 }).counterexamples[0]?.replay ?? ''
    expect(() => explore(onePreemption, { replay: good, kernels: ['rt'] })).toThrow(ReplayError)
    expect(() => explore(onePreemption, { replay: good, kernels: ['rt'] })).toThrow(/on the normal kernel, but kernels lists 'rt'/)
    // nearest valid: kernels that include it
    expect(explore(onePreemption, { replay: good, kernels: ['normal', 'rt'] }).kernels.map((k) => [k.kernel, k.executions])).toEqual([['normal', 1]])
  })

  it('a replay string that is cut short is a ReplayError', () => {
    const good = explore(onePreemption, { kernels: ['normal'], preemptionBound: 1 }).counterexamples[0]?.replay ?? ''
    const schedule = decodeReplay(good).schedule
    const [, , print] = good.split(':')
    const short = `lp1:normal:${print}:${schedule.slice(0, 1).join('.')}`
    expect(() => explore(onePreemption, { replay: short })).toThrow(ReplayError)
  })
})

describe('shrinking', () => {
  /** Interrupts that do nothing that matters arrive first in the search; only eth0's arrival inside the section matters. */
  const noisy = defineModel(
    (k) => {
      const s = k.spinLock('s', 0)
      const c = k.cell('c', 0)
      k.irq(6, { cpu: 0, name: 'noise6' }, function* (ctx) {
        yield* c.readOnce(ctx)
      })
      k.irq(7, { cpu: 0, name: 'noise7' }, function* (ctx) {
        yield* c.readOnce(ctx)
      })
      k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
        yield* s.withLocked(ctx, function* () {})
      })
      k.task('other', { cpu: 0 }, function* (ctx) {
        yield* k.cpuRelax(ctx)
        yield* k.cpuRelax(ctx)
      })
      k.task('poller', { cpu: 0 }, function* (ctx) {
        yield* k.cpuRelax(ctx)
        yield* s.withLocked(ctx, function* (ctx) {
          yield* k.cpuRelax(ctx)
          yield* k.cpuRelax(ctx)
        })
      })
    },
    { cpus: 1, lockdep: false },
  )

  for (const kernel of ['normal'] as const)
    it(`${kernel}: the first schedule found has more arrivals; the shrunk one has the fewest (one arrival, no preemption)`, () => {
      const raw = explore(noisy, { kernels: [kernel], shrink: false, preemptionBound: 3 }).counterexamples[0]
      const shrunk = explore(noisy, { kernels: [kernel], preemptionBound: 3 }).counterexamples[0]
      expect(raw?.kind).toBe('deadlock')
      expect((raw?.arrivals ?? 0) + (raw?.preemptions ?? 0)).toBeGreaterThan(1)
      expect(shrunk?.kind).toBe('deadlock')
      expect([shrunk?.arrivals, shrunk?.preemptions]).toEqual([1, 0])
      expect(shrunk?.table).not.toMatch(/noise/)
      expect(shrunk?.foundAt).toBe(raw?.foundAt)
      // the shrunk string still replays to the same failure
      expect(explore(noisy, { replay: shrunk?.replay ?? '' }).counterexamples.map((c) => c.title)).toEqual([shrunk?.title])
    })

  it('shrinking never needs more than the minimal bound: the one-preemption bug shrinks to 1 from an unbounded search', () => {
    const c = explore(onePreemption, { kernels: ['normal'], preemptionBound: null }).counterexamples[0]
    expect([c?.preemptions, c?.arrivals]).toEqual([1, 0])
  })
})

describe('the table: one column per CPU, kernel names, preempt_count and the interrupt flag', () => {
  it('three CPUs: three columns in order, each row in its CPU column', () => {
    const m = defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        const b = k.spinLock('b', 0)
        const c = k.spinLock('c', 0)
        k.task('t0', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
        })
        k.task('t1', { cpu: 1 }, function* (ctx) {
          yield* b.withLocked(ctx, function* (ctx) {
            yield* c.withLocked(ctx, function* () {})
          })
        })
        k.task('t2', { cpu: 2 }, function* (ctx) {
          yield* c.withLocked(ctx, function* (ctx) {
            yield* a.withLocked(ctx, function* () {})
          })
        })
      },
      { cpus: 3, lockdep: false },
    )
    const t = explore(m, { kernels: ['normal'] }).counterexamples[0]?.table ?? ''
    const [header, rule, ...rows] = t.split('\n')
    expect(
      header
        ?.split('|')
        .map((x) => x.trim())
        .filter(Boolean),
    ).toEqual(['seq', 'CPU 0', 'CPU 1', 'CPU 2'])
    expect(rule).toMatch(/^\|-+\|-+\|-+\|-+\|$/)
    for (const row of rows) {
      const cells = row
        .split('|')
        .slice(1, -1)
        .map((x) => x.trim())
      expect(cells.length).toBe(4)
      const filled = cells.slice(1).filter((x) => x !== '')
      expect(filled.length).toBe(1) // each event in its one CPU's column
      expect(filled[0]).toMatch(/\[pc=0x[0-9a-f]+ irqs (on|off)\]$/)
      const cpu = cells.slice(1).findIndex((x) => x !== '')
      if (/^t\d:/.test(filled[0] ?? '')) expect(filled[0]?.startsWith(`t${cpu}:`)).toBe(true)
    }
    expect(t).toMatch(/t0: lock spinlock_t 'a'\s+\[pc=0x1 irqs on\]/)
    expect(t).toMatch(/spin on spinlock_t/)
  })

  it("a hardirq handler's rows show HARDIRQ_OFFSET (0x10000) and interrupts off; irqsave shows irqs off", () => {
    const normal = explore(irqDeadlock, { kernels: ['normal'] }).counterexamples[0]?.table ?? ''
    expect(normal).toMatch(/irq_handler_entry 5 eth0\s+\[pc=0x10001 irqs off\]/) // over the task's spin_lock: 0x10000 + 1
    expect(normal).toMatch(/spin on spinlock_t 'stats'\s+\[pc=0x10002 irqs off\]/)
    const m = defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        const b = k.spinLock('b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          yield* a.withLockedIrqSave(ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          yield* b.withLocked(ctx, function* (ctx) {
            yield* a.withLocked(ctx, function* () {})
          })
        })
      },
      { cpus: 2, lockdep: false },
    )
    const t = explore(m, { kernels: ['normal'] }).counterexamples[0]?.table ?? ''
    expect(t).toMatch(/one: lock spinlock_t 'a'\s+\[pc=0x1 irqs off\]/)
    const rt = explore(m, { kernels: ['rt'] }).counterexamples[0]?.table ?? ''
    expect(rt).toMatch(/one: lock spinlock_t 'a'\s+\[pc=0x0 irqs on\]/) // RT: a sleeping lock, neither preemption nor interrupts off
  })
})

describe('progress', () => {
  it('dfs: onProgress gets kernel, executions, executions/s and a fraction of the bounded space in [0, 1]', () => {
    const seen: Progress[] = []
    const r = explore(threePreemptions, { preemptionBound: null, progressEveryMs: 1, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(0)
    for (const p of seen) {
      expect(['normal', 'rt']).toContain(p.kernel)
      expect(p.executions).toBeGreaterThan(0)
      expect(p.perSecond).toBeGreaterThan(0)
      expect(p.fraction).not.toBeNull()
      expect(p.fraction ?? -1).toBeGreaterThanOrEqual(0)
      expect(p.fraction ?? 2).toBeLessThanOrEqual(1)
    }
    const normal = seen.filter((p) => p.kernel === 'normal').map((p) => p.executions)
    expect(normal).toEqual([...normal].sort((a, b) => a - b))
    expect(Math.max(...normal)).toBeLessThanOrEqual(r.kernels[0]?.executions ?? 0)
  })

  it('random and pct: fraction is null', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const seen: Progress[] = []
      explore(threePreemptions, {
        strategy,
        maxExecutions: 300,
        stopOnFailure: false,
        progressEveryMs: 1,
        onProgress: (p) => seen.push(p),
        kernels: ['normal'],
      })
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.every((p) => p.fraction === null)).toBe(true)
    }
  })
})

describe('absurd options are named errors, thrown before any execution (nothing lost)', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['negative preemption bound', { preemptionBound: -1 }, /preemptionBound/],
    ['NaN preemption bound', { preemptionBound: Number.NaN }, /preemptionBound/],
    ['fractional bound', { preemptionBound: 1.5 }, /preemptionBound/],
    ['NaN maxExecutions', { maxExecutions: Number.NaN }, /maxExecutions/],
    ['zero maxExecutions', { maxExecutions: 0 }, /maxExecutions/],
    ['negative maxTimeMs', { maxTimeMs: -5 }, /maxTimeMs/],
    ['a string maxTimeMs', { maxTimeMs: '100' }, /maxTimeMs/],
    ['zero stepLimit', { stepLimit: 0 }, /stepLimit/],
    ['unknown strategy', { strategy: 'bfs' }, /strategy/],
    ['unknown reduction', { reduction: 'DPOR' }, /reduction/],
    ['unknown kernel', { kernels: ['linux'] }, /kernels/],
    ['no kernel', { kernels: [] }, /kernels/],
    ['a kernel twice', { kernels: ['rt', 'rt'] }, /kernels/],
    ['kernels as a string', { kernels: 'normal' }, /kernels/],
    ['negative seed', { strategy: 'random', seed: -1 }, /seed/],
    ['infinite seed', { strategy: 'random', seed: Number.POSITIVE_INFINITY }, /seed/],
    ['a seed past 32 bits', { strategy: 'random', seed: 2 ** 32 }, /seed/],
    ['zero depth', { strategy: 'pct', depth: 0 }, /depth/],
    ['infinite depth', { strategy: 'pct', depth: Number.POSITIVE_INFINITY }, /depth/],
    ['negative shrink budget', { shrink: -1 }, /shrink/],
    ['zero progressEveryMs', { progressEveryMs: 0 }, /progressEveryMs/],
    ['onProgress not a function', { onProgress: 'log' }, /onProgress/],
    ['replay not a string', { replay: 5 }, /replay/],
    ['stopOnFailure not a boolean', { stopOnFailure: 'no' }, /stopOnFailure/],
    ['lockdep not a boolean', { lockdep: 'yes' }, /lockdep/],
    ['trace not a boolean', { trace: 1 }, /trace/],
    ['negative irqArrivals', { irqArrivals: -1 }, /irqArrivals/],
    ['NaN irqArrivals', { irqArrivals: Number.NaN }, /irqArrivals/],
  ]
  for (const [what, options, message] of bad)
    it(what, () => {
      let setups = 0
      const m = defineModel((k) => {
        setups++
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      })
      let error: unknown
      try {
        explore(m, options as ExploreModelOptions)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(InvalidArgumentError)
      expect((error as Error).message).toMatch(message)
      expect(setups).toBe(0)
      expect(explore(m)).toMatchObject({ ok: true, exhausted: true })
    })

  it('the nearest valid options: unbounded values and the boundaries are accepted', () => {
    const m = defineModel(
      (k) =>
        void k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        }),
    )
    for (const o of [
      { preemptionBound: 0 },
      { preemptionBound: null },
      { maxExecutions: Number.POSITIVE_INFINITY },
      { maxTimeMs: Number.POSITIVE_INFINITY },
      { strategy: 'random', seed: 0, maxExecutions: 3 },
      { strategy: 'random', seed: 2 ** 32 - 1, maxExecutions: 3 },
      { strategy: 'pct', depth: 1, maxExecutions: 3 },
      { shrink: 0 },
      { shrink: false },
      { irqArrivals: 0 },
      { stopOnFailure: false },
    ] satisfies ExploreModelOptions[])
      expect(explore(m, o).ok).toBe(true)
  })
})
