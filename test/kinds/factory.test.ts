/**
 * kernel.lockOf(kind): a defined kind's lock factory makes the lock kernel.lock(kind, …) makes —
 * the same steps, reports and lockdep class — and refuses, by name, anything that is not a
 * defined kind, for untyped callers (the compile-time side: type-tests/kinds-factory.test-d.ts).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineLockKind, InvalidArgumentError, KIND_SPECS, RT_MUTEX } from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

type Kernel = ReturnType<typeof createKernel>
/** kernel.lockOf as an untyped caller sees it. */
const lockOfLoose = (k: Kernel) => k.lockOf as unknown as (kind: unknown) => (name: unknown, data: unknown) => object

const local = defineLockKind({ ...KIND_SPECS.local_lock_t, kind: 'tf_rt_local', label: 'tf_rt_local' })
const sleepy = defineLockKind({ ...KIND_SPECS.mutex, kind: 'tf_rt_sleepy', label: 'tf_rt_sleepy' })

describe('kernel.lockOf(kind)', () => {
  it('refuses anything that is not a defined kind, by name, when the factory is made', () => {
    const k = createKernel()
    expect(() => lockOfLoose(k).call(k, { ...KIND_SPECS.spinlock_t })).toThrow(InvalidArgumentError)
    expect(() => lockOfLoose(k).call(k, { ...KIND_SPECS.spinlock_t })).toThrow('lockOf(): the kind must be one made by defineLockKind()')
    expect(() => lockOfLoose(k).call(k, 'spinlock_t')).toThrow("lockOf(): the kind must be one made by defineLockKind() (or a built-in's spec), not spinlock_t")
    expect(() => lockOfLoose(k).call(k, undefined)).toThrow('not undefined')
    // Nothing was made: no lock class, nothing held.
    expect(k.lockdepStats().classes).toBe(0)
  })

  it('refuses a lock without a class name, as kernel.lock() does, and makes nothing', () => {
    const k = createKernel()
    const make = lockOfLoose(k).call(k, RT_MUTEX)
    expect(() => make('', 0)).toThrow(InvalidArgumentError)
    expect(() => make('', 0)).toThrow('rt_mutex: the lock class name must be a non-empty string')
    expect(() => make(7, 0)).toThrow('rt_mutex: the lock class name must be a non-empty string')
    // The nearest valid call: a name.
    const pi = make('pi', { prio: 0 })
    expect((pi as { name: string }).name).toBe('pi')
  })

  it('makes the lock kernel.lock() makes: the same kind, steps, held locks, reports and lockdep class', () => {
    for (const preemptRt of [false, true]) {
      const viaLock = createKernel({ preemptRt })
      const viaFactory = createKernel({ preemptRt })
      const a = viaLock.lock(RT_MUTEX, 'pi', { prio: 0 })
      const newPi = viaFactory.lockOf(RT_MUTEX)
      const b = newPi('pi', { prio: 0 })
      expect([b.kind, b.name]).toEqual([a.kind, a.name])
      const inside = (k: Kernel, l: object) =>
        k.run((ctx) => loose(l)(ctx, (_ctx, d) => ({ d, pc: k.cpu(0).preemptCount, irqs: k.cpu(0).irqsDisabled, held: k.heldLocks(0) })))
      expect(inside(viaFactory, b)).toEqual(inside(viaLock, a))
      // Recursion: lockdep's report, then the deadlock the synchronous executor refuses.
      const recurse = (k: Kernel, l: object) => () => k.run((ctx) => loose(l)(ctx, (ctx) => loose(l)(ctx, () => 0)))
      expect(recurse(viaLock, a)).toThrow("rt_mutex 'pi' is held by")
      expect(recurse(viaFactory, b)).toThrow("rt_mutex 'pi' is held by")
      expect(viaFactory.diagnostics.map((d) => [d.kind, d.title])).toEqual(viaLock.diagnostics.map((d) => [d.kind, d.title]))
      expect(viaFactory.diagnostics.map((d) => d.kind)).toContain('recursive-locking')
      expect(viaFactory.readProc('/proc/lockdep')).toEqual(viaLock.readProc('/proc/lockdep'))
    }
  })

  it('one factory makes distinct locks, each its own class', () => {
    const k = createKernel()
    const newMutex = k.lockOf(sleepy)
    const m1 = newMutex('m1', 1)
    const m2 = newMutex('m2', 2)
    expect(k.run((ctx) => m1.withLocked(ctx, (ctx, one) => m2.withLocked(ctx, (_ctx, two) => [one, two, k.heldLocks(0)])))).toEqual([1, 2, ['m1', 'm2']])
    expect(k.lockGraph().classes.map((c) => [c.name, c.kind])).toEqual([
      ['m1', 'tf_rt_sleepy'],
      ['m2', 'tf_rt_sleepy'],
    ])
  })

  it('a sleeping kind from the factory under a spinlock is reported as kernel.lock()’s (might_sleep)', () => {
    const reports = (make: (k: Kernel) => object) => {
      const k = createKernel({ proveRawLockNesting: true })
      const s = k.spinLock('s', 0)
      const m = make(k)
      k.run((ctx) => s.withLocked(ctx, (ctx) => loose(m)(ctx, (inner) => looseCtx(inner).mightSleep())))
      return k.diagnostics.map((d) => [d.kind, d.title])
    }
    const viaFactory = reports((k) => k.lockOf(sleepy)('m', 0))
    expect(viaFactory.map(([kind]) => kind)).toEqual(['sleeping-in-atomic', 'invalid-wait-context', 'sleeping-in-atomic'])
    expect(viaFactory).toEqual(reports((k) => k.lock(sleepy, 'm', 0)))
  })

  it("a per-CPU kind's factory takes init(cpu): each CPU its own copy", () => {
    const k = createKernel({ cpus: 2 })
    const counters = k.lockOf(local)('counters', (cpu) => ({ cpu, hits: 0 }))
    for (const cpu of [0, 1, 1]) k.run((ctx) => counters.withLocked(ctx, (_ctx, c) => c.hits++), { cpu })
    expect([0, 1].map((cpu) => k.run((ctx) => counters.withLocked(ctx, (_ctx, c) => ({ ...c })), { cpu }))).toEqual([
      { cpu: 0, hits: 1 },
      { cpu: 1, hits: 2 },
    ])
  })
})
