/**
 * Outside audit of docs/explorer.md's smaller claims: spinning CPUs with interrupts off, the
 * counterexample's trace as ftrace text, an arrival that was the only choice left is not counted,
 * a stale context thrown (not collected), cond_resched() as a point.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, explore, formatTrace, type KernelName, LockproofRuntimeError, StaleContextError } from '../../src/index.js'

const KERNELS: readonly KernelName[] = ['normal', 'rt']

describe('deadlocks: CPUs spinning with interrupts off', () => {
  for (const kernel of KERNELS)
    it(`${kernel}: ABBA over raw_spinlock_t with irqsave on two CPUs: a deadlock the hard-lockup watchdog reports`, () => {
      const m = defineModel(
        (k) => {
          const a = k.rawSpinLock('a', 0)
          const b = k.rawSpinLock('b', 0)
          k.task('one', { cpu: 0 }, function* (ctx) {
            yield* a.withLockedIrqSave(ctx, function* (ctx) {
              yield* b.withLocked(ctx, function* () {})
            })
          })
          k.task('two', { cpu: 1 }, function* (ctx) {
            yield* b.withLockedIrqSave(ctx, function* (ctx) {
              yield* a.withLocked(ctx, function* () {})
            })
          })
        },
        { cpus: 2, lockdep: false },
      )
      const c = explore(m, { kernels: [kernel] }).counterexamples[0]
      expect(c?.kind).toBe('deadlock')
      expect(c?.title).toMatch(/Watchdog detected hard LOCKUP on cpu [01]/)
      expect(c?.table).toMatch(/spin on raw_spinlock_t 'b'\s+\[pc=0x2 irqs off\]/)
    })
})

describe("a counterexample's trace", () => {
  it('is the event log of that execution, and formatTrace() renders it as ftrace text', () => {
    const m = defineModel(
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
    const c = explore(m, { kernels: ['normal'] }).counterexamples[0]
    expect(c?.trace.length).toBeGreaterThan(0)
    const text = formatTrace(c?.trace ?? [])
    expect(text).toMatch(/irq_handler_entry/)
    expect(text).toMatch(/poller/)
  })
})

describe('arrivals counted by shrinking', () => {
  it('an arrival that was the only choice left (the task had ended) is not counted', () => {
    const m = defineModel(
      (k) => {
        k.irq(5, { cpu: 0, name: 'dev' }, function* () {
          throw new Error('the handler ran')
        })
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 1 },
    )
    const c = explore(m, { kernels: ['normal'] }).counterexamples[0]
    expect(c?.title).toBe('Error: the handler ran')
    expect([c?.arrivals, c?.preemptions]).toEqual([0, 0])
  })
})

describe("the model's own mistakes are thrown, not collected", () => {
  for (const kernel of KERNELS)
    it(`${kernel}: a context kept from an ended task is StaleContextError`, () => {
      const m = defineModel(
        (k) => {
          let kept: Parameters<Parameters<typeof k.task>[2]>[0] | null = null
          const s = k.spinLock('s', 0)
          k.task('first', { cpu: 0 }, function* (ctx) {
            kept = ctx
            yield* k.cpuRelax(ctx)
          })
          k.task('second', { cpu: 0 }, function* (ctx) {
            yield* k.cpuRelax(ctx)
            if (kept !== null) yield* s.withLocked(kept, function* () {})
          })
        },
        { cpus: 1 },
      )
      let error: unknown
      try {
        explore(m, { kernels: [kernel] })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(LockproofRuntimeError)
      expect(error).toBeInstanceOf(StaleContextError)
    })
})

describe('cond_resched() is a scheduling point', () => {
  it('another task on the CPU runs at it; without a point in between it cannot', () => {
    const seen = new Set<string>()
    const m = (point: boolean) =>
      defineModel(
        (k) => {
          let step = 'before'
          k.task('a', { cpu: 0 }, function* (ctx) {
            step = 'middle'
            if (point) yield* k.condResched(ctx)
            step = 'after'
          })
          k.task('b', { cpu: 0 }, function* () {
            seen.add(`${point}:${step}`)
          })
        },
        { cpus: 1 },
      )
    explore(m(true), { kernels: ['normal'] })
    explore(m(false), { kernels: ['normal'] })
    expect(seen.has('true:middle')).toBe(true)
    expect(seen.has('false:middle')).toBe(false)
  })
})
