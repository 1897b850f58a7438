/** The design check's named error. */
import { InvalidArgumentError } from '../../errors.js'

/**
 * `checkLockDesign()` was given something it cannot check: a kind not made by
 * `defineLockKind()`, or options out of range (a drop-order count, a budget, a variant the kind
 * does not have).
 *
 * @example
 * ```ts
 * import { checkLockDesign, DesignCheckError, SPIN_LOCK_IRQ_COUNTED } from 'lockproof'
 *
 * try {
 *   checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { locks: 9 })
 * } catch (error) {
 *   console.log(error instanceof DesignCheckError) // true: 9! drop orders is no bounded check
 * }
 * ```
 */
export class DesignCheckError extends InvalidArgumentError {
  /** Always `'DesignCheckError'`. */
  override name = 'DesignCheckError'
}
