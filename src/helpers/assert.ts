/**
 * lockdep's assertions (include/linux/lockdep.h): at compile time where the state knows the
 * answer (the held classes, interrupts, preemption), and at run time as the kernel does them —
 * `WARN_ON(debug_locks && !cond)` — for untyped callers and for what types cannot see (the
 * instance, the read/write mode).
 */
import { ScopeContext } from '../exec/scope.js'
import type { InInterrupt } from '../rules/in-interrupt.js'
import type { Context } from '../exec/context.js'
import type { CtxState, IrqOffOnOne } from '../rules/state.js'
import type { LockproofError } from '../rules/error.js'
import { ForeignContextError, InvalidArgumentError } from '../errors.js'
import { lockRuntimeOf } from '../locks/api.js'
import { type AssertSite, assertSite, lockdepWarn } from './warn.js'
import type { AnyLock } from '../locks/any-lock.js'
import type { HoldableLock } from './defined-takes.js'
import { type HasMap, type LockLabelOf, type NoMapError, refuseMapless } from './defined-assert.js'

type Label<L extends HoldableLock> = LockLabelOf<L>

/** `unknown` when class L may be held in S (or S does not know), else the error. */
type HeldInS<L extends HoldableLock, S extends CtxState, What extends string> = string extends S['held']
  ? unknown
  : [L['name']] extends [S['held']]
    ? unknown
    : LockproofError<`${What}(${L['name']}): ${Label<L>} is not held here, so the kernel's WARN_ON() fires`>

/**
 * `unknown` when class L may be held in S (or S does not know), else the error. L is a built-in's
 * lock or a defined kind's (`kernel.lock(kind, …)`); a defined kind without a lockdep map
 * (bit_spin_lock) is refused, as `lockdep_assert_held()` of it does not compile in C.
 */
export type HeldCheck<L extends HoldableLock, S extends CtxState, What extends string> = L extends AnyLock
  ? HeldInS<L, S, What>
  : HasMap<L> extends true
    ? HeldInS<L, S, What>
    : NoMapError<L, What>

type NotHeldInS<L extends HoldableLock, S extends CtxState> = string extends S['held']
  ? unknown
  : [L['name']] extends [S['held']]
    ? LockproofError<`lockdep_assert_not_held(${L['name']}): ${Label<L>} is held here, so the kernel's WARN_ON() fires`>
    : unknown

/** `unknown` when class L is not held in S, else the error (a defined kind without a lockdep map: refused). */
export type NotHeldCheck<L extends HoldableLock, S extends CtxState> = L extends AnyLock
  ? NotHeldInS<L, S>
  : HasMap<L> extends true
    ? NotHeldInS<L, S>
    : NoMapError<L, 'lockdep_assert_not_held'>

type IrqsCheck<S extends CtxState> = true extends S['irq']
  ? unknown
  : LockproofError<`lockdep_assert_irqs_disabled(): interrupts are not disabled on both kernels here (${S['why']})${S['irq'] extends IrqOffOnOne ? ': off on a normal kernel only, spinlock_t-style _irqsave and threadable handlers leave them on under PREEMPT_RT' : ''}`>

type PreemptCheck<S extends CtxState> = S['preempt'] extends false
  ? LockproofError<`lockdep_assert_preemption_disabled(): preemption is not disabled on both kernels here (${S['why']}); spinlock_t, rwlock_t and local_lock_t leave it on under PREEMPT_RT`>
  : unknown

/** `!in_softirq()` is softirq_count() == 0: interrupts off alone leave it 0 (the state's `bh` is true there). */
type SoftirqCheck<S extends CtxState> =
  InInterrupt<S> extends false
    ? LockproofError<`lockdep_assert_in_softirq(): not in softirq context and bottom halves are not disabled here (${S['why']})${S['bh'] extends true ? ': interrupts off keep softirqs away but leave softirq_count() at 0' : ''}`>
    : S['exec'] extends 'hardirq' | 'nmi'
      ? LockproofError<`lockdep_assert_in_softirq(): in ${S['exec']} context, where the kernel's WARN_ON_ONCE() fires (in_hardirq() || in_nmi())`>
      : unknown

const siteOf = (ctx: unknown, assertion: string): AssertSite => assertSite(ScopeContext.from(ctx, assertion), assertion)

/** `lockdep_is_held_type(lock, read)`: -1 any mode, 0 write, 1 read (held_locks[] of the context's task). */
const isHeld = (site: AssertSite, lock: unknown, assertion: string, read: -1 | 0 | 1): boolean => {
  const runtime = typeof lock === 'object' && lock !== null ? lockRuntimeOf(lock) : undefined
  if (runtime === undefined) throw new InvalidArgumentError(`${assertion}: expected a lock made by a kernel (spinLock(), mutex(), …)`)
  if (!runtime.ownsCpu(site.cpu)) throw new ForeignContextError(`${assertion}: the lock belongs to another kernel than the context`)
  refuseMapless(runtime, assertion)
  return site.held.some((h) => h.lock === runtime.id && (read === -1 || (h.mode === 'read' ? 1 : 0) === read))
}

const heldAssert = (ctx: unknown, lock: unknown, where: string | undefined, fn: string, read: -1 | 0 | 1, want: boolean, once: boolean): void => {
  const name = typeof lock === 'object' && lock !== null ? String((lock as { name?: unknown }).name) : String(lock)
  const assertion = `${fn}(${name})`
  const site = siteOf(ctx, assertion)
  lockdepWarn(site, isHeld(site, lock, assertion, read) !== want, assertion, where ?? fn, once)
}

/**
 * `lockdep_assert_held(lock)`: WARN_ON() unless this task holds `lock` (this instance). A compile
 * error where the context knows its class is not held.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertHeld } from 'lockproof'
 *
 * const kernel = createKernel()
 * const port = kernel.spinLock('port', { tx: 0 })
 * kernel.run((ctx) => port.withLocked(ctx, (ctx) => lockdepAssertHeld(ctx, port))) // holds: silent
 * ```
 */
export const lockdepAssertHeld = <S extends CtxState, L extends HoldableLock>(
  ctx: Context<S> & HeldCheck<L, S, 'lockdep_assert_held'>,
  lock: L,
  where?: string,
): void => heldAssert(ctx, lock, where, 'lockdep_assert_held', -1, true, false)

/**
 * `lockdep_assert_held_once(lock)`: as {@link lockdepAssertHeld}, but WARN_ON_ONCE() (once per `where`).
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertHeldOnce } from 'lockproof'
 *
 * const kernel = createKernel()
 * const port = kernel.spinLock('port', { ier: 0 })
 * kernel.run((ctx) => port.withLockedIrqSave(ctx, (ctx) => lockdepAssertHeldOnce(ctx, port, 'serial8250_set_THRI')))
 * ```
 */
export const lockdepAssertHeldOnce = <S extends CtxState, L extends HoldableLock>(
  ctx: Context<S> & HeldCheck<L, S, 'lockdep_assert_held_once'>,
  lock: L,
  where?: string,
): void => heldAssert(ctx, lock, where, 'lockdep_assert_held_once', -1, true, true)

/**
 * `lockdep_assert_not_held(lock)`: WARN_ON() if this task holds `lock`.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertNotHeld } from 'lockproof'
 *
 * const kernel = createKernel()
 * const cfg = kernel.mutex('cfg', 0)
 * kernel.run((ctx) => lockdepAssertNotHeld(ctx, cfg)) // nothing held: silent
 * ```
 */
export const lockdepAssertNotHeld = <S extends CtxState, L extends HoldableLock>(ctx: Context<S> & NotHeldCheck<L, S>, lock: L, where?: string): void =>
  heldAssert(ctx, lock, where, 'lockdep_assert_not_held', -1, false, false)

/**
 * `lockdep_assert_held_read(lock)`: WARN_ON() unless this task holds `lock` for read
 * (`lockdep_is_held_type(l, 1)`; the mode is checked at run time only).
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertHeldRead } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', 0)
 * kernel.run((ctx) => mm.withRead(ctx, (ctx) => lockdepAssertHeldRead(ctx, mm)))
 * ```
 */
export const lockdepAssertHeldRead = <S extends CtxState, L extends HoldableLock>(
  ctx: Context<S> & HeldCheck<L, S, 'lockdep_assert_held_read'>,
  lock: L,
  where?: string,
): void => heldAssert(ctx, lock, where, 'lockdep_assert_held_read', 1, true, false)

/**
 * `lockdep_assert_held_write(lock)`: WARN_ON() unless this task holds `lock` for write
 * (`lockdep_is_held_type(l, 0)`; the mode is checked at run time only).
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertHeldWrite } from 'lockproof'
 *
 * const kernel = createKernel()
 * const mm = kernel.rwSemaphore('mmap_lock', 0)
 * kernel.run((ctx) => mm.withWrite(ctx, (ctx) => lockdepAssertHeldWrite(ctx, mm)))
 * ```
 */
export const lockdepAssertHeldWrite = <S extends CtxState, L extends HoldableLock>(
  ctx: Context<S> & HeldCheck<L, S, 'lockdep_assert_held_write'>,
  lock: L,
  where?: string,
): void => heldAssert(ctx, lock, where, 'lockdep_assert_held_write', 0, true, false)

/**
 * `lockdep_assert_irqs_disabled()`: WARN_ON_ONCE() while interrupts are on. A compile error
 * where the state shows they are not off on both kernels.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertIrqsDisabled } from 'lockproof'
 *
 * const kernel = createKernel()
 * const hw = kernel.rawSpinLock('hw', 0)
 * kernel.run((ctx) => hw.withLockedIrqSave(ctx, (ctx) => lockdepAssertIrqsDisabled(ctx)))
 * ```
 */
export const lockdepAssertIrqsDisabled = <S extends CtxState>(ctx: Context<S> & IrqsCheck<S>, where?: string): void => {
  const assertion = 'lockdep_assert_irqs_disabled()'
  const site = siteOf(ctx, assertion)
  lockdepWarn(site, !site.cpu.irqsDisabled, assertion, where ?? 'lockdep_assert_irqs_disabled', true)
}

/**
 * `lockdep_assert_preemption_disabled()`: WARN_ON_ONCE() while `preempt_count() == 0` and
 * interrupts are on (`preemptible()`).
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertPreemptionDisabled } from 'lockproof'
 *
 * createKernel().run((ctx) => ctx.preemptDisable((ctx) => lockdepAssertPreemptionDisabled(ctx)))
 * ```
 */
export const lockdepAssertPreemptionDisabled = <S extends CtxState>(ctx: Context<S> & PreemptCheck<S>, where?: string): void => {
  const assertion = 'lockdep_assert_preemption_disabled()'
  const site = siteOf(ctx, assertion)
  lockdepWarn(site, site.cpu.preemptible(), assertion, where ?? 'lockdep_assert_preemption_disabled', true)
}

/**
 * `lockdep_assert_in_softirq()`: WARN_ON_ONCE() unless `in_softirq()` (serving softirqs or bottom
 * halves disabled) and not in hardirq or NMI context.
 *
 * @example
 * ```ts
 * import { createKernel, lockdepAssertInSoftirq } from 'lockproof'
 *
 * createKernel().run((ctx) => ctx.localBhDisable((ctx) => lockdepAssertInSoftirq(ctx)))
 * ```
 */
export const lockdepAssertInSoftirq = <S extends CtxState>(ctx: Context<S> & SoftirqCheck<S>, where?: string): void => {
  const assertion = 'lockdep_assert_in_softirq()'
  const site = siteOf(ctx, assertion)
  const { cpu } = site
  lockdepWarn(site, !cpu.inSoftirq() || cpu.inHardirq() || cpu.inNmi(), assertion, where ?? 'lockdep_assert_in_softirq', true)
}
