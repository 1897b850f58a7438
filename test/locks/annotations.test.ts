/**
 * Trylocks, subclasses and nest locks at run time: what lockdep checks for each (verified in
 * docs/SEMANTICS.md §8), each bad program with its twin. Programs the type rules refuse are
 * written as plain JavaScript (casts through unknown).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat, SINGLE_DEPTH_NESTING } from '../../src/index.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { TITLES, kinds, loose, only } from '../lockdep/helpers.js'

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

type LooseNested = (ctx: unknown, arg: unknown, cb: (ctx: unknown) => unknown) => unknown
const looseNested = (lock: object, method: string): LooseNested => (lock as unknown as Record<string, LooseNested>)[method] as LooseNested

describe.each(KERNELS)('trylocks ($name)', ({ preemptRt }) => {
  it('free: taken, with the callback value; held: { taken: false } and the CPU state as before', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', { n: 0 })
    const r = k.run((ctx) =>
      a.withTryLockedIrqSave(ctx, (ctx, d) => {
        const before = { pc: k.cpu().preemptCount, irqs: k.cpu().irqsDisabled, mig: k.cpu().current.migrationDisabled }
        const inner = loose(a, 'withTryLockedIrqSave')(ctx, () => 'never')
        expect({ pc: k.cpu().preemptCount, irqs: k.cpu().irqsDisabled, mig: k.cpu().current.migrationDisabled }).toEqual(before)
        d.n++
        return inner
      }),
    )
    expect(r).toEqual({ taken: true, value: { taken: false } })
    expect(k.cpu().preemptCount).toBe(0)
    expect(k.diagnostics).toEqual([])
  })

  it('write_trylock_irqsave(): interrupts off inside on a normal kernel, untouched on RT (flags = 0); restored when busy', () => {
    const k = createKernel({ preemptRt })
    const rw = k.rwLock('rw', 0)
    k.run((ctx) => {
      const r = rw.withTryWriteIrqSave(ctx, (ctx) => {
        const inside = k.cpu().irqsDisabled
        expect(rw.tryWriteIrqSave(ctx)).toBeNull()
        expect(k.cpu().irqsDisabled).toBe(inside)
        return inside
      })
      expect(r).toEqual({ taken: true, value: !preemptRt })
      expect(k.cpu().irqsDisabled).toBe(false)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('guard form: the guard, or null when the lock is taken', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', 0)
    k.run((ctx) => {
      const g = m.tryLock(ctx)
      if (g === null) throw new Error('expected the guard')
      expect(m.tryLock(g.ctx)).toBeNull()
      g.unlock()
      expect(k.heldLocks()).toEqual([])
    })
    expect(k.diagnostics).toEqual([])
  })

  it('a trylock adds no dependency: b then trylock(a), then a then b, is no cycle', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => b.withLocked(ctx, (ctx) => a.withTryLocked(ctx, () => 0)))
    expect(k.lockdepStats().dependencies).toBe(0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('twin: with the blocking form, the same program is a circular dependency', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
  })

  it('the walk goes past a held trylock to the first non-trylock entry: a, trylock(t), b gives a → b and t → b', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', 0)
    const t = k.spinLock('t', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => t.withTryLocked(ctx, (ctx) => b.withLocked(ctx, () => 0))))
    expect(k.lockdepStats().dependencies).toBe(2)
    // b → a closes a cycle through the a → b edge.
    k.run((ctx) => b.withLocked(ctx, (ctx) => a.withLocked(ctx, () => 0)))
    expect(only(k, 'circular-dependency')).toMatchObject({ lock: "spinlock_t 'a'", held: "spinlock_t 'b'" })
  })

  it('re-chained after an out-of-order release, a held trylock is still not validated: no a → t', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    const t = k.spinLock('t', 0)
    k.run((ctx) => {
      using ga = a.lock(ctx)
      const gb = b.lock(ga.ctx)
      using gt = t.tryLock(gb.ctx)
      expect(gt).not.toBeNull()
      gb.unlock() // reacquire_held_locks(): t now sits on a's chain
      expect(k.heldLocks()).toEqual(['a', 't'])
    })
    expect(k.lockdepStats().dependencies).toBe(1)
    expect(k.diagnostics).toEqual([])
  })

  it('a trylock in an interrupt handler marks no USED_IN usage: the task taking it with irqs on is silent', () => {
    const k = createKernel({ preemptRt })
    const x = k.rawSpinLock('x', 0)
    k.requestIrq(4, 'dev', (ctx) => void x.withTryLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => {
      ctx.raiseIrq(4)
      x.withLocked(ctx, () => 0)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('twin: the blocking form in the handler is an inconsistent lock state', () => {
    const k = createKernel({ preemptRt })
    const x = k.rawSpinLock('x', 0)
    k.requestIrq(4, 'dev', (ctx) => x.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => {
      ctx.raiseIrq(4)
      x.withLocked(ctx, () => 0)
    })
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
  })

  it('no wait-context check for a trylock: spin_trylock() under a raw spinlock is silent; spin_lock() there is not', () => {
    const k = createKernel({ preemptRt })
    const hw = k.rawSpinLock('hw', 0)
    const s = k.spinLock('s', 0)
    k.run((ctx) => hw.withLocked(ctx, (ctx) => s.withTryLocked(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => hw.withLocked(ctx, (ctx) => loose(s)(ctx, () => 0)))
    expect(only(k, 'invalid-wait-context')).toMatchObject({ title: TITLES.invalidWait, lock: "spinlock_t 's'" })
  })

  it('no might_sleep for a trylock: mutex_trylock() under a spinlock is silent', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', 0)
    const m = k.mutex('m', 0)
    expect(k.run((ctx) => s.withLocked(ctx, (ctx) => m.withTryLocked(ctx, () => 'in')))).toEqual({ taken: true, value: 'in' })
    expect(k.diagnostics).toEqual([])
  })
})

describe('mutex_trylock() outside task context', () => {
  const run = (preemptRt: boolean) => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', 0)
    let got: unknown = null
    k.requestIrq(
      4,
      'dev',
      (ctx) => {
        got = loose(m, 'withTryLocked')(ctx, () => 'in')
      },
      { noThread: true },
    )
    k.run((ctx) => ctx.raiseIrq(4))
    return { k, got }
  }

  it('PREEMPT_RT: WARN_ON_ONCE(!in_task()) and it fails (rtmutex_api.c)', () => {
    const { k, got } = run(true)
    expect(got).toEqual({ taken: false })
    const d = only(k, 'trylock-in-interrupt')
    expect(d.lock).toBe("mutex 'm'")
    expect(d.title).toContain('WARN_ON_ONCE(!in_task())')
  })

  it('normal kernel: mutex.c does not check; taken, and lockdep is silent (trylocks skip its checks)', () => {
    const { k, got } = run(false)
    expect(got).toEqual({ taken: true, value: 'in' })
    expect(k.diagnostics).toEqual([])
  })
})

describe.each(KERNELS)('subclasses ($name)', ({ preemptRt }) => {
  it('spin_lock_nested(child, SINGLE_DEPTH_NESTING) under the parent of the same class: silent, two classes', () => {
    const k = createKernel({ preemptRt })
    const parent = k.spinLock('inode', 0)
    const child = k.spinLock('inode', 0)
    k.run((ctx) => parent.withLocked(ctx, (ctx) => child.withLockedNested(ctx, SINGLE_DEPTH_NESTING, () => expect(k.heldLocks()).toEqual(['inode', 'inode']))))
    expect(k.diagnostics).toEqual([])
    // inode and inode/1 (on RT also rcu_read_lock's map, which rt_spin_lock() takes): one dependency.
    expect(k.lockdepStats()).toMatchObject({ classes: preemptRt ? 3 : 2, dependencies: 1 })
  })

  it('the same subclass twice: recursive locking, the class printed inode/1', () => {
    const k = createKernel({ preemptRt })
    const a = k.mutex('inode', 0)
    const b = k.mutex('inode', 0)
    const c = k.mutex('inode', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLockedNested(ctx, 1, (ctx) => looseNested(c, 'withLockedNested')(ctx, 1, () => 0))))
    const d = only(k, 'recursive-locking')
    expect(d.report).toContain(' (inode/1){')
    expect(d.report).toContain('  lock(inode/1);\n  lock(inode/1);')
  })

  it('down_read_nested / down_write_nested: silent; JavaScript subclass 8 is refused with a named error', () => {
    const k = createKernel({ preemptRt })
    const s1 = k.rwSemaphore('sem', 0)
    const s2 = k.rwSemaphore('sem', 0)
    k.run((ctx) => s1.withRead(ctx, (ctx) => s2.withWriteNested(ctx, 1, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(() => k.run((ctx) => looseNested(s2, 'withReadNested')(ctx, 8, () => 0))).toThrow(InvalidArgumentError)
    expect(k.heldLocks()).toEqual([])
  })
})

describe.each(KERNELS)('nest locks ($name)', ({ preemptRt }) => {
  it('ww_test_spin_nest_lock: X1; nest(Y1, X1); A; nest(Y2, X1): silent', () => {
    const k = createKernel({ preemptRt })
    const x1 = k.spinLock('X', 0)
    const y1 = k.spinLock('Y', 0)
    const y2 = k.spinLock('Y', 0)
    const a = k.spinLock('A', 0)
    k.run((ctx) => {
      using gx = x1.lock(ctx)
      using gy = y1.lockNestLock(gx.ctx, x1)
      using ga = a.lock(gy.ctx)
      // y2 while y1 is held: the typed API refuses it unless the nest lock is known held; here it is.
      using gy2 = y2.lockNestLock(ga.ctx, x1)
      expect(k.heldLocks()).toEqual(['X', 'Y', 'A', 'Y'])
      gy2.unlock()
    })
    expect(k.diagnostics).toEqual([])
  })

  it('ww_test_spin_nest_unlocked: the nest lock not held: WARNING: Nested lock was not taken', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('A', 0)
    const o = k.mutex('o', 0)
    k.run((ctx) => looseNested(a, 'withLockedNestLock')(ctx, o, () => 0))
    const d = only(k, 'nested-lock-not-held')
    expect(d.title).toBe('WARNING: Nested lock was not taken')
    expect(d.report).toContain('but this task is not holding:\no')
  })
})

describe.each(KERNELS)("onDiagnostic: 'throw' ($name)", ({ preemptRt }) => {
  it('a nest lock not held: KernelSplat, and the CPU and held locks are as before', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const a = k.spinLock('A', 0)
    const o = k.mutex('o', 0)
    const outer = k.spinLock('outer', 0)
    let inside: unknown = null
    k.run((ctx) =>
      outer.withLockedIrqSave(ctx, (ctx) => {
        const before = { pc: k.cpu().preemptCount, irqs: k.cpu().irqsDisabled, mig: k.cpu().current.migrationDisabled }
        try {
          looseNested(a, 'withLockedNestLock')(ctx, o, () => 0)
        } catch (e) {
          inside = e
        }
        expect({ pc: k.cpu().preemptCount, irqs: k.cpu().irqsDisabled, mig: k.cpu().current.migrationDisabled }).toEqual(before)
        expect(k.heldLocks()).toEqual(['outer'])
      }),
    )
    expect(inside).toBeInstanceOf(KernelSplat)
    expect(k.heldLocks()).toEqual([])
  })
})

describe("onDiagnostic: 'throw', PREEMPT_RT mutex_trylock() in an interrupt", () => {
  it("KernelSplat carrying trylock-in-interrupt; nothing held, the handler's CPU state restored", () => {
    const k = createKernel({ preemptRt: true, onDiagnostic: 'throw' })
    const m = k.mutex('m', 0)
    let caught: unknown = null
    k.requestIrq(
      4,
      'dev',
      (ctx) => {
        const pc = k.cpu().preemptCount
        try {
          loose(m, 'withTryLocked')(ctx, () => 0)
        } catch (e) {
          caught = e
        }
        expect(k.cpu().preemptCount).toBe(pc)
        expect(k.heldLocks()).toEqual([])
      },
      { noThread: true },
    )
    k.run((ctx) => ctx.raiseIrq(4))
    expect(caught).toBeInstanceOf(KernelSplat)
    expect((caught as KernelSplat).diagnostic.kind).toBe('trylock-in-interrupt')
  })
})
