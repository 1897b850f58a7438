/**
 * The model executor's one question to a strategy: at this scheduling point, which of the
 * runnable choices goes next. The default strategy (./default-scheduler.ts) answers
 * deterministically; the explorer's strategies (src/exec/explore/: DPOR, random, PCT, replay)
 * answer from their search. Every execution re-runs the model's setup from scratch, so a list of
 * answers (one index a point) replays an execution exactly.
 */
import type { Access } from '../wait.js'

/**
 * One thing that may happen next. `choices` come in a stable order (CPU, then pid, then line).
 *
 * @example
 * ```ts
 * import type { Choice } from 'lockproof'
 *
 * const name = (c: Choice): string => (c.kind === 'task' ? `${c.comm} on CPU ${c.cpu}` : c.kind === 'irq' ? `irq ${c.line}` : `softirq ${c.nr}`)
 * console.log(name({ kind: 'irq', cpu: 0, line: 5 })) // 'irq 5'
 * ```
 */
export type Choice =
  /** The task's next step runs on its CPU (`access`: what that step touches, when known). */
  | {
      /** A task's (or a running hardirq handler's) next step. */
      readonly kind: 'task'
      /** The task's pid (a handler's: the task it interrupted). */
      readonly pid: number
      /** The task's name, or `irq <line> handler <name>` for a handler. */
      readonly comm: string
      /** Its CPU. */
      readonly cpu: number
      /** What the step touches, when known. */
      readonly access?: Access
    }
  /** A declared interrupt arrives on `cpu` (offered only where that CPU has interrupts on). */
  | {
      /** An interrupt arrives. */
      readonly kind: 'irq'
      /** On this CPU. */
      readonly cpu: number
      /** Its line. */
      readonly line: number
    }
  /** A declared softirq is raised on `cpu`. */
  | {
      /** A softirq is raised. */
      readonly kind: 'softirq'
      /** On this CPU. */
      readonly cpu: number
      /** Its number. */
      readonly nr: number
    }

/**
 * Where the choice is made: the execution's step count and the choice the last step took.
 *
 * @example
 * ```ts
 * import type { ChoicePoint } from 'lockproof'
 *
 * const first: ChoicePoint = { step: 0, previous: null }
 * console.log(first.step)
 * ```
 */
export interface ChoicePoint {
  /** How many choices this execution took before this one. */
  readonly step: number
  /** What the previous point chose, or null at the first point. */
  readonly previous: Choice | null
}

/**
 * A strategy: at each point, which of the offered choices runs next. `runModel()` takes one;
 * the explorer's strategies implement the same interface.
 *
 * @example
 * ```ts
 * import { defineModel, runModel, type Scheduler } from 'lockproof'
 *
 * // Always the last choice offered: interrupts (listed after the tasks of their CPU) as early as possible.
 * const last: Scheduler = { choose: (choices) => choices.length - 1 }
 * runModel(defineModel((k) => { k.task('t', { cpu: 0 }, function* () {}) }), { scheduler: last })
 * ```
 */
export interface Scheduler {
  /** Index into `choices` (never empty) of what runs next. */
  choose(choices: readonly Choice[], at: ChoicePoint): number
}
