/**
 * The chain cache (lookup_chain_cache_add()): validate_chain() runs once per distinct sequence
 * of held classes in one irq context. The kernel object exposes no lockdep statistics (the
 * validator and its `chains.count` are private), so the cache is tested through behaviour:
 * with `keepGoing`, a chain seen before is not validated again, while the checks that are
 * not cached (check_wait_context, mark_usage) still run on every acquisition.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { kinds, loose, only } from './helpers.js'

const KEEP_GOING = { lockdep: { keepGoing: true } } as const

describe('a chain is validated once', () => {
  it('the same valid nesting run many times, in many tasks: silent', () => {
    const k = createKernel(KEEP_GOING)
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const c = k.spinLock('c', {})
    for (let i = 0; i < 5; i++) k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, (y) => c.withLocked(y, () => 0))))
    expect(k.diagnostics).toEqual([])
  })

  it('AA of two instances of one class, twice (keepGoing): reported once — the second run hits the cache', () => {
    const k = createKernel(KEEP_GOING)
    const a1 = k.spinLock('a', {})
    const a2 = k.spinLock('a', {})
    k.run((ctx) => a1.withLocked(ctx, (c) => loose(a2)(c, () => 0)))
    k.run((ctx) => a2.withLocked(ctx, (c) => loose(a1)(c, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })

  it('ABBA (keepGoing): the same BA chain again is not re-validated, but a new chain ending in the same BA edge is', () => {
    const k = createKernel(KEEP_GOING)
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const z = k.spinLock('z', {})
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
    k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
    // z, b, a is a chain never seen: validate_chain() runs and finds the b → a edge closing the cycle again
    // (the refused edge was never added to the graph).
    k.run((ctx) => z.withLocked(ctx, (c) => b.withLocked(c, (c2) => a.withLocked(c2, () => 0))))
    expect(kinds(k)).toEqual(['circular-dependency', 'circular-dependency'])
    expect(k.diagnostics.map((d) => (d.kind === 'circular-dependency' ? d.chain : null))).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ])
  })

  it('chains restart per irq context: the same AA in a hardirq handler is a new chain (keepGoing)', () => {
    const k = createKernel(KEEP_GOING)
    const r1 = k.rawSpinLock('r', {})
    const r2 = k.rawSpinLock('r', {})
    k.requestIrq(3, 'timer', (ctx) => void r1.withLocked(ctx, (c) => loose(r2)(c, () => 0)), { noThread: true })
    k.run((ctx) => r1.withLockedIrqSave(ctx, (c) => loose(r2)(c, () => 0)))
    k.run((ctx) => r1.withLockedIrqSave(ctx, (c) => loose(r2)(c, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(kinds(k)).toEqual(['recursive-locking', 'recursive-locking'])
  })

  it('the cache belongs to one kernel: a second kernel validates the same program afresh', () => {
    for (let i = 0; i < 2; i++) {
      const k = createKernel()
      const a1 = k.spinLock('a', {})
      const a2 = k.spinLock('a', {})
      k.run((ctx) => a1.withLocked(ctx, (c) => loose(a2)(c, () => 0)))
      expect(kinds(k)).toEqual(['recursive-locking'])
    }
  })
})

describe('the chain key includes the read state of each lock (hlock_id(): class | read)', () => {
  it('PREEMPT_RT, task: rwlock_t read-read is silent and cached; read then write of the class is a new chain: recursive locking', () => {
    const k = createKernel({ preemptRt: true })
    const rw1 = k.rwLock('rw', {})
    const rw2 = k.rwLock('rw', {})
    k.run((ctx) => rw1.withRead(ctx, (c) => loose(rw2, 'withRead')(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => rw1.withRead(ctx, (c) => loose(rw2, 'withWrite')(c, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(only(k, 'recursive-locking')).toMatchObject({ lock: "rwlock_t 'rw'", heldLocks: ['rw'] })
  })

  it('normal kernel, hardirq: rwlock_t read-read silent; read then write in the same context: recursive locking', () => {
    const k = createKernel()
    const rw1 = k.rwLock('rw', {})
    const rw2 = k.rwLock('rw', {})
    k.requestIrq(3, 'rd', (ctx) => void rw1.withRead(ctx, (c) => loose(rw2, 'withRead')(c, () => 0)))
    k.requestIrq(4, 'wr', (ctx) => void rw1.withRead(ctx, (c) => loose(rw2, 'withWrite')(c, () => 0)))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => ctx.raiseIrq(4))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })
})

describe('what the chain cache does not skip', () => {
  it('check_wait_context() runs on every acquisition: spinlock_t inside raw_spinlock_t twice is reported twice (keepGoing)', () => {
    const k = createKernel(KEEP_GOING)
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 0)))
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 0)))
    expect(kinds(k)).toEqual(['invalid-wait-context', 'invalid-wait-context'])
  })

  it('mark_usage() runs on every acquisition: a cached chain taken with irqs on now is still an inconsistent state', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(3))
    // The task-context chain [s] is validated here, with interrupts off: nothing to report.
    k.run((ctx) => s.withLockedIrqSave(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    // Same chain (the chain key has no irq flags), but the usage HARDIRQ-ON-W is new.
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
  })

  it("lockproof's declared lock order is checked on every acquisition, cached chain or not", () => {
    const k = createKernel({ lockOrder: ['a', 'b'] })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a)(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a)(c, () => 0)))
    expect(kinds(k)).toEqual(['lock-order', 'lock-order'])
    expect(k.diagnostics[1]).toMatchObject({ title: 'lockproof: declared lock order broken', lock: "spinlock_t 'a'", heldLater: "spinlock_t 'b'" })
  })
})
