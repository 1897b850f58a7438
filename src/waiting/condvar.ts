/**
 * Rust-for-Linux's `CondVar` (rust/kernel/sync/condvar.rs): a `wait_queue_head` (its spinlock_t
 * class is the CondVar's name: `__init_waitqueue_head(slot, name, key)`), waited on by exclusive
 * entries. `wait_internal()`: `prepare_to_wait_exclusive()` with the guard's lock held, then
 * `guard.do_unlocked(|| schedule_timeout(...))`, then `finish_wait()` with the lock held again.
 * No condition loop (the caller loops: "it may also wake up spuriously"); a notification nobody
 * waits for is lost. Works with every lock's guard.
 */
import type { Context } from '../exec/context.js'
import type { Op, WaitState } from '../exec/wait.js'
import { InvalidArgumentError } from '../errors.js'
import { LockGuard } from '../locks/guard.js'
import type { CanSleep } from '../rules/sleep.js'
import type { CtxState } from '../rules/state.js'
import type { WakeCheck } from '../rules/wake.js'
import { intArg, usable } from './args.js'
import type { WaitHost } from './host.js'
import type { UnlockableGuard } from './unlockable.js'
import { WaitQueueRuntime } from './wait-queue.js'

/**
 * `CondVarTimeoutResult`: what `waitInterruptibleTimeout()` woke up to.
 *
 * @example
 * ```ts
 * import { createKernel, type CondVarTimeoutResult } from 'lockproof'
 *
 * const kernel = createKernel()
 * const m = kernel.mutex('m', 0)
 * const cv = kernel.condVar('cv')
 * const r: CondVarTimeoutResult = kernel.run((ctx) => {
 *   using g = m.lock(ctx)
 *   return cv.waitInterruptibleTimeout(g, 5)
 * })
 * console.log(r.tag) // 'Timeout'
 * ```
 */
export type CondVarTimeoutResult =
  | {
      /** The timeout was reached. */
      readonly tag: 'Timeout'
    }
  | {
      /** Somebody woke us up. */
      readonly tag: 'Woken'
      /** The jiffies of the timeout that were left. */
      readonly jiffies: number
    }
  | {
      /** A signal occurred. */
      readonly tag: 'Signal'
      /** The jiffies of the timeout that were left. */
      readonly jiffies: number
    }

/**
 * A condition variable, `new_condvar!(name)`. `wait*()` release the guard's lock while sleeping
 * and re-take it: the context the lock was taken from must be one that may sleep (holding another
 * spinning lock is the usual might-sleep error). `notify*()` take the wait queue head's spinlock_t.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const inner = kernel.spinLock('Process::inner', { frozen: false })
 * const freezeWait = kernel.condVar('Process::freeze_wait')
 * kernel.run((ctx) => {
 *   using g = inner.lock(ctx)
 *   // Nobody notifies in a single kernel.run(): the timeout ends the sleep, the lock is held again.
 *   console.log(freezeWait.waitInterruptibleTimeout(g, 10)) // { tag: 'Timeout' }
 *   freezeWait.notifyAll(g.ctx)
 * })
 * ```
 */
export interface CondVar<N extends string = string> {
  /** Always `'CondVar'`. */
  readonly kind: 'CondVar'
  /** The name it was made with (its inner lock's lockdep class is named after it). */
  readonly name: N
  /** `CondVar::wait(&mut guard)`: TASK_UNINTERRUPTIBLE until notified (or spuriously). */
  wait<S extends CtxState, D, O extends CtxState>(guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait()'>>): void
  /** `CondVar::wait_interruptible()`: returns whether a signal is pending. */
  waitInterruptible<S extends CtxState, D, O extends CtxState>(guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait_interruptible()'>>): boolean
  /** `CondVar::wait_interruptible_timeout(&mut guard, jiffies)`. */
  waitInterruptibleTimeout<S extends CtxState, D, O extends CtxState>(
    guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait_interruptible_timeout()'>>,
    jiffies: number,
  ): CondVarTimeoutResult
  /** `CondVar::notify_one()`: `__wake_up(wq, TASK_NORMAL, 1, NULL)` — one waiter (they are all exclusive). */
  notifyOne<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_one()'>>): void
  /** `CondVar::notify_all()`: every waiter. */
  notifyAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_all()'>>): void
  /** `CondVar::notify_sync()`: `__wake_up_sync()` — one waiter, hinting that the waker is about to sleep. */
  notifySync<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_sync()'>>): void
}

export class CondVarRuntime {
  readonly wq: WaitQueueRuntime

  constructor(
    readonly host: WaitHost,
    readonly name: string,
  ) {
    this.wq = new WaitQueueRuntime(host, name, name, 'CondVar')
  }

  /**
   * `wait_internal()`: queue (exclusive) and set the state under the wait queue lock, with the
   * guard's lock held; give the lock up (do_unlocked); `schedule_timeout()` — schedule()'s check
   * that sleeping is allowed, then the sleep; take the lock back; `finish_wait()`. Returns the
   * jiffies left (Infinity for MAX_SCHEDULE_TIMEOUT) and whether a signal is pending.
   */
  *waitOp(guard: unknown, what: string, state: WaitState, timeout: number | null): Op<{ readonly left: number; readonly signal: boolean }> {
    if (!(guard instanceof LockGuard) || guard.relocker === null) throw new InvalidArgumentError(`${what}: the argument must be a lock's guard`)
    const { ctx } = usable(what, guard.ctx)
    const relocker = guard.relocker
    const e = this.wq.newEntry(true, state)
    this.wq.prepareToWaitExclusive(ctx, e)
    const clock = this.host.machine
    const deadline = timeout === null ? null : clock.clockMs + timeout
    let inner: Context<CtxState>
    try {
      inner = relocker.unlock(what, guard.token)
    } catch (error) {
      this.wq.finishWait(ctx, e)
      throw error
    }
    let reason: string | undefined
    try {
      // rust/kernel/sync/condvar.rs wait_internal(): `guard.do_unlocked(|| unsafe {
      // bindings::schedule_timeout(timeout_in_jiffies) })` — no might_sleep(): schedule() checks,
      // where the task sleeps, with the guard's lock given up.
      this.host.schedule(usable(what, inner).cpu, what)
      reason = yield* this.wq.sleep(e, deadline === null ? undefined : Math.max(0, deadline - clock.clockMs))
    } finally {
      let relocked = false
      try {
        yield* relocker.relockOp(what, inner, guard.token)
        relocked = true
      } finally {
        // finish_wait() with the lock held again; if re-taking it failed, the entry just goes.
        if (relocked) this.wq.finishWait(ctx, e)
        else this.wq.forget(e)
      }
    }
    const left = deadline === null ? Number.POSITIVE_INFINITY : reason === 'timeout' ? 0 : Math.max(0, deadline - clock.clockMs)
    return { left, signal: reason === 'signal' }
  }
}

/** The synchronous flavour (`kernel.condVar()`). */
export const syncCondVar = <N extends string>(rt: CondVarRuntime): CondVar<N> => {
  const wait = (what: string, guard: unknown, state: WaitState, timeout: number | null) => {
    const ctx = guard instanceof LockGuard ? guard.ctx : undefined
    return rt.host.drive(usable(what, ctx).cpu, rt.waitOp(guard, what, state, timeout))
  }
  const wake = (what: string, ctx: unknown, nr: number): void => rt.wq.wake(usable(what, ctx).ctx, 'TASK_NORMAL', nr)
  const cv = {
    kind: 'CondVar' as const,
    name: rt.name as N,
    wait: (guard: unknown) => {
      wait('CondVar::wait()', guard, 'TASK_UNINTERRUPTIBLE', null)
    },
    waitInterruptible: (guard: unknown) => wait('CondVar::wait_interruptible()', guard, 'TASK_INTERRUPTIBLE', null).signal,
    waitInterruptibleTimeout: (guard: unknown, jiffies: unknown): CondVarTimeoutResult => {
      const what = 'CondVar::wait_interruptible_timeout()'
      const r = wait(what, guard, 'TASK_INTERRUPTIBLE', intArg(what, 'the timeout (jiffies)', jiffies))
      if (r.signal) return { tag: 'Signal', jiffies: r.left }
      return r.left === 0 ? { tag: 'Timeout' } : { tag: 'Woken', jiffies: r.left }
    },
    notifyOne: (ctx: unknown) => wake('CondVar::notify_one()', ctx, 1),
    notifyAll: (ctx: unknown) => wake('CondVar::notify_all()', ctx, 0),
    notifySync: (ctx: unknown) => wake('CondVar::notify_sync()', ctx, 1),
  }
  return Object.freeze(cv) as unknown as CondVar<N>
}
