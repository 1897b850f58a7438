/**
 * An outside audit of #18's design check (auditkinds): it makes its locks through the public
 * `k.lock()` path ("no privileged path"), and its verdicts for the shipped kinds agree with the
 * kernel (include/linux/bit_spinlock.h: no lockdep map and no DEBUG_SPINLOCK owner check, so a
 * handler spinning on the bit its CPU's task holds is seen by the NMI watchdog only).
 */
import { describe, expect, it, vi } from 'vitest'
import { BIT_SPIN_LOCK, checkLockDesign, defineLockKind, explore, LockKindError, type LockDesignVerdict, SPIN_LOCK_IRQ_SAVE } from '../../src/index.js'

vi.setConfig({ testTimeout: 120_000 })

const HARD_LOCKUP = 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'

const summary = (v: LockDesignVerdict): string[] =>
  v.cells.map((c) => `${c.kernel} ${c.form}${c.handler ? ' +irq' : ''}: ${c.verdict}${c.counterexample ? ` ${c.counterexample.title}` : ''}`)

describe('checkLockDesign() makes its locks through k.lock()', () => {
  it('a form the kind lacks is checked on a twin defined through the public defineLockKind()', () => {
    checkLockDesign(SPIN_LOCK_IRQ_SAVE, { handler: false })
    const twin = { ...SPIN_LOCK_IRQ_SAVE, kind: 'SpinLockIrq_irqsave+checkLockDesign(plain)', guards: { checkLockDesignGuard: ['plain', 'write'] } } as const
    // The same spec under that name is the kind already defined; another spec there is refused.
    expect(defineLockKind(twin).kind).toBe('SpinLockIrq_irqsave+checkLockDesign(plain)')
    expect(() => defineLockKind({ ...twin, guards: {} })).toThrow(LockKindError)
  })

  it("the twin's locks carry the kind's label: the counterexample names SpinLockIrq[irqsave], and it replays", () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_SAVE, { kernels: ['normal'] })
    const c = v.cells.find((x) => x.form === 'guard' && x.handler)?.counterexample
    expect(c?.title).toBe(HARD_LOCKUP)
    expect(c?.report).toContain("SpinLockIrq[irqsave] 'b'")
    if (c === null || c === undefined) throw new Error('no counterexample')
    const again = explore(c.model, { replay: c.replay })
    expect(again.kernels[0]?.counterexamples[0]?.title).toBe(HARD_LOCKUP)
  })
})

describe('bit_spin_lock: a handler on the holder’s CPU spins with interrupts off on both kernels', () => {
  const v = checkLockDesign(BIT_SPIN_LOCK)

  it('sound without a handler; with one, the NMI watchdog on both kernels (no "BUG: spinlock recursion": no DEBUG_SPINLOCK owner)', () => {
    expect(summary(v)).toEqual([
      'normal callback: sound',
      `normal callback +irq: unsound ${HARD_LOCKUP}`,
      'normal guard: sound',
      `normal guard +irq: unsound ${HARD_LOCKUP}`,
      'rt callback: sound',
      `rt callback +irq: unsound ${HARD_LOCKUP}`,
      'rt guard: sound',
      `rt guard +irq: unsound ${HARD_LOCKUP}`,
    ])
  })

  it('lockdep never reports it: the lockup is every cell’s only failure (no inconsistent lock state, no recursion)', () => {
    expect([...new Set(v.cells.flatMap((c) => c.failures.map((f) => f.title)))]).toEqual([HARD_LOCKUP])
  })
})
