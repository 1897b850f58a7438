/** Each mechanism's per-CPU state of one kernel, made on first use (a kernel that uses none pays nothing). */
import type { Deferred } from './runtime.js'
import { WorkPools } from './workqueue.js'
import { Tasklets } from './tasklet.js'
import { NapiLists } from './napi.js'
import { IrqWorks } from './irq-work.js'
import { Rcu } from './rcu.js'
import { ThreadedIrqs } from './threaded-irq.js'

export class Subsystems {
  readonly #d: Deferred
  #pools: WorkPools | null = null
  #tasklets: Tasklets | null = null
  #napi: NapiLists | null = null
  #irqWorks: IrqWorks | null = null
  #rcu: Rcu | null = null
  #threadedIrqs: ThreadedIrqs | null = null
  constructor(d: Deferred) {
    this.#d = d
  }
  get pools(): WorkPools {
    this.#pools ??= new WorkPools(this.#d)
    return this.#pools
  }
  get tasklets(): Tasklets {
    this.#tasklets ??= new Tasklets(this.#d)
    return this.#tasklets
  }
  get napi(): NapiLists {
    this.#napi ??= new NapiLists(this.#d)
    return this.#napi
  }
  get irqWorks(): IrqWorks {
    this.#irqWorks ??= new IrqWorks(this.#d)
    return this.#irqWorks
  }
  get rcu(): Rcu {
    this.#rcu ??= new Rcu(this.#d)
    return this.#rcu
  }
  get threadedIrqs(): ThreadedIrqs {
    this.#threadedIrqs ??= new ThreadedIrqs(this.#d)
    return this.#threadedIrqs
  }
}
