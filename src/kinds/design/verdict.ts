/** What `checkLockDesign()` returns: a verdict per kernel, API form and handler, with the counterexamples. */
import type { Counterexample } from '../../exec/explore/result.js'
import type { FailureKind, KernelName } from '../../exec/explore/execution.js'
import type { Model } from '../../exec/model/run.js'
import type { Variant } from '../spec.js'
import type { DesignForm } from './scenario.js'

export type { DesignForm }

/**
 * A cell's verdict: `sound` (the bounded space explored to the end, nothing found), `unsound`
 * (a counterexample), `unknown` (a budget ended the search first, nothing found).
 *
 * @example
 * ```ts
 * import type { DesignVerdict } from 'lockproof'
 *
 * const ok = (v: DesignVerdict): boolean => v === 'sound'
 * console.log(ok('unknown')) // false: not explored to the end
 * ```
 */
export type DesignVerdict = 'sound' | 'unsound' | 'unknown'

/**
 * One failure a cell found: its kind and title, and the guard drop order it was found with.
 *
 * @example
 * ```ts
 * import type { DesignFailure } from 'lockproof'
 *
 * const line = (f: DesignFailure): string => `${f.kind}: ${f.title}${f.dropOrder ? ` (dropping ${f.dropOrder.join(', ')})` : ''}`
 * console.log(line({ kind: 'deadlock', title: 'BUG: spinlock recursion on CPU#0, driver/1', dropOrder: ['a', 'b'] }))
 * ```
 */
export interface DesignFailure {
  /** What failed (the explorer's failure kind). */
  readonly kind: FailureKind
  /** The report's title line, or the thrown error's `name: message`. */
  readonly title: string
  /** The guard form: the locks in the order they were dropped (`['a', 'b']`: the outer one first). Null for the callback form. */
  readonly dropOrder: readonly string[] | null
}

/**
 * A cell's counterexample: the explorer's, with the drop order and the model it fails in
 * (`explore(c.model, { replay: c.replay })` runs it again).
 *
 * @example
 * ```ts
 * import { explore, type DesignCounterexample } from 'lockproof'
 *
 * const again = (c: DesignCounterexample) => explore(c.model, { replay: c.replay }).counterexamples[0]?.title
 * console.log(typeof again)
 * ```
 */
export interface DesignCounterexample extends Counterexample {
  /** The guard form: the locks in the order they were dropped. Null for the callback form. */
  readonly dropOrder: readonly string[] | null
  /** The scenario's model. */
  readonly model: Model
}

/**
 * One cell of the verdict table: a kernel, an API form, with or without the handler.
 *
 * @example
 * ```ts
 * import { checkLockDesign, SPIN_LOCK_IRQ_COUNTED, type DesignCell } from 'lockproof'
 *
 * const cells: readonly DesignCell[] = checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['normal'], handler: false }).cells
 * console.log(cells.map((c) => `${c.form}: ${c.verdict}`)) // ['callback: sound', 'guard: sound']
 * ```
 */
export interface DesignCell {
  /** The column: the kernel it was explored on. */
  readonly kernel: KernelName
  /** The row: callback or guard. */
  readonly form: DesignForm
  /** An interrupt handler on the holder's CPU takes each lock in turn. */
  readonly handler: boolean
  /** The kind has a method of this form for the variant; if not, the cell says what one would do. */
  readonly offered: boolean
  /** Sound, unsound, or unknown (a budget ended a search with nothing found). */
  readonly verdict: DesignVerdict
  /** The most telling counterexample (a deadlock before a race, a race before a report, a report before a changed CPU state). */
  readonly counterexample: DesignCounterexample | null
  /** Every distinct failure found, in the order found. */
  readonly failures: readonly DesignFailure[]
  /** The drop orders explored (the callback form: the one reverse order). */
  readonly dropOrders: readonly (readonly string[])[]
  /** Executions run for this cell, over its drop orders. */
  readonly executions: number
  /** Every drop order's bounded space was explored to its end. */
  readonly exhausted: boolean
}

/**
 * What `checkLockDesign()` returns.
 *
 * @example
 * ```ts
 * import { checkLockDesign, SPIN_LOCK_IRQ_V6 } from 'lockproof'
 *
 * const v = checkLockDesign(SPIN_LOCK_IRQ_V6)
 * console.log(v.sound, v.cells.filter((c) => c.verdict === 'unsound').map((c) => c.kernel)) // false ['rt', 'rt', 'rt', 'rt']
 * ```
 */
export interface LockDesignVerdict {
  /** The kind's name (`lock.kind`). */
  readonly kind: string
  /** How reports print it. */
  readonly label: string
  /** The variant checked. */
  readonly variant: Variant
  /** Locks nested per task. */
  readonly locks: number
  /** The kernels judged, in order. */
  readonly kernels: readonly KernelName[]
  /** Whether the handler rows were explored. */
  readonly handler: boolean
  /** Whether a second CPU's task took the locks too. */
  readonly secondCpu: boolean
  /** Every cell is sound. */
  readonly sound: boolean
  /** Every cell was explored to its end. */
  readonly exhausted: boolean
  /** Per kernel, form and handler, in that order. */
  readonly cells: readonly DesignCell[]
  /** Executions over all cells. */
  readonly executions: number
  /** Wall-clock time of the check. */
  readonly elapsedMs: number
}
