/**
 * The waiting seam: what an operation that may wait tells whoever runs it. Every primitive that
 * can wait (a contended lock, down(), wait_for_completion(), wait_event(), a seqlock reader on
 * PREEMPT_RT, ww_mutex_lock(), flush_work(), synchronize_irq(), …) is written ONCE as a
 * generator returning an `Op<R>`; it yields at its scheduling points and where it must wait, and
 * re-checks its own condition after each resume (the kernel's wait loops do the same:
 * `for (;;) { set_current_state(); if (cond) break; schedule(); }`).
 *
 * - The synchronous flavour (`kernel.run`) drives the op with `runSync()`: a `point` is a
 *   scheduling point of the synchronous executor; a `wait` can never be satisfied (nothing else
 *   runs on one call stack), so the executor reports it (the hung-task or lockup report) and
 *   throws, or — for a wait with a timeout — advances the clock and resumes with 'timeout'.
 * - The model flavour (tasks as generators, src/exec/model/) hands each yield to its scheduler:
 *   a `point` is a place where it may switch; a `wait` parks the task until `wake()` names its
 *   channel, the timeout passes, or a signal arrives (if the wait state lets one in).
 */

/**
 * `TASK_*` states of a waiting task (include/linux/sched.h); RTLOCK_WAIT: a sleeping
 * spinlock_t/rwlock_t on RT; TASK_RUNNING: a spinning waiter (it never leaves its CPU).
 *
 * @example
 * ```ts
 * import type { WaitState } from 'lockproof'
 *
 * const watched = (s: WaitState): boolean => s === 'TASK_UNINTERRUPTIBLE' // what the hung-task detector checks
 * console.log(watched('TASK_KILLABLE')) // false
 * ```
 */
export type WaitState = 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE' | 'TASK_RTLOCK_WAIT' | 'TASK_RUNNING'

/**
 * What a task waits on: one object per lock, semaphore, completion, wait queue head, …; the
 * executor keys its waiters by the object's identity. `id` is stable across executions of one
 * program (creation order), for traces and replay strings.
 */
export interface WaitChannel {
  readonly id: number
  /** The kernel type, as reports print it: 'mutex', 'semaphore', 'completion', 'wait_queue_head', … */
  readonly kind: string
  readonly name: string
}

/** An object a step reads or writes, for partial-order reduction and race detection. */
export interface Access {
  readonly channel: WaitChannel
  readonly write: boolean
}

/** A scheduling point: the executor may run something else before the step that follows. */
export interface PointYield {
  readonly tag: 'point'
  /** What the next step touches (absent: treat as touching everything — never wrong, only slower to explore). */
  readonly access?: Access
}

/**
 * The task cannot go on until `channel` is woken. `spin`: the task busy-waits with its CPU as the
 * primitive left it (preemption, interrupts off or on); otherwise it sleeps in `state` and its CPU
 * runs other work. `timeoutMs`: resume with 'timeout' once that much simulated time has passed.
 */
export interface WaitYield {
  readonly tag: 'wait'
  readonly channel: WaitChannel
  readonly state: WaitState
  readonly spin: boolean
  readonly timeoutMs?: number
}

export type Yielded = PointYield | WaitYield

/**
 * Why a waiting op was resumed (it re-checks its condition either way).
 *
 * @example
 * ```ts
 * import type { WakeReason } from 'lockproof'
 *
 * const errno = (r: WakeReason): number => (r === 'signal' ? -4 : r === 'timeout' ? -62 : 0) // -EINTR, -ETIME
 * console.log(errno('signal'))
 * ```
 */
export type WakeReason = 'woken' | 'timeout' | 'signal'

/**
 * A waiting operation: generator flavour, written once (see the file comment). The model
 * kernel's lock methods return one; run it with `yield*`.
 *
 * @example
 * ```ts
 * import { defineModel, type Context, type CtxState, type ModelKernel, type Op } from 'lockproof'
 *
 * // A helper of a model: yields what the ops it runs yield.
 * const twice = function* (k: ModelKernel, ctx: Context<CtxState>): Op<number> {
 *   yield* k.cpuRelax(ctx)
 *   yield* k.cpuRelax(ctx)
 *   return 2
 * }
 * defineModel((k) => { k.task('t', { cpu: 0 }, function* (ctx) { yield* twice(k, ctx) }) })
 * ```
 */
export type Op<R> = Generator<Yielded, R, WakeReason | undefined>

/** The executor side of the seam: `wake_up()`, `up()`, `complete()`, an unlock call it. */
export interface Waker {
  /** Makes up to `nr` tasks waiting on `channel` runnable (FIFO, as the kernel's wait lists are), all for 'all'. */
  wake(channel: WaitChannel, nr: number | 'all'): void
}

/** A point with nothing to say about what follows: one frozen constant. */
export const POINT: PointYield = Object.freeze({ tag: 'point' })

/**
 * Drives an op to its end on one call stack. `onWait` decides what a wait becomes there: it
 * returns the reason to resume with (a timeout that the clock has run through) or throws (a wait
 * that can never end); `onPoint` runs the synchronous executor's scheduling point.
 */
export const runSync = <R>(op: Op<R>, onWait: (y: WaitYield) => WakeReason, onPoint?: (y: PointYield) => void): R => {
  let resume: WakeReason | undefined
  for (;;) {
    const step = op.next(resume)
    if (step.done === true) return step.value
    const y = step.value
    if (y.tag === 'point') {
      onPoint?.(y)
      resume = undefined
    } else {
      resume = onWait(y)
    }
  }
}
