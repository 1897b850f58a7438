// kernel.lockOf(kind): a defined kind's lock factory (src/kinds/factory.ts). Its locks have
// exactly the type kernel.lock(kind, …) gives them, member by member, for every shape lockproof
// ships (src/kinds/shapes.ts) and for any other tables (the mapped type); the kind's rules and
// messages follow (the run-time side: test/kinds/factory.test.ts).
import { expectAssignable, expectError, expectNotAssignable, expectType } from 'tsd'
import {
  BIT_SPIN_LOCK,
  createKernel,
  defineLockKind,
  type BhDisabled,
  type IrqDisabled,
  KIND_SPECS,
  PERCPU_RW_SEMAPHORE,
  type PreemptDisabled,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../src/index.js'
import type { MemberTags } from '../src/kinds/derive.js'
import type { MemberEntriesOf, MemberEntry } from '../src/kinds/derive-named.js'
import type { LockKindSpec } from '../src/kinds/spec.js'
import type { EntriesFor, ShapeFor } from '../src/kinds/factory.js'

/** true when A and B are the same type (not only mutually assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
/** true when I has the same member names as L, and each member the same type. */
type SameLock<I, L> =
  Same<keyof I, keyof L> extends true ? ({ [P in keyof I & keyof L]: Same<I[P], L[P]> }[keyof I & keyof L] extends true ? true : false) : false

const spin = defineLockKind({ ...KIND_SPECS.spinlock_t, kind: 'tf_spin', label: 'tf_spin' })
const raw = defineLockKind({ ...KIND_SPECS.raw_spinlock_t, kind: 'tf_raw', label: 'tf_raw' })
const rw = defineLockKind({ ...KIND_SPECS.rwlock_t, kind: 'tf_rwlock', label: 'tf_rwlock' })
const mtx = defineLockKind({ ...KIND_SPECS.mutex, kind: 'tf_mutex', label: 'mutex' })
const sem = defineLockKind({ ...KIND_SPECS.rw_semaphore, kind: 'tf_rwsem', label: 'tf_rwsem' })
const local = defineLockKind({ ...KIND_SPECS.local_lock_t, kind: 'tf_local', label: 'tf_local' })
const irq = defineLockKind({ ...KIND_SPECS.SpinLockIrq, kind: 'tf_spin_lock_irq', label: 'tf_spin_lock_irq' })
/** Tables of its own (no shape lockproof ships): its locks are the mapped type. */
const own = defineLockKind({
  ...KIND_SPECS.raw_spinlock_t,
  kind: 'tf_own',
  label: 'tf_own',
  methods: { acquire: ['plain', 'write'], acquireIrqSave: ['irqsave', 'write'] },
  guards: { guard: ['plain', 'write'] },
  annotated: {},
})

/** Tables of its own with reads that recurse, guards and annotated methods, under names no shipped kind uses. */
const ownRw = defineLockKind({
  ...KIND_SPECS.rwlock_t,
  kind: 'tf_own_rw',
  label: 'tf_own_rw',
  methods: { reading: ['plain', 'read'], writingIrqSave: ['irqsave', 'write'] },
  guards: { enter: ['bh', 'write'], enterRead: ['plain', 'read'] },
  annotated: { attempt: ['plain', 'write', 'try', true], withAttempt: ['irqsave', 'write', 'try', false], nestedIn: ['plain', 'write', 'nested', false] },
})
/** A shipped table and one method more (the bench's own-table kinds, bench/types/kinds.ts 'own'). */
const custom = defineLockKind({
  ...KIND_SPECS.spinlock_t,
  kind: 'tf_custom',
  label: 'tf_custom',
  methods: { ...KIND_SPECS.spinlock_t.methods, withCustom: ['plain', 'write'] },
})
/** A kind that requires a proof, with a table of its own. */
const ownV6 = defineLockKind({ ...SPIN_LOCK_IRQ_V6, kind: 'tf_own_v6', label: 'tf_own_v6', methods: { section: ['plain', 'write'] }, guards: {} })

// Each kind gets the shape of its tables; tables of its own get the mapped type.
expectType<'spin'>('spin' as ShapeFor<typeof spin>)
expectType<'spin'>('spin' as ShapeFor<typeof raw>)
expectType<'rwlock'>('rwlock' as ShapeFor<typeof rw>)
expectType<'mutex'>('mutex' as ShapeFor<typeof mtx>)
expectType<'rwsem'>('rwsem' as ShapeFor<typeof sem>)
expectType<'local'>('local' as ShapeFor<typeof local>)
expectType<'plain'>('plain' as ShapeFor<typeof irq>)
expectType<'plain'>('plain' as ShapeFor<typeof SPIN_LOCK_IRQ_COUNTED>)
expectType<'callback'>('callback' as ShapeFor<typeof SPIN_LOCK_IRQ_SAVE>)
expectType<'requiring'>('requiring' as ShapeFor<typeof SPIN_LOCK_IRQ_V6>)
expectType<'try-plain'>('try-plain' as ShapeFor<typeof BIT_SPIN_LOCK>)
expectType<'rt_mutex'>('rt_mutex' as ShapeFor<typeof RT_MUTEX>)
expectType<'rw-plain'>('rw-plain' as ShapeFor<typeof PERCPU_RW_SEMAPHORE>)
expectType<'mapped'>('mapped' as ShapeFor<typeof own>)
expectType<'mapped'>('mapped' as ShapeFor<typeof ownRw>)
expectType<'mapped'>('mapped' as ShapeFor<typeof custom>)
expectType<'mapped'>('mapped' as ShapeFor<typeof ownV6>)
// A kind with a written shape carries no entries to its factory.
expectType<never>(null as never as EntriesFor<typeof spin>)
// The nearest miss: mutex's tables with reads that recurse are not rw_semaphore's, nor rwlock_t's when reads do not.
const rwShared = defineLockKind({ ...KIND_SPECS.rwlock_t, kind: 'tf_rwlock_shared', label: 'tf_rwlock_shared', readRecursion: 'shared' })
expectType<'mapped'>('mapped' as ShapeFor<typeof rwShared>)

type Data = { n: number }
const data: Data = { n: 0 }
const kernel = createKernel({ lockOrder: ['a', 'later'] })

// The factory's lock is kernel.lock()'s, member by member, for each shape, in a kernel with a declared order.
const same = {
  spin: [kernel.lockOf(spin)('a', data), kernel.lock(spin, 'a', data)],
  raw: [kernel.lockOf(raw)('a', data), kernel.lock(raw, 'a', data)],
  rw: [kernel.lockOf(rw)('a', data), kernel.lock(rw, 'a', data)],
  mtx: [kernel.lockOf(mtx)('a', data), kernel.lock(mtx, 'a', data)],
  sem: [kernel.lockOf(sem)('a', data), kernel.lock(sem, 'a', data)],
  local: [kernel.lockOf(local)('a', () => data), kernel.lock(local, 'a', () => data)],
  irq: [kernel.lockOf(irq)('a', data), kernel.lock(irq, 'a', data)],
  counted: [kernel.lockOf(SPIN_LOCK_IRQ_COUNTED)('a', data), kernel.lock(SPIN_LOCK_IRQ_COUNTED, 'a', data)],
  irqsave: [kernel.lockOf(SPIN_LOCK_IRQ_SAVE)('a', data), kernel.lock(SPIN_LOCK_IRQ_SAVE, 'a', data)],
  v6: [kernel.lockOf(SPIN_LOCK_IRQ_V6)('a', data), kernel.lock(SPIN_LOCK_IRQ_V6, 'a', data)],
  bit: [kernel.lockOf(BIT_SPIN_LOCK)('a', data), kernel.lock(BIT_SPIN_LOCK, 'a', data)],
  pi: [kernel.lockOf(RT_MUTEX)('a', data), kernel.lock(RT_MUTEX, 'a', data)],
  percpu: [kernel.lockOf(PERCPU_RW_SEMAPHORE)('a', data), kernel.lock(PERCPU_RW_SEMAPHORE, 'a', data)],
  own: [kernel.lockOf(own)('a', data), kernel.lock(own, 'a', data)],
  ownRw: [kernel.lockOf(ownRw)('a', data), kernel.lock(ownRw, 'a', data)],
  custom: [kernel.lockOf(custom)('a', data), kernel.lock(custom, 'a', data)],
  ownV6: [kernel.lockOf(ownV6)('a', data), kernel.lock(ownV6, 'a', data)],
  rwShared: [kernel.lockOf(rwShared)('a', data), kernel.lock(rwShared, 'a', data)],
} as const
type Pair<K extends keyof typeof same> = SameLock<(typeof same)[K][0], (typeof same)[K][1]>
expectType<true>(true as Pair<'spin'>)
expectType<true>(true as Pair<'raw'>)
expectType<true>(true as Pair<'rw'>)
expectType<true>(true as Pair<'mtx'>)
expectType<true>(true as Pair<'sem'>)
expectType<true>(true as Pair<'local'>)
expectType<true>(true as Pair<'irq'>)
expectType<true>(true as Pair<'counted'>)
expectType<true>(true as Pair<'irqsave'>)
expectType<true>(true as Pair<'v6'>)
expectType<true>(true as Pair<'bit'>)
expectType<true>(true as Pair<'pi'>)
expectType<true>(true as Pair<'percpu'>)
expectType<true>(true as Pair<'own'>)
expectType<true>(true as Pair<'ownRw'>)
expectType<true>(true as Pair<'custom'>)
expectType<true>(true as Pair<'ownV6'>)
expectType<true>(true as Pair<'rwShared'>)

// A kind of its own's members by name (kinds/derive-named.ts) are its member tags (derive.ts `MemberTags`), for every kind.
type EntriesOfTags<Tags> = { [P in keyof Tags]: Tags[P] extends infer T extends MemberEntry['tag'] ? MemberEntry<P, T> : never }[keyof Tags]
type SameEntries<S extends LockKindSpec> = Same<MemberEntriesOf<S>, EntriesOfTags<MemberTags<S>>>
expectType<true>(true as SameEntries<typeof own>)
expectType<true>(true as SameEntries<typeof ownRw>)
expectType<true>(true as SameEntries<typeof custom>)
expectType<true>(true as SameEntries<typeof ownV6>)
expectType<true>(true as SameEntries<typeof rwShared>)
expectType<true>(true as SameEntries<typeof spin>)
expectType<true>(true as SameEntries<typeof rw>)
expectType<true>(true as SameEntries<typeof sem>)
expectType<true>(true as SameEntries<typeof local>)
expectType<true>(true as SameEntries<typeof SPIN_LOCK_IRQ_V6>)
expectType<true>(true as SameEntries<typeof BIT_SPIN_LOCK>)
expectType<true>(true as SameEntries<typeof RT_MUTEX>)
expectType<true>(true as SameEntries<typeof PERCPU_RW_SEMAPHORE>)
// The nearest miss: a kind's entries are not another's with other tables.
expectType<false>(false as Same<MemberEntriesOf<typeof own>, MemberEntriesOf<typeof ownRw>>)
// The nearest invalid pattern: another kind's lock of the same shape is not the same type.
expectType<false>(false as SameLock<(typeof same)['spin'][0], (typeof same)['raw'][0]>)

// The kind's rules and messages, through the factory.
const newMutex = kernel.lockOf(mtx)
const newPi = kernel.lockOf(RT_MUTEX)
const newBucket = kernel.lockOf(BIT_SPIN_LOCK)
const newQ6 = kernel.lockOf(SPIN_LOCK_IRQ_V6)
const newOwn = kernel.lockOf(own)
const newLocal = kernel.lockOf(local)
const cfg = newMutex('cfg', { mode: 'fast' })
const pi = newPi('pi', 0)
const bucket = newBucket('bucket', 0)
const q6 = newQ6('q6', 0)
const mine = newOwn('mine', 0)
const newOwnRw = kernel.lockOf(ownRw)
const table = newOwnRw('table', { rows: 0 })
const ownA = newOwnRw('a', 0)
const ownLater = newOwnRw('later', 0)
const extra = kernel.lockOf(custom)('extra', 0)
const own6 = kernel.lockOf(ownV6)('own6', 0)
const a = kernel.lockOf(spin)('a', 0)
const later = kernel.lockOf(spin)('later', 0)
const stats = kernel.spinLock('stats', 0)
const counters = newLocal('counters', (cpu) => ({ cpu, hits: 0 }))

// @expect-error No overload matches this call
expectError(kernel.lockOf('spinlock_t'))
// @expect-error Expected 2 arguments
expectError(newMutex('no data'))

kernel.run((ctx) => {
  // Valid: a sleeping lock in a task may sleep inside; the data is the lock's.
  cfg.withLocked(ctx, (ctx, d) => {
    ctx.msleep(1)
    d.mode = 'safe'
  })
  pi.withLocked(ctx, (ctx) => ctx.msleep(1))
  stats.withLocked(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(cfg.withLocked(ctx, () => 0))
    // @expect-error rt_mutex 'pi' may sleep: BUG: sleeping function called from invalid context (spinlock_t 'stats' is held)
    expectError(pi.lock(ctx))
    // Valid: a trylock never sleeps.
    pi.withTryLocked(ctx, () => 0)
  })
  cfg.withLocked(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: mutex 'cfg' is already held
    expectError(cfg.withLocked(ctx, () => 0))
  })
  bucket.withLocked(ctx, (ctx) => {
    expectAssignable<PreemptDisabled>(ctx)
    // @expect-error Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (bit_spin_lock 'bucket' is held)
    expectError(stats.withLocked(ctx, () => 0))
  })
  // The kernel's declared order holds for the factory's locks.
  a.withLocked(ctx, (ctx) => later.withLocked(ctx, () => 0))
  later.withLocked(ctx, (ctx) => {
    // @expect-error lock order: 'a' is declared before 'later', so it cannot be taken while 'later' is held
    expectError(a.withLocked(ctx, () => 0))
  })
  // A kind that requires a proof: refused without it.
  // @expect-error SpinLockIrq[v6] 'q6' requires a context that proves IrqDisabled (its kind's requires)
  expectError(q6.withLocked(ctx, () => 0))
  // Tables of its own: its members, with the variant each names.
  mine.acquireIrqSave(ctx, (ctx) => expectAssignable<IrqDisabled>(ctx))
  mine.acquire(ctx, (ctx) => expectNotAssignable<IrqDisabled>(ctx))
  // @expect-error Property 'withLocked' does not exist
  expectError(mine.withLocked(ctx, () => 0))
  // Tables of its own, with reads, guards and annotated methods: each member's variant, side and form.
  table.writingIrqSave(ctx, (_ctx, d) => d.rows++)
  table.reading(ctx, (ctx, d) => {
    expectType<{ rows: number }>(d)
    // In a task a second read is refused, as rwlock_t's (qrwlock: a pending writer blocks it)...
    // @expect-error possible recursive locking detected: tf_own_rw 'table' is already held
    expectError(table.reading(ctx, () => 0))
    // @expect-error possible recursive locking detected: tf_own_rw 'table' is already held
    expectError(table.writingIrqSave(ctx, () => 0))
  })
  {
    using g = table.enter(ctx)
    expectAssignable<BhDisabled>(g.ctx)
    g.data.rows++
  }
  {
    using g = table.enterRead(ctx)
    expectType<number>(g.data.rows)
  }
  {
    using g = table.attempt(ctx)
    if (g !== null) g.data.rows++
  }
  table.withAttempt(ctx, (_ctx, d) => d.rows++)
  table.nestedIn(ctx, 1, () => 0)
  // @expect-error Property 'withRead' does not exist
  expectError(table.withRead(ctx, () => 0))
  table.writingIrqSave(ctx, (ctx) => {
    // @expect-error mutex 'cfg' may sleep: BUG: sleeping function called from invalid context (tf_own_rw 'table' is held)
    expectError(cfg.withLocked(ctx, () => 0))
  })
  // The kernel's declared order holds for a kind of its own.
  ownA.writingIrqSave(ctx, (ctx) => ownLater.writingIrqSave(ctx, () => 0))
  ownLater.reading(ctx, (ctx) => {
    // @expect-error lock order: 'a' is declared before 'later', so it cannot be taken while 'later' is held
    expectError(ownA.reading(ctx, () => 0))
  })
  // One method more than a shipped table: every member, the extra one with the variant it names.
  extra.withCustom(ctx, (_ctx, d) => expectType<number>(d))
  extra.withLockedIrq(ctx, () => 0)
  extra.withCustom(ctx, (ctx) => {
    // @expect-error possible recursive locking detected: tf_custom 'extra' is already held
    expectError(extra.withLocked(ctx, () => 0))
  })
  // A kind of its own that requires a proof: refused without it.
  // @expect-error tf_own_v6 'own6' requires a context that proves IrqDisabled (its kind's requires)
  expectError(own6.section(ctx, () => 0))
  // Per-CPU data: each CPU's copy.
  counters.withLocked(ctx, (_ctx, c) => {
    c.hits++
    expectType<number>(c.cpu)
  })
})

// ...and valid in a softirq, where its reads recurse (read_lock_is_recursive(): in_interrupt()).
kernel.openSoftirq('NET_RX', (ctx) => table.reading(ctx, (ctx) => table.reading(ctx, (_ctx, d) => d.rows)))

// docs/defining-kinds.md, "Making its locks": the example as written there.
export const docExample = () => {
  const kernel = createKernel({ lockOrder: ['pi', 'cfg'] })
  const newRtMutex = kernel.lockOf(RT_MUTEX)
  const MY_MUTEX = defineLockKind({ ...KIND_SPECS.mutex, kind: 'my_mutex', label: 'my_mutex' })
  const newMyMutex = kernel.lockOf(MY_MUTEX)
  const pi = newRtMutex('pi', { prio: 0 })
  const cfg = newMyMutex('cfg', { mode: 'fast' })
  kernel.run((ctx) =>
    pi.withLocked(ctx, (ctx) =>
      cfg.withLocked(ctx, (ctx, c) => {
        ctx.msleep(1)
        c.mode = 'safe'
      }),
    ),
  )
  kernel.run((ctx) =>
    cfg.withLocked(ctx, (ctx) => {
      // @expect-error lock order: 'pi' is declared before 'cfg', so it cannot be taken while 'cfg' is held
      expectError(pi.withLocked(ctx, () => 0))
    }),
  )
}
