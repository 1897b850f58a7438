/**
 * Proofs: context types a function can demand by its parameter type. Each is a Context whose
 * state fixes what is proven and leaves the rest open, so any context that proves it is accepted.
 */
import type { Context } from '../exec/context.js'
import type { CtxState, IrqOffOnOne } from './state.js'

/** A context whose state fixes the fields in P and leaves the others as wide as CtxState. */
type Prove<P extends Partial<CtxState>> = Context<{ readonly [K in keyof CtxState]: K extends keyof P ? P[K] & CtxState[K] : CtxState[K] }>

/**
 * Any context.
 *
 * @example
 * ```ts
 * import { createKernel, type AnyContext } from 'lockproof'
 *
 * const log = (ctx: AnyContext, what: string) => console.log(`[${ctx.cpuId}] ${ctx.comm}: ${what}`)
 * createKernel().run((ctx) => ctx.preemptDisable((ctx) => log(ctx, 'works in any context')))
 * ```
 */
export type AnyContext = Context<CtxState>
/**
 * Interrupts are off on both kernels: raw irqsave, core localIrqSave, counted disable, a no-thread handler.
 *
 * @example
 * ```ts
 * import { createKernel, type IrqDisabled } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { reg: 0 })
 * const poke = (_ctx: IrqDisabled, value: number) => value // callers must prove interrupts are off
 * kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx, r) => poke(ctx, r.reg)))
 * ```
 */
export type IrqDisabled = Prove<{ irq: true }>
/**
 * Preemption is off on both kernels (a raw spinlock, preempt_disable(), interrupts off).
 *
 * @example
 * ```ts
 * import { createKernel, type PreemptDisabled } from 'lockproof'
 *
 * const thisCpu = (ctx: PreemptDisabled) => ctx.cpuId // stable: no migration while preemption is off
 * createKernel().run((ctx) => ctx.preemptDisable((ctx) => thisCpu(ctx)))
 * ```
 */
export type PreemptDisabled = Prove<{ preempt: true }>
/**
 * Bottom halves cannot run here on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, type BhDisabled } from 'lockproof'
 *
 * const kernel = createKernel()
 * const queue: number[] = []
 * const enqueue = (_ctx: BhDisabled, n: number) => queue.push(n) // safe from the NET_RX softirq
 * kernel.run((ctx) => ctx.localBhDisable((ctx) => enqueue(ctx, 1)))
 * ```
 */
export type BhDisabled = Prove<{ bh: true }>
/**
 * Sleeping is allowed: a task with nothing held that forbids it.
 *
 * @example
 * ```ts
 * import { createKernel, type Sleepable } from 'lockproof'
 *
 * const kernel = createKernel()
 * const settle = (ctx: Sleepable) => ctx.msleep(10) // may sleep; to take locks, write a helper() instead
 * kernel.run((ctx) => settle(ctx))
 * ```
 */
export type Sleepable = Prove<{ exec: 'task'; wait: 'sleep' }>
/**
 * Sleeping is forbidden (at least on one kernel): the `might_sleep()` checks would fire.
 *
 * @example
 * ```ts
 * import { createKernel, type Atomic } from 'lockproof'
 *
 * const kernel = createKernel()
 * const stats = kernel.spinLock('stats', { hits: 0 })
 * const fastPath = (_ctx: Atomic) => 'GFP_ATOMIC' as const // must not sleep here
 * kernel.run((ctx) => stats.withLocked(ctx, (ctx) => fastPath(ctx)))
 * ```
 */
export type Atomic = Prove<{ wait: 'config' | 'spin' }>
/**
 * Process context (possibly with locks held or preemption off).
 *
 * @example
 * ```ts
 * import { createKernel, type TaskContext } from 'lockproof'
 *
 * const owner = (ctx: TaskContext) => `${ctx.comm}/${ctx.pid}` // process context, locks or not
 * createKernel().run((ctx) => ctx.rcuReadLock((ctx) => owner(ctx)))
 * ```
 */
export type TaskContext = Prove<{ exec: 'task' }>
/**
 * An interrupt handler: a no-thread one, or a threadable one (hardirq on a normal kernel).
 *
 * @example
 * ```ts
 * import { createKernel, type HardIrqContext } from 'lockproof'
 *
 * const kernel = createKernel()
 * const ack = (ctx: HardIrqContext, line: number) => console.log(`irq ${line} acked on CPU ${ctx.cpuId}`)
 * kernel.requestIrq(4, 'uart', (ctx) => ack(ctx, 4))
 * kernel.raiseIrq(4)
 * ```
 */
export type HardIrqContext = Prove<{ exec: 'hardirq' }>
/**
 * A softirq handler.
 *
 * @example
 * ```ts
 * import { createKernel, type SoftirqContext } from 'lockproof'
 *
 * const kernel = createKernel()
 * const napiPoll = (ctx: SoftirqContext) => ctx.cpuId
 * kernel.openSoftirq('NET_RX', (ctx) => { napiPoll(ctx) })
 * kernel.raiseSoftirq('NET_RX')
 * ```
 */
export type SoftirqContext = Prove<{ exec: 'softirq' }>
/**
 * @deprecated use {@link SoftirqContext} (the kernel's spelling, as in {@link SoftirqState}).
 *
 * @example
 * ```ts
 * import type { SoftirqContext, SoftIrqContext } from 'lockproof'
 *
 * const same = (ctx: SoftIrqContext): SoftirqContext => ctx
 * ```
 */
export type SoftIrqContext = SoftirqContext
/**
 * An NMI handler.
 *
 * @example
 * ```ts
 * import { createKernel, type NmiContext } from 'lockproof'
 *
 * const kernel = createKernel()
 * const sample = (ctx: NmiContext) => ctx.cpuId // perf-style sampling: raw spinlocks only
 * kernel.requestNmi('perf', (ctx) => { sample(ctx) })
 * kernel.raiseNmi('perf')
 * ```
 */
export type NmiContext = Prove<{ exec: 'nmi' }>

/**
 * The exact state a threadable handler starts in: hardirq on a normal kernel, a thread on RT.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type ThreadableIrqState } from 'lockproof'
 *
 * const kernel = createKernel({ preemptRt: true })
 * const stats = kernel.spinLock('stats', { irqs: 0 })
 * const handler = (ctx: Context<ThreadableIrqState>) => stats.withLocked(ctx, (_ctx, s) => { s.irqs++ })
 * kernel.requestIrq(3, 'eth0', handler)
 * ```
 */
export interface ThreadableIrqState {
  /** A hardirq on a normal kernel (a thread on RT). */
  readonly exec: 'hardirq'
  /** spinlock_t may be taken, mutexes not. */
  readonly wait: 'config'
  /** Off on one kernel: a hardirq with interrupts off on a normal kernel, on in the RT thread. */
  readonly irq: IrqOffOnOne
  /** Not proven: the RT thread is preemptible. */
  readonly preempt: false
  /** Bottom halves are off on both kernels. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** The reason, for error messages. */
  readonly why: 'in an interrupt handler (force-threaded on PREEMPT_RT)'
}

/**
 * The exact state an IRQF_NO_THREAD handler starts in: hard interrupt context on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type NoThreadIrqState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', { ticks: 0 })
 * const tick = (ctx: Context<NoThreadIrqState>) => hw.withLocked(ctx, (_ctx, d) => { d.ticks++ })
 * kernel.requestIrq(0, 'timer', tick, { noThread: true })
 * ```
 */
export interface NoThreadIrqState {
  /** Hard interrupt context. */
  readonly exec: 'hardirq'
  /** Only raw_spinlock_t may be taken. */
  readonly wait: 'spin'
  /** Interrupts are off. */
  readonly irq: true
  /** Preemption is off. */
  readonly preempt: true
  /** Bottom halves cannot run. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** The reason, for error messages. */
  readonly why: 'in a hardirq handler that is never threaded (IRQF_NO_THREAD)'
}

/**
 * The exact state a softirq handler starts in.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type SoftirqState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const rx = (ctx: Context<SoftirqState>) => console.log('NET_RX on CPU', ctx.cpuId)
 * kernel.openSoftirq('NET_RX', rx)
 * kernel.raiseSoftirq('NET_RX')
 * ```
 */
export interface SoftirqState {
  /** Softirq context. */
  readonly exec: 'softirq'
  /** spinlock_t may be taken, mutexes not. */
  readonly wait: 'config'
  /** Interrupts are on. */
  readonly irq: false
  /** Not proven: softirqs run in preemptible threads on RT. */
  readonly preempt: false
  /** Bottom halves are off. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** The reason, for error messages. */
  readonly why: 'in softirq context'
}

/**
 * The exact state an NMI handler starts in.
 *
 * @example
 * ```ts
 * import { createKernel, type Context, type NmiState } from 'lockproof'
 *
 * const kernel = createKernel()
 * const watchdog = (ctx: Context<NmiState>) => console.log('NMI on CPU', ctx.cpuId)
 * kernel.requestNmi('watchdog', watchdog)
 * kernel.raiseNmi('watchdog')
 * ```
 */
export interface NmiState {
  /** NMI context. */
  readonly exec: 'nmi'
  /** Only raw_spinlock_t may be taken. */
  readonly wait: 'spin'
  /** Interrupts are masked. */
  readonly irq: true
  /** Preemption is off. */
  readonly preempt: true
  /** Bottom halves cannot run. */
  readonly bh: true
  /** No lock held. */
  readonly held: never
  /** The reason, for error messages. */
  readonly why: 'in NMI context'
}
