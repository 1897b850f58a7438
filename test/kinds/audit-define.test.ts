/**
 * An outside audit of defineLockKind()'s validation (#18 item 2, auditkinds): the run-time twins
 * of type-tests/audit-kinds-define.test-d.ts, for untyped callers — the same four errors the issue
 * names, in the forms the existing tests did not cover, each refused with its named error and
 * without entering the registry, and the nearest valid specs accepted.
 */
import { describe, expect, it } from 'vitest'
import { defineLockKind, OneConfigurationError, UnbalancedStepsError, UnknownStepError, WaitTypeMismatchError } from '../../src/index.js'

/** defineLockKind as an untyped caller sees it. */
const define = defineLockKind as unknown as (spec: unknown) => object

const PLAIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] }
const SLEEP = { lock: ['might_sleep', 'acquire'], unlock: ['release'] }
const base = (kind: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind,
  label: kind,
  category: { normal: 'spinning', rt: 'spinning' },
  wait: 'spin',
  variants: { plain: { normal: PLAIN, rt: PLAIN } },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' },
  trylock: null,
  requires: [],
  data: 'shared',
  methods: { withLocked: ['plain', 'write'] },
  guards: {},
  annotated: {},
  ...over,
})
const sleeping = (kind: string, over: Record<string, unknown> = {}) =>
  base(kind, {
    category: { normal: 'sleeping', rt: 'sleeping' },
    wait: 'sleep',
    variants: { plain: { normal: SLEEP, rt: SLEEP } },
    lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' },
    ...over,
  })

/** Refused with `error` and `message`, and not entered: the same name with a valid spec is then accepted. */
const refused = (spec: Record<string, unknown>, error: new (m: string) => Error, message: string): void => {
  expect(() => define(spec)).toThrow(error)
  expect(() => define(spec)).toThrow(message)
  expect(() => define(base(String(spec.kind)))).not.toThrow()
}

describe('defineLockKind(): the issue’s four errors, as an untyped caller meets them', () => {
  it('unlock steps that do not undo the lock steps: an unlock step in the lock sequence, a missing release, the read side', () => {
    refused(
      base('ar_undo_in_lock', { variants: { plain: { normal: { lock: ['preempt_enable', 'acquire'], unlock: ['release'] }, rt: PLAIN } } }),
      UnbalancedStepsError,
      "defineLockKind(ar_undo_in_lock): variants.plain.normal.lock performs 'preempt_enable', an unlock step, which nothing in the lock sequence calls for",
    )
    refused(
      base('ar_no_release', { variants: { plain: { normal: PLAIN, rt: { lock: ['preempt_disable', 'acquire'], unlock: ['preempt_enable'] } } } }),
      UnbalancedStepsError,
      "variants.plain.rt.unlock does not undo the lock steps: 'acquire' ×1 needs 'release' ×1 in the unlock sequence, found ×0",
    )
    refused(
      base('ar_read_unbalanced', { readVariants: { plain: { normal: { lock: ['rcu_read_lock', 'acquire'], unlock: ['release'] }, rt: PLAIN } } }),
      UnbalancedStepsError,
      "readVariants.plain.normal.unlock does not undo the lock steps: 'rcu_read_lock' ×1 needs 'rcu_read_unlock' ×1",
    )
    expect(() => define(sleeping('ar_checks'))).not.toThrow()
  })

  it('a variant (or the category) on one configuration only', () => {
    refused(base('ar_read_onecfg', { readVariants: { plain: { rt: PLAIN } } }), OneConfigurationError, 'readVariants.plain has sequences for PREEMPT_RT only')
    refused(
      base('ar_cat_onecfg', { category: { normal: 'spinning' } }),
      OneConfigurationError,
      'defineLockKind(ar_cat_onecfg): category gives no value for PREEMPT_RT',
    )
    expect(() => define(base('ar_read_both', { readVariants: { plain: { normal: PLAIN, rt: PLAIN } } }))).not.toThrow()
  })

  it("a sleeping kind with a spinning wait type in the lockdep map's wait_type_inner (and the converse); LD_WAIT_INV and no map contradict nothing", () => {
    refused(
      sleeping('ar_ld_spin', { lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' } }),
      WaitTypeMismatchError,
      "a sleeping kind on a normal kernel with a spinning wait type (lockdep.waitInner 'spin')",
    )
    refused(
      sleeping('ar_ld_config', { lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' } }),
      WaitTypeMismatchError,
      "a sleeping kind on a normal kernel with a spinning wait type (lockdep.waitInner 'config')",
    )
    refused(
      base('ar_ld_sleep', { lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' } }),
      WaitTypeMismatchError,
      "a spinning kind on a normal kernel with a sleeping wait type (lockdep.waitInner 'sleep')",
    )
    expect(() => define(sleeping('ar_ld_inv', { lockdep: { waitInner: 'inv', waitOuter: null, lockType: 'normal' } }))).not.toThrow()
    expect(() => define(base('ar_ld_none', { lockdep: null }))).not.toThrow()
  })

  it('an unknown step, in an unlock sequence and on the read side', () => {
    refused(
      base('ar_unknown_unlock', {
        variants: { plain: { normal: PLAIN, rt: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enabel'] } } },
      }),
      UnknownStepError,
      "defineLockKind(ar_unknown_unlock): variants.plain.rt.unlock: unknown step 'preempt_enabel'",
    )
    refused(
      base('ar_unknown_read', { readVariants: { plain: { normal: { lock: ['rcu_lock', 'acquire'], unlock: ['release'] }, rt: PLAIN } } }),
      UnknownStepError,
      "readVariants.plain.normal.lock: unknown step 'rcu_lock'",
    )
  })
})
