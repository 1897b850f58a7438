import type { Diagnostic } from './diagnostics/types.js'

/**
 * Base of every error lockproof throws on purpose; `instanceof LockproofRuntimeError` catches them all.
 *
 * Named as it is exported: `LockproofError` is the compile-time error type (rules/error.ts).
 *
 * @example
 * ```ts
 * import { createKernel, LockproofRuntimeError } from 'lockproof'
 *
 * try {
 *   createKernel({ cpus: 0 })
 * } catch (error) {
 *   if (error instanceof LockproofRuntimeError) console.log(error.name) // 'InvalidArgumentError'
 * }
 * ```
 */
export class LockproofRuntimeError extends Error {
  /** Always `'LockproofError'` (unchanged since before the class was renamed; subclasses set their own). */
  override name = 'LockproofError'
}

/**
 * A context was used after the scope that made it ended (its callback returned, or its guard dropped).
 *
 * @example
 * ```ts
 * import { createKernel, StaleContextError, type AnyContext } from 'lockproof'
 *
 * const kernel = createKernel()
 * let saved: AnyContext | undefined
 * kernel.run((ctx) => { saved = ctx })
 * try { kernel.run(() => saved?.raiseSoftirq('TIMER')) } catch (error) {
 *   console.log(error instanceof StaleContextError) // true: that task has ended
 * }
 * ```
 */
export class StaleContextError extends LockproofRuntimeError {
  /** Always `'StaleContextError'`. */
  override name = 'StaleContextError'
}

/**
 * A context was used on a CPU or in a task other than the one it is bound to.
 *
 * @example
 * ```ts
 * import { createKernel, WrongCpuError } from 'lockproof'
 *
 * const kernel = createKernel({ cpus: 2 })
 * kernel.run((cpu0) => kernel.run(() => {
 *   try { cpu0.raiseSoftirq('TIMER') } catch (error) { console.log(error instanceof WrongCpuError) } // true
 * }, { cpu: 1 }))
 * ```
 */
export class WrongCpuError extends LockproofRuntimeError {
  /** Always `'WrongCpuError'`. */
  override name = 'WrongCpuError'
}

/**
 * An outer context was used while an inner scope (made from it) is still running: use the inner one.
 *
 * @example
 * ```ts
 * import { createKernel, ShadowedContextError } from 'lockproof'
 *
 * createKernel().run((ctx) => ctx.preemptDisable(() => {
 *   try { ctx.raiseSoftirq('TIMER') } catch (error) { console.log(error instanceof ShadowedContextError) } // true
 * }))
 * ```
 */
export class ShadowedContextError extends LockproofRuntimeError {
  /** Always `'ShadowedContextError'`. */
  override name = 'ShadowedContextError'
}

/**
 * A scope's callback returned a Promise or another thenable: the scope would end before it settles.
 *
 * @example
 * ```ts
 * import { createKernel, PromiseInScopeError } from 'lockproof'
 *
 * try {
 *   // @ts-expect-error the types refuse an async task; plain JavaScript meets the runtime check
 *   createKernel().run(async () => 1)
 * } catch (error) {
 *   console.log(error instanceof PromiseInScopeError) // true: a simulated task runs synchronously
 * }
 * ```
 */
export class PromiseInScopeError extends LockproofRuntimeError {
  /** Always `'PromiseInScopeError'`. */
  override name = 'PromiseInScopeError'
}

/**
 * A counter would leave its field: enabling what was not disabled, or nesting past the field's width.
 *
 * @example
 * ```ts
 * import { createKernel, CountingError, type AnyContext } from 'lockproof'
 *
 * const nest = (ctx: AnyContext, depth: number): void => { if (depth > 0) ctx.preemptDisable((ctx) => nest(ctx, depth - 1)) }
 * try { createKernel().run((ctx) => nest(ctx, 256)) } catch (error) {
 *   console.log(error instanceof CountingError) // true: the preempt field holds 255
 * }
 * ```
 */
export class CountingError extends LockproofRuntimeError {
  /** Always `'CountingError'`. */
  override name = 'CountingError'
}

/**
 * A value of the wrong shape from a caller that ignored the types (plain JavaScript).
 *
 * @example
 * ```ts
 * import { createKernel, InvalidArgumentError } from 'lockproof'
 *
 * try { createKernel({ cpus: 65 }) } catch (error) {
 *   console.log(error instanceof InvalidArgumentError) // true: 1 to 64 CPUs
 * }
 * ```
 */
export class InvalidArgumentError extends LockproofRuntimeError {
  /** Always `'InvalidArgumentError'`. */
  override name = 'InvalidArgumentError'
}

/**
 * A task was started where it cannot run (a CPU that is already running one, a CPU that does not exist).
 *
 * @example
 * ```ts
 * import { createKernel, SchedulingError } from 'lockproof'
 *
 * const kernel = createKernel()
 * kernel.run(() => {
 *   try { kernel.run(() => 1) } catch (error) { console.log(error instanceof SchedulingError) } // true: CPU 0 is busy
 * })
 * ```
 */
export class SchedulingError extends LockproofRuntimeError {
  /** Always `'SchedulingError'`. */
  override name = 'SchedulingError'
}

/**
 * Thrown at the first diagnostic with `onDiagnostic: 'throw'`; the diagnostic is also recorded.
 *
 * @example
 * ```ts
 * import { createKernel, KernelSplat } from 'lockproof'
 *
 * const kernel = createKernel({ onDiagnostic: 'throw' })
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * try { kernel.run((ctx) => { stats.lock(ctx) }) } catch (error) {
 *   if (error instanceof KernelSplat) console.log(error.diagnostic.kind) // 'held-lock-at-exit'
 * }
 * ```
 */
export class KernelSplat extends LockproofRuntimeError {
  /** Always `'KernelSplat'`. */
  override name = 'KernelSplat'
  /**
   * @internal Made by the kernel at the first diagnostic when `onDiagnostic` is `'throw'`.
   * @param diagnostic - The diagnostic that was reported (also in `kernel.diagnostics`).
   */
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.title}\n${diagnostic.report}`)
  }
}

/**
 * An acquisition that can never succeed in this run (its holder cannot run first); nothing changed.
 *
 * @example
 * ```ts
 * import { createKernel, DeadlockError } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.requestIrq(3, 'eth0', (ctx) => stats.withLocked(ctx, (_ctx, s) => { s.hits++ }))
 * try { kernel.run((ctx) => stats.withLocked(ctx, (ctx) => ctx.raiseIrq(3))) } catch (error) {
 *   console.log(error instanceof DeadlockError) // true: the handler spins on a lock its CPU holds
 * }
 * ```
 */
export class DeadlockError extends LockproofRuntimeError {
  /** Always `'DeadlockError'`. */
  override name = 'DeadlockError'
}

/**
 * A guard unlocked twice: the lock was already released (the kernel's "bad unlock balance").
 *
 * @example
 * ```ts
 * import { createKernel, DoubleUnlockError } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * kernel.run((ctx) => {
 *   const guard = stats.lock(ctx)
 *   guard.unlock()
 *   try { guard.unlock() } catch (error) { console.log(error instanceof DoubleUnlockError) } // true
 * })
 * ```
 */
export class DoubleUnlockError extends LockproofRuntimeError {
  /** Always `'DoubleUnlockError'`. */
  override name = 'DoubleUnlockError'
}

/**
 * A context of another kernel was passed to this kernel's lock: the two simulations would mix
 * (the other kernel's CPU, this one's steps and lockdep). Refused; neither kernel changes.
 *
 * @example
 * ```ts
 * import { createKernel, ForeignContextError } from 'lockproof'
 *
 * const a = createKernel()
 * const b = createKernel({ preemptRt: true })
 * const stats = a.spinLock('stats', 0)
 * b.run((ctx) => {
 *   try { stats.withLocked(ctx, () => 0) } catch (error) { console.log(error instanceof ForeignContextError) } // true
 * })
 * ```
 */
export class ForeignContextError extends LockproofRuntimeError {
  /** Always `'ForeignContextError'`. */
  override name = 'ForeignContextError'
}

/**
 * A sleeping lock (mutex, rw_semaphore; on PREEMPT_RT also spinlock_t) released from hard or soft
 * interrupt context: "Mutexes may not be used in hardware or software interrupt contexts"
 * (Documentation/locking/mutex-design.rst). Refused; the lock stays held.
 *
 * @example
 * ```ts
 * import { createKernel, InterruptContextError, type Guard, type CtxState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', 0)
 * let held: Guard<CtxState, number> | undefined
 * kernel.requestIrq(3, 'dev', () => {
 *   try { held?.unlock() } catch (error) { console.log(error instanceof InterruptContextError) } // true
 * })
 * kernel.run((ctx) => {
 *   using g = cfg.lock(ctx)
 *   held = g
 *   g.ctx.raiseIrq(3)
 * })
 * ```
 */
export class InterruptContextError extends LockproofRuntimeError {
  /** Always `'InterruptContextError'`. */
  override name = 'InterruptContextError'
}

/**
 * A guard's unlock would turn interrupts, preemption or bottom halves back on while a live
 * context on that CPU still proves them off (a guard taken from this guard's context, dropped
 * later). TypeScript cannot see the order guards are dropped in, so the run time refuses it:
 * nothing changes, the guard stays held. Drop the inner guard first.
 *
 * @example
 * ```ts
 * import { createKernel, GuardOrderError } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', 0)
 * const dev = kernel.rawSpinLock('dev', 0)
 * kernel.run((ctx) => {
 *   const a = hw.lockIrqSave(ctx)
 *   const b = dev.lock(a.ctx) // b.ctx proves IrqDisabled, inherited from a
 *   try { a.unlock() } catch (error) { console.log(error instanceof GuardOrderError) } // true
 *   b.unlock()
 *   a.unlock()
 * })
 * ```
 */
export class GuardOrderError extends LockproofRuntimeError {
  /** Always `'GuardOrderError'`. */
  override name = 'GuardOrderError'
}

/**
 * Data behind a {@link LockedBy} was reached with the wrong evidence: its owning lock's class is
 * held, but not the instance it belongs to (Rust's `LockedBy::access()` panics with "mismatched
 * owners"), or the owner is not held at all.
 *
 * @example
 * ```ts
 * import { createKernel, LockedBy, LockedByError } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.spinLock('Process::inner', { nodes: 0 })
 * const b = kernel.spinLock('Process::inner', { nodes: 0 })
 * const node = new LockedBy(a, { strong: 0 })
 * kernel.run((ctx) => b.withLocked(ctx, (ctx) => {
 *   try { node.access(ctx) } catch (error) { console.log(error instanceof LockedByError) } // true
 * }))
 * ```
 */
export class LockedByError extends LockproofRuntimeError {
  /** Always `'LockedByError'`. */
  override name = 'LockedByError'
}

/**
 * A model's operation was made but never run: a lock method of the model kernel returns a
 * generator, which does nothing until `yield*` runs it (the generator analogue of a floating
 * promise). Thrown when the task ends with such an operation never started, or when its result
 * is used as if it had run (a guard's `data` read from the unstarted operation).
 *
 * @example
 * ```ts
 * import { defineModel, ForgottenYieldError, runModel } from 'lockproof'
 *
 * const model = defineModel((k) => {
 *   const a = k.spinLock('a', { n: 0 })
 *   k.task('forgetful', { cpu: 0 }, function* (ctx) {
 *     a.withLocked(ctx, function* (_ctx, d) { d.n++ }) // no yield*: never runs
 *   })
 * })
 * const result = runModel(model)
 * console.log(result.outcome.kind === 'error' && result.outcome.error instanceof ForgottenYieldError) // true
 * ```
 */
export class ForgottenYieldError extends LockproofRuntimeError {
  /** Always `'ForgottenYieldError'`. */
  override name = 'ForgottenYieldError'
}
