/**
 * Where lockproof's validator differed from kernel/locking/lockdep.c (issue #13, "Divergences
 * to fix"): each case asserts the kernel's report (or its absence) on the configurations where
 * it applies, next to the nearest valid pattern. docs/SEMANTICS.md §6 quotes the sources.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { DoubleUnlockError } from '../../src/errors.js'
import { looseGuard } from '../guards/helpers.js'
import { TITLES, kinds, loose, only, thrown } from './helpers.js'

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

// ── 1. NMI: lockdep_off(); lock_acquire() runs only verify_lock_unused() ──────────────────
describe.each(KERNELS)('1. NMI ($name)', ({ preemptRt }) => {
  it('a class used before, taken in NMI: inconsistent {INITIAL USE} -> {IN-NMI} usage, and lockdep turns off', () => {
    const k = createKernel({ preemptRt })
    const a = k.rawSpinLock('a', {})
    k.requestNmi('perf', (ctx) => loose(a)(ctx, () => 0))
    k.run((ctx) => a.withLocked(ctx, () => 0))
    k.raiseNmi('perf')
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ title: TITLES.inconsistent, lock: "raw_spinlock_t 'a'", from: 'INITIAL USE', to: 'IN-NMI' })
    expect(d.report).toContain('inconsistent {INITIAL USE} -> {IN-NMI} usage.')
    expect(d.report).toContain('{INITIAL USE} state was registered at:\n  by task-1/1 on CPU 0')
    expect(k.lockdepStats().active).toBe(false)
  })

  it('twin: a class first taken in NMI marks nothing: later task and hardirq use stay silent', () => {
    const k = createKernel({ preemptRt })
    const a = k.rawSpinLock('a', {})
    k.requestNmi('perf', (ctx) => loose(a)(ctx, () => 0))
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
    k.raiseNmi('perf')
    expect(k.lockdepStats()).toMatchObject({ active: true, classes: 0 }) // look_up_lock_class() registers nothing
    // Full lockdep in NMI would have marked IN-HARDIRQ-W and reported this task's use.
    k.run((ctx) => a.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats()).toMatchObject({ active: true, classes: 1, chains: 1 })
  })

  it('twin: a read lock used only for read (RCU-like) is no conflict in NMI (RT: a sleeping lock, the scheduler reports it)', () => {
    const k = createKernel({ preemptRt })
    const rw = k.rwLock('rw', {})
    k.requestNmi('perf', (ctx) => loose(rw, 'withRead')(ctx, () => 0))
    k.run((ctx) => rw.withRead(ctx, () => 0))
    k.raiseNmi('perf')
    expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
  })

  it('a write lock in NMI of a class used for read only: inconsistent {INITIAL USE} -> {IN-NMI} (normal kernel)', () => {
    const k = createKernel({ preemptRt })
    const rw = k.rwLock('rw', {})
    k.requestNmi('perf', (ctx) => loose(rw, 'withWrite')(ctx, () => 0))
    k.run((ctx) => rw.withRead(ctx, () => 0))
    k.raiseNmi('perf')
    expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic', 'inconsistent-lock-state'] : ['inconsistent-lock-state'])
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ from: 'INITIAL USE', to: 'IN-NMI' })
  })

  it('no wait-context check in NMI: spinlock_t there is silent for lockdep (RT: still the scheduler’s might-sleep)', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.requestNmi('perf', (ctx) => loose(s)(ctx, () => 0))
    k.raiseNmi('perf')
    expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
    if (preemptRt) expect(only(k, 'sleeping-in-atomic').title).toBe(TITLES.sleeping)
  })
})

// ── 2. No softirq accounting on PREEMPT_RT ─────────────────────────────────────────────────
describe('2. softirq usage (0c1d7a2c2d32)', () => {
  const setup = (preemptRt: boolean) => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.openSoftirq('TIMER', (ctx) => s.withLockedIrqSave(ctx, () => 0))
    k.run((ctx) => s.withLockedIrqSave(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    return k
  }

  it('PREEMPT_RT: spin_lock_irqsave() in a task and in a TIMER softirq is silent (no IN-SOFTIRQ state)', () => {
    expect(setup(true).diagnostics).toEqual([])
  })

  it('PREEMPT_RT: even plain spin_lock() in both is silent', () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', {})
    k.openSoftirq('TIMER', (ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    expect(k.diagnostics).toEqual([])
  })

  it('PREEMPT_RT: a report from a softirq prints SC0 (no softirq_context) with the softirq count SC0[1]', () => {
    const k = createKernel({ preemptRt: true })
    const r = k.rawSpinLock('r', {})
    k.requestIrq(4, 'dev', (ctx) => r.withLocked(ctx, () => 0), { noThread: true })
    k.openSoftirq('TIMER', (ctx) => loose(r)(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
    expect(d.report).toContain('[HC0[0]:SC0[1]:HE1:SE0] takes:')
  })

  it('normal kernel: irqsave in the task keeps SOFTIRQ-ON away: silent; plain spin_lock() is {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}', () => {
    expect(setup(false).diagnostics).toEqual([])
    const k = createKernel()
    const s = k.spinLock('s', {})
    k.openSoftirq('TIMER', (ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ from: 'SOFTIRQ-ON-W', to: 'IN-SOFTIRQ-W' })
  })
})

// ── 3. read_lock_is_recursive(): in_interrupt() counts BH-disabled ────────────────────────
describe('3. recursive reads with bottom halves off (normal kernel)', () => {
  it('read_lock_bh(A); read_lock(A): silent', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    k.run((ctx) => a.withReadBh(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().active).toBe(true)
  })

  it('two read_lock(A) under local_bh_disable(): silent', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    k.run((ctx) => ctx.localBhDisable((c) => a.withRead(c, (c2) => loose(a, 'withRead')(c2, () => 0))))
    expect(k.diagnostics).toEqual([])
  })

  it('twin: the same two reads with BH on are not recursive (qrwlock): possible recursive locking', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    k.run((ctx) => a.withRead(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "rwlock_t 'a'" })
  })

  it('twin: interrupts off alone change no count: read_lock_irqsave(A); read_lock(A) is possible recursive locking', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    k.run((ctx) => a.withReadIrqSave(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "rwlock_t 'a'" })
  })

  it('twin: two read_lock(A) under local_irq_save(): possible recursive locking', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    k.run((ctx) => ctx.core.localIrqSave((c) => loose(a, 'withRead')(c, (c2) => loose(a, 'withRead')(c2, () => 0))))
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "rwlock_t 'a'" })
  })

  it('PREEMPT_RT: every reader is recursive, so read_lock_irqsave(A); read_lock(A) is silent', () => {
    const k = createKernel({ preemptRt: true })
    const a = k.rwLock('a', {})
    k.run((ctx) => a.withReadIrqSave(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('twin: read then write under local_bh_disable() is still recursive locking', () => {
    const k = createKernel()
    const a = k.rwLock('a', {})
    thrown(() => k.run((ctx) => ctx.localBhDisable((c) => a.withRead(c, (c2) => loose(a, 'withWrite')(c2, () => 0)))))
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
    expect(only(k, 'recursive-locking').lock).toBe("rwlock_t 'a'")
  })
})

// ── 4. Readers in the dependency graph (check_prevs_add(), __bfs() strong paths) ─────────
describe.each(KERNELS)('4. readers in the dependency graph ($name)', ({ preemptRt }) => {
  it('read_lock(A) → spin_lock(B), then spin_lock(B) → write_lock(A): possible circular locking dependency', () => {
    const k = createKernel({ preemptRt })
    const a = k.rwLock('A', {})
    const b = k.spinLock('B', {})
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a, 'withWrite')(c, () => 0)))
    const d = only(k, 'circular-dependency')
    expect(d).toMatchObject({ title: TITLES.circular, lock: "rwlock_t 'A'", held: "spinlock_t 'B'", chain: ['A', 'B'] })
    expect(d.report).toContain('  lock(B);')
    expect(d.report).toContain('       taken while holding A')
  })

  it('the scenario names a reader held as rlock(): write_lock(A) → spin_lock(B), then spin_lock(B) held, read_lock(A)', () => {
    const k = createKernel({ preemptRt })
    const a = k.rwLock('A', {})
    const b = k.spinLock('B', {})
    k.run((ctx) => a.withWrite(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    // A -(EN)-> B then B -(E*)-> A is strong whether the reader is recursive (RT) or not.
    expect(only(k, 'circular-dependency').report).toContain('  rlock(A);\n\n *** DEADLOCK ***')
  })

  it('twin: read_lock(A) → spin_lock(B), then spin_lock(B) → read_lock(A) (RT: two recursive reads, no strong cycle)', () => {
    const k = createKernel({ preemptRt })
    const a = k.rwLock('A', {})
    const b = k.spinLock('B', {})
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    if (preemptRt) {
      expect(k.diagnostics).toEqual([])
      expect(k.lockdepStats().dependencies).toBe(2)
    } else {
      // qrwlock task readers are not recursive (read == 1): B -(EN)-> A closes A -(SN)-> B.
      expect(only(k, 'circular-dependency').chain).toEqual(['A', 'B'])
    }
  })

  it("the selftest's rlock_chaincache_ABBA1: read then write of A → B widens the edge to -(SN|EN)->, so B → read A is a cycle", () => {
    const k = createKernel({ preemptRt })
    const a = k.rwLock('A', {})
    const b = k.spinLock('B', {})
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => a.withWrite(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(1)
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a, 'withRead')(c, () => 0)))
    expect(only(k, 'circular-dependency').chain).toEqual(['A', 'B'])
  })

  it('recursive readers add dependencies: RT read_lock(A) → spin_lock(B) is one edge', () => {
    const k = createKernel({ preemptRt })
    const a = k.rwLock('A', {})
    const b = k.spinLock('B', {})
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.lockdepStats().dependencies).toBe(1)
    expect(k.diagnostics).toEqual([])
  })
})

// ── 4b. read usage through the graph (exclusive_mask(), the lockdep.c comment's P1/P2 case) ──
describe('4b. read usage (normal kernel)', () => {
  /** P1: write_lock_irq(l1); write_lock(l2). P2: read_lock(l2) with interrupts on. IRQ: read_lock(l1). */
  const setup = () => {
    const k = createKernel()
    const l1 = k.rwLock('l1', {})
    const l2 = k.rwLock('l2', {})
    k.requestIrq(4, 'dev', (ctx) => l1.withRead(ctx, () => 0))
    return { k, l1, l2 }
  }

  it('the interrupt reads l1 last: possible irq lock inversion, "took another, HARDIRQ-READ-unsafe lock"', () => {
    const { k, l1, l2 } = setup()
    k.run((ctx) => l1.withWriteIrq(ctx, (c) => l2.withWrite(c, () => 0)))
    k.run((ctx) => l2.withRead(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: TITLES.inversion, via: 'usage-change', irq: 'HARDIRQ', safe: 'l1', unsafe: 'l2' })
    expect(d.report).toContain('but this lock took another, HARDIRQ-READ-unsafe lock in the past:')
  })

  it('the dependency comes last: WARNING: HARDIRQ-READ-safe -> HARDIRQ-READ-unsafe lock order detected', () => {
    const { k, l1, l2 } = setup()
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => l2.withRead(ctx, () => 0))
    k.run((ctx) => l1.withWriteIrq(ctx, (c) => l2.withWrite(c, () => 0)))
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: 'WARNING: HARDIRQ-READ-safe -> HARDIRQ-READ-unsafe lock order detected', via: 'new-dependency', safe: 'l1', unsafe: 'l2' })
    expect(d.report).toContain('but this new dependency connects a HARDIRQ-READ-irq-safe lock:')
  })

  it('twin: l2 read only with interrupts off: silent', () => {
    const { k, l1, l2 } = setup()
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => l2.withReadIrq(ctx, () => 0))
    k.run((ctx) => l1.withWriteIrq(ctx, (c) => l2.withWrite(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})

// ── 5. usage_skip(): local_lock_t is skipped in irq-inversion searches ────────────────────
describe('5. usage_skip() (normal kernel)', () => {
  it('hardirq-safe lock → local_lock(L), L taken with interrupts on elsewhere: silent', () => {
    const k = createKernel()
    const a = k.spinLock('A', {})
    const l = k.localLock('L', () => ({}))
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => l.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => loose(l)(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(1)
  })

  it('twin: the same with a spinlock_t in place of the local_lock_t: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected', () => {
    const k = createKernel()
    const a = k.spinLock('A', {})
    const s = k.spinLock('S', {})
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => loose(s)(c, () => 0)))
    expect(only(k, 'irq-inversion')).toMatchObject({ title: TITLES.hardirqOrder, safe: 'A', unsafe: 'S', via: 'new-dependency' })
  })
})

// ── 6. mark_held_locks() when interrupts / bottom halves come back on ─────────────────────
describe.each(KERNELS)('6. mark_held_locks() ($name)', ({ preemptRt }) => {
  it('an IRQ-safe lock still held when a nested _irq unlock turns interrupts back on: {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}', () => {
    // Out-of-order guard drops that would do this are refused (GuardOrderError); untyped code can
    // still nest raw_spin_lock_irq() inside an irqsave section, whose unlock enables interrupts.
    const k = createKernel({ preemptRt })
    const x = k.rawSpinLock('x', {})
    const a = k.rawSpinLock('a', {})
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => loose(x, 'withLockedIrq')(c, () => 0)))
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ lock: "raw_spinlock_t 'a'", from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
    expect(d.report).toContain('1 lock held by task-2/2:\n #0: (a){?...}-{2:2}')
  })

  it('twin: the guards dropped in order: silent', () => {
    const k = createKernel({ preemptRt, irqDisable: 'save-restore' })
    const x = k.rawSpinLock('x', {})
    const a = k.rawSpinLock('a', {})
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => {
      const gx = looseGuard(x, 'lockIrqSave')(ctx)
      const ga = looseGuard(a, 'lockIrqSave')(gx.ctx)
      ga.unlock()
      gx.unlock()
    })
    expect(k.diagnostics).toEqual([])
  })

  it('a softirq-safe map still held when bottom halves come back on: {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} (normal kernel; RT has no IN-SOFTIRQ)', () => {
    // A lockdep map is held without a scope of its own, so the BH guard below it may go first.
    const k = createKernel({ preemptRt })
    const x = k.spinLock('x', {})
    const m = k.lockMap('m')
    k.openSoftirq('TIMER', (ctx) => {
      m.acquire(ctx)
      m.release(ctx)
    })
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    k.run((ctx) => {
      const gx = x.lockBh(ctx)
      m.acquire(gx.ctx)
      gx.unlock()
      m.release(ctx)
    })
    if (preemptRt) expect(k.diagnostics).toEqual([])
    else expect(only(k, 'inconsistent-lock-state')).toMatchObject({ lock: "lockdep_map 'm'", from: 'IN-SOFTIRQ-W', to: 'SOFTIRQ-ON-W' })
  })
})

// ── reacquire_held_locks(): a lock released from the middle re-acquires the ones above it ──
describe.each(KERNELS)('out-of-order release: reacquire_held_locks() ($name)', ({ preemptRt }) => {
  it('a, b, c held, b released first: c is acquired again over a, a new chain [a, c] with the edge a -> c', () => {
    const k = createKernel({ preemptRt })
    const [a, b, c] = ['a', 'b', 'c'].map((n) => k.rawSpinLock(n, {}))
    k.run((ctx) => {
      const ga = looseGuard(a as object, 'lock')(ctx)
      const gb = looseGuard(b as object, 'lock')(ga.ctx)
      const gc = looseGuard(c as object, 'lock')(gb.ctx)
      expect(k.lockdepStats().dependencies).toBe(2)
      gb.unlock()
      expect(k.lockdepStats()).toMatchObject({ dependencies: 3, chains: 4 })
      gc.unlock()
      ga.unlock()
    })
    expect(k.diagnostics).toEqual([])
    expect(k.readProc('/proc/lockdep')).toContain(': a\n -> [ffffffff82000020] b\n -> [ffffffff82000030] c\n')
  })

  it('twin: released innermost first: nothing is re-acquired', () => {
    const k = createKernel({ preemptRt })
    const [a, b, c] = ['a', 'b', 'c'].map((n) => k.rawSpinLock(n, {}))
    k.run((ctx) => {
      const ga = looseGuard(a as object, 'lock')(ctx)
      const gb = looseGuard(b as object, 'lock')(ga.ctx)
      const gc = looseGuard(c as object, 'lock')(gb.ctx)
      gc.unlock()
      gb.unlock()
      ga.unlock()
    })
    expect(k.lockdepStats()).toMatchObject({ dependencies: 2, chains: 3 })
  })
})

// ── 7. print_unlock_imbalance_bug(): debug_locks_off() first ──────────────────────────────
describe('7. bad unlock balance', () => {
  it('turns lockdep off and prints "other info that might help us debug this:"; a later ABBA is not reported', () => {
    const k = createKernel()
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => {
      const g = a.lock(ctx)
      g.unlock()
      expect(thrown(() => g.unlock())).toBeInstanceOf(DoubleUnlockError)
    })
    const d = only(k, 'bad-unlock-balance')
    expect(d.report).toContain('but there are no more locks to release!\n\nother info that might help us debug this:\nno locks held by task-1/1.')
    expect(k.lockdepStats().active).toBe(false)
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a)(c, () => 0)))
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
  })

  it('a second bad unlock once lockdep is off prints nothing (still refused)', () => {
    const k = createKernel()
    const a = k.spinLock('a', {})
    k.run((ctx) => {
      const g = a.lock(ctx)
      g.unlock()
      expect(() => g.unlock()).toThrow(DoubleUnlockError)
      expect(() => g.unlock()).toThrow(DoubleUnlockError)
    })
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
  })

  it('twin: keepGoing keeps lockdep on after it', () => {
    const k = createKernel({ lockdep: { keepGoing: true } })
    const a = k.spinLock('a', {})
    k.run((ctx) => {
      const g = a.lock(ctx)
      g.unlock()
      expect(() => g.unlock()).toThrow(DoubleUnlockError)
    })
    expect(k.lockdepStats().active).toBe(true)
  })
})

// ── 8. report details ──────────────────────────────────────────────────────────────────────
describe('8. report details', () => {
  it('MAX_LOCK_DEPTH lists all 48 held locks (the depth is incremented before the check)', () => {
    const k = createKernel()
    const locks = Array.from({ length: 48 }, (_, i) => k.rawSpinLock(`r${i}`, {}))
    const nest = (ctx: unknown, i: number): number => (i === locks.length ? i : (loose(locks[i] as object)(ctx, (c) => nest(c, i + 1)) as number))
    k.run((ctx) => nest(ctx, 0))
    const d = only(k, 'max-lock-depth')
    expect(d.report).toContain('48 locks held by task-1/1:')
    expect(d.report).toContain(' #47: (r47)')
  })

  it('proveRawLockNesting: false: a mutex prints {3:3} in every line (class and held-lock lists)', () => {
    const k = createKernel({ proveRawLockNesting: false })
    const m = k.mutex('m', {})
    const m2 = k.mutex('m2', {})
    const s = k.spinLock('s', {})
    k.run((ctx) => m.withLocked(ctx, (c) => s.withLocked(c, (c2) => loose(m2)(c2, () => 0))))
    const d = only(k, 'invalid-wait-context')
    expect(d.report).toContain(' (m2){....}-{3:3}, mutex')
    expect(d.report).toContain(' #0: (m){+.+.}-{3:3}, mutex')
    expect(d.report).toContain(' #1: (s){+.+.}-{2:2}, spinlock_t')
    expect(d.report).toContain('context-{4:4}') // LD_WAIT_MAX is 4 without RAW nesting
    expect(d.report).not.toMatch(/\)\{[.+?-]{4}\}-\{4:4\}/)
  })

  it('irq_context is 2*hardirq + softirq: a hardirq taken while serving softirqs starts chain context 3', () => {
    const k = createKernel()
    const a = k.rawSpinLock('a', {})
    const b = k.rawSpinLock('b', {})
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
    k.openSoftirq('NET_RX', (ctx) => b.withLockedIrqSave(ctx, (c) => c.raiseIrq(4)))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    k.requestIrq(5, 'dev2', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(5))
    // Chains: b (softirq, 1); a in the hardirq while serving softirqs (3); a in a plain hardirq (2).
    expect(k.lockdepStats().chains).toBe(3)
    expect(k.diagnostics).toEqual([])
  })
})
