/**
 * Every step a lock operation or a scope performs, stated once: its effect on the simulated CPU,
 * the step that undoes it, how a refused acquisition rolls it back, and the proofs it gives.
 * Lock runtimes (locks/lock.ts), the proof bits (exec/claims.ts), the scope methods
 * (exec/scope.ts) and the type-level rules (rules/acquire.ts) all read this table.
 *
 * The table knows the CPU only through {@link StepCpu} (the primitives it calls) and the lock only
 * through {@link StepHost}, so lockdep and the CPU can import the kind registry without a cycle.
 */
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from '../exec/claim-bits.js'
import { SOFTIRQ_DISABLE_OFFSET, softirqLockOffset } from '../machine/preempt-count.js'
import { IRQS_OFF, IRQS_ON, type IrqFlags, type TaskStruct } from '../machine/cpu-state.js'

/**
 * One primitive a lock operation performs. `acquire`/`release` are the lockdep annotations.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS, type Step } from 'lockproof'
 *
 * const disablesIrqs = (steps: readonly Step[]) => steps.includes('irq_save') || steps.includes('irq_disable')
 * console.log(disablesIrqs(LOCK_KINDS.spinlock_t.variants.irqsave.rt.lock)) // false: RT leaves interrupts on
 * ```
 */
export type Step =
  | 'irq_save'
  | 'irq_restore'
  | 'irq_disable'
  | 'irq_enable'
  /** Counted interrupt disabling (`local_interrupt_disable()`), used by guards in 'counted' mode. */
  | 'interrupt_disable'
  | 'interrupt_enable'
  | 'preempt_disable'
  | 'preempt_enable'
  /** `local_bh_disable()`: SOFTIRQ_DISABLE_OFFSET. */
  | 'bh_disable'
  | 'bh_enable'
  /** `__local_bh_disable_ip(SOFTIRQ_LOCK_OFFSET)`: 0x201 in one step on a normal kernel. */
  | 'bh_lock_disable'
  | 'bh_lock_enable'
  | 'migrate_disable'
  | 'migrate_enable'
  | 'rcu_read_lock'
  | 'rcu_read_unlock'
  /** `might_sleep()`: preempt_count and RCU depth must be 0, interrupts on. */
  | 'might_sleep'
  /** RT `rtlock_might_resched()`: like might_sleep, but tolerates the current RCU depth. */
  | 'rtlock_might_resched'
  | 'acquire'
  | 'release'

/** The CPU primitives the steps call (machine/cpu.ts's `Cpu` has them; named here so no cycle forms). */
export interface StepCpu {
  readonly irqsDisabled: boolean
  readonly current: TaskStruct
  localIrqSave(): IrqFlags
  /** The machine's transitions: they return what is to be taken now (an outcome), and take nothing. */
  localIrqRestore(flags: IrqFlags): unknown
  localIrqDisable(): void
  localIrqEnable(): unknown
  localInterruptDisable(): void
  localInterruptEnable(): unknown
  preemptDisable(): void
  preemptEnable(): void
  localBhDisable(cnt?: number): void
  /** Undoes a `localBhDisable(cnt)` just done: the counts only, no softirqs, no warnings. */
  localBhRollback(cnt: number): void
  migrateDisable(): void
  migrateEnable(): void
  rcuReadLock(): void
  rcuReadUnlock(): void
}

/**
 * The transitions that let interrupts or softirqs in, with what they let in taken: the machine's
 * step, then the handlers, run by the executor (exec/delivery.ts implements it; this table cannot
 * import the executor, which imports the CPU). Method syntax: an implementation takes the CPU class.
 */
export interface StepDelivery {
  localIrqEnable(cpu: StepCpu): void
  localIrqRestore(cpu: StepCpu, flags: IrqFlags): void
  localInterruptEnable(cpu: StepCpu): void
  /** `__local_bh_enable_ip(cnt)`, softirqs run when it brings bottom halves back on in task context. */
  localBhEnable(cpu: StepCpu, cnt: number): void
}

/** What one acquisition's steps share: its CPU, and what they saved (lock.ts's `Acquisition`). */
export interface StepFrame {
  readonly cpu: StepCpu
  /** Saved by `irq_save`, restored by `irq_restore`. */
  flags: IrqFlags | null
  /** The interrupt flag before an `irq_disable` step: what rolling it back restores. */
  irqsBefore: IrqFlags
  /** Guards: pending interrupts are taken after the restore step, once what needs them off is checked. */
  readonly deferDelivery: boolean
}

/** What only the lock itself does (lock.ts's `LockRuntime` implements it). */
export interface StepHost {
  readonly preemptRt: boolean
  /** The delivering forms of the transitions that let interrupts or softirqs in. */
  readonly deliver: StepDelivery
  /** lockdep's annotation, then the lock word (owner, readers). */
  acquireStep(f: StepFrame): void
  releaseStep(f: StepFrame): void
  /** `__might_resched()` with these offsets. */
  mightReschedStep(f: StepFrame, rcuOffset: number): void
  /** An unlock step may have turned interrupts back on (guards take the pending ones here). */
  irqsMayBeBackOn(f: StepFrame): void
}

/** A step's effect. */
export type StepEffect = (host: StepHost, f: StepFrame) => void

/** A proof a step gives, as the context's type state names it (`irq`, `preempt`, `bh`). */
export type StepProof = 'irq' | 'preempt' | 'bh'

/** One step, stated once. */
export interface StepSpec {
  /** What it does in a lock operation. */
  readonly effect: StepEffect
  /**
   * The same effect for a scope, which has no frame (`preempt_disable()` … `preempt_enable()`):
   * set for the steps that need only the CPU (null otherwise). Written out beside `effect`, not
   * wrapped, so that each stays a direct call on the hot path.
   */
  readonly onCpu: ((cpu: StepCpu, deliver: StepDelivery) => void) | null
  /** The step that undoes it in an unlock sequence (null: nothing to undo, or an undo step itself). */
  readonly undo: Step | null
  /**
   * How a refused acquisition takes it back when that differs from running `undo`: bookkeeping
   * that restores the state exactly and says nothing (no local_bh_enable() warnings, no
   * softirqs, no unconditional local_irq_enable()).
   */
  readonly rollback: StepEffect | null
  /** The proofs it gives while its section runs (a variant proves what its steps give on both kernels). */
  readonly gives: readonly StepProof[]
  /** It turns interrupts off (it gives `irq`): a lock variant with one is an "IRQ lock". */
  readonly irqsOff: boolean
  /** A check that the caller may wait: a trylock never waits, so it skips it (mutex_trylock, __rt_spin_trylock). */
  readonly waitCheck: boolean
}

/**
 * A step from its effect, the proofs it gives (kept literal: the type level reads them, see
 * {@link StepsGiving}) and the rest; the defaults: no scope form, nothing to undo, no wait check.
 */
const step = <O extends ((cpu: StepCpu, deliver: StepDelivery) => void) | null = null>(
  name: Step,
  effect: StepEffect,
  more: { readonly onCpu?: O; readonly rollback?: StepEffect; readonly waitCheck?: boolean } = {},
) => {
  const gives: readonly StepProof[] = STEP_GIVES[name]
  const undo: Step | null = STEP_UNDO[name]
  return {
    effect,
    onCpu: (more.onCpu ?? null) as O,
    undo,
    rollback: more.rollback ?? null,
    gives,
    irqsOff: gives.includes('irq'),
    waitCheck: more.waitCheck ?? false,
  } as const
}

/** Interrupts off: interrupts, preemption and bottom halves are off (the IrqDisabled proof implies the others). */
const IRQS_OFF_GIVES = ['irq', 'preempt', 'bh'] as const

/**
 * The proofs each step gives while its section runs (a variant proves what its steps give on both
 * kernels): data the type rules read, kept apart from the effects so that the published types
 * carry no run-time internals.
 */
export const STEP_GIVES = {
  irq_save: IRQS_OFF_GIVES,
  irq_restore: [],
  irq_disable: IRQS_OFF_GIVES,
  irq_enable: [],
  interrupt_disable: IRQS_OFF_GIVES,
  interrupt_enable: [],
  preempt_disable: ['preempt'],
  preempt_enable: [],
  bh_disable: ['bh'],
  bh_enable: [],
  bh_lock_disable: ['bh'],
  bh_lock_enable: [],
  migrate_disable: [],
  migrate_enable: [],
  rcu_read_lock: [],
  rcu_read_unlock: [],
  might_sleep: [],
  rtlock_might_resched: [],
  acquire: [],
  release: [],
} as const satisfies Record<Step, readonly StepProof[]>

/**
 * The step that undoes each one in an unlock sequence (null: nothing to undo — a check — or an
 * undo step itself): data, so that `defineLockKind()`'s type-level check reads it too.
 */
export const STEP_UNDO = {
  irq_save: 'irq_restore',
  irq_restore: null,
  irq_disable: 'irq_enable',
  irq_enable: null,
  interrupt_disable: 'interrupt_enable',
  interrupt_enable: null,
  preempt_disable: 'preempt_enable',
  preempt_enable: null,
  bh_disable: 'bh_enable',
  bh_enable: null,
  bh_lock_disable: 'bh_lock_enable',
  bh_lock_enable: null,
  migrate_disable: 'migrate_enable',
  migrate_enable: null,
  rcu_read_lock: 'rcu_read_unlock',
  rcu_read_unlock: null,
  might_sleep: null,
  rtlock_might_resched: null,
  acquire: 'release',
  release: null,
} as const satisfies Record<Step, Step | null>

/** What undoes each step, as the type level reads it (kinds/define-check.ts). */
export type StepUndo = typeof STEP_UNDO

/**
 * The steps. The effects are the kernel's primitives on the simulated CPU (docs/SEMANTICS.md
 * gives each one's source); an unlock restores interrupts *before* `preempt_enable()`, which is
 * the sequences' order (kinds/builtins.ts), not the steps'.
 */
export const STEPS = {
  irq_save: step(
    'irq_save',
    (_h, f) => {
      f.flags = f.cpu.localIrqSave()
    }, // Taken back quietly, as irq_disable is: nothing was held under it yet.
    { rollback: (h, f) => h.deliver.localIrqRestore(f.cpu, f.flags ?? IRQS_ON) },
  ),
  irq_restore: step('irq_restore', (h, f) => {
    // Guards take interrupts raised meanwhile after the step (irqsMayBeBackOn).
    if (f.deferDelivery) f.cpu.localIrqRestore(f.flags ?? IRQS_ON)
    else h.deliver.localIrqRestore(f.cpu, f.flags ?? IRQS_ON)
    h.irqsMayBeBackOn(f)
  }),
  irq_disable: step(
    'irq_disable',
    (_h, f) => {
      f.irqsBefore = f.cpu.irqsDisabled ? IRQS_OFF : IRQS_ON
      f.cpu.localIrqDisable()
    },
    { rollback: (h, f) => h.deliver.localIrqRestore(f.cpu, f.irqsBefore) },
  ),
  irq_enable: step('irq_enable', (h, f) => {
    if (f.deferDelivery) f.cpu.localIrqEnable()
    else h.deliver.localIrqEnable(f.cpu)
    h.irqsMayBeBackOn(f)
  }),
  interrupt_disable: step('interrupt_disable', (_h, f) => f.cpu.localInterruptDisable(), {
    onCpu: (c) => c.localInterruptDisable(),
    rollback: (h, f) => h.deliver.localInterruptEnable(f.cpu),
  }),
  interrupt_enable: step('interrupt_enable', (h, f) => {
    if (f.deferDelivery) f.cpu.localInterruptEnable()
    else h.deliver.localInterruptEnable(f.cpu)
    h.irqsMayBeBackOn(f)
  }),
  preempt_disable: step('preempt_disable', (_h, f) => f.cpu.preemptDisable(), { onCpu: (c) => c.preemptDisable() }),
  preempt_enable: step('preempt_enable', (_h, f) => f.cpu.preemptEnable(), { onCpu: (c) => c.preemptEnable() }),
  bh_disable: step('bh_disable', (_h, f) => f.cpu.localBhDisable(SOFTIRQ_DISABLE_OFFSET), {
    onCpu: (c) => c.localBhDisable(SOFTIRQ_DISABLE_OFFSET),
    rollback: (_h, f) => f.cpu.localBhRollback(SOFTIRQ_DISABLE_OFFSET),
  }),
  bh_enable: step('bh_enable', (h, f) => h.deliver.localBhEnable(f.cpu, SOFTIRQ_DISABLE_OFFSET), {
    onCpu: (c, d) => d.localBhEnable(c, SOFTIRQ_DISABLE_OFFSET),
  }),
  bh_lock_disable: step('bh_lock_disable', (h, f) => f.cpu.localBhDisable(softirqLockOffset(h.preemptRt)), {
    rollback: (h, f) => f.cpu.localBhRollback(softirqLockOffset(h.preemptRt)),
  }),
  bh_lock_enable: step('bh_lock_enable', (h, f) => h.deliver.localBhEnable(f.cpu, softirqLockOffset(h.preemptRt))),
  migrate_disable: step('migrate_disable', (_h, f) => f.cpu.migrateDisable(), { onCpu: (c) => c.migrateDisable() }),
  migrate_enable: step('migrate_enable', (_h, f) => f.cpu.migrateEnable(), { onCpu: (c) => c.migrateEnable() }),
  rcu_read_lock: step('rcu_read_lock', (_h, f) => f.cpu.rcuReadLock(), { onCpu: (c) => c.rcuReadLock() }),
  rcu_read_unlock: step('rcu_read_unlock', (_h, f) => f.cpu.rcuReadUnlock(), { onCpu: (c) => c.rcuReadUnlock() }),
  might_sleep: step('might_sleep', (h, f) => h.mightReschedStep(f, 0), { waitCheck: true }),
  rtlock_might_resched: step('rtlock_might_resched', (h, f) => h.mightReschedStep(f, f.cpu.current.rcuReadLockNesting), { waitCheck: true }),
  acquire: step('acquire', (h, f) => h.acquireStep(f)),
  release: step('release', (h, f) => h.releaseStep(f)),
} as const satisfies Record<Step, StepSpec>

/** What each step gives, as the type rules read it (rules/acquire.ts). */
export type StepGives = typeof STEP_GIVES

/** The steps that give proof P (a union of step names): `StepsGiving<'preempt'>` is preempt_disable and the IRQ-off steps. */
export type StepsGiving<P extends StepProof> = { [S in Step]: P extends StepGives[S][number] ? S : never }[Step]

/** The steps that turn interrupts off: those giving the IrqDisabled proof. */
export type IrqsOffStep = StepsGiving<'irq'>

/** The proof bits (exec/claim-bits.ts) of one proof name. */
const PROOF_BIT: Readonly<Record<StepProof, number>> = { irq: CLAIM_IRQ, preempt: CLAIM_PREEMPT, bh: CLAIM_BH }

/** The proof bits a step gives: its `gives` as exec/claim-bits.ts's CLAIM_* bits. */
export const proofBits = (s: Step): number => {
  let bits = 0
  for (const p of STEPS[s].gives) bits |= PROOF_BIT[p]
  return bits
}

/** The steps a scope can enter or leave by: those with an `onCpu` form. */
export type ScopeStep = { [S in Step]: null extends (typeof STEPS)[S]['onCpu'] ? never : S }[Step]
