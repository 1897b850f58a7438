/**
 * NAPI (net/core/dev.c): `napi_schedule()` from the interrupt handler puts the instance on this
 * CPU's poll list and raises NET_RX_SOFTIRQ (`____napi_schedule()`, unless already inside
 * net_rx_action()); `net_rx_action()` polls each once with its weight out of `netdev_budget`
 * (300), and one that used its whole weight, or what the budget left, in the next NET_RX round. A
 * poll that did less than its weight must have called `napi_complete_done()`.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Context } from '../exec/context.js'
import type { AnyContext } from '../rules/proofs.js'
import { CLAIM_BH } from '../exec/claims.js'
import { InvalidArgumentError } from '../errors.js'
import { raiseSoftirq } from '../exec/delivery.js'
import { SOFTIRQ_NAMES } from '../exec/irq-registry.js'
import type { Deferred } from './runtime.js'
import type { NapiPollState } from './states.js'

/** net/core/hotdata.c: `.netdev_budget = 300`; include/linux/netdevice.h NAPI_POLL_WEIGHT 64. */
export const NETDEV_BUDGET = 300
export const NAPI_POLL_WEIGHT = 64

/**
 * A `struct napi_struct`, from {@link Kernel.netifNapiAdd}.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const ring = kernel.spinLock('ring', { rx: 3 })
 * const napi = kernel.netifNapiAdd('eth0', (ctx, n, budget) => {
 *   const done = ring.withLocked(ctx, (_ctx, r) => { const k = Math.min(r.rx, budget); r.rx -= k; return k })
 *   if (done < budget) n.napiCompleteDone(ctx, done)
 *   return done
 * })
 * kernel.requestIrq(9, 'eth0', (ctx) => { napi.napiSchedule(ctx) })
 * kernel.raiseIrq(9)
 * ```
 */
export interface Napi<N extends string = string> {
  /** What it is, as the kernel's type name. */
  readonly kind: 'napi_struct'
  /** Its name: the lockdep class or the site it was set up at. */
  readonly name: N
  /** The poll weight (its budget per poll). */
  readonly weight: number
  /** NAPI_STATE_SCHED. */
  readonly scheduled: boolean
  /** `napi_schedule()`: false if it was scheduled already. Any context but NMI. */
  napiSchedule(ctx: AnyContext): boolean
  /** `napi_complete_done()`: from the poll, when it did less than its budget: NAPI_STATE_SCHED cleared. */
  napiCompleteDone(ctx: AnyContext, workDone: number): boolean
}

/**
 * A NAPI `poll` function: the work done, at most `budget`; less than the budget after napi_complete_done().
 *
 * @example
 * ```ts
 * import { createKernel, type NapiPoll } from 'lockproof'
 *
 * const poll: NapiPoll<'eth0'> = (ctx, napi, budget) => {
 *   napi.napiCompleteDone(ctx, 0)
 *   return budget - budget
 * }
 * createKernel().netifNapiAdd('eth0', poll)
 * ```
 */
export type NapiPoll<N extends string> = (ctx: Context<NapiPollState>, napi: Napi<N>, budget: number) => number

export class NapiLists {
  readonly #lists: NapiRuntime[][]
  readonly #inRxAction: boolean[]
  constructor(d: Deferred) {
    this.#lists = d.parts.cpus.map(() => [])
    this.#inRxAction = d.parts.cpus.map(() => false)
    // net_dev_init(): open_softirq(NET_RX_SOFTIRQ, net_rx_action).
    d.onSoftirq('NET_RX', (cpu) => this.#netRxAction(cpu))
  }

  schedule(cpu: Cpu, n: NapiRuntime): void {
    ;(this.#lists[cpu.id] as NapiRuntime[]).push(n)
    // "If not called from net_rx_action() we have to raise NET_RX_SOFTIRQ."
    if (!this.#inRxAction[cpu.id]) raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf('NET_RX'))
  }

  /**
   * `net_rx_action()`: polls what was scheduled (`list_splice_init(&sd->poll_list, &list)`), each
   * once: one that used its whole weight goes on `repoll`, polled only in the next NET_RX round;
   * instances scheduled meanwhile are taken (`goto start`) while nothing waits for a repoll; the
   * budget or an empty list ends it. Then `list_splice_tail_init(&sd->poll_list, &list);
   * list_splice_tail(&repoll, &list); list_splice(&list, &sd->poll_list);` and NET_RX is raised
   * again if anything is left.
   */
  #netRxAction(cpu: Cpu): void {
    const pollList = this.#lists[cpu.id] as NapiRuntime[]
    let budget = NETDEV_BUDGET
    let list = pollList.splice(0)
    const repoll: NapiRuntime[] = []
    this.#inRxAction[cpu.id] = true
    try {
      for (;;) {
        const n = list.shift()
        if (n === undefined) {
          if (repoll.length > 0 || pollList.length === 0) break
          list = pollList.splice(0)
          continue
        }
        const work = n.poll(cpu)
        budget -= work
        // __napi_poll(): `if (likely(work < weight)) return work;` — else `*repoll = true` (unless the driver completed it).
        if (work >= n.weight && n.scheduled) repoll.push(n)
        if (budget <= 0) break
      }
    } finally {
      this.#inRxAction[cpu.id] = false
      pollList.splice(0, pollList.length, ...list, ...pollList, ...repoll)
    }
    if (pollList.length > 0) raiseSoftirq(cpu, SOFTIRQ_NAMES.indexOf('NET_RX'))
  }
}

export class NapiRuntime implements Napi {
  readonly kind = 'napi_struct'
  readonly #d: Deferred
  readonly #list: NapiLists
  readonly #poll: NapiPoll<string>
  #scheduled = false
  constructor(
    d: Deferred,
    list: NapiLists,
    readonly name: string,
    poll: NapiPoll<string>,
    readonly weight: number,
  ) {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('netif_napi_add(): the name must be a non-empty string')
    if (typeof poll !== 'function') throw new InvalidArgumentError('netif_napi_add(): the poll function must be a function')
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight <= 0)
      throw new InvalidArgumentError('netif_napi_add(): the weight must be a whole number > 0')
    this.#d = d
    this.#list = list
    this.#poll = poll
  }

  get scheduled(): boolean {
    return this.#scheduled
  }

  napiSchedule(ctx: AnyContext): boolean {
    const cpu = this.#d.cpuOf(ctx, 'napi_schedule()')
    // napi_schedule_prep(): test-and-set NAPI_STATE_SCHED.
    if (this.#scheduled) return false
    this.#scheduled = true
    this.#list.schedule(cpu, this)
    return true
  }

  napiCompleteDone(ctx: AnyContext, workDone: number): boolean {
    this.#d.cpuOf(ctx, 'napi_complete_done()')
    if (typeof workDone !== 'number' || !Number.isInteger(workDone) || workDone < 0)
      throw new InvalidArgumentError('napi_complete_done(): work_done must be a whole number ≥ 0')
    if (!this.#scheduled) return false
    this.#scheduled = false
    return true
  }

  /** `__napi_poll()`: `work = n->poll(n, weight)`; more than the weight is the driver's bug (netdev_err_once). */
  poll(cpu: Cpu): number {
    const d = this.#d
    let work = 0
    d.exec.callback(
      cpu,
      (ctx: Context<NapiPollState>) => {
        work = this.#poll(ctx, this, this.weight)
        if (typeof work !== 'number' || !Number.isInteger(work) || work < 0) {
          throw new InvalidArgumentError(`NAPI '${this.name}': the poll function must return the work done (a whole number ≥ 0)`)
        }
        d.warn(ctx, 'napi poll', work > this.weight, `NAPI poll function ${this.name} returned ${work}, exceeding its budget of ${this.weight}.`, '__napi_poll')
      },
      CLAIM_BH,
    )
    return work
  }
}
