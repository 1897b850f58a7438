import { describe, expect, it } from 'vitest'
import { defineModel, runModel, type Context, type CtxState, type FreshTaskState, type ModelKernel, type Op } from '../../src/index.js'
import { script } from './helpers.js'

type Kind = 'spinLock' | 'rawSpinLock' | 'mutex' | 'rwLock' | 'rwSemaphore'
type Data = { n: number }
/** `withLocked` of a fresh lock 'a' of `kind`, as one function type (the kinds' methods are generic each in its own way). */
type Take = (ctx: Context<FreshTaskState>, inside: (ctx: Context<CtxState>, d: Data) => Op<void>) => Op<void>
const takerOf = (k: ModelKernel, kind: Kind): Take => {
  switch (kind) {
    case 'spinLock': {
      const a = k.spinLock('a', { n: 0 })
      return (ctx, inside) => a.withLocked(ctx, inside)
    }
    case 'rawSpinLock': {
      const a = k.rawSpinLock('a', { n: 0 })
      return (ctx, inside) => a.withLocked(ctx, inside)
    }
    case 'mutex': {
      const a = k.mutex('a', { n: 0 })
      return (ctx, inside) => a.withLocked(ctx, inside)
    }
    case 'rwLock': {
      const a = k.rwLock('a', { n: 0 })
      return (ctx, inside) => a.withLocked(ctx, inside)
    }
    case 'rwSemaphore': {
      const a = k.rwSemaphore('a', { n: 0 })
      return (ctx, inside) => a.withLocked(ctx, inside)
    }
  }
}

/** t1 on CPU 0 takes `a` and yields inside; t2 (on `t2cpu`) then tries to take it. */
const contend = (kind: Kind, t2cpu: number) =>
  defineModel(
    (k: ModelKernel) => {
      const take = takerOf(k, kind)
      k.task('t1', { cpu: 0 }, function* (ctx) {
        yield* take(ctx, function* (ctx, d) {
          yield* k.cpuRelax(ctx)
          d.n++
        })
      })
      k.task('t2', { cpu: t2cpu }, function* (ctx) {
        yield* take(ctx, function* (_ctx, d) {
          d.n++
        })
      })
    },
    { cpus: 2 },
  )

describe('contention that waits', () => {
  for (const rt of [false, true]) {
    const kernel = rt ? 'PREEMPT_RT' : 'normal'
    describe(kernel, () => {
      for (const kind of ['spinLock', 'rawSpinLock', 'rwLock', 'mutex', 'rwSemaphore'] as const) {
        const sleeps = kind === 'mutex' || kind === 'rwSemaphore' || (rt && (kind === 'spinLock' || kind === 'rwLock'))
        const state = kind === 'mutex' || kind === 'rwSemaphore' ? 'TASK_UNINTERRUPTIBLE' : sleeps ? 'TASK_RTLOCK_WAIT' : 'TASK_RUNNING'
        it(`${kind} on two CPUs: the second task ${sleeps ? `sleeps in ${state}` : 'spins'}, then gets the lock at the unlock`, () => {
          const s = script(['t1', 't1', 't2', 't2'])
          const r = runModel(contend(kind, 1), { preemptRt: rt, trace: true, scheduler: s })
          expect(r.outcome).toEqual({ kind: 'completed' })
          expect(r.diagnostics).toEqual([])
          const waits = r.trace.filter((e) => e.event === 'sched_wait')
          expect(waits.map((e) => (e.event === 'sched_wait' ? [e.comm, e.state, e.channel] : []))).toEqual([
            ['t2', state, kind === 'rwLock' ? "rwlock_t 'a'" : `${lockKindOf(kind)} 'a'`],
          ])
          // While t2 waits, CPU 1 offers nothing: spinning keeps it busy, sleeping leaves it idle with no other task.
          expect(s.offered[4]).toEqual(['t1'])
          const wakes = r.trace.filter((e) => e.event === 'sched_waking')
          expect(wakes.map((e) => (e.event === 'sched_waking' ? [e.comm, e.wakeComm, e.targetCpu] : []))).toEqual([['t1', 't2', 1]])
          const switches = r.trace
            .filter((e) => e.event === 'sched_switch' && e.cpu === 1)
            .map((e) => (e.event === 'sched_switch' ? `${e.prevComm}->${e.nextComm}` : ''))
          expect(switches).toEqual(sleeps ? ['swapper/1->t2', 't2->swapper/1', 'swapper/1->t2', 't2->swapper/1'] : ['swapper/1->t2', 't2->swapper/1'])
        })

        it(`${kind} on one CPU: the second task waits and the first goes on`, () => {
          // t1 is preempted inside its section (at cpuRelax) only where the CPU is preemptible.
          const preemptible = sleeps
          const s = script(['t1', 't1'])
          const r = runModel(contend(kind, 0), { preemptRt: rt, trace: true, scheduler: s })
          expect(r.outcome).toEqual({ kind: 'completed' })
          expect(s.offered[2]).toEqual(preemptible ? ['t1', 't2'] : ['t1'])
        })
      }
    })
  }
})

const lockKindOf = (kind: string): string =>
  ({ spinLock: 'spinlock_t', rawSpinLock: 'raw_spinlock_t', mutex: 'mutex', rwLock: 'rwlock_t', rwSemaphore: 'rw_semaphore' })[kind] ?? kind

describe('local_lock_t and SpinLockIrq', () => {
  const localModel = defineModel((k) => {
    const pcp = k.localLock('pcp', () => ({ n: 0 }))
    for (const comm of ['t1', 't2']) {
      k.task(comm, { cpu: 0 }, function* (ctx) {
        yield* pcp.withLocked(ctx, function* (ctx, d) {
          yield* k.cpuRelax(ctx)
          d.n++
        })
      })
    }
  })

  it('local_lock() on a normal kernel disables preemption: the other task of the CPU cannot run inside', () => {
    const s = script(['t1', 't1'])
    expect(runModel(localModel, { scheduler: s }).outcome).toEqual({ kind: 'completed' })
    expect(s.offered[2]).toEqual(['t1'])
  })

  it('local_lock() on PREEMPT_RT is a per-CPU spinlock_t: the preempting task sleeps in TASK_RTLOCK_WAIT on it', () => {
    const s = script(['t1', 't1', 't2', 't2'])
    const r = runModel(localModel, { preemptRt: true, trace: true, scheduler: s })
    expect(r.outcome).toEqual({ kind: 'completed' })
    const wait = r.trace.find((e) => e.event === 'sched_wait')
    expect(wait?.event === 'sched_wait' && [wait.comm, wait.state, wait.channel]).toEqual(['t2', 'TASK_RTLOCK_WAIT', "local_lock_t 'pcp'"])
  })

  for (const rt of [false, true]) {
    it(`SpinLockIrq on two CPUs (${rt ? 'PREEMPT_RT: sleeps' : 'normal: spins with interrupts off'})`, () => {
      const m = defineModel(
        (k) => {
          const q = k.spinLockIrq('q', [0])
          k.task('t1', { cpu: 0 }, function* (ctx) {
            yield* q.withLocked(ctx, function* (ctx) {
              yield* k.cpuRelax(ctx)
            })
          })
          k.task('t2', { cpu: 1 }, function* (ctx) {
            using g = yield* q.lock(ctx)
            g.data.push(2)
          })
        },
        { cpus: 2 },
      )
      const r = runModel(m, { preemptRt: rt, trace: true, scheduler: script(['t1', 't1', 't2', 't2']) })
      expect(r.outcome).toEqual({ kind: 'completed' })
      const wait = r.trace.find((e) => e.event === 'sched_wait')
      expect(wait?.event === 'sched_wait' && [wait.state, wait.irqsDisabled]).toEqual(rt ? ['TASK_RTLOCK_WAIT', false] : ['TASK_RUNNING', true])
    })
  }
})
