/**
 * The sequence counter every seqcount_t, seqcount_LOCKNAME_t and seqlock_t is built on
 * (include/linux/seqlock.h): the counter, its lockdep map (`seqcount_t.dep_map`, from
 * `lockdep_init_map()`: wait types LD_WAIT_INV, so no wait-context check either way), the
 * writer's begin/end and the reader's begin as an op written once (src/exec/wait.ts).
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import type { Op, WaitChannel, WaitYield, Waker } from '../exec/wait.js'
import { ForeignContextError } from '../errors.js'
import { LockMapRuntime } from '../lockdep/lock-map.js'
import type { LockHost } from '../locks/lock.js'
import type { Cpu } from '../machine/cpu.js'
import type { CtxState } from '../rules/state.js'
import { touchShared } from '../exec/explore/touched.js'

/** The RT reader's `lockbase##_lock(s->lock); lockbase##_unlock(s->lock);`, in the flavour that drives the op. */
export type LockUnlockOp = (ctx: Context<CtxState>) => Op<void>

export class Sequence {
  /** Reached with no point naming it: each access marks its step for the explorer (src/exec/explore/touched.ts). */
  #sequence = 0
  readonly #map: LockMapRuntime<string>
  readonly #host: LockHost
  /** What a reader that finds a write in progress waits on; the writer's end wakes it. */
  readonly channel: WaitChannel
  readonly #spin: WaitYield
  /** The model executor's waker (null in the synchronous flavour, where nothing waits). */
  waker: Waker | null = null

  constructor(
    host: LockHost,
    /** The kernel type, as errors print it: 'seqcount_t', 'seqlock_t', 'seqcount_spinlock_t', … */
    readonly kind: string,
    readonly name: string,
    /** The dep_map's class name: `SEQCNT_ZERO(name)` names it `#name`, a seqlock_t's `name.seqcount`. */
    mapName: string,
  ) {
    this.#host = host
    this.#map = new LockMapRuntime(host, mapName)
    this.channel = Object.freeze({ id: this.#map.id, kind, name })
    // __read_seqcount_begin(): `while (… & 1) cpu_relax();` — a busy wait, the CPU as the reader left it.
    this.#spin = Object.freeze({ tag: 'wait', channel: this.channel, state: 'TASK_RUNNING', spin: true })
  }

  /** The counter: even when no write section is open. */
  get value(): number {
    touchShared()
    return this.#sequence
  }

  /** The usable CPU of `ctx`, refused (nothing changed) for a stale, foreign or non-context. */
  cpuOf(ctx: unknown, op: string): Cpu {
    const cpu = ScopeContext.from(ctx, op).assertUsable(op)
    if (this.#host.cpus[cpu.id] !== cpu) {
      throw new ForeignContextError(`${op}: the context belongs to another kernel; use a context of the kernel that made ${this.kind} '${this.name}'`)
    }
    return cpu
  }

  /** `do_write_seqcount_begin()`: `seqcount_acquire(&s->dep_map, …)` (exclusive), then `s->sequence++`. */
  writeBegin(ctx: Context<CtxState>): void {
    this.#map.acquire(ctx)
    touchShared()
    this.#sequence++
  }

  /** `do_write_seqcount_end()`: `seqcount_release(&s->dep_map, …)`, then `s->sequence++`; spinning readers may go on. */
  writeEnd(ctx: Context<CtxState>): void {
    try {
      this.#map.release(ctx)
    } finally {
      this.rawWriteEnd()
    }
  }

  /** `do_raw_write_seqcount_begin()`: the increment alone ("Lockdep is never used in any for the raw write variants"). */
  rawWriteBegin(): void {
    touchShared()
    this.#sequence++
  }

  rawWriteEnd(): void {
    touchShared()
    this.#sequence++
    this.waker?.wake(this.channel, 'all')
  }

  /**
   * `seqcount_lockdep_reader_access()`: under `local_irq_save()`, `seqcount_acquire_read()` (a
   * recursive read, read = 2) and at once `seqcount_release()` — a momentary acquisition that
   * records the ordering and the irq usage, not held across the read section.
   */
  readerAccess(ctx: Context<CtxState>): void {
    // Without CONFIG_DEBUG_LOCK_ALLOC: `# define seqcount_lockdep_reader_access(x)` (nothing).
    if (!this.#host.options.lockdep) return
    ctx.core.localIrqSave((ctx) => {
      this.#map.acquireRead(ctx)
      this.#map.release(ctx)
    })
  }

  /**
   * `read_seqcount_begin()`: the lockdep access, then `__read_seqcount_begin()`, which spins while
   * the count is odd. `lockUnlock` is the PREEMPT_RT step of `__seqprop_##lockname##_sequence()`
   * for the preemptible lock kinds: a reader that finds the count odd takes and drops the
   * associated lock (it sleeps until the preempted writer is done), then reads again.
   */
  *readBegin(ctx: Context<CtxState>, lockUnlock: LockUnlockOp | null): Op<number> {
    this.readerAccess(ctx)
    return yield* this.rawReadBegin(ctx, lockUnlock)
  }

  /** `raw_read_seqcount_begin()`: no lockdep. */
  *rawReadBegin(ctx: Context<CtxState>, lockUnlock: LockUnlockOp | null): Op<number> {
    for (;;) {
      touchShared()
      let seq = this.#sequence
      if (lockUnlock !== null && (seq & 1) === 1) {
        yield* lockUnlock(ctx)
        // "Re-read the sequence counter since the (possibly preempted) writer made progress."
        seq = this.#sequence
      }
      if ((seq & 1) === 0) return seq
      yield this.#spin
    }
  }

  /** `read_seqcount_retry()`: true when a write ran (or runs) since `start` was read. */
  retry(start: number): boolean {
    touchShared()
    return this.#sequence !== start
  }
}
