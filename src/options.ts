import { InvalidArgumentError } from './errors.js'

/**
 * What `createKernel()` takes, and the defaults it fills in.
 *
 * @example
 * ```ts
 * import { createKernel, type KernelOptions } from 'lockproof'
 *
 * const rt = { preemptRt: true, cpus: 2, onDiagnostic: 'throw' } as const satisfies KernelOptions
 * const kernel = createKernel(rt)
 * console.log(kernel.options.irqDisable) // 'counted'
 * ```
 */
export interface KernelOptions<Order extends readonly string[] = readonly string[]> {
  /** CONFIG_PREEMPT_RT. Default false. */
  readonly preemptRt?: boolean
  /** Number of simulated CPUs. Default 1. */
  readonly cpus?: number
  /**
   * The lockdep-style validator. Default true. `{ keepGoing: true }` keeps it validating after
   * its first report (the kernel's lockdep turns itself off then).
   */
  readonly lockdep?:
    | boolean
    | {
        readonly keepGoing?: boolean
        /**
         * lockdep's `force_read_lock_recursive` (lib/locking-selftest.c sets it for most of its
         * cases): every rwlock_t reader is a recursive read, in task context too. Default false.
         */
        readonly forceReadLockRecursive?: boolean
      }
  /** CONFIG_PROVE_RAW_LOCK_NESTING (spinlock_t inside raw_spinlock_t reported on a normal kernel). Default true. */
  readonly proveRawLockNesting?: boolean
  /** How IRQ-disabling guards disable interrupts. Default 'counted'. */
  readonly irqDisable?: 'counted' | 'save-restore'
  /** Throw a KernelSplat at the first diagnostic, or record and go on. Default 'record'. */
  readonly onDiagnostic?: 'throw' | 'record'
  /**
   * A guard released out of order whose unlock would make a live context's proof false (its
   * interrupts, preemption or bottom halves come back on): `'refuse'` (default) throws
   * `GuardOrderError` and changes nothing; `'report'` lets it go ahead and reports
   * `proof-falsified` — for core code that re-enables interrupts under a raw lock, and for
   * lockdep's own self-test sequences (`local_irq_disable(); lock(A); local_irq_enable(); unlock(A)`).
   */
  readonly guardDrop?: 'refuse' | 'report'
  /** Force-thread interrupt handlers on a normal kernel too (the `threadirqs` boot option). Default false. */
  readonly threadIrqs?: boolean
  /** Record every state change in `kernel.trace`. Default false. */
  readonly trace?: boolean
  /** A declared order of lock classes, outermost first; breaking it fails to compile. */
  readonly lockOrder?: Order
  /**
   * The `preempt_count` layout. Default `'mainline'`: include/linux/preempt.h as merged (hardirq
   * bits 16–19, a 4-bit NMI count at 20–23), with the depth of counted interrupt disabling kept
   * outside preempt_count. `'interrupt-count'`: the counted-interrupt-disabling series (v2,
   * 2026-05): `local_interrupt_disable()` nests in preempt_count bits 16–23, hardirq moves to
   * 24–27, NMI is the single bit 28 with its nesting in a per-CPU `nmi_nesting`. There
   * `in_atomic()` is true and `preemptible()` false while the count is held, and irq exit runs
   * no softirqs while it is non-zero.
   *
   * @example
   * ```ts
   * import { createKernel } from 'lockproof'
   *
   * const kernel = createKernel({ preemptCountLayout: 'interrupt-count' })
   * kernel.run((ctx) => {
   *   const g = ctx.localInterruptDisable()
   *   console.log(kernel.cpu(0).preemptCount.toString(16), kernel.cpu(0).inAtomic()) // '10000' true
   *   g.unlock()
   * })
   * ```
   */
  readonly preemptCountLayout?: 'mainline' | 'interrupt-count'
  /**
   * CONFIG_DEBUG_IRQFLAGS (include/linux/irqflags.h `raw_check_bogus_irq_restore()`; selected by
   * DEBUG_LOCKDEP, not by PROVE_LOCKING): `local_irq_restore()` with interrupts already enabled
   * warns "raw_local_irq_restore() called with IRQs enabled" — what an `_irq` unlock inside an
   * irqsave section, or save/restore guards dropped out of order, leave for the outer restore.
   * Default false.
   */
  readonly debugIrqflags?: boolean
}

/**
 * Every option of {@link KernelOptions} with its default filled in: `kernel.options`.
 *
 * @example
 * ```ts
 * import { createKernel, type ResolvedOptions } from 'lockproof'
 *
 * const options: ResolvedOptions = createKernel({ lockdep: { keepGoing: true } }).options
 * console.log(options.lockdep, options.lockdepKeepGoing, options.cpus) // true true 1
 * ```
 */
export interface ResolvedOptions {
  /** CONFIG_PREEMPT_RT. */
  readonly preemptRt: boolean
  /** Number of simulated CPUs. */
  readonly cpus: number
  /** The lockdep-style validator is on. */
  readonly lockdep: boolean
  /** lockdep goes on validating after its first report. */
  readonly lockdepKeepGoing: boolean
  /** `force_read_lock_recursive`: rwlock_t readers are recursive everywhere. */
  readonly forceReadLockRecursive: boolean
  /** CONFIG_PROVE_RAW_LOCK_NESTING. */
  readonly proveRawLockNesting: boolean
  /** How IRQ-disabling guards disable interrupts. */
  readonly irqDisable: 'counted' | 'save-restore'
  /** Throw a KernelSplat at the first diagnostic, or record and go on. */
  readonly onDiagnostic: 'throw' | 'record'
  /** An out-of-order guard drop that would falsify a live proof: refused, or done and reported. */
  readonly guardDrop: 'refuse' | 'report'
  /** Interrupt handlers are force-threaded on a normal kernel too. */
  readonly threadIrqs: boolean
  /** Every state change is recorded in `kernel.trace`. */
  readonly trace: boolean
  /** The declared order of lock classes, outermost first (empty when none). */
  readonly lockOrder: readonly string[]
  /** The `preempt_count` layout: `'mainline'` or the counted-interrupt series' `'interrupt-count'`. */
  readonly preemptCountLayout: 'mainline' | 'interrupt-count'
  /** CONFIG_DEBUG_IRQFLAGS. */
  readonly debugIrqflags: boolean
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

/** Every option createKernel() knows: an unknown key (a typo such as `preemptRT`) is refused, not ignored. */
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  'preemptRt',
  'cpus',
  'lockdep',
  'proveRawLockNesting',
  'irqDisable',
  'onDiagnostic',
  'guardDrop',
  'threadIrqs',
  'trace',
  'lockOrder',
  'preemptCountLayout',
  'debugIrqflags',
] satisfies (keyof KernelOptions)[])

/** The keys of the `lockdep` option object. */
const LOCKDEP_OPTIONS: ReadonlySet<string> = new Set(['keepGoing', 'forceReadLockRecursive'] satisfies (keyof Exclude<
  NonNullable<KernelOptions['lockdep']>,
  boolean
>)[])

/** Checks options from callers that ignore the types, and fills in the defaults. */
export const resolveOptions = (options: KernelOptions = {}): ResolvedOptions => {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('createKernel: options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new InvalidArgumentError(`createKernel: unknown option '${key}' (the options are ${[...KNOWN_OPTIONS].join(', ')})`)
    }
  }
  if (typeof options.lockdep === 'object' && options.lockdep !== null) {
    for (const key of Object.keys(options.lockdep)) {
      if (!LOCKDEP_OPTIONS.has(key)) {
        throw new InvalidArgumentError(`createKernel: unknown option 'lockdep.${key}' (lockdep takes ${[...LOCKDEP_OPTIONS].join(', ')})`)
      }
    }
  }
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
    forceReadLockRecursive:
      typeof lockdep === 'object' && lockdep !== null ? flag('lockdep.forceReadLockRecursive', lockdep.forceReadLockRecursive, false) : false,
    proveRawLockNesting: flag('proveRawLockNesting', options.proveRawLockNesting, true),
    irqDisable: oneOf('irqDisable', options.irqDisable, ['counted', 'save-restore'], 'counted'),
    onDiagnostic: oneOf('onDiagnostic', options.onDiagnostic, ['throw', 'record'], 'record'),
    guardDrop: oneOf('guardDrop', options.guardDrop, ['refuse', 'report'], 'refuse'),
    threadIrqs: flag('threadIrqs', options.threadIrqs, false),
    trace: flag('trace', options.trace, false),
    lockOrder,
    preemptCountLayout: oneOf('preemptCountLayout', options.preemptCountLayout, ['mainline', 'interrupt-count'], 'mainline'),
    debugIrqflags: flag('debugIrqflags', options.debugIrqflags, false),
  }
}

/** A CPU number from a caller that may ignore the types; `arg` names the argument in the error. */
export const cpuIndexArg = (what: string, i: unknown, cpus: number, arg = 'the CPU number'): number => {
  if (typeof i !== 'number' || !Number.isInteger(i)) {
    const got = typeof i === 'string' ? `'${i}' (a string)` : typeof i === 'number' ? String(i) : `a value of type ${i === null ? 'null' : typeof i}`
    throw new InvalidArgumentError(`${what}: ${arg} must be a whole number, got ${got}`)
  }
  if (i < 0 || i >= cpus) throw new InvalidArgumentError(`${what}: no CPU ${i} (this kernel has ${cpus})`)
  return i
}

/** The `{ cpu }` options of run() and the raise methods, checked for callers that ignore the types. */
export const cpuOptionArg = (what: string, options: unknown, cpus: number): number => {
  if (options === undefined) return 0
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`${what}: the options must be an object such as { cpu: 1 }`)
  const cpu = (options as { readonly cpu?: unknown }).cpu
  return cpu === undefined ? 0 : cpuIndexArg(what, cpu, cpus, 'options.cpu')
}
