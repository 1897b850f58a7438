/**
 * Runtime cost, with tinybench, inside one kernel.run task (so task creation is not counted).
 *   per operation   withLocked on spinLock / rawSpinLock / mutex, ctx.preemptDisable,
 *                   ctx.rcuReadLock, a `using` guard; lockdep off and on; each over the floor row
 *                   (floor.ts) measured in the same run, which the targets are stated against
 *                   (withLocked ≤ 3× off / 6× on, a guard ≤ 5× / 10×), and beside a plain closure
 *                   call doing the same data work. PREEMPT_RT: spinLock, rcuReadLock,
 *                   localBhDisable (informational rows).
 *   scale           per-acquisition cost with 10 / 1,000 / 10,000 lock classes and held-chain
 *                   depths 1 / 8 / 32: chain-cache hit (the same nesting repeated) and first
 *                   validation (a class sequence never taken before, each time).
 * Each tinybench iteration runs BATCH operations, so timer overhead is spread over them.
 */
import { Bench } from 'tinybench'
import { type Context, createKernel, type FreshTaskState } from '../../src/index.js'
import type { TargetRow } from '../table.js'
import { type FloorLock, floorSetup, floorWithLocked } from './floor.js'

export interface RuntimeFigure {
  readonly name: string
  /** Mean nanoseconds per operation (per acquisition for the scale figures). */
  readonly ns: number
  /** Relative margin of error of the tinybench mean, %, when tinybench measured it. */
  readonly rme: number | null
  readonly samples: number
}

export interface RuntimeBenchResult {
  readonly figures: readonly RuntimeFigure[]
  readonly rows: readonly TargetRow[]
}

interface Settings {
  readonly time: number
  readonly warmupTime: number
  readonly batch: number
  readonly classes: readonly number[]
  readonly depths: readonly number[]
  /** Acquisitions timed for each first-validation figure. */
  readonly firstAcquisitions: number
}

const FULL: Settings = { time: 400, warmupTime: 100, batch: 100, classes: [10, 1000, 10000], depths: [1, 8, 32], firstAcquisitions: 4000 }
const QUICK: Settings = { time: 10, warmupTime: 2, batch: 10, classes: [10, 50], depths: [1, 4], firstAcquisitions: 40 }

type Data = { n: number }
/** The untyped face of a lock, for nesting built at run time (the types are tested elsewhere). */
interface AnyLock {
  withLocked(ctx: unknown, cb: (ctx: unknown, data: Data) => unknown): unknown
}

const runBench = (settings: Settings, tasks: readonly (readonly [string, () => void])[], perCall: (name: string) => number): RuntimeFigure[] => {
  const bench = new Bench({ time: settings.time, warmupTime: settings.warmupTime, iterations: 16, throws: true })
  for (const [name, fn] of tasks) bench.add(name, fn)
  bench.runSync()
  return bench.tasks.map((t) => {
    const r = t.result
    if (r.state !== 'completed') throw new Error(`runtime bench ${t.name}: ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`)
    return { name: t.name, ns: (r.latency.mean * 1e6) / perCall(t.name), rme: r.latency.rme, samples: r.latency.samples?.length ?? 0 }
  })
}

/**
 * The two reference rows of every run: a bare closure call, and the floor (what any design with a
 * fresh context per scope costs at least). Neither touches a kernel, so one pair of closures serves all runs.
 */
const referenceRows = (tag: string, B: number): (readonly [string, () => void])[] => {
  const plainData: Data = { n: 0 }
  const plain = <R>(cb: (data: Data) => R): R => cb(plainData)
  const floor = floorSetup()
  const floorLock: FloorLock<Data> = { owner: null, data: { n: 0 } }
  return [
    [
      `baseline: closure call (${tag} run)`,
      () => {
        for (let i = 0; i < B; i++)
          plain((d) => {
            d.n += 1
          })
      },
    ],
    [
      `floor: fresh scope per section (${tag} run)`,
      () => {
        for (let i = 0; i < B; i++)
          floorWithLocked(floor.cpu, floor.root, floorLock, (_ctx, d) => {
            d.n += 1
          })
      },
    ],
  ]
}

/** The per-operation figures for one kernel (lockdep on or off), all in one task. */
const perOperation = (settings: Settings, lockdep: boolean): RuntimeFigure[] => {
  const kernel = createKernel({ lockdep })
  const spin = kernel.spinLock('bench-spin', { n: 0 })
  const raw = kernel.rawSpinLock('bench-raw', { n: 0 })
  const mutex = kernel.mutex('bench-mutex', { n: 0 })
  const B = settings.batch
  const tag = lockdep ? 'lockdep on' : 'lockdep off'
  const figures = kernel.run((ctx: Context<FreshTaskState>) => {
    const counter = { n: 0 }
    return runBench(
      settings,
      [
        ...referenceRows(tag, B),
        [
          `spinLock.withLocked (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              spin.withLocked(ctx, (_ctx, d) => {
                d.n += 1
              })
          },
        ],
        [
          `rawSpinLock.withLocked (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              raw.withLocked(ctx, (_ctx, d) => {
                d.n += 1
              })
          },
        ],
        [
          `mutex.withLocked (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              mutex.withLocked(ctx, (_ctx, d) => {
                d.n += 1
              })
          },
        ],
        [
          `ctx.preemptDisable (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              ctx.preemptDisable(() => {
                counter.n += 1
              })
          },
        ],
        [
          `ctx.rcuReadLock (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              ctx.rcuReadLock(() => {
                counter.n += 1
              })
          },
        ],
        [
          `using g = spinLock.lock(ctx) (${tag})`,
          () => {
            for (let i = 0; i < B; i++) {
              using g = spin.lock(ctx)
              g.data.n += 1
            }
          },
        ],
      ],
      () => B,
    )
  })
  if (kernel.diagnostics.length > 0) throw new Error(`per-operation bench (${tag}) reported: ${kernel.diagnostics[0]?.title}`)
  return figures
}

/**
 * PREEMPT_RT: spinlock_t is rt_spin_lock() (its steps include rcu_read_lock() and
 * migrate_disable()), local_bh_disable() takes the per-CPU BH state; against the same closure call.
 */
const perOperationRt = (settings: Settings, lockdep: boolean): RuntimeFigure[] => {
  const kernel = createKernel({ lockdep, preemptRt: true })
  const spin = kernel.spinLock('bench-spin', { n: 0 })
  const B = settings.batch
  const tag = `PREEMPT_RT, lockdep ${lockdep ? 'on' : 'off'}`
  const figures = kernel.run((ctx: Context<FreshTaskState>) => {
    const counter = { n: 0 }
    return runBench(
      settings,
      [
        ...referenceRows(tag, B),
        [
          `spinLock.withLocked (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              spin.withLocked(ctx, (_ctx, d) => {
                d.n += 1
              })
          },
        ],
        [
          `ctx.rcuReadLock (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              ctx.rcuReadLock(() => {
                counter.n += 1
              })
          },
        ],
        [
          `ctx.localBhDisable (${tag})`,
          () => {
            for (let i = 0; i < B; i++)
              ctx.localBhDisable(() => {
                counter.n += 1
              })
          },
        ],
      ],
      () => B,
    )
  })
  if (kernel.diagnostics.length > 0) throw new Error(`per-operation bench (${tag}) reported: ${kernel.diagnostics[0]?.title}`)
  return figures
}

/** Kernel with `classes` spinLocks, every class registered with lockdep (taken once under 'warm'). */
const makeClasses = (classes: number) => {
  const kernel = createKernel({ lockdep: true })
  const locks: AnyLock[] = []
  for (let i = 0; i < classes; i++) locks.push(kernel.spinLock(`class-${i}`, { n: 0 }) as unknown as AnyLock)
  const warm = kernel.spinLock('warm', { n: 0 }) as unknown as AnyLock
  const warmUp = (ctx: unknown): void => {
    for (const l of locks) warm.withLocked(ctx, (c) => l.withLocked(c, (_c, d) => (d.n += 1)))
  }
  return { kernel, locks, warmUp }
}

/** Takes locks[seq[0]], inside it locks[seq[1]], … ; the innermost increments its counter. */
const nest = (locks: readonly AnyLock[], seq: readonly number[], ctx: unknown, at = 0): unknown =>
  at === seq.length
    ? 0
    : (locks[seq[at] as number] as AnyLock).withLocked(ctx, (c, d) => {
        d.n += 1
        return nest(locks, seq, c, at + 1)
      })

/** Cache hit: the same nesting of `depth` classes spread over all of them, repeated. */
const cacheHit = (settings: Settings, classes: number, depth: number): RuntimeFigure => {
  const { kernel, locks, warmUp } = makeClasses(classes)
  const seq = Array.from({ length: depth }, (_, j) => Math.floor((j * classes) / depth))
  const name = `cache hit: ${classes} classes, depth ${depth}`
  const [figure] = kernel.run((ctx) => {
    warmUp(ctx)
    nest(locks, seq, ctx)
    const reps = Math.max(1, Math.round(settings.batch / depth))
    return runBench(
      settings,
      [
        [
          name,
          () => {
            for (let i = 0; i < reps; i++) nest(locks, seq, ctx)
          },
        ],
      ],
      () => reps * depth,
    )
  })
  if (kernel.diagnostics.length > 0) throw new Error(`${name}: ${kernel.diagnostics[0]?.title}`)
  return figure as RuntimeFigure
}

/** Deterministic PRNG (mulberry32). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * First validation: each nesting is a class sequence never taken before (ascending class ids,
 * so no inversion is ever made and lockdep stays on). Timed by hand, one kernel at a time, as
 * many kernels as it takes (10 classes allow only 10 fresh chains of depth 1 per kernel).
 * `fresh` is the share of acquisitions whose chain (prefix) was new, i.e. ran validate_chain().
 */
const firstValidation = (settings: Settings, classes: number, depth: number): RuntimeFigure & { fresh: number } => {
  const random = prng(classes * 131 + depth)
  let ns = 0
  let acquisitions = 0
  let freshNodes = 0
  let kernels = 0
  while (acquisitions < settings.firstAcquisitions && kernels < 200) {
    kernels++
    const { kernel, locks, warmUp } = makeClasses(classes)
    const seen = new Set<string>()
    const seqs: number[][] = []
    const budget = Math.ceil((settings.firstAcquisitions - acquisitions) / depth)
    for (let tries = 0; seqs.length < budget && tries < budget * 20; tries++) {
      const picked = new Set<number>()
      if (depth === 1) picked.add(seqs.length)
      else while (picked.size < depth) picked.add(Math.floor(random() * classes))
      if (depth === 1 && seqs.length >= classes) break
      const seq = [...picked].sort((a, b) => a - b)
      const key = seq.join(',')
      if (seen.has(key)) continue
      seen.add(key)
      for (let j = 1; j <= seq.length; j++) {
        const prefix = seq.slice(0, j).join(',')
        if (!seen.has(`p:${prefix}`)) {
          seen.add(`p:${prefix}`)
          freshNodes++
        }
      }
      seqs.push(seq)
    }
    if (seqs.length === 0) break
    ns += kernel.run((ctx) => {
      warmUp(ctx)
      const t0 = process.hrtime.bigint()
      for (const seq of seqs) nest(locks, seq, ctx)
      return Number(process.hrtime.bigint() - t0)
    })
    acquisitions += seqs.length * depth
    if (kernel.diagnostics.length > 0) throw new Error(`first validation: ${kernel.diagnostics[0]?.title}`)
  }
  return {
    name: `first validation: ${classes} classes, depth ${depth}`,
    ns: ns / acquisitions,
    rme: null,
    samples: acquisitions,
    fresh: freshNodes / acquisitions,
  }
}

const r2 = (x: number): number => Number(x.toFixed(2))

/**
 * The runtime targets, restated against the floor (issue #14): a row's time over the floor's
 * in the same run. `null`: informational (the issue restates no target for it).
 */
export const floorTarget = (name: string, lockdep: boolean): number | null => {
  if (/^(spinLock|rawSpinLock|mutex)\.withLocked \(lockdep (on|off)\)$/.test(name)) return lockdep ? 6 : 3
  if (/^using g = spinLock\.lock\(ctx\) \(lockdep (on|off)\)$/.test(name)) return lockdep ? 10 : 5
  return null
}

/** The rows of one per-operation run: every figure over that run's floor row, with its target. */
const againstFloor = (fs: readonly RuntimeFigure[], lockdep: boolean, informational?: string): TargetRow[] => {
  const floor = fs.find((f) => f.name.startsWith('floor:'))
  if (floor === undefined) throw new Error('runtime bench: a per-operation run without its floor row')
  return fs.map((f) => {
    const ratio = f.ns / floor.ns
    const limit = informational === undefined ? floorTarget(f.name, lockdep) : null
    return {
      group: 'runtime',
      figure: f.name,
      value: r2(f.ns),
      baseline: r2(floor.ns),
      ratio: r2(ratio),
      unit: 'ns/op',
      target:
        limit !== null
          ? `≤ ${limit}× floor${lockdep ? ' (cached chain)' : ''}`
          : f === floor
            ? 'the floor: what the targets are stated against'
            : (informational ?? (f.name.startsWith('baseline:') ? 'informational: a bare closure call' : 'informational: no target restated')),
      met: limit === null ? null : ratio <= limit,
    } satisfies TargetRow
  })
}

export const runRuntimeBench = (quick: boolean, log: (line: string) => void = () => undefined): RuntimeBenchResult => {
  const settings = quick ? QUICK : FULL
  const figures: RuntimeFigure[] = []
  const rows: TargetRow[] = []
  const show = (f: RuntimeFigure): void => log(`  ${f.name.padEnd(48)} ${f.ns.toFixed(1).padStart(9)} ns${f.rme === null ? '' : `  ±${f.rme.toFixed(1)}%`}`)

  // Per operation: the ratio to the floor row of the same run (issue #14, "Keep").
  for (const lockdep of [false, true]) {
    const fs = perOperation(settings, lockdep)
    fs.forEach(show)
    figures.push(...fs)
    rows.push(...againstFloor(fs, lockdep))
  }

  // PREEMPT_RT: informational (longer step sequences; no target), also against the floor.
  for (const lockdep of [false, true]) {
    const fs = perOperationRt(settings, lockdep)
    fs.forEach(show)
    figures.push(...fs)
    rows.push(...againstFloor(fs, lockdep, 'informational: PREEMPT_RT step sequences'))
  }

  for (const kind of ['cache hit', 'first validation'] as const) {
    for (const depth of settings.depths) {
      const byClasses: RuntimeFigure[] = []
      for (const classes of settings.classes) {
        if (depth > classes) continue // depth distinct classes need at least as many classes
        const f = kind === 'cache hit' ? cacheHit(settings, classes, depth) : firstValidation(settings, classes, depth)
        show(f)
        figures.push(f)
        byClasses.push(f)
      }
      const first = byClasses[0]
      if (first === undefined) continue
      for (const f of byClasses) {
        const ratio = f.ns / first.ns
        const fresh = 'fresh' in f ? `, ${Math.round((f.fresh as number) * 100)}% new chains` : ''
        rows.push({
          group: 'runtime',
          figure: `${f.name} (per acquisition${fresh})`,
          value: r2(f.ns),
          baseline: f === first ? null : r2(first.ns),
          ratio: f === first ? null : r2(ratio),
          unit: 'ns/acq',
          // Only the cache hit has a target (issue #14); a first validation searches the dependency graph.
          target:
            f === first
              ? `reference for depth ${depth}`
              : kind === 'cache hit'
                ? `≤ 1.5× the ${first.name.split(': ')[1]?.split(',')[0]} figure`
                : 'informational: grows with the graph check_noncircular() searches',
          met: f === first || kind !== 'cache hit' ? null : ratio <= 1.5,
        })
      }
    }
  }
  return { figures, rows }
}
