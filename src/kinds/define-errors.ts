/**
 * The named errors of `defineLockKind()` (kinds/define.ts): a spec that cannot be a lock kind is
 * refused when it is defined, before any lock of it exists. Each is an InvalidArgumentError, so
 * code that catches bad input generally still catches it.
 */
import { InvalidArgumentError } from '../errors.js'

/**
 * A lock kind's spec is malformed (a field missing or of the wrong shape, a method naming a
 * variant the kind has no sequences for, a kind name already defined with another spec). The
 * base of the four errors below.
 *
 * @example
 * ```ts
 * import { defineLockKind, LockKindError } from 'lockproof'
 *
 * try { defineLockKind({ kind: '' } as never) } catch (error) {
 *   console.log(error instanceof LockKindError) // true: the kind needs a name
 * }
 * ```
 */
export class LockKindError extends InvalidArgumentError {
  /** Always `'LockKindError'` (or the subclass's name). */
  override name = 'LockKindError'
}

/**
 * A sequence names a step that is not one of lockproof's (kinds/steps.ts `STEPS`).
 *
 * @example
 * ```ts
 * import { UnknownStepError } from 'lockproof'
 *
 * console.log(new UnknownStepError('x').name) // 'UnknownStepError'
 * ```
 */
export class UnknownStepError extends LockKindError {
  /** Always `'UnknownStepError'`. */
  override name = 'UnknownStepError'
}

/**
 * A variant's unlock sequence does not undo its lock sequence: a lock step's undo is missing
 * (`preempt_disable` with no `preempt_enable`), an unlock step undoes nothing the lock did, or
 * the sequence has no `acquire` / `release`.
 *
 * @example
 * ```ts
 * import { UnbalancedStepsError } from 'lockproof'
 *
 * console.log(new UnbalancedStepsError('x').name) // 'UnbalancedStepsError'
 * ```
 */
export class UnbalancedStepsError extends LockKindError {
  /** Always `'UnbalancedStepsError'`. */
  override name = 'UnbalancedStepsError'
}

/**
 * A variant has sequences for one configuration only: every variant must say what it does on a
 * normal kernel and on PREEMPT_RT.
 *
 * @example
 * ```ts
 * import { OneConfigurationError } from 'lockproof'
 *
 * console.log(new OneConfigurationError('x').name) // 'OneConfigurationError'
 * ```
 */
export class OneConfigurationError extends LockKindError {
  /** Always `'OneConfigurationError'`. */
  override name = 'OneConfigurationError'
}

/**
 * A kind's wait type contradicts its category on a configuration: a sleeping kind with a
 * spinning wait type (`spin`, or `config` on a normal kernel) would let the compiler and lockdep
 * accept it under a spinlock; a spinning kind with a sleeping one would let a mutex be taken inside it.
 *
 * @example
 * ```ts
 * import { WaitTypeMismatchError } from 'lockproof'
 *
 * console.log(new WaitTypeMismatchError('x').name) // 'WaitTypeMismatchError'
 * ```
 */
export class WaitTypeMismatchError extends LockKindError {
  /** Always `'WaitTypeMismatchError'`. */
  override name = 'WaitTypeMismatchError'
}

/**
 * A lock whose kind `requires` a proof (the v6 `SpinLockIrq` takes an `IrqDisabled` token) was
 * taken from a context that does not carry it. Nothing was taken.
 *
 * @example
 * ```ts
 * import { ProofRequiredError } from 'lockproof'
 *
 * console.log(new ProofRequiredError('x').name) // 'ProofRequiredError'
 * ```
 */
export class ProofRequiredError extends InvalidArgumentError {
  /** Always `'ProofRequiredError'`. */
  override name = 'ProofRequiredError'
}
