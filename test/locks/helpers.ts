/** Shared helpers for the lock-layer tests: plain-JavaScript views of typed APIs. */
import type { CpuView, Kernel } from '../../src/index.js'

/** A lock section callback as a plain-JavaScript caller writes it. */
export type Section = (ctx: unknown, data: unknown) => unknown
/** A lock method as a plain-JavaScript caller sees it: (ctx, cb) => result, no type rules. */
export type LooseLockMethod = (ctx: unknown, cb: Section) => unknown

/** `lock[method]` without the type rules (as a JavaScript caller that ignores the types). */
export const loose = (lock: object, method = 'withLocked'): LooseLockMethod => {
  const fn = (lock as unknown as Record<string, LooseLockMethod | undefined>)[method]
  if (typeof fn !== 'function') throw new Error(`no method ${method}`)
  return fn
}

/** A context's sleeping/allocating operations without the type rules. */
export interface LooseCtx {
  msleep(ms: number): void
  mightSleep(): void
  kmalloc(size: number, gfp: string): Uint8Array
  raiseIrq(line: number): void
}
export const looseCtx = (ctx: unknown): LooseCtx => ctx as LooseCtx

/** What the matrix compares inside a section. */
export interface CpuCounters {
  readonly preemptCount: number
  readonly irqsDisabled: boolean
  readonly migrationDisabled: number
  readonly rcuReadLockNesting: number
  readonly softirqCount: number
  readonly softirqDisableCnt: number
}

export const counters = (v: CpuView): CpuCounters => {
  const cur = v.current
  return {
    preemptCount: v.preemptCount,
    irqsDisabled: v.irqsDisabled,
    migrationDisabled: cur.migrationDisabled,
    rcuReadLockNesting: cur.rcuReadLockNesting,
    softirqCount: v.softirqCount(),
    softirqDisableCnt: cur.softirqDisableCnt,
  }
}

/** Diagnostic kinds in report order. */
export const kinds = (k: Kernel): string[] => k.diagnostics.map((d) => d.kind)
