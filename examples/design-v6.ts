/**
 * design-v6 — the walk-through of docs/defining-kinds.md: the seed thread's v6 `SpinLockIrq` (a
 * token that interrupts are off, then a plain `spin_lock()`) defined with `defineLockKind()`, and
 * its verdict table from `checkLockDesign()`. Run alone: `npx tsx examples/design-v6.ts`.
 * test/kinds/design-doc.test.ts checks that the guide shows this code and this output.
 */
import { checkLockDesign, defineLockKind, formatLockDesign } from '../src/index.js'

// spin_lock() on a normal kernel: preempt_disable(), then the lockdep annotation and the lock word.
const SPIN = { lock: ['preempt_disable', 'acquire'], unlock: ['release', 'preempt_enable'] } as const
// rt_spin_lock() on PREEMPT_RT (kernel/locking/spinlock_rt.c): no interrupt or preemption step.
const RT_SPIN = {
  lock: ['acquire', 'rtlock_might_resched', 'rcu_read_lock', 'migrate_disable'],
  unlock: ['release', 'migrate_enable', 'rcu_read_unlock'],
} as const

export const MY_SPIN_LOCK_IRQ_V6 = defineLockKind({
  kind: 'my_SpinLockIrq_v6',
  label: 'SpinLockIrq',
  // It is a spinlock_t: it spins on a normal kernel and is an rtmutex on PREEMPT_RT.
  category: { normal: 'spinning', rt: 'sleeping' },
  wait: 'config',
  variants: { plain: { normal: SPIN, rt: RT_SPIN } },
  readVariants: null,
  readRecursion: 'shared',
  lockdep: { waitInner: 'config', waitOuter: null, lockType: 'normal' },
  trylock: null,
  // The token: every caller must prove interrupts are off, on both kernels.
  requires: ['irq'],
  data: 'shared',
  methods: { withLocked: ['plain', 'write'] },
  guards: { lock: ['plain', 'write'] },
  annotated: {},
})

export const title = 'design-v6: the v6 SpinLockIrq design, defined as data and checked by the explorer'

export const run = (log: (line: string) => void = console.log): void => {
  log(formatLockDesign(checkLockDesign(MY_SPIN_LOCK_IRQ_V6)))
}

if (import.meta.url === `file://${process.argv[1]}`) run()
