/**
 * The sections every sequence lock shares, in the synchronous flavour: a write section (begin,
 * the callback, end — also when it throws) and the reader's retry loop, whose begin runs on the
 * one synchronous driver (src/exec/sync-wait.ts): a reader that finds a write in progress which
 * cannot end before it returns (its own, or the code it interrupted) spins there for ever, the
 * soft or hard lockup as any spinning wait.
 */
import type { Context } from '../exec/context.js'
import { ScopeContext } from '../exec/scope.js'
import type { SyncDrive } from '../exec/sync-wait.js'
import { type Op, POINT } from '../exec/wait.js'
import { InvalidArgumentError } from '../errors.js'
import type { CtxState } from '../rules/state.js'
import type { LockUnlockOp, Sequence } from './sequence.js'
import { syncReadLoop } from './sync-read-loop.js'

type Section<D> = (ctx: Context<CtxState>, data: D) => unknown

/** A JavaScript caller's callback, checked before anything changes. */
export const sectionArg = <D>(op: string, cb: unknown): Section<D> => {
  if (typeof cb !== 'function') throw new InvalidArgumentError(`${op}: the second argument must be a function`)
  return cb as Section<D>
}

/** Runs `cb` inside the sequence's write section; `raw`: no lockdep (raw_write_seqcount_*). */
export const writeSection = <D>(seq: Sequence, op: string, ctx: Context<CtxState>, cb: Section<D>, data: D, raw: boolean): unknown => {
  if (raw) seq.rawWriteBegin()
  else seq.writeBegin(ctx)
  try {
    return ScopeContext.refuseThenable(op, cb(ctx, data))
  } finally {
    if (raw) seq.rawWriteEnd()
    else seq.writeEnd(ctx)
  }
}

/** `read_seqcount_begin()` (or the raw form), synchronously. */
export const readBegin = (seq: Sequence, drive: SyncDrive, op: string, ctx: unknown, lockUnlock: LockUnlockOp | null, raw: boolean): number => {
  const cpu = seq.cpuOf(ctx, op)
  const c = ctx as Context<CtxState>
  return drive(cpu, raw ? seq.rawReadBegin(c, lockUnlock) : seq.readBegin(c, lockUnlock))
}

/** `read_seqcount_retry()`, for a usable context of this kernel. */
export const readRetry = (seq: Sequence, op: string, ctx: unknown, start: unknown): boolean => {
  seq.cpuOf(ctx, op)
  if (typeof start !== 'number' || !Number.isInteger(start)) throw new InvalidArgumentError(`${op}: the start must be the count a read begin returned`)
  return seq.retry(start)
}

/** The retry loop around a read section. */
export const readLoop = <D>(seq: Sequence, drive: SyncDrive, op: string, ctx: unknown, fn: unknown, data: D, lockUnlock: LockUnlockOp | null): unknown => {
  const cpu = seq.cpuOf(ctx, op)
  const section = sectionArg<D>(op, fn)
  const c = ctx as Context<CtxState>
  return syncReadLoop(
    op,
    () => drive(cpu, seq.readBegin(c, lockUnlock)),
    (start) => seq.retry(start),
    () => ScopeContext.refuseThenable(op, section(c, data)),
  )
}

/**
 * The RT reader's lock-and-drop in the synchronous flavour: the lock method does both, and a
 * contended lock is the synchronous executor's 'blocked' (a deadlock report there). It has no
 * yield of its own: the synchronous flavour waits inside the lock method; a model flavour yields.
 */
export const syncLockUnlock = (take: (ctx: Context<CtxState>, cb: () => undefined) => unknown): LockUnlockOp =>
  function* (ctx) {
    take(ctx, () => undefined)
  }

// ── the model flavour (src/seqlock/model.ts): the same sections as operations ──────────────────

type SectionOp<D> = (ctx: Context<CtxState>, data: D) => unknown

/** A generator's result (what `yield*` can run). */
const isOp = (v: unknown): v is Op<unknown> => typeof v === 'object' && v !== null && typeof (v as { next?: unknown }).next === 'function'

/** The write section around `yield* cb(ctx, data)` (a model's section may wait or be preempted inside). */
export function* writeSectionOp<D>(seq: Sequence, op: string, ctx: Context<CtxState>, cb: SectionOp<D>, data: D, raw: boolean): Op<unknown> {
  if (raw) seq.rawWriteBegin()
  else seq.writeBegin(ctx)
  try {
    const section = cb(ctx, data)
    if (!isOp(section)) throw new InvalidArgumentError(`${op}: in a model the section must be a generator function (function*), run with yield*`)
    return yield* section
  } finally {
    if (raw) seq.rawWriteEnd()
    else seq.writeEnd(ctx)
  }
}

/**
 * The retry loop as an operation: begin (it may spin, or on RT take and drop the lock), a point,
 * the section, a point, retry — the points are where a writer on another CPU (or a preempting
 * one) can overlap the section, as in the kernel, where a reader is preemptible.
 */
export function* readLoopOp<D>(seq: Sequence, op: string, ctx: unknown, fn: unknown, data: D, lockUnlock: LockUnlockOp | null): Op<unknown> {
  seq.cpuOf(ctx, op)
  const section = sectionArg<D>(op, fn)
  const c = ctx as Context<CtxState>
  for (;;) {
    const start = yield* seq.readBegin(c, lockUnlock)
    yield POINT
    const r = ScopeContext.refuseThenable(op, section(c, data))
    yield POINT
    if (!seq.retry(start)) return r
  }
}

/** `read_seqcount_begin()` (or the raw form) as an operation. */
export function* readBeginOp(seq: Sequence, op: string, ctx: unknown, lockUnlock: LockUnlockOp | null, raw: boolean): Op<number> {
  seq.cpuOf(ctx, op)
  const c = ctx as Context<CtxState>
  return yield* raw ? seq.rawReadBegin(c, lockUnlock) : seq.readBegin(c, lockUnlock)
}
