/**
 * A bare lockdep map: `struct lockdep_map` with `lock_map_acquire()` / `lock_map_release()`, how
 * code that is no lock tells lockdep about a wait (a workqueue's flush takes the work's map, the
 * worker holds it while the work runs). It is validated like a lock but guards nothing.
 * include/linux/lockdep.h: `lock_map_acquire(l)` = `lock_acquire_exclusive(l, 0, 0, NULL, _THIS_IP_)`,
 * `lock_map_acquire_try(l)` = `lock_acquire_exclusive(l, 0, 1, …)`, `lock_map_acquire_read(l)` =
 * `lock_acquire_shared_recursive(l, 0, 0, …)` (read = 2), `lock_map_release(l)` = `lock_release(l, _THIS_IP_)`.
 * `lockdep_init_map()` leaves its wait types at LD_WAIT_INV: no wait-context check either way.
 */
import { ScopeContext } from '../exec/scope.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import { DoubleUnlockError, ForeignContextError } from '../errors.js'
import type { HeldLock } from '../locks/held.js'
import type { LockHost } from '../locks/lock.js'
import { irqContextOf } from './validator.js'

/**
 * A lockdep map (`struct lockdep_map`), from {@link Kernel.lockMap}: acquire and release it
 * where the kernel calls `lock_map_acquire()` / `lock_map_release()`.
 *
 * @example
 * ```ts
 * import { createKernel } from 'lockproof'
 *
 * const kernel = createKernel()
 * const wq = kernel.lockMap('(wq_completion)events')
 * const m = kernel.mutex('m', 0)
 * // A work item runs with the map held; flush_workqueue() "waits" by taking it too.
 * kernel.run((ctx) => m.withLocked(ctx, (ctx) => { wq.acquire(ctx); wq.release(ctx) }))
 * ```
 */
export interface LockMap<N extends string> {
  /** Always `'lockdep_map'`. */
  readonly kind: 'lockdep_map'
  /** The map's class name. */
  readonly name: N
  /** `lock_map_acquire()`: an exclusive acquisition. */
  acquire(ctx: Context<CtxState>): void
  /** `lock_map_acquire_try()`: as a trylock (no dependency of its own). */
  acquireTry(ctx: Context<CtxState>): void
  /** `lock_map_acquire_read()`: a recursive read (read = 2). */
  acquireRead(ctx: Context<CtxState>): void
  /** `lock_map_release()`: the innermost acquisition of this map by this task. */
  release(ctx: Context<CtxState>): void
}

/** One held acquisition of a map: the fields lockdep reads. */
class MapRecord implements HeldLock {
  readonly variant = 'plain'
  readonly kind = 'lockdep_map'
  readonly flags = null
  readonly irqLock = false
  readonly nestLock = null
  readonly subclass = 0
  /** `lock_map_acquire()` passes check = 1. */
  readonly check = true
  classId: number | null = null
  chainId: number | null = null
  /** An own field, not a getter: the entry lives in the machine, and a clone keeps own fields only. */
  readonly key: string
  constructor(
    readonly name: string,
    /** The map's id in the machine's locks. */
    readonly lock: number,
    readonly mode: 'write' | 'read',
    readonly recursiveRead: boolean,
    readonly trylock: boolean,
    readonly cpu: number,
    readonly irqContext: HeldLock['irqContext'],
  ) {
    this.key = name
  }
}

export class LockMapRuntime<N extends string> implements LockMap<N> {
  readonly kind = 'lockdep_map'
  /** The map's id: its entry in the machine's locks (never owned: a map guards nothing). */
  readonly #id: number
  /** Private: the kernel (and its machine) stays out of reach of the map's users. */
  readonly #host: LockHost
  constructor(
    host: LockHost,
    readonly name: N,
  ) {
    this.#host = host
    host.lockdep.classes.claim(name, 'lockdep_map', `lockdep_map '${name}'`)
    this.#id = host.addLock('lockdep_map', name, this).id
  }

  /** The map's id in the machine's locks (stable across executions: creation order). */
  get id(): number {
    return this.#id
  }

  acquire(ctx: Context<CtxState>): void {
    this.#acquire(ctx, 'write', false, false, 'lock_map_acquire')
  }

  acquireTry(ctx: Context<CtxState>): void {
    this.#acquire(ctx, 'write', false, true, 'lock_map_acquire_try')
  }

  acquireRead(ctx: Context<CtxState>): void {
    this.#acquire(ctx, 'read', true, false, 'lock_map_acquire_read')
  }

  release(ctx: Context<CtxState>): void {
    const op = `lock_map_release(${this.name})`
    const scope = ScopeContext.from(ctx, op)
    const cpu = scope.assertUsable(op)
    if (this.#host.cpus[cpu.id] !== cpu) this.#foreign(op)
    const stack = scope.heldLocks
    let at = stack.length - 1
    while (at >= 0 && (stack[at] as HeldLock).lock !== this.#id) at--
    if (at < 0) {
      this.#host.badUnlock(cpu, `lockdep_map '${this.name}'`, this.name)
      throw new DoubleUnlockError(`lock_map_release(${this.name}): not acquired by this task`)
    }
    stack.splice(at, 1)
    if (at < stack.length) this.#host.lockdep.release(cpu, stack, at)
    if (this.#host.options.trace) this.#host.trace(cpu, { event: 'lock_map_release', lock: this.#id, name: this.name })
  }

  /** A context of another kernel: refused before anything changes. */
  #foreign(op: string): never {
    throw new ForeignContextError(`${op}: the context belongs to another kernel; use a context of the kernel that made this map`)
  }

  #acquire(
    ctx: Context<CtxState>,
    mode: 'write' | 'read',
    recursiveRead: boolean,
    trylock: boolean,
    op: 'lock_map_acquire' | 'lock_map_acquire_try' | 'lock_map_acquire_read',
  ): void {
    const scope = ScopeContext.from(ctx, `${op}(${this.name})`)
    const cpu = scope.assertUsable(`${op}(${this.name})`)
    if (this.#host.cpus[cpu.id] !== cpu) this.#foreign(`${op}(${this.name})`)
    const stack = scope.heldLocks
    const irqContext = irqContextOf(cpu)
    const record = new MapRecord(this.name, this.#id, mode, recursiveRead, trylock, cpu.id, irqContext)
    const lockdep = this.#host.lockdep
    if (lockdep.active) {
      const cls = lockdep.classes.get(this.name, 'lockdep_map')
      const chain = lockdep.acquire(cpu, stack, record, cls, irqContext)
      record.chainId = chain === null ? null : chain.id
      record.classId = chain === null ? null : cls.id
    }
    stack.push(record)
    if (this.#host.options.trace) this.#host.trace(cpu, { event: op, lock: this.#id, name: this.name })
  }
}
