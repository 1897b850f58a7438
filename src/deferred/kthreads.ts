/**
 * Kernel threads that deferred work wakes: kworkers, `ktimers/N`, `rcuc/N`, `irq_work/N`, the irq
 * threads of `request_threaded_irq()`. The synchronous executor runs the woken ones at its
 * scheduling points, each as a task of its own, after the forced irq threads (SCHED_FIFO 50):
 * first the SCHED_FIFO ones (`sched_set_fifo()` / `sched_set_fifo_low()`), then ksoftirqd, then the
 * SCHED_NORMAL ones (kworkers).
 */
import type { Context } from '../exec/context.js'
import type { FreshTaskState } from '../rules/state.js'

/** One kernel thread; `run` does one wake-up's worth of work in a fresh task context. */
export interface Kthread {
  /** Its `comm`, as `ps` shows it (`kworker/0:1`, `ktimers/0`, `irq/5-eth0`). */
  readonly comm: string
  /** 'fifo': a real-time thread (runs before ksoftirqd); 'normal': SCHED_NORMAL (after it). */
  readonly policy: 'fifo' | 'normal'
  run(ctx: Context<FreshTaskState>): void
}

/** The woken threads of each CPU, in wake order; a thread woken twice before it runs is queued once. */
export class KthreadQueue {
  readonly #woken: Kthread[][]
  /** The threads running now (on the call stack, perhaps asleep in a wait): a thread never runs inside itself. */
  readonly running = new Set<Kthread>()
  constructor(cpus: number) {
    this.#woken = Array.from({ length: cpus }, () => [])
  }

  /**
   * What the scheduler tells the thread's subsystem when a kthread goes to sleep in `schedule()`
   * (`wq_worker_sleeping()`: a sleeping kworker lets its pool start the next work in another).
   */
  readonly #sleepHooks: ((cpu: number, comm: string) => void)[] = []

  onSleep(hook: (cpu: number, comm: string) => void): void {
    this.#sleepHooks.push(hook)
  }

  /** The task `comm` gives `cpu` up in a sleeping wait. */
  sleeping(cpu: number, comm: string): void {
    for (const hook of this.#sleepHooks) hook(cpu, comm)
  }

  /** `wake_up_process()`. */
  wake(cpu: number, t: Kthread): void {
    const q = this.#woken[cpu] as Kthread[]
    if (!q.includes(t)) q.push(t)
  }

  /** Anything woken on `cpu` (running ones included): the scheduling point's cheap first check. */
  hasWoken(cpu: number): boolean {
    return (this.#woken[cpu] as Kthread[]).length !== 0
  }

  /** True when a thread of `policy` (either, when absent) is woken on `cpu` and not running. */
  pending(cpu: number, policy?: Kthread['policy']): boolean {
    const q = this.#woken[cpu] as Kthread[]
    return q.some((t) => (policy === undefined || t.policy === policy) && !this.running.has(t))
  }

  /** The next thread of `policy` to run on `cpu`, taken off the queue; null when none. */
  take(cpu: number, policy: Kthread['policy']): Kthread | null {
    const q = this.#woken[cpu] as Kthread[]
    const at = q.findIndex((t) => t.policy === policy && !this.running.has(t))
    if (at < 0) return null
    return q.splice(at, 1)[0] as Kthread
  }
}
