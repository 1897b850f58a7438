/**
 * The seven built-in lock kinds, defined through the public `defineLockKind()` (define.ts) as
 * any user's kind is: checked, frozen and entered into the registry. Each keeps its literal
 * types, which the type-level rules and the derived interfaces read.
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
import { defineLockKind } from './define.js'
import type { TrylockSpec } from './spec.js'

/**
 * The trylock rule of the kinds whose trylock follows their wait type (spin_trylock(),
 * read_trylock(), …): never refused by a WARN.
 */
const BY_WAIT = (call: string) => ({ context: 'by-wait', call, warn: both(null) }) as const satisfies TrylockSpec

export const RAW_SPINLOCK = defineLockKind({
  kind: 'raw_spinlock_t',
  label: 'raw_spinlock_t',
  category: both('spinning'),
  variants: { plain: both(RAW.plain), irq: both(RAW.irq), irqsave: both(RAW.irqsave), bh: both(RAW.bh) },
  readVariants: null,
  wait: 'spin',
  readRecursion: 'shared',
  lockdep: { waitInner: 'spin', waitOuter: null, lockType: 'normal' },
  trylock: BY_WAIT('raw_spin_trylock'),
  requires: [],
  data: 'shared',
  methods: RAW_SPIN_METHODS,
  guards: RAW_SPIN_GUARDS,
  annotated: SPIN_ANNOTATED,
})

export const SPINLOCK = defineLockKind({
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
  wait: 'config',
  readRecursion: 'shared',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
  trylock: BY_WAIT('spin_trylock'),
  requires: [],
  data: 'shared',
  methods: SPIN_METHODS,
  guards: SPIN_GUARDS,
  annotated: SPIN_ANNOTATED,
})

// rwlock_t: write_lock*() in `variants`, read_lock*() in `readVariants`. On RT, rt_write_lock and
// rt_read_lock check might-resched *before* the lockdep annotation, unlike rt_spin_lock.
export const RWLOCK = defineLockKind({
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
  wait: 'config',
  readRecursion: 'read_lock_is_recursive',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
  trylock: BY_WAIT('read_trylock'),
  requires: [],
  data: 'shared',
  methods: RWLOCK_METHODS,
  guards: RWLOCK_GUARDS,
  annotated: RWLOCK_ANNOTATED,
})

export const LOCAL_LOCK = defineLockKind({
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
  wait: 'config',
  readRecursion: 'shared',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'percpu' },
  trylock: null,
  requires: [],
  data: 'per-cpu',
  methods: LOCAL_LOCK_METHODS,
  guards: LOCAL_LOCK_GUARDS,
  annotated: NO_ANNOTATED,
})

export const MUTEX = defineLockKind({
  kind: 'mutex',
  label: 'mutex',
  category: both('sleeping'),
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  wait: 'sleep',
  readRecursion: 'shared',
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' },
  // mutex.c: "This function must not be used in interrupt context"; on RT (rtmutex_api.c)
  // `if (IS_ENABLED(CONFIG_DEBUG_RT_MUTEXES) && WARN_ON_ONCE(!in_task())) return 0;`.
  trylock: {
    context: 'task',
    call: 'mutex_trylock',
    warn: { normal: null, rt: 'kernel/locking/rtmutex_api.c _mutex_trylock_nest_lock: WARN_ON_ONCE(!in_task())' },
  },
  requires: [],
  data: 'shared',
  methods: MUTEX_METHODS,
  guards: MUTEX_GUARDS,
  annotated: MUTEX_ANNOTATED,
})

export const RW_SEMAPHORE = defineLockKind({
  kind: 'rw_semaphore',
  label: 'rw_semaphore',
  category: both('sleeping'),
  variants: { plain: both(SLEEPING) },
  readVariants: null,
  // rwsem_acquire_read(): lock_acquire_shared(), read == 1.
  wait: 'sleep',
  readRecursion: 'shared',
  lockdep: { waitInner: 'sleep', waitOuter: null, lockType: 'normal' },
  // kernel/bpf/mmap_unlock_work.h: "PREEMPT_RT does not allow to trylock mmap sem in interrupt disabled context".
  trylock: { context: 'irqs-on', call: 'down_read_trylock', warn: both(null) },
  requires: [],
  data: 'shared',
  methods: RWSEM_METHODS,
  guards: RWSEM_GUARDS,
  annotated: RWSEM_ANNOTATED,
})

// Rust's SpinLockIrq: a spinlock_t whose every acquisition is spin_lock_irqsave().
export const SPIN_LOCK_IRQ = defineLockKind({
  kind: 'SpinLockIrq',
  label: 'SpinLockIrq',
  category: { normal: 'spinning', rt: 'sleeping' },
  variants: { plain: { normal: RAW.irqsave, rt: RT_SPIN.irqsave } },
  readVariants: null,
  wait: 'config',
  readRecursion: 'shared',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
  trylock: null,
  requires: [],
  data: 'shared',
  methods: SPIN_LOCK_IRQ_METHODS,
  guards: SPIN_LOCK_IRQ_GUARDS,
  annotated: NO_ANNOTATED,
})
