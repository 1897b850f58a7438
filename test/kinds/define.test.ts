/**
 * defineLockKind(): every validation error is named and says what is wrong, for untyped callers
 * (the compile-time side: type-tests/define-kind.test-d.ts); the nearest valid specs are accepted;
 * a defined kind's locks follow its spec like a built-in's.
 */
import { describe, expect, it } from 'vitest'
import {
  createKernel,
  defineLockKind,
  InvalidArgumentError,
  KIND_SPECS,
  LockKindError,
  OneConfigurationError,
  UnbalancedStepsError,
  UnknownStepError,
  WaitTypeMismatchError,
} from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

/** defineLockKind as an untyped caller sees it. */
const define = defineLockKind as unknown as (spec: unknown) => object

const PLAIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] }
/** A valid spinning kind; each test breaks one field. */
const valid = (kind: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind,
  label: kind,
  category: { normal: 'spinning', rt: 'spinning' },
  wait: 'spin',
  variants: { plain: { normal: PLAIN, rt: PLAIN } },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' },
  trylock: null,
  requires: [],
  data: 'shared',
  methods: { withLocked: ['plain', 'write'] },
  guards: { lock: ['plain', 'write'] },
  annotated: {},
  ...over,
})
const seq = (lock: string[], unlock: string[]) => ({ plain: { normal: { lock, unlock }, rt: PLAIN } })

describe('defineLockKind(): named errors for a spec that cannot be a lock kind', () => {
  it('an unknown step: UnknownStepError naming the step and where it is', () => {
    const spec = valid('t_unknown', { variants: seq(['preempt_disabel', 'acquire'], ['release', 'preempt_enable']) })
    expect(() => define(spec)).toThrow(UnknownStepError)
    expect(() => define(spec)).toThrow("defineLockKind(t_unknown): variants.plain.normal.lock: unknown step 'preempt_disabel'")
  })

  it('unlock steps that do not undo the lock steps: UnbalancedStepsError', () => {
    const missing = valid('t_missing', { variants: seq(['irq_save', 'preempt_disable', 'acquire'], ['release', 'preempt_enable']) })
    expect(() => define(missing)).toThrow(UnbalancedStepsError)
    expect(() => define(missing)).toThrow("variants.plain.normal.unlock does not undo the lock steps: 'irq_save' ×1 needs 'irq_restore' ×1")
    const extra = valid('t_extra', { variants: seq(['preempt_disable', 'acquire'], ['release', 'irq_enable', 'preempt_enable']) })
    expect(() => define(extra)).toThrow("variants.plain.normal.unlock performs 'irq_enable', which undoes no step of the lock sequence")
    const twice = valid('t_twice', { variants: seq(['preempt_disable', 'preempt_disable', 'acquire'], ['release', 'preempt_enable']) })
    expect(() => define(twice)).toThrow("'preempt_disable' ×2 needs 'preempt_enable' ×2 in the unlock sequence, found ×1")
    const noAcquire = valid('t_noacq', { variants: seq(['preempt_disable'], ['preempt_enable']) })
    expect(() => define(noAcquire)).toThrow("variants.plain.normal.lock must have one 'acquire' step")
    const undoInLock = valid('t_undolock', { variants: seq(['preempt_enable', 'acquire'], ['release']) })
    expect(() => define(undoInLock)).toThrow("lock performs 'preempt_enable', an unlock step")
  })

  it('a variant on one configuration only: OneConfigurationError', () => {
    const spec = valid('t_onecfg', { variants: { plain: { normal: PLAIN } } })
    expect(() => define(spec)).toThrow(OneConfigurationError)
    expect(() => define(spec)).toThrow('variants.plain has sequences for a normal kernel only; a variant must say what it does on both configurations')
  })

  it('a sleeping kind with a spinning wait type, and a spinning kind with a sleeping one: WaitTypeMismatchError', () => {
    const sleepy = valid('t_sleepspin', { category: { normal: 'sleeping', rt: 'sleeping' }, wait: 'spin' })
    expect(() => define(sleepy)).toThrow(WaitTypeMismatchError)
    expect(() => define(sleepy)).toThrow("a sleeping kind on a normal kernel with a spinning wait type (wait 'spin')")
    // LD_WAIT_CONFIG spins on a normal kernel: wrong for a kind that sleeps there.
    const config = valid('t_sleepcfg', { category: { normal: 'sleeping', rt: 'sleeping' }, wait: 'config' })
    expect(() => define(config)).toThrow("a sleeping kind on a normal kernel with a spinning wait type (wait 'config')")
    const rtOnly = valid('t_rtsleep', { category: { normal: 'spinning', rt: 'sleeping' } })
    expect(() => define(rtOnly)).toThrow("a sleeping kind on PREEMPT_RT with a spinning wait type (wait 'spin')")
    const spinSleep = valid('t_spinsleep', { wait: 'sleep' })
    expect(() => define(spinSleep)).toThrow("a spinning kind on a normal kernel with a sleeping wait type (wait 'sleep')")
    const lockdepWait = valid('t_ldwait', {
      category: { normal: 'sleeping', rt: 'sleeping' },
      wait: 'sleep',
      lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' },
    })
    expect(() => define(lockdepWait)).toThrow("(lockdep.waitInner 'spin')")
  })

  it('malformed fields, methods naming a missing variant, a name in use: LockKindError', () => {
    expect(() => define(null)).toThrow(LockKindError)
    expect(() => define(valid(''))).toThrow('defineLockKind(): the kind needs a name')
    expect(() => define(valid('t_var', { methods: { withLockedIrq: ['irq', 'write'] } }))).toThrow(
      "defineLockKind(t_var): methods.withLockedIrq takes variant 'irq', which the kind has no sequences for (plain)",
    )
    expect(() => define(valid('t_try', { annotated: { tryLock: ['plain', 'write', 'try', true] } }))).toThrow(
      "annotated.tryLock is a trylock, but the kind's trylock rule is null",
    )
    expect(() => define(valid('t_name', { methods: { kind: ['plain', 'write'] } }))).toThrow("the method name 'kind' is reserved")
    expect(() => define(valid('t_requires', { requires: ['irqs'] }))).toThrow('requires must be a list of proofs (irq, preempt, bh)')
    expect(() => define(valid('spinlock_t'))).toThrow('defineLockKind(spinlock_t): a different kind is already defined under this name')
    // Every one is an InvalidArgumentError too.
    expect(() => define(valid('t_bad', { data: 'global' }))).toThrow(InvalidArgumentError)
  })
})

describe('defineLockKind(): the nearest valid specs', () => {
  it('a valid spec is frozen, entered once, and defining it again returns the same kind', () => {
    const a = define(valid('t_valid'))
    expect(Object.isFrozen(a)).toBe(true)
    expect(Object.isFrozen((a as { variants: { plain: object } }).variants.plain)).toBe(true)
    expect(define(valid('t_valid'))).toBe(a)
  })

  it("a built-in's spec defined again is the built-in itself", () => {
    expect(define({ ...KIND_SPECS.mutex })).toBe(KIND_SPECS.mutex)
  })

  it("the kernel's own orders are accepted: unlock restores interrupts before preempt_enable(), RT write unlock drops RCU first", () => {
    // RAW.irqsave and RT_WRITE are not mirror images of their lock sequences.
    expect(() =>
      define(valid('t_order', { variants: seq(['irq_save', 'preempt_disable', 'acquire'], ['release', 'irq_restore', 'preempt_enable']) })),
    ).not.toThrow()
    expect(() =>
      define(
        valid('t_rtwrite', {
          category: { normal: 'spinning', rt: 'sleeping' },
          wait: 'config',
          lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
          variants: {
            plain: {
              normal: PLAIN,
              rt: { lock: ['rtlock_might_resched', 'acquire', 'rcu_read_lock', 'migrate_disable'], unlock: ['release', 'rcu_read_unlock', 'migrate_enable'] },
            },
          },
        }),
      ),
    ).not.toThrow()
  })

  it('LD_WAIT_INV in the map contradicts no category (lockdep_init_map())', () => {
    const spec = valid('t_inv', {
      category: { normal: 'sleeping', rt: 'sleeping' },
      wait: 'sleep',
      variants: { plain: { normal: { lock: ['might_sleep', 'acquire'], unlock: ['release'] }, rt: { lock: ['might_sleep', 'acquire'], unlock: ['release'] } } },
      lockdep: { waitInner: 'inv', waitOuter: null, lockType: 'normal' },
    })
    expect(() => define(spec)).not.toThrow()
  })
})

describe('kernel.lock(kind, name, data)', () => {
  it('refuses anything that is not a defined kind, by name', () => {
    const k = createKernel()
    const lock = k.lock as unknown as (kind: unknown, name: string, data: unknown) => unknown
    expect(() => lock.call(k, { ...KIND_SPECS.spinlock_t }, 'x', 0)).toThrow(InvalidArgumentError)
    expect(() => lock.call(k, { ...KIND_SPECS.spinlock_t }, 'x', 0)).toThrow('lock(): the kind must be one made by defineLockKind()')
    expect(() => lock.call(k, 'spinlock_t', 'x', 0)).toThrow('not spinlock_t')
  })

  it("a built-in's spec through kernel.lock() behaves as its factory's lock: the same steps, reports and lockdep class", () => {
    for (const preemptRt of [false, true]) {
      const viaFactory = createKernel({ preemptRt })
      const viaSpec = createKernel({ preemptRt })
      const a = viaFactory.spinLock('s', 0)
      const b = viaSpec.lock(KIND_SPECS.spinlock_t, 's', 0)
      const inside = (k: typeof viaFactory, l: object) =>
        k.run((ctx) => loose(l, 'withLockedIrqSave')(ctx, () => ({ pc: k.cpu(0).preemptCount, irqs: k.cpu(0).irqsDisabled, held: k.heldLocks(0) })))
      expect(inside(viaSpec, b)).toEqual(inside(viaFactory, a))
      expect(b.kind).toBe('spinlock_t')
      // Recursion: lockdep's report, then the deadlock the synchronous executor refuses.
      const recurse = (k: typeof viaFactory, l: typeof a | typeof b) => () => k.run((ctx) => l.withLocked(ctx, (ctx) => loose(l)(ctx, () => 0)))
      expect(recurse(viaFactory, a)).toThrow("spinlock_t 's' is held by")
      expect(recurse(viaSpec, b)).toThrow("spinlock_t 's' is held by")
      expect(viaSpec.diagnostics.map((d) => d.title)).toEqual(viaFactory.diagnostics.map((d) => d.title))
      expect(viaSpec.diagnostics.map((d) => d.kind)).toContain('recursive-locking')
    }
  })

  it('a sleeping defined kind under a spinlock is reported as a mutex is (might_sleep)', () => {
    const sleepy = defineLockKind({
      ...KIND_SPECS.mutex,
      kind: 't_sleepy',
      label: 't_sleepy',
    })
    const reports = (make: (k: ReturnType<typeof createKernel>) => object) => {
      const k = createKernel({ proveRawLockNesting: true })
      const s = k.spinLock('s', 0)
      const m = make(k)
      k.run((ctx) => s.withLocked(ctx, (ctx) => loose(m)(ctx, (inner) => looseCtx(inner).mightSleep())))
      return k.diagnostics.map((d) => [d.kind, d.title.replace('t_sleepy', 'mutex')])
    }
    const defined = reports((k) => k.lock(sleepy, 'm', 0))
    expect(defined.map(([kind]) => kind)).toEqual(['sleeping-in-atomic', 'invalid-wait-context', 'sleeping-in-atomic'])
    expect(defined).toEqual(reports((k) => k.mutex('m', 0)))
  })
})
