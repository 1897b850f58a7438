/**
 * Behaviour unchanged? Hashes what the models of ./equivalence-models.ts show — each execution's
 * outcome, diagnostics, trace, machine, schedule, lock graph and /proc files, over many schedules
 * on both kernels, lockdep on and off, traced and not, on CPUs reused across executions (the
 * explorer's path, `modelExecutions`) and on a fresh kernel (`runModel`); and what explore()
 * finds with each strategy (counterexamples with their reports, replay strings, tables, traces,
 * execution counts). Run it before and after a change: the hashes must be equal.
 *   npx tsx bench/explore/equivalence.ts [schedules] [--json out.json]
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { type Choice, explore, type ExploreModelOptions, type ExploreResult, type ModelResult, runModel, type Scheduler } from '../../src/index.js'
import { LOCKDEP_PROC_FILES } from '../../src/lockdep/proc.js'
import { modelExecutions } from '../../src/exec/model/run.js'
import { EQUIVALENCE_MODELS } from './equivalence-models.js'

/** mulberry32: picks a choice index from a seed (seed 0: always the first, the default scheduler's order). */
const seeded = (seed: number): Scheduler => {
  let a = seed >>> 0
  return {
    choose(choices: readonly Choice[]): number {
      if (seed === 0) return 0
      a = (a + 0x6d2b79f5) >>> 0
      let t = a
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296
      return Math.floor(r * choices.length)
    },
  }
}

/** JSON with errors by name and message, stacks without their frames, functions by name, Maps and Sets as arrays. */
const plain = (v: unknown): string =>
  JSON.stringify(v, (_key, x: unknown) => {
    if (x instanceof Error) return { error: x.name, message: x.message }
    if (typeof x === 'function') return `fn ${x.name}`
    if (x instanceof Map) return { map: [...x.entries()] }
    if (x instanceof Set) return { set: [...x] }
    if (typeof x === 'bigint') return `${x}n`
    // A stack's frames name source lines, which any edit moves: the message is what a user reads.
    if (typeof x === 'string') return x.replace(/\n\s+at [^\n]*/g, '')
    return x
  })

const shown = (r: ModelResult): string =>
  plain({
    outcome: r.outcome,
    diagnostics: r.diagnostics,
    trace: r.trace,
    machine: r.machine,
    schedule: r.schedule,
    steps: r.steps,
    graph: r.lockGraph(),
    proc: LOCKDEP_PROC_FILES.map((f) => r.readProc(f)),
  })

const exploreShown = (r: ExploreResult): string =>
  plain({
    ok: r.ok,
    exhausted: r.exhausted,
    differences: r.differences,
    kernels: r.kernels.map((k) => ({ ...k, elapsedMs: 0, counterexamples: k.counterexamples.length })),
    counterexamples: r.counterexamples,
  })

const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16)

const args = process.argv.slice(2)
const schedules = Number(args.find((a) => /^\d+$/.test(a)) ?? 61)
const jsonAt = args.indexOf('--json')
const out: Record<string, Record<string, string>> = {}
const total = createHash('sha256')
let executions = 0
for (const [name, model] of Object.entries(EQUIVALENCE_MODELS)) {
  const row: Record<string, string> = {}
  for (const preemptRt of [false, true])
    for (const lockdep of [false, true])
      for (const trace of [false, true]) {
        const h = createHash('sha256')
        const run = modelExecutions(model, { preemptRt, lockdep, trace })
        for (let s = 0; s < schedules; s++) {
          h.update(shown(run(seeded(s))))
          executions++
        }
        // A fresh kernel each: the same as on reused CPUs.
        for (let s = 0; s < 3; s++) h.update(shown(runModel(model, { preemptRt, lockdep, trace, scheduler: seeded(s) })))
        row[`${preemptRt ? 'rt' : 'normal'} lockdep ${lockdep} trace ${trace}`] = h.digest('hex').slice(0, 16)
      }
  const runs: readonly (readonly [string, ExploreModelOptions])[] = [
    ['dpor', { maxExecutions: 3000 }],
    ['dpor lockdep', { maxExecutions: 3000, lockdep: true } as ExploreModelOptions],
    ['sleep', { reduction: 'sleep', maxExecutions: 1000 }],
    ['naive', { reduction: 'none', maxExecutions: 400 }],
    ['random', { strategy: 'random', seed: 7, maxExecutions: 150 }],
    ['pct', { strategy: 'pct', seed: 3, depth: 3, maxExecutions: 150 }],
  ]
  for (const [what, o] of runs) {
    const r = explore(model, { stopOnFailure: false, maxTimeMs: Number.POSITIVE_INFINITY, ...o })
    executions += r.kernels.reduce((n, k) => n + k.executions, 0)
    row[`explore ${what}`] = sha(exploreShown(r))
  }
  // Shrinking on: the counterexamples as a user gets them.
  row['explore shrunk'] = sha(exploreShown(explore(model, { maxTimeMs: Number.POSITIVE_INFINITY, maxExecutions: 3000 })))
  out[name] = row
  const line = sha(plain(row))
  total.update(line)
  console.log(`${line}  ${name}`)
}
console.log(`${total.digest('hex').slice(0, 16)}  all (${Object.keys(out).length} models, ${executions} executions)`)
if (jsonAt >= 0) writeFileSync(args[jsonAt + 1] as string, `${JSON.stringify(out, null, 1)}\n`)
