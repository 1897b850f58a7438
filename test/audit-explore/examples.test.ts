/**
 * Outside audit of issue #17's examples and item 6: Rust-for-Linux #998 found within 100
 * executions (the counted form explored completely with none), and lockdep's reports handed to
 * exploreWitness(): a real deadlock with its schedule, or none within the bound.
 */
import { describe, expect, it } from 'vitest'
import {
  type CircularDependencyDiagnostic,
  checkLockDesign,
  createKernel,
  defineModel,
  explore,
  exploreWitness,
  InvalidArgumentError,
  type IrqInversionDiagnostic,
  type KernelName,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../../src/index.js'

const KERNELS: readonly KernelName[] = ['normal', 'rt']

describe('Rust-for-Linux #998: save/restore guards dropped out of order', () => {
  const model = (irqDisable: 'save-restore' | 'counted') =>
    defineModel(
      (k) => {
        const irq1 = k.spinLockIrq('irq1', 0)
        const irq2 = k.spinLockIrq('irq2', 0)
        k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
          yield* irq2.withLocked(ctx, function* () {})
        })
        k.task('driver', { cpu: 0 }, function* (ctx) {
          const a = yield* irq1.lock(ctx)
          const b = yield* irq2.lock(a.ctx)
          a.unlock() // drop(a) first: save/restore restores "enabled" while b is held
          yield* k.cpuRelax(b.ctx)
          b.unlock()
        })
      },
      { cpus: 1, irqDisable },
    )

  it('normal: save/restore: the deadlock (the handler spinning on irq2 its CPU holds) within 100 executions, with its one arrival', () => {
    const r = explore(model('save-restore'), { kernels: ['normal'] })
    const all = explore(model('save-restore'), { kernels: ['normal'], stopOnFailure: false })
    const deadlock = all.counterexamples.find((c) => c.kind === 'deadlock')
    expect(deadlock?.foundAt).toBeLessThanOrEqual(100)
    expect(deadlock?.arrivals).toBe(1)
    expect(deadlock?.table).toMatch(/irq_handler_entry 5 dev/)
    expect(r.counterexamples[0]?.foundAt).toBeLessThanOrEqual(100) // the first counterexample of any kind
  })

  it('rt: spin_lock_irqsave() leaves interrupts on and the handler is a thread that waits: no deadlock; the difference says so', () => {
    const r = explore(model('save-restore'), { stopOnFailure: false })
    expect(r.kernels.find((k) => k.kernel === 'rt')).toMatchObject({ exhausted: true, counterexamples: [] })
    expect(r.differences).toContain('deadlocks only on the normal kernel')
    expect(r.differences).toContain(
      "reports 'lockproof: interrupts enabled while an IRQ-disabling lock is held (guards dropped out of order, Rust-for-Linux #998)' only on the normal kernel",
    )
  })

  for (const kernel of KERNELS)
    it(`${kernel}: counted (local_interrupt_disable()): explored completely, nothing found`, () => {
      expect(explore(model('counted'), { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true, counterexamples: [] })
    })
})

describe('exploreWitness(): lockdep predicts, the explorer shows', () => {
  /** lockdep's circular-dependency report from a synchronous run of the two orders. */
  const circular = (): CircularDependencyDiagnostic => {
    const kernel = createKernel()
    const a = kernel.mutex('a', 0)
    const b = kernel.mutex('b', 0)
    kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    kernel.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
    const d = kernel.diagnostics.find((x): x is CircularDependencyDiagnostic => x.kind === 'circular-dependency')
    if (d === undefined) throw new Error('lockdep did not report the circular dependency')
    return d
  }
  const twoOrders = (outer: boolean) =>
    defineModel(
      (k) => {
        const o = k.mutex('outer', 0)
        const a = k.mutex('a', 0)
        const b = k.mutex('b', 0)
        k.task('one', { cpu: 0 }, function* (ctx) {
          if (outer)
            yield* o.withLocked(ctx, function* (ctx) {
              yield* a.withLocked(ctx, function* (ctx) {
                yield* b.withLocked(ctx, function* () {})
              })
            })
          else
            yield* a.withLocked(ctx, function* (ctx) {
              yield* b.withLocked(ctx, function* () {})
            })
        })
        k.task('two', { cpu: 1 }, function* (ctx) {
          if (outer)
            yield* o.withLocked(ctx, function* (ctx) {
              yield* b.withLocked(ctx, function* (ctx) {
                yield* a.withLocked(ctx, function* () {})
              })
            })
          else
            yield* b.withLocked(ctx, function* (ctx) {
              yield* a.withLocked(ctx, function* () {})
            })
        })
      },
      { cpus: 2 },
    )

  it('a circular dependency that can really happen: the deadlock, with its replay string', () => {
    const w = exploreWitness(twoOrders(false), circular())
    expect(w.deadlock?.kind).toBe('deadlock')
    expect(w.deadlock?.replay).toMatch(/^lp1:normal:/)
    expect(w.summary).toBe(`the report's classes (a, b) really deadlock: ${w.deadlock?.replay}`)
    expect(explore(twoOrders(false), { replay: w.deadlock?.replay ?? '', lockdep: false }).counterexamples.map((c) => c.kind)).toEqual(['deadlock'])
  })

  it("lockdep's classic false positive (both orders behind a common outer lock): none within the bound, exhausted", () => {
    const w = exploreWitness(twoOrders(true), circular())
    expect([w.deadlock, w.exhausted]).toEqual([null, true])
    expect(w.executions).toBeGreaterThan(0)
    expect(w.summary).toBe(`no execution deadlocks on a, b within the bound (bounded space exhausted in ${w.executions} executions)`)
  })

  it('a budget that stops the search says so: not exhausted', () => {
    const w = exploreWitness(twoOrders(true), circular(), { maxExecutions: 1 })
    expect([w.deadlock, w.exhausted, w.executions]).toEqual([null, false, 1])
    expect(w.summary).toBe('no deadlock on a, b found in 1 executions (the bounded space was not exhausted)')
  })

  /** An irq-inversion report: a (taken in the handler: hardirq-safe) → b (taken with interrupts on: hardirq-unsafe). */
  const inversion = (): IrqInversionDiagnostic => {
    const kernel = createKernel({ cpus: 1 })
    const a = kernel.spinLock('a', 0)
    const b = kernel.spinLock('b', 0)
    kernel.requestIrq(5, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    kernel.run((ctx) => a.withLockedIrqSave(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    kernel.run((ctx) => ctx.raiseIrq(5))
    kernel.run((ctx) => b.withLocked(ctx, () => 0))
    const d = kernel.diagnostics.find((x): x is IrqInversionDiagnostic => x.kind === 'irq-inversion')
    if (d === undefined) throw new Error(`lockdep reported ${kernel.diagnostics.map((x) => x.kind).join(', ') || 'nothing'}`)
    return d
  }
  const inverted = (fixed: boolean) =>
    defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        const b = k.spinLock('b', 0)
        k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
          yield* a.withLocked(ctx, function* () {})
        })
        k.task('one', { cpu: 1 }, function* (ctx) {
          yield* a.withLockedIrqSave(ctx, function* (ctx) {
            yield* b.withLocked(ctx, function* () {})
          })
        })
        k.task('two', { cpu: 0 }, function* (ctx) {
          if (fixed)
            yield* b.withLockedIrqSave(ctx, function* (ctx) {
              yield* k.cpuRelax(ctx)
            })
          else
            yield* b.withLocked(ctx, function* (ctx) {
              yield* k.cpuRelax(ctx)
            })
        })
      },
      { cpus: 2 },
    )

  it('an irq inversion that can really happen: CPU 1 holds a and spins on b; CPU 0 holds b, its handler spins on a', () => {
    const w = exploreWitness(inverted(false), inversion())
    expect(w.deadlock?.kind).toBe('deadlock')
    expect(w.summary).toMatch(/^the report's classes \(a, b\) really deadlock: lp1:normal:/)
    expect(w.deadlock?.table).toMatch(/irq_handler_entry 5 dev/)
  })

  it('the fixed model (b taken with irqsave): none within the bound, exhausted', () => {
    const w = exploreWitness(inverted(true), inversion())
    expect([w.deadlock, w.exhausted]).toEqual([null, true])
  })

  it('a report of another kind is refused by name', () => {
    const kernel = createKernel({ cpus: 1 })
    const a = kernel.spinLock('a', 0)
    kernel.requestIrq(5, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    kernel.run((ctx) => ctx.raiseIrq(5))
    kernel.run((ctx) => a.withLocked(ctx, () => 0))
    const other = kernel.diagnostics[0]
    expect(other?.kind).toBe('inconsistent-lock-state')
    // plain JavaScript hands over any report: the types take only the two kinds
    expect(() => exploreWitness(twoOrders(false), other as never)).toThrow(InvalidArgumentError)
    expect(() => exploreWitness(twoOrders(false), other as never)).toThrow(/'circular-dependency' or 'irq-inversion'/)
  })
})

describe("the seed's v6 SpinLockIrq (a token and a plain lock) against the accepted irqsave mapping, both kernels", () => {
  it('v6: sound on the normal kernel, unsound on PREEMPT_RT in every form (rt_spin_lock() might sleep with interrupts off)', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_V6)
    expect(v.sound).toBe(false)
    for (const c of v.cells.filter((x) => x.offered)) {
      if (c.kernel === 'normal') expect([c.verdict, c.exhausted]).toEqual(['sound', true])
      else {
        expect(c.verdict).not.toBe('sound')
        expect(c.counterexample?.title).toBe('BUG: sleeping function called from invalid context')
        // the counterexample replays
        expect(explore(c.counterexample?.model ?? defineModel(() => {}), { replay: c.counterexample?.replay ?? '' }).counterexamples[0]?.title).toBe(
          c.counterexample?.title,
        )
      }
    }
  })

  it('the irqsave mapping (callback form only): sound on both kernels, explored to the end; its guard twin shows #998 on the normal kernel', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_SAVE)
    const offered = v.cells.filter((c) => c.offered)
    expect(new Set(offered.map((c) => c.kernel))).toEqual(new Set(['normal', 'rt']))
    for (const c of offered) expect([c.form, c.verdict, c.exhausted]).toEqual(['callback', 'sound', true])
    const twin = v.cells.filter((c) => !c.offered && c.kernel === 'normal' && c.handler)
    expect(twin.map((c) => [c.form, c.verdict, c.counterexample?.kind])).toEqual([['guard', 'unsound', 'deadlock']])
  })
})
