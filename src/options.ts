import { InvalidArgumentError } from './errors.js'

/** What `createKernel()` takes, and the defaults it fills in. */
export interface KernelOptions<Order extends readonly string[] = readonly string[]> {
  /** CONFIG_PREEMPT_RT. Default false. */
  readonly preemptRt?: boolean
  /** Number of simulated CPUs. Default 1. */
  readonly cpus?: number
  /** The lockdep-style validator. Default true. */
  readonly lockdep?: boolean | { readonly keepGoing?: boolean }
  /** CONFIG_PROVE_RAW_LOCK_NESTING (spinlock_t inside raw_spinlock_t reported on a normal kernel). Default true. */
  readonly proveRawLockNesting?: boolean
  /** How IRQ-disabling guards disable interrupts. Default 'counted'. */
  readonly irqDisable?: 'counted' | 'save-restore'
  /** Throw a KernelSplat at the first diagnostic, or record and go on. Default 'record'. */
  readonly onDiagnostic?: 'throw' | 'record'
  /** Force-thread interrupt handlers on a normal kernel too (the `threadirqs` boot option). Default false. */
  readonly threadIrqs?: boolean
  /** Record every state change in `kernel.trace`. Default false. */
  readonly trace?: boolean
  /** A declared order of lock classes, outermost first; breaking it fails to compile. */
  readonly lockOrder?: Order
}

export interface ResolvedOptions {
  readonly preemptRt: boolean
  readonly cpus: number
  readonly lockdep: boolean
  readonly lockdepKeepGoing: boolean
  readonly proveRawLockNesting: boolean
  readonly irqDisable: 'counted' | 'save-restore'
  readonly onDiagnostic: 'throw' | 'record'
  readonly threadIrqs: boolean
  readonly trace: boolean
  readonly lockOrder: readonly string[]
}

const oneOf = <T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw new InvalidArgumentError(`createKernel: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
}

const flag = (name: string, value: unknown, fallback: boolean): boolean => {
  if (value === undefined) return fallback
  if (typeof value === 'boolean') return value
  throw new InvalidArgumentError(`createKernel: ${name} must be a boolean`)
}

/** Checks options from callers that ignore the types, and fills in the defaults. */
export const resolveOptions = (options: KernelOptions = {}): ResolvedOptions => {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('createKernel: options must be an object')
  const cpus = options.cpus ?? 1
  if (!Number.isInteger(cpus) || cpus < 1 || cpus > 64) {
    throw new InvalidArgumentError('createKernel: cpus must be a whole number from 1 to 64')
  }
  const lockdep = options.lockdep ?? true
  const lockOrder = options.lockOrder ?? []
  if (!Array.isArray(lockOrder) || !lockOrder.every((c) => typeof c === 'string') || new Set(lockOrder).size !== lockOrder.length) {
    throw new InvalidArgumentError('createKernel: lockOrder must be an array of distinct lock class names')
  }
  return {
    preemptRt: flag('preemptRt', options.preemptRt, false),
    cpus,
    lockdep: typeof lockdep === 'object' && lockdep !== null ? true : flag('lockdep', lockdep, true),
    lockdepKeepGoing: typeof lockdep === 'object' && lockdep !== null ? flag('lockdep.keepGoing', lockdep.keepGoing, false) : false,
    proveRawLockNesting: flag('proveRawLockNesting', options.proveRawLockNesting, true),
    irqDisable: oneOf('irqDisable', options.irqDisable, ['counted', 'save-restore'], 'counted'),
    onDiagnostic: oneOf('onDiagnostic', options.onDiagnostic, ['throw', 'record'], 'record'),
    threadIrqs: flag('threadIrqs', options.threadIrqs, false),
    trace: flag('trace', options.trace, false),
    lockOrder,
  }
}
