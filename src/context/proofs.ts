/**
 * Proofs: context types a function can demand by its parameter type. Each is a Context whose
 * state fixes what is proven and leaves the rest open, so any context that proves it is accepted.
 */
import type { Context } from './context.js'
import type { CtxState, Exec, Wait } from './state.js'

interface Open {
  readonly exec: Exec
  readonly wait: Wait
  readonly irq: boolean
  readonly preempt: boolean
  readonly bh: boolean
  readonly held: string
  readonly why: string
}

type Prove<P extends Partial<CtxState>> = Context<{ readonly [K in keyof Open]: K extends keyof P ? P[K] & Open[K] : Open[K] }>

/** Any context. */
export type AnyContext = Context<Open>
/** Interrupts are off on both kernels: raw irqsave, core localIrqSave, counted disable, a no-thread handler. */
export type IrqDisabled = Prove<{ irq: true }>
/** Preemption is off on both kernels (a raw spinlock, preempt_disable(), interrupts off). */
export type PreemptDisabled = Prove<{ preempt: true }>
/** Bottom halves cannot run here on both kernels. */
export type BhDisabled = Prove<{ bh: true }>
/** Sleeping is allowed: a task with nothing held that forbids it. */
export type Sleepable = Prove<{ exec: 'task'; wait: 'sleep' }>
/** Sleeping is forbidden (at least on one kernel): the `might_sleep()` checks would fire. */
export type Atomic = Prove<{ wait: 'config' | 'spin' }>
/** Process context (possibly with locks held or preemption off). */
export type TaskContext = Prove<{ exec: 'task' }>
/** An interrupt handler: a no-thread one, or a threadable one (hardirq on a normal kernel). */
export type HardIrqContext = Prove<{ exec: 'hardirq' }>
/** A softirq handler. */
export type SoftIrqContext = Prove<{ exec: 'softirq' }>
/** An NMI handler. */
export type NmiContext = Prove<{ exec: 'nmi' }>

/** The exact state a threadable handler starts in: hardirq on a normal kernel, a thread on RT. */
export interface ThreadableIrqState {
  readonly exec: 'hardirq'
  readonly wait: 'config'
  readonly irq: false
  readonly preempt: false
  readonly bh: true
  readonly held: never
  readonly why: 'in an interrupt handler (force-threaded on PREEMPT_RT)'
}

/** The exact state an IRQF_NO_THREAD handler starts in: hard interrupt context on both kernels. */
export interface NoThreadIrqState {
  readonly exec: 'hardirq'
  readonly wait: 'spin'
  readonly irq: true
  readonly preempt: true
  readonly bh: true
  readonly held: never
  readonly why: 'in a hardirq handler that is never threaded (IRQF_NO_THREAD)'
}

export interface SoftirqState {
  readonly exec: 'softirq'
  readonly wait: 'config'
  readonly irq: false
  readonly preempt: false
  readonly bh: true
  readonly held: never
  readonly why: 'in softirq context'
}

export interface NmiState {
  readonly exec: 'nmi'
  readonly wait: 'spin'
  readonly irq: true
  readonly preempt: true
  readonly bh: true
  readonly held: never
  readonly why: 'in NMI context'
}
