/** The compile-time twin of `__might_resched()`: what may sleep needs a 'sleep' wait type in a task. */
import type { CtxState } from './state.js'
import type { LockproofError } from './error.js'

export type SleepError<
  What extends string,
  Why extends string,
> = LockproofError<`${What} may sleep: BUG: sleeping function called from invalid context (${Why})`>

/**
 * The reason a state gives, in words. A proof type leaves `why` as the wide `string`, which would
 * print as `(${string})`: say what is missing instead.
 */
export type WhyOf<S extends CtxState> = string extends S['why'] ? 'the context is typed with a proof that does not show it is allowed here' : S['why']

type AnySleepError<What extends string> =
  LockproofError<`${What}: a context whose state is 'any' switches every rule off; write the function with helper() and declare mightSleep (docs/helpers.md)`>

/** `unknown` (no constraint) when sleeping is fine here, else the error. */
export type CanSleep<S extends CtxState, What extends string> = [S['wait']] extends ['sleep']
  ? [S['exec']] extends ['task']
    ? 0 extends 1 & S
      ? AnySleepError<What>
      : unknown
    : SleepError<What, `not in task context`>
  : SleepError<What, WhyOf<S>>
