/**
 * The runtime context object: bound to one CPU and one task, alive only while the scope that
 * made it runs, and checked on every use. Its type parameter is the type-level state (state.ts).
 */
import type { Cpu } from '../cpu/cpu.js'
import type { IrqFlags, TaskState } from '../cpu/state.js'
import { DoubleUnlockError, PromiseInScopeError, ShadowedContextError, StaleContextError, WrongCpuError } from '../errors.js'
import { type Guard, LockGuard } from '../locks/guard.js'
import type { SoftirqName } from '../irq/registry.js'
import type { CanSleep } from './sleep-rules.js'
import type { Gfp, GfpCheck } from './gfp-rules.js'
import type { CtxState } from './state.js'
import type { BhDisabledIn, InterruptsDisabledIn, IrqsSavedIn, PreemptDisabledIn, RcuReadLockedIn } from './transitions.js'
import type { NotThenable } from './type-error.js'

declare const stateBrand: unique symbol

/** What a context needs from the kernel that made it. */
export interface ContextHost {
  /** The CPU whose code is running now (the innermost `run`, handler or task), or null. */
  executingCpu(): Cpu | null
  mightSleep(cpu: Cpu, what: string): void
  msleep(cpu: Cpu, ms: number): void
  raiseIrq(cpu: Cpu, line: number): void
  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void
  raiseNmi(cpu: Cpu, name: string): void
  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  badUnlock(cpu: Cpu, what: string): void
  /** A scope ended on this CPU: a chance to run what waited for it (irq threads, ksoftirqd). */
  scopeEnded(cpu: Cpu): void
}

/** Marks "nothing failed" where an error may be any value, undefined included. */
export const NO_FAILURE: unique symbol = Symbol('no failure')

/**
 * Releases, innermost first, the guards whose contexts sit above `child` on the CPU's stack;
 * returns the first error one threw, or NO_FAILURE.
 */
const releaseLeaked = (cpu: Cpu, child: Context<CtxState>, reason: 'scope' | 'task'): unknown => {
  let failure: unknown = NO_FAILURE
  for (;;) {
    const top = cpu.scopes.at(-1)
    if (top === undefined || top === child || !cpu.scopes.includes(child)) return failure
    const leak = top.onLeak
    if (leak === null) return failure
    top.onLeak = null
    try {
      leak(reason)
    } catch (error) {
      if (failure === NO_FAILURE) failure = error
    }
    // A guard that failed to release still leaves the stack.
    const at = cpu.scopes.lastIndexOf(top)
    if (at >= 0) cpu.scopes.splice(at, 1)
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'

/**
 * The core-code-only operations: raw interrupt control. Drivers use locks instead.
 *
 * @example
 * ```ts
 * import { createKernel, type CoreOps, type TaskCtx } from 'lockproof'
 *
 * createKernel().run((ctx) => {
 *   const core: CoreOps<TaskCtx> = ctx.core
 *   core.localIrqSave((ctx) => ctx.cpuId) // interrupts off on both kernels
 * })
 * ```
 */
export interface CoreOps<out S extends CtxState> {
  /** @internal Phantom: the state, so that `CoreOps<S>` keeps `S`. Never present at run time. */
  readonly [stateBrand]?: S
  /** `local_irq_save()` … `local_irq_restore()` around `cb`. Disables interrupts even on RT. */
  localIrqSave<T extends CtxState, R>(this: CoreOps<T>, cb: (ctx: Context<IrqsSavedIn<T>>) => NotThenable<R, 'a local_irq_save() section'>): R
}

/**
 * The context every operation takes: bound to one CPU and one task, alive only while the
 * scope that made it runs, and checked on every use (a stale, foreign or shadowed context
 * throws). Its type parameter is what is known, on both kernels, where the code runs: the
 * execution kind, the strongest wait type still allowed, whether interrupts, preemption and
 * bottom halves are off, and the lock classes held. Contexts come from {@link Kernel.run},
 * handlers, lock callbacks and guards; functions demand proofs such as {@link IrqDisabled}.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type TaskCtx } from 'lockproof'
 *
 * const kernel = createKernel()
 * const work = (ctx: Context<TaskCtx>) => ctx.rcuReadLock((ctx) => `${ctx.comm} on CPU ${ctx.cpuId}`)
 * console.log(kernel.run(work)) // 'task-1 on CPU 0'
 * ```
 */
export class Context<out S extends CtxState = CtxState> {
  /** Phantom: the type-level state. Never present at run time. */
  declare readonly [stateBrand]: S

  readonly #host: ContextHost
  readonly #cpu: Cpu
  readonly #task: TaskState
  #live = true

  /** @internal Contexts are made by the kernel (run, handlers) and by scopes; never by users. */
  constructor(host: ContextHost, cpu: Cpu, task: TaskState) {
    this.#host = host
    this.#cpu = cpu
    this.#task = task
  }

  /** The CPU this context is bound to. */
  get cpuId(): number {
    return this.#cpu.id
  }
  /** The task (`comm`) this context runs in. */
  get comm(): string {
    return this.#task.comm
  }
  /** The pid of the task this context runs in. */
  get pid(): number {
    return this.#task.pid
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
    const cpu = this.#cpu
    if (!this.#live) throw new StaleContextError(`${op}: this context's scope has ended`)
    if (this.#host.executingCpu() !== cpu) {
      throw new WrongCpuError(`${op}: this context belongs to CPU ${cpu.id}, not the CPU running now`)
    }
    if (cpu.current !== this.#task) {
      throw new WrongCpuError(`${op}: this context belongs to task ${this.#task.comm}, not ${cpu.current.comm}`)
    }
    if (cpu.scopes.at(-1) !== this) {
      throw new ShadowedContextError(`${op}: an inner scope is running; use the context it gave its callback`)
    }
    return cpu
  }

  /** @internal Ends this context's life; any later use throws StaleContextError. */
  revoke(): void {
    this.#live = false
  }

  /**
   * @internal Set on a guard's context: releases the guard when an enclosing scope ends first
   * (`task` when that scope is the task itself). The guard reports the leak.
   */
  onLeak: ((reason: 'scope' | 'task') => void) | null = null

  /** @internal A child of `parent` on `cpu`, made the innermost scope there. */
  static push<T extends CtxState>(parent: Context<CtxState>, cpu: Cpu): Context<T> {
    const child = new Context<T>(parent.#host, cpu, parent.#task)
    cpu.scopes.push(child)
    return child
  }

  /**
   * @internal Ends `child`'s life: unless it is a guard's, first releases guards still held
   * above it (reporting each); then revokes it and takes it off the stack (from anywhere:
   * guards may drop out of order). Returns the first error a leaked guard threw, or NO_FAILURE.
   * The caller then undoes the CPU state and calls `ended()`.
   */
  static pop(child: Context<CtxState>, reason: 'scope' | 'task' | 'guard'): unknown {
    const cpu = child.#cpu
    const scopes = cpu.scopes
    let failure: unknown = NO_FAILURE
    if (reason !== 'guard' && scopes[scopes.length - 1] !== child) failure = releaseLeaked(cpu, child, reason)
    child.#live = false
    if (scopes[scopes.length - 1] === child) scopes.pop()
    else {
      const at = scopes.lastIndexOf(child)
      if (at >= 0) scopes.splice(at, 1)
    }
    return failure
  }

  /** @internal After a scope is undone: the CPU may run deferred work; then `failure` is rethrown. */
  static ended(child: Context<CtxState>, failure: unknown): void {
    child.#host.scopeEnded(child.#cpu)
    if (failure !== NO_FAILURE) throw failure
  }

  /** @internal `pop`, then `exit` (which runs even if a leaked guard threw), then `ended`. */
  static close(child: Context<CtxState>, exit: (cpu: Cpu) => void, reason: 'scope' | 'task' | 'guard' = 'scope'): void {
    let failure = Context.pop(child, reason)
    try {
      exit(child.#cpu)
    } catch (error) {
      if (failure === NO_FAILURE) failure = error
    }
    Context.ended(child, failure)
  }

  /** @internal A scope's result, refused if it is a thenable (the scope already ended). */
  static refuseThenable<R>(op: string, result: R): R {
    if (isThenable(result)) {
      // Keep a rejected Promise from also going unhandled.
      Promise.resolve(result).catch(() => undefined)
      throw new PromiseInScopeError(`${op}: the callback returned a Promise; the section must finish synchronously`)
    }
    return result
  }

  /**
   * @internal Runs `cb` in a child scope: `enter` changes the CPU, `exit` undoes it whether `cb`
   * returns or throws. A thenable result is refused after the scope is undone.
   */
  scoped<T extends CtxState, R>(op: string, enter: (cpu: Cpu) => void, exit: (cpu: Cpu) => void, cb: (ctx: Context<T>) => R): R {
    const cpu = this.assertUsable(op)
    enter(cpu)
    const child = Context.push<T>(this, cpu)
    let result: R
    try {
      result = cb(child)
    } catch (error) {
      // The callback's error wins over one from undoing the scope.
      try {
        Context.close(child, exit)
      } catch {
        /* already failing */
      }
      throw error
    }
    Context.close(child, exit)
    return Context.refuseThenable(op, result)
  }

  /** `preempt_disable()` … `preempt_enable()` around `cb`. */
  preemptDisable<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<PreemptDisabledIn<T>>) => NotThenable<R, 'a preempt_disable() section'>): R {
    return this.scoped(
      'preempt_disable()',
      (c) => c.preemptDisable(),
      (c) => c.preemptEnable(),
      cb,
    ) as R
  }

  /** `local_bh_disable()` … `local_bh_enable()`; pending softirqs run at the enable. */
  localBhDisable<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<BhDisabledIn<T>>) => NotThenable<R, 'a local_bh_disable() section'>): R {
    return this.scoped(
      'local_bh_disable()',
      (c) => c.localBhDisable(),
      (c) => c.localBhEnable(),
      cb,
    ) as R
  }

  /** `rcu_read_lock()` … `rcu_read_unlock()` (preemptible RCU: a task counter). */
  rcuReadLock<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<RcuReadLockedIn<T>>) => NotThenable<R, 'an RCU read-side section'>): R {
    return this.scoped(
      'rcu_read_lock()',
      (c) => c.rcuReadLock(),
      (c) => c.rcuReadUnlock(),
      cb,
    ) as R
  }

  /** `migrate_disable()` … `migrate_enable()`: stays on this CPU, may still sleep. */
  migrateDisable<T extends CtxState, R>(this: Context<T>, cb: (ctx: Context<T>) => NotThenable<R, 'a migrate_disable() section'>): R {
    return this.scoped(
      'migrate_disable()',
      (c) => c.migrateDisable(),
      (c) => c.migrateEnable(),
      cb,
    ) as R
  }

  /** Core code only (the scheduler, interrupt handling). Drivers: use an irqsave lock or local_lock_t. */
  get core(): CoreOps<S> {
    return {
      localIrqSave: <R>(cb: (ctx: Context<CtxState>) => R): R => {
        let flags: IrqFlags | undefined
        return this.scoped(
          'local_irq_save()',
          (c) => {
            flags = c.localIrqSave()
          },
          (c) => c.localIrqRestore(flags as IrqFlags),
          cb,
        )
      },
    } as CoreOps<S>
  }

  /**
   * `local_interrupt_disable()` as a guard: interrupts off through the per-CPU count (flags saved
   * on 0→1, restored on 1→0), so such guards may be dropped in any order.
   */
  localInterruptDisable<T extends CtxState>(this: Context<T>): Guard<InterruptsDisabledIn<T>, undefined> {
    const what = 'local_interrupt_disable()'
    const cpu = this.assertUsable(what)
    cpu.localInterruptDisable()
    const child = Context.push<InterruptsDisabledIn<T>>(this, cpu)
    const host = this.#host
    const guard = new LockGuard<undefined>(child as Context<CtxState>, undefined, () => {
      if (!child.live) {
        host.badUnlock(host.executingCpu() ?? this.#cpu, what)
        throw new DoubleUnlockError(`${what}: this guard was already released`)
      }
      Context.close(
        child as Context<CtxState>,
        (c) => {
          // Pending interrupts only after checking what still needs them off.
          c.localInterruptEnable(true)
          if (!c.irqsDisabled) host.irqsBackOn(c, what)
        },
        'guard',
      )
    })
    child.onLeak = (reason) => {
      host.reportLeak(this.#cpu, what, reason)
      guard.unlock()
    }
    return guard as unknown as Guard<InterruptsDisabledIn<T>, undefined>
  }

  /** `might_sleep()`: reports "BUG: sleeping function called from invalid context" where sleeping is not allowed. */
  mightSleep<T extends CtxState>(this: Context<T> & CanSleep<T, 'might_sleep()'>): void {
    const cpu = this.assertUsable('might_sleep()')
    this.#host.mightSleep(cpu, 'might_sleep()')
  }

  /** `msleep(ms)`: might_sleep(), then the task sleeps (other work on this CPU may run meanwhile). */
  msleep<T extends CtxState>(this: Context<T> & CanSleep<T, 'msleep()'>, ms: number): void {
    const cpu = this.assertUsable('msleep()')
    this.#host.msleep(cpu, ms)
  }

  /**
   * `kmalloc(size, gfp)`: GFP_KERNEL may sleep; GFP_ATOMIC may not be used where even spinlock_t
   * is forbidden (raw spinlock held, interrupts off, no-thread handler): the allocator sleeps on RT.
   */
  kmalloc<T extends CtxState, G extends Gfp>(this: Context<T> & GfpCheck<T, G>, size: number, gfp: G): Uint8Array {
    return this.#host.kmalloc(this.assertUsable(`kmalloc(${String(gfp)})`), size, gfp)
  }

  /** Asserts interrupt `line` on this CPU: handled now if interrupts are on, else when they come back. */
  raiseIrq(line: number): void {
    this.#host.raiseIrq(this.assertUsable('raise_irq()'), line)
  }

  /** `raise_softirq(nr)` on this CPU (0–9, or a name such as 'NET_RX'). */
  raiseSoftirq(nr: number | SoftirqName): void {
    this.#host.raiseSoftirq(this.assertUsable('raise_softirq()'), nr)
  }

  /** Delivers the NMI registered as `name` on this CPU, whatever the interrupt flag. */
  raiseNmi(name: string): void {
    this.#host.raiseNmi(this.assertUsable('raise_nmi()'), name)
  }
}
