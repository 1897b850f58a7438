/** A lock runtime from a factory's arguments, checked for untyped callers: shared by createKernel() and the model kernel. */
import { InvalidArgumentError } from '../errors.js'
import type { LockKindSpec } from '../kinds/spec.js'
import { LockRuntime, type LockHost } from './lock.js'
import { perCpuData } from './per-cpu-data.js'

/** `data` is the one value of a 'shared' kind, or a per-CPU kind's `init(cpu)`. */
export const newLockRuntime = (host: LockHost, spec: LockKindSpec, name: unknown, data: unknown): LockRuntime<unknown> => {
  if (spec.data === 'per-cpu' && typeof data !== 'function') {
    throw new InvalidArgumentError(`${spec.kind}: the per-CPU data needs an init function (cpu) => data`)
  }
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${spec.kind}: the lock class name must be a non-empty string`)
  // A JavaScript caller's init was checked above to be a function.
  const dataOf = spec.data === 'per-cpu' ? perCpuData(data as (cpu: number) => unknown) : () => data
  return new LockRuntime(host, spec, name, dataOf)
}
