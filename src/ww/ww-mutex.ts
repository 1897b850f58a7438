/**
 * `struct ww_mutex` (include/linux/ww_mutex.h, kernel/locking/mutex.c, kernel/locking/ww_mutex.h):
 * a mutex (an rt_mutex on PREEMPT_RT, same return codes) that knows the acquire context holding
 * it. `ww_mutex_lock()` is written once as an op (src/exec/wait.ts): the synchronous flavour
 * drives it with the one synchronous driver (src/exec/sync-wait.ts), a model flavour parks the
 * task where it yields. Its wait names the holder, as a contended lock's does.
 *
 * `__mutex_lock_common()` with a ww_ctx, in order: `might_sleep()`; `if (ww_ctx == ww->ctx)
 * return -EALREADY`; `if (ww_ctx->acquired == 0) ww_ctx->wounded = 0`; `nest_lock =
 * &ww_ctx->dep_map`; `mutex_acquire_nest()`; the trylock (taken: `ww_mutex_set_context_fastpath()`);
 * else `__ww_mutex_add_waiter()` (wait-die may die at once), then the wait loop: trylock,
 * `signal_pending_state()` → -EINTR, `__ww_mutex_check_kill()` → -EDEADLK, `schedule()`.
 */
import { DoubleUnlockError, InvalidArgumentError } from '../errors.js'
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import type { SyncDrive } from '../exec/sync-wait.js'
import { type Op, POINT, type WaitChannel, type Waker } from '../exec/wait.js'
import type { HeldLock } from '../locks/held.js'
import type { LockHost, LockWaitYield } from '../locks/lock.js'
import type { Cpu } from '../machine/cpu.js'
import type { LockState } from '../machine/machine.js'
import type { CtxState } from '../rules/state.js'
import type { WwAcquireCtxRuntime } from './acquire-ctx.js'
import { debugLocksWarnOn } from './debug-warn.js'
import { NEG_EALREADY, NEG_EDEADLK, NEG_EINTR } from './errno.js'
import { releaseRecord, validateRecord, WwRecord } from './record.js'
import type { WwClassRuntime } from './ww-class.js'

/** A task waiting for the lock, and its context (null: a plain ww_mutex_lock(lock, NULL)). */
interface Waiter {
  readonly pid: number
  readonly ctx: WwAcquireCtxRuntime | null
}

export class WwMutexRuntime {
  readonly id: number
  readonly channel: WaitChannel
  readonly label: string
  /** `ww->ctx`: the context holding it (null: free, or held without a context). */
  ctx: WwAcquireCtxRuntime | null = null
  /** The lock's entry in the machine: its owner lives there, as every lock's does. */
  readonly #state: LockState
  #record: WwRecord | null = null
  /** The wait list: waiters with a context ordered by stamp (oldest first), others FIFO among them. */
  readonly #waiters: Waiter[] = []
  /** The model executor's waker (null in the synchronous flavour). */
  waker: Waker | null = null
  readonly #wake = { wakeAll: () => this.waker?.wake(this.channel, 'all') }

  constructor(
    readonly host: LockHost,
    readonly cls: WwClassRuntime,
    /** The model's channel (its ids count per model); the synchronous flavour names it by the lock id. */
    channel: WaitChannel | null,
  ) {
    this.label = `ww_mutex '${cls.mutexName}'`
    this.#state = host.addLock('mutex', cls.mutexName, this)
    this.id = this.#state.id
    this.channel = channel ?? Object.freeze({ id: this.id, kind: 'ww_mutex', name: cls.mutexName })
  }

  get locked(): boolean {
    return this.#state.writerPid >= 0
  }

  /**
   * `ww_mutex_lock()` / `ww_mutex_lock_interruptible()`: 0, -EALREADY, -EDEADLK (or -EINTR).
   * The checks that refuse bad input ran before (api.ts); this changes state only as the kernel does.
   */
  *lockOp(ctx: Context<CtxState>, actx: WwAcquireCtxRuntime | null, interruptible: boolean, what: string): Op<number> {
    // A scheduling point before the acquisition, as the model's locks have (nothing in the synchronous flavour).
    yield POINT
    const scope = ScopeContext.from(ctx, what)
    const cpu = scope.assertUsable(what)
    this.host.mightResched(cpu, this.label, 0, 0)
    if (actx !== null) {
      if (this.ctx === actx) return NEG_EALREADY
      // "Reset the wounded flag after a kill."
      if (actx.acquired === 0) actx.wounded = false
    }
    const stack = scope.heldLocks
    const record = new WwRecord(this.cls.mutexName, this.id, cpu, false, actx === null ? null : actx.cls.acquireMap.id)
    validateRecord(this.host, cpu, stack, record)
    if (!this.locked && this.#waiters.length === 0) {
      this.#take(cpu, stack, record, actx, what)
      return 0
    }
    const waiter: Waiter = { pid: cpu.current.pid, ctx: actx }
    const early = this.#addWaiter(cpu, waiter)
    if (early !== 0) return early
    try {
      for (;;) {
        if (!this.locked) {
          this.#removeWaiter(waiter)
          this.#take(cpu, stack, record, actx, what)
          return 0
        }
        if (actx !== null) {
          const kill = this.#checkKill(cpu, waiter, actx)
          if (kill !== 0) return kill
        }
        this.cls.sleepingOn.set(waiter.pid, this.#wake)
        const why = yield this.#waitFor(cpu, interruptible)
        this.cls.sleepingOn.delete(waiter.pid)
        if (why === 'signal' && interruptible) return NEG_EINTR
      }
    } finally {
      this.cls.sleepingOn.delete(waiter.pid)
      this.#removeWaiter(waiter)
    }
  }

  /**
   * The synchronous flavour: the op on the one synchronous driver — a wait lets woken work run,
   * one nothing ends is reported as any contended lock is under kernel.run (the hung task).
   */
  lockSync(ctx: Context<CtxState>, actx: WwAcquireCtxRuntime | null, interruptible: boolean, what: string, drive: SyncDrive): number {
    const cpu = ScopeContext.from(ctx, what).assertUsable(what)
    return drive(cpu, this.lockOp(ctx, actx, interruptible, what))
  }

  /** `ww_mutex_trylock()`: 1 when taken, 0 otherwise; no deadlock handling. */
  trylock(ctx: Context<CtxState>, actx: WwAcquireCtxRuntime | null, what: string): 0 | 1 {
    const scope = ScopeContext.from(ctx, what)
    const cpu = scope.assertUsable(what)
    if (actx !== null && actx.acquired === 0) actx.wounded = false
    if (this.locked) return 0
    const record = new WwRecord(this.cls.mutexName, this.id, cpu, true, actx === null ? null : actx.cls.acquireMap.id)
    // ww_mutex_set_context_fastpath() first, then mutex_acquire_nest(…, 0, 1, &ww_ctx->dep_map, …).
    this.#setContext(cpu, actx, what)
    validateRecord(this.host, cpu, scope.heldLocks, record)
    this.#own(cpu, scope.heldLocks, record)
    return 1
  }

  /** `ww_mutex_unlock()`: `__ww_mutex_unlock()` (acquired--, ctx = NULL), then mutex_unlock(). */
  unlock(ctx: Context<CtxState>, what: string): void {
    const scope = ScopeContext.from(ctx, what)
    const cpu = scope.assertUsable(what)
    const record = this.#record
    if (record === null || this.#state.writerPid !== cpu.current.pid || !scope.heldLocks.includes(record)) {
      this.host.badUnlock(cpu, this.label, this.cls.mutexName)
      throw new DoubleUnlockError(`${what}: ${this.label} is not held by this task`)
    }
    if (this.ctx !== null) {
      if (this.ctx.acquired > 0) this.ctx.acquired--
      this.ctx.locks.delete(this)
      this.ctx = null
    }
    releaseRecord(this.host, cpu, scope.heldLocks, record)
    this.#record = null
    this.#state.writerPid = -1
    this.#state.writerCpu = -1
    this.#state.writerComm = ''
    if (this.host.options.trace) this.host.trace(cpu, { event: 'unlock', lock: this.id, lockKind: 'mutex', name: this.cls.mutexName, read: false })
    this.#wake.wakeAll()
  }

  /** A throwing acquire section releases what its context still holds. */
  unlockOnThrow(ctx: Context<CtxState>): void {
    this.unlock(ctx, 'ww_acquire_fini')
  }

  /** The lock's acquisition: the context first (ww_mutex_lock_acquired()), then owner and held-lock entry. */
  #take(cpu: Cpu, stack: HeldLock[], record: WwRecord, actx: WwAcquireCtxRuntime | null, what: string): void {
    this.#setContext(cpu, actx, what)
    this.#own(cpu, stack, record)
    // __ww_mutex_check_waiters(): more important contexts behind us may have to die, or wound us.
    if (actx !== null) this.#checkWaiters(actx)
  }

  #own(cpu: Cpu, stack: HeldLock[], record: WwRecord): void {
    const task = cpu.current
    stack.push(record)
    this.#record = record
    this.#state.writerPid = task.pid
    this.#state.writerCpu = cpu.id
    this.#state.writerComm = task.comm
    if (this.host.options.trace) this.host.trace(cpu, { event: 'lock', lock: this.id, lockKind: 'mutex', name: this.cls.mutexName, read: false })
  }

  /** `ww_mutex_lock_acquired()` with DEBUG_WW_MUTEXES's checks. */
  #setContext(cpu: Cpu, actx: WwAcquireCtxRuntime | null, what: string): void {
    if (actx === null) return
    const warn = (failed: boolean, cond: string) => debugLocksWarnOn(this.host, cpu, failed, cond, what)
    // "Not quite done after calling ww_acquire_done() ?"
    warn(actx.doneAcquire, 'ww_ctx->done_acquire')
    if (actx.contendingLock !== null) {
      // "After -EDEADLK you tried to acquire a different ww_mutex? Bad!"
      warn(actx.contendingLock !== this, 'ww_ctx->contending_lock != ww')
      // "You called ww_mutex_lock after receiving -EDEADLK, but 'forgot' to unlock everything else first?"
      warn(actx.acquired > 0, 'ww_ctx->acquired > 0')
    }
    // "Naughty, using a different class will lead to undefined behavior!"
    warn(actx.cls !== this.cls, 'ww_ctx->ww_class != ww->ww_class')
    // Changed only after every warning (one may throw with onDiagnostic: 'throw').
    actx.contendingLock = null
    actx.acquired++
    actx.locks.add(this)
    this.ctx = actx
  }

  /** `__ww_mutex_kill()`: only a context that holds something backs off. */
  #kill(cpu: Cpu, actx: WwAcquireCtxRuntime): number {
    if (actx.acquired === 0) return 0
    debugLocksWarnOn(this.host, cpu, actx.contendingLock !== null, 'ww_ctx->contending_lock', 'ww_mutex_lock')
    actx.contendingLock = this
    return NEG_EDEADLK
  }

  /** `__ww_mutex_check_kill()`: wound-wait dies when wounded; wait-die when an older context holds it or waits ahead. */
  #checkKill(cpu: Cpu, waiter: Waiter, actx: WwAcquireCtxRuntime): number {
    if (actx.acquired === 0) return 0
    if (!actx.cls.isWaitDie) return actx.wounded ? this.#kill(cpu, actx) : 0
    const hold = this.ctx
    if (hold !== null && actx.youngerThan(hold)) return this.#kill(cpu, actx)
    const at = this.#waiters.indexOf(waiter)
    for (let i = at - 1; i >= 0; i--) if ((this.#waiters[i] as Waiter).ctx !== null) return this.#kill(cpu, actx)
    return 0
  }

  /**
   * `__ww_mutex_add_waiter()`: before the first waiter with a higher stamp (contextless waiters
   * keep their place); wait-die dies at once behind an older context and wakes younger waiters
   * that hold locks, so they die; wound-wait wounds a younger holder.
   */
  #addWaiter(cpu: Cpu, waiter: Waiter): number {
    const actx = waiter.ctx
    if (actx === null) {
      this.#waiters.push(waiter)
      return 0
    }
    let pos = this.#waiters.length
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const cur = (this.#waiters[i] as Waiter).ctx
      if (cur === null) continue
      if (actx.youngerThan(cur)) {
        // "Wait-Die: if we find an older context waiting, there is no point in queueing behind it"
        if (actx.cls.isWaitDie) {
          const ret = this.#kill(cpu, actx)
          if (ret !== 0) return ret
        }
        break
      }
      pos = i
      this.#die(cur, actx)
    }
    this.#waiters.splice(pos, 0, waiter)
    if (!actx.cls.isWaitDie) this.#wound(actx, this.ctx)
    return 0
  }

  /** `__ww_mutex_die()`: wait-die wakes a younger waiter that holds locks, so it can die; true for wait-die. */
  #die(waiterCtx: WwAcquireCtxRuntime, actx: WwAcquireCtxRuntime): boolean {
    if (!actx.cls.isWaitDie) return false
    if (waiterCtx.acquired > 0 && waiterCtx.youngerThan(actx)) this.#wake.wakeAll()
    return true
  }

  /** `__ww_mutex_wound()`: an older context with locks wounds a younger holder and wakes it. */
  #wound(actx: WwAcquireCtxRuntime, hold: WwAcquireCtxRuntime | null): boolean {
    if (hold === null || !this.locked) return false
    if (actx.acquired > 0 && hold.youngerThan(actx)) {
      hold.wounded = true
      this.cls.sleepingOn.get(hold.pid)?.wakeAll()
      return true
    }
    return false
  }

  /** `__ww_mutex_check_waiters()`: after taking the lock, the first waiter with a context may die or wound us. */
  #checkWaiters(actx: WwAcquireCtxRuntime): void {
    for (const cur of this.#waiters) {
      if (cur.ctx === null) continue
      if (this.#die(cur.ctx, actx) || this.#wound(cur.ctx, actx)) break
    }
  }

  #removeWaiter(waiter: Waiter): void {
    const at = this.#waiters.indexOf(waiter)
    if (at >= 0) this.#waiters.splice(at, 1)
  }

  /**
   * The wait in `schedule()`: TASK_UNINTERRUPTIBLE (or _INTERRUPTIBLE), naming the holder as the
   * lock keeps it — a mutex's (an rt_mutex's on RT) wait, exclusive on both sides.
   */
  #waitFor(cpu: Cpu, interruptible: boolean): LockWaitYield {
    return {
      tag: 'wait',
      channel: this.channel,
      state: interruptible ? 'TASK_INTERRUPTIBLE' : 'TASK_UNINTERRUPTIBLE',
      spin: false,
      blocked: {
        tag: 'blocked',
        cpu: cpu.id,
        lock: { label: this.label, kind: 'mutex' },
        holder: { pid: this.#state.writerPid, comm: this.#state.writerComm, cpu: this.#state.writerCpu },
      },
      mode: 'write',
      holderMode: 'write',
    }
  }
}

/** An acquire context from a JavaScript caller: one of this kernel's, still live, of this task. */
export const acquireCtxArg = (what: string, value: unknown, of: (v: unknown) => WwAcquireCtxRuntime | undefined, cpu: Cpu): WwAcquireCtxRuntime | null => {
  if (value === null) return null
  const actx = of(value)
  if (actx === undefined)
    throw new InvalidArgumentError(`${what}: the second argument must be an acquire context from ww_acquire_init() (wwClass.acquire()), or null`)
  if (actx.finished) throw new InvalidArgumentError(`${what}: the acquire context was released by ww_acquire_fini()`)
  if (actx.pid !== cpu.current.pid) throw new InvalidArgumentError(`${what}: the acquire context belongs to another task (ctx->task)`)
  return actx
}
