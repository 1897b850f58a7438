/**
 * The run-time twin of type-tests/audit-seqlock.test-d.ts: a reader or a second writer inside its
 * own write section, as an untyped caller writes it (docs/SEMANTICS.md §24). lockdep reports the
 * reader access of the write-held map (check_deadlock(): read-after-write of one class), then
 * the reader waits for ever; a second writer is recursive. The nearest valid patterns report nothing.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError } from '../../src/index.js'
import { loose } from '../locks/helpers.js'

type Begin = (ctx: unknown) => number
const begin = (seq: object, method: 'readBegin' | 'readSeqbegin' = 'readBegin') => (seq as unknown as Record<typeof method, Begin>)[method]

const RECURSIVE = 'WARNING: possible recursive locking detected'
const SOFT_LOCKUP = 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'
const RTLOCK = 'lockproof: task task-1:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'

describe.each([false, true])('inside its own write section, preemptRt=%s', (preemptRt) => {
  it('seqlock_t: read_seqbegin() — recursive locking on sl.seqcount, then the spin (normal) or the AA on sl.lock (RT)', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', 0)
    expect(() => kernel.run((ctx) => sl.writeSeqlock(ctx, (ctx) => begin(sl, 'readSeqbegin')(ctx)))).toThrow(DeadlockError)
    expect(kernel.diagnostics.map((d) => d.title)).toEqual([RECURSIVE, preemptRt ? RTLOCK : SOFT_LOCKUP])
    expect(kernel.diagnostics[0]?.kind === 'recursive-locking' && kernel.diagnostics[0].lock).toBe("lockdep_map 'sl.seqcount'")
    expect([sl.sequence, kernel.heldLocks(0), kernel.cpu(0).preemptCount]).toEqual([2, [], 0])
  })

  it('seqcount_spinlock_t: the same, the lock it holds taken again on RT', () => {
    const kernel = createKernel({ preemptRt })
    const l = kernel.spinLock('l', 0)
    const seq = kernel.seqcountSpinlock('seq', l, 0)
    expect(() => kernel.run((ctx) => l.withLocked(ctx, (ctx) => seq.write(ctx, (ctx) => begin(seq)(ctx))))).toThrow(DeadlockError)
    expect(kernel.diagnostics.map((d) => d.title)).toEqual([RECURSIVE, preemptRt ? RTLOCK : SOFT_LOCKUP])
  })

  it('a second write_seqcount_begin(): recursive locking on the map (seqcount_t and seqcount_spinlock_t)', () => {
    // One kernel each: lockdep turns itself off after its first report (debug_locks_off()).
    const a = createKernel({ preemptRt })
    const sc = a.seqcount('sc', 0)
    a.run((ctx) => ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => loose(sc, 'write')(ctx, () => 0))))
    const b = createKernel({ preemptRt })
    const l = b.spinLock('l', 0)
    const seq = b.seqcountSpinlock('seq', l, 0)
    b.run((ctx) => l.withLocked(ctx, (ctx) => seq.write(ctx, (ctx) => loose(seq, 'write')(ctx, () => 0))))
    const reports = [...a.diagnostics, ...b.diagnostics].map((d) => [d.title, d.kind === 'recursive-locking' ? d.lock : null])
    expect(reports).toEqual([
      [RECURSIVE, "lockdep_map 'sc'"],
      [RECURSIVE, "lockdep_map 'seq.seqcount'"],
    ])
    expect([sc.sequence, seq.sequence, a.heldLocks(0), b.heldLocks(0)]).toEqual([4, 4, [], []])
  })

  it('the nearest valid patterns: the lock held outside a write section, read_seqlock_excl(), read_seqretry(), another counter', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', { v: 1 })
    const l = kernel.spinLock('l', 0)
    const seq = kernel.seqcountSpinlock('seq', l, { v: 2 })
    const other = kernel.seqcount('other', { v: 3 })
    const read = kernel.run((ctx) => [
      l.withLocked(ctx, (ctx) => seq.read(ctx, (_ctx, d) => d.v)),
      sl.readSeqlockExcl(ctx, (ctx) => sl.read(ctx, (_ctx, d) => d.v)),
      sl.writeSeqlock(ctx, (ctx) => [sl.readSeqretry(ctx, 0), other.read(ctx, (_ctx, d) => d.v)]),
    ])
    expect(read).toEqual([2, 1, [true, 3]])
    expect(kernel.diagnostics).toEqual([])
  })
})
