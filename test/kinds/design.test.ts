/**
 * checkLockDesign(): the verdicts of the seed's three SpinLockIrq designs and of the built-ins'
 * irqsave variants, each cell against the thread and the kernel (docs/defining-kinds.md explains
 * them); the counterexamples replay; options and bad input.
 */
import { describe, expect, it, vi } from 'vitest'
import {
  checkLockDesign,
  DesignCheckError,
  explore,
  formatLockDesign,
  KIND_SPECS,
  ReplayError,
  type DesignCell,
  type LockDesignVerdict,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../../src/index.js'

// A verdict takes 0.2–5 s on this 2-core machine and more while the whole suite runs: not vitest's 5 s default.
vi.setConfig({ testTimeout: 120_000 })

const RFL998 = 'lockproof: interrupts enabled while an IRQ-disabling lock is held (guards dropped out of order, Rust-for-Linux #998)'
const MIGHT_SLEEP = 'BUG: sleeping function called from invalid context'

/** Each cell as `kernel form handler: verdict counterexample-kind`. */
const summary = (v: LockDesignVerdict): string[] =>
  v.cells.map((c) => `${c.kernel} ${c.form}${c.handler ? ' +irq' : ''}: ${c.verdict}${c.counterexample ? ` ${c.counterexample.kind}` : ''}`)

const cell = (v: LockDesignVerdict, kernel: 'normal' | 'rt', form: 'callback' | 'guard', handler: boolean): DesignCell => {
  const c = v.cells.find((x) => x.kernel === kernel && x.form === form && x.handler === handler)
  if (c === undefined) throw new Error(`no cell ${kernel} ${form} ${handler}`)
  return c
}

describe('the irqsave mapping (SPIN_LOCK_IRQ_SAVE): sound as a callback, #998 as a guard on the normal kernel', () => {
  const v = checkLockDesign(SPIN_LOCK_IRQ_SAVE)

  it('per kernel and form: unsound only for guards on the normal kernel; RT leaves interrupts alone (spinlock_rt.h: flags = 0)', () => {
    expect(summary(v)).toEqual([
      'normal callback: sound',
      'normal callback +irq: sound',
      'normal guard: unsound diagnostic',
      'normal guard +irq: unsound deadlock',
      'rt callback: sound',
      'rt callback +irq: sound',
      'rt guard: sound',
      'rt guard +irq: sound',
    ])
    expect([v.sound, v.exhausted, v.variant, v.locks]).toEqual([false, true, 'plain', 2])
  })

  it('the guard form is not offered by the kind (no guard table): the cells say what one would do', () => {
    expect(v.cells.filter((c) => c.form === 'guard').every((c) => !c.offered)).toBe(true)
    expect(v.cells.filter((c) => c.form === 'callback').every((c) => c.offered)).toBe(true)
  })

  it("with the handler: the #998 deadlock (the inner lock's handler spins on its own CPU), found dropping the outer guard first", () => {
    const c = cell(v, 'normal', 'guard', true)
    expect(c.counterexample?.title).toBe('watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    expect(c.counterexample?.dropOrder).toEqual(['a', 'b'])
    expect(c.counterexample?.arrivals).toBe(1)
    expect(c.failures.map((f) => f.title)).toContain(RFL998)
    expect(c.failures.every((f) => f.dropOrder?.join() === 'a,b')).toBe(true)
    expect(c.dropOrders).toEqual([
      ['b', 'a'],
      ['a', 'b'],
    ])
  })

  it('without a handler: the out-of-order restore itself, and interrupts off at the end (the inner flags were saved with them off)', () => {
    const c = cell(v, 'normal', 'guard', false)
    expect(c.counterexample?.title).toBe(RFL998)
    expect(c.failures.map((f) => [f.kind, f.title])).toContainEqual([
      'assertion',
      'DesignInvariantError: the task began with interrupts on, preempt_count 0 and ended with interrupts off, preempt_count 0',
    ])
  })

  it("a counterexample's replay string runs it again in its model", () => {
    const cx = cell(v, 'normal', 'guard', true).counterexample
    if (cx === null) throw new Error('no counterexample')
    const again = explore(cx.model, { replay: cx.replay })
    expect(again.counterexamples.map((c) => c.title)).toContain('watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    expect(cx.table).toContain('| CPU 0')
    // Another scenario's model (same tasks, cells and handler) refuses it: the scenario is in the fingerprint.
    const other = cell(v, 'normal', 'guard', false).counterexample
    if (other === null) throw new Error('no counterexample')
    expect(() => explore(other.model, { replay: cx.replay })).toThrow(ReplayError)
  })
})

describe('the counted design (SPIN_LOCK_IRQ_COUNTED): sound everywhere', () => {
  it('every drop order and arrival on both kernels, explored to the end, nothing found', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_COUNTED)
    expect(v.cells.map((c) => [c.kernel, c.form, c.handler, c.verdict, c.offered])).toEqual([
      ['normal', 'callback', false, 'sound', true],
      ['normal', 'callback', true, 'sound', true],
      ['normal', 'guard', false, 'sound', true],
      ['normal', 'guard', true, 'sound', true],
      ['rt', 'callback', false, 'sound', true],
      ['rt', 'callback', true, 'sound', true],
      ['rt', 'guard', false, 'sound', true],
      ['rt', 'guard', true, 'sound', true],
    ])
    expect([v.sound, v.exhausted]).toEqual([true, true])
    // Its cost stays bounded: 558 executions on 2026-12-01 (most of them RT's guard-with-handler cell).
    expect(v.executions).toBeLessThanOrEqual(2000)
    // The handler arrived somewhere: the guard cells with it explored more than one execution.
    expect(cell(v, 'rt', 'guard', true).executions).toBeGreaterThan(cell(v, 'rt', 'guard', false).executions)
  })
})

describe('the v6 token design (SPIN_LOCK_IRQ_V6): sound on the normal kernel, the might-sleep splat on PREEMPT_RT', () => {
  const v = checkLockDesign(SPIN_LOCK_IRQ_V6)
  it('normal: interrupts are off for the whole section (the token), so the handler never meets a held lock and drops need no order', () => {
    expect(v.cells.filter((c) => c.kernel === 'normal').map((c) => c.verdict)).toEqual(['sound', 'sound', 'sound', 'sound'])
  })
  it("RT: rt_spin_lock()'s rtlock_might_resched() with interrupts off, in every form (tglx: \"That will result in a 'might_sleep()' splat\")", () => {
    const rt = v.cells.filter((c) => c.kernel === 'rt')
    expect(rt.map((c) => [c.verdict, c.counterexample?.kind, c.counterexample?.title])).toEqual(Array(4).fill(['unsound', 'diagnostic', MIGHT_SLEEP]))
    // At the first lock, before any interrupt: the handler rows fail the same way.
    expect(rt.map((c) => c.counterexample?.arrivals)).toEqual([0, 0, 0, 0])
  })
})

describe('the built-in kinds', () => {
  it("spinlock_t's irqsave variant: the same verdicts as the irqsave mapping, its guard offered (lockIrqSave)", () => {
    const v = checkLockDesign(KIND_SPECS.spinlock_t, { variant: 'irqsave' })
    expect(summary(v)).toEqual([
      'normal callback: sound',
      'normal callback +irq: sound',
      'normal guard: unsound diagnostic',
      'normal guard +irq: unsound deadlock',
      'rt callback: sound',
      'rt callback +irq: sound',
      'rt guard: sound',
      'rt guard +irq: sound',
    ])
    expect(cell(v, 'normal', 'guard', true).offered).toBe(true)
  })

  it("raw_spinlock_t's irqsave guards: refused out of order on both kernels (the context proves IrqDisabled there)", () => {
    const v = checkLockDesign(KIND_SPECS.raw_spinlock_t, { variant: 'irqsave' })
    expect(summary(v)).toEqual([
      'normal callback: sound',
      'normal callback +irq: sound',
      'normal guard: unsound diagnostic',
      'normal guard +irq: unsound diagnostic',
      'rt callback: sound',
      'rt callback +irq: sound',
      'rt guard: unsound diagnostic',
      'rt guard +irq: unsound diagnostic',
    ])
    const c = cell(v, 'rt', 'guard', true)
    expect(c.counterexample?.title).toBe('lockproof: a live context proves what is no longer true')
    expect(c.failures.map((f) => f.title).some((t) => t.startsWith("GuardOrderError: raw_spinlock_t 'a'"))).toBe(true)
  })

  it("the nearest valid pattern: spinlock_t's plain variant without a handler is sound; with one, the normal kernel deadlocks", () => {
    const v = checkLockDesign(KIND_SPECS.spinlock_t, { variant: 'plain' })
    expect(summary(v).filter((s) => !s.includes('+irq'))).toEqual(['normal callback: sound', 'normal guard: sound', 'rt callback: sound', 'rt guard: sound'])
    expect(cell(v, 'normal', 'callback', true).counterexample?.kind).toBe('deadlock')
    // RT threads the handler: it sleeps on the rtmutex until the task drops it.
    expect(cell(v, 'rt', 'callback', true).verdict).toBe('sound')
  })
})

describe('options', () => {
  it('handler: false, one kernel, one lock: two cells, one drop order', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['rt'], handler: false, locks: 1 })
    expect(v.cells.map((c) => [c.kernel, c.form, c.handler, c.dropOrders])).toEqual([
      ['rt', 'callback', false, [['a']]],
      ['rt', 'guard', false, [['a']]],
    ])
  })

  it('locks: 3 explores all 3! drop orders, the nested one first', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_SAVE, { kernels: ['normal'], handler: false, locks: 3 })
    const guard = cell(v, 'normal', 'guard', false)
    expect(guard.dropOrders.map((o) => o.join(''))).toEqual(['cba', 'cab', 'bca', 'bac', 'acb', 'abc'])
    // Only the nested order restores each saved state under its own lock.
    expect(guard.counterexample?.dropOrder?.join('')).toBe('cab')
  })

  it('secondCpu: a task on CPU 1 takes the same locks (contention), more executions, the same verdict', () => {
    const one = checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['normal'], handler: false })
    const two = checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['normal'], handler: false, secondCpu: true })
    expect([two.sound, two.exhausted, two.secondCpu]).toEqual([true, true, true])
    expect(two.executions).toBeGreaterThan(one.executions)
    expect(formatLockDesign(two).split('\n')[0]).toBe('SpinLockIrq[counted] (SpinLockIrq_counted), variant plain, 2 locks, a second CPU: sound')
  })

  it('a budget that ends the search: unknown, never sound', () => {
    const v = checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['rt'], maxExecutions: 1 })
    const withIrq = cell(v, 'rt', 'guard', true)
    expect([withIrq.verdict, withIrq.exhausted, v.sound, v.exhausted]).toEqual(['unknown', false, false, false])
    expect(formatLockDesign(v)).toContain('unknown (budget)')
  })
})

describe('formatLockDesign()', () => {
  const v = checkLockDesign(SPIN_LOCK_IRQ_SAVE, { kernels: ['normal', 'rt'] })
  it('markdown: one row per form and handler, one column per kernel, footnotes with the counterexample', () => {
    const text = formatLockDesign(v)
    expect(text.split('\n').slice(0, 8)).toEqual([
      'SpinLockIrq[irqsave] (SpinLockIrq_irqsave), variant plain, 2 locks: unsound',
      '',
      '| form                | handler      | normal                  | PREEMPT_RT |',
      '|---------------------|--------------|-------------------------|------------|',
      '| callback            | none         | sound                   | sound      |',
      '| callback            | irq on CPU 0 | sound                   | sound      |',
      '| guard (not offered) | none         | unsound: diagnostic [1] | sound      |',
      '| guard (not offered) | irq on CPU 0 | unsound: deadlock [2]   | sound      |',
    ])
    expect(text).toContain('[2] normal, guard, irq on CPU 0, dropping a, b: watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    expect(text).toContain(`    replay: ${cell(v, 'normal', 'guard', true).counterexample?.replay}`)
  })
  it('ascii: a box; tables: true adds each per-CPU table', () => {
    const text = formatLockDesign(v, { style: 'ascii', tables: true })
    expect(text.split('\n')[2]).toBe('+---------------------+--------------+-------------------------+------------+')
    expect(text).toMatch(/\n {4}\| seq \| CPU 0/)
  })
  it('bad input is a DesignCheckError', () => {
    /** As an untyped JavaScript caller passes it. */
    const untypedFormat = formatLockDesign as (verdict: unknown, options?: unknown) => string
    expect(() => untypedFormat(v, { style: 'html' })).toThrow(DesignCheckError)
    expect(() => untypedFormat(null)).toThrow(/the verdict must be what checkLockDesign\(\) returned/)
  })
})

describe('bad input: a named error, before anything runs', () => {
  /** As an untyped JavaScript caller passes it. */
  const untyped = checkLockDesign as (kind: unknown, options?: unknown) => LockDesignVerdict
  it.each([
    ['a built-in name', 'spinlock_t'],
    ['a plain object', {}],
    ['a copy of a kind (not the object defineLockKind() returned)', { ...SPIN_LOCK_IRQ_V6 }],
    ['null', null],
  ])('not a kind: %s', (_what, kind) => {
    expect(() => untyped(kind)).toThrow(DesignCheckError)
    expect(() => untyped(kind)).toThrow(/checkLockDesign\(\): the kind must be one made by defineLockKind\(\)/)
  })
  it.each([
    [{ locks: 0 }, /locks must be a whole number from 1 to 4 \(got 0\)/],
    [{ locks: 5 }, /locks must be a whole number from 1 to 4 \(got 5\)/],
    [{ locks: 2.5 }, /locks must be a whole number/],
    [{ maxExecutions: 0 }, /maxExecutions must be a whole number from 1/],
    [{ maxTimeMs: -1 }, /maxTimeMs must be a whole number from 1/],
    [{ maxTimeMs: Number.POSITIVE_INFINITY }, /maxTimeMs must be a whole number/],
    [{ kernels: [] }, /kernels must list 'normal' and\/or 'rt', each once/],
    [{ kernels: ['normal', 'normal'] }, /each once/],
    [{ kernels: ['bsd'] }, /kernels must list/],
    [{ variant: 'bh' }, /SpinLockIrq\[counted\] has no variant 'bh' \(its variants: plain\)/],
    [{ handler: 'yes' }, /handler must be true or false/],
    [{ lock: 2 }, /unknown option 'lock'/],
    ['fast', /the options must be an object/],
  ])('options %j', (options, message) => {
    expect(() => untyped(SPIN_LOCK_IRQ_COUNTED, options)).toThrow(DesignCheckError)
    expect(() => untyped(SPIN_LOCK_IRQ_COUNTED, options)).toThrow(message)
  })
})
