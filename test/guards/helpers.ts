/** Shared helpers for the guard tests: plain-JavaScript views of the typed guard API. */
import type { Kernel } from '../../src/index.js'
import type { LockKind } from '../../src/kinds/lock-kinds.js'

/** A guard as a plain-JavaScript caller sees it. */
export interface LooseGuard {
  readonly ctx: unknown
  readonly data: unknown
  readonly held: boolean
  unlock(): void
  [Symbol.dispose](): void
}

/** A guard method without the type rules: (ctx) => guard. */
export type LooseGuardMethod = (ctx: unknown) => LooseGuard

/** `lock[method]` as a JavaScript caller that ignores the types would call it. */
export const looseGuard = (lock: object, method: string): LooseGuardMethod => {
  const fn = (lock as unknown as Record<string, LooseGuardMethod | undefined>)[method]
  if (typeof fn !== 'function') throw new Error(`no guard method ${method}`)
  return fn
}

/** One lock of `kind` named `name`, protecting `data` (per-CPU for local_lock_t). */
export const makeLock = (k: Kernel, kind: LockKind, name: string, data: unknown): object => {
  switch (kind) {
    case 'raw_spinlock_t':
      return k.rawSpinLock(name, data)
    case 'spinlock_t':
      return k.spinLock(name, data)
    case 'rwlock_t':
      return k.rwLock(name, data)
    case 'mutex':
      return k.mutex(name, data)
    case 'rw_semaphore':
      return k.rwSemaphore(name, data)
    case 'local_lock_t':
      return k.localLock(name, () => data)
    case 'SpinLockIrq':
      return k.spinLockIrq(name, data)
  }
}

/** Diagnostic kinds in report order. */
export const kinds = (k: Kernel): string[] => k.diagnostics.map((d) => d.kind)

/** The permutations of a list, in lexicographic order of positions. */
export const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1 ? [[...xs]] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]))
