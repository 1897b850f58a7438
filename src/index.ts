// The public surface of lockproof, at a glance.
export { createKernel, Kernel, type RunOptions, type IrqOptions } from './kernel.js'
export type { KernelOptions, ResolvedOptions } from './options.js'
export type { Context, CoreOps } from './exec/context.js'
export type { CtxState, Exec, FreshTaskState, IrqOff, IrqOffOnOne, Wait, WaitType, TaskCtx } from './rules/state.js'
export type {
  AnyContext,
  Atomic,
  BhDisabled,
  HardIrqContext,
  IrqDisabled,
  NmiContext,
  NmiState,
  NoThreadIrqState,
  PreemptDisabled,
  Sleepable,
  SoftIrqContext,
  SoftirqContext,
  SoftirqState,
  TaskContext,
  ThreadableIrqState,
} from './rules/proofs.js'
export type { LockproofError } from './rules/error.js'
export { CpuView } from './machine/cpu-view.js'
export type { CpuState, TaskState, TaskStruct, IrqFlags } from './machine/cpu-state.js'
/**
 * The generic `preempt_count` layout of include/linux/preempt.h: the width, shift, mask and
 * offset of each field, the need-resched bit, and helpers to read and print a count such as
 * `kernel.cpu(0).preemptCount`.
 *
 * @example
 * ```ts
 * import { createKernel, preemptCountLayout as pc } from 'lockproof'
 *
 * const kernel = createKernel()
 * kernel.run((ctx) => ctx.localBhDisable(() => {
 *   const count = kernel.cpu(0).preemptCount
 *   console.log(pc.formatPreemptCount(count), (count & pc.SOFTIRQ_MASK) === pc.SOFTIRQ_DISABLE_OFFSET) // '0x00000200' true
 * }))
 * ```
 */
export * as preemptCountLayout from './machine/preempt-count.js'
export { SOFTIRQ_NAMES, type SoftirqName } from './exec/irq-registry.js'
export type {
  BadCountingDiagnostic,
  BadUnlockBalanceDiagnostic,
  CircularDependencyDiagnostic,
  CountingField,
  DeadlockDiagnostic,
  WaitForeverDiagnostic,
  Diagnostic,
  DiagnosticBase,
  DiagnosticKind,
  GuardLeakDiagnostic,
  HeldLockAtExitDiagnostic,
  InconsistentLockStateDiagnostic,
  InvalidWaitContextDiagnostic,
  IrqInversionDiagnostic,
  IrqsDisabledAtExitDiagnostic,
  IrqsOnUnderIrqLockDiagnostic,
  LockOrderDiagnostic,
  MaxLockDepthDiagnostic,
  NestedLockNotHeldDiagnostic,
  RecursiveLockingDiagnostic,
  SleepingInAtomicDiagnostic,
  SchedulingWhileAtomicDiagnostic,
  TrylockInInterruptDiagnostic,
  UnlockWrongOwnerDiagnostic,
  LockdepAssertDiagnostic,
} from './diagnostics/types.js'
export type { Gfp } from './rules/gfp.js'
export {
  BAD_UNLOCK_BALANCE_TITLE,
  GUARD_LEAK_TITLE,
  HELD_LOCK_AT_EXIT_TITLE,
  IRQS_DISABLED_AT_EXIT_TITLE,
  IRQS_ON_UNDER_IRQ_LOCK_TITLE,
  PROOF_FALSIFIED_TITLE,
  SLEEPING_IN_ATOMIC_TITLE,
  SCHEDULING_IRQS_OFF_TITLE,
  schedulingWhileAtomicTitle,
  countingTitle,
} from './diagnostics/titles.js'
export { formatTrace, traceToJson, type TraceEvent } from './export/trace.js'
export {
  CountingError,
  DeadlockError,
  DoubleUnlockError,
  ForeignContextError,
  GuardOrderError,
  InterruptContextError,
  InvalidArgumentError,
  KernelSplat,
  LockedByError,
  LockproofRuntimeError,
  PromiseInScopeError,
  SchedulingError,
  ShadowedContextError,
  StaleContextError,
  WrongCpuError,
} from './errors.js'
export type { LockdepStats } from './lockdep/validator.js'
export type { KernelWarning, KernelWarningDiagnostic, ProofFalsifiedDiagnostic, ProofName } from './diagnostics/proof-diagnostics.js'
export { RT_TRYLOCK_TITLE, type RtTrylockDiagnostic, type RtTrylockWhere } from './diagnostics/rt-trylock.js'
export type { LockdepProcFile } from './lockdep/proc.js'
export type { Guard } from './locks/guard.js'
export type {
  GuardedNested,
  GuardedNestLock,
  LockedNested,
  LockedNestLock,
  TryGuarded,
  TryLocked,
} from './locks/annotated-api.js'
export type { TryResult } from './locks/lock.js'
export type { LockMap } from './lockdep/lock-map.js'
export {
  lockdepSetClass,
  lockdepSetNovalidateClass,
  lockSetClass,
  lockSetCmpFn,
  lockSetSubclass,
  mightLock,
  mightLockRead,
  NO_VALIDATE_KEY,
} from './lockdep/annotations.js'
export type { AnyLock } from './locks/any-lock.js'
export { SINGLE_DEPTH_NESTING, type ClassKey, type Subclass } from './rules/nesting.js'
export type { Locked, Guarded, LocalLock, Mutex, RawSpinLock, RwLock, RwSemaphore, SpinLock, SpinLockIrq } from './locks/api.js'
export { LOCK_KINDS, type LockKind, type Variant, type Step } from './kinds/lock-kinds.js'
export { describeDiagnostic } from './diagnostics/describe.js'
export { helper, type Helper } from './helpers/helper.js'
export { takes, type Take } from './helpers/takes.js'
export type { HelperEffects, HelperEffectsData, HelperLike, HelperSpec, Needs } from './helpers/spec.js'
export {
  lockdepAssertHeld,
  lockdepAssertHeldOnce,
  lockdepAssertHeldRead,
  lockdepAssertHeldWrite,
  lockdepAssertInSoftirq,
  lockdepAssertIrqsDisabled,
  lockdepAssertNotHeld,
  lockdepAssertPreemptionDisabled,
} from './helpers/assert.js'
export { LockedBy, type OwnerHeldCheck } from './helpers/locked-by.js'
export type { Semaphore } from './waiting/semaphore.js'
export { type Completion, UINT_MAX } from './waiting/completion.js'
export type { WaitCondition, WaitQueueHead } from './waiting/wait-queue.js'
export { HZ } from './waiting/errno.js'
export type { UnlockableGuard } from './waiting/unlockable.js'
export type { CondVar, CondVarTimeoutResult } from './waiting/condvar.js'
export {
  downReadInterruptible,
  downReadKillable,
  downWriteKillable,
  type InterruptibleResult,
  interruptibleOps,
  mutexLockInterruptible,
  mutexLockKillable,
} from './waiting/interruptible.js'
// Deferred work (issue #16): timers, hrtimers, workqueues, threaded irqs, irq_work, tasklets, NAPI, RCU (docs/deferred.md).
export type {
  BhWorkState,
  HardHrtimerState,
  HardIrqWorkState,
  HrtimerState,
  InHardirqState,
  InSoftirqState,
  IrqWorkState,
  MovedOnRtState,
  NapiPollState,
  OneshotPrimaryState,
  RcuCallbackState,
  SoftHrtimerState,
  TaskletState,
  TimerState,
} from './deferred/states.js'
export type { TimerList } from './deferred/timer.js'
export type { Hrtimer, HrtimerMode, HrtimerRestart, HrtimerStartMode, HrtimerStateOf } from './deferred/hrtimer.js'
export type { DelayedWork, Work, WorkKind, Workqueue, WorkqueueFlags, WorkStateOf } from './deferred/workqueue.js'
export type { IrqReturn, ThreadedIrqFlags } from './deferred/threaded-irq.js'
export type { IrqWork, IrqWorkStateOf } from './deferred/irq-work.js'
export type { Tasklet } from './deferred/tasklet.js'
export type { Napi, NapiPoll } from './deferred/napi.js'
// Deferred work inside models (the explorer interleaves it): src/deferred/model/, docs/deferred.md "In models".
export type { ModelTimerCallback, ModelTimerList } from './deferred/model/timer.js'
export type { ModelHrtimer, ModelHrtimerCallback } from './deferred/model/hrtimer.js'
export type { ModelDelayedWork, ModelWork, ModelWorkFn, ModelWorkqueue, ModelWorkqueueFlags } from './deferred/model/workqueue.js'
export type { ModelRequestThreadedIrq, ModelSynchronizeIrq, ModelThreadedIrqOptions } from './deferred/model/threaded-irq.js'
export type { ModelInitIrqWork, ModelIrqWork } from './deferred/model/irq-work.js'
export type { ModelScheduleDelayedWork } from './deferred/model/delayed-work.js'
export type { ModelTasklet, ModelTaskletCallback } from './deferred/model/tasklet.js'
export type { ModelRcu, ModelRcuCallback } from './deferred/model/rcu.js'
export type { NotInHardirqCheck, PreemptibleWaitCheck } from './rules/preemptible-wait.js'
export type { InCallbackOf, RunningCallback, SelfWaitCheck } from './rules/self-wait.js'
export type { HrtimerCancelCheck } from './rules/hrtimer-cancel.js'
export type { HrtimerCallbackState } from './deferred/hrtimer.js'
export type { TimerCallbackState } from './deferred/timer.js'
export type { WorkFnState } from './deferred/workqueue.js'
export type { IrqThreadFnState } from './deferred/threaded-irq.js'
export type { SeqCount, SeqCountLocked, SeqLock } from './seqlock/api.js'
export type { ModelSeqCount, ModelSeqCountLocked, ModelSeqLock } from './seqlock/model-api.js'
export type { WwAcquireCtx, WwClass, WwLockResult, WwMutex } from './ww/api.js'
export type { ModelWwClass, ModelWwMutex } from './ww/model-api.js'
export { EALREADY, EDEADLK } from './ww/errno.js'
// The model executor (issue #15): tasks and handlers as generators, one execution at a time (docs/executors.md).
export { ForgottenYieldError } from './errors.js'
export { defineModel, runModel, type Model, type ModelMachine, type ModelResult, type RunModelOptions } from './exec/model/run.js'
export type { ModelIrqOptions, ModelKernel, ModelTaskHandle } from './exec/model/model-kernel.js'
export type { ModelOutcome, Signal, StuckTask } from './exec/model/executor.js'
export { defaultScheduler, replayScheduler } from './exec/model/default-scheduler.js'
export type { Choice, ChoicePoint, Scheduler } from './exec/model/scheduler.js'
export type {
  ModelGuarded,
  ModelGuardedNested,
  ModelGuardedNestLock,
  ModelLocalLock,
  ModelLocked,
  ModelLockedNested,
  ModelLockedNestLock,
  ModelLockOf,
  ModelMutex,
  ModelRawSpinLock,
  ModelRwLock,
  ModelRwSemaphore,
  ModelSection,
  ModelSpinLock,
  ModelSpinLockIrq,
  ModelTryGuarded,
  ModelTryLocked,
} from './locks/model-api.js'
export type { Op, WaitState, WakeReason } from './exec/wait.js'
export { traceToPerfetto, type PerfettoOptions } from './export/perfetto.js'
export { traceToFtrace, type FtraceTextOptions } from './export/ftrace-text.js'
export { lockGraphToDot, type LockGraphDotOptions } from './export/dot.js'
export type { LockDependencyType, LockGraph, LockGraphClass, LockGraphDependency } from './export/lock-graph.js'
// The explorer (issue #17): every interleaving and interrupt arrival, both kernels (docs/explorer.md).
export { explore, exploreWitness, type ExploreModelOptions } from './exec/explore/explore.js'
export type { ExploreOptions } from './exec/explore/options.js'
export type { Counterexample, ExploreResult, KernelExploration } from './exec/explore/result.js'
export type { FailureKind, KernelName } from './exec/explore/execution.js'
export type { Progress } from './exec/explore/driver.js'
export type { Witness } from './exec/explore/witness.js'
export { decodeReplay, type DecodedReplay } from './exec/explore/replay-string.js'
export type { ModelCell } from './exec/explore/cell.js'
export type { ModelPerCpu } from './exec/explore/races/per-cpu.js'
export { assertNoCounterexample, formatExploreResult } from './exec/explore/assert.js'
export {
  CounterexampleError,
  DeclarationsChangedError,
  NondeterministicModelError,
  ReplayError,
  StepLimitError,
} from './exec/explore/errors.js'
export { defineLockKind } from './kinds/define.js'
export {
  LockKindError,
  OneConfigurationError,
  ProofRequiredError,
  UnbalancedStepsError,
  UnknownStepError,
  WaitTypeMismatchError,
} from './kinds/define-errors.js'
export type { LockKindSpec } from './kinds/spec.js'
export type { LockOf } from './kinds/derive.js'
export type { KindRef } from './kinds/kind-of.js'
export { KIND_SPECS } from './kinds/registry.js'
export { BIT_SPIN_LOCK, PERCPU_RW_SEMAPHORE, RT_MUTEX, SPIN_LOCK_IRQ_COUNTED, SPIN_LOCK_IRQ_SAVE, SPIN_LOCK_IRQ_V6 } from './kinds/shipped/index.js'
// The design check of a lock kind (issue #18 item 5, src/kinds/design/).
export {
  checkLockDesign,
  DesignCheckError,
  formatLockDesign,
  type CheckLockDesignOptions,
  type DesignCell,
  type DesignCounterexample,
  type DesignFailure,
  type DesignForm,
  type DesignKindCheck,
  type DesignVariantOf,
  type DesignVerdict,
  type FormatLockDesignOptions,
  type LockDesignVerdict,
} from './kinds/design/index.js'
