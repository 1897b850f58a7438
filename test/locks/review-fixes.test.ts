/**
 * Lock-layer fixes from review (docs/SEMANTICS.md §6.4): where a sleeping lock may be released,
 * and lock classes of different kinds under one name. Each case with its valid twin.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type CtxState, type Guard } from '../../src/index.js'
import { InterruptContextError } from '../../src/errors.js'
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
