/** The compile-time twin of `__might_resched()`: what may sleep needs a 'sleep' wait type in a task. */
import type { CtxState } from './state.js'
import type { LockproofError } from './type-error.js'

export type SleepError<
  What extends string,
  Why extends string,
> = LockproofError<`${What} may sleep: BUG: sleeping function called from invalid context (${Why})`>

/** `unknown` (no constraint) when sleeping is fine here, else the error. */
export type CanSleep<S extends CtxState, What extends string> = [S['wait']] extends ['sleep']
  ? [S['exec']] extends ['task']
    ? unknown
    : SleepError<What, `not in task context`>
  : SleepError<What, S['why']>
