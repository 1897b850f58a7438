/**
 * `seqcount_t` and `seqcount_LOCKNAME_t` (include/linux/seqlock.h). `write_seqcount_begin()` is
 * `seqprop_assert(s); if (seqprop_preemptible(s)) preempt_disable(); do_write_seqcount_begin(…)`:
 * - seqcount_t: `__seqprop_assert()` = `lockdep_assert_preemption_disabled()`, on both kernels;
 *   `__seqprop_preemptible()` = false.
 * - seqcount_LOCKNAME_t: `lockdep_assert_held(s->lock)`; preemption disabled by the writer only
 *   for a mutex on a normal kernel (seqprop.ts).
 * `raw_write_seqcount_begin()` keeps the preemption handling and drops the assertion and lockdep.
 */
import type { Context } from '../exec/context.js'
import { ForeignContextError, InvalidArgumentError } from '../errors.js'
import { lockdepAssertHeld, lockdepAssertPreemptionDisabled } from '../helpers/assert.js'
import { runtimeOf } from '../locks/api.js'
import type { LockHost } from '../locks/lock.js'
import type { SyncDrive } from '../exec/sync-wait.js'
import type { SeqLockKind } from '../rules/seqcount.js'
import type { CtxState } from '../rules/state.js'
import { readBegin, readLoop, readRetry, sectionArg, syncLockUnlock, writeSection } from './sections.js'
import type { LockMethods } from './seqlock.js'
import { readerTakesLock, SEQPROP, writerDisablesPreemption } from './seqprop.js'
import { Sequence, type LockUnlockOp } from './sequence.js'

/** The assertions as the runtime calls them (their compile-time checks are the seqcount rules'). */
const assertPreemptionDisabled = lockdepAssertPreemptionDisabled as (ctx: unknown, where: string) => void
const assertHeld = lockdepAssertHeld as (ctx: unknown, lock: unknown, where: string) => void

type Writer = (ctx: Context<CtxState>, op: string, cb: unknown, raw: boolean) => unknown

/** The readers, the counter and the data: what every seqcount object has. */
const seqcountObject = (
  seq: Sequence,
  drive: SyncDrive,
  kind: string,
  name: string,
  data: unknown,
  lockUnlock: LockUnlockOp | null,
  write: Writer,
): Record<string, unknown> => {
  const o: Record<string, unknown> = {
    kind,
    name,
    data,
    write: (ctx: unknown, cb: unknown) => write(ctx as Context<CtxState>, `write_seqcount_begin(${name})`, cb, false),
    rawWrite: (ctx: unknown, cb: unknown) => write(ctx as Context<CtxState>, `raw_write_seqcount_begin(${name})`, cb, true),
    read: (ctx: unknown, fn: unknown) => readLoop(seq, drive, `read_seqcount_begin(${name})`, ctx, fn, data, lockUnlock),
    readBegin: (ctx: unknown) => readBegin(seq, drive, `read_seqcount_begin(${name})`, ctx, lockUnlock, false),
    rawReadBegin: (ctx: unknown) => readBegin(seq, drive, `raw_read_seqcount_begin(${name})`, ctx, lockUnlock, true),
    readRetry: (ctx: unknown, start: unknown) => readRetry(seq, `read_seqcount_retry(${name})`, ctx, start),
  }
  Object.defineProperty(o, 'sequence', { get: () => seq.value, enumerable: true })
  return o
}

/** `seqcount_init()` / `SEQCNT_ZERO(name)`: the dep_map is named after the counter. */
export const buildSeqcount = (host: LockHost, name: string, data: unknown, drive: SyncDrive): object => {
  const seq = new Sequence(host, 'seqcount_t', name, name)
  return Object.freeze(
    seqcountObject(seq, drive, 'seqcount_t', name, data, null, (ctx, op, cb, raw) => {
      seq.cpuOf(ctx, op)
      const section = sectionArg(op, cb)
      if (!raw) assertPreemptionDisabled(ctx, `write_seqcount_begin(${name})`)
      return writeSection(seq, op, ctx, section, data, raw)
    }),
  )
}

/**
 * `seqcount_LOCKNAME_init(s, lock)` / `SEQCNT_LOCKNAME_ZERO(name, lock)`: the dep_map is
 * `name.seqcount` (`SEQCNT_ZERO(seq_name.seqcount)`), `lock` the associated lock.
 */
export const buildSeqcountLocked = (host: LockHost, kind: SeqLockKind, name: string, lock: unknown, data: unknown, drive: SyncDrive): object => {
  const p = SEQPROP[kind]
  const what = `seqcount_${p.lockname}_init(${name})`
  const runtime = runtimeOf(what, lock)
  if (runtime.kind !== kind) throw new InvalidArgumentError(`${what}: the associated lock must be a ${kind}, not ${runtime.label}`)
  if (!runtime.ownsCpu(host.cpus[0] as Parameters<typeof runtime.ownsCpu>[0])) {
    throw new ForeignContextError(`${what}: the associated lock belongs to another kernel`)
  }
  const typeName = `seqcount_${p.lockname}_t`
  const seq = new Sequence(host, typeName, name, `${name}.seqcount`)
  const methods = lock as LockMethods
  const preemptRt = host.options.preemptRt
  const lockUnlock = readerTakesLock(p, preemptRt) ? syncLockUnlock(methods[p.lockbase] as LockMethods[string]) : null
  const disablesPreemption = writerDisablesPreemption(p, preemptRt)
  const o = seqcountObject(seq, drive, typeName, name, data, lockUnlock, (ctx, op, cb, raw) => {
    seq.cpuOf(ctx, op)
    const section = sectionArg(op, cb)
    if (!raw) assertHeld(ctx, lock, `write_seqcount_begin(${name})`)
    return disablesPreemption ? ctx.preemptDisable((ctx) => writeSection(seq, op, ctx, section, data, raw)) : writeSection(seq, op, ctx, section, data, raw)
  })
  o.lock = runtime.name
  return Object.freeze(o)
}
