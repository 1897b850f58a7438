/** Registered interrupt, softirq and NMI handlers, with the argument checks plain-JS callers need. */
import type { Context } from './context.js'
import type { NmiState, SoftirqState } from '../rules/proofs.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'
import type { Cpu } from '../machine/cpu.js'

import { SOFTIRQ_NAMES } from '../machine/softirq-names.js'

export { SOFTIRQ_NAMES, type SoftirqName } from '../machine/softirq-names.js'
export const NR_SOFTIRQS = SOFTIRQ_NAMES.length

export interface IrqAction {
  readonly line: number
  readonly name: string
  readonly noThread: boolean
  /** The handler as registered; its context type is the one its registration promised. */
  readonly handler: (ctx: Context<CtxState>) => void
}

export type SoftirqHandler = (ctx: Context<SoftirqState>) => void
export type NmiHandler = (ctx: Context<NmiState>) => void

const assertFunction = (what: string, fn: unknown): void => {
  if (typeof fn !== 'function') throw new InvalidArgumentError(`${what}: the handler must be a function`)
}

export const assertIrqLine = (what: string, line: unknown): number => {
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 0) {
    throw new InvalidArgumentError(`${what}: an interrupt line is a whole number ≥ 0`)
  }
  return line
}

/** Accepts a softirq number (0–9) or its name ('TIMER'); returns the number. */
export const softirqNr = (what: string, nr: unknown): number => {
  if (typeof nr === 'string') {
    const at = (SOFTIRQ_NAMES as readonly string[]).indexOf(nr)
    if (at >= 0) return at
  }
  if (typeof nr === 'number' && Number.isInteger(nr) && nr >= 0 && nr < NR_SOFTIRQS) return nr
  throw new InvalidArgumentError(`${what}: a softirq is 0–${NR_SOFTIRQS - 1} or one of ${SOFTIRQ_NAMES.join(', ')}`)
}

/** A softirq action of the kernel's own (timers, tasklets, NET_RX, RCU: src/deferred/), run with the CPU serving softirqs. */
export type KernelSoftirqAction = (cpu: Cpu) => void

export class IrqRegistry {
  readonly irqs = new Map<number, IrqAction>()
  readonly softirqs: (SoftirqHandler | undefined)[] = new Array<SoftirqHandler | undefined>(NR_SOFTIRQS)
  readonly nmis = new Map<string, NmiHandler>()
  /**
   * The kernel's own softirq actions (`open_softirq()` in timers_init(), softirq_init(),
   * net_dev_init(), rcu_init()): run before a user's handler of the same vector.
   */
  readonly kernelSoftirqs: (KernelSoftirqAction | undefined)[] = new Array<KernelSoftirqAction | undefined>(NR_SOFTIRQS)
  /** Per line: handlers running now, hard (`IRQD_IRQ_INPROGRESS`) and threaded (`desc->threads_active`, woken ones included). */
  readonly inProgress = new Map<number, number>()
  readonly threadsActive = new Map<number, number>()
  /** Per line: `disable_irq()` depth, and the lines raised while disabled or masked (`IRQS_PENDING`: replayed at enable). */
  readonly depth = new Map<number, number>()
  readonly replay = new Set<number>()
  /** Lines whose thread is running with the line masked (`IRQF_ONESHOT`). */
  readonly masked = new Set<number>()

  /** A line of the kernel's own (the local timer, the irq_work IPI): a negative number, never a user's line. */
  setKernelIrq(line: number, name: string, handler: IrqAction['handler']): void {
    this.irqs.set(line, { line, name, noThread: true, handler })
  }

  /** One more (or one less) handler of `line` running, hard or threaded. */
  count(map: Map<number, number>, line: number, delta: 1 | -1): void {
    const n = (map.get(line) ?? 0) + delta
    if (n <= 0) map.delete(line)
    else map.set(line, n)
  }

  requestIrq(line: unknown, name: unknown, handler: unknown, noThread: unknown): void {
    assertIrqLine('request_irq()', line)
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('request_irq(): the name must be a non-empty string')
    assertFunction('request_irq()', handler)
    if (noThread !== undefined && typeof noThread !== 'boolean') throw new InvalidArgumentError('request_irq(): noThread must be a boolean')
    if (this.irqs.has(line as number)) throw new InvalidArgumentError(`request_irq(): line ${String(line)} already has a handler (-EBUSY)`)
    this.irqs.set(line as number, { line: line as number, name, noThread: noThread === true, handler: handler as IrqAction['handler'] })
  }

  openSoftirq(nr: unknown, handler: unknown): void {
    const n = softirqNr('open_softirq()', nr)
    assertFunction('open_softirq()', handler)
    this.softirqs[n] = handler as SoftirqHandler
  }

  requestNmi(name: unknown, handler: unknown): void {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('request_nmi(): the name must be a non-empty string')
    assertFunction('request_nmi()', handler)
    this.nmis.set(name, handler as NmiHandler)
  }
}
