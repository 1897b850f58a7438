/**
 * The runtime twins of type-tests/helpers-defined-kinds.test-d.ts: helpers taking (or required to
 * hold) locks of defined kinds, called by untyped code where the compiler refuses the call, are
 * reported as the kernel reports the same lock call written directly — from the kind's own
 * spec; the nearest valid patterns report nothing. Both kernels.
 */
import { describe, expect, it } from 'vitest'
import {
  BIT_SPIN_LOCK,
  createKernel,
  DeadlockError,
  defineLockKind,
  type Diagnostic,
  helper,
  KIND_SPECS,
  PERCPU_RW_SEMAPHORE,
  ProofRequiredError,
  RT_MUTEX,
  SPIN_LOCK_IRQ_V6,
  takes,
} from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'
import { looseHelper } from './loose.js'

const kinds = (ds: readonly Diagnostic[]) => ds.map((d) => d.kind)

const MY_RAW = defineLockKind({ ...KIND_SPECS.raw_spinlock_t, kind: 'rt_helper_raw', label: 'my_raw' })

const setup = (preemptRt: boolean) => {
  const kernel = createKernel({ preemptRt, lockOrder: ['pi', 'sem'] })
  const pi = kernel.lock(RT_MUTEX, 'pi', { prio: 0 })
  const sem = kernel.lock(PERCPU_RW_SEMAPHORE, 'sem', { n: 0 })
  const bucket = kernel.lock(BIT_SPIN_LOCK, 'bucket', { n: 0 })
  const mr = kernel.lock(MY_RAW, 'mr', { n: 0 })
  const port = kernel.spinLock('port', { tx: 0 })
  const hw = kernel.rawSpinLock('hw', { reg: 0 })
  const boost = helper({ name: 'rt_mutex_adjust_prio', takes: [takes(pi)] }, (ctx) =>
    pi.withLocked(ctx, (ctx, p) => {
      ctx.msleep(1)
      return ++p.prio
    }),
  )
  const readSem = helper({ name: 'cpus_read_lock', takes: [takes(sem, 'plain', 'read')] }, (ctx) => sem.withRead(ctx, (_ctx, s) => s.n))
  const hashAdd = helper({ name: 'hlist_bl_add', takes: [takes(bucket)] }, (ctx) => bucket.withLocked(ctx, (_ctx, b) => ++b.n))
  const portWrite = helper({ name: 'port_write', takes: [takes(port)] }, (ctx) => port.withLocked(ctx, (_ctx, p) => p.tx))
  const mrIrq = helper({ name: 'mr_irq', takes: [takes(mr, 'irq')] }, (ctx) => mr.withLockedIrq(ctx, (_ctx, d) => d.n))
  const mrIrqSave = helper({ name: 'mr_irqsave', takes: [takes(mr, 'irqsave')] }, (ctx) => mr.withLockedIrqSave(ctx, (_ctx, d) => d.n))
  const adjustPrio = helper({ name: 'rt_mutex_setprio', mustHold: [pi] }, (ctx) => ctx.cpuId)
  return { kernel, pi, sem, bucket, port, hw, boost, readSem, hashAdd, portWrite, mrIrq, mrIrqSave, adjustPrio }
}

describe.each([false, true])('helpers over defined kinds, the rules at run time, preemptRt=%s', (preemptRt) => {
  it('the valid patterns of the type test report nothing', () => {
    const { kernel, pi, hw, boost, readSem, hashAdd, mrIrq, mrIrqSave, adjustPrio } = setup(preemptRt)
    expect(kernel.run((ctx) => boost(ctx))).toBe(1)
    expect(kernel.run((ctx) => readSem(ctx))).toBe(0)
    kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx) => hashAdd(ctx)))
    kernel.run((ctx) => pi.withLocked(ctx, (ctx) => readSem(ctx)))
    kernel.run((ctx) => mrIrq(ctx))
    kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx) => mrIrqSave(ctx)))
    kernel.run((ctx) => pi.withLocked(ctx, (ctx) => adjustPrio(ctx)))
    expect(kernel.diagnostics).toEqual([])
  })

  it("a sleeping kind's helper under a spinlock_t: rt_mutex_lock()'s might_sleep() and lockdep's wait context, as for a mutex", () => {
    const { kernel, port, boost } = setup(preemptRt)
    kernel.run((ctx) => loose(port)(ctx, (ctx) => looseHelper(boost)(ctx)))
    // rt_mutex_lock()'s might_sleep(), lockdep's wait-context check, then the body's msleep(), which
    // has no might_sleep(): schedule() reports (on RT the spinlock_t's RCU section: rcu_note_context_switch()).
    expect(kinds(kernel.diagnostics)).toEqual(['sleeping-in-atomic', 'invalid-wait-context', preemptRt ? 'kernel-warning' : 'scheduling-while-atomic'])
    expect(kernel.diagnostics[1]?.report).toContain('(pi){....}-{4:4}, rt_mutex')
  })

  it('recursion through the helper: the rt_mutex is taken again, lockdep reports it, the lock the deadlock; nothing stays held', () => {
    const { kernel, pi, boost } = setup(preemptRt)
    expect(() => kernel.run((ctx) => loose(pi)(ctx, (ctx) => looseHelper(boost)(ctx)))).toThrow(DeadlockError)
    expect(kinds(kernel.diagnostics)).toEqual(['recursive-locking', 'deadlock'])
    expect(kernel.diagnostics[0]?.report).toContain("rt_mutex 'pi'")
    expect(kernel.cpu(0).preemptCount).toBe(0)
  })

  it('the declared order: the rt_mutex helper called while the percpu_rw_semaphore is read-held is the order report', () => {
    const { kernel, sem, boost } = setup(preemptRt)
    kernel.run((ctx) => loose(sem, 'withRead')(ctx, (ctx) => looseHelper(boost)(ctx)))
    expect(kinds(kernel.diagnostics)).toEqual(['lock-order'])
    expect(kernel.diagnostics[0]?.report).toContain("is trying to acquire rt_mutex 'pi'\nwhile holding percpu_rw_semaphore 'sem'")
  })

  it('a spinlock_t helper inside a bit_spin_lock: lockdep cannot see the bit lock, so only RT sees it, as a sleep with preemption off', () => {
    const { kernel, bucket, portWrite } = setup(preemptRt)
    kernel.run((ctx) => loose(bucket)(ctx, (ctx) => looseHelper(portWrite)(ctx)))
    // On a normal kernel spin_lock() inside preempt_disable() is fine; on RT rt_spin_lock()'s
    // rtlock_might_resched() splats (preempt_count 1 from bit_spin_lock()).
    expect(kinds(kernel.diagnostics)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
  })

  it("a variant's own rule: the _irq helper under a raw spinlock's irqsave turns interrupts back on under a live IrqDisabled proof", () => {
    const { kernel, hw, mrIrq } = setup(preemptRt)
    kernel.run((ctx) => loose(hw, 'withLockedIrqSave')(ctx, (ctx) => looseHelper(mrIrq)(ctx)))
    expect(kernel.diagnostics).toMatchObject([{ kind: 'proof-falsified', by: 'local_irq_enable()', heldLocks: ['hw'] }])
  })

  it('mustHold of an rt_mutex: lockdep_assert_held() WARN at the helper when not held', () => {
    const { kernel, adjustPrio } = setup(preemptRt)
    kernel.run((ctx) => looseHelper(adjustPrio)(ctx))
    expect(kernel.diagnostics).toMatchObject([{ kind: 'lockdep-assert', assertion: 'lockdep_assert_held(pi)', where: 'rt_mutex_setprio' }])
  })

  it('the v6 token kind: without interrupts off the helper is refused before its body runs (ProofRequiredError); with them off, RT splats', () => {
    const kernel = createKernel({ preemptRt })
    const q6 = kernel.lock(SPIN_LOCK_IRQ_V6, 'q6', [0])
    let bodyRan = false
    const push = helper({ name: 'q6_push', takes: [takes(q6)] }, (ctx) => {
      bodyRan = true
      return loose(q6)(ctx, () => 0)
    })
    const outer = looseHelper(helper({ name: 'q6_outer', calls: [push] }, (ctx) => looseHelper(push)(ctx)))
    const q6Push = looseHelper(push)
    const refused = new ProofRequiredError(
      "q6_push(): takes SpinLockIrq[v6] 'q6', which requires a context that proves IrqDisabled (its kind's requires); the helper was not called",
    )
    expect(() => kernel.run((ctx) => q6Push(ctx))).toThrow(refused)
    // A helper calling it has its takes, so its calls are refused the same way, under its own name.
    expect(() => kernel.run((ctx) => outer(ctx))).toThrow(/^q6_outer\(\): takes SpinLockIrq\[v6\] 'q6', which requires/)
    expect(bodyRan).toBe(false)
    expect(kernel.cpu(0).preemptCount).toBe(0)
    kernel.run((ctx) => ctx.core.localIrqSave((ctx) => q6Push(ctx)))
    expect(bodyRan).toBe(true)
    expect(kinds(kernel.diagnostics)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('a sleeping kind in a helper body that declared only a spinning one: the body sleeps in atomic context', () => {
    const { kernel, bucket, pi } = setup(preemptRt)
    const spinBody = helper({ name: 'spin_body', takes: [takes(bucket)] }, (ctx) =>
      bucket.withLocked(ctx, (ctx) => loose(pi)(ctx, (ctx) => looseCtx(ctx).msleep(1))),
    )
    kernel.run((ctx) => spinBody(ctx))
    expect(kinds(kernel.diagnostics)[0]).toBe('sleeping-in-atomic')
  })
})
