/**
 * Locks are named by id inside the machine: ids are per kernel, so a lock object of another
 * kernel is refused where it would be looked up by id (the nest lock), before anything changes.
 */
import { describe, expect, it } from 'vitest'
import { ForeignContextError, createKernel } from '../../src/index.js'

type LooseNested = (ctx: unknown, arg: unknown, cb: (ctx: unknown) => unknown) => unknown
const looseNested = (lock: object, method: string): LooseNested => (lock as unknown as Record<string, LooseNested>)[method] as LooseNested
type LooseGuard = (ctx: unknown, arg: unknown) => unknown
const looseGuard = (lock: object, method: string): LooseGuard => (lock as unknown as Record<string, LooseGuard>)[method] as LooseGuard
const FOREIGN = "the nest lock mutex 'n' belongs to another kernel; use a lock of this kernel"

describe('lock ids are per kernel', () => {
  it("a nest lock of another kernel: ForeignContextError, nothing taken (its id would name one of this kernel's locks)", () => {
    const k = createKernel()
    const other = createKernel()
    const m = k.mutex('m', 0)
    const alias = k.mutex('n', 0)
    const foreign = other.mutex('n', 0)
    const before = k.snapshot()
    let held: readonly string[] = ['not run']
    expect(() =>
      k.run((ctx) =>
        alias.withLocked(ctx, (c) => {
          try {
            looseNested(m, 'withLockedNestLock')(c, foreign, () => undefined)
          } finally {
            held = k.heldLocks()
          }
        }),
      ),
    ).toThrow(new ForeignContextError(`withLockedNestLock(m): ${FOREIGN}`))
    expect(held).toEqual(['n'])
    expect(k.snapshot()).toEqual(before)
    expect(k.diagnostics).toEqual([])
  })

  it('the same with the guard form', () => {
    const k = createKernel()
    const m = k.mutex('m', 0)
    const foreign = createKernel().mutex('n', 0)
    expect(() => k.run((ctx) => looseGuard(m, 'lockNestLock')(ctx, foreign))).toThrow(`lockNestLock(m): ${FOREIGN}`)
    expect(k.heldLocks()).toEqual([])
  })

  it('valid: a nest lock of this kernel, held: taken, no report', () => {
    const k = createKernel()
    const m = k.mutex('m', 0)
    const n = k.mutex('n', 0)
    let held: readonly string[] = []
    k.run((ctx) => n.withLocked(ctx, (c) => looseNested(m, 'withLockedNestLock')(c, n, () => (held = k.heldLocks()))))
    expect(held).toEqual(['n', 'm'])
    expect(k.diagnostics).toEqual([])
  })
})
