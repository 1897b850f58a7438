/**
 * Outside audit of issue #17 item 1: explore(setup, options), a fresh kernel per execution, the
 * generator-flavoured locks, and the model's own mistakes as named errors (docs/explorer.md
 * "Errors", docs/executors.md "A forgotten yield*").
 */
import { describe, expect, it } from 'vitest'
import {
  DeclarationsChangedError,
  defineModel,
  explore,
  ForgottenYieldError,
  InvalidArgumentError,
  LockproofRuntimeError,
  type ModelKernel,
  NondeterministicModelError,
  PromiseInScopeError,
  runModel,
  StepLimitError,
} from '../../src/index.js'

const KERNELS = ['normal', 'rt'] as const

describe('explore(setup): a fresh kernel per execution', () => {
  it('lock data starts from its initial value in every execution: state is rebuilt, never cloned', () => {
    const seen: number[] = []
    const m = defineModel(
      (k) => {
        const s = k.spinLock('s', { n: 0 })
        for (const [name, cpu] of [
          ['a', 0],
          ['b', 1],
        ] as const)
          k.task(name, { cpu }, function* (ctx) {
            yield* s.withLocked(ctx, function* (_ctx, d) {
              d.n++
              seen.push(d.n)
            })
          })
      },
      { cpus: 2 },
    )
    const r = explore(m, { kernels: ['normal'] })
    expect(r.ok).toBe(true)
    expect(r.exhausted).toBe(true)
    const executions = r.kernels[0]?.executions ?? 0
    expect(executions).toBeGreaterThanOrEqual(2) // a first, b first
    expect(seen.length).toBe(2 * executions)
    expect(Math.max(...seen)).toBe(2) // never carried over from an earlier execution
  })

  it('a bare setup function with cpus in the options', () => {
    const cpus: number[] = []
    const r = explore(
      (k: ModelKernel) => {
        k.task('t', { cpu: 2 }, function* (ctx) {
          cpus.push(ctx.cpuId)
        })
      },
      { cpus: 3, kernels: ['normal'] },
    )
    expect(r.ok).toBe(true)
    expect(cpus[0]).toBe(2)
  })

  it('explores both kernels by default, in the order normal, rt', () => {
    const r = explore(defineModel((k) => void k.task('t', { cpu: 0 }, function* () {})))
    expect(r.kernels.map((x) => x.kernel)).toEqual(['normal', 'rt'])
    expect(r).toMatchObject({ ok: true, exhausted: true, differences: [] })
  })
})

describe('a forgotten yield* is ForgottenYieldError, thrown, not collected', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: an operation made and never started (the generator's floating promise)`, () => {
      const m = defineModel((k) => {
        const s = k.spinLock('s', 0)
        k.task('careless', { cpu: 0 }, function* (ctx) {
          s.withLocked(ctx, function* () {}) // no yield*
          yield* k.cpuRelax(ctx)
        })
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(ForgottenYieldError)
    })

    it(`${kernel}: a guard used as if the lock had been taken`, () => {
      const m = defineModel((k) => {
        const s = k.spinLock('s', { n: 0 })
        k.task('careless', { cpu: 0 }, function* (ctx) {
          // @ts-expect-error the op is not a guard: plain JavaScript meets the runtime check
          const d = s.lock(ctx).data
          yield* k.cpuRelax(ctx)
          return d
        })
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(ForgottenYieldError)
    })

    it(`${kernel}: the same model with yield* explores cleanly (nearest valid pattern)`, () => {
      const m = defineModel((k) => {
        const s = k.spinLock('s', { n: 0 })
        k.task('careful', { cpu: 0 }, function* (ctx) {
          yield* s.withLocked(ctx, function* (_ctx, d) {
            d.n++
          })
          using g = yield* s.lock(ctx)
          g.data.n++
        })
      })
      expect(explore(m, { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true })
    })
  }
})

describe('step limit: a task that goes on forever is a named error', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: a busy loop of scheduling points is a 'step-limit' counterexample with StepLimitError's message`, () => {
      const m = defineModel((k) => {
        k.task('spinner', { cpu: 0 }, function* (ctx) {
          for (;;) yield* k.cpuRelax(ctx)
        })
      })
      const r = explore(m, { kernels: [kernel], stepLimit: 50 })
      expect(r.ok).toBe(false)
      const c = r.counterexamples[0]
      expect(c?.kind).toBe('step-limit')
      expect(c?.kernel).toBe(kernel)
      expect(`${c?.title}\n${c?.report}`).toMatch(/spinner/)
      expect(`${c?.title}\n${c?.report}`).toMatch(/50/)
      expect(StepLimitError.name).toBe('StepLimitError')
    })

    it(`${kernel}: a loop that takes and releases a lock forever is one too`, () => {
      const m = defineModel((k) => {
        const s = k.spinLock('s', 0)
        k.task('looper', { cpu: 0 }, function* (ctx) {
          for (;;) yield* s.withLocked(ctx, function* () {})
        })
      })
      const r = explore(m, { kernels: [kernel], stepLimit: 40 })
      expect(r.counterexamples.map((c) => c.kind)).toEqual(['step-limit'])
    })

    it(`${kernel}: a long but finite task within the limit is fine (nearest valid pattern)`, () => {
      const m = defineModel((k) => {
        k.task('worker', { cpu: 0 }, function* (ctx) {
          for (let i = 0; i < 30; i++) yield* k.cpuRelax(ctx)
        })
      })
      expect(explore(m, { kernels: [kernel], stepLimit: 100 })).toMatchObject({ ok: true, exhausted: true })
    })
  }
})

describe('a setup whose declarations differ between executions is DeclarationsChangedError, naming the difference', () => {
  const cases: Array<[string, (k: ModelKernel, n: number) => void]> = [
    [
      'a task name',
      (k, n) =>
        void k.task(`t${n}`, { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        }),
    ],
    [
      'a lock name',
      (k, n) => {
        const s = k.spinLock(`lock${n}`, 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* s.withLocked(ctx, function* () {})
        })
      },
    ],
    [
      'an interrupt line',
      (k, n) => {
        k.irq(5 + n, { cpu: 0, name: 'dev' }, function* () {})
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
    ],
  ]
  for (const [what, declare] of cases)
    for (const kernel of KERNELS)
      it(`${kernel}: ${what} changes`, () => {
        let n = 0
        const m = defineModel(
          (k) => {
            declare(k, n++ === 0 ? 0 : 1)
            k.task('other', { cpu: 1 }, function* (ctx) {
              yield* k.cpuRelax(ctx)
            })
          },
          { cpus: 2 },
        )
        let error: unknown
        try {
          explore(m, { kernels: [kernel], reduction: 'none' })
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(DeclarationsChangedError)
        expect(error).toBeInstanceOf(LockproofRuntimeError)
        expect((error as Error).name).toBe('DeclarationsChangedError')
        expect((error as Error).message).toMatch(/was '[^']*(t0|lock0|irq\(5)[^']*', now '[^']*(t1|lock1|irq\(6)/)
      })

  it('declarations made in the same order with fresh closures each time are fine (nearest valid pattern)', () => {
    const m = defineModel(
      (k) => {
        const locks = ['x', 'y'].map((name) => k.spinLock(name, { n: 0 }))
        for (const [i, l] of locks.entries())
          k.task(`t${i}`, { cpu: i }, function* (ctx) {
            yield* l.withLocked(ctx, function* (_c, d) {
              d.n++
            })
          })
      },
      { cpus: 2 },
    )
    expect(explore(m, { reduction: 'none' })).toMatchObject({ ok: true, exhausted: true })
  })

  it('the same declarations but choices that depend on state kept between executions: NondeterministicModelError', () => {
    let n = 0
    const m = defineModel(
      (k) => {
        const odd = n++ % 2 === 1
        k.task('t', { cpu: 0 }, function* (ctx) {
          if (odd) yield* k.cpuRelax(ctx)
          yield* k.cpuRelax(ctx)
        })
        k.task('u', { cpu: 1 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 2 },
    )
    expect(() => explore(m, { kernels: ['normal'], reduction: 'none' })).toThrow(NondeterministicModelError)
  })
})

describe('tasks that are not generator functions', () => {
  for (const kernel of KERNELS) {
    it(`${kernel}: a plain function is InvalidArgumentError`, () => {
      const m = defineModel((k) => {
        // @ts-expect-error a task must be a generator function
        k.task('plain', { cpu: 0 }, () => 1)
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(InvalidArgumentError)
    })
    it(`${kernel}: an async function is a named error`, () => {
      const m = defineModel((k) => {
        // @ts-expect-error a task must be a generator function, not async
        k.task('async', { cpu: 0 }, async () => 1)
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(LockproofRuntimeError)
    })
    it(`${kernel}: an async generator function is a named error`, () => {
      const m = defineModel((k) => {
        // @ts-expect-error a task must be a synchronous generator function
        k.task('asyncgen', { cpu: 0 }, async function* () {})
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(InvalidArgumentError)
    })
    it(`${kernel}: a task that yields a Promise (await written as yield) is a named error`, () => {
      const m = defineModel((k) => {
        // @ts-expect-error a plain yield of a Promise is no scheduling point: the task is no Op
        k.task('awaiter', { cpu: 0 }, function* (ctx) {
          yield Promise.resolve(1)
          yield* k.cpuRelax(ctx)
        })
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(PromiseInScopeError)
      expect(() => explore(m, { kernels: [kernel] })).toThrow(/awaiter: yielded a Promise/)
    })
    it(`${kernel}: a task that yields an operation without the star is a named error`, () => {
      const m = defineModel((k) => {
        // @ts-expect-error yield (not yield*) of an operation: the task is no Op
        k.task('starless', { cpu: 0 }, function* (ctx) {
          yield k.cpuRelax(ctx)
        })
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(LockproofRuntimeError)
    })
    it(`${kernel}: a section that returns a Promise is a named error`, () => {
      const m = defineModel((k) => {
        const s = k.spinLock('s', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          // @ts-expect-error a section must be a generator function
          yield* s.withLocked(ctx, async () => 1)
        })
      })
      expect(() => explore(m, { kernels: [kernel] })).toThrow(LockproofRuntimeError)
    })
  }
})

describe('an error thrown in the middle of an exploration loses nothing', () => {
  const readme = defineModel(
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
    { cpus: 1 },
  )
  /** Forgets a yield* only in the interleavings where it saw the other task's write: a few executions in. */
  const sometimesCareless = defineModel(
    (k) => {
      const c = k.cell('c', 0)
      const s = k.spinLockIrq('s', 0)
      const t = k.spinLockIrq('t', 0)
      k.task('writer', { cpu: 1 }, function* (ctx) {
        yield* c.writeOnce(ctx, 1)
      })
      k.task('careless', { cpu: 0 }, function* (ctx) {
        const g = yield* s.lock(ctx) // interrupts and preemption off, a lock held, when the error comes
        if ((yield* c.readOnce(g.ctx)) === 1) t.withLocked(g.ctx, function* () {}) // no yield*
        yield* k.cpuRelax(g.ctx)
        g.unlock()
      })
    },
    { cpus: 2 },
  )

  for (const kernel of KERNELS)
    it(`${kernel}: after a ForgottenYieldError at a later execution, the next exploration gives exactly what a fresh one gives`, () => {
      const summary = (r: ReturnType<typeof explore>) => ({
        executions: r.kernels.map((x) => x.executions),
        found: r.counterexamples.map((c) => [c.kernel, c.kind, c.title, c.replay, c.table]),
        differences: r.differences,
      })
      const before = summary(explore(readme, { stopOnFailure: false }))
      expect(() => explore(sometimesCareless, { kernels: [kernel] })).toThrow(ForgottenYieldError)
      expect(summary(explore(readme, { stopOnFailure: false }))).toEqual(before)
    })
})

describe('an async setup is a named error, not a model with nothing declared', () => {
  const asyncSetup = defineModel(
    // the types accept it ((k) => void takes a function returning a Promise): the run time refuses it
    async (k: ModelKernel) => {
      await null
      k.task('t', { cpu: 0 }, function* () {})
    },
  )
  it('explore() throws PromiseInScopeError', () => {
    expect(() => explore(asyncSetup)).toThrow(PromiseInScopeError)
    expect(() => explore(asyncSetup)).toThrow(/setup returned a Promise/)
  })
  it("runModel()'s outcome is the error", () => {
    const r = runModel(asyncSetup)
    expect(r.outcome.kind === 'error' && r.outcome.error instanceof PromiseInScopeError).toBe(true)
  })
})
