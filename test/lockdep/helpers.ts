/** Shared helpers for the lockdep tests. */
import { expect } from 'vitest'
import type { Diagnostic, Kernel } from '../../src/index.js'

export { kinds, loose, looseCtx } from '../locks/helpers.js'

export type DiagnosticOf<K extends Diagnostic['kind']> = Extract<Diagnostic, { kind: K }>

/** The one diagnostic of `kind` (fails unless there is exactly one). */
export const only = <K extends Diagnostic['kind']>(k: Kernel, kind: K): DiagnosticOf<K> => {
  const found = k.diagnostics.filter((d): d is DiagnosticOf<K> => d.kind === kind)
  expect(found, `exactly one '${kind}' in ${JSON.stringify(k.diagnostics.map((d) => d.kind))}`).toHaveLength(1)
  return found[0] as DiagnosticOf<K>
}

/** Runs `f` and returns what it threw (fails if it did not throw). */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  expect.fail('expected a throw')
}

export const TITLES = {
  circular: 'WARNING: possible circular locking dependency detected',
  recursive: 'WARNING: possible recursive locking detected',
  inconsistent: 'WARNING: inconsistent lock state',
  inversion: 'WARNING: possible irq lock inversion dependency detected',
  hardirqOrder: 'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected',
  softirqOrder: 'WARNING: SOFTIRQ-safe -> SOFTIRQ-unsafe lock order detected',
  invalidWait: '[ BUG: Invalid wait context ]',
  sleeping: 'BUG: sleeping function called from invalid context',
  maxDepth: 'BUG: MAX_LOCK_DEPTH too low!',
} as const
