/**
 * Who gets a lock after an unlock (src/locks/wake/, docs/SEMANTICS.md §22): orders the old
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

describe('mutex: MUTEX_FLAG_HANDOFF after a woken first waiter lost the lock', () => {
  /** H holds the mutex; W waits; N steals it from the woken W; M arrives when N lets go. */
  const model = (log: string[]) =>
    defineModel(
      (k) => {
        const a = k.mutex('a', 0)
        const section = (name: string, relax: boolean) =>
          function* (ctx: Context<FreshTaskState>): Op<void> {
            yield* a.withLocked(ctx, function* (ctx) {
              log.push(name)
              if (relax) yield* k.cpuRelax(ctx)
            })
          }
        k.task('H', { cpu: 0 }, section('H', true))
        k.task('W', { cpu: 1 }, section('W', false))
        k.task('N', { cpu: 2 }, section('N', true))
        k.task('M', { cpu: 3 }, section('M', false))
      },
      { cpus: 4 },
    )

  it('the next unlock hands the mutex to W (PICKUP): M, arriving then, waits behind it', () => {
    const log: string[] = []
    // H in; W waits; H unlocks (wakes W); N takes it first; W retries, fails, sets HANDOFF; N unlocks; M tries.
    const r = runModel(model(log), { scheduler: script(['H', 'H', 'W', 'W', 'H', 'N', 'N', 'W', 'N', 'M', 'M']) })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(log.join(' ')).toBe('H N W M')
  })

  it('without the failed retry there is no handoff: M may take the free mutex ahead of the woken W', () => {
    const log: string[] = []
    // As above, but W does not run between N's lock and N's unlock.
    const r = runModel(model(log), { scheduler: script(['H', 'H', 'W', 'W', 'H', 'N', 'N', 'N', 'M', 'M']) })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(log.join(' ')).toBe('H N M W')
  })
})

describe('rw_semaphore: rwsem_mark_wake() wakes the head writer alone, or every queued reader', () => {
  /** H holds it for write; then `waiters` queue in that order, one CPU each. */
  const model = (log: string[], waiters: readonly ('R1' | 'W2' | 'R3')[], rt = false) =>
    defineModel(
      (k) => {
        const s = k.rwSemaphore('s', 0)
        k.task('H', { cpu: 0 }, function* (ctx) {
          yield* s.withLocked(ctx, function* (ctx) {
            log.push('H')
            yield* k.cpuRelax(ctx)
          })
        })
        waiters.forEach((name, i) => {
          k.task(name, { cpu: i + 1 }, function* (ctx) {
            if (name === 'W2')
              yield* s.withLocked(ctx, function* () {
                log.push(name)
              })
            else
              yield* s.withRead(ctx, function* () {
                log.push(name)
              })
          })
        })
      },
      { cpus: 1 + waiters.length, preemptRt: rt },
    )

  it('a reader at the head: both readers are granted, past the writer queued between them', () => {
    const log: string[] = []
    const s = script(['H', 'H', 'R1', 'R1', 'W2', 'W2', 'R3', 'R3', 'H'])
    const r = runModel(model(log, ['R1', 'W2', 'R3']), { scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    // Right after H's up_write(): the granted readers run; the writer sleeps on.
    expect(s.offered[9]?.filter((c) => c !== 'H').sort()).toEqual(['R1', 'R3'])
    expect(log.slice(0, 3).join(' ')).toBe('H R1 R3')
    expect(log[3]).toBe('W2')
  })

  it('a writer at the head: it alone is woken; the reader behind it waits', () => {
    const log: string[] = []
    const s = script(['H', 'H', 'W2', 'W2', 'R1', 'R1', 'H'])
    const r = runModel(model(log, ['W2', 'R1']), { scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(s.offered[7]?.filter((c) => c !== 'H')).toEqual(['W2'])
    expect(log.join(' ')).toBe('H W2 R1')
  })

  it('PREEMPT_RT (rwbase): readers wait behind the writer that holds the rtmutex, in order', () => {
    const log: string[] = []
    const s = script(['H', 'H', 'R1', 'R1', 'W2', 'W2', 'R3', 'R3', 'H'])
    const r = runModel(model(log, ['R1', 'W2', 'R3'], true), { scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    // H's rwbase_write_unlock() wakes m's top waiter only.
    expect(s.offered[9]?.filter((c) => c !== 'H')).toEqual(['R1'])
    expect(log.join(' ')).toBe('H R1 W2 R3')
  })
})

/** What an untyped caller writes: withRead() without its context rules. */
type LooseRead = (ctx: unknown, section: (ctx: unknown) => Op<void>) => Op<void>
const looseRead =
  (lock: { withRead: unknown }): LooseRead =>
  (ctx, section) =>
    (lock.withRead as LooseRead).call(lock, ctx, section)

describe('rwlock_t: a reader in task context queues behind a waiting writer, one in interrupt context does not', () => {
  /** T read-locks `r` and, inside, reads it again — in the task, or in a hardirq handler on its CPU. */
  const model = (inner: 'task' | 'irq') =>
    defineModel(
      (k) => {
        const r = k.rwLock('r', 0)
        if (inner === 'irq') {
          k.irq(5, { cpu: 0, name: 'dev' }, function* (ctx) {
            yield* r.withRead(ctx, function* () {})
          })
        }
        k.task('T', { cpu: 0 }, function* (ctx) {
          yield* r.withRead(ctx, function* (ctx) {
            yield* k.cpuRelax(ctx)
            // The types refuse a recursive read_lock() (lockdep's rule); untyped code can still write it.
            if (inner === 'task') yield* looseRead(r)(ctx, function* () {})
            yield* k.cpuRelax(ctx)
          })
        })
        k.task('W', { cpu: 1 }, function* (ctx) {
          yield* r.withLocked(ctx, function* () {})
        })
      },
      { cpus: 2, lockdep: false },
    )

  it('recursive read_lock() with a writer queued between: deadlock on both kernels (qrwlock; rwbase since 286deb7ec03d)', () => {
    const res = explore(model('task'), { stopOnFailure: false })
    expect(res.kernels.map((k) => [k.kernel, k.counterexamples.some((c) => c.kind === 'deadlock')])).toEqual([
      ['normal', true],
      ['rt', true],
    ])
  })

  it('the same read_lock() from a hardirq handler: it passes the waiting writer (in_interrupt()); on RT the threaded handler waits its turn', () => {
    const res = explore(model('irq'), { stopOnFailure: false })
    expect(res.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.map((c) => c.kind)])).toEqual([
      ['normal', true, []],
      ['rt', true, []],
    ])
  })
})

describe('explored: the steal the kernel allows, and only it', () => {
  /**
   * W completes `tried` and tries the mutex H holds; with no preemption nothing else runs on
   * their CPU 0 until W sleeps on the mutex, so H (waiting for `tried` inside its section) unlocks
   * with W queued. H then completes `released`; N (CPU 1) waits for that and takes the mutex —
   * ahead of the woken W where the kind lets a new arrival steal.
   */
  const model = (orders: Set<string>) =>
    defineModel(
      (k) => {
        const a = k.mutex('a', 0)
        const tried = k.completion('tried')
        const released = k.completion('released')
        const log: string[] = []
        const got = (name: string): void => {
          log.push(name)
          if (log.length === 2) orders.add(log.join(' '))
        }
        k.task('H', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (ctx) {
            yield* tried.waitForCompletion(ctx)
          })
          released.complete(ctx)
        })
        k.task('W', { cpu: 0 }, function* (ctx) {
          tried.complete(ctx)
          yield* a.withLocked(ctx, function* () {
            got('W')
          })
        })
        k.task('N', { cpu: 1 }, function* (ctx) {
          yield* released.waitForCompletion(ctx)
          yield* a.withLocked(ctx, function* () {
            got('N')
          })
        })
      },
      { cpus: 2 },
    )
  for (const [rt, expected] of [
    [false, ['N W', 'W N']],
    [true, ['W N']],
  ] as const) {
    it(`mutex on ${rt ? 'PREEMPT_RT: never N before the woken W (no equal-priority steal)' : 'the normal kernel: N steals it from the woken W'}`, () => {
      const orders = new Set<string>()
      const r = explore(model(orders), { kernels: [rt ? 'rt' : 'normal'], preemptionBound: 0 })
      expect([r.ok, r.exhausted]).toEqual([true, true])
      expect([...orders].sort()).toEqual(expected)
    })
  }
})
