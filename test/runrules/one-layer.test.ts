/**
 * Rules the types refused while the run time said nothing, for callers the types do not see
 * (type-tests/runrules-one-layer.test-d.ts is their compile-time half; docs/SEMANTICS.md §26):
 * an _irq unlock inside an irqsave section (CONFIG_DEBUG_IRQFLAGS at the outer restore), an
 * rw_semaphore trylock with interrupts off and a spinlock_t trylock in hard interrupt context on
 * PREEMPT_RT. Each with its nearest valid pattern.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat, RT_TRYLOCK_TITLE, type Diagnostic } from '../../src/index.js'

// An untyped caller: what the types refuse, called as JavaScript would.
type Loose = (ctx: unknown, cb: (ctx: unknown) => unknown) => unknown
const loose = (lock: object, method: string): Loose => (lock as Record<string, Loose>)[method] as Loose
const kinds = (ds: readonly Diagnostic[]): string[] => ds.map((d) => (d.kind === 'kernel-warning' ? `${d.kind}:${d.warning}` : d.kind))

const BOGUS = 'WARNING: kernel/locking/irqflag-debug.c at warn_bogus_irq_restore(): raw_local_irq_restore() called with IRQs enabled'

describe('an _irq unlock inside an irqsave section: CONFIG_DEBUG_IRQFLAGS', () => {
  it('normal kernel: spin_unlock_irq() turned interrupts on, so the outer spin_unlock_irqrestore() warns', () => {
    const k = createKernel({ debugIrqflags: true })
    const outer = k.spinLock('outer', 0)
    const inner = k.spinLock('inner', 0)
    let irqsOnInside: boolean | null = null
    k.run((ctx) =>
      outer.withLockedIrqSave(ctx, (ctx) => {
        loose(inner, 'withLockedIrq')(ctx, () => 0)
        irqsOnInside = !k.cpu(0).irqsDisabled
      }),
    )
    expect(irqsOnInside).toBe(true)
    expect(kinds(k.diagnostics)).toEqual(['kernel-warning:bogus-irq-restore'])
    const d = k.diagnostics[0]
    expect(d?.title).toBe(BOGUS)
    expect(d?.heldLocks).toEqual([])
    expect(d?.report).toContain('something between the save and the restore turned them on')
    // Restored as the flags say: interrupts on (they were on at the save).
    expect(k.cpu(0).irqsDisabled).toBe(false)
  })

  it('PREEMPT_RT: spinlock_t leaves interrupts alone, nothing to report', () => {
    const k = createKernel({ preemptRt: true, debugIrqflags: true })
    const outer = k.spinLock('outer', 0)
    const inner = k.spinLock('inner', 0)
    k.run((ctx) => outer.withLockedIrqSave(ctx, (ctx) => loose(inner, 'withLockedIrq')(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it.each([false, true])('a raw inner lock warns on both kernels (preemptRt: %s), once per kernel (WARN_ONCE)', (preemptRt) => {
    const k = createKernel({ preemptRt, debugIrqflags: true })
    const outer = k.spinLock('outer', 0)
    const hw = k.rawSpinLock('hw', 0)
    const body = () => k.run((ctx) => outer.withLockedIrqSave(ctx, (ctx) => loose(hw, 'withLockedIrq')(ctx, () => 0)))
    body()
    body()
    // On RT the outer irqsave is not an irq save; the raw lock's own disable/enable is balanced.
    expect(kinds(k.diagnostics)).toEqual(preemptRt ? [] : ['kernel-warning:bogus-irq-restore'])
  })

  it('under local_irq_save() on both kernels: the IrqDisabled proof is falsified, then the restore warns', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt, debugIrqflags: true })
      const hw = k.rawSpinLock('hw', 0)
      k.run((ctx) => ctx.core.localIrqSave((ctx) => loose(hw, 'withLockedIrq')(ctx, () => 0)))
      expect(kinds(k.diagnostics)).toEqual(['proof-falsified', 'proof-falsified', 'kernel-warning:bogus-irq-restore'])
    }
  })

  it("onDiagnostic: 'throw': the restore is done before the splat is thrown, the outer lock released", () => {
    const k = createKernel({ debugIrqflags: true, onDiagnostic: 'throw' })
    const outer = k.spinLock('outer', 0)
    const inner = k.spinLock('inner', 0)
    expect(() => k.run((ctx) => outer.withLockedIrqSave(ctx, (ctx) => loose(inner, 'withLockedIrq')(ctx, () => 0)))).toThrow(KernelSplat)
    expect(k.cpu(0).irqsDisabled).toBe(false)
    expect(k.cpu(0).preemptCount).toBe(0)
    // Both free: trylocks take them.
    expect(k.run((ctx) => [outer.withTryLocked(ctx, () => 0).taken, inner.withTryLocked(ctx, () => 0).taken])).toEqual([true, true])
    expect(k.diagnostics).toHaveLength(1)
  })

  it('without debugIrqflags (the default, as a kernel without CONFIG_DEBUG_IRQFLAGS): silent', () => {
    const k = createKernel()
    const outer = k.spinLock('outer', 0)
    const inner = k.spinLock('inner', 0)
    k.run((ctx) => outer.withLockedIrqSave(ctx, (ctx) => loose(inner, 'withLockedIrq')(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it.each([false, true])('valid (preemptRt: %s): _irqsave inside _irqsave, and _irq where interrupts are on', (preemptRt) => {
    const k = createKernel({ preemptRt, debugIrqflags: true })
    const outer = k.spinLock('outer', 0)
    const inner = k.spinLock('inner', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      outer.withLockedIrqSave(ctx, (ctx) => inner.withLockedIrqSave(ctx, (ctx) => hw.withLockedIrqSave(ctx, () => 0)))
      inner.withLockedIrq(ctx, () => 0)
      ctx.core.localIrqSave((ctx) => ctx.core.localIrqSave(() => 0))
    })
    expect(k.diagnostics).toEqual([])
  })
})

describe('an rw_semaphore trylock with interrupts disabled', () => {
  it('PREEMPT_RT: reported (the kernel checks nothing at the call), and taken', () => {
    const k = createKernel({ preemptRt: true })
    const mmap = k.rwSemaphore('mmap', 0)
    const taken: unknown[] = []
    k.run((ctx) =>
      ctx.core.localIrqSave((ctx) => {
        taken.push(loose(mmap, 'withTryRead')(ctx, () => 1))
        taken.push(loose(mmap, 'withTryWrite')(ctx, () => 2))
      }),
    )
    expect(taken).toEqual([
      { taken: true, value: 1 },
      { taken: true, value: 2 },
    ])
    expect(kinds(k.diagnostics)).toEqual(['rt-trylock', 'rt-trylock'])
    expect(k.diagnostics[0]).toMatchObject({ title: RT_TRYLOCK_TITLE, lock: "rw_semaphore 'mmap'", where: 'irqs-disabled', heldLocks: [] })
    expect(k.diagnostics[0]?.report).toContain('down_read_trylock(mmap) with interrupts disabled: taken')
    expect(k.diagnostics[1]?.report).toContain('down_write_trylock(mmap) with interrupts disabled: taken')
    expect(k.diagnostics[0]?.report).toContain('PREEMPT_RT does not allow to trylock mmap sem in interrupt disabled context')
  })

  it('PREEMPT_RT: also in a hard interrupt handler RT does not thread, and under a raw spinlock_irqsave', () => {
    const k = createKernel({ preemptRt: true })
    const mmap = k.rwSemaphore('mmap', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.requestIrq(6, 'tick', (ctx) => void loose(mmap, 'withTryRead')(ctx, () => 0), { noThread: true })
    k.run((ctx) => {
      ctx.raiseIrq(6)
      hw.withLockedIrqSave(ctx, (ctx) => loose(mmap, 'withTryRead')(ctx, () => 0))
    })
    expect(k.diagnostics.map((d) => (d.kind === 'rt-trylock' ? d.heldLocks : d.kind))).toEqual([[], ['hw']])
  })

  it('normal kernel: allowed (rwsem.c checks nothing; BPF takes mmap_read_trylock() there)', () => {
    const k = createKernel()
    const mmap = k.rwSemaphore('mmap', 0)
    k.run((ctx) => ctx.core.localIrqSave((ctx) => loose(mmap, 'withTryRead')(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it.each([false, true])('valid (preemptRt: %s): with interrupts on, and in a spinlock_t irqsave section (on on RT)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const mmap = k.rwSemaphore('mmap', 0)
    const s = k.spinLock('s', 0)
    k.run((ctx) => {
      mmap.withTryRead(ctx, () => 0)
      mmap.withTryWrite(ctx, () => 0)
      s.withLockedIrqSave(ctx, (ctx) => mmap.withTryRead(ctx, () => 0))
    })
    expect(k.diagnostics).toEqual([])
  })

  it("onDiagnostic: 'throw': the splat leaves the semaphore free and the interrupt state as it was", () => {
    const k = createKernel({ preemptRt: true, onDiagnostic: 'throw' })
    const mmap = k.rwSemaphore('mmap', 0)
    let irqsOff: boolean | null = null
    expect(() =>
      k.run((ctx) =>
        ctx.core.localIrqSave((ctx) => {
          try {
            loose(mmap, 'withTryRead')(ctx, () => 0)
          } finally {
            irqsOff = k.cpu(0).irqsDisabled
          }
        }),
      ),
    ).toThrow(KernelSplat)
    expect(irqsOff).toBe(true)
    expect(k.cpu(0).irqsDisabled).toBe(false)
    expect(k.cpu(0).preemptCount).toBe(0)
    // Free: a writer's trylock takes it.
    expect(k.run((ctx) => mmap.withTryWrite(ctx, () => 0).taken)).toBe(true)
    expect(k.diagnostics).toHaveLength(1)
  })
})

describe('a mutex trylock with interrupts disabled, in a task', () => {
  it.each([false, true])('valid (preemptRt: %s): rt_mutex_trylock() "is safe to call from atomic regions" (rtmutex_api.c)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const cfg = k.mutex('cfg', 0)
    const hw = k.rawSpinLock('hw', 0)
    const got = k.run((ctx) => [
      ctx.core.localIrqSave((ctx) => cfg.withTryLocked(ctx, () => 1)),
      hw.withLockedIrqSave(ctx, (ctx) => cfg.withTryLocked(ctx, () => 2)),
    ])
    expect(got).toEqual([
      { taken: true, value: 1 },
      { taken: true, value: 2 },
    ])
    expect(k.diagnostics).toEqual([])
  })
})

describe('a spinlock_t trylock in hard interrupt context', () => {
  it('PREEMPT_RT, a handler RT does not thread: reported and taken; rwlock_t too', () => {
    const k = createKernel({ preemptRt: true })
    const stats = k.spinLock('stats', 0)
    const table = k.rwLock('table', 0)
    const got: unknown[] = []
    k.requestIrq(
      6,
      'tick',
      (ctx) => {
        got.push(loose(stats, 'withTryLocked')(ctx, () => 1))
        got.push(loose(table, 'withTryRead')(ctx, () => 2))
      },
      { noThread: true },
    )
    k.run((ctx) => ctx.raiseIrq(6))
    expect(got).toEqual([
      { taken: true, value: 1 },
      { taken: true, value: 2 },
    ])
    expect(kinds(k.diagnostics)).toEqual(['rt-trylock', 'rt-trylock'])
    expect(k.diagnostics[0]).toMatchObject({ lock: "spinlock_t 'stats'", where: 'hardirq' })
    expect(k.diagnostics[0]?.report).toContain('spin_trylock(stats) in hard interrupt context: taken')
    expect(k.diagnostics[1]?.report).toContain('read_trylock(table) in hard interrupt context: taken')
  })

  it('PREEMPT_RT, a HRTIMER_MODE_HARD callback: reported', () => {
    const k = createKernel({ preemptRt: true })
    const stats = k.spinLock('stats', 0)
    const t = k.hrtimerSetup(
      'hard',
      (ctx) => {
        loose(stats, 'withTryLocked')(ctx, () => 0)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    k.run((ctx) => t.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD'))
    k.advance(1)
    expect(kinds(k.diagnostics)).toEqual(['rt-trylock'])
  })

  it('normal kernel: a spinning lock, taken in hardirq as spin_trylock() always was', () => {
    const k = createKernel()
    const stats = k.spinLock('stats', 0)
    k.requestIrq(6, 'tick', (ctx) => void loose(stats, 'withTryLocked')(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(6))
    expect(k.diagnostics).toEqual([])
  })

  it.each([false, true])(
    'valid (preemptRt: %s): a threadable handler, a raw trylock in hardirq, a spinlock_t trylock with interrupts off in a task',
    (preemptRt) => {
      const k = createKernel({ preemptRt })
      const stats = k.spinLock('stats', 0)
      const hw = k.rawSpinLock('hw', 0)
      k.requestIrq(5, 'dev', (ctx) => void stats.withTryLocked(ctx, () => 0))
      k.requestIrq(6, 'tick', (ctx) => void hw.withTryLocked(ctx, () => 0), { noThread: true })
      k.run((ctx) => {
        ctx.raiseIrq(5)
        ctx.raiseIrq(6)
        ctx.core.localIrqSave((ctx) => stats.withTryLocked(ctx, () => 0))
      })
      expect(k.diagnostics).toEqual([])
    },
  )
})
