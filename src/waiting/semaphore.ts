/**
 * `struct semaphore` (kernel/locking/semaphore.c, include/linux/semaphore.h): a count, a FIFO of
 * waiters and a raw_spinlock_t taken irqsave around both. Same code on both kernels. No owner
 * and no lockdep map of its own: lockdep sees only the inner raw lock, so a semaphore deadlock is
 * found by the hung-task detector (down(), down_timeout() sleep TASK_UNINTERRUPTIBLE).
 * `up()` hands the unit to the first waiter (`waiter->up = true`) instead of counting it.
 */
import type { Context } from '../exec/context.js'
import type { Op, WaitChannel, WaitState } from '../exec/wait.js'
import type { ScopeContext } from '../exec/scope.js'
import type { CanSleep } from '../rules/sleep.js'
import type { NotInNmi } from '../rules/nmi.js'
import type { CtxState } from '../rules/state.js'
import { NEG_EINTR, NEG_ETIME } from './errno.js'
import type { WaitHost } from './host.js'
import { InnerLock } from './inner-lock.js'
import { intArg, usable } from './args.js'

/** How the inner lock appears in lockdep: DEFINE_SEMAPHORE's `__RAW_SPIN_LOCK_UNLOCKED((name).lock)`. */
type SemLock<N extends string> = `raw_spinlock_t '(${N}).lock'`

/**
 * A counting semaphore, `DEFINE_SEMAPHORE(name, count)`. `down*()` may sleep (task context, nothing
 * atomic); `down_trylock()` and `up()` may be called from any context but NMI.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const consoleSem = kernel.semaphore('console_sem', 1)
 * kernel.requestIrq(4, 'ttyS0', (ctx) => {
 *   if (consoleSem.downTrylock(ctx) === 0) consoleSem.up(ctx) // 0: taken (inverted, as the kernel's)
 * })
 * kernel.run((ctx) => {
 *   consoleSem.down(ctx)
 *   consoleSem.up(ctx)
 * })
 * ```
 */
export interface Semaphore<N extends string = string> {
  /** Always `'semaphore'`. */
  readonly kind: 'semaphore'
  /** The name it was made with (its inner lock's lockdep class is named after it). */
  readonly name: N
  /** `sem->count`: how many more down()s succeed without sleeping. */
  readonly count: number
  /** `down()`: might_sleep(), then takes a unit or sleeps TASK_UNINTERRUPTIBLE until up() hands it one. */
  down<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down()'>>): void
  /** `down_interruptible()`: 0, or -EINTR (-4) when a signal ends the sleep. */
  downInterruptible<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_interruptible()'>>): 0 | -4
  /** `down_killable()`: 0, or -EINTR (-4) when a fatal signal ends the sleep. */
  downKillable<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_killable()'>>): 0 | -4
  /** `down_timeout(sem, jiffies)`: 0, or -ETIME (-62) when no unit came within `jiffies` (1 jiffy = 1 ms). */
  downTimeout<T extends CtxState>(ctx: Context<T> & NoInfer<CanSleep<T, 'down_timeout()'>>, jiffies: number): 0 | -62
  /** `down_trylock()`: **0 when taken, 1 when not** — inverted from spin_trylock() and mutex_trylock(), as the kernel's. */
  downTrylock<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'down_trylock()', SemLock<N>>>): 0 | 1
  /** `up()`: gives the unit to the first waiter, or counts it. Any context but NMI, any task. */
  up<T extends CtxState>(ctx: Context<T> & NoInfer<NotInNmi<T, 'up()', SemLock<N>>>): void
}

interface SemWaiter {
  readonly channel: WaitChannel
  /** Set by up(): the unit is this waiter's. */
  up: boolean
}

export class SemaphoreRuntime {
  count: number
  readonly #waiters: SemWaiter[] = []
  readonly #lock: InnerLock

  constructor(
    readonly host: WaitHost,
    readonly name: string,
    count: number,
  ) {
    this.count = count
    this.#lock = new InnerLock(host, 'raw_spinlock_t', `(${name}).lock`)
  }

  /**
   * down(), down_interruptible(), down_killable(), down_timeout(): `might_sleep()`, then the count
   * under the lock; else `___down_common()`'s loop — queue at the tail, sleep, and after each
   * wake-up: handed a unit (`waiter.up`) → 0; a signal the state lets in → -EINTR; the timeout
   * run out → -ETIME; else sleep again.
   */
  *downOp(pub: unknown, what: string, state: WaitState, timeout: number | null): Op<0 | -4 | -62> {
    const { ctx, cpu } = usable(what, pub)
    this.host.mightSleep(cpu, what)
    const waiter = this.#lock.locked(ctx, (): SemWaiter | null => {
      if (this.count > 0) {
        this.count--
        return null
      }
      const w: SemWaiter = { channel: this.host.channel('semaphore', this.name), up: false }
      this.#waiters.push(w)
      return w
    })
    if (waiter === null) return 0
    const deadline = timeout === null ? null : this.host.machine.clockMs + timeout
    try {
      let reason: string | undefined
      for (;;) {
        const ended = this.#lock.locked(ctx, (): 0 | -4 | -62 | null => {
          if (waiter.up) return 0
          if (reason === 'signal') return NEG_EINTR
          if (deadline !== null && deadline - this.host.machine.clockMs <= 0) return NEG_ETIME
          return null
        })
        if (ended !== null) return ended
        const left = deadline === null ? undefined : deadline - this.host.machine.clockMs
        reason = yield left === undefined
          ? { tag: 'wait', channel: waiter.channel, state, spin: false }
          : { tag: 'wait', channel: waiter.channel, state, spin: false, timeoutMs: left }
      }
    } finally {
      this.#remove(waiter)
    }
  }

  /** `sem_del_waiter()`; a no-op once up() took it off. */
  #remove(w: SemWaiter): void {
    const at = this.#waiters.indexOf(w)
    if (at >= 0) this.#waiters.splice(at, 1)
  }

  /** `down_trylock()`: `return (count < 0);`. */
  downTrylock(ctx: ScopeContext): 0 | 1 {
    return this.#lock.locked(ctx, () => {
      if (this.count - 1 < 0) return 1
      this.count--
      return 0
    })
  }

  /** `up()`: `if (likely(list_empty(&sem->wait_list))) sem->count++; else __up(sem, &wake_q);`, the wake-up after the unlock. */
  up(ctx: ScopeContext): void {
    const woken = this.#lock.locked(ctx, (): SemWaiter | null => {
      const first = this.#waiters.shift()
      if (first === undefined) {
        this.count++
        return null
      }
      first.up = true
      return first
    })
    if (woken !== null) this.host.waker.wake(woken.channel, 1)
  }
}

/** The synchronous flavour (`kernel.semaphore()`): each op driven to its end on the caller's stack. */
export const syncSemaphore = <N extends string>(rt: SemaphoreRuntime): Semaphore<N> => {
  const drive = <R>(what: string, ctx: unknown, op: (pub: unknown) => Op<R>): R => rt.host.drive(usable(what, ctx).cpu, op(ctx))
  const sem = {
    kind: 'semaphore' as const,
    name: rt.name as N,
    get count() {
      return rt.count
    },
    down: (ctx: unknown) => {
      drive('down()', ctx, (c) => rt.downOp(c, 'down()', 'TASK_UNINTERRUPTIBLE', null))
    },
    downInterruptible: (ctx: unknown) => drive('down_interruptible()', ctx, (c) => rt.downOp(c, 'down_interruptible()', 'TASK_INTERRUPTIBLE', null)),
    downKillable: (ctx: unknown) => drive('down_killable()', ctx, (c) => rt.downOp(c, 'down_killable()', 'TASK_KILLABLE', null)),
    downTimeout: (ctx: unknown, jiffies: unknown) => {
      const t = intArg('down_timeout()', 'the timeout (jiffies)', jiffies, Number.MIN_SAFE_INTEGER)
      return drive('down_timeout()', ctx, (c) => rt.downOp(c, 'down_timeout()', 'TASK_UNINTERRUPTIBLE', t))
    },
    downTrylock: (ctx: unknown) => rt.downTrylock(usable('down_trylock()', ctx).ctx),
    up: (ctx: unknown) => rt.up(usable('up()', ctx).ctx),
  }
  return Object.freeze(sem) as unknown as Semaphore<N>
}
