/**
 * The examples (#17), each run by the explorer over the model executor on both kernels.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineModel, type CircularDependencyDiagnostic } from '../../src/index.js'
import { assertNoCounterexample } from '../../src/exec/explore/assert.js'
import { CounterexampleError } from '../../src/exec/explore/errors.js'
import { explore, exploreWitness } from '../../src/exec/explore/explore.js'
import type { ModelCell } from '../../src/exec/explore/cell-factory.js'
import type { Context } from '../../src/exec/context.js'
import type { CtxState } from '../../src/rules/state.js'
import { abbaSpin, oneOrder, rfl998 } from '../fixtures/models.js'

describe('Rust-for-Linux #998: save/restore guards dropped out of order', () => {
  it('save/restore: the handler spinning on the lock its CPU holds is found, with the one interrupt arrival that does it', () => {
    const r = explore(rfl998('save-restore'), { stopOnFailure: false })
    const normal = r.kernels.find((k) => k.kernel === 'normal')
    const deadlock = normal?.counterexamples.find((c) => c.kind === 'deadlock')
    expect(deadlock?.title).toBe('watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    expect([deadlock?.preemptions, deadlock?.arrivals]).toEqual([0, 1])
    expect(deadlock?.foundAt).toBeLessThanOrEqual(100)
    expect(normal?.counterexamples.map((c) => c.title)).toContain(
      'lockproof: interrupts enabled while an IRQ-disabling lock is held (guards dropped out of order, Rust-for-Linux #998)',
    )
    expect(r.differences).toContain('deadlocks only on the normal kernel')
  })

  it('counted interrupt disabling: every execution on both kernels explored, nothing found', () => {
    const r = explore(rfl998('counted'))
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
    assertNoCounterexample(r)
  })
})

describe('ABBA on two CPUs, lockdep off', () => {
  it('found by execution on both kernels, with its schedule; the replay string runs it again', () => {
    const model = abbaSpin()
    const r = explore(model)
    expect(r.counterexamples.map((c) => [c.kernel, c.kind, c.title])).toEqual([
      ['normal', 'deadlock', 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [one:1]'],
      ['rt', 'deadlock', 'lockproof: task one:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'],
    ])
    const c = r.counterexamples[0]
    expect(c?.table.split('\n')[0]).toMatch(/^\| seq +\| CPU 0 +\| CPU 1 +\|$/)
    expect(c?.table).toContain("one: spin on spinlock_t 'b'  [pc=0x2 irqs on]")
    expect(c?.replay).toMatch(/^lp1:normal:/)
    const again = explore(model, { replay: c?.replay ?? '' })
    expect(again.counterexamples.map((x) => [x.kernel, x.title, x.replay])).toEqual([['normal', c?.title, c?.replay]])
    expect(() => assertNoCounterexample(r)).toThrow(CounterexampleError)
    try {
      assertNoCounterexample(r)
    } catch (error) {
      const message = (error as Error).message
      expect(message).toContain('lockproof explore found 2 counterexamples')
      expect(message).toContain(`replay: ${c?.replay}`)
      expect(message).toContain('| seq | CPU 0')
    }
    // One order only: nothing to find.
    expect(explore(oneOrder()).ok).toBe(true)
  })
})

describe("spinlock_t taken with plain spin_lock() in a task and in its CPU's interrupt handler", () => {
  /** The poller takes `stats` with plain spin_lock() or (the valid pattern) spin_lock_irq(). */
  const statsModel = (poller: 'plain' | 'irq') =>
    defineModel(
      (k) => {
        const stats = k.spinLock('stats', 0)
        k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
          yield* stats.withLocked(ctx, function* () {})
        })
        k.task('poller', { cpu: 0 }, function* (ctx) {
          const section = function* (ctx: Context<CtxState>) {
            yield* k.cpuRelax(ctx)
          }
          if (poller === 'irq') yield* stats.withLockedIrq(ctx, section)
          else yield* stats.withLocked(ctx, section)
        })
      },
      { cpus: 1 },
    )
  it('deadlocks on the normal kernel; on PREEMPT_RT the handler is a thread that waits for the lock', () => {
    const r = explore(statsModel('plain'), { stopOnFailure: false })
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.map((c) => c.kind)])).toEqual([
      ['normal', true, ['diagnostic', 'deadlock']],
      ['rt', true, []],
    ])
    expect(r.differences).toEqual(["reports 'WARNING: inconsistent lock state' only on the normal kernel", 'deadlocks only on the normal kernel'])
  })
  it('with spin_lock_irq() in the task (the valid pattern): no counterexample on either kernel', () => {
    const r = explore(statsModel('irq'))
    expect([r.ok, r.exhausted]).toEqual([true, true])
  })
})

describe("the seed's v6 SpinLockIrq (a token that interrupts are off, then a plain lock) against the irqsave mapping", () => {
  it('v6: silent on the normal kernel, a might-sleep splat on PREEMPT_RT', () => {
    const v6 = defineModel(
      (k) => {
        const queue = k.spinLock('queue', 0)
        k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
          yield* queue.withLocked(ctx, function* () {})
        })
        k.task('driver', { cpu: 0 }, function* (ctx) {
          const irqOff = ctx.localInterruptDisable()
          // The types refuse a spinlock_t with interrupts off (it sleeps on RT); called as plain JavaScript would.
          const withLocked = queue.withLocked as unknown as (ctx: unknown, cb: () => Generator<never, void>) => Generator<never, void>
          yield* withLocked(irqOff.ctx, function* () {})
          irqOff.unlock()
        })
      },
      { cpus: 1 },
    )
    const r = explore(v6, { stopOnFailure: false })
    expect(r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.map((c) => c.title)])).toEqual([
      ['normal', true, []],
      ['rt', true, ['BUG: sleeping function called from invalid context']],
    ])
    expect(r.differences).toEqual(["reports 'BUG: sleeping function called from invalid context' only on PREEMPT_RT"])
  })
  it('the irqsave mapping (SpinLockIrq = spin_lock_irqsave): nothing on either kernel', () => {
    const mapping = defineModel(
      (k) => {
        const queue = k.spinLockIrq('queue', 0)
        k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
          yield* queue.withLocked(ctx, function* () {})
        })
        k.task('driver', { cpu: 0 }, function* (ctx) {
          yield* queue.withLocked(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
          })
        })
      },
      { cpus: 1 },
    )
    assertNoCounterexample(explore(mapping))
  })
})

describe('lockdep witness', () => {
  const lockdepReport = (): CircularDependencyDiagnostic => {
    const kernel = createKernel()
    const a = kernel.mutex('a', 0)
    const b = kernel.mutex('b', 0)
    kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    kernel.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
    const d = kernel.diagnostics.find((x): x is CircularDependencyDiagnostic => x.kind === 'circular-dependency')
    if (d === undefined) throw new Error('lockdep did not report')
    return d
  }
  const twoOrders = (gate: boolean) =>
    defineModel(
      (k) => {
        const outer = k.mutex('outer', 0)
        const a = k.mutex('a', 0)
        const b = k.mutex('b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          const g = gate ? yield* outer.lock(ctx) : null
          yield* a.withLocked(g?.ctx ?? ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
          g?.unlock()
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          const g = gate ? yield* outer.lock(ctx) : null
          yield* b.withLocked(g?.ctx ?? ctx, function* (ctx) {
            yield* a.withLocked(ctx, function* () {})
          })
          g?.unlock()
        })
      },
      { cpus: 2 },
    )
  it('a circular dependency that can really happen: the deadlocking schedule', () => {
    const w = exploreWitness(twoOrders(false), lockdepReport())
    expect(w.deadlock?.kind).toBe('deadlock')
    expect(w.summary).toMatch(/^the report's classes \(a, b\) really deadlock: lp1:normal:/)
  })
  it('the same orders behind a common outer lock: no deadlock within the bound, and the bounded space was exhausted', () => {
    const w = exploreWitness(twoOrders(true), lockdepReport())
    expect([w.deadlock, w.exhausted]).toEqual([null, true])
    expect(w.summary).toMatch(/^no execution deadlocks on a, b within the bound \(bounded space exhausted in \d+ executions\)$/)
  })
})

describe('progress', () => {
  it('reports executions, executions per second and the fraction of the bounded space', () => {
    const seen: { executions: number; perSecond: number; fraction: number | null }[] = []
    explore(rfl998('counted'), { kernels: ['rt'], progressEveryMs: 1, onProgress: (p) => seen.push(p) })
    expect(seen.length).toBeGreaterThan(0)
    const last = seen[seen.length - 1]
    expect(last?.executions).toBeGreaterThan(0)
    expect(last?.perSecond).toBeGreaterThan(0)
    expect(last?.fraction).toBeGreaterThan(0)
  })
})

describe('data races (KCSAN-shaped) on shared cells', () => {
  type Hits = ModelCell<number>
  /** hits++ as two accesses: plain, or READ_ONCE/WRITE_ONCE. */
  const bump = function* <S extends CtxState>(hits: Hits, ctx: Context<S>, marked = false) {
    const v = marked ? yield* hits.readOnce(ctx) : yield* hits.read(ctx)
    if (marked) yield* hits.writeOnce(ctx, v + 1)
    else yield* hits.write(ctx, v + 1)
  }
  const unlocked = (where: 'irq' | 'cpu1', marked = false) =>
    defineModel(
      (k) => {
        const hits = k.cell('hits', 0)
        k.task('poller', { cpu: 0 }, (ctx) => bump(hits, ctx, marked))
        if (where === 'irq') k.irq(5, { cpu: 0, name: 'eth0', noThread: true }, (ctx) => bump(hits, ctx, marked))
        else k.task('reader', { cpu: 1 }, (ctx) => bump(hits, ctx, marked))
      },
      { cpus: 2 },
    )
  const locked = (where: 'irq' | 'cpu1') =>
    defineModel(
      (k) => {
        const hits = k.cell('hits', 0)
        const lock = k.spinLockIrq('hits_lock', 0)
        k.task('poller', { cpu: 0 }, (ctx) => lock.withLocked(ctx, (ctx) => bump(hits, ctx)))
        if (where === 'irq') k.irq(5, { cpu: 0, name: 'eth0' }, (ctx) => lock.withLocked(ctx, (ctx) => bump(hits, ctx)))
        else k.task('reader', { cpu: 1 }, (ctx) => lock.withLocked(ctx, (ctx) => bump(hits, ctx)))
      },
      { cpus: 2 },
    )
  it('a task and the interrupt handler on its CPU: "by interrupt on cpu 0", both accesses named', () => {
    const r = explore(unlocked('irq'), { kernels: ['normal'] })
    const race = r.counterexamples.find((c) => c.kind === 'data-race')
    expect(race?.title).toBe('BUG: KCSAN: data-race in eth0 / poller')
    expect(race?.report.split('\n').filter((l) => l.includes(' to '))).toEqual([
      // the access that hit the watchpoint first, then the watcher's (kernel/kcsan/report.c print_report())
      "read to 'hits' of 8 bytes by interrupt on cpu 0:",
      "write to 'hits' of 8 bytes by task 1 on cpu 0:",
    ])
  })
  it('two CPUs: found; under a common lock, or with READ_ONCE/WRITE_ONCE on both sides: none', () => {
    const r = explore(unlocked('cpu1'), { kernels: ['normal'] })
    expect(r.counterexamples.map((c) => c.title)).toEqual(['BUG: KCSAN: data-race in poller / reader'])
    for (const valid of [locked('cpu1'), locked('irq'), unlocked('cpu1', true)]) {
      const ok = explore(valid)
      expect([ok.ok, ok.exhausted]).toEqual([true, true])
    }
  })
})

describe("the model's own mistakes are thrown by explore(), not counted as findings", () => {
  it('a forgotten yield* is ForgottenYieldError; a task that never waits is a step-limit counterexample naming it', async () => {
    const { ForgottenYieldError } = await import('../../src/index.js')
    const forgot = defineModel((k) => {
      const a = k.spinLock('a', 0)
      k.task('careless', { cpu: 0 }, function* (ctx) {
        a.withLocked(ctx, function* () {})
        yield* k.cpuRelax(ctx)
      })
    })
    expect(() => explore(forgot)).toThrow(ForgottenYieldError)
    const spinner = defineModel((k) => {
      k.task('spinner', { cpu: 0 }, function* (ctx) {
        for (;;) yield* k.cpuRelax(ctx)
      })
    })
    const r = explore(spinner, { kernels: ['normal'], stepLimit: 50 })
    expect(r.counterexamples.map((c) => [c.kind, c.title])).toEqual([
      ['step-limit', "spinner took more than 50 steps in one execution: a livelock (a loop that never waits), or raise the explorer's stepLimit"],
    ])
  })
})
