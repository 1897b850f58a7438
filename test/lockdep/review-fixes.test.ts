/**
 * Runtime divergences from kernel/locking/lockdep.c found in review (docs/SEMANTICS.md §6.4):
 * each case asserts the kernel's behaviour where it applies, next to a silent valid twin.
 */
import { describe, expect, it } from 'vitest'
import { NO_VALIDATE_KEY, createKernel, lockdepSetNovalidateClass } from '../../src/index.js'
import { TITLES, kinds, loose, only } from './helpers.js'

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

// ── 1. hlock_id(): `class_idx | (read << MAX_LOCKDEP_KEYS_BITS)`, so read 1 and 2 are two chains ──
describe('1. the chain cache keys by hlock->read 0/1/2 (normal kernel: qrwlock readers are recursive only in interrupt)', () => {
  it('[B, A(read=2)] under local_bh_disable() does not hide [B, A(read=1)]: read_lock(A); spin_lock(B) is a circular dependency', () => {
    const k = createKernel()
    const a = k.rwLock('A', 0)
    const b = k.spinLock('B', 0)
    k.run((ctx) => ctx.localBhDisable((c) => b.withLocked(c, (c2) => a.withRead(c2, () => 0))))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withRead(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    const d = only(k, 'circular-dependency')
    expect(d).toMatchObject({ title: TITLES.circular, lock: "spinlock_t 'B'", held: "rwlock_t 'A'" })
  })

  it('twin: only the recursive read B -> A(read=2): read_lock(A); spin_lock(B) is silent (B -(ER)-> A, no strong cycle)', () => {
    const k = createKernel()
    const a = k.rwLock('A', 0)
    const b = k.spinLock('B', 0)
    k.run((ctx) => ctx.localBhDisable((c) => b.withLocked(c, (c2) => a.withRead(c2, () => 0))))
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('PREEMPT_RT: rwlock_t readers are always recursive (read == 2): the same three runs are silent', () => {
    const k = createKernel({ preemptRt: true })
    const a = k.rwLock('A', 0)
    const b = k.spinLock('B', 0)
    k.run((ctx) => ctx.localBhDisable((c) => b.withLocked(c, (c2) => a.withRead(c2, () => 0))))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withRead(c, () => 0)))
    k.run((ctx) => a.withRead(ctx, (c) => b.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('/proc/lockdep_chains lists both chains, each as lc_show() prints it (class names only, no read state)', () => {
    const k = createKernel()
    const a = k.rwLock('A', 0)
    const b = k.spinLock('B', 0)
    k.run((ctx) => ctx.localBhDisable((c) => b.withLocked(c, (c2) => a.withRead(c2, () => 0))))
    k.run((ctx) => b.withLocked(ctx, (c) => a.withRead(c, () => 0)))
    const chains = k.readProc('/proc/lockdep_chains').split('\n\n')
    const ba = chains.filter((c) => /\] B\n\[[0-9a-f]+\] A$/.test(c))
    expect(ba).toHaveLength(2)
    expect(ba[0]).toMatch(/^(all lock chains:\n)?irq_context: 0\n\[[0-9a-f]+\] B\n\[[0-9a-f]+\] A$/)
    expect(k.lockdepStats().chains).toBe(3) // [B], [B, A(read=2)], [B, A(read=1)]
  })
})

// ── 3. mark_held_locks(): `if (!hlock->check) continue;` ────────────────────────────────────
/** The /proc/lockdep line of class `name`: `... FD: BD: <usage>: name`. */
const usageOf = (k: ReturnType<typeof createKernel>, name: string): string | undefined =>
  k
    .readProc('/proc/lockdep')
    .split('\n')
    .find((l) => l.endsWith(`: ${name}`))
    ?.split(' ')
    .at(-2)
    ?.replace(/:$/, '')

describe.each(KERNELS)('3. mark_held_locks() skips check == 0 entries ($name)', ({ preemptRt }) => {
  // An irqsave section whose inner raw_spin_lock_irq()/unlock turns interrupts back on (untyped code).
  const scenario = (novalidate: boolean) => {
    const k = createKernel({ preemptRt })
    const x = k.rawSpinLock('x', 0)
    const a = k.rawSpinLock('a', 0)
    if (novalidate) lockdepSetNovalidateClass(a)
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => loose(x, 'withLockedIrq')(c, () => 0)))
    // lockproof's own proof check reports the falsified irqsave section; lockdep reports nothing.
    expect(kinds(k)).toEqual(['proof-falsified'])
    return k
  }

  it('a lockdep_set_novalidate_class() lock held when interrupts come back on gets no ENABLED usage: ....', () => {
    expect(usageOf(scenario(true), NO_VALIDATE_KEY)).toBe('....')
  })

  it('twin: the same lock checked gets HARDIRQ-ON-W and SOFTIRQ-ON-W there: +.+.', () => {
    expect(usageOf(scenario(false), 'a')).toBe('+.+.')
  })
})

// ── 4. __lock_acquire(): the nest_lock merge (`return 2`) comes before the "not held" check ──
type LooseNested = (ctx: unknown, arg: unknown, cb: (ctx: unknown) => unknown) => unknown
const looseNested = (lock: object, method: string): LooseNested => (lock as unknown as Record<string, LooseNested>)[method] as LooseNested

describe.each(KERNELS)('4. nest_lock: a same-class acquisition is merged before the nest lock is looked for ($name)', ({ preemptRt }) => {
  it('m1; nest(m2, n) with m1, m2 one class and n not held: merged into m1 (hlock->references), silent', () => {
    const k = createKernel({ preemptRt })
    const m1 = k.mutex('m', 0)
    const m2 = k.mutex('m', 0)
    const n = k.mutex('n', 0)
    let held: readonly string[] = []
    k.run((ctx) =>
      m1.withLocked(ctx, (c) =>
        looseNested(m2, 'withLockedNestLock')(c, n, () => {
          held = k.heldLocks()
        }),
      ),
    )
    expect(k.diagnostics).toEqual([])
    expect(held).toEqual(['m', 'm'])
    expect(k.lockdepStats()).toMatchObject({ active: true, chains: 1 }) // [m] only: the merged entry adds no chain
  })

  it('twin: another class on top (m1; x; nest(m2, n)), n not held: WARNING: Nested lock was not taken', () => {
    const k = createKernel({ preemptRt })
    const m1 = k.mutex('m', 0)
    const x = k.mutex('x', 0)
    const m2 = k.mutex('m', 0)
    const n = k.mutex('n', 0)
    k.run((ctx) => m1.withLocked(ctx, (c) => x.withLocked(c, (c2) => looseNested(m2, 'withLockedNestLock')(c2, n, () => 0))))
    const d = only(k, 'nested-lock-not-held')
    expect(d.title).toBe('WARNING: Nested lock was not taken')
    expect(d.report).toContain('but this task is not holding:\nn')
    expect(kinds(k)).toEqual(['nested-lock-not-held'])
  })

  it('the "not held" check comes after mark_usage(): the class is marked used (/proc/lockdep lists it) when it fires', () => {
    const k = createKernel({ preemptRt })
    const a = k.mutex('a', 0)
    const n = k.mutex('n', 0)
    k.run((ctx) => looseNested(a, 'withLockedNestLock')(ctx, n, () => 0))
    expect(kinds(k)).toEqual(['nested-lock-not-held'])
    expect(usageOf(k, 'a')).toBe('+.+.')
  })
})
