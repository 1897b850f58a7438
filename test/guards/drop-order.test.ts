/**
 * Three nested IRQ-disabling guards dropped in every order, with counted interrupt disabling
 * (the default) and with save/restore flags (`irqDisable: 'save-restore'`), and the
 * Rust-for-Linux #998 scenario: an interrupt taken when an outer save/restore guard drops
 * first, whose handler wants a lock still held.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Context, type Kernel, type FreshTaskState } from '../../src/index.js'
import { IRQS_DISABLED_AT_EXIT_TITLE, IRQS_ON_UNDER_IRQ_LOCK_TITLE } from '../../src/diagnostics/titles.js'
import { DeadlockError, GuardOrderError } from '../../src/errors.js'
import { kinds, permutations, type LooseGuard } from './helpers.js'

type Name = 'a' | 'b' | 'c'
const NAMES: readonly Name[] = ['a', 'b', 'c']
const ORDERS = permutations(NAMES)

type Flavour = 'SpinLockIrq' | 'raw_spinlock_t'
const FLAVOURS: readonly Flavour[] = ['SpinLockIrq', 'raw_spinlock_t']

const label = (flavour: Flavour, n: Name): string => `${flavour} '${n}'`

/** Takes a, then b from a's context, then c from b's: the guards, by name. */
const takeThree = (k: Kernel, flavour: Flavour, ctx: Context<FreshTaskState>): Record<Name, LooseGuard> => {
  if (flavour === 'SpinLockIrq') {
    const a = k.spinLockIrq('a', 'a')
    const b = k.spinLockIrq('b', 'b')
    const c = k.spinLockIrq('c', 'c')
    const ga = a.lock(ctx)
    const gb = b.lock(ga.ctx)
    const gc = c.lock(gb.ctx)
    return { a: ga, b: gb, c: gc }
  }
  const a = k.rawSpinLock('a', 'a')
  const b = k.rawSpinLock('b', 'b')
  const c = k.rawSpinLock('c', 'c')
  const ga = a.lockIrqSave(ctx)
  const gb = b.lockIrqSave(ga.ctx)
  const gc = c.lockIrqSave(gb.ctx)
  return { a: ga, b: gb, c: gc }
}

interface AfterDrop {
  readonly irqsDisabled: boolean
  readonly interruptDisableCount: number
  readonly preemptCount: number
  readonly held: readonly string[]
  /** Diagnostics reported by this drop. */
  readonly reported: readonly string[]
}

/** Runs one drop order; records the CPU after each drop. */
const runOrder = (k: Kernel, flavour: Flavour, order: readonly Name[]): AfterDrop[] => {
  const after: AfterDrop[] = []
  k.run((ctx) => {
    const g = takeThree(k, flavour, ctx)
    expect(k.cpu(0).irqsDisabled).toBe(true)
    expect(k.cpu(0).preemptCount).toBe(3)
    for (const n of order) {
      const seen = k.diagnostics.length
      g[n].unlock()
      const v = k.cpu(0)
      after.push({
        irqsDisabled: v.irqsDisabled,
        interruptDisableCount: v.interruptDisableCount,
        preemptCount: v.preemptCount,
        held: k.heldLocks(),
        reported: k.diagnostics.slice(seen).map((d) => d.kind),
      })
    }
  })
  return after
}

describe.each(FLAVOURS)("irqDisable: 'counted' (%s guards), normal kernel", (flavour) => {
  it.each(ORDERS.map((o) => [o.join(',')] as const))('drop order %s: interrupts stay off until the last guard goes', (orderText) => {
    const order = orderText.split(',') as Name[]
    const k = createKernel()
    const initial = k.snapshot()
    const after = runOrder(k, flavour, order)
    expect(after.map((a) => a.irqsDisabled)).toEqual([true, true, false])
    expect(after.map((a) => a.interruptDisableCount)).toEqual([2, 1, 0])
    expect(after.map((a) => a.preemptCount)).toEqual([2, 1, 0])
    expect(after.map((a) => a.held)).toEqual([NAMES.filter((n) => !order.slice(0, 1).includes(n)), NAMES.filter((n) => !order.slice(0, 2).includes(n)), []])
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })
})

/**
 * Save/restore, written out per order. a saved "enabled" (taken first, interrupts on); b and c
 * saved "disabled". Each drop restores its own flags: dropping a turns interrupts on, dropping
 * b or c turns them off. On while b or c is still held → irqs-on-under-irq-lock (listing them);
 * off at the end → irqs-disabled-at-exit.
 */
const SAVE_RESTORE: Record<
  string,
  { readonly irqsDisabled: readonly boolean[]; readonly onUnder: readonly (readonly Name[] | null)[]; readonly offAtExit: boolean }
> = {
  'a,b,c': { irqsDisabled: [false, true, true], onUnder: [['b', 'c'], null, null], offAtExit: true },
  'a,c,b': { irqsDisabled: [false, true, true], onUnder: [['b', 'c'], null, null], offAtExit: true },
  'b,a,c': { irqsDisabled: [true, false, true], onUnder: [null, ['c'], null], offAtExit: true },
  'b,c,a': { irqsDisabled: [true, true, false], onUnder: [null, null, null], offAtExit: false },
  'c,a,b': { irqsDisabled: [true, false, true], onUnder: [null, ['b'], null], offAtExit: true },
  'c,b,a': { irqsDisabled: [true, true, false], onUnder: [null, null, null], offAtExit: false },
}

// SpinLockIrq carries no IrqDisabled proof (interrupts stay on on RT): its drops go through and are
// reported. raw_spinlock_t guards carry the proof: see the next describe.
describe.each(['SpinLockIrq'] as const)("irqDisable: 'save-restore' (%s guards), normal kernel", (flavour) => {
  it('the table covers all six orders', () => {
    expect(Object.keys(SAVE_RESTORE).sort()).toEqual(ORDERS.map((o) => o.join(',')).sort())
  })

  it.each(Object.entries(SAVE_RESTORE))('drop order %s', (orderText, expected) => {
    const order = orderText.split(',') as Name[]
    const k = createKernel({ irqDisable: 'save-restore' })
    const initial = k.snapshot()
    const after = runOrder(k, flavour, order)
    expect(after.map((a) => a.irqsDisabled)).toEqual(expected.irqsDisabled)
    // Nothing is counted in this mode.
    expect(after.map((a) => a.interruptDisableCount)).toEqual([0, 0, 0])
    expect(after.map((a) => a.preemptCount)).toEqual([2, 1, 0])
    // The report appears exactly at the drop that turned interrupts on under held IRQ locks.
    expect(after.map((a) => a.reported)).toEqual(expected.onUnder.map((u) => (u === null ? [] : ['irqs-on-under-irq-lock'])))
    // And whenever interrupts are on with an IRQ lock held, it was reported at that drop.
    after.forEach((a) => {
      if (!a.irqsDisabled && a.held.length > 0) expect(a.reported).toContain('irqs-on-under-irq-lock')
    })
    const onUnder = k.diagnostics.filter((d) => d.kind === 'irqs-on-under-irq-lock')
    const wanted = expected.onUnder.filter((u): u is readonly Name[] => u !== null)
    expect(onUnder).toHaveLength(wanted.length)
    onUnder.forEach((d, i) => {
      if (d.kind !== 'irqs-on-under-irq-lock') return
      expect(d.title).toBe(IRQS_ON_UNDER_IRQ_LOCK_TITLE)
      expect(d.locks).toEqual(wanted[i]?.map((n) => label(flavour, n)))
      expect(d.droppedBy).toBe(label(flavour, 'a'))
      expect(d.heldLocks).toEqual(wanted[i])
    })
    const exit = k.diagnostics.filter((d) => d.kind === 'irqs-disabled-at-exit')
    expect(exit).toHaveLength(expected.offAtExit ? 1 : 0)
    if (expected.offAtExit) {
      expect(exit[0]?.title).toBe(IRQS_DISABLED_AT_EXIT_TITLE)
      // Reported last: when the task ended.
      expect(kinds(k).at(-1)).toBe('irqs-disabled-at-exit')
    }
    expect(k.diagnostics).toHaveLength(wanted.length + (expected.offAtExit ? 1 : 0))
    // The kernel turns interrupts back on after reporting: everything is as before.
    expect(k.snapshot()).toEqual(initial)
  })

  it('the LIFO order (c, b, a) is silent', () => {
    const k = createKernel({ irqDisable: 'save-restore' })
    const initial = k.snapshot()
    const after = runOrder(k, flavour, ['c', 'b', 'a'])
    expect(after.map((a) => a.irqsDisabled)).toEqual([true, true, false])
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })
})

/**
 * raw_spinlock_t irqsave guards prove IrqDisabled on both kernels, and b and c carry it: a drop
 * whose restore would turn interrupts on under them is refused (GuardOrderError, reported as
 * 'proof-falsified' with refused: true) and changes nothing; the rest then drop innermost first.
 */
const REFUSED: Record<string, Name | null> = {
  'a,b,c': 'a',
  'a,c,b': 'a',
  'b,a,c': 'a',
  'b,c,a': null,
  'c,a,b': 'a',
  'c,b,a': null,
}

describe("irqDisable: 'save-restore' (raw_spinlock_t guards), normal kernel: drops that falsify a proof are refused", () => {
  it.each(Object.entries(REFUSED))('drop order %s', (orderText, refused) => {
    const order = orderText.split(',') as Name[]
    const k = createKernel({ irqDisable: 'save-restore' })
    const initial = k.snapshot()
    k.run((ctx) => {
      const g = takeThree(k, 'raw_spinlock_t', ctx)
      const left = [...NAMES]
      for (const n of order) {
        const before = k.snapshot()
        if (n === refused) {
          expect(() => g[n].unlock()).toThrow(GuardOrderError)
          expect(k.snapshot()).toEqual(before)
          expect(g[n].held).toBe(true)
          const d = k.diagnostics.at(-1)
          expect(d?.kind).toBe('proof-falsified')
          if (d?.kind === 'proof-falsified') {
            // Preemption stays off: b and c still hold their preempt_disable().
            expect(d).toMatchObject({ refused: true, by: "raw_spinlock_t 'a'", proofs: ['IrqDisabled', 'BhDisabled'] })
          }
          break
        }
        g[n].unlock()
        left.splice(left.indexOf(n), 1)
        expect(k.cpu(0).irqsDisabled).toBe(left.length > 0)
      }
      // What is left drops innermost first, which is always allowed.
      for (const n of [...left].reverse()) if (g[n].held) g[n].unlock()
    })
    expect(kinds(k)).toEqual(refused === null ? [] : ['proof-falsified'])
    expect(k.snapshot()).toEqual(initial)
  })
})

describe('Rust-for-Linux #998: an interrupt whose handler takes the inner lock', () => {
  /** SpinLockIrq a → b; IRQ 5 raised with both held; its handler takes b; a dropped first. */
  const program = (k: Kernel, log: string[]): void => {
    const a = k.spinLockIrq('a', 0)
    const b = k.spinLockIrq('b', 0)
    k.requestIrq(5, 'dev', (ctx) => {
      log.push(`handler: held=[${k.heldLocks().join(',')}] idc=${k.cpu(0).interruptDisableCount}`)
      b.withLocked(ctx, () => {
        log.push('handler took b')
      })
    })
    k.run((ctx) => {
      const ga = a.lock(ctx)
      const gb = b.lock(ga.ctx)
      gb.ctx.raiseIrq(5)
      log.push(`raised: pending=[${k.cpu(0).pendingIrqs.join(',')}]`)
      try {
        ga.unlock()
        log.push(`a dropped: irqsDisabled=${k.cpu(0).irqsDisabled} pending=[${k.cpu(0).pendingIrqs.join(',')}]`)
      } catch (error) {
        log.push(`a.unlock() threw ${error instanceof DeadlockError ? 'DeadlockError' : String(error)}; a.held=${ga.held}`)
      }
      gb.unlock()
      log.push('b dropped')
    })
  }

  it('save-restore: irqs-on-under-irq-lock, then lockdep, then a deadlock thrown from unlock()', () => {
    const k = createKernel({ irqDisable: 'save-restore' })
    const initial = k.snapshot()
    const log: string[] = []
    program(k, log)
    expect(log).toEqual([
      'raised: pending=[5]',
      // The handler runs at a's unlock, on the interrupted task, which still holds b.
      'handler: held=[b] idc=0',
      'a.unlock() threw DeadlockError; a.held=false',
      'b dropped',
    ])
    const ks = kinds(k)
    expect(ks[0]).toBe('irqs-on-under-irq-lock')
    const lockdepAt = ks.findIndex((x) => x === 'inconsistent-lock-state' || x === 'recursive-locking')
    const deadlockAt = ks.indexOf('deadlock')
    expect(lockdepAt).toBeGreaterThan(0)
    expect(deadlockAt).toBeGreaterThan(lockdepAt)
    const first = k.diagnostics[0]
    if (first?.kind !== 'irqs-on-under-irq-lock') throw new Error('expected irqs-on-under-irq-lock first')
    expect(first.locks).toEqual(["SpinLockIrq 'b'"])
    expect(first.droppedBy).toBe("SpinLockIrq 'a'")
    const dl = k.diagnostics[deadlockAt]
    if (dl?.kind !== 'deadlock') throw new Error('expected a deadlock report')
    expect(dl.lock).toBe("SpinLockIrq 'b'")
    // After lockdep's report spin_bug() prints nothing; the handler spins with interrupts off.
    expect(dl.title).toBe('watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    // b's restore brought back "disabled": reported when the task ended.
    expect(ks).toEqual(['irqs-on-under-irq-lock', ks[lockdepAt], 'deadlock', 'irqs-disabled-at-exit'])
    expect(k.heldLocks()).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })

  it('counted: silent; the handler runs once the last guard is released', () => {
    const k = createKernel()
    const initial = k.snapshot()
    const log: string[] = []
    program(k, log)
    expect(log).toEqual(['raised: pending=[5]', 'a dropped: irqsDisabled=true pending=[5]', 'handler: held=[] idc=0', 'handler took b', 'b dropped'])
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })
})

describe('PREEMPT_RT: SpinLockIrq guards leave interrupts on', () => {
  it.each([
    ['counted', 'a,b,c'],
    ['counted', 'c,a,b'],
    ['save-restore', 'a,b,c'],
    ['save-restore', 'b,a,c'],
    ['save-restore', 'c,b,a'],
  ] as const)('%s, drop order %s: interrupts on throughout, no diagnostic', (irqDisable, orderText) => {
    const k = createKernel({ preemptRt: true, irqDisable })
    const initial = k.snapshot()
    const seen: boolean[] = []
    k.run((ctx) => {
      const g = takeThree(k, 'SpinLockIrq', ctx)
      seen.push(k.cpu(0).irqsDisabled)
      expect(k.cpu(0).interruptDisableCount).toBe(0)
      expect(k.cpu(0).preemptCount).toBe(0)
      expect(k.cpu(0).current.migrationDisabled).toBe(3)
      for (const n of orderText.split(',') as Name[]) {
        g[n].unlock()
        seen.push(k.cpu(0).irqsDisabled)
      }
    })
    expect(seen).toEqual([false, false, false, false])
    expect(k.diagnostics).toEqual([])
    expect(k.snapshot()).toEqual(initial)
  })
})
