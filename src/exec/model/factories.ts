/**
 * The plug-in list of the model kernel: one line per primitive another module adds (a
 * semaphore, a completion, …). Each entry makes the factory from the model's {@link ModelHost};
 * the model kernel gets a member of that name, typed as the factory is.
 *
 * ```ts
 * import { semaphoreFactory } from '../../waiting/model-semaphore.js'
 * export const MODEL_FACTORIES = {
 *   semaphore: semaphoreFactory,
 * } satisfies ModelFactories
 * ```
 */
import type { KernelParts } from '../executor.js'
import type { LockHost } from '../../locks/lock.js'
import type { ContextHost } from '../scope.js'
import type { Op, WaitChannel, Waker } from '../wait.js'
import { defineWdClassFactory, defineWwClassFactory, wwMutexFactory } from '../../ww/model.js'
import { seqcountFactory, seqcountRawSpinlockFactory, seqcountRwlockFactory, seqcountSpinlockFactory, seqlockFactory } from '../../seqlock/model.js'

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
}

/** The shape of the list. */
export type ModelFactories = Readonly<Record<string, (host: ModelHost) => unknown>>

/** The plugged factories (add one line per factory). */
export const MODEL_FACTORIES = {
  defineWdClass: defineWdClassFactory,
  defineWwClass: defineWwClassFactory,
  wwMutex: wwMutexFactory,
  seqlock: seqlockFactory,
  seqcount: seqcountFactory,
  seqcountRawSpinlock: seqcountRawSpinlockFactory,
  seqcountSpinlock: seqcountSpinlockFactory,
  seqcountRwlock: seqcountRwlockFactory,
} satisfies ModelFactories

/** The members the plugged factories add to the model kernel. */
export type PluggedFactories = { readonly [K in keyof typeof MODEL_FACTORIES]: ReturnType<(typeof MODEL_FACTORIES)[K]> }
