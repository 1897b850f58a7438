/**
 * The open registry of lock kinds: every kind `defineLockKind()` accepted (the seven built-ins
 * first), by kind name. The lock runtime, lockdep's class types and the reports look a kind up
 * here by the name its locks and held-lock entries carry. A leaf module (it imports only the
 * errors), so
 * the built-ins, lockdep and the runtime can all read it without a cycle.
 */
import { InvalidArgumentError } from '../errors.js'
import type { LockKindSpec } from './spec.js'

const DEFINED = new Map<string, LockKindSpec>()

/** The spec defined under `kind`, or undefined. */
export const definedKind = (kind: string): LockKindSpec | undefined => DEFINED.get(kind)

/** Enters a checked spec. */
export const enterKind = (spec: LockKindSpec): void => {
  DEFINED.set(spec.kind, spec)
}

/**
 * `kind` as a defined kind's spec: the very object `defineLockKind()` returned (so checked and
 * frozen), else a named error for an untyped caller.
 */
export const definedSpec = (what: string, kind: unknown): LockKindSpec => {
  const name = typeof kind === 'object' && kind !== null ? (kind as { kind?: unknown }).kind : undefined
  if (typeof name !== 'string' || DEFINED.get(name) !== kind) {
    throw new InvalidArgumentError(
      `${what}: the kind must be one made by defineLockKind() (or a built-in's spec), not ${typeof kind === 'object' ? 'a plain object' : String(kind)}`,
    )
  }
  return kind as LockKindSpec
}
