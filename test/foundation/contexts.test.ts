import { describe, expect, it } from 'vitest'
import {
  InvalidArgumentError,
  LockproofRuntimeError,
  PromiseInScopeError,
  SchedulingError,
  ShadowedContextError,
  StaleContextError,
  WrongCpuError,
  createKernel,
  type Context,
  type CpuState,
  type CtxState,
  type Kernel,
  type SleepingInAtomicDiagnostic,
  type FreshTaskState,
} from '../../src/index.js'

/** What a plain-JavaScript caller could do: call mightSleep() where the types forbid it. */
const mightSleepAnyway = (ctx: Context<CtxState>): void => (ctx as unknown as Context<FreshTaskState>).mightSleep()

const sleeping = (k: Kernel): SleepingInAtomicDiagnostic[] => k.diagnostics.filter((d): d is SleepingInAtomicDiagnostic => d.kind === 'sleeping-in-atomic')

/** Runs `misuse`, expects it to throw `E`, and checks the CPUs did not change. */
const refusedWithoutChange = (k: Kernel, misuse: () => void, E: new (...args: never[]) => Error): void => {
  const before: CpuState[] = k.snapshot()
  expect(misuse).toThrow(E)
  expect(k.snapshot()).toEqual(before)
}

describe('misused contexts', () => {
  it('StaleContextError: a context used after its scope ended, in the same task', () => {
    const k = createKernel()
    k.requestIrq(1, 'dev', () => undefined, { noThread: true })
    k.run((ctx) => {
      let kept: Context<CtxState> | undefined
      ctx.preemptDisable((c) => {
        kept = c
      })
      const stale = kept
      if (stale === undefined) throw new Error('unreachable')
      expect(stale.live).toBe(false)
      refusedWithoutChange(k, () => stale.raiseIrq(1), StaleContextError)
      refusedWithoutChange(k, () => stale.preemptDisable(() => undefined), StaleContextError)
      refusedWithoutChange(k, () => stale.core.localIrqSave(() => undefined), StaleContextError)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('StaleContextError: a task context used after the task ended', () => {
    const k = createKernel()
    let kept: Context<FreshTaskState> | undefined
    k.run((ctx) => {
      kept = ctx
    })
    const stale = kept
    if (stale === undefined) throw new Error('unreachable')
    refusedWithoutChange(k, () => stale.localBhDisable(() => undefined), StaleContextError)
    refusedWithoutChange(k, () => stale.mightSleep(), StaleContextError)
    refusedWithoutChange(k, () => k.run(() => stale.rcuReadLock(() => undefined)), StaleContextError)
  })

  it("WrongCpuError: CPU 0's context used in a task on CPU 1", () => {
    const k = createKernel({ cpus: 2 })
    let inner = false
    k.run((ctx0) =>
      ctx0.preemptDisable((c0) => {
        refusedWithoutChange(
          k,
          () =>
            k.run(
              () =>
                c0.preemptDisable(() => {
                  inner = true
                }),
              { cpu: 1 },
            ),
          WrongCpuError,
        )
        expect(k.cpu(0).preemptCount).toBe(1)
      }),
    )
    expect(inner).toBe(false)
    expect(k.snapshot().map((c) => c.preemptCount)).toEqual([0, 0])
  })

  it("WrongCpuError: a task's context used from an RT irq thread (another task on the same CPU)", () => {
    const k = createKernel({ preemptRt: true })
    let task: Context<FreshTaskState> | undefined
    let error: unknown
    k.requestIrq(3, 'dev', () => {
      try {
        task?.raiseSoftirq(1)
      } catch (e) {
        error = e
      }
    })
    k.run((ctx) => {
      task = ctx
      ctx.raiseIrq(3)
    })
    expect(error).toBeInstanceOf(WrongCpuError)
  })

  it('ShadowedContextError: the outer context used inside an inner scope', () => {
    const k = createKernel()
    k.run((ctx) =>
      ctx.rcuReadLock((c) =>
        c.preemptDisable(() => {
          refusedWithoutChange(k, () => c.migrateDisable(() => undefined), ShadowedContextError)
          refusedWithoutChange(k, () => ctx.raiseSoftirq(1), ShadowedContextError)
        }),
      ),
    )
  })

  it("ShadowedContextError: the interrupted task's context used in a hardirq handler", () => {
    const k = createKernel()
    let task: Context<FreshTaskState> | undefined
    let error: unknown
    k.requestIrq(
      2,
      'dev',
      () => {
        const before = k.snapshot()
        try {
          task?.preemptDisable(() => undefined)
        } catch (e) {
          error = e
        }
        expect(k.snapshot()).toEqual(before)
      },
      { noThread: true },
    )
    k.run((ctx) => {
      task = ctx
      ctx.raiseIrq(2)
    })
    expect(error).toBeInstanceOf(ShadowedContextError)
  })

  it('PromiseInScopeError: a scope callback that returns a Promise (plain-JS caller); the scope is undone first', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt })
      const asyncCb = (async () => 1) as unknown as (ctx: Context<CtxState>) => number
      const rejecting = (() => Promise.reject(new Error('never awaited'))) as unknown as (ctx: Context<CtxState>) => number
      k.run((ctx) => {
        refusedWithoutChange(k, () => ctx.preemptDisable(asyncCb), PromiseInScopeError)
        refusedWithoutChange(k, () => ctx.localBhDisable(rejecting), PromiseInScopeError)
        refusedWithoutChange(k, () => ctx.core.localIrqSave(asyncCb), PromiseInScopeError)
        refusedWithoutChange(k, () => ctx.rcuReadLock((c) => c.migrateDisable(asyncCb)), PromiseInScopeError)
        expect(ctx.live).toBe(true)
      })
      const asyncTask = (async () => 1) as unknown as (ctx: Context<FreshTaskState>) => number
      refusedWithoutChange(k, () => k.run(asyncTask), PromiseInScopeError)
    }
  })

  it('SchedulingError: a second task on a busy CPU', () => {
    const k = createKernel({ cpus: 2 })
    k.run(() => {
      refusedWithoutChange(k, () => k.run(() => undefined), SchedulingError)
      expect(k.run(() => 7, { cpu: 1 })).toBe(7)
    })
  })
})

describe('exception safety', () => {
  it.each([false, true])('a throw deep inside nested scopes on two CPUs leaves every CPU as before (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt, cpus: 2 })
    k.requestIrq(1, 'dev', () => undefined, { noThread: true })
    k.requestIrq(2, 'thr', () => undefined)
    k.openSoftirq(0, () => undefined)
    const before = k.snapshot()
    const boom = new RangeError('deep')
    let caught: unknown
    try {
      k.run((ctx) =>
        ctx.localBhDisable((c) =>
          c.preemptDisable((c2) =>
            c2.rcuReadLock((c3) => {
              c3.raiseSoftirq(0)
              k.run(
                (d) =>
                  d.migrateDisable((d2) =>
                    d2.core.localIrqSave((d3) => {
                      d3.raiseIrq(1)
                      d3.raiseIrq(2)
                      throw boom
                    }),
                  ),
                { cpu: 1 },
              )
            }),
          ),
        ),
      )
    } catch (e) {
      caught = e
    }
    expect(caught).toBe(boom)
    expect(k.snapshot()).toEqual(before)
    expect(k.diagnostics).toEqual([])
  })

  it.each([false, true])('a throw in a handler propagates unchanged and leaves the CPU as before (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const boom = new Error('handler')
    k.openSoftirq(1, () => {
      throw boom
    })
    k.requestIrq(
      5,
      'nt',
      () => {
        throw boom
      },
      { noThread: true },
    )
    k.requestIrq(6, 'thr', () => {
      throw boom
    })
    k.requestNmi('n', () => {
      throw boom
    })
    const before = k.snapshot()
    const programs: ((ctx: Context<FreshTaskState>) => void)[] = [
      (ctx) => ctx.localBhDisable((c) => c.raiseSoftirq(1)),
      (ctx) => ctx.raiseIrq(5),
      (ctx) => ctx.core.localIrqSave((c) => c.raiseIrq(5)),
      (ctx) => ctx.raiseIrq(6),
      (ctx) => ctx.raiseNmi('n'),
      (ctx) => ctx.raiseSoftirq(1),
    ]
    for (const p of programs) {
      let caught: unknown
      try {
        k.run(p)
      } catch (e) {
        caught = e
      }
      expect(caught).toBe(boom)
      expect(k.snapshot()).toEqual(before)
    }
    expect(k.run(() => 'still works')).toBe('still works')
  })
})

describe('might_sleep()', () => {
  it('is silent in a plain task, and in RCU-free migrate-disabled code', () => {
    const k = createKernel()
    k.run((ctx) => {
      ctx.mightSleep()
      ctx.migrateDisable((c) => mightSleepAnyway(c))
      ctx.msleep(5)
    })
    expect(k.diagnostics).toEqual([])
    expect(k.clockMs).toBe(5)
  })

  it('under preempt_disable(): the kernel lines', () => {
    const k = createKernel()
    k.run((ctx) => ctx.preemptDisable((c) => mightSleepAnyway(c)), { comm: 'worker' })
    const [d] = sleeping(k)
    expect(d).toMatchObject({
      kind: 'sleeping-in-atomic',
      title: 'BUG: sleeping function called from invalid context',
      what: 'might_sleep()',
      inAtomic: true,
      irqsDisabled: false,
      rcuDepth: 0,
      preemptCount: 1,
      cpu: 0,
      task: 'worker',
    })
    expect(d?.report.split('\n')).toEqual([
      'BUG: sleeping function called from invalid context at might_sleep()',
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: worker',
      'preempt_count: 1, expected: 0',
      'RCU nest depth: 0, expected: 0',
      'no locks held by worker/1.',
      'CPU: 0 UID: 0 PID: 1 Comm: worker',
    ])
  })

  it('under rcu_read_lock(): not atomic, but the RCU depth is reported', () => {
    const k = createKernel()
    k.run((ctx) => ctx.rcuReadLock((c) => c.rcuReadLock((c2) => mightSleepAnyway(c2))))
    const lines = sleeping(k)[0]?.report.split('\n') ?? []
    expect(lines.slice(1, 4)).toEqual([
      'in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 0, expected: 0',
      'RCU nest depth: 2, expected: 0',
    ])
  })

  it('with interrupts off: irqs_disabled(): 1', () => {
    const k = createKernel()
    k.run((ctx) => ctx.core.localIrqSave((c) => mightSleepAnyway(c)))
    expect(sleeping(k)[0]?.report.split('\n')[1]).toBe('in_atomic(): 0, irqs_disabled(): 1, non_block: 0, pid: 1, name: task-1')
  })

  it('with BH off: preempt_count 200 on a normal kernel; preempt_count 0 and RCU depth 1 on RT', () => {
    const normal = createKernel()
    normal.run((ctx) => ctx.localBhDisable((c) => mightSleepAnyway(c)))
    expect(sleeping(normal)[0]?.report.split('\n').slice(1, 4)).toEqual([
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 200, expected: 0',
      'RCU nest depth: 0, expected: 0',
    ])
    const rt = createKernel({ preemptRt: true })
    rt.run((ctx) => ctx.localBhDisable((c) => mightSleepAnyway(c)))
    expect(sleeping(rt)[0]?.report.split('\n').slice(1, 4)).toEqual([
      'in_atomic(): 0, irqs_disabled(): 0, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 0, expected: 0',
      'RCU nest depth: 1, expected: 0',
    ])
  })

  it('in a hardirq handler: preempt_count 10000', () => {
    const k = createKernel()
    k.requestIrq(1, 'dev', (ctx) => mightSleepAnyway(ctx), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(1))
    expect(sleeping(k)[0]?.report.split('\n').slice(1, 3)).toEqual([
      'in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 10000, expected: 0',
    ])
  })

  it("with onDiagnostic: 'throw' it throws a KernelSplat and the CPU unwinds", () => {
    const k = createKernel({ onDiagnostic: 'throw' })
    const before = k.snapshot()
    let caught: unknown
    try {
      k.run((ctx) => ctx.preemptDisable((c) => mightSleepAnyway(c)))
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(LockproofRuntimeError)
    expect((caught as { diagnostic?: unknown }).diagnostic).toBe(k.diagnostics[0])
    expect(k.snapshot()).toEqual(before)
  })
})

describe('bad arguments from plain JavaScript', () => {
  it('are refused with InvalidArgumentError and change nothing', () => {
    const k = createKernel({ cpus: 2 })
    const loose = k as unknown as {
      run(cb: unknown, options?: unknown): unknown
      openSoftirq(nr: unknown, handler: unknown): void
      requestIrq(line: unknown, name: unknown, handler: unknown, options?: unknown): void
      requestNmi(name: unknown, handler: unknown): void
    }
    refusedWithoutChange(k, () => loose.run(42), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.run(() => undefined, { cpu: 2 }), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.run(() => undefined, { cpu: 'x' }), InvalidArgumentError)
    refusedWithoutChange(k, () => k.raiseIrq(-1), InvalidArgumentError)
    refusedWithoutChange(k, () => k.raiseIrq(1.5), InvalidArgumentError)
    refusedWithoutChange(k, () => k.openSoftirq(42, () => undefined), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.openSoftirq('NOPE', () => undefined), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.openSoftirq(1, 'not a function'), InvalidArgumentError)
    refusedWithoutChange(k, () => k.raiseSoftirq(10), InvalidArgumentError)
    refusedWithoutChange(k, () => k.raiseNmi('none'), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.requestIrq(1, '', () => undefined), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.requestIrq(1, 'x', () => undefined, { noThread: 'yes' }), InvalidArgumentError)
    refusedWithoutChange(k, () => loose.requestNmi('n', null), InvalidArgumentError)
    refusedWithoutChange(k, () => k.cpu(2), InvalidArgumentError)
    k.requestIrq(1, 'a', () => undefined)
    refusedWithoutChange(k, () => k.requestIrq(1, 'b', () => undefined), InvalidArgumentError)
    k.run((ctx) => {
      refusedWithoutChange(k, () => ctx.raiseIrq(-1), InvalidArgumentError)
      refusedWithoutChange(k, () => ctx.raiseSoftirq(-3), InvalidArgumentError)
      refusedWithoutChange(k, () => ctx.raiseNmi('none'), InvalidArgumentError)
      refusedWithoutChange(k, () => ctx.msleep(-1), InvalidArgumentError)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('createKernel() refuses bad options', () => {
    const loose = createKernel as unknown as (options: unknown) => unknown
    expect(() => createKernel({ cpus: 0 })).toThrow(InvalidArgumentError)
    expect(() => createKernel({ cpus: 65 })).toThrow(InvalidArgumentError)
    expect(() => createKernel({ cpus: 1.5 })).toThrow(InvalidArgumentError)
    expect(() => loose({ preemptRt: 'yes' })).toThrow(InvalidArgumentError)
    expect(() => loose({ onDiagnostic: 'panic' })).toThrow(InvalidArgumentError)
    expect(() => loose(null)).toThrow(InvalidArgumentError)
    expect(createKernel({ cpus: 64 }).cpuCount).toBe(64)
  })
})

describe('determinism', () => {
  it.each([false, true])('the same program gives an identical trace twice (preemptRt=%s)', (preemptRt) => {
    const program = () => {
      const k = createKernel({ trace: true, preemptRt, cpus: 2 })
      k.requestIrq(9, 'eth0', (ctx) => ctx.raiseSoftirq(3))
      k.requestIrq(1, 'tick', (ctx) => ctx.raiseSoftirq(1), { noThread: true })
      k.openSoftirq(3, () => undefined)
      k.openSoftirq(1, (ctx) => ctx.raiseSoftirq(0))
      k.openSoftirq(0, () => undefined)
      k.requestNmi('wd', () => undefined)
      k.run((ctx) => {
        ctx.localBhDisable((c) =>
          c.core.localIrqSave((c2) => {
            c2.raiseIrq(9)
            c2.raiseIrq(1)
            c2.raiseNmi('wd')
          }),
        )
        k.run((c1) => c1.preemptDisable((c2) => c2.raiseIrq(1)), { cpu: 1 })
      })
      k.raiseSoftirq('TIMER', { cpu: 1 })
      return k.trace
    }
    const a = program()
    expect(a.length).toBeGreaterThan(30)
    expect(new Set(a.map((e) => e.cpu))).toEqual(new Set([0, 1]))
    expect(program()).toEqual(a)
  })
})
