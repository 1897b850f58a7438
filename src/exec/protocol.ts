/**
 * The small pieces of the scope protocol every scope maker shares (context.ts, locks/lock.ts,
 * exec/sync.ts): "first error wins" and the refusal of a thenable result, written once.
 */
import { PromiseInScopeError } from '../errors.js'

/** Marks "nothing failed" where an error may be any value, undefined included. */
export const NO_FAILURE: unique symbol = Symbol('no failure')

/** True for a Promise or any other thenable (what an `await` would wait for). */
export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'

/**
 * Returns `result`, or refuses it when it is a thenable (untyped code: the scope already ended)
 * with `${what}: ${why}`; a rejected Promise is then kept from also going unhandled.
 */
export const refuseThenable = <R>(result: R, what: string, why: string): R => {
  if (isThenable(result)) {
    Promise.resolve(result).catch(() => undefined)
    throw new PromiseInScopeError(`${what}: ${why}`)
  }
  return result
}

/**
 * A leaked guard: reported, then released *even if the report throws* (onDiagnostic: 'throw'),
 * so the CPU and the lock are restored before the first error (the report's) propagates.
 */
export const releaseAfterReport = (report: () => void, guard: { unlock(): void }): void => {
  let failure: unknown = NO_FAILURE
  try {
    report()
  } catch (error) {
    failure = error
  }
  try {
    guard.unlock()
  } catch (error) {
    if (failure === NO_FAILURE) failure = error
  }
  if (failure !== NO_FAILURE) throw failure
}
