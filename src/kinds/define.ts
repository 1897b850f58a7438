/**
 * `defineLockKind(spec)`: a lock kind from data. The spec is checked (at compile time where a
 * type can tell, kinds/define-check.ts; here always, for untyped callers), frozen, and entered
 * into the open registry (defined.ts). `kernel.lock(kind, name, data)` makes locks of it; the seven
 * built-in kinds (builtins.ts) and the shipped ones (shipped/) are defined through this function.
 */
import { LockKindError, OneConfigurationError, UnbalancedStepsError, UnknownStepError, WaitTypeMismatchError } from './define-errors.js'
import type { LockKindInput, SpecCheck } from './define-check.js'
import { definedKind, enterKind } from './defined.js'
import type { LockKindSpec, Ops, PerConfig, VariantTable } from './spec.js'
import { STEPS, type Step } from './steps.js'

const VARIANTS = ['plain', 'irq', 'irqsave', 'bh'] as const
const CATEGORIES = ['sleeping', 'cpu-local', 'spinning'] as const
const WAITS = ['spin', 'config', 'sleep'] as const
const LOCKDEP_WAITS = ['inv', 'spin', 'config', 'sleep'] as const
const PROOFS = ['irq', 'preempt', 'bh'] as const
const CONFIGS = ['normal', 'rt'] as const
/** Member names a lock object has besides its methods. */
const RESERVED = new Set(['kind', 'name'])

type Fields = Readonly<Record<string, unknown>>

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v)
const oneOf = <T extends string>(v: unknown, values: readonly T[]): v is T => typeof v === 'string' && (values as readonly string[]).includes(v)
const list = (values: readonly string[]): string => values.join(', ')

/** The wait type a kind has on one configuration: LD_WAIT_CONFIG spins on a normal kernel and sleeps on RT. */
const waitOn = (wait: 'spin' | 'config' | 'sleep', rt: boolean): 'spin' | 'sleep' => (wait === 'config' ? (rt ? 'sleep' : 'spin') : wait)

/** Checks one sequence pair: known steps, one acquire and one release, every lock step undone exactly once. */
const checkOps = (what: string, ops: unknown, where: string): Ops => {
  if (!isObject(ops) || !Array.isArray(ops.lock) || !Array.isArray(ops.unlock)) {
    throw new LockKindError(`${what}: ${where} must be { lock: Step[], unlock: Step[] }`)
  }
  for (const side of ['lock', 'unlock'] as const) {
    for (const st of ops[side] as unknown[]) {
      if (typeof st !== 'string' || !Object.hasOwn(STEPS, st)) {
        throw new UnknownStepError(`${what}: ${where}.${side}: unknown step '${String(st)}' (the steps: ${list(Object.keys(STEPS))})`)
      }
    }
  }
  const lock = ops.lock as readonly Step[]
  const unlock = ops.unlock as readonly Step[]
  const count = (steps: readonly Step[], st: Step) => steps.filter((s) => s === st).length
  if (count(lock, 'acquire') !== 1)
    throw new UnbalancedStepsError(`${what}: ${where}.lock must have one 'acquire' step (the lockdep annotation and the lock word)`)
  // Every lock step's undo as often as the step; every unlock step the undo of a lock step.
  const undone = new Map<Step, number>()
  for (const st of lock) {
    const undo = STEPS[st].undo
    if (undo !== null) undone.set(undo, (undone.get(undo) ?? 0) + 1)
    else if (!STEPS[st].waitCheck) {
      throw new UnbalancedStepsError(`${what}: ${where}.lock performs '${st}', an unlock step, which nothing in the lock sequence calls for`)
    }
  }
  for (const [undo, n] of undone) {
    if (count(unlock, undo) !== n) {
      const by = lock.find((st) => STEPS[st].undo === undo) as Step
      throw new UnbalancedStepsError(
        `${what}: ${where}.unlock does not undo the lock steps: '${by}' ×${n} needs '${undo}' ×${n} in the unlock sequence, found ×${count(unlock, undo)}`,
      )
    }
  }
  for (const st of unlock) {
    if (!undone.has(st)) throw new UnbalancedStepsError(`${what}: ${where}.unlock performs '${st}', which undoes no step of the lock sequence`)
  }
  return { lock, unlock }
}

const checkVariants = (what: string, table: unknown, field: string): VariantTable => {
  if (!isObject(table)) throw new LockKindError(`${what}: ${field} must be an object of variants`)
  const keys = Object.keys(table)
  if (field === 'variants' && keys.length === 0) throw new LockKindError(`${what}: a kind needs at least one variant`)
  for (const v of keys) {
    if (!oneOf(v, VARIANTS)) throw new LockKindError(`${what}: ${field}.${v}: not a variant (${list(VARIANTS)})`)
    const perConfig = table[v]
    if (!isObject(perConfig)) throw new LockKindError(`${what}: ${field}.${v} must be { normal, rt }`)
    for (const c of CONFIGS) {
      if (perConfig[c] === undefined) {
        const other = c === 'normal' ? 'PREEMPT_RT' : 'a normal kernel'
        throw new OneConfigurationError(
          `${what}: ${field}.${v} has sequences for ${other} only; a variant must say what it does on both configurations (normal and rt)`,
        )
      }
      checkOps(what, perConfig[c], `${field}.${v}.${c}`)
    }
  }
  return table as VariantTable
}

const checkPerConfig = <T extends string>(what: string, v: unknown, field: string, values: readonly T[]): PerConfig<T> => {
  if (!isObject(v)) throw new LockKindError(`${what}: ${field} must be { normal, rt }`)
  for (const c of CONFIGS) {
    if (v[c] === undefined) throw new OneConfigurationError(`${what}: ${field} gives no value for ${c === 'rt' ? 'PREEMPT_RT' : 'a normal kernel'}`)
    if (!oneOf(v[c], values)) throw new LockKindError(`${what}: ${field}.${c} must be one of ${list(values)}`)
  }
  return v as unknown as PerConfig<T>
}

/** A sleeping kind must have a sleeping wait type on that configuration, and a spinning one a spinning wait type. */
const checkWaits = (what: string, category: PerConfig<string>, wait: 'spin' | 'config' | 'sleep', field: string): void => {
  for (const c of CONFIGS) {
    const w = waitOn(wait, c === 'rt')
    const sleeping = category[c] === 'sleeping'
    const config = c === 'rt' ? 'PREEMPT_RT' : 'a normal kernel'
    if (sleeping && w !== 'sleep') {
      throw new WaitTypeMismatchError(
        `${what}: a sleeping kind on ${config} with a spinning wait type (${field} '${wait}'): it could be taken under a spinlock; use 'sleep' (or 'config' if it spins on a normal kernel)`,
      )
    }
    if (!sleeping && w !== 'spin') {
      throw new WaitTypeMismatchError(
        `${what}: a ${category[c]} kind on ${config} with a sleeping wait type (${field} '${wait}'): a mutex could be taken inside it; use 'spin' (or 'config' if it sleeps on PREEMPT_RT)`,
      )
    }
  }
}

const checkEntries = (what: string, spec: Fields, table: 'methods' | 'guards' | 'annotated', seen: Set<string>): void => {
  const entries = spec[table]
  if (!isObject(entries)) throw new LockKindError(`${what}: ${table} must be an object of method entries`)
  const variants = spec.variants as Fields
  for (const [method, entry] of Object.entries(entries)) {
    if (RESERVED.has(method) || seen.has(method))
      throw new LockKindError(`${what}: the method name '${method}' is ${RESERVED.has(method) ? 'reserved' : 'in two tables'}`)
    seen.add(method)
    const annotated = table === 'annotated'
    if (!Array.isArray(entry) || entry.length !== (annotated ? 4 : 2)) {
      throw new LockKindError(`${what}: ${table}.${method} must be [variant, mode${annotated ? ', form, guard' : ''}]`)
    }
    const [variant, mode, form, guard] = entry as unknown[]
    if (typeof variant !== 'string' || !Object.hasOwn(variants, variant)) {
      throw new LockKindError(
        `${what}: ${table}.${method} takes variant '${String(variant)}', which the kind has no sequences for (${list(Object.keys(variants))})`,
      )
    }
    if (!oneOf(mode, ['read', 'write'] as const)) throw new LockKindError(`${what}: ${table}.${method}: the mode must be 'read' or 'write'`)
    if (annotated) {
      if (!oneOf(form, ['try', 'nested', 'nest-lock'] as const) || typeof guard !== 'boolean') {
        throw new LockKindError(`${what}: ${table}.${method} must be [variant, mode, 'try' | 'nested' | 'nest-lock', guard: boolean]`)
      }
      if (form === 'try' && spec.trylock === null) throw new LockKindError(`${what}: ${table}.${method} is a trylock, but the kind's trylock rule is null`)
    }
  }
}

const checkLockdep = (what: string, lockdep: unknown, category: PerConfig<string>): void => {
  if (lockdep === null) return
  if (!isObject(lockdep)) throw new LockKindError(`${what}: lockdep must be null (no lockdep map) or { waitInner, waitOuter, lockType }`)
  if (!oneOf(lockdep.waitInner, LOCKDEP_WAITS)) throw new LockKindError(`${what}: lockdep.waitInner must be one of ${list(LOCKDEP_WAITS)}`)
  if (lockdep.waitOuter !== null && !oneOf(lockdep.waitOuter, LOCKDEP_WAITS))
    throw new LockKindError(`${what}: lockdep.waitOuter must be null or one of ${list(LOCKDEP_WAITS)}`)
  if (!oneOf(lockdep.lockType, ['normal', 'percpu'] as const)) throw new LockKindError(`${what}: lockdep.lockType must be 'normal' or 'percpu'`)
  // LD_WAIT_INV: lockdep does not wait-check the map (lockdep_init_map()), so it contradicts nothing.
  if (lockdep.waitInner !== 'inv') checkWaits(what, category, lockdep.waitInner, 'lockdep.waitInner')
}

const checkTrylock = (what: string, trylock: unknown): void => {
  if (trylock === null) return
  if (!isObject(trylock) || !oneOf(trylock.context, ['task', 'irqs-on', 'by-wait'] as const) || typeof trylock.call !== 'string') {
    throw new LockKindError(`${what}: trylock must be null or { context: 'task' | 'irqs-on' | 'by-wait', call, warn: { normal, rt } }`)
  }
  const warn = trylock.warn
  if (!isObject(warn) || !CONFIGS.every((c) => warn[c] === null || typeof warn[c] === 'string')) {
    throw new LockKindError(`${what}: trylock.warn must be { normal, rt }, each the WARN's text or null`)
  }
}

/** Every check of a spec from untyped code; returns it as a spec, unchanged. */
export const checkSpec = (spec: unknown): LockKindSpec => {
  if (!isObject(spec)) throw new LockKindError('defineLockKind(): the spec must be an object')
  if (typeof spec.kind !== 'string' || spec.kind === '') throw new LockKindError('defineLockKind(): the kind needs a name (kind: a non-empty string)')
  const what = `defineLockKind(${spec.kind})`
  if (typeof spec.label !== 'string' || spec.label === '') throw new LockKindError(`${what}: label must be a non-empty string (how reports name it)`)
  const category = checkPerConfig(what, spec.category, 'category', CATEGORIES)
  if (!oneOf(spec.wait, WAITS)) throw new LockKindError(`${what}: wait must be one of ${list(WAITS)}`)
  checkVariants(what, spec.variants, 'variants')
  if (spec.readVariants !== null) {
    checkVariants(what, spec.readVariants, 'readVariants')
    for (const v of Object.keys(spec.readVariants as Fields)) {
      if (!Object.hasOwn(spec.variants as Fields, v)) throw new LockKindError(`${what}: readVariants.${v} has no write side in variants`)
    }
  }
  if (!oneOf(spec.readRecursion, ['read_lock_is_recursive', 'shared'] as const)) {
    throw new LockKindError(`${what}: readRecursion must be 'read_lock_is_recursive' or 'shared'`)
  }
  checkWaits(what, category, spec.wait, 'wait')
  checkLockdep(what, spec.lockdep, category)
  checkTrylock(what, spec.trylock)
  if (!Array.isArray(spec.requires) || !spec.requires.every((p) => oneOf(p, PROOFS))) {
    throw new LockKindError(`${what}: requires must be a list of proofs (${list(PROOFS)})`)
  }
  if (!oneOf(spec.data, ['shared', 'per-cpu'] as const)) throw new LockKindError(`${what}: data must be 'shared' or 'per-cpu'`)
  const seen = new Set<string>()
  for (const table of ['methods', 'guards', 'annotated'] as const) checkEntries(what, spec, table, seen)
  if (seen.size === 0) throw new LockKindError(`${what}: a kind needs at least one method`)
  return spec as unknown as LockKindSpec
}

/** A frozen copy, all the way down: a kind is data no one changes after it is defined. */
const frozen = <T>(v: T): T => {
  if (typeof v !== 'object' || v === null) return v
  const copy = Array.isArray(v) ? v.map(frozen) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, frozen(x)]))
  return Object.freeze(copy) as T
}

/**
 * Defines a lock kind from its spec: checked, frozen and entered into the registry under
 * `spec.kind`. Returns the kind, for `kernel.lock(kind, name, data)`. Defining the same spec
 * again returns the kind already defined; another spec under a name in use is refused.
 *
 * @example
 * ```ts
 * import { createKernel, defineLockKind } from 'lockproof'
 *
 * // bit_spin_lock(): preempt_disable() and a spinning bit, no lockdep map.
 * const bitLock = defineLockKind({
 *   kind: 'my_bit_lock', label: 'my_bit_lock',
 *   category: { normal: 'spinning', rt: 'spinning' }, wait: 'spin',
 *   variants: {
 *     plain: {
 *       normal: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] },
 *       rt: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] },
 *     },
 *   },
 *   readVariants: null, readRecursion: 'shared', lockdep: null, trylock: null, requires: [],
 *   data: 'shared', methods: { withLocked: ['plain', 'write'] }, guards: {}, annotated: {},
 * })
 * const kernel = createKernel()
 * const b = kernel.lock(bitLock, 'b', { n: 0 })
 * kernel.run((ctx) => b.withLocked(ctx, (_ctx, d) => d.n++))
 * ```
 */
export const defineLockKind = <const S extends LockKindInput>(spec: S & SpecCheck<S>): S => {
  const checked = checkSpec(spec)
  const existing = definedKind(checked.kind)
  if (existing !== undefined) {
    if (JSON.stringify(existing) === JSON.stringify(checked)) return existing as unknown as S
    throw new LockKindError(`defineLockKind(${checked.kind}): a different kind is already defined under this name; give it another name`)
  }
  const kind = frozen(checked)
  enterKind(kind)
  return kind as unknown as S
}
