/** The explorer's named errors (each also an `instanceof LockproofRuntimeError`). */
import { LockproofRuntimeError } from '../../errors.js'

/** Re-executions of one model made different choices at a replayed point: the model depends on something outside it. */
export class NondeterministicModelError extends LockproofRuntimeError {
  /** Always `'NondeterministicModelError'`. */
  override name = 'NondeterministicModelError'
}

/** The model's setup declared different locks, tasks or handlers in two executions. */
export class DeclarationsChangedError extends LockproofRuntimeError {
  /** Always `'DeclarationsChangedError'`. */
  override name = 'DeclarationsChangedError'
}

/** A task or handler took more steps in one execution than `stepLimit` allows (a livelock, or a limit too small). */
export class StepLimitError extends LockproofRuntimeError {
  /** Always `'StepLimitError'`. */
  override name = 'StepLimitError'
}

/** A replay string that cannot be read, or that does not fit this model. */
export class ReplayError extends LockproofRuntimeError {
  /** Always `'ReplayError'`. */
  override name = 'ReplayError'
}

/** `assertNoCounterexample()` found one: the message prints the report, the table and the replay string. */
export class CounterexampleError extends LockproofRuntimeError {
  /** Always `'CounterexampleError'`. */
  override name = 'CounterexampleError'
}
