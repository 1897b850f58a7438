// An outside audit of defineLockKind()'s validation (#18 item 2, auditkinds): each error the
// issue names, at compile time wherever a type can tell, in the forms the existing tests
// (define-kind.test-d.ts) did not cover, each next to its nearest valid spec. The run-time side:
// test/kinds/audit-define.test.ts.
import { expectError } from 'tsd'
import { defineLockKind, type LockKindSpec } from '../src/index.js'

const PLAIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] } as const
const SLEEP = { lock: ['might_sleep', 'acquire'], unlock: ['release'] } as const
const BASE = {
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
} as const
const SLEEPING = {
  ...BASE,
  category: { normal: 'sleeping', rt: 'sleeping' },
  wait: 'sleep',
  variants: { plain: { normal: SLEEP, rt: SLEEP } },
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' },
} as const

// ── unlock steps that do not undo the lock steps ────────────────────────────────────────
// An unlock step in the lock sequence undoes nothing the lock did.
const undoInLock = {
  ...BASE,
  kind: 'ad_undo_in_lock',
  label: 'x',
  variants: { plain: { normal: { lock: ['preempt_enable', 'acquire'], unlock: ['release'] }, rt: PLAIN } },
} as const
// @expect-error defineLockKind(ad_undo_in_lock): plain (normal): the lock steps perform 'preempt_enable', an unlock step, which nothing in the lock sequence calls for
expectError(defineLockKind(undoInLock))
const noRelease = {
  ...BASE,
  kind: 'ad_no_release',
  label: 'x',
  variants: { plain: { normal: PLAIN, rt: { lock: ['preempt_disable', 'acquire'], unlock: ['preempt_enable'] } } },
} as const
// @expect-error defineLockKind(ad_no_release): plain (rt): the unlock steps do not undo the lock steps: 'release' is missing
expectError(defineLockKind(noRelease))
const readUnbalanced = {
  ...BASE,
  kind: 'ad_read_unbalanced',
  label: 'x',
  readVariants: { plain: { normal: { lock: ['rcu_read_lock', 'acquire'], unlock: ['release'] }, rt: PLAIN } },
} as const
// @expect-error defineLockKind(ad_read_unbalanced): plain (normal): the unlock steps do not undo the lock steps: 'rcu_read_unlock' is missing
expectError(defineLockKind(readUnbalanced))
// Valid: a wait check (might_sleep) needs no undo.
defineLockKind({ ...SLEEPING, kind: 'ad_checks', label: 'x' })

// ── a variant on one configuration only ─────────────────────────────────────────────────
// @expect-error defineLockKind(ad_read_onecfg): the read variant 'plain' has sequences for one configuration only (a variant needs normal and rt)
expectError(defineLockKind({ ...BASE, kind: 'ad_read_onecfg', label: 'x', readVariants: { plain: { rt: PLAIN } } }))
// @expect-error defineLockKind(ad_cat_onecfg): the category gives no value for rt (a kind needs normal and rt)
expectError(defineLockKind({ ...BASE, kind: 'ad_cat_onecfg', label: 'x', category: { normal: 'spinning' } }))
// Valid: a read side with both configurations.
defineLockKind({ ...BASE, kind: 'ad_read_both', label: 'x', readVariants: { plain: { normal: PLAIN, rt: PLAIN } } })

// ── a sleeping kind with a spinning wait type ───────────────────────────────────────────
// The lockdep map's wait_type_inner contradicts the category as the compile-time wait type would.
// @expect-error defineLockKind(ad_ld_spin): a sleeping kind with a spinning wait type (lockdep.waitInner 'spin' on
expectError(defineLockKind({ ...SLEEPING, kind: 'ad_ld_spin', label: 'x', lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' } }))
// LD_WAIT_CONFIG spins on a normal kernel: wrong for a kind that sleeps there.
// @expect-error defineLockKind(ad_ld_config): a sleeping kind with a spinning wait type (lockdep.waitInner 'config' on normal)
expectError(defineLockKind({ ...SLEEPING, kind: 'ad_ld_config', label: 'x', lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' } }))
// @expect-error defineLockKind(ad_ld_sleep): a spinning kind with a sleeping wait type (lockdep.waitInner 'sleep' on
expectError(defineLockKind({ ...BASE, kind: 'ad_ld_sleep', label: 'x', lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' } }))
// Valid: LD_WAIT_INV (lockdep_init_map(): percpu_rw_semaphore) is not wait-checked, so it contradicts nothing.
defineLockKind({ ...SLEEPING, kind: 'ad_ld_inv', label: 'x', lockdep: { waitInner: 'inv', waitOuter: null, lockType: 'normal' } })
// Valid: no lockdep map at all (bit_spin_lock).
defineLockKind({ ...BASE, kind: 'ad_ld_none', label: 'x', lockdep: null })
// Valid: spinning on a normal kernel and sleeping on RT with LD_WAIT_CONFIG in both places (spinlock_t).
defineLockKind({
  ...BASE,
  kind: 'ad_config',
  label: 'x',
  category: { normal: 'spinning', rt: 'sleeping' },
  wait: 'config',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
})

// ── an unknown step ─────────────────────────────────────────────────────────────────────
const unknownUnlock = {
  ...BASE,
  kind: 'ad_unknown_unlock',
  label: 'x',
  variants: { plain: { normal: PLAIN, rt: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enabel'] } } },
} as const
// @expect-error defineLockKind(ad_unknown_unlock): unknown step 'preempt_enabel'
expectError(defineLockKind(unknownUnlock))
const unknownRead = {
  ...BASE,
  kind: 'ad_unknown_read',
  label: 'x',
  readVariants: { plain: { normal: { lock: ['rcu_lock', 'acquire'], unlock: ['release'] }, rt: PLAIN } },
} as const
// @expect-error defineLockKind(ad_unknown_read): unknown step 'rcu_lock'
expectError(defineLockKind(unknownRead))

// A spec whose type is not literal (its kind any string: built at run time, as the design check's
// twins are) cannot be told apart here: it compiles, and the run time checks it.
declare const wide: LockKindSpec
defineLockKind(wide)
