/**
 * The runtime of every lock kind: replays the kind's steps (its spec, kinds/registry.ts; each
 * step's effect, undo and rollback in kinds/steps.ts) on the simulated CPU,
 * transactionally (a step that throws undoes the ones before it), keeps the owner and the
 * task's held-lock stack, and asks the validator about each acquisition.
 */
import { falsifiedByUnlock, lockClaims } from '../exec/claims.js'
import { ScopeContext } from '../exec/scope.js'
import { NO_FAILURE, releaseAfterReport } from '../exec/protocol.js'
import { warnAtTitle, wrongOwnerTitle } from '../diagnostics/titles.js'
import { RT_TRYLOCK_TITLE, rtTrylockLines } from '../diagnostics/rt-trylock.js'
import { rtTrylockWhere } from './rt-trylock.js'
import { OK, type BlockedOutcome, type OkOutcome } from '../machine/outcome.js'
import { DELIVERY } from '../exec/delivery.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { Cpu } from '../machine/cpu.js'
import { IRQS_ON, type IrqFlags } from '../machine/cpu-state.js'
import type { TracePayload } from '../machine/events.js'
import type { LockState, Task } from '../machine/machine.js'
import type { Diagnostic } from '../diagnostics/types.js'
import { DoubleUnlockError, ForeignContextError, InterruptContextError, InvalidArgumentError, WrongCpuError } from '../errors.js'
import { banner, lockName } from '../lockdep/splat.js'
import type { ChainNode } from '../lockdep/chains.js'
import type { LockdepKind } from '../lockdep/maps.js'
import { NO_VALIDATE_KEY, type LockClass } from '../lockdep/classes.js'
import { irqContextOf, type Lockdep, type NextLock } from '../lockdep/validator.js'
import type { ResolvedOptions } from '../options.js'
import { LockGuard, type Relock } from './guard.js'
import { lockData } from '../exec/explore/races/lock-data.js'
import type { HeldLock, HeldLocks, IrqContext } from './held.js'
import { opsOfSpec } from '../kinds/registry.js'
import type { AnyKindName } from '../kinds/kind-of.js'
import { ProofRequiredError } from '../kinds/define-errors.js'
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from '../exec/claim-bits.js'
import type { LockKindSpec } from '../kinds/spec.js'
import { STEPS, type StepDelivery, type StepEffect, type StepHost } from '../kinds/steps.js'
import { counted as countedOps, type LockKind, type Ops, type Step, type Variant } from '../kinds/lock-kinds.js'
import { POINT, type Op, type PointYield, type WaitChannel, type WaitYield, type WakeReason } from '../exec/wait.js'
import { LockWaiter, type Holders, type WakePolicy } from './wake/policy.js'
import { wakePolicyFor } from './wake/for-kind.js'
import { opStarted, type OpTracker, type Track, tracksItself } from '../exec/model/op.js'
import { LockSectionOp } from './section-op.js'

/** What a lock needs from its kernel. */
export interface LockHost {
  readonly options: ResolvedOptions
  /** Enters a new lock (or lockdep map) `object` into the machine; its entry carries the id. */
  addLock(kind: LockdepKind, name: string, object: object): LockState
  /** The object behind lock id `id` (a cmp_fn compares lock objects), or undefined. */
  objectOf(id: number): object | undefined
  /** This kernel's CPUs, by id: a context bound to another kernel's CPU is refused. */
  readonly cpus: readonly Cpu[]
  /** The CPU whose code runs now. */
  executingCpu(): Cpu | null
  readonly held: HeldLocks
  readonly lockdep: Lockdep
  report(d: Diagnostic): void
  /** `__might_resched()` with these offsets: reports when sleeping is not allowed here. */
  mightResched(cpu: Cpu, what: string, preemptOffset: number, rcuOffset: number): void
  trace(cpu: Cpu, event: TracePayload): void
  /** A guard outlived its scope (`task`: the task ended with it held). */
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void
  /** Interrupts came back on at `droppedBy`'s unlock: check what still needs them off, then take pending ones. */
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  /** Reports a bad unlock balance of `what` (lock class `className`); the caller throws. */
  badUnlock(cpu: Cpu, what: string, className: string): void
  /** Reports and refuses (GuardOrderError) a guard drop that would falsify the proofs `bits` (unless `guardDrop: 'report'`). */
  refuseDrop(cpu: Cpu, what: string, bits: number): void
  /** The executor's answer to a 'blocked' outcome; the synchronous one reports a deadlock and throws. */
  blocked(cpu: Cpu, outcome: BlockedOutcome): never
  /** An unlock with tasks waiting on the lock (the model flavour; nothing waits on the synchronous one). */
  wake(channel: WaitChannel, nr: number | 'all'): void
}

/** The states a sleeping lock's wait may use (mutex_lock(), _interruptible(), _killable()). */
export type SleepState = 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE'

/** A section of the model flavour: a generator function run with `yield*` while the lock is held. */
export type SectionOp<D, R> = (ctx: Context<CtxState>, data: D) => Op<R>

/** A lock wait as the lock yields it: the seam's WaitYield, plus who holds the lock (for the reports). */
export interface LockWaitYield extends WaitYield {
  readonly blocked: BlockedOutcome
  /** The waiter's side, and the holder's (a writer, or readers in the way of a writer). */
  readonly mode: 'read' | 'write'
  readonly holderMode: 'read' | 'write'
}

/** A wait a lock yielded (it names the holder). */
export const isLockWait = (y: WaitYield): y is LockWaitYield => 'blocked' in y

/** %GeneratorPrototype%: what every generator object inherits `next` and `throw` from. */
const GENERATOR_PROTOTYPE: unknown = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})()))

/** A generator object (what a `function*` returns), as the model flavour's sections must be. */
export const isOp = (value: unknown): value is Op<unknown> => {
  if (typeof value !== 'object' || value === null) return false
  if (isGeneratorObject(value)) return true
  // An async generator has next/throw too, but its steps are Promises: not an operation.
  if (Symbol.asyncIterator in value) return false
  return typeof (value as { next?: unknown }).next === 'function' && typeof (value as { throw?: unknown }).throw === 'function'
}

/** What a `function*` returns (not another iterator): its prototype's prototype is %GeneratorPrototype%. */
export const isGeneratorObject = (value: object): value is Op<unknown> => {
  // One comparison, where the members are a lookup on a different prototype for every generator function.
  const proto: unknown = Object.getPrototypeOf(value)
  return proto !== null && Object.getPrototypeOf(proto) === GENERATOR_PROTOTYPE
}

/** One step, performed for an acquisition of a lock (kinds/steps.ts states each one's effect). */
type StepFn = StepEffect

/**
 * How a lock step is taken back when a later one throws: its `rollback` (quiet bookkeeping) or
 * else its undo step's effect (kinds/steps.ts); null for a check, which changed nothing.
 */
const rollbackOf = (st: Step): StepFn | null => {
  const { rollback, undo } = STEPS[st]
  return rollback ?? (undo === null ? null : STEPS[undo].effect)
}

/** `task_irq_context()` values as the InterruptContextError message names them. */
const IRQ_CONTEXT_NAMES = ['task context', 'softirq context', 'hardirq context', 'hardirq context (in softirq)'] as const

/** One acquisition in progress: what its steps saved. A class, so every one has one shape. */
class Acquisition {
  flags: IrqFlags | null = null
  /** The interrupt flag before an `irq_disable` step: what rolling it back restores. */
  irqsBefore: IrqFlags = IRQS_ON
  record: HeldRecord | null = null
  /** Guards: the context the lock was taken from, the guard's own, and its compiled method (for do_unlocked()). */
  outer: ScopeContext | null = null
  child: ScopeContext | null = null
  ops: Compiled | null = null
  constructor(
    readonly cpu: Cpu,
    /** The task taking the lock (its owner once taken). */
    readonly task: Task,
    /** The owner's held-lock stack. */
    readonly stack: HeldLock[],
    readonly variant: Variant,
    readonly mode: 'read' | 'write',
    /** Guards: pending interrupts are taken at the restore step, after checking what needs them off. */
    readonly deferDelivery: boolean,
    /** The lock steps turn interrupts off (an irqsave/irq variant that does so on this kernel). */
    readonly irqLock: boolean,
    /** A trylock: fails instead of waiting, and lockdep treats it as one. */
    readonly trylock: boolean,
    /** The lockdep subclass (`spin_lock_nested()`), 0 otherwise. */
    readonly subclass: number,
    /** The nest_lock's lock id (`spin_lock_nest_lock()`), or null. */
    readonly nestLock: number | null,
  ) {}
  /** The model flavour: a contended acquire step waits (the synchronous one's is the executor's report). */
  waitable = false
  /** What a waitable acquisition keeps across its waits: made when it meets a held or queued lock (most take the lock at once). */
  wait: WaitingAcquisition | null = null
}

/** What a waitable acquisition (the model flavour) keeps across its waits. */
class WaitingAcquisition {
  /** Set by a contended acquire step: who holds the lock. */
  blockedOn: BlockedOutcome | null = null
  /** A retry after a wait: lockdep validated at the first try (`lock_acquire()` precedes the wait), so it does not again. */
  retry = false
  /** The chain the first try validated (what a retry's record gets). */
  chain: ChainNode | null = null
  /** Its place in the lock's wake policy while it waits (./wake/policy.ts). */
  waiter: LockWaiter | null = null
}

/** A scope edge that changes nothing (the context do_unlocked() runs its callback in). */
const noExitEdge = (): void => undefined

/** Thrown by the acquire step of a waitable acquisition when the lock is held: the steps before it stay done. */
const MUST_WAIT: unique symbol = Symbol('acquire: must wait')

/** Thrown by a trylock's acquire step when the lock is taken: the steps before it are undone. */
const NOT_TAKEN: unique symbol = Symbol('trylock: not taken')

/**
 * A trylock's result in callback form: whether the lock was taken, and the callback's value if so.
 *
 * @example
 * ```ts
 * import { createKernel, type TryResult } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const r: TryResult<number> = kernel.run((ctx) => stats.withTryLocked(ctx, (_ctx, s) => ++s.hits))
 * console.log(r.taken && r.value) // 1
 * ```
 */
export type TryResult<R> =
  | {
      /** The lock was free and was taken around the callback. */
      readonly taken: true
      /** What the callback returned. */
      readonly value: R
    }
  | {
      /** The lock was held: nothing ran, every step was undone. */
      readonly taken: false
    }
const NOT_TAKEN_RESULT: TryResult<never> = Object.freeze({ taken: false })

/**
 * A held-lock record (and, for lockdep, the acquisition it validates). A lock has one writer at
 * a time, so its write record is made once and reused: a fresh object stored into the
 * long-lived held-lock stack would cost a generational write barrier on every acquisition.
 */
class HeldRecord implements HeldLock, NextLock {
  variant: Variant
  mode: 'read' | 'write'
  cpu = 0
  irqContext: IrqContext = 0
  flags: IrqFlags | null = null
  irqLock = false
  recursiveRead = false
  /** `hlock->check`: a lock is checked unless its key is `__lockdep_no_validate__` (`check = 0`). */
  check = true
  trylock = false
  nestLock: number | null = null
  key: string
  subclass = 0
  classId: number | null = null
  chainId: number | null = null

  constructor(
    /** The lock's id. */
    readonly lock: number,
    readonly name: string,
    readonly kind: AnyKindName,
    a: Acquisition,
  ) {
    this.variant = a.variant
    this.mode = a.mode
    this.key = name
  }

  /** Fills the record for acquisition `a` (a reused write record is overwritten here). */
  take(a: Acquisition, irqContext: IrqContext, chain: ChainNode | null): void {
    this.variant = a.variant
    this.mode = a.mode
    this.cpu = a.cpu.id
    this.irqContext = irqContext
    this.flags = a.flags
    this.irqLock = a.irqLock
    this.trylock = a.trylock
    this.nestLock = a.nestLock
    this.classId = chain === null ? null : (chain.cls?.id ?? null)
    this.chainId = chain === null ? null : chain.id
  }
}

/** A method prepared once: its name for errors, variant, mode, steps, and whether they turn interrupts off. */
export interface Compiled {
  readonly op: string
  readonly variant: Variant
  readonly mode: 'read' | 'write'
  /**
   * The kind's steps as functions: replaying one is a call, not a switch over every step (which
   * made the hot path too large for V8 to inline). `undoFns[i]` undoes `lockFns[i]` (null: a check).
   */
  readonly lockFns: readonly StepFn[]
  readonly undoFns: readonly (StepFn | null)[]
  readonly unlockFns: readonly StepFn[]
  /** The unlock steps by name, to tell before a guard's unlock what it would turn back on. */
  readonly unlockSteps: readonly Step[]
  readonly irqLock: boolean
  /** The proofs the variant adds on both kernels (exec/claims.ts): what its context carries. */
  readonly claims: number
  /** A trylock: no might-sleep step, and it fails instead of waiting. */
  readonly trylock: boolean
  /** The proof bits the kind `requires` of the caller's context (0: none, every kernel lock). */
  readonly requires: number
}

/** The context proofs as bits, with the names the compile-time error uses. */
const PROOF_NAMES = [
  [CLAIM_IRQ, 'IrqDisabled'],
  [CLAIM_PREEMPT, 'PreemptDisabled'],
  [CLAIM_BH, 'BhDisabled'],
] as const

/** The proof bits a kind requires of its callers. */
const requiredBits = (spec: LockKindSpec): number =>
  spec.requires.reduce((bits, p) => bits | (p === 'irq' ? CLAIM_IRQ : p === 'preempt' ? CLAIM_PREEMPT : CLAIM_BH), 0)

/** A trylock never waits, so never checks that it may (mutex_trylock, __rt_spin_trylock): its steps without the wait checks. */
const withoutWaitChecks = (ops: Ops): Ops => ({ lock: ops.lock.filter((st) => !STEPS[st].waitCheck), unlock: ops.unlock })

/** What a Compiled holds beyond its name: the same for every lock of one kind, method shape and kernel configuration. */
type CompiledSteps = Omit<Compiled, 'op' | 'variant' | 'mode' | 'trylock'>

/** A model lock object's runtime, on the object itself (src/locks/model-api.ts; src/locks/api.ts reads it). */
export const LOCK_RUNTIME: unique symbol = Symbol('lockproof lock runtime')

/** Steps by kind spec, then by {@link stepsKey}: built once per process, not per lock (a model builds its locks every execution). */
const STEPS_CACHE = new WeakMap<LockKindSpec, Map<string, CompiledSteps>>()

/** Everything the steps depend on besides the spec: the variant, mode, trylock, the kernel, and counted disabling (guards only). */
const stepsKey = (variant: Variant, mode: 'read' | 'write', trylock: boolean, preemptRt: boolean, counted: 0 | 1 | 2): string =>
  `${variant}:${mode}:${trylock ? 't' : ''}:${preemptRt ? 'rt' : ''}:${counted}`

/** The steps of method shape (`variant`, `mode`, guard, trylock) of `spec` on the kernel configured by `options`, cached. */
const compiledSteps = (
  spec: LockKindSpec,
  variant: Variant,
  mode: 'read' | 'write',
  guard: boolean,
  trylock: boolean,
  options: ResolvedOptions,
): CompiledSteps => {
  const counted = guard && options.irqDisable === 'counted' ? (options.preemptCountLayout === 'interrupt-count' ? 2 : 1) : 0
  const key = stepsKey(variant, mode, trylock, options.preemptRt, counted)
  let bySpec = STEPS_CACHE.get(spec)
  if (bySpec === undefined) {
    bySpec = new Map()
    STEPS_CACHE.set(spec, bySpec)
  }
  const hit = bySpec.get(key)
  if (hit !== undefined) return hit
  const blocking = opsOfSpec(spec, variant, options.preemptRt, mode)
  const base = trylock ? withoutWaitChecks(blocking) : blocking
  const ops: Ops = counted === 0 ? base : countedOps(base, counted === 2)
  const steps: CompiledSteps = Object.freeze({
    lockFns: Object.freeze(ops.lock.map((st) => STEPS[st].effect)),
    undoFns: Object.freeze(ops.lock.map(rollbackOf)),
    unlockFns: Object.freeze(ops.unlock.map((st) => STEPS[st].effect)),
    unlockSteps: ops.unlock,
    irqLock: ops.lock.some((st) => STEPS[st].irqsOff),
    claims: lockClaims(spec, variant, mode),
    requires: requiredBits(spec),
  })
  bySpec.set(key, steps)
  return steps
}

export class LockRuntime<D> implements StepHost, Relock {
  /** The lock's id, and its entry in the machine (kind, name, key, owner, readers). */
  readonly id: number
  readonly #state: LockState
  /** The write record, reused by every write acquisition (see HeldRecord). */
  #writeRecord: HeldRecord | null = null
  /** lockdep's class of this lock (subclass 0), found on the first validated acquisition. */
  #cls: LockClass | null = null
  readonly label: string
  /** The kind's spec (kinds/registry.ts): its steps, category and lockdep map. */
  readonly spec: LockKindSpec

  /** The kind's name (`spec.kind`). */
  readonly kind: AnyKindName
  /** The kind has a `struct lockdep_map`: without one (bit_spin_lock) lockdep never sees the lock. */
  readonly #hasMap: boolean
  /** The model kernel's lock object of this runtime (src/locks/api.ts `registerLock`); null for the synchronous one's. */
  built: { readonly kind: LockKind; readonly name: string } | null = null

  constructor(
    private readonly host: LockHost,
    spec: LockKindSpec,
    readonly name: string,
    private readonly dataOf: (cpu: Cpu) => D,
  ) {
    this.spec = spec
    const kind = spec.kind
    this.kind = kind
    this.#hasMap = spec.lockdep !== null
    this.label = lockName({ kind, name })
    if (this.#hasMap) host.lockdep.classes.claim(name, kind, this.label)
    this.#state = host.addLock(kind, name, this)
    this.id = this.#state.id
  }

  /**
   * Whether task `pid` holds this lock (the writer or one of the readers), from the lock word: a
   * lock without a lockdep map (bit_spin_lock) is on no held-lock stack, so `LockedBy` asks here.
   */
  heldBy(pid: number): boolean {
    const st = this.#state
    return st.writerPid === pid || st.readerPids.includes(pid)
  }

  /** `lockdep_set_class()`: later acquisitions use the class of key `key`. */
  setClass(key: string): void {
    this.host.lockdep.classes.claim(key, this.kind, this.label)
    this.#state.key = key
    this.#cls = null
  }

  /** The lockdep key's name (the class name of subclass 0; `lockdep_set_class()` changes it). */
  get key(): string {
    return this.#state.key
  }

  /**
   * `might_lock()` / `might_lock_read()`: `lock_acquire()` then `lock_release()` at once, so
   * lockdep validates the acquisition (read = 1 for might_lock_read) without taking the lock.
   */
  mightLock(publicCtx: Context<CtxState>, mode: 'read' | 'write'): void {
    const op = `might_lock${mode === 'read' ? '_read' : ''}(${this.name})`
    const ctx = ScopeContext.from(publicCtx, op)
    const cpu = ctx.assertUsable(op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreignAt(op)
    const lockdep = this.host.lockdep
    if (!lockdep.active || !this.#hasMap) return
    const next: NextLock = {
      name: this.name,
      kind: this.kind,
      mode,
      recursiveRead: false,
      trylock: false,
      nestLock: null,
      lock: this.id,
      key: this.key,
      subclass: 0,
      check: this.key !== NO_VALIDATE_KEY,
    }
    lockdep.acquire(cpu, ctx.heldLocks, next, this.classOf(0), irqContextOf(cpu))
  }

  /**
   * `lock_set_class()` / `lock_set_subclass()` on this lock, held by the task of `ctx`
   * (`__lock_set_class()`): the lock is re-keyed (`lockdep_init_map_type(lock, name, key, 0, …)`),
   * the held entry gets class (`key`, `subclass`), and it and the entries above it go through
   * `__lock_acquire()` again (`reacquire_held_locks()`).
   */
  setHeldClass(publicCtx: Context<CtxState>, key: string, subclass: number, op: string): void {
    const ctx = ScopeContext.from(publicCtx, op)
    const cpu = ctx.assertUsable(op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreignAt(op)
    const stack = ctx.heldLocks
    // find_held_lock(): from the top, not crossing into another irq context.
    const irqContext = stack.at(-1)?.irqContext
    let at = stack.length - 1
    while (at >= 0 && (stack[at] as HeldLock).irqContext === irqContext && (stack[at] as HeldLock).lock !== this.id) at--
    if (at >= 0 && (stack[at] as HeldLock).lock !== this.id) at = -1
    if (at < 0) {
      // __lock_set_class(): no such held lock is print_unlock_imbalance_bug().
      this.host.badUnlock(cpu, this.label, this.name)
      throw new InvalidArgumentError(`${op}: ${this.label} is not held by this task`)
    }
    const lockdep = this.host.lockdep
    const h = stack[at] as HeldLock
    if (!lockdep.active || h.classId === null) return
    this.setClass(key)
    h.classId = lockdep.classes.get(key, this.kind, subclass).id
    lockdep.reacquire(cpu, stack, at)
  }

  /** The lock object behind lock id `id` in this lock's kernel (a cmp_fn's arguments). */
  objectOf(id: number): object | undefined {
    return this.host.objectOf(id)
  }

  /** lockdep's class of this lock for `subclass`. */
  classOf(subclass: number): LockClass {
    if (subclass === 0) {
      this.#cls ??= this.host.lockdep.classes.get(this.key, this.kind)
      return this.#cls
    }
    return this.host.lockdep.classes.get(this.key, this.kind, subclass)
  }

  /** Prepares method `op` (counted interrupt disabling for guards in 'counted' mode); its steps come from {@link compiledSteps}. */
  compile(op: string, variant: Variant, mode: 'read' | 'write', guard: boolean, trylock = false): Compiled {
    const s = compiledSteps(this.spec, variant, mode, guard, trylock, this.host.options)
    return {
      op: `${op}(${this.name})`,
      variant,
      mode,
      lockFns: s.lockFns,
      undoFns: s.undoFns,
      unlockFns: s.unlockFns,
      unlockSteps: s.unlockSteps,
      irqLock: s.irqLock,
      claims: s.claims,
      trylock,
      requires: s.requires,
    }
  }

  /**
   * Takes the lock and returns a guard: its context is the innermost until it is unlocked
   * (guards may be unlocked in any order). IRQ-disabling variants use counted interrupt
   * disabling unless the kernel was made with `irqDisable: 'save-restore'`.
   */
  lockGuard(ctx: ScopeContext, ops: Compiled, subclass = 0, nest: LockRuntime<unknown> | null = null): LockGuard<D> {
    const { variant, mode } = ops
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    // The data first: a local_lock_t's per-CPU init may throw, and then nothing is taken.
    const data = this.dataOf(cpu)
    const a = new Acquisition(
      cpu,
      cpu.current,
      ctx.heldLocks,
      variant,
      mode,
      true,
      ops.irqLock,
      ops.trylock,
      subclass,
      nest === null ? null : this.#nestId(nest, ops),
    )
    this.#run(a, ops)
    return this.#guardFor(ctx, cpu, a, ops, data)
  }

  /** A trylock as a guard: null when the lock was not free (its steps are undone then). */
  tryLockGuard(ctx: ScopeContext, ops: Compiled): LockGuard<D> | null {
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    const data = this.dataOf(cpu)
    const a = new Acquisition(cpu, cpu.current, ctx.heldLocks, ops.variant, ops.mode, true, ops.irqLock, true, 0, null)
    try {
      this.#run(a, ops)
    } catch (error) {
      if (error === NOT_TAKEN) return null
      throw error
    }
    return this.#guardFor(ctx, cpu, a, ops, data)
  }

  #guardFor(ctx: ScopeContext, cpu: Cpu, a: Acquisition, ops: Compiled, data: D): LockGuard<D> {
    const child = this.#push(ctx, cpu, a, ops)
    a.outer = ctx
    a.child = child
    a.ops = ops
    const shown = lockData(this, this.host.cpus, cpu.id, data) // watched while the explorer runs (src/exec/explore/races/)
    const guard = new LockGuard(ScopeContext.public(child), shown, (g) => this.#releaseGuard(g, a, ops, child), this, a)
    ScopeContext.guard(child, (reason) => releaseAfterReport(() => this.#reportLeak(a, reason), guard))
    return guard
  }

  // ── do_unlocked() (src/waiting/unlockable.ts): the guard's lock given up and taken back ───
  /**
   * `B::unlock()`: the guard's unlock steps, its context suspended (it proves nothing meanwhile);
   * returns a new context of the one the lock was taken from, the innermost until `relock`.
   */
  unlock(op: string, token: unknown): Context<CtxState> {
    const { a, child, outer, ops } = this.#guardParts(op, token)
    const cpu = child.assertUsable(`${op} of ${this.label}`)
    ScopeContext.suspend(child)
    let failure: unknown = NO_FAILURE
    for (const step of ops.unlockFns) {
      try {
        step(this as LockRuntime<unknown>, a)
      } catch (error) {
        if (failure === NO_FAILURE) failure = error
      }
    }
    if (failure !== NO_FAILURE) {
      // An interrupt handler taken at the unlock threw: take the lock back at once, then fail.
      this.#retake(a, ops, child)
      throw failure
    }
    return ScopeContext.public(ScopeContext.push(outer, cpu, 0))
  }

  /** `B::relock()`: ends the context `unlock` gave, then the lock steps again (lockdep validates again). */
  relock(op: string, inner: Context<CtxState>, token: unknown): void {
    const { a, child, ops } = this.#guardParts(op, token)
    let failure: unknown = NO_FAILURE
    try {
      ScopeContext.close(ScopeContext.from(inner, op), noExitEdge, 'scope')
    } catch (error) {
      failure = error
    }
    this.#retake(a, ops, child)
    if (failure !== NO_FAILURE) throw failure
  }

  /**
   * `relock` as an op (CondVar's wait): in a model the lock steps wait where the acquire step finds
   * the lock held, as the guard's first acquisition did; in kernel.run() contention is reported.
   */
  *relockOp(op: string, inner: Context<CtxState>, token: unknown): Op<void> {
    const { a, child, ops } = this.#guardParts(op, token)
    let failure: unknown = NO_FAILURE
    try {
      ScopeContext.close(ScopeContext.from(inner, op), noExitEdge, 'scope')
    } catch (error) {
      failure = error
    }
    this.#freshTry(a)
    try {
      if (a.waitable) yield* this.#stepsWaiting(a, ops)
      else this.#run(a, ops)
    } catch (error) {
      ScopeContext.pop(child, 'guard')
      throw error
    }
    ScopeContext.resume(child)
    if (failure !== NO_FAILURE) throw failure
  }

  /** A re-acquisition is validated by lockdep again (B::relock() calls the lock function again). */
  #freshTry(a: Acquisition): void {
    const w = a.wait
    if (w === null) return
    w.retry = false
    w.blockedOn = null
    w.chain = null
    w.waiter = null
  }

  /** Takes the lock again for the guard; if that throws, the guard's scope ends (its lock is not held). */
  #retake(a: Acquisition, ops: Compiled, child: ScopeContext): void {
    this.#freshTry(a)
    // The synchronous relock of do_unlocked(): contention is the executor's report even in a model.
    const waitable = a.waitable
    a.waitable = false
    try {
      this.#run(a, ops)
    } catch (error) {
      ScopeContext.pop(child, 'guard')
      throw error
    } finally {
      a.waitable = waitable
    }
    ScopeContext.resume(child)
  }

  #guardParts(op: string, token: unknown): { a: Acquisition; child: ScopeContext; outer: ScopeContext; ops: Compiled } {
    if (!(token instanceof Acquisition) || token.child === null || token.outer === null || token.ops === null) {
      throw new InvalidArgumentError(`${op}: not a guard of ${this.label}`)
    }
    return { a: token, child: token.child, outer: token.outer, ops: token.ops }
  }

  /** The nest lock's id: a lock of another kernel has no id in this machine, so it is refused as its contexts are. */
  #nestId(nest: LockRuntime<unknown>, ops: Compiled): number {
    if (nest.host !== this.host) throw new ForeignContextError(`${ops.op}: the nest lock ${nest.label} belongs to another kernel; use a lock of this kernel`)
    return nest.id
  }

  /** The kind `requires` proofs the context does not carry: refused before anything changes (rules/requires.ts at compile time). */
  #checkRequires(ctx: ScopeContext, ops: Compiled): void {
    const missing = ops.requires & ~ScopeContext.claimsOf(ctx)
    if (missing === 0) return
    const names = PROOF_NAMES.filter(([bit]) => (missing & bit) !== 0).map(([, n]) => n)
    throw new ProofRequiredError(`${ops.op}: ${this.label} requires a context that proves ${names.join(' and ')} (its kind's requires); nothing was taken`)
  }

  /** A context of another kernel: refused before anything changes, on either kernel. */
  #foreign(ops: Compiled): never {
    this.#foreignAt(ops.op)
  }
  /** This lock's kernel made `cpu` (a context of another kernel runs on a CPU of its own). */
  ownsCpu(cpu: Cpu): boolean {
    return this.host.cpus[cpu.id] === cpu
  }

  #foreignAt(op: string): never {
    throw new ForeignContextError(`${op}: the context belongs to another kernel; use a context of the kernel that made this lock`)
  }

  #releaseGuard(_guard: LockGuard<D>, a: Acquisition, ops: Compiled, child: ScopeContext): void {
    const { cpu } = a
    if (!child.live) this.#badUnlock(a)
    const here = this.host.executingCpu() ?? cpu
    if (here !== cpu || here.current !== a.task) {
      this.#wrongOwner(here, a)
      throw new WrongCpuError(`${this.label}: a guard must be unlocked by the task that took it, on CPU ${cpu.id}`)
    }
    // mutex-design.rst: "Mutexes may not be used in hardware or software interrupt contexts", but
    // a trylock and unlock within one softirq is allowed (rxrpc; the WARN_ON(in_interrupt()) of
    // a0855d24fc22 was reverted by c571b72e2b84): refused only where the irq context changed —
    // the callback form can never do that, so both forms follow one rule.
    const taken = a.record?.irqContext ?? 0
    const now = irqContextOf(cpu)
    if (this.#sleeping() && now !== taken) {
      throw new InterruptContextError(
        `${this.label}: a sleeping lock cannot be released from interrupt context other than the one that took it (taken in ${IRQ_CONTEXT_NAMES[taken]}, released in ${IRQ_CONTEXT_NAMES[now]}); the lock stays held`,
      )
    }
    // An out-of-order drop that would make a live context's proof false is refused before anything changes.
    if (ScopeContext.mayRefuseDrop(child)) {
      const bits = falsifiedByUnlock(cpu, ops.unlockSteps, a.flags, ScopeContext.claimsOf(child), this.host.options.lockdep)
      if (bits !== 0) this.host.refuseDrop(cpu, this.label, bits)
    }
    this.#runAll(a, ops.unlockFns, child, ScopeContext.pop(child, 'guard'))
  }

  /**
   * Guards only (callbacks nest, so their restores are always right): when an unlock step turned
   * interrupts back on, check what still needs them off *before* taking the pending ones — at
   * this step, as the kernel takes them in local_irq_restore(), before preempt_enable().
   */
  irqsMayBeBackOn(a: Acquisition): void {
    if (a.deferDelivery && !a.cpu.irqsDisabled) this.host.irqsBackOn(a.cpu, this.label)
  }

  #reportLeak(a: Acquisition, reason: 'scope' | 'task'): void {
    this.host.reportLeak(a.cpu, this.label, reason)
  }

  /** debug_spin_unlock()'s "wrong owner" (mutex_unlock()'s owner check for sleeping kinds). */
  /** A sleeping lock on this kernel (mutex, rw_semaphore; on RT the rtmutex-based kinds too). */
  #sleeping(): boolean {
    return this.spec.category[this.host.options.preemptRt ? 'rt' : 'normal'] === 'sleeping'
  }

  /** A CPU-local kind on this kernel (local_lock_t on a normal kernel): no lock word to wait on. */
  #lockless(): boolean {
    return this.spec.category[this.host.options.preemptRt ? 'rt' : 'normal'] === 'cpu-local'
  }

  #wrongOwner(here: Cpu, a: Acquisition): void {
    const t = here.current
    const sleeping = this.#sleeping()
    const title = wrongOwnerTitle(sleeping, here.id, t.comm, t.pid)
    this.host.report({
      kind: 'unlock-wrong-owner',
      title,
      cpu: here.id,
      task: t.comm,
      heldLocks: this.host.held.names(t),
      preemptCount: here.preemptCount,
      lock: this.label,
      owner: { comm: a.task.comm, pid: a.task.pid, cpu: a.cpu.id },
      report: [
        ...banner(title),
        `${t.comm}/${t.pid} on CPU ${here.id} tries to unlock ${this.label},`,
        `owned by ${a.task.comm}/${a.task.pid}, taken on CPU ${a.cpu.id}. Refused: the lock stays held.`,
      ].join('\n'),
    })
  }

  #badUnlock(a: Acquisition): never {
    this.host.badUnlock(this.host.executingCpu() ?? a.cpu, this.label, this.name)
    throw new DoubleUnlockError(`${this.label}: this guard was already unlocked`)
  }

  /** Runs `cb` holding the lock: the lock steps, a child scope, the unlock steps (also on throw). */
  withLock<R>(ctx: ScopeContext, ops: Compiled, cb: (ctx: Context<CtxState>, data: D) => R, subclass = 0, nest: LockRuntime<unknown> | null = null): R {
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    // The data first: a local_lock_t's per-CPU init may throw, and then nothing is taken.
    const data = this.dataOf(cpu)
    const a = new Acquisition(
      cpu,
      cpu.current,
      ctx.heldLocks,
      ops.variant,
      ops.mode,
      false,
      ops.irqLock,
      ops.trylock,
      subclass,
      nest === null ? null : this.#nestId(nest, ops),
    )
    this.#run(a, ops)
    return this.#inside(ctx, cpu, a, ops, data, cb)
  }

  /** A trylock around `cb`: `{ taken: false }` when the lock was not free (its steps undone). */
  tryWithLock<R>(ctx: ScopeContext, ops: Compiled, cb: (ctx: Context<CtxState>, data: D) => R): TryResult<R> {
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    const data = this.dataOf(cpu)
    const a = new Acquisition(cpu, cpu.current, ctx.heldLocks, ops.variant, ops.mode, false, ops.irqLock, true, 0, null)
    try {
      this.#run(a, ops)
    } catch (error) {
      if (error === NOT_TAKEN) return NOT_TAKEN_RESULT
      throw error
    }
    return { taken: true, value: this.#inside(ctx, cpu, a, ops, data, cb) }
  }

  // ── the model flavour (src/exec/model/): the same steps as generators ──────────────────
  /** Who gets the lock after an unlock (./wake/policy.ts): made at the first wait, so the synchronous path pays one comparison. */
  #wq: WakePolicy | null = null
  readonly #wake = (w: LockWaiter): void => this.host.wake(w.channel, 1)

  /**
   * The scheduling point before an acquisition: what it touches (the lock; a read shares it). The
   * channel is the lock's id, kind and name, not the lock: a search keeps choices for many
   * executions, and the lock would keep its whole execution alive with them.
   */
  #pointFor(mode: 'read' | 'write'): PointYield {
    if (mode === 'read') {
      this.#readPoint ??= Object.freeze({ tag: 'point', access: Object.freeze({ channel: this.#channel(), write: false }) })
      return this.#readPoint
    }
    this.#writePoint ??= Object.freeze({ tag: 'point', access: Object.freeze({ channel: this.#channel(), write: true }) })
    return this.#writePoint
  }
  #channel(): WaitChannel {
    this.#plainChannel ??= Object.freeze({ id: this.id, kind: this.kind, name: this.name })
    return this.#plainChannel
  }
  #plainChannel: WaitChannel | null = null
  #readPoint: PointYield | null = null
  #writePoint: PointYield | null = null

  /** A new acquisition for the model flavour: a contended acquire step waits. */
  #modelAcquisition(ctx: ScopeContext, cpu: Cpu, ops: Compiled, deferDelivery: boolean, subclass: number, nest: LockRuntime<unknown> | null): Acquisition {
    const trylock = ops.trylock
    const a = new Acquisition(
      cpu,
      cpu.current,
      ctx.heldLocks,
      ops.variant,
      ops.mode,
      deferDelivery,
      ops.irqLock,
      trylock,
      subclass,
      nest === null ? null : this.#nestId(nest, ops),
    )
    a.waitable = true
    return a
  }

  /**
   * The lock steps, waiting where the acquire step finds the lock held: the task waits (spinning or
   * sleeping as the kind does on this kernel, docs/waiting.md) and resumes AT the acquire step —
   * the steps before it stay done and lockdep does not validate again. An op abandoned while it
   * waits (an injected throw or return) takes those steps back.
   */
  *#stepsWaiting(a: Acquisition, ops: Compiled, state: SleepState = 'TASK_UNINTERRUPTIBLE'): Op<boolean> {
    const at = this.#firstTry(a, ops)
    return at < 0 || (yield* this.#waitingFrom(a, ops, state, at))
  }

  /**
   * The lock steps' first run for a waitable acquisition, on the caller's stack (no generator:
   * most acquisitions take the lock at once): -1 when all ran, else the acquire step that must wait.
   */
  #firstTry(a: Acquisition, ops: Compiled): number {
    try {
      return this.#runFrom(a, ops, 0)
    } catch (error) {
      if (a.wait !== null) this.#leave(a.wait)
      throw error
    }
  }

  /** The waits of an acquisition whose acquire step (`at`) found the lock held. */
  *#waitingFrom(a: Acquisition, ops: Compiled, state: SleepState, at: number): Op<boolean> {
    try {
      return yield* this.#waitLoop(a, ops, state, at)
    } catch (error) {
      // A retry that threw (its steps are undone): the waiter leaves the queue, or it would hold up the ones behind it.
      if (a.wait !== null) this.#leave(a.wait)
      throw error
    }
  }

  *#waitLoop(a: Acquisition, ops: Compiled, state: SleepState, first: number): Op<boolean> {
    let at = first
    while (at >= 0) {
      const w = a.wait as WaitingAcquisition
      const blocked = w.blockedOn as BlockedOutcome
      let resumed = false
      let reason: WakeReason | undefined
      try {
        reason = yield this.#waitFor(blocked, state, a.mode, w.waiter)
        resumed = true
      } finally {
        if (!resumed) {
          this.#leave(w)
          this.#undo(a, ops, at)
        }
      }
      w.retry = true
      if (reason === 'signal') {
        // The lock is tried before the signal is looked at (__mutex_lock_common(): "do a trylock
        // before testing the error conditions to make sure we pick up the handoff";
        // rt_mutex_slowlock_block(), rwsem_down_write_slowpath() likewise; a granted rwsem reader
        // has it). Then __mutex_lock_common()'s err path (`mutex_release(); preempt_enable();
        // return -EINTR`), down_read_killable()'s `rwsem_release(); return -EINTR`: the steps
        // before acquire are undone.
        const again = this.#runFrom(a, ops, at)
        if (again < 0) return true
        this.#leave(w)
        this.#undo(a, ops, again)
        return false
      }
      at = this.#runFrom(a, ops, at)
    }
    return true
  }

  /** Spinning (raw_spinlock_t; spinlock_t/rwlock_t on a normal kernel) or sleeping (mutex, rwsem; RT's rtmutex-based kinds). */
  #waitFor(blocked: BlockedOutcome, state: SleepState, mode: 'read' | 'write', waiter: LockWaiter | null): LockWaitYield {
    const sleeping = this.#sleeping()
    // rtlock_slowlock_locked(): spinlock_t/rwlock_t on RT wait in TASK_RTLOCK_WAIT, and no signal ends it.
    const rtlock = sleeping && this.spec.category.normal !== 'sleeping'
    return {
      tag: 'wait',
      // Its own channel: an unlock wakes the waiters the kind's policy picks, and only them.
      channel: waiter?.channel ?? this,
      state: sleeping ? (rtlock ? 'TASK_RTLOCK_WAIT' : state) : 'TASK_RUNNING',
      spin: !sleeping,
      blocked,
      mode,
      holderMode: this.#state.writerPid >= 0 ? 'write' : 'read',
    }
  }

  /** Runs the lock steps from `from`: -1 when all ran, else the index of the acquire step that must wait. Another error undoes all done steps. */
  #runFrom(a: Acquisition, ops: Compiled, from: number): number {
    const steps = ops.lockFns
    let done = from
    try {
      for (; done < steps.length; done++) (steps[done] as StepFn)(this as LockRuntime<unknown>, a)
    } catch (error) {
      if (error === MUST_WAIT) return done
      this.#undo(a, ops, done)
      throw error
    }
    return -1
  }

  /** The model flavour of {@link lockGuard}: a scheduling point, the steps (waiting when contended), the guard. */
  *lockGuardOp(ctx: ScopeContext, ops: Compiled, subclass = 0, nest: LockRuntime<unknown> | null = null, track: Track | null = null): Op<LockGuard<D>> {
    if (track !== null) opStarted(track)
    yield this.#pointFor(ops.mode)
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    const data = this.dataOf(cpu)
    const a = this.#modelAcquisition(ctx, cpu, ops, true, subclass, nest)
    // TASK_UNINTERRUPTIBLE: no signal ends the wait.
    const at = this.#firstTry(a, ops)
    if (at >= 0) yield* this.#waitingFrom(a, ops, 'TASK_UNINTERRUPTIBLE', at)
    return this.#guardFor(ctx, cpu, a, ops, data)
  }

  /**
   * {@link lockGuardOp} with the sleep state of a sleeping kind's wait: TASK_INTERRUPTIBLE
   * (`mutex_lock_interruptible()`) or TASK_KILLABLE (`mutex_lock_killable()`,
   * `down_read_killable()`): a signal the state lets in ends the wait with null (-EINTR), every
   * step undone. Spinning kinds and RT's rtlocks ignore the state (no signal ends their wait).
   */
  *lockGuardWaitOp(ctx: ScopeContext, ops: Compiled, state: SleepState, subclass = 0, nest: LockRuntime<unknown> | null = null): Op<LockGuard<D> | null> {
    yield this.#pointFor(ops.mode)
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    const data = this.dataOf(cpu)
    const a = this.#modelAcquisition(ctx, cpu, ops, true, subclass, nest)
    const at = this.#firstTry(a, ops)
    if (at >= 0 && !(yield* this.#waitingFrom(a, ops, state, at))) return null
    return this.#guardFor(ctx, cpu, a, ops, data)
  }

  /** The model flavour of {@link tryLockGuard}: a scheduling point, then the trylock (it never waits). */
  *tryLockGuardOp(ctx: ScopeContext, ops: Compiled): Op<LockGuard<D> | null> {
    yield this.#pointFor(ops.mode)
    return this.tryLockGuard(ctx, ops)
  }

  /**
   * The model flavour of {@link withLock}: a scheduling point, the steps (waiting when contended),
   * `yield* cb(ctx, data)` in the lock's scope, the unlock steps (also when it throws), a point.
   * An iterator of its own ({@link WithLockOp}), not a generator; `tracker`: a model lock's
   * method hands it out itself (src/locks/model-api.ts), so the op is its own forgotten-`yield*`
   * record (`what`); null for a caller that wraps it in one (`trackOp`).
   */
  withLockOp<R>(
    ctx: ScopeContext,
    ops: Compiled,
    cb: SectionOp<D, R>,
    subclass = 0,
    nest: LockRuntime<unknown> | null = null,
    what = '',
    tracker: OpTracker | null = null,
  ): Op<R> {
    return new WithLockOp(this as LockRuntime<unknown>, ctx, ops, cb as SectionOp<unknown, unknown>, subclass, nest, what, tracker) as unknown as Op<R>
  }

  /** @internal {@link WithLockOp}'s point: before the acquisition. */
  sectionPoint(mode: 'read' | 'write'): PointYield {
    return this.#pointFor(mode)
  }

  /** @internal {@link WithLockOp}'s acquisition and the lock steps' first run (-1: all ran, else the acquire step that must wait). */
  sectionTake(op: WithLockOp): number {
    const { outer: ctx, ops } = op
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    op.lockedData = this.dataOf(cpu)
    const a = this.#modelAcquisition(ctx, cpu, ops, false, op.subclass, op.nest)
    op.cpu = cpu
    op.a = a
    // The steps on this stack; a generator of waits only when the lock is held.
    return this.#firstTry(a, ops)
  }

  /** @internal {@link WithLockOp}'s waits when the lock was held. */
  sectionWaiting(a: Acquisition, ops: Compiled, at: number): Op<boolean> {
    return this.#waitingFrom(a, ops, 'TASK_UNINTERRUPTIBLE', at)
  }

  /** @internal {@link WithLockOp}'s scope. */
  sectionPush(op: WithLockOp): void {
    op.child = this.#push(op.outer, op.cpu as Cpu, op.a as Acquisition, op.ops)
  }

  /** @internal {@link WithLockOp}'s section: the callback in the lock's scope, with the data. */
  sectionOf(op: WithLockOp): object {
    const cpu = op.cpu as Cpu
    const section = op.cb(ScopeContext.public(op.child as ScopeContext), lockData(this, this.host.cpus, cpu.id, op.lockedData as D))
    if (!isOp(section)) throw new InvalidArgumentError(`${op.ops.op}: in a model the section must be a generator function (function*), run with yield*`)
    return section
  }

  /** @internal {@link WithLockOp}'s end: the scope, then every unlock step. */
  sectionClose(op: WithLockOp): void {
    this.#closeSection(op.child as ScopeContext, op.a as Acquisition, op.ops)
  }

  /** The model flavour of {@link tryWithLock}. */
  *tryWithLockOp<R>(ctx: ScopeContext, ops: Compiled, cb: SectionOp<D, R>): Op<TryResult<R>> {
    yield this.#pointFor(ops.mode)
    const cpu = ctx.assertUsable(ops.op)
    if (this.host.cpus[cpu.id] !== cpu) this.#foreign(ops)
    if (ops.requires !== 0) this.#checkRequires(ctx, ops)
    const data = this.dataOf(cpu)
    const a = new Acquisition(cpu, cpu.current, ctx.heldLocks, ops.variant, ops.mode, false, ops.irqLock, true, 0, null)
    try {
      this.#run(a, ops)
    } catch (error) {
      if (error === NOT_TAKEN) return NOT_TAKEN_RESULT
      throw error
    }
    const value = yield* this.#insideOp(ctx, cpu, a, ops, data, cb)
    yield POINT
    return { taken: true, value }
  }

  *#insideOp<R>(ctx: ScopeContext, cpu: Cpu, a: Acquisition, ops: Compiled, data: D, cb: SectionOp<D, R>): Op<R> {
    const child = this.#push(ctx, cpu, a, ops)
    let closed = false
    try {
      const section = cb(ScopeContext.public(child), lockData(this, this.host.cpus, cpu.id, data))
      if (!isOp(section)) throw new InvalidArgumentError(`${ops.op}: in a model the section must be a generator function (function*), run with yield*`)
      const result = yield* section
      closed = true
      this.#closeSection(child, a, ops)
      return result
    } finally {
      if (!closed) {
        try {
          this.#closeSection(child, a, ops)
        } catch {
          /* the section's error wins */
        }
      }
    }
  }

  #inside<R>(ctx: ScopeContext, cpu: Cpu, a: Acquisition, ops: Compiled, data: D, cb: (ctx: Context<CtxState>, data: D) => R): R {
    const child = this.#push(ctx, cpu, a, ops)
    return ScopeContext.refuseThenable(ops.op, ScopeContext.runIn(child, cb, data, this.#closeSection, a, ops))
  }

  /** Ends a callback section (it returned or threw): the scope, then every unlock step. Made once per lock. */
  readonly #closeSection = (child: ScopeContext, a: Acquisition, ops: Compiled): void => {
    this.#runAll(a, ops.unlockFns, child, ScopeContext.pop(child, 'scope'))
  }

  /**
   * Unlock steps all run, even when one throws (an interrupt handler taken at the restore may
   * throw): the lock must not stay half-released. The first error (or `failure`, from closing
   * the scope) is rethrown at the end, after the scope-end hook.
   */
  #runAll(a: Acquisition, steps: readonly StepFn[], child: ScopeContext, failure: unknown): void {
    for (let i = 0; i < steps.length; i++) {
      try {
        ;(steps[i] as StepFn)(this as LockRuntime<unknown>, a)
      } catch (error) {
        if (failure === NO_FAILURE) failure = error
      }
    }
    ScopeContext.ended(child, failure)
  }

  /** Performs steps in order; if one throws, undoes the ones already done, then rethrows. */
  #run(a: Acquisition, ops: Compiled): void {
    const steps = ops.lockFns
    let done = 0
    try {
      for (; done < steps.length; done++) (steps[done] as StepFn)(this as LockRuntime<unknown>, a)
    } catch (error) {
      this.#undo(a, ops, done)
      throw error
    }
  }

  /** Takes back the first `done` lock steps, last first. */
  #undo(a: Acquisition, ops: Compiled, done: number): void {
    for (let i = done - 1; i >= 0; i--) ops.undoFns[i]?.(this as LockRuntime<unknown>, a)
  }

  /**
   * The lock's child scope. A new context whose proof is false from the start is reported as it
   * is made; when that report throws (onDiagnostic: 'throw'), the child is gone already and the
   * acquisition is taken back, so the CPU and the lock are as before the call.
   */
  #push(ctx: ScopeContext, cpu: Cpu, a: Acquisition, ops: Compiled): ScopeContext {
    try {
      return ScopeContext.push(ctx, cpu, ops.claims)
    } catch (error) {
      try {
        this.#undo(a, ops, ops.lockFns.length)
      } catch {
        /* the report's error wins */
      }
      throw error
    }
  }

  // ── StepHost (kinds/steps.ts): what only the lock does in a step ───────────────────────
  /** The configuration the steps run on (bh_lock_disable's offset). */
  /** The executor's delivering transitions (exec/delivery.ts). */
  readonly deliver: StepDelivery = DELIVERY
  get preemptRt(): boolean {
    return this.host.options.preemptRt
  }

  acquireStep(a: Acquisition): void {
    const o = this.#acquire(a)
    if (o.tag === 'blocked') this.#blockedAt(a, o)
  }

  /** Out of line: the model flavour waits (the generator ops catch MUST_WAIT), the synchronous one reports. */
  #blockedAt(a: Acquisition, o: BlockedOutcome): never {
    if (!a.waitable) this.host.blocked(a.cpu, o)
    this.#waitingOf(a).blockedOn = o
    throw MUST_WAIT
  }

  /** The waiting record of a waitable acquisition, made when it first meets the lock held or queued. */
  #waitingOf(a: Acquisition): WaitingAcquisition {
    a.wait ??= new WaitingAcquisition()
    return a.wait
  }

  releaseStep(a: Acquisition): void {
    this.#release(a)
  }

  mightReschedStep(a: Acquisition, rcuOffset: number): void {
    this.host.mightResched(a.cpu, this.label, 0, rcuOffset)
  }

  /**
   * lockdep's annotation, then the lock itself: taken at once (OK), or 'blocked' on its holder —
   * after lockdep validated (lock_acquire() precedes spinning) and the steps before this one ran,
   * but with the owner and the held stack unchanged: an explorer resumes here. The executor
   * decides (the synchronous one reports a deadlock; #run then undoes the earlier steps).
   */
  #acquire(a: Acquisition): OkOutcome | BlockedOutcome {
    const write = a.mode === 'write'
    const st = this.#state
    // The holder in the way: the writer, or for a write the first reader (-2: free; -3: free, but the queue keeps it for a waiter).
    let conflict = st.writerPid >= 0 ? -1 : write && st.readerPids.length > 0 ? 0 : -2
    // A local_lock_t on a normal kernel has no lock word (local_lock_internal.h: local_lock_acquire()
    // is lockdep's map and an owner field): taken again on its CPU (a handler over the task holding
    // it), it does not wait. lockdep reports it; the data race is the bug.
    const nested = conflict === -1 && this.#lockless()
    if (nested) conflict = -2
    const q = this.#wq
    if (conflict === -2 && q !== null && q.busy() && !q.admits(a.waitable ? this.#waiterOf(a, this.#waitingOf(a)) : null, a.mode, this.#holders()))
      conflict = -3
    let waiting = a.wait
    if (a.trylock && this.host.options.preemptRt) this.#rtTrylock(a)
    // A trylock looks at the lock word first and tells lockdep only when it got the lock.
    if (a.trylock && (conflict !== -2 || this.#trylockRefused(a))) throw NOT_TAKEN
    const record = write && !nested ? this.#recordForWrite(a) : new HeldRecord(this.id, this.name, this.kind, a)
    const irqContext = irqContextOf(a.cpu)
    const chain =
      waiting?.retry === true ? this.#retried(a, record, waiting) : this.host.lockdep.active && this.#hasMap ? this.#validate(a, record, irqContext) : null
    if (conflict !== -2) {
      if (a.waitable) {
        waiting ??= this.#waitingOf(a)
        waiting.chain = chain
        this.#queueWait(a, waiting)
      }
      if (conflict === -3) return this.#refused(a, q)
      const w = conflict === -1
      return this.#blocked(
        a.cpu,
        w ? st.writerPid : (st.readerPids[0] as number),
        w ? st.writerCpu : (st.readerCpus[0] as number),
        w ? st.writerComm : (st.readerComms[0] as string),
      )
    }
    // Only now, when it is free, is the (reused) write record overwritten.
    record.take(a, irqContext, chain)
    a.record = record
    // A lock without a lockdep map is on no held-lock stack: lockdep_print_held_locks() never lists it.
    if (this.#hasMap) a.stack.push(record)
    if (write) {
      st.writerPid = a.task.pid
      st.writerCpu = a.cpu.id
      st.writerComm = a.task.comm
    } else {
      st.readerPids.push(a.task.pid)
      st.readerCpus.push(a.cpu.id)
      st.readerComms.push(a.task.comm)
    }
    if (this.host.options.trace) this.#traceLock(a, 'lock')
    if (waiting !== null && waiting.waiter !== null) this.#took(waiting)
    return OK
  }

  // ── the wake policy (the model flavour; ./wake/policy.ts) ────────────────────────────────
  #holders(): Holders {
    const st = this.#state
    return { writer: st.writerPid >= 0, readers: st.readerPids.length }
  }

  #waiterOf(a: Acquisition, w: WaitingAcquisition): LockWaiter {
    w.waiter ??= new LockWaiter(this, a.mode, a.task.pid, a.task.comm, a.cpu.id, a.cpu.inInterrupt())
    return w.waiter
  }

  /** A contended attempt of a waitable acquisition: the policy queues it (and may set what the kernel sets). */
  #queueWait(a: Acquisition, w: WaitingAcquisition): void {
    this.#wq ??= wakePolicyFor(this.kind, this.host.options.preemptRt)
    this.#wq.waits(this.#waiterOf(a, w), this.#holders(), this.#wake)
    this.#state.queueSeq++
  }

  #took(w: WaitingAcquisition): void {
    const q = this.#wq as WakePolicy
    const waiter = w.waiter as LockWaiter
    const inQueue = waiter.queued || waiter.granted || waiter.claimed
    q.took(waiter, this.#holders(), this.#wake)
    w.waiter = null
    if (inQueue) this.#state.queueSeq++
  }

  /** A waiter gives up (a signal, an abandoned op): out of the queue, and whoever may go on is woken. */
  #leave(w: WaitingAcquisition): void {
    const q = this.#wq
    if (q === null || w.waiter === null) return
    q.left(w.waiter, this.#holders(), this.#wake)
    w.waiter = null
    this.#state.queueSeq++
  }

  /** Free, but kept for a queued waiter: the attempt waits on that waiter, as a report names it. */
  #refused(a: Acquisition, q: WakePolicy | null): BlockedOutcome {
    const way = q?.inTheWay() ?? null
    if (way === null) return this.#blocked(a.cpu, a.task.pid, a.cpu.id, a.task.comm)
    return this.#blocked(a.cpu, way.pid, way.cpu, way.comm)
  }

  /** The lock's one write record, made on its first write acquisition. */
  #recordForWrite(a: Acquisition): HeldRecord {
    if (this.#writeRecord === null) this.#writeRecord = new HeldRecord(this.id, this.name, this.kind, a)
    return this.#writeRecord
  }

  /** lockdep's checks of this acquisition; the chain it ends, or null once lockdep is off. */
  #validate(a: Acquisition, record: HeldRecord, irqContext: IrqContext): ChainNode | null {
    const lockdep = this.host.lockdep
    // read_lock_is_recursive(): `force_read_lock_recursive || !IS_ENABLED(CONFIG_QUEUED_RWLOCKS)
    // || in_interrupt()` — always on RT (no qrwlock), and on a normal kernel whenever
    // irq_count() is non-zero, bottom halves disabled included (read_lock_bh()).
    const recursiveRead = this.#recursiveRead(a)
    // The write record is in the held stack while the lock is held: describe a recursive attempt apart.
    const key = this.#state.key
    const next: NextLock =
      record === this.#writeRecord && this.#state.writerPid >= 0
        ? {
            name: this.name,
            kind: this.kind,
            mode: a.mode,
            recursiveRead,
            trylock: a.trylock,
            nestLock: a.nestLock,
            lock: this.id,
            key,
            subclass: a.subclass,
            check: key !== NO_VALIDATE_KEY,
          }
        : record
    if (next === record) this.#fill(a, record, recursiveRead, key)
    // The class is registered by lockdep (not in NMI, where only look_up_lock_class() runs).
    const known = a.subclass === 0 ? this.#cls : null
    const chain = lockdep.acquire(a.cpu, a.stack, next, known, irqContext)
    if (known === null && a.subclass === 0 && chain !== null) this.#cls = chain.cls
    return chain
  }

  #recursiveRead(a: Acquisition): boolean {
    const o = this.host.options
    return a.mode === 'read' && this.spec.readRecursion === 'read_lock_is_recursive' && (o.forceReadLockRecursive || o.preemptRt || a.cpu.inInterrupt())
  }

  #fill(a: Acquisition, record: HeldRecord, recursiveRead: boolean, key: string): void {
    record.recursiveRead = recursiveRead
    record.trylock = a.trylock
    record.nestLock = a.nestLock
    record.key = key
    record.subclass = a.subclass
    // __lock_acquire(): `if (!prove_locking || lock->key == &__lockdep_no_validate__) check = 0;`
    record.check = key !== NO_VALIDATE_KEY
  }

  /** A retry after a wait: the record as the first try's validation left it, and that try's chain. */
  #retried(a: Acquisition, record: HeldRecord, w: WaitingAcquisition): ChainNode | null {
    this.#fill(a, record, this.#recursiveRead(a), this.#state.key)
    return w.chain
  }

  /**
   * The trylocks that refuse by context, as the kind's spec says (`trylock.warn`): PREEMPT_RT's
   * mutex_trylock() and rt_mutex_trylock() (kernel/locking/rtmutex_api.c)
   * `if (IS_ENABLED(CONFIG_DEBUG_RT_MUTEXES) && WARN_ON_ONCE(!in_task())) return 0;`.
   */
  #trylockRefused(a: Acquisition): boolean {
    const rule = this.spec.trylock
    const warn = rule === null ? null : rule.warn[this.host.options.preemptRt ? 'rt' : 'normal']
    if (rule === null || warn === null || a.cpu.inTask()) return false
    const t = a.cpu.current
    const title = warnAtTitle(a.cpu.id, t.pid, warn)
    this.host.report({
      kind: 'trylock-in-interrupt',
      title,
      cpu: a.cpu.id,
      task: t.comm,
      heldLocks: this.host.held.names(t),
      preemptCount: a.cpu.preemptCount,
      lock: this.label,
      report: [title, `${rule.call}(${this.name}) outside task context: refused (returns 0).`].join('\n'),
    })
    return true
  }

  /** A trylock PREEMPT_RT does not allow here (./rt-trylock.ts): reported, then tried as the kernel tries it. */
  #rtTrylock(a: Acquisition): void {
    const rule = this.spec.trylock
    const where = rtTrylockWhere(this.spec, a.cpu)
    if (rule === null || where === null) return
    const t = a.cpu.current
    this.host.report({
      kind: 'rt-trylock',
      title: RT_TRYLOCK_TITLE,
      cpu: a.cpu.id,
      task: t.comm,
      heldLocks: this.host.held.names(t),
      preemptCount: a.cpu.preemptCount,
      lock: this.label,
      where,
      // The kind names its read trylock (`down_read_trylock`); the write side's is its twin.
      report: [...banner(RT_TRYLOCK_TITLE), ...rtTrylockLines(a.mode === 'write' ? rule.call.replace('read', 'write') : rule.call, this.name, where)].join(
        '\n',
      ),
    })
  }

  #traceLock(a: Acquisition, what: 'lock' | 'unlock'): void {
    this.host.trace(a.cpu, { event: what, lock: this.id, lockKind: this.kind, name: this.name, read: a.mode === 'read' })
  }

  #release(a: Acquisition): void {
    const record = a.record
    if (record === null) return
    a.record = null
    const stack = a.stack
    // Usually the innermost lock.
    if (stack[stack.length - 1] === record) stack.pop()
    else this.#releaseOutOfOrder(a.cpu, stack, record)
    const st = this.#state
    if (a.mode === 'write') {
      st.writerPid = -1
      st.writerCpu = -1
      st.writerComm = ''
    } else {
      // Any one of this task's read holds on this CPU: they are alike.
      const pid = a.task.pid
      const cpu = a.cpu.id
      let r = st.readerPids.length - 1
      while (r >= 0 && (st.readerPids[r] !== pid || st.readerCpus[r] !== cpu)) r--
      if (r >= 0) {
        st.readerPids.splice(r, 1)
        st.readerCpus.splice(r, 1)
        st.readerComms.splice(r, 1)
      }
    }
    if (this.host.options.trace) this.#traceLock(a, 'unlock')
    // The kind's policy wakes whom the kernel would; each re-checks at its acquire step.
    if (this.#wq !== null) this.#wq.released(a.mode, this.#holders(), this.#wake)
  }

  /** A guard dropped out of order: the locks above it get their lockdep chains recomputed. */
  #releaseOutOfOrder(cpu: Cpu, stack: HeldLock[], record: HeldRecord): void {
    const at = stack.lastIndexOf(record)
    if (at < 0) return
    stack.splice(at, 1)
    this.host.lockdep.release(cpu, stack, at)
  }

  /** The holder by its comm as the lock keeps it: the holder's task may have left the machine. */
  #blocked(cpu: Cpu, holderPid: number, holderCpu: number, comm: string): BlockedOutcome {
    return {
      tag: 'blocked',
      cpu: cpu.id,
      lock: { label: this.label, kind: this.kind },
      holder: { pid: holderPid, comm, cpu: holderCpu },
    }
  }
}

// Their generators are handed out as a model lock's operations: reading a guard's member off one is a forgotten `yield*`.
tracksItself(LockRuntime.prototype.lockGuardOp)

/** `withLockOp()`'s op: the lock's part of each point of a {@link LockSectionOp}. */
class WithLockOp extends LockSectionOp {
  /** Set by the acquisition (sectionTake), then the scope (sectionPush). No member is named as a guard's or a TryResult's are (reading those off an op is the forgotten-`yield*` error). */
  cpu: Cpu | null = null
  lockedData: unknown = undefined
  a: Acquisition | null = null
  child: ScopeContext | null = null
  constructor(
    readonly lock: LockRuntime<unknown>,
    readonly outer: ScopeContext,
    readonly ops: Compiled,
    readonly cb: SectionOp<unknown, unknown>,
    readonly subclass: number,
    readonly nest: LockRuntime<unknown> | null,
    what: string,
    tracker: OpTracker | null,
  ) {
    super(what, tracker)
  }
  protected point(): PointYield {
    return this.lock.sectionPoint(this.ops.mode)
  }
  protected take(): number {
    return this.lock.sectionTake(this)
  }
  protected waiting(at: number): Op<boolean> {
    return this.lock.sectionWaiting(this.a as Acquisition, this.ops, at)
  }
  protected push(): void {
    this.lock.sectionPush(this)
  }
  protected section(): object {
    return this.lock.sectionOf(this)
  }
  protected close(): void {
    this.lock.sectionClose(this)
  }
  protected closeQuietly(): void {
    try {
      this.lock.sectionClose(this)
    } catch {
      /* the section's error wins */
    }
  }
}
