// defineLockKind(): the compile-time checks of a spec (each message asserted), the nearest valid
// specs, and a defined kind's locks following the same rules as a built-in's (the run-time side:
// test/kinds/define.test.ts, test/kinds/shipped.test.ts).
import { expectAssignable, expectError, expectNotAssignable } from 'tsd'
import {
  BIT_SPIN_LOCK,
  createKernel,
  defineLockKind,
  type IrqDisabled,
  KIND_SPECS,
  PERCPU_RW_SEMAPHORE,
  type PreemptDisabled,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../src/index.js'

const PLAIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] } as const
const BASE = {
  category: { normal: 'spinning', rt: 'spinning' },
  wait: 'spin',
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' },
  trylock: null,
  requires: [],
  data: 'shared',
  methods: { withLocked: ['plain', 'write'] },
  guards: {},
  annotated: {},
} as const

// Valid: a complete spec.
defineLockKind({ ...BASE, kind: 'tt_valid', label: 'tt_valid', variants: { plain: { normal: PLAIN, rt: PLAIN } } })
// Valid: the kernel's own order (interrupts restored before preempt_enable()) is no mirror image, and is accepted.
defineLockKind({
  ...BASE,
  kind: 'tt_order',
  label: 'tt_order',
  variants: {
    plain: {
      normal: { lock: ['irq_save', 'preempt_disable', 'acquire'], unlock: ['release', 'irq_restore', 'preempt_enable'] },
      rt: PLAIN,
    },
  },
})

const BOTH = { plain: { normal: PLAIN, rt: PLAIN } } as const
const unknownStep = {
  ...BASE,
  kind: 'tt_unknown',
  label: 'tt_unknown',
  variants: { plain: { normal: { lock: ['preempt_disabel', 'acquire'], unlock: ['release'] }, rt: PLAIN } },
} as const
const oneConfig = { ...BASE, kind: 'tt_onecfg', label: 'tt_onecfg', variants: { plain: { normal: PLAIN } } } as const
const missingUndo = {
  ...BASE,
  kind: 'tt_missing',
  label: 'tt_missing',
  variants: { plain: { normal: { lock: ['irq_save', 'preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] }, rt: PLAIN } },
} as const
const extraUnlock = {
  ...BASE,
  kind: 'tt_extra',
  label: 'tt_extra',
  variants: { plain: { normal: PLAIN, rt: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'irq_enable', 'preempt_enable'] } } },
} as const
const sleepSpin = { ...BASE, kind: 'tt_sleepspin', label: 'tt_sleepspin', category: { normal: 'sleeping', rt: 'sleeping' }, variants: BOTH } as const
const rtSleep = { ...BASE, kind: 'tt_rtsleep', label: 'tt_rtsleep', category: { normal: 'spinning', rt: 'sleeping' }, variants: BOTH } as const
const spinSleep = { ...BASE, kind: 'tt_spinsleep', label: 'tt_spinsleep', wait: 'sleep', variants: BOTH } as const
const noVariant = { ...BASE, kind: 'tt_novariant', label: 'tt_novariant', methods: { withLockedIrq: ['irq', 'write'] }, variants: BOTH } as const

// @expect-error defineLockKind(tt_unknown): unknown step 'preempt_disabel'
expectError(defineLockKind(unknownStep))
// @expect-error defineLockKind(tt_onecfg): the variant 'plain' has sequences for one configuration only (a variant needs normal and rt)
expectError(defineLockKind(oneConfig))
// @expect-error defineLockKind(tt_missing): plain (normal): the unlock steps do not undo the lock steps: 'irq_restore' is missing
expectError(defineLockKind(missingUndo))
// @expect-error defineLockKind(tt_extra): plain (rt): the unlock step 'irq_enable' undoes no lock step
expectError(defineLockKind(extraUnlock))
// @expect-error defineLockKind(tt_sleepspin): a sleeping kind with a spinning wait type ('spin' on
expectError(defineLockKind(sleepSpin))
// @expect-error defineLockKind(tt_rtsleep): a sleeping kind with a spinning wait type ('spin' on rt)
expectError(defineLockKind(rtSleep))
// @expect-error defineLockKind(tt_spinsleep): a spinning kind with a sleeping wait type ('sleep' on
expectError(defineLockKind(spinSleep))
// @expect-error defineLockKind(tt_novariant): the method 'withLockedIrq' takes a variant the kind has no sequences for
expectError(defineLockKind(noVariant))

// A sleeping defined kind (a copy of mutex's spec, printed as 'mutex') under a spinlock: the mutex's message.
const myMutex = defineLockKind({ ...KIND_SPECS.mutex, kind: 'tt_mutex', label: 'mutex' })
const kernel = createKernel({ lockOrder: ['m', 's'] })
const stats = kernel.spinLock('stats', 0)
const hw = kernel.rawSpinLock('hw', 0)
const m = kernel.lock(myMutex, 'cfg', { mode: 'fast' })
const cfg = kernel.mutex('cfg2', 0)
const b = kernel.lock(BIT_SPIN_LOCK, 'bucket', 0)
const pi = kernel.lock(RT_MUTEX, 'pi', 0)
const hotplug = kernel.lock(PERCPU_RW_SEMAPHORE, 'hotplug', 0)
const v6 = kernel.lock(SPIN_LOCK_IRQ_V6, 'q6', 0)
const irqsave = kernel.lock(SPIN_LOCK_IRQ_SAVE, 'qs', 0)
const counted = kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'qc', 0)

kernel.run((ctx) => {
  // Valid: in a task, with nothing held, it may sleep inside.
  m.withLocked(ctx, (ctx, d) => {
    ctx.msleep(1)
    d.mode = 'safe'
  })
  stats.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(m.withLocked(ctx, () => 0))
    // @expect-error mutex 'cfg2' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(cfg.withLocked(ctx, () => 0))
  })
  m.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: mutex 'cfg' is already held
    expectError(m.withLocked(ctx, () => 0))
  })

  // bit_spin_lock: preemption off on both kernels; a spinlock_t inside is refused, a raw_spinlock_t is not.
  b.withLocked(ctx, (ctx) => {
    expectAssignable<PreemptDisabled>(ctx)
    hw.withLocked(ctx, () => 0)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (bit_spin_lock 'bucket' is held)
    expectError(stats.withLocked(ctx, () => 0))
  })

  // rt_mutex: a sleeping lock, its trylock fine in a task under a spinlock (it never sleeps).
  pi.withLocked(ctx, (ctx) => ctx.msleep(1))
  stats.withLocked(ctx, (ctx) => pi.withTryLocked(ctx, () => 0))

  // percpu_rw_semaphore: reads do not recurse (read = 1).
  hotplug.withRead(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: percpu_rw_semaphore 'hotplug' is already held
    expectError(hotplug.withRead(ctx, () => 0))
  })

  // Design 1 (v6): without the token it is refused; with it, the context is atomic, where a lock that sleeps on RT is refused.
  // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
  expectError(v6.withLocked(ctx, () => 0))
  ctx.core.localIrqSave((ctx) => {
    // @expect-error Invalid wait context: SpinLockIrq[v6] 'q6' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_irq_save()))
    expectError(v6.lock(ctx))
  })

  // Design 2: a callback, proving nothing about interrupts on both kernels (RT leaves them on); no guard.
  irqsave.withLocked(ctx, (ctx) => expectNotAssignable<IrqDisabled>(ctx))
  // @expect-error Property 'lock' does not exist
  expectError(irqsave.lock(ctx))

  // Design 3: guards, any drop order; interrupts off on one kernel only, so no IrqDisabled proof.
  const ga = counted.lock(ctx)
  expectNotAssignable<IrqDisabled>(ga.ctx)
  ga.unlock()
})

kernel.requestIrq(
  7,
  'dev',
  (ctx) => {
    // @expect-error rt_mutex 'pi': rt_mutex_trylock() may not be used in interrupt context (hardirq context)
    expectError(pi.withTryLocked(ctx, () => 0))
  },
  { noThread: true },
)
