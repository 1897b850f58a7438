/**
 * The model kernel's sequence-lock factories (plugged in src/exec/model/factories.ts): the same
 * Sequence and rules as createKernel()'s, every call that may wait an operation. The seqlock_t's
 * spinlock_t is a model lock runtime (its `withLockOp`), so a writer and the RT reader's
 * lock-and-drop wait as any model lock does.
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import type { Op } from '../exec/wait.js'
import type { ModelHost } from '../ww/model.js'
import { ForeignContextError, InvalidArgumentError } from '../errors.js'
import { lockdepAssertHeld, lockdepAssertPreemptionDisabled } from '../helpers/assert.js'
import { KIND_SPECS } from '../kinds/registry.js'
import { runtimeOf } from '../locks/api.js'
import type { LockRuntime } from '../locks/lock.js'
import { newLockRuntime } from '../locks/new-lock.js'
import type { CtxState } from '../rules/state.js'
import type { ModelSeqCount, ModelSeqCountLocked, ModelSeqLock, ModelSeqLockKind } from './model-api.js'
import { readBeginOp, readLoopOp, readRetry, sectionArg, writeSectionOp } from './sections.js'
import { readerTakesLock, SEQPROP } from './seqprop.js'
import { type LockUnlockOp, Sequence } from './sequence.js'

type Cb = (ctx: Context<CtxState>, data: unknown) => unknown
const assertPreemptionDisabled = lockdepAssertPreemptionDisabled as (ctx: unknown, where: string) => void
const assertHeld = lockdepAssertHeld as (ctx: unknown, lock: unknown, where: string) => void

/** `runtime.withLockOp()` of one of its methods: the lock, `cb` inside (a generator section). */
const lockOpOf = (runtime: LockRuntime<unknown>, method: string, variant: 'plain' | 'irq' | 'irqsave' | 'bh') => {
  const ops = runtime.compile(method, variant, 'write', false)
  return (ctx: Context<CtxState>, cb: (ctx: Context<CtxState>, data: unknown) => Op<unknown>): Op<unknown> =>
    runtime.withLockOp(ScopeContext.from(ctx, ops.op), ops, cb)
}

function* nothing(): Op<undefined> {
  return undefined
}

/** `seqlock_init()` in a model. */
export const seqlockFactory =
  (host: ModelHost) =>
  <const N extends string, D>(name: N, data: D): ModelSeqLock<N, D> => {
    const runtime = newLockRuntime(host.lockHost, KIND_SPECS.spinlock_t, name, data)
    const seq = new Sequence(host.lockHost, 'seqlock_t', name, `${name}.seqcount`)
    seq.waker = host.waker
    const plain = lockOpOf(runtime, 'withLocked', 'plain')
    const lockUnlock: LockUnlockOp | null = host.lockHost.options.preemptRt ? (ctx) => plain(ctx, nothing) as Op<void> : null
    const o: Record<string, unknown> = { kind: 'seqlock_t', name, data }
    const writers = [
      ['writeSeqlock', 'withLocked', 'plain', 'write_seqlock'],
      ['writeSeqlockIrq', 'withLockedIrq', 'irq', 'write_seqlock_irq'],
      ['writeSeqlockIrqSave', 'withLockedIrqSave', 'irqsave', 'write_seqlock_irqsave'],
      ['writeSeqlockBh', 'withLockedBh', 'bh', 'write_seqlock_bh'],
    ] as const
    for (const [method, spinMethod, variant, fn] of writers) {
      const take = lockOpOf(runtime, spinMethod, variant)
      const op = `${fn}(${name})`
      o[method] = (ctx: unknown, cb: unknown) => {
        seq.cpuOf(ctx, op)
        const section = sectionArg<unknown>(op, cb) as Cb
        return host.track(
          take(ctx as Context<CtxState>, (ctx, d) => writeSectionOp(seq, op, ctx, section, d, false)),
          `${op}(ctx, …)`,
        )
      }
    }
    o.readSeqlockExcl = (ctx: unknown, cb: unknown) => {
      const op = `read_seqlock_excl(${name})`
      seq.cpuOf(ctx, op)
      return host.track(plain(ctx as Context<CtxState>, sectionArg<unknown>(op, cb) as (ctx: Context<CtxState>, d: unknown) => Op<unknown>), `${op}(ctx, …)`)
    }
    o.read = (ctx: unknown, fn: unknown) => host.track(readLoopOp(seq, `read_seqbegin(${name})`, ctx, fn, data, lockUnlock), `read_seqbegin(${name})`)
    o.readSeqbegin = (ctx: unknown) => host.track(readBeginOp(seq, `read_seqbegin(${name})`, ctx, lockUnlock, false), `read_seqbegin(${name})`)
    o.readSeqretry = (ctx: unknown, start: unknown) => readRetry(seq, `read_seqretry(${name})`, ctx, start)
    Object.defineProperty(o, 'sequence', { get: () => seq.value, enumerable: true })
    return Object.freeze(o) as unknown as ModelSeqLock<N, D>
  }

/** The readers and writers every model seqcount has; `write` adds the kind's assertion. */
const modelSeqcount = (
  host: ModelHost,
  seq: Sequence,
  kind: string,
  name: string,
  data: unknown,
  lockUnlock: LockUnlockOp | null,
  check: (ctx: unknown) => void,
): Record<string, unknown> => {
  const writer = (raw: boolean) => (ctx: unknown, cb: unknown) => {
    const op = `${raw ? 'raw_' : ''}write_seqcount_begin(${name})`
    seq.cpuOf(ctx, op)
    const section = sectionArg<unknown>(op, cb) as Cb
    if (!raw) check(ctx)
    return host.track(writeSectionOp(seq, op, ctx as Context<CtxState>, section, data, raw), `${op}(ctx, …)`)
  }
  const o: Record<string, unknown> = {
    kind,
    name,
    data,
    write: writer(false),
    rawWrite: writer(true),
    read: (ctx: unknown, fn: unknown) => host.track(readLoopOp(seq, `read_seqcount_begin(${name})`, ctx, fn, data, lockUnlock), `read_seqcount_begin(${name})`),
    readBegin: (ctx: unknown) => host.track(readBeginOp(seq, `read_seqcount_begin(${name})`, ctx, lockUnlock, false), `read_seqcount_begin(${name})`),
    rawReadBegin: (ctx: unknown) => host.track(readBeginOp(seq, `raw_read_seqcount_begin(${name})`, ctx, lockUnlock, true), `raw_read_seqcount_begin(${name})`),
    readRetry: (ctx: unknown, start: unknown) => readRetry(seq, `read_seqcount_retry(${name})`, ctx, start),
  }
  Object.defineProperty(o, 'sequence', { get: () => seq.value, enumerable: true })
  return o
}

/** `seqcount_init()` in a model. */
export const seqcountFactory =
  (host: ModelHost) =>
  <const N extends string, D>(name: N, data: D): ModelSeqCount<N, D> => {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('seqcount_t: the class name must be a non-empty string')
    const seq = new Sequence(host.lockHost, 'seqcount_t', name, name)
    seq.waker = host.waker
    return Object.freeze(
      modelSeqcount(host, seq, 'seqcount_t', name, data, null, (ctx) => assertPreemptionDisabled(ctx, `write_seqcount_begin(${name})`)),
    ) as unknown as ModelSeqCount<N, D>
  }

/** `seqcount_LOCKNAME_init(s, lock)` in a model, for a lock kind that never makes the writer disable preemption. */
const seqcountLockedFactory =
  <LK extends ModelSeqLockKind>(kind: LK) =>
  (host: ModelHost) =>
  <const N extends string, LN extends string, D>(name: N, lock: { readonly kind: LK; readonly name: LN }, data: D): ModelSeqCountLocked<LK, N, LN, D> => {
    const p = SEQPROP[kind]
    const what = `seqcount_${p.lockname}_init(${String(name)})`
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`${what}: the class name must be a non-empty string`)
    const runtime = runtimeOf(what, lock)
    if (runtime.kind !== kind) throw new InvalidArgumentError(`${what}: the associated lock must be a ${kind}, not ${runtime.label}`)
    if (!runtime.ownsCpu(host.lockHost.cpus[0] as Parameters<typeof runtime.ownsCpu>[0]))
      throw new ForeignContextError(`${what}: the associated lock belongs to another model`)
    const typeName = `seqcount_${p.lockname}_t`
    const seq = new Sequence(host.lockHost, typeName, name, `${name}.seqcount`)
    seq.waker = host.waker
    const take = (lock as unknown as Record<string, (ctx: unknown, cb: () => Op<undefined>) => Op<void>>)[p.lockbase]
    const lockUnlock: LockUnlockOp | null = readerTakesLock(p, host.lockHost.options.preemptRt) && take !== undefined ? (ctx) => take(ctx, nothing) : null
    const o = modelSeqcount(host, seq, typeName, name, data, lockUnlock, (ctx) => assertHeld(ctx, lock, `write_seqcount_begin(${name})`))
    o.lock = runtime.name
    return Object.freeze(o) as unknown as ModelSeqCountLocked<LK, N, LN, D>
  }

export const seqcountRawSpinlockFactory = seqcountLockedFactory('raw_spinlock_t')
export const seqcountSpinlockFactory = seqcountLockedFactory('spinlock_t')
export const seqcountRwlockFactory = seqcountLockedFactory('rwlock_t')
