/**
 * lockdep self-tests after lib/locking-selftest.c: each bad program gets its kind, the classes
 * involved and the kernel's exact title; each has a twin that must stay silent.
 * Programs the type rules refuse are written as plain JavaScript (casts through unknown).
 * The self-test's own cases, each with the kernel's expected outcome, are in selftest-oracle.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, KernelSplat, type Kernel, type KernelOptions } from '../../src/index.js'
import { DeadlockError } from '../../src/errors.js'
import { TITLES, kinds, loose, looseCtx, only, thrown } from './helpers.js'

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

// ── AA ──────────────────────────────────────────────────────────────────────────────────
describe.each(KERNELS)('AA: the same lock taken twice ($name)', ({ preemptRt }) => {
  it('same instance: recursive locking (lockdep), then the deadlock itself and DeadlockError', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const e = thrown(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 'unreachable'))))
    expect(e).toBeInstanceOf(DeadlockError)
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
    const r = only(k, 'recursive-locking')
    expect(r).toMatchObject({ title: TITLES.recursive, lock: "spinlock_t 'a'", heldLocks: ['a'], task: 'task-1' })
    expect(r.report.split('\n').slice(0, 4)).toEqual([
      '============================================',
      TITLES.recursive,
      '--------------------------------------------',
      'task-1/1 is trying to acquire lock:',
    ])
    expect(r.report).toContain('but task is already holding lock:')
    expect(r.report).toContain('  lock(a);\n  lock(a);\n\n *** DEADLOCK ***\n\n May be due to missing lock nesting notation')
    const d = only(k, 'deadlock')
    expect(d).toMatchObject({ lock: "spinlock_t 'a'", holder: { comm: 'task-1', pid: 1, cpu: 0 } })
    // spinning on a normal kernel (DEBUG_SPINLOCK's spin_bug() is silent once lockdep reported: the
    // soft-lockup watchdog), an rtmutex that blocks on RT in
    // TASK_RTLOCK_WAIT, which the hung-task detector does not look at (kernel/hung_task.c).
    expect(d.title).toBe(
      preemptRt
        ? 'lockproof: task task-1:1 blocked forever in TASK_RTLOCK_WAIT (not reported by the hung-task detector)'
        : 'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]',
    )
    expect(k.heldLocks()).toEqual([])
  })

  it('twin: the same lock taken twice one after the other, and a different class nested: silent', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => {
      a.withLocked(ctx, () => 0)
      a.withLocked(ctx, (c) => b.withLocked(c, () => 0))
      a.withLocked(ctx, () => 0)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('two instances of one class: recursive locking only (lockdep works on classes), no deadlock', () => {
    const k = createKernel({ preemptRt })
    const a1 = k.spinLock('a', { n: 1 })
    const a2 = k.spinLock('a', { n: 2 })
    expect(k.run((ctx) => a1.withLocked(ctx, (c) => loose(a2)(c, () => 'inner ran')))).toBe('inner ran')
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "spinlock_t 'a'", heldLocks: ['a'] })
  })

  it('twin: two instances of two classes: silent', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('rw_semaphore read-read: recursive locking (down_read is not a recursive read)', () => {
    const k = createKernel({ preemptRt })
    const sem = k.rwSemaphore('sem', {})
    k.run((ctx) => sem.withRead(ctx, (c) => loose(sem, 'withRead')(c, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "rw_semaphore 'sem'" })
  })

  it('twin: rw_semaphore read of two classes nested, and one class read twice in turn: silent', () => {
    const k = createKernel({ preemptRt })
    const s1 = k.rwSemaphore('s1', {})
    const s2 = k.rwSemaphore('s2', {})
    k.run((ctx) => {
      s1.withRead(ctx, (c) => s2.withRead(c, () => 0))
      s1.withRead(ctx, () => 0)
    })
    expect(k.diagnostics).toEqual([])
  })
})

describe('rwlock_t read-read recursion', () => {
  it('PREEMPT_RT: readers are recursive (rwbase): silent', () => {
    const k = createKernel({ preemptRt: true })
    const rw = k.rwLock('rw', {})
    expect(k.run((ctx) => rw.withRead(ctx, (c) => loose(rw, 'withRead')(c, () => 'ok')))).toBe('ok')
    expect(k.diagnostics).toEqual([])
  })

  it('normal kernel, task context: recursive locking (qrwlock readers are recursive only in interrupts)', () => {
    const k = createKernel({ preemptRt: false })
    const rw = k.rwLock('rw', {})
    expect(k.run((ctx) => rw.withRead(ctx, (c) => loose(rw, 'withRead')(c, () => 'ok')))).toBe('ok')
    expect(kinds(k)).toEqual(['recursive-locking'])
    expect(only(k, 'recursive-locking')).toMatchObject({ title: TITLES.recursive, lock: "rwlock_t 'rw'", heldLocks: ['rw'] })
  })

  it('twin, normal kernel, interrupt context (read_lock_is_recursive() is in_interrupt()): silent', () => {
    const k = createKernel({ preemptRt: false })
    const rw = k.rwLock('rw', {})
    let ran = false
    k.requestIrq(3, 'dev', (ctx) =>
      rw.withRead(ctx, (c) =>
        loose(rw, 'withRead')(c, () => {
          ran = true
        }),
      ),
    )
    k.run((ctx) => ctx.raiseIrq(3))
    expect(ran).toBe(true)
    expect(k.diagnostics).toEqual([])
  })
})

// ── ABBA, ABBCCA ────────────────────────────────────────────────────────────────────────
describe.each(KERNELS)('circular dependencies ($name)', ({ preemptRt }) => {
  it('ABBA in two tasks: circular dependency, lock a, held b, chain a → b', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
    const d = only(k, 'circular-dependency')
    expect(d).toMatchObject({
      title: TITLES.circular,
      lock: "spinlock_t 'a'",
      held: "spinlock_t 'b'",
      chain: ['a', 'b'],
      task: 'task-2',
      heldLocks: ['b'],
    })
    const lines = d.report.split('\n')
    expect(lines.slice(0, 4)).toEqual([
      '======================================================',
      TITLES.circular,
      '------------------------------------------------------',
      'task-2/2 is trying to acquire lock:',
    ])
    expect(d.report).toContain('which lock already depends on the new lock.')
    expect(d.report).toContain('the existing dependency chain (in reverse order) is:')
    // #1 is the held lock, #0 the one being taken.
    expect(lines.findIndex((l) => l.startsWith('-> #1 (b)'))).toBeLessThan(lines.findIndex((l) => l.startsWith('-> #0 (a)')))
    expect(d.report).not.toContain('Chain exists of:')
    expect(d.report).toContain('  lock(b);\n                               lock(a);\n                               lock(b);\n  lock(a);')
  })

  it('ABBCCA in three tasks: a chain of three, "Chain exists of:"', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const c = k.spinLock('c', {})
    k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (x) => c.withLocked(x, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => c.withLocked(ctx, (x) => a.withLocked(x, () => 0)))
    expect(kinds(k)).toEqual(['circular-dependency'])
    const d = only(k, 'circular-dependency')
    expect(d).toMatchObject({ title: TITLES.circular, lock: "spinlock_t 'a'", held: "spinlock_t 'c'", chain: ['a', 'b', 'c'], task: 'task-3' })
    expect(d.report).toContain('Chain exists of:\n  a --> b --> c\n')
    expect(d.report).toMatch(/-> #2 \(c\)[^\n]*\n[^\n]*taken while holding b/)
    expect(d.report).toMatch(/-> #1 \(b\)[^\n]*\n[^\n]*taken while holding a/)
  })

  it('twin: the order a → b → c kept in several tasks, nested and skipping: silent', () => {
    const k = createKernel({ preemptRt })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const c = k.spinLock('c', {})
    k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (x) => c.withLocked(x, () => 0)))
    k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, (y) => c.withLocked(y, () => 0))))
    k.run((ctx) => a.withLocked(ctx, (x) => c.withLocked(x, () => 0)))
    k.run((ctx) => c.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })
})

// ── hardirq-safe / hardirq-unsafe ────────────────────────────────────────────────────────
describe('inconsistent lock state: HARDIRQ (normal kernel, a threadable handler runs in hardirq)', () => {
  const setup = () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0))
    return { k, s }
  }

  it('used in the handler, then taken with irqs on: {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}', () => {
    const { k, s } = setup()
    k.run((ctx) => ctx.raiseIrq(3))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(kinds(k)).toEqual(['inconsistent-lock-state'])
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ title: TITLES.inconsistent, lock: "spinlock_t 's'", from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W', task: 'task-2' })
    expect(d.report.split('\n').slice(1, 5)).toEqual([
      TITLES.inconsistent,
      '--------------------------------',
      'inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.',
      'task-2/2 [HC0[0]:SC0[0]:HE1:SE1] takes:',
    ])
    expect(d.report).toContain('{IN-HARDIRQ-W} state was registered at:\n  by task-1/1 on CPU 0')
    expect(d.report).toContain('  lock(s);\n  <Interrupt>\n    lock(s);')
  })

  it('taken with irqs on first, then in the handler: {HARDIRQ-ON-W} -> {IN-HARDIRQ-W}', () => {
    const { k, s } = setup()
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => ctx.raiseIrq(3))
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ title: TITLES.inconsistent, lock: "spinlock_t 's'", from: 'HARDIRQ-ON-W', to: 'IN-HARDIRQ-W' })
    expect(d.report).toContain('inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.')
    expect(d.report).toContain('task-2/2 [HC1[1]:SC0[0]:HE0:SE1] takes:')
    expect(kinds(k)).toEqual(['inconsistent-lock-state'])
  })

  it('twin: the task takes it with spin_lock_irqsave(), before and after the handler: silent', () => {
    const { k, s } = setup()
    k.run((ctx) => s.withLockedIrqSave(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => s.withLockedIrqSave(ctx, () => 0))
    k.run((ctx) => s.withLockedIrq(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })
})

describe.each(KERNELS)('inconsistent lock state: HARDIRQ with raw_spinlock_t in an IRQF_NO_THREAD handler ($name)', ({ preemptRt }) => {
  it('used in the handler, then taken with irqs on: {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}; irqsave twin silent', () => {
    const k = createKernel({ preemptRt })
    const r = k.rawSpinLock('r', {})
    k.requestIrq(3, 'timer', (ctx) => r.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => r.withLockedIrqSave(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => r.withLocked(ctx, () => 0))
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ lock: "raw_spinlock_t 'r'", from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
  })
})

// ── softirq-safe / softirq-unsafe ────────────────────────────────────────────────────────
// Normal kernel only: PREEMPT_RT has no IN-SOFTIRQ usage (0c1d7a2c2d32, "lockdep: Remove softirq
// accounting on PREEMPT_RT"); its side is in test/lockdep/divergences.test.ts.
describe.each([KERNELS[0]])('inconsistent lock state: SOFTIRQ ($name)', ({ preemptRt }) => {
  const setup = () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    k.openSoftirq('TIMER', (ctx) => s.withLocked(ctx, () => 0))
    /** Runs the TIMER softirq in a task: raised with BH off, run at local_bh_enable(). */
    const softirq = () => k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    return { k, s, softirq }
  }

  it('used in the softirq, then taken with BH enabled: {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W}', () => {
    const { k, s, softirq } = setup()
    softirq()
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(kinds(k)).toEqual(['inconsistent-lock-state'])
    const d = only(k, 'inconsistent-lock-state')
    expect(d).toMatchObject({ title: TITLES.inconsistent, lock: "spinlock_t 's'", from: 'IN-SOFTIRQ-W', to: 'SOFTIRQ-ON-W' })
    expect(d.report).toContain('inconsistent {IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W} usage.')
  })

  it('taken with BH enabled first, then in the softirq: {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W}', () => {
    const { k, s, softirq } = setup()
    k.run((ctx) => s.withLocked(ctx, () => 0))
    softirq()
    expect(kinds(k)).toEqual(['inconsistent-lock-state'])
    expect(only(k, 'inconsistent-lock-state')).toMatchObject({ lock: "spinlock_t 's'", from: 'SOFTIRQ-ON-W', to: 'IN-SOFTIRQ-W' })
  })

  it('twin: the task takes it with spin_lock_bh(): silent', () => {
    const { k, s, softirq } = setup()
    k.run((ctx) => s.withLockedBh(ctx, () => 0))
    softirq()
    k.run((ctx) => s.withLockedBh(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })
})

describe('inconsistent lock state: SOFTIRQ raised from a hardirq handler (runs at irq exit, normal kernel)', () => {
  it('{IN-SOFTIRQ-W} -> {SOFTIRQ-ON-W}; the _bh twin silent', () => {
    for (const bh of [false, true]) {
      const k = createKernel()
      const s = k.spinLock('s', {})
      k.openSoftirq('NET_RX', (ctx) => s.withLocked(ctx, () => 0))
      k.requestIrq(9, 'nic', (ctx) => ctx.raiseSoftirq('NET_RX'))
      k.run((ctx) => ctx.raiseIrq(9))
      k.run((ctx) => (bh ? s.withLockedBh(ctx, () => 0) : s.withLocked(ctx, () => 0)))
      if (bh) expect(k.diagnostics).toEqual([])
      else expect(only(k, 'inconsistent-lock-state')).toMatchObject({ from: 'IN-SOFTIRQ-W', to: 'SOFTIRQ-ON-W' })
    }
  })
})

// ── irq inversion through dependencies ───────────────────────────────────────────────────
describe('irq inversion (normal kernel)', () => {
  const setup = () => {
    const k = createKernel()
    const x = k.spinLock('x', {})
    const y = k.spinLock('y', {})
    k.requestIrq(3, 'dev', (ctx) => x.withLocked(ctx, () => 0))
    return { k, x, y }
  }

  it('new dependency: x hardirq-safe, y hardirq-unsafe, then x → y: HARDIRQ-safe -> HARDIRQ-unsafe', () => {
    const { k, x, y } = setup()
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => y.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => x.withLockedIrqSave(ctx, (c) => y.withLocked(c, () => 0)))
    expect(kinds(k)).toEqual(['irq-inversion'])
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: TITLES.hardirqOrder, irq: 'HARDIRQ', via: 'new-dependency', safe: 'x', unsafe: 'y', chain: ['x', 'y'] })
    expect(d.report).toContain('task-3/3 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:')
    expect(d.report).toContain('which would create a new lock dependency:\n (x){-...}-{3:3} -> (y){+.+.}-{3:3}')
    expect(d.report).toContain('but this new dependency connects a HARDIRQ-irq-safe lock:')
    expect(d.report).toContain('to a HARDIRQ-irq-unsafe lock:')
  })

  it('new dependency through a middle lock: x → m already, m → y new: chain x, m, y', () => {
    const { k, x, y } = setup()
    const m = k.spinLock('m', {})
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => y.withLocked(ctx, () => 0))
    k.run((ctx) => x.withLockedIrqSave(ctx, (c) => m.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => m.withLockedIrqSave(ctx, (c) => y.withLocked(c, () => 0)))
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: TITLES.hardirqOrder, via: 'new-dependency', safe: 'x', unsafe: 'y', chain: ['x', 'm', 'y'] })
    expect(d.report).toContain('Chain exists of:\n  x --> m --> y')
  })

  it('usage change, backwards: x → y (irqsave), x used in hardirq, then y taken with irqs on', () => {
    const { k, x, y } = setup()
    k.run((ctx) => x.withLockedIrqSave(ctx, (c) => y.withLocked(c, () => 0)))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => y.withLocked(ctx, () => 0))
    expect(kinds(k)).toEqual(['irq-inversion'])
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: TITLES.inversion, irq: 'HARDIRQ', via: 'usage-change', safe: 'x', unsafe: 'y', chain: ['x', 'y'] })
    expect(d.report).toContain('task-3/3 just changed the state of lock:\n (y)')
    expect(d.report).toContain('but this lock was taken by another, HARDIRQ-safe lock in the past:\n (x)')
    expect(d.report).toContain('and interrupts could create inverse lock ordering between them.')
  })

  it('usage change, forwards: x → y (irqsave), y taken with irqs on, then x used in hardirq', () => {
    const { k, x, y } = setup()
    k.run((ctx) => x.withLockedIrqSave(ctx, (c) => y.withLocked(c, () => 0)))
    k.run((ctx) => y.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => ctx.raiseIrq(3))
    const d = only(k, 'irq-inversion')
    expect(d).toMatchObject({ title: TITLES.inversion, via: 'usage-change', safe: 'x', unsafe: 'y', chain: ['x', 'y'] })
    expect(d.report).toContain('but this lock took another, HARDIRQ-unsafe lock in the past:\n (y)')
  })

  it('twin: y only ever taken with irqs off: silent in every order', () => {
    const { k, x, y } = setup()
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => y.withLockedIrqSave(ctx, () => 0))
    k.run((ctx) => x.withLockedIrqSave(ctx, (c) => y.withLocked(c, () => 0)))
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => y.withLockedIrq(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })

  it('SOFTIRQ: x used in a softirq, y taken with BH on, then x (bh) → y: SOFTIRQ-safe -> SOFTIRQ-unsafe', () => {
    const k = createKernel()
    const x = k.spinLock('x', {})
    const y = k.spinLock('y', {})
    k.openSoftirq('TIMER', (ctx) => x.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('TIMER')))
    k.run((ctx) => y.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => x.withLockedBh(ctx, (c) => y.withLocked(c, () => 0)))
    expect(only(k, 'irq-inversion')).toMatchObject({ title: TITLES.softirqOrder, irq: 'SOFTIRQ', via: 'new-dependency', safe: 'x', unsafe: 'y' })
  })
})

// ── wait context ─────────────────────────────────────────────────────────────────────────
describe('invalid wait context', () => {
  it('spinlock_t inside raw_spinlock_t: invalid, naming both', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 0)))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    const d = only(k, 'invalid-wait-context')
    expect(d).toMatchObject({ title: TITLES.invalidWait, lock: "spinlock_t 'stats'", context: "raw_spinlock_t 'hw'", heldLocks: ['hw'] })
    expect(d.report.split('\n').slice(0, 3)).toEqual(['=============================', TITLES.invalidWait, '-----------------------------'])
  })

  it('twin: spinlock_t inside raw_spinlock_t with proveRawLockNesting: false on a normal kernel: silent', () => {
    const k = createKernel({ proveRawLockNesting: false })
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('twin: raw_spinlock_t inside spinlock_t, and spinlock_t inside spinlock_t: silent', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    const t = k.spinLock('table', {})
    k.run((ctx) => s.withLocked(ctx, (c) => t.withLocked(c, (c2) => raw.withLocked(c2, () => 0))))
    expect(k.diagnostics).toEqual([])
  })

  it('spinlock_t in an IRQF_NO_THREAD handler: invalid (hardirq context is LD_WAIT_SPIN)', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'timer', (ctx) => void loose(s)(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ title: TITLES.invalidWait, lock: "spinlock_t 's'", context: 'hardirq context' })
  })

  it('twin: spinlock_t in a threadable handler (LD_WAIT_CONFIG): silent; raw_spinlock_t in a no-thread one: silent', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    const r = k.rawSpinLock('r', {})
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0))
    k.requestIrq(4, 'timer', (ctx) => r.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => {
      ctx.raiseIrq(3)
      ctx.raiseIrq(4)
    })
    expect(k.diagnostics).toEqual([])
  })

  it('mutex inside spinlock_t: sleeping-in-atomic (might_sleep first), then invalid wait context', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => 0)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ title: TITLES.invalidWait, lock: "mutex 'm'", context: "spinlock_t 's'" })
    expect(only(k, 'sleeping-in-atomic')).toMatchObject({ title: TITLES.sleeping, what: "mutex 'm'" })
  })

  it('twin: spinlock_t inside a mutex: silent', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    k.run((ctx) => m.withLocked(ctx, (c) => s.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('local_lock_t inside raw_spinlock_t: invalid', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('hw', {})
    const ll = k.localLock('pcp', () => ({}))
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(ll)(c, () => 0)))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
    expect(only(k, 'invalid-wait-context')).toMatchObject({ title: TITLES.invalidWait, lock: "local_lock_t 'pcp'", context: "raw_spinlock_t 'hw'" })
  })

  it('twin: raw_spinlock_t inside local_lock_t: silent', () => {
    const k = createKernel()
    const raw = k.rawSpinLock('hw', {})
    const ll = k.localLock('pcp', () => ({}))
    k.run((ctx) => ll.withLocked(ctx, (c) => raw.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})

describe('the order of the checks in __lock_acquire(): check_wait_context() before mark_usage()', () => {
  // kernel/locking/lockdep.c __lock_acquire():
  //   if (check_wait_context(curr, hlock)) return 0;
  //   /* Initialize the lock usage bit */
  //   if (!mark_usage(curr, hlock, check)) return 0;
  // One acquisition that is both an invalid wait context and an inconsistent usage: the kernel
  // prints the wait-context splat and turns lockdep off, so the usage bug is never printed.
  it('spinlock_t taken with irqs on, then in an IRQF_NO_THREAD handler: invalid wait context only', () => {
    const k = createKernel()
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'timer', (ctx) => void loose(s)(ctx, () => 0), { noThread: true })
    k.run((ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(3))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
  })
})

// ── might_sleep ──────────────────────────────────────────────────────────────────────────
describe('might_sleep()', () => {
  // msleep() has no might_sleep() (kernel/time/sleep_timeout.c): schedule() reports, not __might_resched().
  it('msleep() inside preempt_disable(): scheduling while atomic only (lockdep does not see preempt_disable)', () => {
    const k = createKernel()
    k.run((ctx) => ctx.preemptDisable((c) => looseCtx(c).msleep(5)))
    expect(kinds(k)).toEqual(['scheduling-while-atomic'])
    const d = only(k, 'scheduling-while-atomic')
    expect(d).toMatchObject({ title: 'BUG: scheduling while atomic: task-1/1/0x00000002', what: 'msleep()', preemptCount: 1, irqsDisabled: false })
  })

  it("PREEMPT_RT: msleep() inside spinlock_t: preempt_count 0, so rcu_note_context_switch()'s warning (its RCU section)", () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', {})
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).msleep(5)))
    expect(kinds(k)).toEqual(['kernel-warning'])
    expect(only(k, 'kernel-warning')).toMatchObject({ warning: 'rcu-voluntary-context-switch', preemptCount: 0, heldLocks: ['s'] })
  })

  it.each(KERNELS)('twin ($name): msleep() in plain task context and under a mutex: silent', ({ preemptRt }) => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    k.run((ctx) => {
      ctx.msleep(1)
      m.withLocked(ctx, (c) => c.msleep(1))
    })
    expect(k.diagnostics).toEqual([])
  })
})

// ── MAX_LOCK_DEPTH ───────────────────────────────────────────────────────────────────────
describe.each(KERNELS)('MAX_LOCK_DEPTH ($name)', ({ preemptRt }) => {
  const nest = (k: Kernel, n: number): number => {
    const locks = Array.from({ length: n }, (_, i) => k.rawSpinLock(`l${i}`, {}))
    let deepest = 0
    const go = (ctx: unknown, i: number): void => {
      if (i === locks.length) {
        deepest = k.heldLocks().length
        return
      }
      loose(locks[i] as object)(ctx, (c) => go(c, i + 1))
    }
    k.run((ctx) => go(ctx, 0))
    return deepest
  }

  it('48 nested distinct raw spinlocks: BUG: MAX_LOCK_DEPTH too low!, depth 48', () => {
    const k = createKernel({ preemptRt })
    expect(nest(k, 48)).toBe(48)
    expect(kinds(k)).toEqual(['max-lock-depth'])
    const d = only(k, 'max-lock-depth')
    expect(d).toMatchObject({ title: TITLES.maxDepth, depth: 48 })
    expect(d.report).toContain('depth: 48  max: 48!')
    expect(k.heldLocks()).toEqual([])
  })

  it('twin: 47 nested: silent', () => {
    const k = createKernel({ preemptRt })
    expect(nest(k, 47)).toBe(47)
    expect(k.diagnostics).toEqual([])
  })
})

// ── keepGoing, lockdep: false, onDiagnostic ──────────────────────────────────────────────
describe('debug_locks_off(): the first report turns lockdep off', () => {
  const twoProblems = (options: KernelOptions) => {
    const k = createKernel(options)
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const raw = k.rawSpinLock('hw', {})
    const s = k.spinLock('stats', {})
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 0)))
    k.run((ctx) => raw.withLocked(ctx, (c) => loose(s)(c, () => 0)))
    return { k, a }
  }

  it('keepGoing: two independent problems are both reported', () => {
    const { k } = twoProblems({ lockdep: { keepGoing: true } })
    expect(kinds(k)).toEqual(['circular-dependency', 'invalid-wait-context'])
  })

  it('default: only the first; a later AA still gives the deadlock (not lockdep) diagnostic', () => {
    const { k, a } = twoProblems({})
    expect(kinds(k)).toEqual(['circular-dependency'])
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 0)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['circular-dependency', 'deadlock'])
  })

  it('keepGoing: a later AA gives both recursive locking and the deadlock', () => {
    const { k, a } = twoProblems({ lockdep: { keepGoing: true } })
    expect(() => k.run((ctx) => a.withLocked(ctx, (c) => loose(a)(c, () => 0)))).toThrow(DeadlockError)
    expect(kinds(k)).toEqual(['circular-dependency', 'invalid-wait-context', 'recursive-locking', 'deadlock'])
  })

  it('might_sleep is not lockdep: it still reports after lockdep turned itself off', () => {
    const { k } = twoProblems({})
    k.run((ctx) => ctx.preemptDisable((c) => looseCtx(c).mightSleep()))
    expect(kinds(k)).toEqual(['circular-dependency', 'sleeping-in-atomic'])
  })
})

describe('lockdep: false', () => {
  it('the ABBA and the inconsistent-state programs are silent', () => {
    const k = createKernel({ lockdep: false })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    const s = k.spinLock('s', {})
    k.requestIrq(3, 'dev', (ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 0)))
    k.run((ctx) => ctx.raiseIrq(3))
    k.run((ctx) => s.withLocked(ctx, () => 0))
    expect(k.diagnostics).toEqual([])
  })
})

describe.each(KERNELS)("onDiagnostic: 'throw' ($name)", ({ preemptRt }) => {
  it('ABBA: KernelSplat carrying the circular dependency; CPU state and held locks restored', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const a = k.spinLock('a', {})
    const b = k.spinLock('b', {})
    k.run((ctx) => a.withLocked(ctx, (c) => b.withLocked(c, () => 0)))
    const before = k.snapshot()
    let innerRan = false
    const e = thrown(() =>
      k.run((ctx) =>
        b.withLocked(ctx, (c) =>
          a.withLocked(c, () => {
            innerRan = true
          }),
        ),
      ),
    )
    expect(e).toBeInstanceOf(KernelSplat)
    const splat = e as KernelSplat
    expect(splat.diagnostic.kind).toBe('circular-dependency')
    expect(splat.diagnostic).toBe(k.diagnostics[0])
    expect(splat.message.split('\n')[0]).toBe(TITLES.circular)
    expect(innerRan).toBe(false)
    expect(k.snapshot()).toEqual(before)
    expect(k.heldLocks()).toEqual([])
    // Neither lock was left owned; lockdep is off now, so the same order is silent.
    expect(k.run((ctx) => b.withLocked(ctx, (c) => a.withLocked(c, () => 'again')))).toBe('again')
    expect(kinds(k)).toEqual(['circular-dependency'])
  })

  it('inconsistent lock state thrown inside an outer section: that section continues as it was', () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    const outer = k.mutex('outer', {})
    const s = k.rawSpinLock('s', {})
    k.requestIrq(3, 'timer', (ctx) => s.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    let caught: unknown
    let same = false
    k.run((ctx) =>
      outer.withLocked(ctx, (c) => {
        const inside = k.snapshot()
        try {
          s.withLocked(c, () => 0)
        } catch (e) {
          caught = e
        }
        same = JSON.stringify(k.snapshot()) === JSON.stringify(inside)
        expect(k.heldLocks()).toEqual(['outer'])
      }),
    )
    expect((caught as KernelSplat).diagnostic).toMatchObject({ kind: 'inconsistent-lock-state', from: 'IN-HARDIRQ-W', to: 'HARDIRQ-ON-W' })
    expect(same).toBe(true)
    expect(k.heldLocks()).toEqual([])
  })
})
