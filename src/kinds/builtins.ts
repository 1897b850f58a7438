/**
 * The seven built-in lock kinds as specs: what a future `defineLockKind(spec)` (issue #18) will
 * take from a user. Each is checked against {@link LockKindSpec} and keeps its literal types, which
 * the type-level rules and the derived interfaces read.
 *
 * lockdep fields, as each kind's initialiser fills its `struct lockdep_map` (docs/SEMANTICS.md):
 * raw_spinlock_t LD_WAIT_SPIN (`RAW_SPIN_DEP_MAP_INIT`), spinlock_t / rwlock_t LD_WAIT_CONFIG
 * (`SPIN_DEP_MAP_INIT`, `RW_DEP_MAP_INIT`; on RT `__rt_spin_lock_init(…, LD_WAIT_CONFIG, …)`
 * too), mutex / rw_semaphore LD_WAIT_SLEEP (`__DEP_MAP_MUTEX_INITIALIZER`, `__RWSEM_DEP_MAP_INIT`),
 * local_lock_t LD_WAIT_CONFIG with `.lock_type = LD_LOCK_PERCPU`; `wait_type_outer` is never set.
 */
import {
  LOCAL_LOCK_GUARDS,
  LOCAL_LOCK_METHODS,
  MUTEX_ANNOTATED,
  MUTEX_GUARDS,
  MUTEX_METHODS,
  NO_ANNOTATED,
  RAW_SPIN_GUARDS,
  RAW_SPIN_METHODS,
  RWLOCK_ANNOTATED,
  RWLOCK_GUARDS,
  RWLOCK_METHODS,
  RWSEM_ANNOTATED,
  RWSEM_GUARDS,
  RWSEM_METHODS,
  SPIN_ANNOTATED,
  SPIN_GUARDS,
  SPIN_LOCK_IRQ_GUARDS,
  SPIN_LOCK_IRQ_METHODS,
  SPIN_METHODS,
} from './methods.js'
import { both, RAW, RT_LOCAL, RT_READ, RT_SPIN, RT_WRITE, SLEEPING, withBh } from './sequences.js'
import type { LockKindSpec } from './spec.js'

/** A kind checked against the spec shape, its literal types kept (the core of a future `defineLockKind`). */
export const lockKind = <const S extends LockKindSpec>(spec: S): S => spec

export const RAW_SPINLOCK = lockKind({
  kind: 'raw_spinlock_t',
  label: 'raw_spinlock_t',
  category: both('spinning'),
  variants: { plain: both(RAW.plain), irq: both(RAW.irq), irqsave: both(RAW.irqsave), bh: both(RAW.bh) },
  readVariants: null,
  lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal', readRecursion: 'shared' },
  data: 'shared',
  methods: RAW_SPIN_METHODS,
  guards: RAW_SPIN_GUARDS,
  annotated: SPIN_ANNOTATED,
})

export const SPINLOCK = lockKind({
  kind: 'spinlock_t',
  label: 'spinlock_t',
  category: { normal: 'spinning', rt: 'sleeping' },
  variants: {
    plain: { normal: RAW.plain, rt: RT_SPIN.plain },
    irq: { normal: RAW.irq, rt: RT_SPIN.irq },
    irqsave: { normal: RAW.irqsave, rt: RT_SPIN.irqsave },
    bh: { normal: RAW.bh, rt: RT_SPIN.bh },
  },
  readVariants: null,
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal', readRecursion: 'shared' },
  data: 'shared',
  methods: SPIN_METHODS,
  guards: SPIN_GUARDS,
  annotated: SPIN_ANNOTATED,
})

// rwlock_t: write_lock*() in `variants`, read_lock*() in `readVariants`. On RT, rt_write_lock and
// rt_read_lock check might-resched *before* the lockdep annotation, unlike rt_spin_lock.
export const RWLOCK = lockKind({
  kind: 'rwlock_t',
  label: 'rwlock_t',
  category: { normal: 'spinning', rt: 'sleeping' },
  variants: {
    plain: { normal: RAW.plain, rt: RT_WRITE },
    irq: { normal: RAW.irq, rt: RT_WRITE },
    irqsave: { normal: RAW.irqsave, rt: RT_WRITE },
    bh: { normal: RAW.bh, rt: withBh(RT_WRITE) },
  },
  // read_lock*(): the raw sequences on a normal kernel, rt_read_lock on RT.
  readVariants: {
    plain: { normal: RAW.plain, rt: RT_READ },
    irq: { normal: RAW.irq, rt: RT_READ },
    irqsave: { normal: RAW.irqsave, rt: RT_READ },
    bh: { normal: RAW.bh, rt: withBh(RT_READ) },
  },
  // rwlock_acquire_read(): read == 2 where read_lock_is_recursive().
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal', readRecursion: 'read_lock_is_recursive' },
  data: 'shared',
  methods: RWLOCK_METHODS,
  guards: RWLOCK_GUARDS,
  annotated: RWLOCK_ANNOTATED,
})

export const LOCAL_LOCK = lockKind({
  kind: 'local_lock_t',
  label: 'local_lock_t',
  category: { normal: 'cpu-local', rt: 'sleeping' },
  variants: {
    plain: { normal: { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] }, rt: RT_LOCAL },
    // local_lock_irqsave() on a normal kernel: local_irq_save() only — no preempt_disable().
    irqsave: { normal: { lock: ['irq_save', 'acquire'], unlock: ['release', 'irq_restore'] }, rt: RT_LOCAL },
    irq: { normal: { lock: ['irq_disable', 'acquire'], unlock: ['release', 'irq_enable'] }, rt: RT_LOCAL },
  },
  readVariants: null,
  // LOCAL_LOCK_DEBUG_INIT: LD_WAIT_CONFIG, LD_LOCK_PERCPU (on RT too: LOCAL_SPIN_DEP_MAP_INIT).
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'percpu', readRecursion: 'shared' },
  data: 'per-cpu',
  methods: LOCAL_LOCK_METHODS,
  guards: LOCAL_LOCK_GUARDS,
  annotated: NO_ANNOTATED,
})

export const MUTEX = lockKind({
  kind: 'mutex',
  label: 'mutex',
  category: both('sleeping'),
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal', readRecursion: 'shared' },
  data: 'shared',
  methods: MUTEX_METHODS,
  guards: MUTEX_GUARDS,
  annotated: MUTEX_ANNOTATED,
})

export const RW_SEMAPHORE = lockKind({
  kind: 'rw_semaphore',
  label: 'rw_semaphore',
  category: both('sleeping'),
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  // rwsem_acquire_read(): lock_acquire_shared(), read == 1.
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal', readRecursion: 'shared' },
  data: 'shared',
  methods: RWSEM_METHODS,
  guards: RWSEM_GUARDS,
  annotated: RWSEM_ANNOTATED,
})

// Rust's SpinLockIrq: a spinlock_t whose every acquisition is spin_lock_irqsave().
export const SPIN_LOCK_IRQ = lockKind({
  kind: 'SpinLockIrq',
  label: 'SpinLockIrq',
  category: { normal: 'spinning', rt: 'sleeping' },
  variants: { plain: { normal: RAW.irqsave, rt: RT_SPIN.irqsave } },
  readVariants: null,
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal', readRecursion: 'shared' },
  data: 'shared',
  methods: SPIN_LOCK_IRQ_METHODS,
  guards: SPIN_LOCK_IRQ_GUARDS,
  annotated: NO_ANNOTATED,
})
