/**
 * The runtime context object: bound to one CPU and one task, alive only while the scope that
 * made it runs, and checked on every use. Its type parameter is the type-level state (rules/state.ts).
 */
import type { Cpu } from '../machine/cpu.js'
import type { IrqFlags } from '../machine/cpu-state.js'
import type { Task } from '../machine/machine.js'
import { DoubleUnlockError, InvalidArgumentError, ShadowedContextError, StaleContextError, WrongCpuError } from '../errors.js'
import { LockGuard } from '../locks/guard.js'
import type { SoftirqName } from './irq-registry.js'
import type { HeldLock } from '../locks/held.js'
import { SCOPES } from '../kinds/scopes.js'
import { proofBits, STEPS, type ScopeStep, type StepDelivery } from '../kinds/steps.js'
import { bornFalse, falsifiedByUnlock } from './claims.js'
import type { Gfp } from '../rules/gfp.js'
import type { CtxState } from '../rules/state.js'
import { NO_FAILURE, refuseThenable, releaseAfterReport } from './protocol.js'
import { DELIVERY, localIrqRestore } from './delivery.js'
import type { Context, CoreOps } from './context.js'

/** What a context needs from the kernel that made it. */
export interface ContextHost {
  /** The CPU whose code is running now (the innermost `run`, handler or task), or null. */
  executingCpu(): Cpu | null
  /** The held-lock stack of `task` (lockdep's `held_locks[]`). */
  heldOf(task: Task): HeldLock[]
  mightSleep(cpu: Cpu, what: string): void
  msleep(cpu: Cpu, ms: number): void
  raiseIrq(cpu: Cpu, line: number): void
  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void
  raiseNmi(cpu: Cpu, name: string): void
  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  badUnlock(cpu: Cpu, what: string): void
  /** Reports and refuses (GuardOrderError) a guard drop that would falsify the proofs `bits` (unless `guardDrop: 'report'`). */
  refuseDrop(cpu: Cpu, what: string, bits: number): void
  /** A context was made whose proofs `gains` are false already: report it. */
  proofsBornFalse(cpu: Cpu, gains: number): void
  /** CONFIG_TRACE_IRQFLAGS: lockdep is configured (local_bh_enable() then ends with interrupts on). */
  readonly traceIrqflags: boolean
  /** A scope ended on this CPU: a chance to run what waited for it (irq threads, ksoftirqd). */
  scopeEnded(cpu: Cpu): void
}

/** @internal A switched-out task's live scopes (ScopeContext.switchOut). */
export interface SwitchedScopes {
  readonly ids: readonly number[]
  readonly guards: readonly ScopeContext[]
}

/** A scope's callback, as the runtime calls it: with the published context type. */
type ScopeCallback = (ctx: Context<CtxState>) => unknown

/** What a root context binds its scopes to. */
interface Binding {
  readonly host: ContextHost
  readonly cpu: Cpu
  readonly task: Task
  /** The task's held-lock stack, found once per root context. */
  readonly held: HeldLock[]
  /** The CPU's live guard contexts, found once per root context (a guard's lock and unlock then look up nothing). */
  readonly guards: ScopeContext[]
}

/**
 * The live guard contexts on each CPU (their scopes may end out of order, or leak). Kept here,
 * not on the Cpu, so that the CPU layer does not import the context layer.
 */
const guardScopes = new WeakMap<Cpu, ScopeContext[]>()
const guardScopesOf = (cpu: Cpu): ScopeContext[] => {
  let guards = guardScopes.get(cpu)
  if (guards === undefined) {
    guards = []
    guardScopes.set(cpu, guards)
  }
  return guards
}

/** How a section that returned a thenable is refused. */
const SECTION_THENABLE = 'the callback returned a Promise; the section must finish synchronously'

/** Scope ids: unique among live scopes (they wrap after 2^30, long after any scope ended). */
let nextScopeId = 1
const newScopeId = (): number => {
  const id = nextScopeId
  nextScopeId = (nextScopeId + 1) & 0x3fffffff
  return id
}

/** A scope's name, edges and proofs, read once from its spec (kinds/scopes.ts) and its steps (kinds/steps.ts). */
interface ScopeEdges {
  readonly op: string
  readonly enter: CpuEdge
  readonly exit: CpuEdge
  /** The proofs its enter step gives (claims.ts bits). */
  readonly gives: number
}
/**
 * A scope's edge: a step's CPU form (kinds/steps.ts `onCpu`), called with the executor's delivery
 * (bh_enable runs the softirqs it lets in; the others ignore it).
 */
type CpuEdge = (cpu: Cpu, deliver: StepDelivery) => void
const edgesOf = (s: { readonly op: string; readonly enter: ScopeStep; readonly exit: ScopeStep }): ScopeEdges => ({
  op: s.op,
  enter: STEPS[s.enter].onCpu,
  exit: STEPS[s.exit].onCpu,
  gives: proofBits(s.enter),
})
// Made once (not per call): the hot path allocates only the child context.
const PREEMPT_DISABLE = edgesOf(SCOPES.preempt_disable)
const LOCAL_BH_DISABLE = edgesOf(SCOPES.local_bh_disable)
const RCU_READ_LOCK = edgesOf(SCOPES.rcu_read_lock)
const MIGRATE_DISABLE = edgesOf(SCOPES.migrate_disable)
const LOCAL_IRQ_SAVE = SCOPES.local_irq_save
const LOCAL_INTERRUPT_DISABLE = SCOPES.local_interrupt_disable

/**
 * The runtime context: loosely typed, not exported. The published type is the `Context`
 * interface (context.ts); `ScopeContext.public()` hands one out as that type.
 */
export class ScopeContext {
  /** Where it runs: shared by a root context and all its children (one field to copy, not four). */
  readonly #at: Binding
  readonly #id: number
  #live = true
  /** On its CPU's guardScopes until it ends. */
  #guard = false
  /** The proofs this context carries at run time (claims.ts bits), counted on its CPU while live. */
  #claims = 0

  /**
   * @internal A context made by a kernel, not merely an object with its prototype (which
   * `instanceof` accepts, and whose private fields would then throw a raw TypeError).
   */
  static is(value: unknown): value is ScopeContext {
    return typeof value === 'object' && value !== null && #at in value
  }

  /** The runtime context behind a public one; anything else (an untyped caller's value) is a named error. */
  static from(value: unknown, op: string): ScopeContext {
    if (!ScopeContext.is(value)) throw new InvalidArgumentError(`${op}: the first argument must be a context`)
    return value
  }

  /** The published type of a runtime context: what user callbacks receive (the same object). */
  static public<S extends CtxState>(ctx: ScopeContext): Context<S> {
    return ctx as unknown as Context<S>
  }

  /** @internal Contexts are made by the kernel (run, handlers) and by scopes; never by users. */
  constructor(at: Binding) {
    this.#at = at
    this.#id = newScopeId()
  }

  /** The CPU this context is bound to. */
  get cpuId(): number {
    return this.#at.cpu.id
  }
  /** The task (`comm`) this context runs in. */
  get comm(): string {
    return this.#at.task.comm
  }
  /** The pid of the task this context runs in. */
  get pid(): number {
    return this.#at.task.pid
  }
  /** @internal The held-lock stack of this context's task. */
  get heldLocks(): HeldLock[] {
    return this.#at.held
  }
  /** False once the scope that made this context has ended. */
  get live(): boolean {
    return this.#live
  }

  /**
   * @internal Throws unless this context may act now: alive, on the executing CPU and task, and
   * the innermost live scope there. Nothing has changed when it throws.
   */
  assertUsable(op: string): Cpu {
    if (!(#at in this)) throw new InvalidArgumentError(`${op}: not a context a kernel made (an object made from ScopeContext.prototype?)`)
    const cpu = this.#at.cpu
    const ids = cpu.scopeIds
    if (!this.#live || this.#at.host.executingCpu() !== cpu || cpu.current !== this.#at.task || ids[ids.length - 1] !== this.#id) this.#refuse(op)
    return cpu
  }

  /** Out of line, so that assertUsable stays small enough to inline. */
  #refuse(op: string): never {
    const cpu = this.#at.cpu
    if (!this.#live) throw new StaleContextError(`${op}: this context's scope has ended`)
    if (this.#at.host.executingCpu() !== cpu) {
      throw new WrongCpuError(`${op}: this context belongs to CPU ${cpu.id}, not the CPU running now`)
    }
    if (cpu.current !== this.#at.task) {
      throw new WrongCpuError(`${op}: this context belongs to task ${this.#at.task.comm}, not ${cpu.current.comm}`)
    }
    throw new ShadowedContextError(`${op}: an inner scope is running; use the context it gave its callback`)
  }

  /** @internal Ends this context's life; any later use throws StaleContextError. */
  revoke(): void {
    this.#live = false
  }

  /** @internal Set by {@link ScopeContext.guard}: releases the guard when an enclosing scope ends first. */
  onLeak: ((reason: 'scope' | 'task') => void) | null = null

  /** @internal A root context (a task or a handler) on `cpu`, made the innermost scope there. */
  static root(host: ContextHost, cpu: Cpu, task: Task, claims = 0): ScopeContext {
    const ctx = new ScopeContext({ host, cpu, task, held: host.heldOf(task), guards: guardScopesOf(cpu) })
    cpu.scopeIds.push(ctx.#id)
    if (claims !== 0) {
      ctx.#claims = claims
      cpu.addClaims(claims)
    }
    return ctx
  }

  /** @internal A child of `parent` on `cpu`, made the innermost scope there; it proves what its parent does, and `gains`. */
  static push(parent: ScopeContext, cpu: Cpu, gains = 0): ScopeContext {
    const child = new ScopeContext(parent.#at)
    cpu.scopeIds.push(child.#id)
    const claims = parent.#claims | gains
    if (claims !== 0) {
      child.#claims = claims
      cpu.addClaims(claims)
      // A proof false from the start (interrupts turned on under a held count, say): reported now.
      if (gains !== 0 && bornFalse(cpu, gains)) ScopeContext.#bornFalse(child, gains)
    }
    return child
  }

  /**
   * A report that throws (onDiagnostic: 'throw') takes the child off again before it propagates:
   * the caller then undoes what it did before `push` (its enter step, its lock steps).
   */
  static #bornFalse(child: ScopeContext, gains: number): void {
    try {
      child.#at.host.proofsBornFalse(child.#at.cpu, gains)
    } catch (error) {
      ScopeContext.pop(child, 'scope')
      throw error
    }
  }

  /**
   * @internal A context switch (the model executor): the live scopes of the task leaving `cpu`
   * leave with it (ids and guard contexts, innermost last), and come back when it runs again.
   */
  static switchOut(cpu: Cpu): SwitchedScopes {
    return { ids: cpu.scopeIds.splice(0), guards: guardScopesOf(cpu).splice(0) }
  }

  /** @internal The task's scopes back on `cpu` (its stacks were empty: the task is the CPU's base). */
  static switchIn(cpu: Cpu, saved: SwitchedScopes): void {
    cpu.scopeIds.push(...saved.ids)
    guardScopesOf(cpu).push(...saved.guards)
  }

  /** @internal The proofs this context carries at run time (claims.ts bits). */
  static claimsOf(ctx: ScopeContext): number {
    return ctx.#claims
  }

  /**
   * A guard drop that would make a live context's proof false is refused, unless the guard is
   * the innermost scope: that order is always allowed (whatever it turns on is reported then).
   */
  static mayRefuseDrop(ctx: ScopeContext): boolean {
    const cpu = ctx.#at.cpu
    if ((cpu.claimIrq | cpu.claimPreempt | cpu.claimBh) === 0) return false
    return cpu.scopeIds[cpu.scopeIds.length - 1] !== ctx.#id
  }

  /** Its proofs stop counting once it ends (before the caller undoes the CPU state). */
  static #disclaim(child: ScopeContext): void {
    if (child.#claims !== 0) child.#at.cpu.removeClaims(child.#claims)
  }

  /**
   * @internal Makes `child` (just pushed) a guard's context: `onLeak` releases the guard when an
   * enclosing scope ends first (`task` when that scope is the task itself); the guard reports it.
   */
  static guard(child: ScopeContext, onLeak: (reason: 'scope' | 'task') => void): void {
    child.onLeak = onLeak
    child.#guard = true
    child.#at.guards.push(child)
  }

  /**
   * @internal Ends `child`'s life: unless it is a guard's, first releases guards still held
   * above it (reporting each); then revokes it and takes it off the stack (from anywhere:
   * guards may drop out of order). Returns the first error a leaked guard threw, or NO_FAILURE.
   * The caller then undoes the CPU state and calls `ended()`.
   */
  static pop(child: ScopeContext, reason: 'scope' | 'task' | 'guard'): unknown {
    const ids = child.#at.cpu.scopeIds
    // The usual case: the innermost scope, not a guard's.
    if (ids[ids.length - 1] === child.#id && !child.#guard) {
      child.#live = false
      ids.pop()
      if (child.#claims !== 0) ScopeContext.#disclaim(child)
      return NO_FAILURE
    }
    return ScopeContext.#popSlow(child, reason)
  }

  static #popSlow(child: ScopeContext, reason: 'scope' | 'task' | 'guard'): unknown {
    const cpu = child.#at.cpu
    const ids = cpu.scopeIds
    const id = child.#id
    let failure: unknown = NO_FAILURE
    if (reason !== 'guard' && ids[ids.length - 1] !== id) failure = ScopeContext.#releaseLeaked(cpu, id, reason)
    if (child.#live) ScopeContext.#disclaim(child)
    child.#live = false
    if (ids[ids.length - 1] === id) ids.pop()
    else {
      const at = ids.lastIndexOf(id)
      if (at >= 0) ids.splice(at, 1)
    }
    if (child.#guard) {
      child.#guard = false
      child.onLeak = null
      const guards = child.#at.guards
      // Usually the innermost guard.
      if (guards[guards.length - 1] === child) guards.pop()
      else {
        const at = guards.lastIndexOf(child)
        if (at >= 0) guards.splice(at, 1)
      }
    }
    return failure
  }

  static #guardWithId(cpu: Cpu, id: number): ScopeContext | undefined {
    const guards = guardScopesOf(cpu)
    for (let i = guards.length - 1; i >= 0; i--) if ((guards[i] as ScopeContext).#id === id) return guards[i]
    return undefined
  }

  /**
   * Releases, innermost first, the guards whose scopes sit above scope `id` on the CPU's stack;
   * returns the first error one threw, or NO_FAILURE.
   */
  static #releaseLeaked(cpu: Cpu, id: number, reason: 'scope' | 'task'): unknown {
    const ids = cpu.scopeIds
    let failure: unknown = NO_FAILURE
    for (;;) {
      const topId = ids[ids.length - 1]
      if (topId === undefined || topId === id || !ids.includes(id)) return failure
      const top = ScopeContext.#guardWithId(cpu, topId)
      const leak = top?.onLeak ?? null
      if (top === undefined || leak === null) return failure
      top.onLeak = null
      try {
        leak(reason)
      } catch (error) {
        if (failure === NO_FAILURE) failure = error
      }
      // A guard that failed to release still leaves the stacks.
      if (top.#live) ScopeContext.pop(top, 'guard')
    }
  }

  /** @internal After a scope is undone: the CPU may run deferred work; then `failure` is rethrown. */
  static ended(child: ScopeContext, failure: unknown): void {
    child.#at.host.scopeEnded(child.#at.cpu)
    if (failure !== NO_FAILURE) throw failure
  }

  /** @internal `pop`, then `exit` (which runs even if a leaked guard threw), then `ended`. */
  static close(child: ScopeContext, exit: CpuEdge, reason: 'scope' | 'task' | 'guard'): void {
    const failure = ScopeContext.pop(child, reason)
    try {
      exit(child.#at.cpu, DELIVERY)
    } catch (error) {
      ScopeContext.ended(child, failure === NO_FAILURE ? error : failure)
    }
    ScopeContext.ended(child, failure)
  }

  /** @internal A section's result, refused if it is a thenable (the scope already ended). */
  static refuseThenable<R>(op: string, result: R): R {
    return refuseThenable(result, op, SECTION_THENABLE)
  }

  /**
   * @internal The run-in-a-child-scope protocol, written once (scopes, lock sections, tasks and
   * handlers): `cb(child, arg)` runs; `close(child, x, y)` undoes the scope whether `cb` returns
   * or throws, and the callback's error wins over one from closing. Extra arguments are passed
   * through, not captured, so that the hot path allocates no closure.
   */
  static runIn<S extends CtxState, A, R, X, Y>(
    child: ScopeContext,
    cb: (ctx: Context<S>, arg: A) => R,
    arg: A,
    close: (child: ScopeContext, x: X, y: Y) => void,
    x: X,
    y: Y,
  ): R {
    let result: R
    try {
      result = cb(ScopeContext.public<S>(child), arg)
    } catch (error) {
      try {
        close(child, x, y)
      } catch {
        /* already failing */
      }
      throw error
    }
    close(child, x, y)
    return result
  }

  /**
   * Runs `cb` in a child scope: `enter` changes the CPU, `exit` undoes it whether `cb` returns or
   * throws. A thenable result is refused after the scope is undone.
   */
  scoped(op: string, enter: CpuEdge, exit: CpuEdge, cb: ScopeCallback, gains = 0): unknown {
    const cpu = this.assertUsable(op)
    enter(cpu, DELIVERY)
    let child: ScopeContext
    try {
      child = ScopeContext.push(this, cpu, gains)
    } catch (error) {
      exit(cpu, DELIVERY)
      throw error
    }
    return refuseThenable(ScopeContext.runIn(child, cb, undefined, ScopeContext.close, exit, 'scope'), op, SECTION_THENABLE)
  }

  preemptDisable(cb: ScopeCallback): unknown {
    return this.scoped(PREEMPT_DISABLE.op, PREEMPT_DISABLE.enter, PREEMPT_DISABLE.exit, cb, PREEMPT_DISABLE.gives)
  }

  localBhDisable(cb: ScopeCallback): unknown {
    return this.scoped(LOCAL_BH_DISABLE.op, LOCAL_BH_DISABLE.enter, LOCAL_BH_DISABLE.exit, cb, LOCAL_BH_DISABLE.gives)
  }

  rcuReadLock(cb: ScopeCallback): unknown {
    return this.scoped(RCU_READ_LOCK.op, RCU_READ_LOCK.enter, RCU_READ_LOCK.exit, cb, RCU_READ_LOCK.gives)
  }

  migrateDisable(cb: ScopeCallback): unknown {
    return this.scoped(MIGRATE_DISABLE.op, MIGRATE_DISABLE.enter, MIGRATE_DISABLE.exit, cb, MIGRATE_DISABLE.gives)
  }

  get core(): CoreOps<CtxState> {
    const core = {
      // local_irq_save()'s steps keep the saved flags per section, so its edges are closures here.
      localIrqSave: (cb: ScopeCallback): unknown => {
        let flags: IrqFlags | undefined
        return this.scoped(
          LOCAL_IRQ_SAVE.op,
          (c) => {
            flags = c.localIrqSave()
          },
          (c) => localIrqRestore(c, flags as IrqFlags),
          cb,
          proofBits(LOCAL_IRQ_SAVE.enter),
        )
      },
    }
    return core as unknown as CoreOps<CtxState>
  }

  localInterruptDisable(): LockGuard<undefined> {
    const what = LOCAL_INTERRUPT_DISABLE.op
    const cpu = this.assertUsable(what)
    STEPS[LOCAL_INTERRUPT_DISABLE.enter].onCpu(cpu)
    let child: ScopeContext
    try {
      child = ScopeContext.push(this, cpu, proofBits(LOCAL_INTERRUPT_DISABLE.enter))
    } catch (error) {
      cpu.localInterruptEnable()
      throw error
    }
    const host = this.#at.host
    const guard = new LockGuard<undefined>(ScopeContext.public(child), undefined, () => {
      if (!child.live) {
        host.badUnlock(host.executingCpu() ?? this.#at.cpu, what)
        throw new DoubleUnlockError(`${what}: this guard was already released`)
      }
      const c = this.#at.cpu
      if (ScopeContext.mayRefuseDrop(child)) {
        const bits = falsifiedByUnlock(c, [LOCAL_INTERRUPT_DISABLE.exit], null, child.#claims, host.traceIrqflags)
        if (bits !== 0) host.refuseDrop(c, what, bits)
      }
      ScopeContext.close(
        child,
        (c) => {
          // Pending interrupts only after checking what still needs them off.
          c.localInterruptEnable()
          if (!c.irqsDisabled) host.irqsBackOn(c, what)
        },
        'guard',
      )
    })
    ScopeContext.guard(child, (reason) => releaseAfterReport(() => host.reportLeak(this.#at.cpu, what, reason), guard))
    return guard
  }

  mightSleep(): void {
    const cpu = this.assertUsable('might_sleep()')
    this.#at.host.mightSleep(cpu, 'might_sleep()')
  }

  msleep(ms: number): void {
    const cpu = this.assertUsable('msleep()')
    this.#at.host.msleep(cpu, ms)
  }

  kmalloc(size: number, gfp: Gfp): Uint8Array {
    const cpu = this.assertUsable(`kmalloc(${String(gfp)})`)
    return this.#at.host.kmalloc(cpu, size, gfp)
  }

  /** Asserts interrupt `line` on this CPU: handled now if interrupts are on, else when they come back. */
  raiseIrq(line: number): void {
    const cpu = this.assertUsable('raise_irq()')
    this.#at.host.raiseIrq(cpu, line)
  }

  /** `raise_softirq(nr)` on this CPU (0–9, or a name such as 'NET_RX'). */
  raiseSoftirq(nr: number | SoftirqName): void {
    const cpu = this.assertUsable('raise_softirq()')
    this.#at.host.raiseSoftirq(cpu, nr)
  }

  /** Delivers the NMI registered as `name` on this CPU, whatever the interrupt flag. */
  raiseNmi(name: string): void {
    const cpu = this.assertUsable('raise_nmi()')
    this.#at.host.raiseNmi(cpu, name)
  }
}
