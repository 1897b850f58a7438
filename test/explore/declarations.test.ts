/**
 * The setup's declarations, checked per execution without building their strings
 * (src/exec/explore/declarations.ts): the list a later execution hands back reads exactly as the
 * strings built from its arguments would, so a setup that declares otherwise is named as before,
 * and one that builds equal arguments afresh every time is not.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DeclarationLog, describeDeclaration } from '../../src/exec/explore/declarations.js'
import { DeclarationsChangedError } from '../../src/exec/explore/errors.js'
import { defineModel, explore, type ModelKernel } from '../../src/index.js'

/** Two tasks on two CPUs over one lock (several executions), the lock's data and an extra declaration up to the caller. */
const model = (data: (execution: number) => unknown, extra: (k: ModelKernel, execution: number) => void = () => {}) => {
  let execution = 0
  return defineModel(
    (k) => {
      execution++
      const x = k.spinLock('x', data(execution) as number)
      k.task('a', { cpu: 0 }, function* (ctx) {
        yield* x.withLocked(ctx, function* () {})
      })
      k.task('b', { cpu: 1 }, function* (ctx) {
        yield* x.withLocked(ctx, function* () {})
      })
      extra(k, execution)
    },
    { cpus: 2, lockdep: false },
  )
}

const run = (m: ReturnType<typeof model>) => explore(m, { kernels: ['normal'], shrink: false })

describe('declarations that change between executions', () => {
  it("a lock's plain data that changes is named, with both values", () => {
    expect(() => run(model((n) => n))).toThrow(DeclarationsChangedError)
    expect(() => run(model((n) => n))).toThrow(
      `declared something else in execution 2 than in execution 1 (declaration 1 was 'spinLock("x", 1)', now 'spinLock("x", 2)')`,
    )
  })

  it('a plain field of an object argument that changes is named', () => {
    expect(() => run(model((n) => ({ seq: n })))).toThrow(`(declaration 1 was 'spinLock("x", {seq:1})', now 'spinLock("x", {seq:2})')`)
  })

  it('a declaration more, or one fewer, than in execution 1 is named', () => {
    const more = model(
      () => 0,
      (k, n) => {
        if (n > 1) k.spinLock('late', 0)
      },
    )
    expect(() => run(more)).toThrow(`(declaration 4 was absent, now 'spinLock("late", 0)')`)
    const fewer = model(
      () => 0,
      (k, n) => {
        if (n === 1) k.spinLock('early', 0)
      },
    )
    expect(() => run(fewer)).toThrow(`(declaration 4 was 'spinLock("early", 0)', now absent)`)
  })
})

describe('the nearest valid pattern: equal declarations built afresh', () => {
  it('new objects with the same plain fields, fields that are not plain (not part of a declaration), NaN: explored completely', () => {
    const r = run(model((n) => ({ seq: 7, list: [n], nested: { n } })))
    expect([r.ok, r.exhausted, r.kernels[0]?.executions]).toEqual([true, true, 2])
    // JSON reads NaN as null in every execution: the same declaration (as it always was).
    expect(run(model(() => Number.NaN)).exhausted).toBe(true)
  })
})

describe('DeclarationLog reads a later execution exactly as its strings would', () => {
  const plain = fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.integer({ min: -2, max: 2 }),
    fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1.5),
    fc.boolean(),
  )
  const arg: fc.Arbitrary<unknown> = fc.oneof(
    plain,
    fc.dictionary(fc.constantFrom('cpu', 'name', 'line', 'list'), fc.oneof(plain, fc.constant([1]), fc.constant({ a: 1 })), { maxKeys: 3 }),
    fc.constantFrom(undefined, null, [1, 2], () => 0),
  )
  const declaration = fc.tuple(fc.constantFrom('spinLock', 'task', 'irq'), fc.array(arg, { maxLength: 3 }))
  const strings = (ds: readonly (readonly [string, readonly unknown[]])[]) => ds.map(([m, a]) => describeDeclaration(m, a))

  type Declared = readonly [string, readonly unknown[]]
  /** A copy built afresh (new objects and arrays, as a setup's literals are), or with some arguments replaced. */
  const fresh = (a: unknown): unknown => (Array.isArray(a) ? [...a] : typeof a === 'object' && a !== null ? { ...a } : a)
  const variant = (ds: readonly Declared[]): fc.Arbitrary<Declared[]> =>
    fc
      .tuple(...ds.map(([m, as]) => fc.tuple(fc.constant(m), fc.tuple(...as.map((a) => fc.oneof(fc.constant(fresh(a)), fc.constant(fresh(a)), arg))))))
      .map((x) => x as Declared[])
  const executions = fc
    .array(declaration, { maxLength: 5 })
    .chain((first) => fc.tuple(fc.constant(first), fc.array(fc.oneof(variant(first), fc.array(declaration, { maxLength: 5 })), { minLength: 1, maxLength: 3 })))

  it('equal to the strings built from the arguments; the first execution’s list itself when they read the same', () => {
    fc.assert(
      fc.property(executions, ([first, later]) => {
        const log = new DeclarationLog(() => true)
        log.begin()
        for (const [m, a] of first) log.record(m, a)
        const one = log.list()
        expect(one).toEqual(strings(first))
        for (const ds of later) {
          log.begin()
          for (const [m, a] of ds) log.record(m, a)
          const now = log.list()
          expect(now).toEqual(strings(ds))
          if (now.join('\n') === one.join('\n') && now.length === one.length) expect(now).toBe(one)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('closed() is asked of the declarations once while they stay the same', () => {
    let asked = 0
    const log = new DeclarationLog((ds) => {
      asked++
      return ds.length === 1
    })
    for (const name of ['x', 'x', 'x']) {
      log.begin()
      log.record('spinLock', [name, 0])
      expect(log.closed()).toBe(true)
    }
    log.begin()
    log.record('spinLock', ['x', 0])
    log.record('spinLock', ['y', 0])
    expect([log.closed(), asked]).toEqual([false, 2])
  })
})
