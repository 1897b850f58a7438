/**
 * The kind whose locks the design check makes, through the public `k.lock(kind, name, data)` of
 * its models (no privileged path, #18): the kind itself when it offers a callback and a guard for
 * the variant checked, else a twin defined through the public `defineLockKind()` that is the kind
 * plus the missing member under a neutral name, so that a form the kind does not offer
 * (`SPIN_LOCK_IRQ_SAVE` has no guard) is still checked, and marked so in the table.
 */
import { defineLockKind } from '../define.js'
import type { LockKindSpec, MethodEntry, Variant } from '../spec.js'

/** The neutral names of a form the kind does not offer. */
export const NEUTRAL_CALLBACK = 'checkLockDesignCallback'
export const NEUTRAL_GUARD = 'checkLockDesignGuard'

/** The kind to make the locks of, and the names of its callback and guard for the variant. */
export interface DesignLocks {
  readonly kind: LockKindSpec
  readonly callback: string
  readonly guard: string
}

/**
 * The twin's kind name: the kind's, marked. Its label is the kind's, so reports and counterexamples
 * name its locks as the kind's own.
 */
const twinName = (kind: string, variant: Variant): string => `${kind}+checkLockDesign(${variant})`

/** The kind (or its twin) and its member names for `variant`; `callback` / `guard`: what the kind offers, or null. */
export const designLocks = (spec: LockKindSpec, variant: Variant, callback: string | null, guard: string | null): DesignLocks => {
  if (callback !== null && guard !== null) return { kind: spec, callback, guard }
  const entry: MethodEntry = [variant, 'write']
  const twin: LockKindSpec = {
    ...spec,
    kind: twinName(spec.kind, variant),
    methods: callback === null ? { ...spec.methods, [NEUTRAL_CALLBACK]: entry } : spec.methods,
    guards: guard === null ? { ...spec.guards, [NEUTRAL_GUARD]: entry } : spec.guards,
  }
  return { kind: defineLockKind(twin), callback: callback ?? NEUTRAL_CALLBACK, guard: guard ?? NEUTRAL_GUARD }
}
