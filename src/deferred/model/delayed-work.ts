/**
 * `struct delayed_work` in a model: kernel.run's runtime (../workqueue.ts `DelayedWorkRuntime`),
 * a work item and a TIMER_IRQSAFE timer (`delayed_work_timer_fn()`) that only queues it. The
 * timer expires as every model timer does — the local timer interrupt, an arrival the explorer
 * chooses on the CPU that armed it, its callback in the TIMER softirq (`ktimers/N` with forced
 * irq threads) — and queues the work on that CPU's pool; the work runs in a kworker.
 */
import type { AnyContext } from '../../rules/proofs.js'
import { DelayedWorkRuntime, WorkqueueRuntime } from '../workqueue.js'
import { ModelDeferred, runByTheModel } from './core.js'
import { type ModelDelayedWork, ModelPools, type ModelWorkFn, registerWork, workArg, workMembers } from './workqueue.js'

export const initDelayedWorkFactory =
  (host: object) =>
  <const N extends string>(name: N, fn: ModelWorkFn<N>): ModelDelayedWork<N> => {
    const d = ModelDeferred.of(host)
    const pools = ModelPools.of(d)
    const rt = new DelayedWorkRuntime(d, pools, name, runByTheModel)
    pools.setFn(rt, fn)
    // delayed_work_timer_fn(): "should have been called from irqsafe timer with irq already off" — it only queues.
    d.onFire(rt, function* (cpu) {
      rt.fire(cpu)
    })
    // Object.assign keeps workMembers()'s `pending` getter on its own object (a spread would copy its value).
    const dwork: ModelDelayedWork<N> = Object.freeze(
      Object.assign(workMembers(d, rt, name), {
        cancelDelayedWork: (ctx: AnyContext) => rt.cancelDelayedWork(ctx),
        cancelDelayedWorkSync: (ctx: AnyContext) => d.host.track(rt.cancelDelayedWorkSyncOp(ctx), 'cancel_delayed_work_sync()'),
        flushDelayedWork: (ctx: AnyContext) => d.host.track(rt.flushDelayedWorkOp(ctx), 'flush_delayed_work()'),
      }),
    )
    registerWork(dwork, rt, d)
    return dwork
  }

/** `system_percpu_wq` (workqueue_init_early(): `alloc_workqueue("events", WQ_PERCPU, 0)`), one per execution. */
const systemWq = new WeakMap<ModelDeferred, WorkqueueRuntime>()
const systemWqOf = (d: ModelDeferred): WorkqueueRuntime => {
  let wq = systemWq.get(d)
  if (wq === undefined) {
    wq = new WorkqueueRuntime(d, ModelPools.of(d), 'events', {})
    systemWq.set(d, wq)
  }
  return wq
}

/**
 * `schedule_delayed_work()` of a model: `queue_delayed_work()` on `system_percpu_wq` ("events").
 *
 * @example
 * ```ts
 * import { defineModel, type ModelScheduleDelayedWork } from 'lockproof'
 *
 * defineModel((k) => {
 *   const schedule: ModelScheduleDelayedWork = k.scheduleDelayedWork
 *   const poll = k.initDelayedWork('poll', function* () {})
 *   k.task('t', { cpu: 0 }, function* (ctx) { schedule(ctx, poll, 10) })
 * })
 * ```
 */
export type ModelScheduleDelayedWork = (ctx: AnyContext, dwork: ModelDelayedWork, delayMs: number) => boolean

export const scheduleDelayedWorkFactory =
  (host: object): ModelScheduleDelayedWork =>
  (ctx, dwork, delayMs) => {
    const d = ModelDeferred.of(host)
    return systemWqOf(d).queueDelayedRuntime(ctx, workArg(d, dwork), delayMs)
  }
