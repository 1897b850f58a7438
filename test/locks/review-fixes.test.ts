/**
 * Lock-layer fixes from review (docs/SEMANTICS.md §6.4): where a sleeping lock may be released,
 * and lock classes of different kinds under one name. Each case with its valid twin.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, lockdepSetClass, lockdepSetNovalidateClass, type CtxState, type Guard } from '../../src/index.js'
import { InterruptContextError, InvalidArgumentError } from '../../src/errors.js'
import { looseGuard, type LooseGuard } from '../guards/helpers.js'
import { kinds, loose } from './helpers.js'

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

/** A trylock as a plain-JavaScript caller calls it: the guard, or null when it was not taken. */
const tryGuard = (lock: object) => looseGuard(lock, 'tryLock') as unknown as (ctx: unknown) => LooseGuard | null

// ── 2. A sleeping lock's guard released in another irq context than the one that took it ──
describe('2. rxrpc: mutex_trylock() and mutex_unlock() within one softirq (a0855d24fc22 reverted by c571b72e2b84)', () => {
  it('normal kernel, guard: tryLock + unlock in NET_RX is silent and leaves nothing held', () => {
    const k = createKernel()
    const m = k.mutex('user_mutex', 0)
    let taken = false
    k.openSoftirq('NET_RX', (ctx) => {
      const g = tryGuard(m)(ctx)
      taken = g !== null
      g?.unlock()
    })
    k.run((ctx) => ctx.raiseSoftirq('NET_RX'))
    expect(taken).toBe(true)
    expect(k.diagnostics).toEqual([])
    expect(k.heldLocks()).toEqual([])
  })

  it('normal kernel, callback: withTryLocked in NET_RX is silent, as the guard form', () => {
    const k = createKernel()
    const m = k.mutex('user_mutex', 0)
    let result: unknown = null
    k.openSoftirq('NET_RX', (ctx) => {
      result = loose(m, 'withTryLocked')(ctx, () => 7)
    })
    k.run((ctx) => ctx.raiseSoftirq('NET_RX'))
    expect(result).toEqual({ taken: true, value: 7 })
    expect(k.diagnostics).toEqual([])
    expect(k.heldLocks()).toEqual([])
  })

  it.each(['guard', 'callback'] as const)('PREEMPT_RT, %s: mutex_trylock() outside a task still warns and fails (WARN_ON_ONCE(!in_task()))', (form) => {
    const k = createKernel({ preemptRt: true })
    const m = k.mutex('user_mutex', 0)
    let result: unknown
    k.openSoftirq('NET_RX', (ctx) => {
      result = form === 'guard' ? tryGuard(m)(ctx) : loose(m, 'withTryLocked')(ctx, () => 7)
    })
    k.run((ctx) => ctx.raiseSoftirq('NET_RX'))
    expect(result).toEqual(form === 'guard' ? null : { taken: false })
    expect(kinds(k)).toEqual(['trylock-in-interrupt'])
    expect(k.heldLocks()).toEqual([])
  })
})

describe.each(KERNELS)('2. a task-context mutex guard released from a hardirq handler ($name)', ({ preemptRt }) => {
  it('refused with InterruptContextError naming both contexts; the lock stays held, and the task unlocks it', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', 0)
    let held: Guard<CtxState, number> | undefined
    let error: unknown = null
    k.requestIrq(
      3,
      'dev',
      () => {
        try {
          held?.unlock()
        } catch (e) {
          error = e
        }
      },
      { noThread: true },
    )
    k.run((ctx) => {
      const g = m.lock(ctx)
      held = g
      g.ctx.raiseIrq(3)
      expect(g.held).toBe(true)
      expect(k.heldLocks()).toEqual(['m'])
      g.unlock()
    })
    expect(error).toBeInstanceOf(InterruptContextError)
    expect((error as Error).message).toBe(
      "mutex 'm': a sleeping lock cannot be released from interrupt context other than the one that took it (taken in task context, released in hardirq context); the lock stays held",
    )
    expect(k.heldLocks()).toEqual([])
  })

  it('twin: the same guard released by the task after the handler: silent', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', 0)
    k.requestIrq(3, 'dev', () => 0, { noThread: true })
    k.run((ctx) => {
      const g = m.lock(ctx)
      g.ctx.raiseIrq(3)
      g.unlock()
    })
    expect(k.diagnostics).toEqual([])
    expect(k.heldLocks()).toEqual([])
  })
})

describe('2. a task-context mutex guard released from a softirq on a normal kernel', () => {
  it('refused: taken in task context, released in softirq context', () => {
    const k = createKernel()
    const m = k.mutex('m', 0)
    let held: Guard<CtxState, number> | undefined
    let error: unknown = null
    k.openSoftirq('TASKLET', () => {
      try {
        held?.unlock()
      } catch (e) {
        error = e
      }
    })
    // Raised by a hardirq handler, the softirq runs at irq_exit(), on top of the task holding m.
    k.requestIrq(3, 'dev', (ctx) => ctx.raiseSoftirq('TASKLET'), { noThread: true })
    k.run((ctx) => {
      const g = m.lock(ctx)
      held = g
      g.ctx.raiseIrq(3)
      expect(k.heldLocks()).toEqual(['m'])
      g.unlock()
    })
    expect(error).toBeInstanceOf(InterruptContextError)
    expect((error as Error).message).toContain('(taken in task context, released in softirq context)')
    expect(k.heldLocks()).toEqual([])
  })
})

// ── 5. One class name, one lock kind (the kernel keys classes per lock_class_key) ──────────
describe.each(KERNELS)('5. a class name used by two lock kinds ($name)', ({ preemptRt }) => {
  it("mutex('x') after spinLock('x'): InvalidArgumentError naming both kinds; the kernel is unchanged", () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('x', 0)
    k.run((ctx) => s.withLocked(ctx, () => 0))
    const before = k.lockdepStats()
    const error = (() => {
      try {
        k.mutex('x', 0)
      } catch (e) {
        return e
      }
      return null
    })()
    expect(error).toBeInstanceOf(InvalidArgumentError)
    expect((error as Error).message).toBe(
      "mutex 'x': the lock class name 'x' is already used by a spinlock_t in this kernel; a mutex cannot share a spinlock_t's class (the kernel keys classes per lock_class_key): give it another name",
    )
    expect(k.lockdepStats()).toEqual(before)
    // The spinlock_t is as before: taken again, no report.
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })

  it('lockdep_set_class() onto a key another kind uses, and a lockdep_map of a lock class name: refused the same way', () => {
    const k = createKernel({ preemptRt })
    k.spinLock('x', 0)
    const m = k.mutex('m', 0)
    expect(() => lockdepSetClass(m, 'x')).toThrow(InvalidArgumentError)
    expect(() => lockdepSetClass(m, 'x')).toThrow("the lock class name 'x' is already used by a spinlock_t")
    expect(() => k.lockMap('x')).toThrow("lockdep_map 'x': the lock class name 'x' is already used by a spinlock_t")
    // m kept its own class.
    k.run((ctx) => m.withLocked(ctx, () => 0))
    expect(k.readProc('/proc/lockdep')).toContain(': m\n')
    expect(k.diagnostics).toEqual([])
  })

  it('twin: two locks of one kind under one name stay one class (nesting them is recursive locking, as before)', () => {
    const k = createKernel({ preemptRt })
    const a = k.mutex('x', 0)
    const b = k.mutex('x', 0)
    k.run((ctx) => a.withLocked(ctx, (c) => loose(b)(c, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(k.lockdepStats().classes).toBe(1)
  })

  it('twin: lockdep_set_novalidate_class() on locks of two kinds is allowed (__lockdep_no_validate__ is one key for all)', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', 0)
    const m = k.mutex('m', 0)
    lockdepSetNovalidateClass(s)
    lockdepSetNovalidateClass(m)
    k.run((ctx) => m.withLocked(ctx, (c) => s.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})
