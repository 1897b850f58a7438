import type { Diagnostic } from './diagnostics.js'

/** Base of every error lockproof throws on purpose; `instanceof LockproofError` catches them all. */
export class LockproofError extends Error {
  override name = 'LockproofError'
}

/** A context was used after the scope that made it ended (its callback returned, or its guard dropped). */
export class StaleContextError extends LockproofError {
  override name = 'StaleContextError'
}

/** A context was used on a CPU or in a task other than the one it is bound to. */
export class WrongCpuError extends LockproofError {
  override name = 'WrongCpuError'
}

/** An outer context was used while an inner scope (made from it) is still running: use the inner one. */
export class ShadowedContextError extends LockproofError {
  override name = 'ShadowedContextError'
}

/** A scope's callback returned a Promise or another thenable: the scope would end before it settles. */
export class PromiseInScopeError extends LockproofError {
  override name = 'PromiseInScopeError'
}

/** A counter would leave its field: enabling what was not disabled, or nesting past the field's width. */
export class CountingError extends LockproofError {
  override name = 'CountingError'
}

/** A value of the wrong shape from a caller that ignored the types (plain JavaScript). */
export class InvalidArgumentError extends LockproofError {
  override name = 'InvalidArgumentError'
}

/** A task was started where it cannot run (a CPU that is already running one, a CPU that does not exist). */
export class SchedulingError extends LockproofError {
  override name = 'SchedulingError'
}

/** Thrown at the first diagnostic with `onDiagnostic: 'throw'`; the diagnostic is also recorded. */
export class KernelSplat extends LockproofError {
  override name = 'KernelSplat'
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.title}\n${diagnostic.report}`)
  }
}

/** An acquisition that can never succeed in this run (its holder cannot run first); nothing changed. */
export class DeadlockError extends LockproofError {
  override name = 'DeadlockError'
}

/** A guard unlocked twice: the lock was already released (the kernel's "bad unlock balance"). */
export class DoubleUnlockError extends LockproofError {
  override name = 'DoubleUnlockError'
}
