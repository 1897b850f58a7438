/**
 * Data protected by a lock that does not wrap it: Rust's `LockedBy<T, U>`
 * (rust/kernel/sync/locked_by.rs). It is reached only by showing a context that holds its owner:
 * at compile time the owner's *class* must be held there; at run time the owner's *instance* must
 * be held by that context's task, else a {@link LockedByError} ("mismatched owners", as the Rust
 * `access()` panics when the evidence refers to the wrong instance).
 */
import { ScopeContext } from '../exec/scope.js'
import type { Context } from '../exec/context.js'
import type { CtxState } from '../rules/state.js'
import type { LockproofError } from '../rules/error.js'
import { InvalidArgumentError, LockedByError } from '../errors.js'
import { lockRuntimeOf } from '../locks/api.js'
import type { LockRuntime } from '../locks/lock.js'
import type { LockLabel } from '../rules/acquire.js'
import type { AnyLock } from '../locks/any-lock.js'
import { assertSite } from './warn.js'
import type { HoldableLock } from './defined-takes.js'
import type { LockLabelOf } from './defined-assert.js'

/**
 * `unknown` when the owner's class O is held in S, else the error (a proof-typed context cannot show it).
 *
 * @example
 * ```ts
 * import type { AnyLock, CtxState, OwnerHeldCheck, FreshTaskState } from 'lockproof'
 *
 * type Inner = { readonly kind: 'spinlock_t'; readonly name: 'Process::inner' } & AnyLock
 * type Refused = OwnerHeldCheck<Inner, FreshTaskState> // the error: 'Process::inner' is not held in a fresh task
 * const ok: CtxState['held'] = 'Process::inner'
 * ```
 */
export type OwnerHeldCheck<O extends HoldableLock, S extends CtxState> = string extends S['held']
  ? LockproofError<`LockedBy: data protected by ${OwnerLabel<O>} reached from a context typed with a proof, which cannot show it is held; write the function with helper() and mustHold (docs/helpers.md)`>
  : [O['name']] extends [S['held']]
    ? unknown
    : LockproofError<`LockedBy: this data is protected by ${OwnerLabel<O>}, which is not held here`>

/** How reports name owner O: a built-in's label from its kind's name, a defined kind's from its spec. */
type OwnerLabel<O extends HoldableLock> = O extends AnyLock ? LockLabel<O['kind'], O['name']> : LockLabelOf<O>

/**
 * Data `T` protected by the lock `O` that does not wrap it (binder's `Node::inner`, protected by
 * its owning `Process::inner`).
 *
 * @example
 * ```ts
 * import { createKernel, LockedBy } from 'lockproof'
 *
 * const kernel = createKernel()
 * const inner = kernel.spinLock('Process::inner', { nodes: 1 })
 * const node = new LockedBy(inner, { strong: 0 })
 * kernel.run((ctx) => inner.withLocked(ctx, (ctx) => { node.access(ctx).strong++ }))
 * ```
 */
export class LockedBy<T, O extends HoldableLock> {
  readonly #owner: LockRuntime<unknown>
  readonly #label: string
  readonly #data: T

  /** `LockedBy::new(&owner, data)`: `data` belongs to this instance of `owner`. */
  constructor(owner: O, data: T) {
    const runtime = typeof owner === 'object' && owner !== null ? lockRuntimeOf(owner) : undefined
    if (runtime === undefined) throw new InvalidArgumentError('LockedBy: the owner must be a lock made by a kernel (spinLock(), mutex(), …)')
    this.#owner = runtime
    this.#label = runtime.label
    this.#data = data
  }

  /**
   * `access()` / `access_mut()`: the data, given a context that holds the owner (this instance).
   * A context that holds only another instance of the owner's class throws LockedByError.
   */
  access<S extends CtxState>(ctx: Context<S> & OwnerHeldCheck<O, S>): T {
    if (!ScopeContext.is(ctx)) throw new InvalidArgumentError('LockedBy.access(): the argument must be a context')
    const site = assertSite(ctx as unknown as ScopeContext, `LockedBy<${this.#label}>.access()`)
    if (site.held.some((h) => h.lock === this.#owner.id)) return this.#data
    // A lock without a lockdep map (bit_spin_lock) is on no held-lock stack: its lock word says who holds it.
    if (this.#owner.spec.lockdep === null && this.#owner.heldBy(site.cpu.current.pid)) return this.#data
    const sameClass = site.held.some((h) => h.name === this.#owner.name && h.kind === this.#owner.kind)
    throw new LockedByError(
      sameClass
        ? `LockedBy<${this.#label}>: mismatched owners: this task holds another instance of ${this.#label}, not the one that owns this data`
        : `LockedBy<${this.#label}>: ${this.#label} is not held by this task`,
    )
  }
}
