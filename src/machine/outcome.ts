/**
 * What a machine transition tells its executor: done, blocked on a lock, or an interrupt (or the
 * softirqs) to run here. The CPU's transitions never call user code; the executor runs the
 * handlers and then calls back into the machine for the rest of the sequence (src/exec/delivery.ts).
 */
import type { AnyKindName } from '../kinds/kind-of.js'

/** Done: nothing for the executor to run. One frozen constant, compared by identity. */
export interface OkOutcome {
  readonly tag: 'ok'
}
/** The one 'ok' outcome: the hot path allocates nothing. */
export const OK: OkOutcome = Object.freeze({ tag: 'ok' })

/**
 * Interrupt `line` is taken on CPU `cpu`: the machine has entered hardirq context
 * (interrupts off, `irq_enter()`); the executor runs the primary handler, then `irq_exit()`.
 */
export interface IrqOutcome {
  readonly tag: 'irq'
  readonly cpu: number
  readonly line: number
}

/** `handle_softirqs()` runs here on CPU `cpu` (irq_exit(), do_softirq(), local_bh_enable(), ksoftirqd). */
export interface SoftirqsOutcome {
  readonly tag: 'softirqs'
  readonly cpu: number
}

/** Who holds a lock: the task and the CPU it took it on. */
export interface Holder {
  readonly pid: number
  readonly comm: string
  readonly cpu: number
}

/**
 * The task on CPU `cpu` has to wait for `lock` (its label and kind), held by `holder`. Nothing can
 * wait on the synchronous executor: it reports a deadlock. An explorer would run another task.
 */
export interface BlockedOutcome {
  readonly tag: 'blocked'
  readonly cpu: number
  readonly lock: { readonly label: string; readonly kind: AnyKindName }
  readonly holder: Holder
}

export type Outcome = OkOutcome | IrqOutcome | SoftirqsOutcome | BlockedOutcome
