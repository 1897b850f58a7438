/**
 * `checkLockDesign(kind, options)`: the explorer over every guard drop order × every interrupt
 * arrival × each kernel, for one kind, with and without a handler that takes it; a verdict per
 * kernel, API form and handler (docs/defining-kinds.md, "Checking a design").
 */
import { explore } from '../../exec/explore/explore.js'
import type { FailureKind, KernelName } from '../../exec/explore/execution.js'
import type { Counterexample } from '../../exec/explore/result.js'
import type { Model } from '../../exec/model/run.js'
import type { LockproofError } from '../../rules/error.js'
import { definedKind } from '../defined.js'
import type { LockKindSpec, Variant } from '../spec.js'
import { DesignCheckError } from './errors.js'
import { type CheckLockDesignOptions, type ResolvedDesignOptions, resolveDesignOptions } from './options.js'
import { type DesignForm, orderNames, type Scenario, type ScenarioSpec, scenarioModel } from './scenario.js'
import { designLocks } from './twin.js'
import type { DesignCell, DesignCounterexample, DesignFailure, LockDesignVerdict } from './verdict.js'

/**
 * What `checkLockDesign()` accepts at compile time: a lock kind (what `defineLockKind()` returns, or
 * a built-in's spec from `KIND_SPECS`); anything else is this error.
 *
 * @example
 * ```ts
 * import type { DesignKindCheck, KIND_SPECS } from 'lockproof'
 *
 * type Ok = DesignKindCheck<typeof KIND_SPECS.mutex> // unknown: accepted
 * type NotAKind = DesignKindCheck<'mutex'> // LockproofError<'checkLockDesign(): not a lock kind: …'>
 * const ok: Ok = 0
 * console.log(ok)
 * ```
 */
export type DesignKindCheck<K> = [K] extends [LockKindSpec]
  ? unknown
  : LockproofError<'checkLockDesign(): not a lock kind: pass what defineLockKind() returned (or a built-in spec, KIND_SPECS.spinlock_t)'>

/**
 * The variants kind K has (every variant, for a K that is no kind: its error is on the kind): what
 * `checkLockDesign()`'s `variant` option accepts.
 *
 * @example
 * ```ts
 * import type { DesignVariantOf, KIND_SPECS, SPIN_LOCK_IRQ_V6 } from 'lockproof'
 *
 * const v6: DesignVariantOf<typeof SPIN_LOCK_IRQ_V6> = 'plain' // its only variant
 * const spin: DesignVariantOf<typeof KIND_SPECS.spinlock_t> = 'irqsave'
 * console.log(v6, spin)
 * ```
 */
export type DesignVariantOf<K> = K extends LockKindSpec ? keyof K['variants'] & Variant : Variant

/** Which failure a cell shows first: what breaks the machine, then what breaks the data, then what a report says. */
const SEVERITY: readonly FailureKind[] = ['deadlock', 'data-race', 'diagnostic', 'assertion', 'step-limit']

/** The spec `defineLockKind()` returned, else a named error for an untyped caller. */
const specOf = (kind: unknown): LockKindSpec => {
  const name: unknown = typeof kind === 'object' && kind !== null ? Reflect.get(kind, 'kind') : undefined
  const spec = typeof name === 'string' ? definedKind(name) : undefined
  if (spec === undefined || spec !== kind) {
    const what = kind === null ? 'null' : typeof kind === 'object' ? 'an object defineLockKind() did not make' : `${typeof kind} ${String(kind)}`
    throw new DesignCheckError(`checkLockDesign(): the kind must be one made by defineLockKind() (or a built-in's spec from KIND_SPECS), not ${what}`)
  }
  return spec
}

/** The name of the kind's method of this form for the variant's write side, or null. */
const offeredName = (table: LockKindSpec['methods'], variant: Variant): string | null =>
  Object.entries(table).find(([, [v, mode]]) => v === variant && mode === 'write')?.[0] ?? null

/** Every order of 0..n-1 (n ≤ 4), the reverse (nested) order first. */
const permutations = (n: number): number[][] => {
  const out: number[][] = []
  const go = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) out.push(prefix)
    for (const [i, x] of rest.entries()) go([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)])
  }
  go(
    [],
    Array.from({ length: n }, (_, i) => n - 1 - i),
  )
  return out
}

interface Run {
  readonly scenario: Scenario
  readonly model: Model
}

interface CellKey {
  readonly form: DesignForm
  readonly handler: boolean
  readonly runs: readonly Run[]
}

const cellKeys = (s: ScenarioSpec, o: ResolvedDesignOptions): CellKey[] => {
  const reverse = Array.from({ length: o.locks }, (_, i) => o.locks - 1 - i)
  const keys: CellKey[] = []
  for (const form of ['callback', 'guard'] as const) {
    for (const handler of o.handler ? [false, true] : [false]) {
      const orders = form === 'callback' ? [reverse] : permutations(o.locks)
      const runs = orders.map((dropOrder) => {
        const scenario: Scenario = { form, handler, dropOrder }
        return { scenario, model: scenarioModel(s, scenario) }
      })
      keys.push({ form, handler, runs })
    }
  }
  return keys
}

const rank = (c: { readonly kind: FailureKind }): number => SEVERITY.indexOf(c.kind)

/**
 * Checks a lock kind's design: for each kernel and API form (callback; guard, dropped in every
 * order), with and without an interrupt handler on the holder's CPU that takes each lock, the
 * explorer runs every interleaving and interrupt arrival within the bounds. A cell is sound when
 * its space was explored to the end with no deadlock, no report (lockdep, might-sleep, guard
 * order, …), no data race on the locks' data, and the task's CPU left as it found it (interrupt
 * flag and preempt_count). The kind's steps are judged as written (the model kernel's
 * `irqDisable: 'save-restore'`). docs/defining-kinds.md explains each cell for the seed's designs.
 *
 * @example
 * ```ts
 * import { checkLockDesign, formatLockDesign, SPIN_LOCK_IRQ_SAVE } from 'lockproof'
 *
 * const verdict = checkLockDesign(SPIN_LOCK_IRQ_SAVE)
 * const guardWithIrq = verdict.cells.find((c) => c.kernel === 'normal' && c.form === 'guard' && c.handler)
 * console.log(guardWithIrq?.counterexample?.title) // 'watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0': Rust-for-Linux #998
 * console.log(formatLockDesign(verdict))
 * ```
 */
export const checkLockDesign = <const K>(kind: K & DesignKindCheck<K>, options?: CheckLockDesignOptions<DesignVariantOf<K>>): LockDesignVerdict => {
  const spec = specOf(kind)
  const o = resolveDesignOptions(spec, options)
  const callbackName = offeredName(spec.methods, o.variant)
  const guardName = offeredName(spec.guards, o.variant)
  const s: ScenarioSpec = {
    spec,
    variant: o.variant,
    locks: o.locks,
    secondCpu: o.secondCpu,
    callbackName,
    guardName,
    locksOf: designLocks(spec, o.variant, callbackName, guardName),
  }
  const keys = cellKeys(s, o)
  const started = performance.now()
  const deadline = started + o.maxTimeMs
  let left = keys.reduce((n, k) => n + k.runs.length, 0) * o.kernels.length
  const cells: DesignCell[] = []
  for (const kernel of o.kernels) {
    for (const key of keys) {
      cells.push(
        checkCell(kernel, key, key.form === 'callback' ? s.callbackName !== null : s.guardName !== null, o, () => {
          const share = Math.floor((deadline - performance.now()) / left--)
          return Math.max(1, share)
        }),
      )
    }
  }
  const executions = cells.reduce((n, c) => n + c.executions, 0)
  return {
    kind: spec.kind,
    label: spec.label,
    variant: o.variant,
    locks: o.locks,
    kernels: o.kernels,
    handler: o.handler,
    secondCpu: o.secondCpu,
    sound: cells.every((c) => c.verdict === 'sound'),
    exhausted: cells.every((c) => c.exhausted),
    cells,
    executions,
    elapsedMs: performance.now() - started,
  }
}

const checkCell = (kernel: KernelName, key: CellKey, offered: boolean, o: ResolvedDesignOptions, budget: () => number): DesignCell => {
  const failures: DesignFailure[] = []
  let best: DesignCounterexample | null = null
  let executions = 0
  let exhausted = true
  for (const run of key.runs) {
    const dropOrder = key.form === 'guard' ? orderNames(run.scenario.dropOrder) : null
    const r = explore(run.model, { kernels: [kernel], stopOnFailure: false, preemptionBound: null, maxExecutions: o.maxExecutions, maxTimeMs: budget() })
    for (const k of r.kernels) {
      executions += k.executions
      exhausted &&= k.exhausted
      for (const c of k.counterexamples) {
        if (!failures.some((f) => f.kind === c.kind && f.title === c.title)) failures.push({ kind: c.kind, title: c.title, dropOrder })
        if (best === null || rank(c) < rank(best)) best = withScenario(c, dropOrder, run.model)
      }
    }
  }
  const verdict = best !== null ? 'unsound' : exhausted ? 'sound' : 'unknown'
  const dropOrders = key.runs.map((r) => orderNames(r.scenario.dropOrder))
  return { kernel, form: key.form, handler: key.handler, offered, verdict, counterexample: best, failures, dropOrders, executions, exhausted }
}

const withScenario = (c: Counterexample, dropOrder: readonly string[] | null, model: Model): DesignCounterexample => ({ ...c, dropOrder, model })
