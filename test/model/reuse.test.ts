/**
 * The explorer builds every execution's kernel on the CPUs of the one before (src/exec/parts.ts
 * `reuseKernelParts`, src/exec/model/run.ts `modelExecutions`). An execution on reused CPUs must
 * be the execution on fresh ones: same outcome, diagnostics, trace, machine, schedule, and the
 * same declarations (the replay fingerprint), whatever ran on them before — over random
 * schedules of models that leave state behind (deadlocks inside sections, sleepers, interrupts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Choice, defineModel, type Model, type ModelResult, type ModelWork, runModel, type Scheduler } from '../../src/index.js'
import { modelExecutions } from '../../src/exec/model/run.js'
import { createMachineCpu } from '../../src/machine/machine.js'
import { newCpuSet, reuseKernelParts } from '../../src/exec/parts.js'
import { resolveOptions } from '../../src/options.js'
import { modelRunner } from '../../src/exec/explore/run-model.js'
import { fingerprint } from '../../src/exec/explore/replay-string.js'
import { rfl998TwoCpus } from '../fixtures/models.js'

/** Takes `picks[i] mod (choices offered)` at point i (0 after the list ends). */
const picking = (picks: readonly number[]): Scheduler => {
  let i = 0
  return {
    choose(choices: readonly Choice[]): number {
      const p = picks[i++] ?? 0
      return p % choices.length
    },
  }
}

const MODELS: Readonly<Record<string, Model>> = {
  'three spinlocks, an interrupt on CPU 0 (lockdep on)': defineModel(
    (k) => {
      const x = k.spinLock('x', 0)
      const y = k.spinLock('y', 0)
      const z = k.spinLock('z', 0)
      k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
        yield* z.withLocked(ctx, function* () {})
      })
      k.task('a', { cpu: 0 }, function* (ctx) {
        yield* x.withLocked(ctx, function* (ctx) {
          yield* y.withLocked(ctx, function* () {})
        })
      })
      k.task('b', { cpu: 1 }, function* (ctx) {
        yield* y.withLocked(ctx, function* (ctx) {
          yield* x.withLocked(ctx, function* () {})
        })
      })
    },
    { cpus: 2 },
  ),
  'ABBA on mutexes (sleepers, lockdep on)': defineModel(
    (k) => {
      const a = k.mutex('a', 0)
      const b = k.mutex('b', 0)
      k.task('one', { cpu: 0 }, function* (ctx) {
        yield* a.withLocked(ctx, function* (ctx) {
          yield* b.withLocked(ctx, function* () {})
        })
      })
      k.task('two', { cpu: 1 }, function* (ctx) {
        using g = yield* b.lock(ctx)
        yield* a.withLocked(g.ctx, function* () {})
      })
      k.task('three', { cpu: 1 }, function* (ctx) {
        yield* k.msleep(ctx, 3)
        yield* b.withLocked(ctx, function* () {})
      })
    },
    { cpus: 2 },
  ),
  "a spinlock_t in a task and its CPU's interrupt handler (lockdep off)": defineModel(
    (k) => {
      const stats = k.spinLock('stats', 0)
      k.irq(5, { cpu: 0, name: 'eth0', arrivals: 2 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* () {})
      })
      k.task('poller', { cpu: 0 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      })
    },
    { cpus: 1, lockdep: false },
  ),
  'Rust-for-Linux #998: save/restore guards dropped out of order': rfl998TwoCpus(true),
  'timer_delete_sync() under the lock the callback takes (deferred work: ktimers on RT)': defineModel(
    (k) => {
      const lock = k.spinLock('priv->lock', { n: 0 })
      const t = k.timerSetup('&priv->timer', function* (ctx) {
        yield* lock.withLocked(ctx, function* (_ctx, d) {
          d.n++
        })
      })
      k.task('arm', { cpu: 1 }, function* (ctx) {
        t.modTimer(ctx, k.jiffies + 1)
        yield* k.cpuRelax(ctx)
      })
      k.task('stop', { cpu: 0 }, function* (ctx) {
        yield* lock.withLockedBh(ctx, function* (ctx) {
          yield* t.timerDeleteSync(ctx)
        })
      })
    },
    { cpus: 2 },
  ),
  'flush_work() from the work itself (kworkers)': defineModel(
    (k) => {
      const cfg = k.mutex('cfg', { resets: 0 })
      const wq = k.allocWorkqueue('eth0_wq', { unbound: false })
      const reset: ModelWork = k.initWork('&priv->reset_work', function* (ctx) {
        yield* cfg.withLocked(ctx, function* (_ctx, c) {
          c.resets++
        })
        yield* reset.flushWork(ctx)
      })
      k.task('probe', { cpu: 0 }, function* (ctx) {
        wq.queueWork(ctx, reset)
        yield* cfg.withLocked(ctx, function* (_ctx, c) {
          c.resets++
        })
      })
    },
    { cpus: 2 },
  ),
  'a semaphore, a completion and a signal': defineModel(
    (k) => {
      const sem = k.semaphore('s', 0)
      const done = k.completion('fw')
      const waiter = k.task('waiter', { cpu: 0 }, function* (ctx) {
        yield* sem.down(ctx)
        yield* done.waitForCompletionTimeout(ctx, 5)
      })
      k.task('poster', { cpu: 1 }, function* (ctx) {
        sem.up(ctx)
        yield* k.msleepInterruptible(ctx, 2)
        k.signal(waiter, 'SIGKILL')
      })
      k.irq(7, { cpu: 1, noThread: true }, function* (ctx) {
        done.complete(ctx)
      })
    },
    { cpus: 2 },
  ),
}

/** What an execution shows, as plain data (an error by its name and message). */
const shown = (r: ModelResult): unknown => ({
  outcome: r.outcome.kind === 'error' ? { kind: 'error', error: String(r.outcome.error) } : r.outcome,
  diagnostics: r.diagnostics,
  trace: r.trace,
  machine: r.machine,
  schedule: r.schedule,
  steps: r.steps,
  lockGraph: r.lockGraph(),
  stats: r.readProc('/proc/lockdep_stats'),
  chains: r.readProc('/proc/lockdep_chains'),
})

const picks = fc.array(fc.nat(7), { maxLength: 40 })

describe.each([false, true])('an execution on reused CPUs is the execution on fresh ones (preemptRt: %s)', (preemptRt) => {
  it.each(Object.entries(MODELS))('%s', (_name, model) => {
    fc.assert(
      fc.property(fc.array(picks, { minLength: 1, maxLength: 3 }), picks, (before, now) => {
        const options = { preemptRt, trace: true }
        const run = modelExecutions(model, options)
        for (const p of before) run(picking(p))
        const reused = run(picking(now))
        const fresh = runModel(model, { ...options, scheduler: picking(now) })
        expect(shown(reused)).toEqual(shown(fresh))
      }),
      { numRuns: 40 },
    )
  })

  it.each(Object.entries(MODELS))("%s: the explorer's runner (failures, trace, declarations, fingerprint)", (_name, model) => {
    const kernel = preemptRt ? 'rt' : 'normal'
    fc.assert(
      fc.property(fc.array(picks, { minLength: 1, maxLength: 3 }), picks, fc.boolean(), (before, now, traced) => {
        const reusing = modelRunner(model)
        for (const p of before) reusing(kernel, picking(p), traced)
        const reused = reusing(kernel, picking(now), traced)
        const fresh = modelRunner(model)(kernel, picking(now), traced)
        expect(reused).toEqual(fresh)
        expect(fingerprint(reused.declarations)).toBe(fingerprint(fresh.declarations))
      }),
      { numRuns: 25 },
    )
  })
})

/** Every field of `o` but `keep` changed to something a fresh object never has. */
const dirty = (o: Record<string, unknown>, keep: readonly string[]): void => {
  for (const [key, value] of Object.entries(o)) {
    if (keep.includes(key)) continue
    if (typeof value === 'number') o[key] = value + 7
    else if (typeof value === 'boolean') o[key] = !value
    else if (typeof value === 'string') o[key] = `${value}!`
    else if (Array.isArray(value)) value.push(7)
    else o[key] = { dirty: true }
  }
}

describe('reuseKernelParts', () => {
  it('puts every field of every CPU back as newCpuSet() made it (a field added to the CPU state and not to the reset fails here)', () => {
    const set = newCpuSet(resolveOptions({ cpus: 2 }))
    const fresh = set.cpus.map((cpu) => structuredClone(cpu.state))
    expect(fresh).toEqual([createMachineCpu(0), createMachineCpu(1)])
    for (const cpu of set.cpus) {
      const state = cpu.state as unknown as Record<string, unknown>
      dirty(cpu.state.idle as unknown as Record<string, unknown>, ['pid', 'comm'])
      dirty(state, ['id', 'idle'])
      cpu.scopeIds.push(42)
    }
    expect(set.cpus.map((cpu) => cpu.state)).not.toEqual(fresh)
    reuseKernelParts(set)
    expect(set.cpus.map((cpu) => cpu.state)).toEqual(fresh)
    expect(set.cpus.every((cpu) => cpu.state.current === cpu.state.idle)).toBe(true)
    expect(set.cpus.map((cpu) => cpu.scopeIds)).toEqual([[], []])
  })
})
