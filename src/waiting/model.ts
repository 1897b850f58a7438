/**
 * The model flavour of the waiting primitives: the same runtimes (one op each, written once),
 * with every method that can wait returning its generator (`yield*` it in a model task), and the
 * others plain. The factories plug into the model kernel (src/exec/model/factories.ts, one line
 * each): `semaphore: semaphoreFactory`, `completion: completionFactory`, `waitQueue:
 * waitQueueFactory`, `condVar: condVarFactory`. The host they take is the model kernel's
 * (`ModelHost`): its waker parks and unparks, its channels count per model.
 */
import type { Context } from '../exec/context.js'
import type { KernelParts } from '../exec/executor.js'
import type { Op, WaitChannel, Waker } from '../exec/wait.js'
import { SchedulingError } from '../errors.js'
import type { LockHost } from '../locks/lock.js'
import type { CanSleep } from '../rules/sleep.js'
import type { NotInNmi } from '../rules/nmi.js'
import type { CtxState } from '../rules/state.js'
import type { ThreadedCheck } from '../rules/threaded.js'
import type { WakeCheck } from '../rules/wake.js'
import { intArg, nameArg, usable } from './args.js'
import { touchShared } from '../exec/explore/touched.js'
import { CompletionRuntime } from './completion.js'
import { type CondVarTimeoutResult, CondVarRuntime } from './condvar.js'
import type { WaitHost } from './host.js'
import { SemaphoreRuntime } from './semaphore.js'
import type { UnlockableGuard } from './unlockable.js'
import { type WaitCondition, WaitQueueRuntime } from './wait-queue.js'

/** What the factories use of the model kernel's host (structurally its `ModelHost`). */
export interface ModelPlugHost {
  readonly parts: KernelParts
  readonly lockHost: LockHost
  readonly waker: Waker
  channel(kind: string, name: string): WaitChannel
  track<R>(op: Op<R>, what: string): Op<R>
}

/**
 * The factories take the host as `object`, so that the published declarations (the model kernel's
 * plug-in list) name no internals; this checks it is the model kernel's.
 */
const isPlugHost = (h: object): h is ModelPlugHost => 'parts' in h && 'lockHost' in h && 'waker' in h && 'channel' in h && 'track' in h

const plugHost = (h: object): ModelPlugHost => {
  if (!isPlugHost(h)) throw new SchedulingError('a waiting primitive of a model is made by the model kernel (defineModel())')
  return h
}

const waitHostOf = (h: ModelPlugHost): WaitHost => ({
  options: h.parts.options,
  machine: h.parts.machine,
  lockHost: h.lockHost,
  mightSleep: (cpu, what) => h.parts.reporter.mightSleep(cpu, what),
  schedule: (cpu, what) => h.parts.reporter.schedule(cpu, what),
  warnOnce: (cpu, warning, detail) => h.parts.reporter.warnOnce(cpu, warning, detail),
  lockdepActive: () => h.parts.lockdep.active,
  waker: h.waker,
  channel: (kind, name) => h.channel(kind, name),
  drive: () => {
    throw new SchedulingError('a model primitive is driven by the model executor: yield* its op')
  },
})

/** A synchronous member's context check; the member reaches the primitive's state with no point naming it (src/exec/explore/touched.ts). */
const touching = (what: string, ctx: unknown): ReturnType<typeof usable> => {
  touchShared()
  return usable(what, ctx)
}

/** `DEFINE_SEMAPHORE(name, count)` in a model: `down*()` are ops. */
export interface ModelSemaphore<N extends string = string> {
  readonly kind: 'semaphore'
  readonly name: N
  readonly count: number
  down<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down()'>>): Op<void>
  downInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_interruptible()'>>): Op<0 | -4>
  downKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_killable()'>>): Op<0 | -4>
  downTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_timeout()'>>, jiffies: number): Op<0 | -62>
  downTrylock<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'down_trylock()', `raw_spinlock_t '(${N}).lock'`>>): 0 | 1
  up<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'up()', `raw_spinlock_t '(${N}).lock'`>>): void
}

export const semaphoreFactory =
  (host: object) =>
  <const N extends string>(name: N, count: number): ModelSemaphore<N> => {
    const h = plugHost(host)
    const what = 'DEFINE_SEMAPHORE()'
    const rt = new SemaphoreRuntime(waitHostOf(h), nameArg(what, name), intArg(what, 'the count', count))
    const sem = {
      kind: 'semaphore' as const,
      name,
      get count() {
        touchShared()
        return rt.count
      },
      down: (ctx: unknown) =>
        h.track(
          (function* () {
            yield* rt.downOp(ctx, 'down()', 'TASK_UNINTERRUPTIBLE', null)
          })(),
          'down()',
        ),
      downInterruptible: (ctx: unknown) => h.track(rt.downOp(ctx, 'down_interruptible()', 'TASK_INTERRUPTIBLE', null), 'down_interruptible()'),
      downKillable: (ctx: unknown) => h.track(rt.downOp(ctx, 'down_killable()', 'TASK_KILLABLE', null), 'down_killable()'),
      downTimeout: (ctx: unknown, jiffies: unknown) =>
        h.track(
          rt.downOp(ctx, 'down_timeout()', 'TASK_UNINTERRUPTIBLE', intArg('down_timeout()', 'the timeout (jiffies)', jiffies, Number.MIN_SAFE_INTEGER)),
          'down_timeout()',
        ),
      downTrylock: (ctx: unknown) => rt.downTrylock(touching('down_trylock()', ctx).ctx),
      up: (ctx: unknown) => rt.up(touching('up()', ctx).ctx),
    }
    return Object.freeze(sem) as unknown as ModelSemaphore<N>
  }

/** `DECLARE_COMPLETION(name)` in a model: the waits are ops. */
export interface ModelCompletion<N extends string = string> {
  readonly kind: 'completion'
  readonly name: N
  readonly done: number
  reinitCompletion(): void
  waitForCompletion<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion()'>>): Op<void>
  waitForCompletionIo<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_io()'>>): Op<void>
  waitForCompletionTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_timeout()'>>, jiffies: number): Op<number>
  waitForCompletionInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_interruptible()'>>): Op<0 | -512>
  waitForCompletionInterruptibleTimeout<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_interruptible_timeout()'>>,
    jiffies: number,
  ): Op<number>
  waitForCompletionKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_for_completion_killable()'>>): Op<0 | -512>
  tryWaitForCompletion<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'try_wait_for_completion()', `raw_spinlock_t '(${N}).wait.lock'`>>): boolean
  completionDone<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'completion_done()', `raw_spinlock_t '(${N}).wait.lock'`>>): boolean
  complete<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'complete()', `raw_spinlock_t '(${N}).wait.lock'`>>): void
  completeAll<T extends CtxState>(ctx: Context<T> & NoInfer<ThreadedCheck<T, 'complete_all()'>>): void
}

export const completionFactory =
  (host: object) =>
  <const N extends string>(name: N): ModelCompletion<N> => {
    const h = plugHost(host)
    const rt = new CompletionRuntime(waitHostOf(h), nameArg('DECLARE_COMPLETION()', name))
    const jiffies = (what: string, j: unknown): number => intArg(what, 'the timeout (jiffies)', j)
    function* voidOf(op: Op<number>): Op<void> {
      yield* op
    }
    function* errOf(op: Op<number>): Op<0 | -512> {
      return (yield* op) < 0 ? -512 : 0
    }
    const c = {
      kind: 'completion' as const,
      name,
      get done() {
        touchShared()
        return rt.done
      },
      reinitCompletion: () => {
        touchShared()
        rt.done = 0
      },
      waitForCompletion: (ctx: unknown) => h.track(voidOf(rt.waitOp(ctx, 'wait_for_completion()', 'TASK_UNINTERRUPTIBLE', null)), 'wait_for_completion()'),
      waitForCompletionIo: (ctx: unknown) =>
        h.track(voidOf(rt.waitOp(ctx, 'wait_for_completion_io()', 'TASK_UNINTERRUPTIBLE', null)), 'wait_for_completion_io()'),
      waitForCompletionTimeout: (ctx: unknown, j: unknown) => {
        const what = 'wait_for_completion_timeout()'
        return h.track(rt.waitOp(ctx, what, 'TASK_UNINTERRUPTIBLE', jiffies(what, j)), what)
      },
      waitForCompletionInterruptible: (ctx: unknown) => {
        const what = 'wait_for_completion_interruptible()'
        return h.track(errOf(rt.waitOp(ctx, what, 'TASK_INTERRUPTIBLE', null)), what)
      },
      waitForCompletionInterruptibleTimeout: (ctx: unknown, j: unknown) => {
        const what = 'wait_for_completion_interruptible_timeout()'
        return h.track(rt.waitOp(ctx, what, 'TASK_INTERRUPTIBLE', jiffies(what, j)), what)
      },
      waitForCompletionKillable: (ctx: unknown) => {
        const what = 'wait_for_completion_killable()'
        return h.track(errOf(rt.waitOp(ctx, what, 'TASK_KILLABLE', null)), what)
      },
      tryWaitForCompletion: (ctx: unknown) => rt.tryWait(touching('try_wait_for_completion()', ctx).ctx),
      completionDone: (ctx: unknown) => rt.completionDone(touching('completion_done()', ctx).ctx),
      complete: (ctx: unknown) => rt.complete(touching('complete()', ctx).ctx),
      completeAll: (ctx: unknown) => rt.completeAll(touching('complete_all()', ctx).ctx, 'complete_all()'),
    }
    return Object.freeze(c) as unknown as ModelCompletion<N>
  }

/** `DECLARE_WAIT_QUEUE_HEAD(name)` in a model: the waits are ops. */
export interface ModelWaitQueueHead<N extends string = string> {
  readonly kind: 'wait_queue_head'
  readonly name: N
  waitEvent<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event()'>>, cond: WaitCondition<NoInfer<T>>): Op<void>
  waitEventInterruptible<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_interruptible()'>>,
    cond: WaitCondition<NoInfer<T>>,
  ): Op<0 | -512>
  waitEventKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_killable()'>>, cond: WaitCondition<NoInfer<T>>): Op<0 | -512>
  waitEventInterruptibleExclusive<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_interruptible_exclusive()'>>,
    cond: WaitCondition<NoInfer<T>>,
  ): Op<0 | -512>
  waitEventTimeout<T extends CtxState>(
    ctx: Context<T> & NoInfer<CanSleep<T, 'wait_event_timeout()'>>,
    cond: WaitCondition<NoInfer<T>>,
    jiffies: number,
  ): Op<number>
  wakeUp<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up()'>>): void
  wakeUpNr<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_nr()'>>, nr: number): void
  wakeUpAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_all()'>>): void
  wakeUpInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_interruptible()'>>): void
  wakeUpInterruptibleAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'wake_up_interruptible_all()'>>): void
}

export const waitQueueFactory =
  (host: object) =>
  <const N extends string>(name: N): ModelWaitQueueHead<N> => {
    const h = plugHost(host)
    const n = nameArg('DECLARE_WAIT_QUEUE_HEAD()', name)
    const rt = new WaitQueueRuntime(waitHostOf(h), n, `${n}.lock`, 'wait_queue_head')
    function* voidOf(op: Op<number>): Op<void> {
      yield* op
    }
    const ev = (
      what: string,
      ctx: unknown,
      state: 'TASK_UNINTERRUPTIBLE' | 'TASK_INTERRUPTIBLE' | 'TASK_KILLABLE',
      excl: boolean,
      cond: unknown,
      t: number | null,
    ) => rt.waitEventOp(ctx, what, state, excl, cond, t)
    const wake = (what: string, ctx: unknown, mode: 'TASK_NORMAL' | 'TASK_INTERRUPTIBLE', nr: number): void => rt.wake(touching(what, ctx).ctx, mode, nr)
    const wq = {
      kind: 'wait_queue_head' as const,
      name,
      waitEvent: (ctx: unknown, cond: unknown) => h.track(voidOf(ev('wait_event()', ctx, 'TASK_UNINTERRUPTIBLE', false, cond, null)), 'wait_event()'),
      waitEventInterruptible: (ctx: unknown, cond: unknown) =>
        h.track(ev('wait_event_interruptible()', ctx, 'TASK_INTERRUPTIBLE', false, cond, null), 'wait_event_interruptible()'),
      waitEventKillable: (ctx: unknown, cond: unknown) =>
        h.track(ev('wait_event_killable()', ctx, 'TASK_KILLABLE', false, cond, null), 'wait_event_killable()'),
      waitEventInterruptibleExclusive: (ctx: unknown, cond: unknown) =>
        h.track(ev('wait_event_interruptible_exclusive()', ctx, 'TASK_INTERRUPTIBLE', true, cond, null), 'wait_event_interruptible_exclusive()'),
      waitEventTimeout: (ctx: unknown, cond: unknown, j: unknown) =>
        h.track(
          ev('wait_event_timeout()', ctx, 'TASK_UNINTERRUPTIBLE', false, cond, intArg('wait_event_timeout()', 'the timeout (jiffies)', j)),
          'wait_event_timeout()',
        ),
      wakeUp: (ctx: unknown) => wake('wake_up()', ctx, 'TASK_NORMAL', 1),
      wakeUpNr: (ctx: unknown, nr: unknown) => wake('wake_up_nr()', ctx, 'TASK_NORMAL', intArg('wake_up_nr()', 'nr', nr)),
      wakeUpAll: (ctx: unknown) => wake('wake_up_all()', ctx, 'TASK_NORMAL', 0),
      wakeUpInterruptible: (ctx: unknown) => wake('wake_up_interruptible()', ctx, 'TASK_INTERRUPTIBLE', 1),
      wakeUpInterruptibleAll: (ctx: unknown) => wake('wake_up_interruptible_all()', ctx, 'TASK_INTERRUPTIBLE', 0),
    }
    return Object.freeze(wq) as unknown as ModelWaitQueueHead<N>
  }

/** Rust's `new_condvar!(name)` in a model: the waits are ops. */
export interface ModelCondVar<N extends string = string> {
  readonly kind: 'CondVar'
  readonly name: N
  wait<S extends CtxState, D, O extends CtxState>(guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait()'>>): Op<void>
  waitInterruptible<S extends CtxState, D, O extends CtxState>(
    guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait_interruptible()'>>,
  ): Op<boolean>
  waitInterruptibleTimeout<S extends CtxState, D, O extends CtxState>(
    guard: UnlockableGuard<S, D, O> & NoInfer<CanSleep<O, 'CondVar::wait_interruptible_timeout()'>>,
    jiffies: number,
  ): Op<CondVarTimeoutResult>
  notifyOne<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_one()'>>): void
  notifyAll<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_all()'>>): void
  notifySync<T extends CtxState>(ctx: Context<T> & NoInfer<WakeCheck<T, 'CondVar::notify_sync()'>>): void
}

export const condVarFactory =
  (host: object) =>
  <const N extends string>(name: N): ModelCondVar<N> => {
    const h = plugHost(host)
    const rt = new CondVarRuntime(waitHostOf(h), nameArg('new_condvar!()', name))
    const wake = (what: string, ctx: unknown, nr: number): void => rt.wq.wake(touching(what, ctx).ctx, 'TASK_NORMAL', nr)
    const cv = {
      kind: 'CondVar' as const,
      name,
      wait: (guard: unknown) =>
        h.track(
          (function* () {
            yield* rt.waitOp(guard, 'CondVar::wait()', 'TASK_UNINTERRUPTIBLE', null)
          })(),
          'CondVar::wait()',
        ),
      waitInterruptible: (guard: unknown) =>
        h.track(
          (function* () {
            return (yield* rt.waitOp(guard, 'CondVar::wait_interruptible()', 'TASK_INTERRUPTIBLE', null)).signal
          })(),
          'CondVar::wait_interruptible()',
        ),
      waitInterruptibleTimeout: (guard: unknown, jiffies: unknown) => {
        const what = 'CondVar::wait_interruptible_timeout()'
        const t = intArg(what, 'the timeout (jiffies)', jiffies)
        return h.track(
          (function* (): Op<CondVarTimeoutResult> {
            const r = yield* rt.waitOp(guard, what, 'TASK_INTERRUPTIBLE', t)
            if (r.signal) return { tag: 'Signal', jiffies: r.left }
            return r.left === 0 ? { tag: 'Timeout' } : { tag: 'Woken', jiffies: r.left }
          })(),
          what,
        )
      },
      notifyOne: (ctx: unknown) => wake('CondVar::notify_one()', ctx, 1),
      notifyAll: (ctx: unknown) => wake('CondVar::notify_all()', ctx, 0),
      notifySync: (ctx: unknown) => wake('CondVar::notify_sync()', ctx, 1),
    }
    return Object.freeze(cv) as unknown as ModelCondVar<N>
  }
