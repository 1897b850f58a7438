/**
 * A sequence-lock reader's wait under kernel.run runs on the one synchronous driver
 * (src/exec/sync-wait.ts), as every synchronous wait does. On one call stack a write in progress
 * that the reader finds can only be its own or the code it interrupted:
 * - a reader that spins (`__read_seqcount_begin()`: `while (… & 1) cpu_relax();`) reports what
 *   kernel/watchdog.c reports for a CPU that never gets out: the soft lockup with interrupts on,
 *   the hard lockup with them off;
 * - on PREEMPT_RT a reader of a preemptible seqcount_LOCKNAME_t takes the writer's lock
 *   (`__seqprop_##lockname##_sequence()`): it blocks on it exactly as that lock taken again does —
 *   the hung task for a mutex, lockproof's TASK_RTLOCK_WAIT words for a spinlock_t.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Diagnostic } from '../../src/index.js'
import { loose } from '../locks/helpers.js'
import { deadlockMessage } from '../fixtures/errors.js'

/** A reader's begin as an untyped caller calls it (the types refuse these readers: each is a bug on some kernel). */
const looseBegin = (seq: object, method: 'readBegin' | 'readSeqbegin' = 'readBegin') =>
  (seq as unknown as Record<typeof method, (ctx: unknown) => number>)[method]

/** What a report says of the wait (lockdep off: nothing but the wait is reported). */
const waits = (ds: readonly Diagnostic[]) => ds.map((d) => (d.kind === 'deadlock' ? [d.kind, d.title, d.lock, d.holder.comm] : [d.kind, d.title]))

const HUNG = 'INFO: task task-1:1 blocked for more than 120 seconds.'
const RTLOCK = 'lockproof: task task-1:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'

describe('PREEMPT_RT: a reader that takes the writer lock blocks on it exactly as the lock taken again', () => {
  it('seqcount_mutex_t: the hung task, as mutex_lock() on a mutex its task holds', () => {
    const kernel = createKernel({ preemptRt: true, lockdep: false })
    const m = kernel.mutex('dev_mutex', 0)
    const sm = kernel.seqcountMutex('dev_seq', m, 0)
    const reader = deadlockMessage(() => kernel.run((ctx) => m.withLocked(ctx, (ctx) => sm.write(ctx, (ctx) => looseBegin(sm)(ctx)))))
    const plain = createKernel({ preemptRt: true, lockdep: false })
    const m2 = plain.mutex('dev_mutex', 0)
    const again = deadlockMessage(() => plain.run((ctx) => m2.withLocked(ctx, (ctx) => loose(m2)(ctx, () => 0))))
    expect(reader).toBe(`${HUNG}: mutex 'dev_mutex' is held by task-1/1 on CPU 0, which cannot run until task-1 gives up CPU 0`)
    expect(reader).toBe(again)
    expect(waits(kernel.diagnostics)).toEqual([['deadlock', HUNG, "mutex 'dev_mutex'", 'task-1']])
    expect(waits(kernel.diagnostics)).toEqual(waits(plain.diagnostics))
    expect([sm.sequence, kernel.heldLocks(0)]).toEqual([2, []])
  })

  it("seqcount_spinlock_t: lockproof's TASK_RTLOCK_WAIT words, as spin_lock() on an RT spinlock_t its task holds", () => {
    const kernel = createKernel({ preemptRt: true, lockdep: false })
    const s = kernel.spinLock('dev_lock', 0)
    const ss = kernel.seqcountSpinlock('dev_seq', s, 0)
    const reader = deadlockMessage(() => kernel.run((ctx) => s.withLocked(ctx, (ctx) => ss.write(ctx, (ctx) => looseBegin(ss)(ctx)))))
    expect(reader).toBe(`${RTLOCK}: spinlock_t 'dev_lock' is held by task-1/1 on CPU 0, which cannot run until task-1 gives up CPU 0`)
    expect(waits(kernel.diagnostics)).toEqual([['deadlock', RTLOCK, "spinlock_t 'dev_lock'", 'task-1']])
  })
})

describe('a reader that spins on a write it is inside of', () => {
  it.each([false, true])('seqcount_t, preemption off (preemptRt=%s): the soft lockup, from the one driver', (preemptRt) => {
    const kernel = createKernel({ preemptRt, lockdep: false })
    const sc = kernel.seqcount('stats_seq', 0)
    const reader = deadlockMessage(() => kernel.run((ctx) => ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => looseBegin(sc)(ctx)))))
    const title = 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'
    expect(reader).toBe(`${title}: seqcount_t 'stats_seq' can never be woken: nothing else runs under kernel.run()`)
    expect(waits(kernel.diagnostics)).toEqual([['wait-forever', title]])
    expect([sc.sequence, kernel.cpu(0).preemptCount]).toEqual([2, 0])
  })

  it('seqlock_t on a normal kernel, a true hardirq reading over its writer: the hard lockup (interrupts off)', () => {
    const kernel = createKernel({ lockdep: false })
    const sl = kernel.seqlock('xtime_lock', { ns: 0 })
    kernel.requestIrq(0, 'timer', (ctx) => void looseBegin(sl, 'readSeqbegin')(ctx), { noThread: true })
    const reader = deadlockMessage(() => kernel.run((ctx) => sl.writeSeqlock(ctx, (ctx) => ctx.raiseIrq(0))))
    const title = 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'
    expect(reader).toBe(`${title}: seqlock_t 'xtime_lock' can never be woken: nothing else runs under kernel.run()`)
    expect(waits(kernel.diagnostics)).toEqual([['wait-forever', title]])
    expect([sl.sequence, kernel.heldLocks(0), kernel.cpu(0).irqsDisabled]).toEqual([2, [], false])
  })
})
