/** Registered interrupt, softirq and NMI handlers, with the argument checks plain-JS callers need. */
import type { Context } from './context.js'
import type { NmiState, SoftirqState } from '../rules/proofs.js'
import type { CtxState } from '../rules/state.js'
import { InvalidArgumentError } from '../errors.js'

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

export class IrqRegistry {
  readonly irqs = new Map<number, IrqAction>()
  readonly softirqs: (SoftirqHandler | undefined)[] = new Array<SoftirqHandler | undefined>(NR_SOFTIRQS)
  readonly nmis = new Map<string, NmiHandler>()

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
