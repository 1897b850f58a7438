/**
 * The plug-in list of the model kernel: one line per primitive another module adds (a
 * semaphore, a completion, …). Each entry makes the factory from the model's {@link ModelHost};
 * the model kernel gets a member of that name, typed as the factory is.
 *
 * ```ts
 * import { semaphoreFactory } from '../../waiting/model-semaphore.js'
 * export const MODEL_FACTORIES = {
 *   semaphore: plug(semaphoreFactory),
 * } satisfies ModelFactories
 * ```
 */
import type { KernelParts } from '../executor.js'
import type { LockHost } from '../../locks/lock.js'
import type { ContextHost } from '../scope.js'
import type { Op, WaitChannel, Waker } from '../wait.js'
import { completionFactory, condVarFactory, semaphoreFactory, waitQueueFactory } from '../../waiting/model.js'
import { defineWdClassFactory, defineWwClassFactory, wwMutexFactory } from '../../ww/model.js'
import { seqcountFactory, seqcountRawSpinlockFactory, seqcountRwlockFactory, seqcountSpinlockFactory, seqlockFactory } from '../../seqlock/model.js'
import { cellFactory } from '../explore/cell-factory.js'
import { perCpuFactory } from '../explore/races/per-cpu.js'
import { hrtimerSetupFactory } from '../../deferred/model/hrtimer.js'
import { timerSetupFactory } from '../../deferred/model/timer.js'
import { allocWorkqueueFactory, initWorkFactory } from '../../deferred/model/workqueue.js'
import { requestThreadedIrqFactory, synchronizeIrqFactory } from '../../deferred/model/threaded-irq.js'
import { initIrqWorkFactory } from '../../deferred/model/irq-work.js'
import { initDelayedWorkFactory, scheduleDelayedWorkFactory } from '../../deferred/model/delayed-work.js'
import { taskletSetupFactory } from '../../deferred/model/tasklet.js'
import { callRcuFactory, rcuBarrierFactory, rcuReadLockFactory, synchronizeRcuFactory } from '../../deferred/model/rcu.js'

/** What a plugged factory gets: the kernel's parts, the hosts its runtime objects need, the waker, and op tracking. */
export interface ModelHost {
  readonly parts: KernelParts
  readonly lockHost: LockHost
  readonly contextHost: ContextHost
  /** The executor's wake(): makes waiters on a channel runnable. */
  readonly waker: Waker
  /** A new wait channel of `kind` (the kernel type: 'completion', 'semaphore', …) named `name`; ids count from 0 per model. */
  channel(kind: string, name: string): WaitChannel
  /** Hands an op out so that a forgotten `yield*` is found (`what`: the call, as errors name it). */
  track<R>(op: Op<R>, what: string): Op<R>
  /** How often a declared interrupt may arrive unless it says (runModel()'s `irqArrivals`). */
  readonly irqArrivals: number
}

declare const PLUGGED: unique symbol

/** Set by Plugged's static block (its constructor and its factory stay out of the published types). */
let plugOf: <F>(make: (host: ModelHost) => F, eager: boolean) => Plugged<F>
let makeOf: <F>(p: Plugged<F>, host: ModelHost) => F
let eagerOf: (p: Plugged<unknown>) => boolean

/**
 * One entry of the list: a factory, its host parameter hidden. The published types then name the
 * factory's result only (a lock's type), never the kernel internals the host reaches.
 */
export class Plugged<F> {
  /** Phantom: the factory's type, for {@link PluggedFactories}. Never present at run time. */
  declare readonly [PLUGGED]?: F
  readonly #make: (host: ModelHost) => F
  readonly #eager: boolean
  static {
    plugOf = (make, eager) => new Plugged(make, eager)
    makeOf = (p, host) => p.#make(host)
    eagerOf = (p) => p.#eager
  }
  private constructor(make: (host: ModelHost) => F, eager: boolean) {
    this.#make = make
    this.#eager = eager
  }
}

/**
 * An entry of the list: `name: plug(nameFactory)`. The factory runs at the member's first read
 * in an execution (most models use few of them); `eager`: when the model kernel is made.
 */
export const plug = <F>(make: (host: ModelHost) => F, options: { readonly eager?: boolean } = {}): Plugged<F> => plugOf(make, options.eager === true)

/** @internal Runs an entry's factory for one model kernel. */
export const makePlugged = <F>(p: Plugged<F>, host: ModelHost): F => makeOf(p, host)

/** @internal Whether the entry's factory runs when the model kernel is made. */
export const isEager = (p: Plugged<unknown>): boolean => eagerOf(p)

/** The shape of the list. */
export type ModelFactories = Readonly<Record<string, Plugged<unknown>>>

/** The plugged factories (add one line per factory: `name: plug(factory)`). */
export const MODEL_FACTORIES = {
  semaphore: plug(semaphoreFactory),
  completion: plug(completionFactory),
  waitQueue: plug(waitQueueFactory),
  condVar: plug(condVarFactory),
  defineWdClass: plug(defineWdClassFactory),
  defineWwClass: plug(defineWwClassFactory),
  wwMutex: plug(wwMutexFactory),
  seqlock: plug(seqlockFactory),
  seqcount: plug(seqcountFactory),
  seqcountRawSpinlock: plug(seqcountRawSpinlockFactory),
  seqcountSpinlock: plug(seqcountSpinlockFactory),
  seqcountRwlock: plug(seqcountRwlockFactory),
  /** `k.cell(name, init)`: a shared word for the explorer's data-race detection (src/exec/explore/cell-factory.ts); eager: it hands the explorer the machine's locks when the kernel is made. */
  cell: plug(cellFactory, { eager: true }),
  /** `k.perCpu(name, init)`: a per-CPU variable (`thisCpuPtr`, `perCpuPtr`) whose races the explorer reports (src/exec/explore/races/per-cpu.ts). */
  perCpu: plug(perCpuFactory),
  /** `timer_setup()`: a `timer_list`; its callback runs in the TIMER softirq, `ktimers/N` with forced irq threads (src/deferred/model/). */
  timerSetup: plug(timerSetupFactory),
  /** `hrtimer_setup()`: where the callback runs follows the mode on this kernel (src/deferred/model/). */
  hrtimerSetup: plug(hrtimerSetupFactory),
  /** `alloc_workqueue()`: work runs in kworkers, kernel threads of the model (src/deferred/model/). */
  allocWorkqueue: plug(allocWorkqueueFactory),
  /** `INIT_WORK()`: a work item (a generator function run in a kworker). */
  initWork: plug(initWorkFactory),
  /** `request_threaded_irq()`: the primary handler where the kernel runs it, thread_fn in the irq thread (a kernel thread of the model). */
  requestThreadedIrq: plug(requestThreadedIrqFactory),
  /** `synchronize_irq()`: waits for the running handlers of a threaded line; an op. */
  synchronizeIrq: plug(synchronizeIrqFactory),
  /** `init_irq_work()`: callbacks in the irq_work IPI's hardirq frame; on RT in `irq_work/N` unless `{ hard: true }`. */
  initIrqWork: plug(initIrqWorkFactory),
  /** `INIT_DELAYED_WORK()`: a work item and the TIMER_IRQSAFE timer that queues it (src/deferred/model/delayed-work.ts). */
  initDelayedWork: plug(initDelayedWorkFactory),
  /** `schedule_delayed_work()`: `queue_delayed_work()` on system_percpu_wq ("events"). */
  scheduleDelayedWork: plug(scheduleDelayedWorkFactory),
  /** `tasklet_setup()`: callbacks in the TASKLET / HI softirq, where each kernel runs it (src/deferred/model/tasklet.ts). */
  taskletSetup: plug(taskletSetupFactory),
  /** `rcu_read_lock()` around a generator section: a reader grace periods wait for (src/deferred/model/rcu.ts). */
  rcuReadLock: plug(rcuReadLockFactory),
  /** `call_rcu()`: the callback after a grace period, in RCU_SOFTIRQ (`rcuc/N` on RT). */
  callRcu: plug(callRcuFactory),
  /** `synchronize_rcu()`: waits for a grace period; an op. */
  synchronizeRcu: plug(synchronizeRcuFactory),
  /** `rcu_barrier()`: waits for the callbacks queued so far; an op. */
  rcuBarrier: plug(rcuBarrierFactory),
} satisfies ModelFactories

/** The members the plugged factories add to the model kernel. */
export type PluggedFactories = { readonly [K in keyof typeof MODEL_FACTORIES]: (typeof MODEL_FACTORIES)[K] extends Plugged<infer F> ? F : never }
