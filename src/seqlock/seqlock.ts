/**
 * `seqlock_t` (include/linux/seqlock.h): `{ seqcount_spinlock_t seqcount; spinlock_t lock; }`.
 * Writers are `spin_lock*(&sl->lock)` then `do_write_seqcount_begin()` — the internal begin, so
 * no `lockdep_assert_held()` and no preemption handling of their own: the write section's
 * context is exactly the spin_lock variant's on each kernel. Unlocks mirror it
 * (`do_write_seqcount_end()` first). Locking readers are the plain spin_lock*() variants.
 * Readers are `read_seqcount_begin(&sl->seqcount)`: on PREEMPT_RT a reader that finds a write in
 * progress takes and drops `sl->lock` (`__seqprop_spinlock_sequence()`, preemptible = __SEQ_RT).
 */
import type { Context } from '../exec/context.js'
import type { LockHost } from '../locks/lock.js'
import type { SyncDrive } from '../exec/sync-wait.js'
import type { CtxState } from '../rules/state.js'
import { readBegin, readLoop, readRetry, sectionArg, syncLockUnlock, writeSection } from './sections.js'
import { Sequence } from './sequence.js'

/** A lock's methods as the runtime calls them (the typed ones check nesting at compile time). */
export type LockMethods = Readonly<Record<string, (ctx: Context<CtxState>, cb: (ctx: Context<CtxState>, data: unknown) => unknown) => unknown>>

const WRITERS = [
  ['writeSeqlock', 'withLocked', 'write_seqlock'],
  ['writeSeqlockIrq', 'withLockedIrq', 'write_seqlock_irq'],
  ['writeSeqlockIrqSave', 'withLockedIrqSave', 'write_seqlock_irqsave'],
  ['writeSeqlockBh', 'withLockedBh', 'write_seqlock_bh'],
] as const

const EXCL_READERS = [
  ['readSeqlockExcl', 'withLocked'],
  ['readSeqlockExclIrq', 'withLockedIrq'],
  ['readSeqlockExclIrqSave', 'withLockedIrqSave'],
  ['readSeqlockExclBh', 'withLockedBh'],
] as const

/** Builds the frozen seqlock_t object around its spinlock_t (made by the kernel under the same class name). */
export const buildSeqlock = (host: LockHost, spin: LockMethods, name: string, data: unknown, drive: SyncDrive): object => {
  const seq = new Sequence(host, 'seqlock_t', name, `${name}.seqcount`)
  const lock = (method: string) => spin[method] as LockMethods[string]
  const lockUnlock = host.options.preemptRt ? syncLockUnlock(lock('withLocked')) : null
  const lockObject: Record<string, unknown> = { kind: 'seqlock_t', name, data }
  for (const [method, spinMethod, fn] of WRITERS) {
    const op = `${fn}(${name})`
    const take = lock(spinMethod)
    lockObject[method] = (ctx: unknown, cb: unknown) => {
      seq.cpuOf(ctx, op)
      const section = sectionArg(op, cb)
      return take(ctx as Context<CtxState>, (ctx, d) => writeSection(seq, op, ctx, section, d, false))
    }
  }
  for (const [method, spinMethod] of EXCL_READERS) lockObject[method] = lock(spinMethod)
  lockObject.read = (ctx: unknown, fn: unknown) => readLoop(seq, drive, `read_seqbegin(${name})`, ctx, fn, data, lockUnlock)
  lockObject.readSeqbegin = (ctx: unknown) => readBegin(seq, drive, `read_seqbegin(${name})`, ctx, lockUnlock, false)
  lockObject.readSeqretry = (ctx: unknown, start: unknown) => readRetry(seq, `read_seqretry(${name})`, ctx, start)
  Object.defineProperty(lockObject, 'sequence', { get: () => seq.value, enumerable: true })
  return Object.freeze(lockObject)
}
