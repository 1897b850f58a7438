/**
 * Who gets a lock after an unlock (src/locks/wake/, docs/SEMANTICS.md §20): orders the old
 * wake-every-waiter model let happen and the kernel does not, and the steals the kernel allows.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, runModel, type Context, type CtxState, type FreshTaskState, type ModelKernel, type Op } from '../../src/index.js'
import { explore } from '../../src/exec/explore/explore.js'
import { script } from './helpers.js'

type Kind = 'spinLock' | 'rawSpinLock' | 'mutex' | 'rwLock' | 'rwSemaphore'
type Take = (ctx: Context<FreshTaskState>, inside: (ctx: Context<CtxState>) => Op<void>) => Op<void>
const takerOf = (k: ModelKernel, kind: Kind): Take => {
  switch (kind) {
    case 'spinLock': {
      const a = k.spinLock('a', 0)
      return (ctx, inside) => a.withLocked(ctx, (c) => inside(c))
    }
    case 'rawSpinLock': {
      const a = k.rawSpinLock('a', 0)
      return (ctx, inside) => a.withLocked(ctx, (c) => inside(c))
    }
    case 'mutex': {
      const a = k.mutex('a', 0)
      return (ctx, inside) => a.withLocked(ctx, (c) => inside(c))
    }
    case 'rwLock': {
      const a = k.rwLock('a', 0)
      return (ctx, inside) => a.withLocked(ctx, (c) => inside(c))
    }
    case 'rwSemaphore': {
      const a = k.rwSemaphore('a', 0)
      return (ctx, inside) => a.withLocked(ctx, (c) => inside(c))
    }
  }
}

/** H holds `a` across a point; W (another CPU) waits for it; N (a third CPU) arrives once H has let go. */
const handover = (kind: Kind, log: string[]) =>
  defineModel(
    (k) => {
      const take = takerOf(k, kind)
      k.task('H', { cpu: 0 }, function* (ctx) {
        yield* take(ctx, function* (ctx) {
          log.push('H')
          yield* k.cpuRelax(ctx)
        })
      })
      k.task('W', { cpu: 1 }, function* (ctx) {
        yield* take(ctx, function* () {
          log.push('W')
        })
      })
      k.task('N', { cpu: 2 }, function* (ctx) {
        yield* take(ctx, function* () {
          log.push('N')
        })
      })
    },
    { cpus: 3 },
  )

describe('an unlock with a waiter, and a new arrival right after it', () => {
  // H takes `a` and stops inside; W tries and waits; H unlocks; N tries before W runs again.
  const steps = ['H', 'H', 'W', 'W', 'H', 'N', 'N']
  const cases: readonly [Kind, boolean, string][] = [
    // qspinlock: the tail stays set while W queues, so N's fast path fails and N queues behind W.
    ['rawSpinLock', false, 'H W N'],
    ['rawSpinLock', true, 'H W N'],
    ['spinLock', false, 'H W N'],
    // rtlock: rt_mutex_steal() lets N (equal priority, not RT) take it ahead of the woken W.
    ['spinLock', true, 'H N W'],
    // mutex: the woken W competes with N's __mutex_trylock(), which takes a lock without an owner.
    ['mutex', false, 'H N W'],
    // rt_mutex (mutex on RT): without RT_MUTEX_BUILD_SPINLOCKS no equal-priority steal.
    ['mutex', true, 'H W N'],
    // qrwlock: W's claim (_QW_WAITING) is in the word: N's fast path fails, N queues on wait_lock.
    ['rwLock', false, 'H W N'],
    // rwbase on RT: m's top waiter W is woken, and rwlock_t's rtlock lets N steal m.
    ['rwLock', true, 'H N W'],
    // rwsem: a woken head writer may be stolen from (rwsem_try_write_lock_unqueued()).
    ['rwSemaphore', false, 'H N W'],
    // rwbase on RT, rw_semaphore: its rtmutex lets no equal-priority task steal.
    ['rwSemaphore', true, 'H W N'],
  ]
  for (const [kind, rt, order] of cases) {
    it(`${kind} on ${rt ? 'PREEMPT_RT' : 'the normal kernel'}: ${order}`, () => {
      const log: string[] = []
      const r = runModel(handover(kind, log), { preemptRt: rt, scheduler: script(steps) })
      expect(r.outcome).toEqual({ kind: 'completed' })
      expect(log.join(' ')).toBe(order)
    })
  }
})
