/** seqlock_t at run time, on both kernels: the write side is its spinlock_t's, readers retry (include/linux/seqlock.h). */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, InvalidArgumentError, StaleContextError, type AnyContext, type TraceEvent } from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

const titles = (ds: readonly { title: string }[]) => ds.map((d) => d.title)
const lockEvents = (trace: readonly TraceEvent[], name: string) =>
  trace.flatMap((e) => ('name' in e && e.name === name && (e.event === 'lock' || e.event === 'unlock') ? [`${e.event}${e.read ? ' (read)' : ''}`] : []))

describe.each([false, true])('seqlock_t, preemptRt=%s', (preemptRt) => {
  it('write_seqlock*(): the sequence is odd inside, even after; the section is the spin_lock variant of this kernel', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('jiffies_lock', { ns: 0 })
    const seen: [number, number, boolean][] = []
    const record = (_ctx: AnyContext, d: { ns: number }) => {
      d.ns++
      seen.push([sl.sequence, kernel.cpu(0).preemptCount, kernel.cpu(0).irqsDisabled])
    }
    kernel.run((ctx) => {
      sl.writeSeqlock(ctx, record)
      sl.writeSeqlockIrq(ctx, record)
      sl.writeSeqlockIrqSave(ctx, record)
      sl.writeSeqlockBh(ctx, record)
    })
    // spin_lock: preempt_count 1 on a normal kernel, 0 on RT; _irq/_irqsave turn interrupts off on a normal kernel only;
    // spin_lock_bh adds 0x201 on a normal kernel, 0x200 on RT (the softirq count lives in the task on RT: preempt_count stays 0).
    expect(seen).toEqual(
      preemptRt
        ? [
            [1, 0, false],
            [3, 0, false],
            [5, 0, false],
            [7, 0, false],
          ]
        : [
            [1, 1, false],
            [3, 1, true],
            [5, 1, true],
            [7, 0x201, false],
          ],
    )
    expect(sl.sequence).toBe(8)
    expect(kernel.run((ctx) => sl.read(ctx, (_ctx, d) => d.ns))).toBe(4)
    expect(kernel.diagnostics).toEqual([])
  })

  it("the reader's lockdep access is local_irq_save(), a momentary read of the map, local_irq_restore(); without lockdep, nothing", () => {
    const events = (lockdep: boolean) => {
      const kernel = createKernel({ preemptRt, lockdep, trace: true })
      const sl = kernel.seqlock('sl', 0)
      kernel.run((ctx) => sl.readSeqbegin(ctx))
      return kernel.trace.flatMap((e) => (e.event === 'sched_switch' ? [] : ['name' in e ? `${e.event} ${e.name}` : e.event]))
    }
    expect(events(true)).toEqual(['local_irq_save', 'lock_map_acquire_read sl.seqcount', 'lock_map_release sl.seqcount', 'local_irq_restore'])
    expect(events(false)).toEqual([])
  })

  it('read_seqbegin() / read_seqretry(): a write between them makes the reader retry', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', { v: 1 })
    kernel.run((ctx) => {
      const start = sl.readSeqbegin(ctx)
      expect(start).toBe(0)
      expect(sl.readSeqretry(ctx, start)).toBe(false)
      sl.writeSeqlock(ctx, (_ctx, d) => {
        d.v = 2
      })
      expect(sl.readSeqretry(ctx, start)).toBe(true)
      expect(sl.readSeqretry(ctx, sl.readSeqbegin(ctx))).toBe(false)
    })
  })

  it('read(): the section runs again when a write overlapped it, and its last result is returned', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', { v: 1 })
    let runs = 0
    const v = kernel.run((ctx) =>
      sl.read(ctx, (ctx, d) => {
        runs++
        // The first pass is overlapped by a write (as a writer on another CPU would).
        if (runs === 1)
          sl.writeSeqlock(ctx, (_ctx, w) => {
            w.v = 5
          })
        return d.v
      }),
    )
    expect([v, runs, sl.sequence]).toEqual([5, 2, 2])
  })

  it('read(): a section that writes every time livelocks, as it would in the kernel', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', 0)
    expect(() => kernel.run((ctx) => sl.read(ctx, (ctx) => sl.writeSeqlock(ctx, () => undefined)))).toThrow(DeadlockError)
    expect(sl.sequence % 2).toBe(0)
    expect(kernel.heldLocks(0)).toEqual([])
  })

  it('read_seqlock_excl*(): a locking reader takes the spinlock and leaves the sequence alone', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', { v: 3 })
    const inside = kernel.run((ctx) => sl.readSeqlockExclIrqSave(ctx, (_ctx, d) => [d.v, sl.sequence, kernel.heldLocks(0)]))
    expect(inside).toEqual([3, 0, ['sl']])
  })

  it("lockdep's seqcount map: a reader in a hardirq and a writer with interrupts on are an inconsistent lock state", () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('xtime_lock', { ns: 0 })
    // IRQF_NO_THREAD: a true hardirq on both kernels (on RT a threaded handler is a task).
    kernel.requestIrq(0, 'timer', (ctx) => void looseRead(sl)(ctx, () => 0), { noThread: true })
    kernel.run((ctx) => sl.writeSeqlock(ctx, () => undefined))
    kernel.raiseIrq(0)
    const d = kernel.diagnostics.find((x) => x.kind === 'inconsistent-lock-state')
    expect(d?.report).toContain('inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-R} usage.')
    expect(d?.report).toContain('xtime_lock.seqcount')
  })

  it('the nearest valid pattern: write_seqlock_irqsave() and a reader in a hardirq (normal kernel; on RT the irqsave leaves interrupts on)', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('xtime_lock', { ns: 0 })
    kernel.requestIrq(0, 'timer', (ctx) => void looseRead(sl)(ctx, () => 0), { noThread: true })
    kernel.run((ctx) => sl.writeSeqlockIrqSave(ctx, () => undefined))
    kernel.raiseIrq(0)
    expect(titles(kernel.diagnostics)).toEqual(preemptRt ? ['WARNING: inconsistent lock state'] : [])
  })

  it('a reader that finds a write in progress: spins on a normal kernel, takes the spinlock on RT', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const sl = kernel.seqlock('sl', 0)
    // A reader on CPU 1 while CPU 0's writer is inside its section: on one call stack nothing can give way.
    const run = () => kernel.run((ctx) => sl.writeSeqlock(ctx, () => kernel.run((ctx) => sl.readSeqbegin(ctx), { cpu: 1 })))
    expect(run).toThrow(DeadlockError)
    const deadlock = kernel.diagnostics.find((d) => d.kind === 'deadlock')
    // RT: __seqprop_spinlock_sequence() spin_lock()s the writer's lock, and blocks on it.
    expect(deadlock === undefined ? null : `${deadlock.lock} held by ${deadlock.holder.comm}`).toBe(preemptRt ? "spinlock_t 'sl' held by task-1" : null)
    expect(sl.sequence).toBe(2)
    expect([kernel.heldLocks(0), kernel.heldLocks(1), kernel.cpu(0).preemptCount, kernel.cpu(1).preemptCount]).toEqual([[], [], 0, 0])
  })

  it('a throwing write section ends the write: the sequence is even, the lock free, the CPU as before', () => {
    const kernel = createKernel({ preemptRt, trace: true })
    const sl = kernel.seqlock('sl', 0)
    expect(() =>
      kernel.run((ctx) =>
        sl.writeSeqlockIrqSave(ctx, () => {
          throw new Error('boom')
        }),
      ),
    ).toThrow('boom')
    expect([sl.sequence, kernel.heldLocks(0), kernel.cpu(0).preemptCount, kernel.cpu(0).irqsDisabled]).toEqual([2, [], 0, false])
    expect(lockEvents(kernel.trace, 'sl')).toEqual(['lock', 'unlock'])
    kernel.run((ctx) => sl.writeSeqlock(ctx, () => undefined))
    expect(kernel.diagnostics).toEqual([])
  })

  it('bad input from JavaScript: a named error, nothing changed', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', 0)
    expect(() => kernel.run(() => loose(sl, 'writeSeqlock')({}, () => 0))).toThrow(InvalidArgumentError)
    expect(() => kernel.run((ctx) => loose(sl, 'writeSeqlock')(ctx, 'nope' as never))).toThrow('write_seqlock(sl): the second argument must be a function')
    expect(() => kernel.run((ctx) => looseRetry(sl)(ctx, 'x'))).toThrow('read_seqretry(sl): the start must be the count a read begin returned')
    let stale: unknown
    kernel.run((ctx) => {
      stale = ctx
    })
    expect(() => looseRead(sl)(stale, () => 0)).toThrow(StaleContextError)
    expect(() => createKernel().run((ctx) => looseRead(sl)(ctx, () => 0))).toThrow(
      "the context belongs to another kernel; use a context of the kernel that made seqlock_t 'sl'",
    )
    expect([sl.sequence, kernel.heldLocks(0)]).toEqual([0, []])
    expect(() => kernel.seqlock('', 0)).toThrow('spinlock_t: the lock class name must be a non-empty string')
  })

  it('might_sleep() in a write section reports on both kernels (on RT the spinlock_t holds an RCU read lock)', () => {
    const kernel = createKernel({ preemptRt })
    const sl = kernel.seqlock('sl', 0)
    kernel.run((ctx) => loose(sl, 'writeSeqlock')(ctx, (ctx) => looseCtx(ctx).mightSleep()))
    expect(titles(kernel.diagnostics)).toEqual(['BUG: sleeping function called from invalid context'])
  })
})

type LooseRead = (ctx: unknown, fn: unknown) => unknown
const looseRead = (sl: object): LooseRead => (sl as unknown as { read: LooseRead }).read
const looseRetry = (sl: object): LooseRead => (sl as unknown as { readSeqretry: LooseRead }).readSeqretry
