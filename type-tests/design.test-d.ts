// checkLockDesign(): what it accepts at compile time — a lock kind (defined, shipped or a
// built-in's spec), options whose variant is one the kind has — and a readable error for anything
// else (the run-time side, for untyped callers: test/kinds/design.test.ts).
import { expectError, expectType } from 'tsd'
import {
  checkLockDesign,
  createKernel,
  defineLockKind,
  formatLockDesign,
  KIND_SPECS,
  type LockDesignVerdict,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../src/index.js'

const PLAIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] } as const
const myKind = defineLockKind({
  kind: 'tt_design_kind',
  label: 'tt_design_kind',
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
  guards: { lock: ['plain', 'write'] },
  annotated: {},
})

// Valid: a kind of one's own, the shipped designs, a built-in's spec with one of its variants.
expectType<LockDesignVerdict>(checkLockDesign(myKind))
checkLockDesign(SPIN_LOCK_IRQ_V6, { kernels: ['rt'], locks: 3, handler: false, maxExecutions: 1000, maxTimeMs: 5000 })
checkLockDesign(SPIN_LOCK_IRQ_SAVE, { secondCpu: true })
checkLockDesign(KIND_SPECS.spinlock_t, { variant: 'irqsave' })
checkLockDesign(KIND_SPECS.raw_spinlock_t, { variant: 'bh' })
expectType<string>(formatLockDesign(checkLockDesign(SPIN_LOCK_IRQ_COUNTED), { style: 'ascii', tables: true }))

// A built-in kind's name is not its spec.
// @expect-error checkLockDesign(): not a lock kind: pass what defineLockKind() returned (or a built-in spec, KIND_SPECS.spinlock_t)
expectError(checkLockDesign('spinlock_t'))
// @expect-error checkLockDesign(): not a lock kind
expectError(checkLockDesign(createKernel()))
// @expect-error checkLockDesign(): not a lock kind
expectError(checkLockDesign({ kind: 'spinlock_t' }))
// A lock is not its kind.
// @expect-error checkLockDesign(): not a lock kind
expectError(checkLockDesign(createKernel().spinLock('s', 0)))
// A variant the kind does not have (the SpinLockIrq designs have plain only).
// @expect-error Type '"irqsave"' is not assignable to type '"plain"'
expectError(checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { variant: 'irqsave' }))
// An option that does not exist.
// @expect-error 'lock' does not exist in type 'CheckLockDesignOptions<"plain">'
expectError(checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { lock: 2 }))
// @expect-error Type '"bsd"' is not assignable to type 'KernelName'
expectError(checkLockDesign(SPIN_LOCK_IRQ_COUNTED, { kernels: ['bsd'] }))
// @expect-error Type '"html"' is not assignable to type
expectError(formatLockDesign(checkLockDesign(SPIN_LOCK_IRQ_COUNTED), { style: 'html' }))
