/** seqcount_t and seqcount_LOCKNAME_t at run time, on both kernels (include/linux/seqlock.h `seqprop_*`). */
import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, ForeignContextError, InvalidArgumentError, type LockdepAssertDiagnostic, type TraceEvent } from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

const warnings = (ds: readonly { kind: string }[]) =>
  ds.filter((d): d is LockdepAssertDiagnostic => d.kind === 'lockdep-assert').map((d) => `${d.assertion} at ${d.where}`)
const lockEvents = (trace: readonly TraceEvent[], name: string) =>
  trace.flatMap((e) => ('name' in e && e.name === name && (e.event === 'lock' || e.event === 'unlock') ? [`${e.event}${e.read ? ' (read)' : ''}`] : []))

/** kernel/watchdog.c watchdog_timer_fn(), as every spinning wait under kernel.run reports it (src/exec/sync-wait.ts). */
const SOFT_LOCKUP = 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'

describe.each([false, true])('seqcount_t, preemptRt=%s', (preemptRt) => {
  it('write_seqcount_begin(): lockdep_assert_preemption_disabled() on both kernels — a task with preemption on WARNs once', () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('stats_seq', { rx: 0 })
    for (let i = 0; i < 2; i++) kernel.run((ctx) => loose(sc, 'write')(ctx, () => undefined))
    expect(warnings(kernel.diagnostics)).toEqual(['lockdep_assert_preemption_disabled() at write_seqcount_begin(stats_seq)'])
    // The write went ahead (a WARN is only a warning).
    expect(sc.sequence).toBe(4)
  })

  it('under spinlock_t the assertion holds on a normal kernel only (spin_lock() leaves preemption on under RT)', () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('stats_seq', 0)
    const lock = kernel.spinLock('stats_lock', 0)
    kernel.run((ctx) => lock.withLocked(ctx, (ctx) => loose(sc, 'write')(ctx, () => undefined)))
    expect(warnings(kernel.diagnostics)).toEqual(preemptRt ? ['lockdep_assert_preemption_disabled() at write_seqcount_begin(stats_seq)'] : [])
  })

  it('the nearest valid patterns: preempt_disable(), a raw spinlock, local_irq_save(), raw_write_seqcount_begin()', () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('stats_seq', { rx: 0 })
    const hw = kernel.rawSpinLock('hw', 0)
    kernel.run((ctx) => {
      ctx.preemptDisable((ctx) => sc.write(ctx, (_ctx, s) => void s.rx++))
      hw.withLocked(ctx, (ctx) => sc.write(ctx, (_ctx, s) => void s.rx++))
      ctx.core.localIrqSave((ctx) => sc.write(ctx, (_ctx, s) => void s.rx++))
      sc.rawWrite(ctx, (_ctx, s) => void s.rx++)
    })
    expect(kernel.diagnostics).toEqual([])
    expect([sc.sequence, kernel.run((ctx) => sc.read(ctx, (_ctx, s) => s.rx))]).toEqual([8, 4])
  })

  it("lockdep: a reader inside its own write section is recursive locking on the seqcount's map, then it spins for ever: the soft lockup", () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('sc', 0)
    expect(() => kernel.run((ctx) => ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => looseBegin(sc, 'readBegin')(ctx))))).toThrow(
      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]: seqcount_t 'sc' can never be woken: nothing else runs under kernel.run()",
    )
    // __read_seqcount_begin(): `while (… & 1) cpu_relax();` with preemption off — kernel/watchdog.c's soft lockup.
    expect(kernel.diagnostics.map((d) => d.title)).toEqual(['WARNING: possible recursive locking detected', SOFT_LOCKUP])
    expect([sc.sequence, kernel.cpu(0).preemptCount, kernel.heldLocks(0)]).toEqual([2, 0, []])
  })

  it("raw_read_seqcount_begin(): no lockdep access (the same reader spins: only the watchdog's report)", () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('sc', 0)
    expect(() => kernel.run((ctx) => ctx.preemptDisable((ctx) => sc.write(ctx, (ctx) => looseBegin(sc, 'rawReadBegin')(ctx))))).toThrow(DeadlockError)
    expect(kernel.diagnostics.map((d) => [d.kind, d.title])).toEqual([['wait-forever', SOFT_LOCKUP]])
  })

  it('the same spin with interrupts off (a reader in a handler over its writer, here irqsave): the hard lockup', () => {
    const kernel = createKernel({ preemptRt })
    const sc = kernel.seqcount('sc', 0)
    expect(() => kernel.run((ctx) => ctx.core.localIrqSave((ctx) => sc.write(ctx, (ctx) => looseBegin(sc, 'rawReadBegin')(ctx))))).toThrow(DeadlockError)
    expect(kernel.diagnostics.map((d) => d.title)).toEqual(['watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'])
    expect([sc.sequence, kernel.cpu(0).irqsDisabled, kernel.cpu(0).preemptCount]).toEqual([2, false, 0])
  })
})

describe.each([false, true])('seqcount_LOCKNAME_t, preemptRt=%s', (preemptRt) => {
  it('write_seqcount_begin(): lockdep_assert_held(s->lock) — WARN without it, silent with it', () => {
    const kernel = createKernel({ preemptRt })
    const lock = kernel.spinLock('dev_lock', 0)
    const seq = kernel.seqcountSpinlock('dev_seq', lock, { mtu: 1500 })
    kernel.run((ctx) => ctx.preemptDisable((ctx) => loose(seq, 'write')(ctx, () => undefined)))
    kernel.run((ctx) =>
      lock.withLocked(ctx, (ctx) =>
        seq.write(ctx, (_ctx, d) => {
          d.mtu = 9000
        }),
      ),
    )
    expect(warnings(kernel.diagnostics)).toEqual(['lockdep_assert_held(dev_lock) at write_seqcount_begin(dev_seq)'])
    expect([seq.kind, seq.lock, seq.sequence, seq.data.mtu]).toEqual(['seqcount_spinlock_t', 'dev_lock', 4, 9000])
  })

  it('the writer disables preemption itself only for a mutex on a normal kernel; on RT every writer stays preemptible', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', 0)
    const s = kernel.spinLock('s', 0)
    const hw = kernel.rawSpinLock('hw', 0)
    const rw = kernel.rwLock('rw', 0)
    const counts: number[] = []
    const at = () => void counts.push(kernel.cpu(0).preemptCount)
    const sm = kernel.seqcountMutex('sm', m, 0)
    const ss = kernel.seqcountSpinlock('ss', s, 0)
    const sh = kernel.seqcountRawSpinlock('sh', hw, 0)
    const sr = kernel.seqcountRwlock('sr', rw, 0)
    kernel.run((ctx) => {
      m.withLocked(ctx, (ctx) => sm.write(ctx, at))
      s.withLocked(ctx, (ctx) => ss.write(ctx, at))
      hw.withLocked(ctx, (ctx) => sh.write(ctx, at))
      rw.withWrite(ctx, (ctx) => sr.write(ctx, at))
    })
    expect(counts).toEqual(preemptRt ? [0, 0, 1, 0] : [1, 1, 1, 1])
    expect(kernel.diagnostics).toEqual([])
  })

  it('seqcount_mutex_t: sleeping in the write section is sleeping in atomic on a normal kernel only', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', 0)
    const sm = kernel.seqcountMutex('sm', m, 0)
    kernel.run((ctx) => m.withLocked(ctx, (ctx) => loose(sm, 'write')(ctx, (ctx) => looseCtx(ctx).mightSleep())))
    expect(kernel.diagnostics.map((d) => d.title)).toEqual(preemptRt ? [] : ['BUG: sleeping function called from invalid context'])
  })

  it('a reader that finds a write in progress: RT takes and drops the associated lock (spin_lock, read_lock, mutex_lock), then reads again', () => {
    for (const [make, name, expected] of [
      [(k: ReturnType<typeof createKernel>) => k.seqcountSpinlock('q', k.spinLock('l', 0), 0), 'l', ['lock', 'unlock']],
      [(k: ReturnType<typeof createKernel>) => k.seqcountRwlock('q', k.rwLock('l', 0), 0), 'l', ['lock (read)', 'unlock (read)']],
      [(k: ReturnType<typeof createKernel>) => k.seqcountMutex('q', k.mutex('l', 0), 0), 'l', ['lock', 'unlock']],
      [(k: ReturnType<typeof createKernel>) => k.seqcountRawSpinlock('q', k.rawSpinLock('l', 0), 0), 'l', []],
    ] as const) {
      const kernel = createKernel({ preemptRt, trace: true })
      const seq = make(kernel)
      // An untyped writer without the lock (lockdep_assert_held() WARNs) leaves the lock free: the RT reader
      // takes and drops it, finds the count still odd, and would go on for ever.
      expect(() => kernel.run((ctx) => ctx.preemptDisable((ctx) => loose(seq, 'rawWrite')(ctx, (ctx) => looseBegin(seq)(ctx))))).toThrow(DeadlockError)
      expect(lockEvents(kernel.trace, name)).toEqual(preemptRt ? expected : [])
      expect([seq.sequence, kernel.heldLocks(0)]).toEqual([2, []])
    }
  })

  it('bad input: the associated lock must be a lock of that kind made by this kernel', () => {
    const kernel = createKernel({ preemptRt })
    const m = kernel.mutex('m', 0)
    const seqcountSpinlock = kernel.seqcountSpinlock.bind(kernel) as (name: string, lock: unknown, data: unknown) => unknown
    expect(() => seqcountSpinlock('q', m, 0)).toThrow("seqcount_spinlock_init(q): the associated lock must be a spinlock_t, not mutex 'm'")
    expect(() => seqcountSpinlock('q', {}, 0)).toThrow(InvalidArgumentError)
    expect(() => seqcountSpinlock('q', createKernel().spinLock('s', 0), 0)).toThrow(ForeignContextError)
  })
})

const looseBegin = (seq: object, method: 'readBegin' | 'rawReadBegin' = 'rawReadBegin') =>
  (seq as unknown as Record<typeof method, (ctx: unknown) => number>)[method]
