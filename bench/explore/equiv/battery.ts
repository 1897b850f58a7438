/**
 * What the equivalence harness runs on each recorded model, and how it fingerprints the results:
 * on both kernels, runModel() under many schedules (the default one, the last choice, seeded
 * random ones; with and without the event log; one or two arrivals per interrupt), and explore()
 * (DFS with DPOR, sleep sets and no reduction; random; PCT; counterexamples shrunk). Each result
 * is reduced to canonical JSON (keys sorted, errors by name and message, no stack lines, no wall-clock fields)
 * and hashed: outcome, diagnostics, event log, machine, schedule, lock graph, the /proc files,
 * counterexamples (report, replay, table, trace) and the search's counts.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultScheduler, explore, runModel, type Choice, type ExploreModelOptions, type Model, type Scheduler } from '../../../src/index.js'
import { LOCKDEP_PROC_FILES } from '../../../src/lockdep/proc.js'

/** A seeded choice (mulberry32): the same seed, the same schedule. */
const seeded = (seed: number): Scheduler => {
  let s = seed >>> 0
  return {
    choose(choices: readonly Choice[]): number {
      s = (s + 0x6d2b79f5) >>> 0
      let t = s
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296
      return Math.floor(r * choices.length)
    },
  }
}
const last: () => Scheduler = () => ({ choose: (choices) => choices.length - 1 })
const first: () => Scheduler = () => ({ choose: () => 0 })

const STACK_LINES = /\n {4}at [^\n]*/g

/** Canonical JSON: sorted keys, errors as name + message, Maps/Sets as arrays, functions and cycles named. */
export const canonical = (value: unknown): string => {
  const seen = new Set<object>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'function') return '[function]'
    if (typeof v === 'symbol') return `[symbol ${v.description ?? ''}]`
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v)
    // An error's stack (in a counterexample's report, say) names this tree's files and lines: not behaviour.
    if (typeof v === 'string') return v.replace(STACK_LINES, '')
    if (typeof v !== 'object' || v === null) return v
    if (seen.has(v)) return '[cycle]'
    seen.add(v)
    try {
      if (v instanceof Error) {
        const own: Record<string, unknown> = { name: v.name, message: v.message }
        for (const k of Object.keys(v).sort()) if (k !== 'stack') own[k] = walk((v as unknown as Record<string, unknown>)[k])
        return own
      }
      if (Array.isArray(v)) return v.map(walk)
      if (v instanceof Map) return { '[map]': [...v.entries()].map(([k, x]) => [walk(k), walk(x)]) }
      if (v instanceof Set) return { '[set]': [...v].map(walk) }
      if (ArrayBuffer.isView(v)) return { '[bytes]': Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) }
      const out: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) if (k !== 'elapsedMs') out[k] = walk((v as Record<string, unknown>)[k])
      return out
    } finally {
      seen.delete(v)
    }
  }
  return JSON.stringify(walk(value))
}

/** With EQUIV_DUMP set (a directory), every canonical text is also written there, to diff two trees' texts. */
let dumpTo: string | null = null
let dumpAs = ''
export const dumping = (dir: string | null, prefix: string): void => {
  dumpTo = dir
  dumpAs = prefix
}
let dumped = 0
const hash = (s: string): string => {
  if (dumpTo !== null) {
    mkdirSync(dumpTo, { recursive: true })
    writeFileSync(join(dumpTo, `${dumpAs}-${dumped++}.json`), s)
  }
  return createHash('sha256').update(s).digest('hex').slice(0, 16)
}

const attempt = <T>(f: () => T): T | { thrown: unknown } => {
  try {
    return f()
  } catch (error) {
    return { thrown: error }
  }
}

interface RunCase {
  readonly name: string
  readonly scheduler: () => Scheduler
  readonly trace: boolean
  readonly irqArrivals: number
}

const RUNS: RunCase[] = [
  { name: 'default', scheduler: defaultScheduler, trace: true, irqArrivals: 1 },
  { name: 'first', scheduler: first, trace: false, irqArrivals: 1 },
  { name: 'last', scheduler: last, trace: true, irqArrivals: 1 },
  { name: 'last2', scheduler: last, trace: false, irqArrivals: 2 },
]
for (let seed = 1; seed <= 24; seed++)
  RUNS.push({ name: `seed${seed}`, scheduler: () => seeded(seed), trace: seed % 2 === 0, irqArrivals: seed % 5 === 0 ? 2 : 1 })

const EXPLORES: readonly (readonly [string, ExploreModelOptions])[] = [
  ['dpor', { maxExecutions: 150 }],
  ['dpor-unbounded', { maxExecutions: 60, preemptionBound: null, shrink: false }],
  ['sleep', { reduction: 'sleep', maxExecutions: 60, shrink: false }],
  ['naive', { reduction: 'none', maxExecutions: 60, shrink: false }],
  ['random', { strategy: 'random', seed: 7, maxExecutions: 30 }],
  ['pct', { strategy: 'pct', seed: 11, depth: 3, maxExecutions: 30 }],
]

const MAX_STEPS = 3000

/** Every fingerprint of one model, by case name. */
export const battery = (model: Model<readonly string[]>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const preemptRt of [false, true]) {
    const kernel = preemptRt ? 'rt' : 'normal'
    for (const c of RUNS) {
      const r = attempt(() => runModel(model, { preemptRt, trace: c.trace, scheduler: c.scheduler(), maxSteps: MAX_STEPS, irqArrivals: c.irqArrivals }))
      if ('thrown' in r) {
        out[`${kernel}/${c.name}`] = hash(canonical(r))
        continue
      }
      const proc = LOCKDEP_PROC_FILES.map((f) => attempt(() => r.readProc(f)))
      out[`${kernel}/${c.name}`] = hash(
        canonical({
          outcome: r.outcome,
          diagnostics: r.diagnostics,
          trace: r.trace,
          machine: r.machine,
          schedule: r.schedule,
          steps: r.steps,
          graph: attempt(() => r.lockGraph()),
          proc,
        }),
      )
    }
  }
  for (const [name, options] of EXPLORES) {
    const r = attempt(() => explore(model, { stopOnFailure: false, maxTimeMs: Number.POSITIVE_INFINITY, stepLimit: MAX_STEPS, ...options }))
    out[`explore/${name}`] = hash(canonical(r))
  }
  return out
}
