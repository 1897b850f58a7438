import { describe, expect, it } from 'vitest'
import { DeadlockError, defineModel, ForgottenYieldError, runModel } from '../../src/index.js'
import { createKernelParts } from '../../src/exec/parts.js'
import type { Cpu } from '../../src/machine/cpu.js'
import { resolveOptions } from '../../src/options.js'
import { syncOnWait } from '../../src/exec/sync-wait.js'
import { script } from './helpers.js'

describe('interrupt state while spinning', () => {
  // t1 on CPU 0 holds `a`; t2 on CPU 1 spins for it, with the variant's interrupt state; irq 7 is declared on CPU 1.
  const model = (irqsave: boolean) =>
    defineModel(
      (k) => {
        const a = k.spinLock('a', 0)
        k.irq(7, { cpu: 1, name: 'dev' }, function* () {})
        k.task('t1', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
          })
        })
        k.task('t2', { cpu: 1 }, function* (ctx) {
          if (irqsave) yield* a.withLockedIrqSave(ctx, function* () {})
          else yield* a.withLocked(ctx, function* () {})
        })
      },
      { cpus: 2 },
    )

  it('spin_lock() spins with interrupts on: the interrupt may arrive on the spinning CPU', () => {
    const s = script(['t1', 't1', 't2', 't2'])
    runModel(model(false), { scheduler: s })
    expect(s.offered[4]).toEqual(['t1', 'irq:7@1'])
  })

  it('spin_lock_irqsave() spins with interrupts off: no arrival is offered there', () => {
    const s = script(['t1', 't1', 't2', 't2'])
    runModel(model(true), { scheduler: s })
    expect(s.offered[4]).toEqual(['t1'])
  })

  it('on PREEMPT_RT spin_lock_irqsave() sleeps with interrupts on: the arrival is offered (its handler is threaded)', () => {
    const s = script(['t1', 't1', 't2', 't2'])
    const r = runModel(model(true), { preemptRt: true, scheduler: s })
    expect(s.offered[4]).toEqual(['t1', 'irq:7@1'])
    expect(r.outcome).toEqual({ kind: 'completed' })
  })
})

describe('a forgotten yield*', () => {
  it('a task ending with an operation it made and never ran: ForgottenYieldError naming the call', () => {
    const r = runModel(
      defineModel((k) => {
        const a = k.spinLock('a', { n: 0 })
        k.task('forgetful', { cpu: 0 }, function* (ctx) {
          a.withLocked(ctx, function* (_ctx, d) {
            d.n++
          })
        })
      }),
    )
    expect(r.outcome.kind).toBe('error')
    const error = r.outcome.kind === 'error' ? r.outcome.error : null
    expect(error).toBeInstanceOf(ForgottenYieldError)
    expect((error as Error).message).toBe(
      "forgetful: spinlock_t 'a'.withLocked(ctx, …) was never run: an operation of a model does nothing until `yield*` runs it",
    )
  })

  it("a guard's data read from the operation itself (no yield*): ForgottenYieldError at once", () => {
    const seen: unknown[] = []
    const r = runModel(
      defineModel((k) => {
        const m = k.mutex('m', { n: 0 })
        k.task('t', { cpu: 0 }, function* (ctx) {
          const op: unknown = m.lock(ctx)
          try {
            seen.push((op as { data: unknown }).data)
          } catch (error) {
            seen.push(error)
          }
          yield* m.lock(ctx) // the nearest valid pattern
        })
      }),
    )
    expect(seen[0]).toBeInstanceOf(ForgottenYieldError)
    expect((seen[0] as Error).message).toBe("mutex 'm'.lock(ctx) returns an operation that has not run: use `yield* mutex 'm'.lock(ctx)` (its .data was read)")
    // The guard of the valid lock() leaked at the task's end: reported as the synchronous API does.
    expect(r.outcome.kind).toBe('error')
  })

  it('a section that is not a generator function: a named error', () => {
    const r = runModel(
      defineModel((k) => {
        const a = k.spinLock('a', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, (() => 1) as never)
        })
      }),
    )
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe(
      'withLocked(a): in a model the section must be a generator function (function*), run with yield*',
    )
  })
})

describe('signals', () => {
  const model = (sig: 'SIGKILL' | 'SIGTERM') =>
    defineModel(
      (k) => {
        const left: number[] = []
        const sleeper = k.task('sleeper', { cpu: 0 }, function* (ctx) {
          left.push(yield* k.msleepInterruptible(ctx, 100))
        })
        k.task('killer', { cpu: 1 }, function* () {
          k.signal(sleeper, sig)
          yield* []
        })
        k.task('report', { cpu: 1 }, function* () {
          yield* []
          if (left.length > 0) throw new Error(`left ${left[0]}`)
        })
      },
      { cpus: 2 },
    )

  it('a signal ends an interruptible sleep at once: msleep_interruptible() returns the time left', () => {
    const r = runModel(model('SIGTERM'), { trace: true, scheduler: script(['sleeper', 'killer', 'sleeper', 'report']) })
    expect(r.outcome.kind === 'error' && (r.outcome.error as Error).message).toBe('left 100')
    const waking = r.trace.find((e) => e.event === 'sched_waking')
    expect(waking?.event === 'sched_waking' && [waking.comm, waking.wakeComm]).toEqual(['killer', 'sleeper'])
    expect(r.machine.clockMs).toBe(0)
  })

  it('without a signal the timer ends it: the clock moves to the timeout and nothing is left', () => {
    const r = runModel(
      defineModel((k) => {
        k.task('sleeper', { cpu: 0 }, function* (ctx) {
          const left = yield* k.msleepInterruptible(ctx, 100)
          if (left !== 0) throw new Error('woken early')
        })
      }),
    )
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(r.machine.clockMs).toBe(100)
  })
})

describe('the synchronous driver of waits (kernel.run)', () => {
  const channel = { id: 0, kind: 'completion', name: 'done' }
  const fresh = (preemptRt = false) => {
    const parts = createKernelParts(resolveOptions({ preemptRt }))
    return { parts, cpu: parts.cpus[0] as Cpu }
  }

  it('a wait with a timeout advances the clock and resumes with timeout', () => {
    const { parts, cpu } = fresh()
    expect(syncOnWait(parts, cpu)({ tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: false, timeoutMs: 50 })).toBe('timeout')
    expect(parts.machine.clockMs).toBe(50)
  })

  it('a sleep nothing can end: the hung-task report and DeadlockError', () => {
    const { parts, cpu } = fresh()
    const onWait = syncOnWait(parts, cpu)
    expect(() => onWait({ tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: false })).toThrow(DeadlockError)
    expect(parts.reporter.diagnostics.map((d) => [d.kind, d.title])).toEqual([['wait-forever', 'INFO: task swapper/0:0 blocked for more than 120 seconds.']])
  })

  it('a spin nothing can end, interrupts off: the hard-lockup report', () => {
    const { parts, cpu } = fresh()
    cpu.localIrqDisable()
    expect(() => syncOnWait(parts, cpu)({ tag: 'wait', channel, state: 'TASK_RUNNING', spin: true })).toThrow(
      "watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0: completion 'done' can never be woken: nothing else runs under kernel.run()",
    )
  })

  it('a killable sleep: no hung-task report in the kernel, lockproof says so', () => {
    const { parts, cpu } = fresh(true)
    expect(() => syncOnWait(parts, cpu)({ tag: 'wait', channel, state: 'TASK_KILLABLE', spin: false })).toThrow(DeadlockError)
    expect(parts.reporter.diagnostics[0]?.title).toBe('lockproof: task swapper/0:0 blocked forever in TASK_KILLABLE (not reported by the hung-task detector)')
  })
})
