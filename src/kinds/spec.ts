/**
 * The shape of a lock kind and of a scope, as the registry (kinds/registry.ts) holds them. A kind
 * is data: its step sequences per variant per kernel, its lockdep map's fields, and its method
 * tables; the runtime, lockdep, the typed interfaces (kinds/derive.ts) and the factories read it.
 * A user-defined kind (`defineLockKind`, kinds/define.ts) is one more value of this shape.
 */
import type { WaitType } from '../rules/state.js'
import type { LockdepWaitType } from '../lockdep/wait-types.js'
import type { Step, StepProof } from './steps.js'

/** The lock and unlock steps of one acquisition, in the kernel's order. */
export interface Ops {
  readonly lock: readonly Step[]
  readonly unlock: readonly Step[]
}

/** One value per configuration: a normal kernel and PREEMPT_RT. */
export interface PerConfig<T> {
  readonly normal: T
  readonly rt: T
}

export type Category = 'sleeping' | 'cpu-local' | 'spinning'

/**
 * An acquisition variant: `spin_lock()`, `spin_lock_irq()`, `spin_lock_irqsave()`, `spin_lock_bh()`.
 *
 * @example
 * ```ts
 * import { LOCK_KINDS, type Variant } from 'lockproof'
 *
 * const all: Variant[] = ['plain', 'irq', 'irqsave', 'bh']
 * console.log(all.filter((v) => v in LOCK_KINDS.local_lock_t.variants)) // ['plain', 'irq', 'irqsave']
 * ```
 */
export type Variant = 'plain' | 'irq' | 'irqsave' | 'bh'

/** An acquisition's side: exclusive (`write`, and every lock that has no readers) or shared. */
export type Mode = 'read' | 'write'

/** The step sequences of each variant a kind has, per configuration. */
export type VariantTable = { readonly [V in Variant]?: PerConfig<Ops> }

/** A callback (`withLocked…`) or guard (`lock…`) method: the variant and side it takes. */
export type MethodEntry = readonly [variant: Variant, mode: Mode]

/** An annotated method: a trylock, a `_nested` or a `_nest_lock` acquisition, as a callback or a guard. */
export type AnnotatedEntry = readonly [variant: Variant, mode: Mode, form: 'try' | 'nested' | 'nest-lock', guard: boolean]

/** `enum lockdep_lock_type`: LD_LOCK_NORMAL, LD_LOCK_PERCPU (usage_skip() leaves PERCPU out of irq-inversion searches). */
export type LockType = 'normal' | 'percpu'

/**
 * How a read acquisition reaches lockdep: `rwlock_acquire_read()` (read == 2 where
 * `read_lock_is_recursive()`), or `lock_acquire_shared()` (read == 1, `rwsem_acquire_read()`).
 */
export type ReadRecursion = 'read_lock_is_recursive' | 'shared'

/**
 * What a lock's `struct lockdep_map` carries (include/linux/lockdep_types.h): lockdep copies
 * these into the class when it is made (lockdep/classes.ts).
 */
export interface LockdepSpec {
  /**
   * `wait_type_inner`: what the lock is while held (LD_WAIT_INV for a map made with
   * `lockdep_init_map()`, which lockdep does not wait-check: percpu_rw_semaphore).
   */
  readonly waitInner: LockdepWaitType
  /** `wait_type_outer` (0 in every built-in initialiser: `wait_type_outer ?: wait_type_inner`). */
  readonly waitOuter: LockdepWaitType | null
  readonly lockType: LockType
}

/**
 * The trylock rule of a kind: where its trylock may be attempted at compile time, and the
 * kernel's run-time refusal outside task context (`WARN_ON_ONCE(!in_task())`, then 0).
 */
export interface TrylockSpec {
  /**
   * `task`: task context only (mutex_trylock(), rt_mutex_trylock()); `irqs-on`: not with
   * interrupts off (rw_semaphore on PREEMPT_RT); `by-wait`: follows the wait type (a
   * 'config' kind is an rtmutex on RT, which a hard interrupt cannot own).
   */
  readonly context: 'task' | 'irqs-on' | 'by-wait'
  /** The kernel's name of the call, as errors and reports print it: `mutex_trylock`. */
  readonly call: string
  /** Per configuration, the WARN that refuses it outside task context (file, function, condition), or null. */
  readonly warn: PerConfig<string | null>
}

/**
 * A lock kind: everything the runtime, lockdep, the types and the factories know of it
 * (`defineLockKind()` checks one; docs/defining-kinds.md).
 *
 * @example
 * ```ts
 * import { KIND_SPECS, type LockKindSpec } from 'lockproof'
 *
 * const sleepsOnRt = (k: LockKindSpec) => k.category.rt === 'sleeping'
 * console.log(sleepsOnRt(KIND_SPECS.spinlock_t), KIND_SPECS.spinlock_t.lockdep?.waitInner) // true 'config'
 * ```
 */
export interface LockKindSpec {
  /** The kernel's type name (`spinlock_t`), the registry key and `lock.kind`. */
  readonly kind: string
  /** How reports name it: `spinlock_t 'stats'`. */
  readonly label: string
  readonly category: PerConfig<Category>
  /**
   * The type-level wait type (spin < config < sleep): where the kind may be taken and what may
   * be taken inside it at compile time (`LOCK_KINDS[k].wait`). 'config': spinning on a normal
   * kernel, sleeping on PREEMPT_RT (LD_WAIT_CONFIG).
   */
  readonly wait: WaitType
  /** The exclusive (write) side's sequences. */
  readonly variants: VariantTable
  /** The shared side's sequences where they differ (rwlock_t's read_lock*()); the write side's otherwise. */
  readonly readVariants: VariantTable | null
  /** How a read reaches lockdep, and whether reads may recurse at compile time. */
  readonly readRecursion: ReadRecursion
  /** The lock's `struct lockdep_map`; null: it has none, and lockdep never sees it (bit_spin_lock). */
  readonly lockdep: LockdepSpec | null
  /** The trylock rule (null: the kind has no trylock). */
  readonly trylock: TrylockSpec | null
  /**
   * The proofs a caller's context must carry to take it (the v6 `SpinLockIrq` design takes an
   * `IrqDisabled` token: `['irq']`); empty for every kernel lock.
   */
  readonly requires: readonly StepProof[]
  /** One `data` for all CPUs, or a per-CPU copy made by `init(cpu)` (local_lock_t). */
  readonly data: 'shared' | 'per-cpu'
  /** The `withLocked…` methods. */
  readonly methods: { readonly [method: string]: MethodEntry }
  /** The guard methods (`lock…`, `read`, …). */
  readonly guards: { readonly [method: string]: MethodEntry }
  /** Trylocks, `_nested`, `_nest_lock`. */
  readonly annotated: { readonly [method: string]: AnnotatedEntry }
}

/**
 * A scope: a section entered and left by one step each (`preempt_disable()` … `preempt_enable()`),
 * with the proofs its enter step gives (steps.ts). `wait` and `why` are the type-level
 * restriction it adds (rules/transitions.ts); null: it restricts nothing.
 */
export interface ScopeSpec {
  /** The kernel's name of the call, as errors and reports print it: `preempt_disable()`. */
  readonly op: string
  readonly enter: Step
  readonly exit: Step
  /** The strongest wait type still allowed inside (null: unchanged, `migrate_disable()`). */
  readonly wait: 'spin' | 'config' | null
  /** Why the wait type is restricted, as compile errors say it. */
  readonly why: string
}
