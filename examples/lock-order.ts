/**
 * lock-order — an AB/BA deadlock that never happens in the run, and lockdep reports anyway.
 * Run alone: `npx tsx examples/lock-order.ts`.
 */
import { createKernel, type Kernel } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'lock-order: lockdep finds an AB/BA deadlock that did not happen (yet)'

interface Config {
  threshold: number
}
interface Stats {
  hits: number
}

/** Two code paths over the same two locks; `fixed` makes the report path take them in the same order. */
const program = (kernel: Kernel, fixed: boolean): void => {
  const cfgLock = kernel.spinLock('cfg_lock', { threshold: 10 } as Config)
  const statsLock = kernel.spinLock('stats_lock', { hits: 0 } as Stats)

  // Config update: cfg_lock, then stats_lock (reset the counters the old threshold produced).
  kernel.run(
    (ctx) =>
      cfgLock.withLocked(ctx, (ctx, cfg) => {
        cfg.threshold = 20
        statsLock.withLocked(ctx, (_ctx, stats) => {
          stats.hits = 0
        })
      }),
    { comm: 'cfg-update' },
  )

  // Stats report: reads the counters, then the threshold to compare against.
  kernel.run(
    (ctx) =>
      fixed
        ? cfgLock.withLocked(ctx, (ctx, cfg) => statsLock.withLocked(ctx, (_ctx, stats) => stats.hits > cfg.threshold))
        : statsLock.withLocked(ctx, (ctx, stats) => cfgLock.withLocked(ctx, (_ctx, cfg) => stats.hits > cfg.threshold)),
    { comm: 'stats-report' },
  )
}

export function run(log: (line: string) => void = console.log): void {
  log('Two paths take the same two spinlocks:')
  log('  cfg-update:   cfg_lock   -> stats_lock')
  log('  stats-report: stats_lock -> cfg_lock')
  log('They run one after the other here, so nothing deadlocks in this run. On two CPUs at the')
  log('same moment, each could hold its first lock and spin forever on the other one.')
  log('lockdep records every "held A while taking B" as a dependency between lock classes and')
  log('reports the cycle the first time the second order is seen:')
  log('')

  const broken = keep('AB/BA', createKernel(traceOption()))
  program(broken, false)
  for (const d of broken.diagnostics) {
    log(d.report)
    log('')
  }
  log(`${broken.diagnostics.length} report(s).`)
  log('')

  log('The fix: one order everywhere. stats-report takes cfg_lock first, as cfg-update does:')
  const fixed = keep('fixed order', createKernel(traceOption()))
  program(fixed, true)
  log(fixed.diagnostics.length === 0 ? 'no reports: cfg_lock -> stats_lock is the only order lockdep has seen.' : `${fixed.diagnostics.length} report(s)!`)
  for (const d of fixed.diagnostics) log(d.report)
}

if (import.meta.url === `file://${process.argv[1]}`) run()
