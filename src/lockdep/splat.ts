/** Layout helpers shared by the kernel-style reports. */
import type { HeldLock } from '../locks/held.js'
import { classTypesOf, isLockdepMap, type ClassTypes } from './maps.js'
import { usageChars } from './usage.js'
import type { WaitValues } from './wait-types.js'

/** `=====` over a title, as lockdep frames its reports (`width` where the kernel's rule is shorter). */
export const banner = (title: string, width = title.length): string[] => ['='.repeat(width), title, '-'.repeat(width)]

/** A lock as the reports name it: `spinlock_t 'stats'`; a map by what takes it: `rcu_read_lock()`. */
export const lockName = (h: Pick<HeldLock, 'kind' | 'name'>): string => {
  const t = classTypesOf(h.kind)
  return isLockdepMap(h.kind) ? t.label : `${t.label} '${h.name}'`
}

/**
 * `N locks held by comm/pid:` and one ` #i: (class)` line each, as lockdep_print_held_locks(),
 * with the kernel's LD_WAIT_* values `{outer:inner}` (`wait`: `{3:3}` for a mutex without
 * PROVE_RAW_LOCK_NESTING; `{1:3}` for rcu_read_lock). lockdep's maps are entries like the locks.
 */
export const heldLockLines = (comm: string, pid: number, held: readonly HeldLock[], lockdep: HeldLinesLockdep): string[] => {
  if (held.length === 0) return [`no locks held by ${comm}/${pid}.`]
  const wait = lockdep.wait
  return [
    `${held.length} lock${held.length === 1 ? '' : 's'} held by ${comm}/${pid}:`,
    ...held.map((h, i) => {
      const cls = h.classId === null ? null : lockdep.classes.byId(h.classId)
      // The class's own types; a lock taken while lockdep was off has no class: its kind's spec.
      const t = cls?.types ?? classTypesOf(h.kind)
      return ` #${i}: (${cls?.name ?? h.name}){${usageChars(cls?.usage ?? 0).slice(1, -1)}}-{${wait[t.outer]}:${wait[t.inner]}}, ${lockName(h)}`
    }),
  ]
}

/** What the held-lock lines read from lockdep: its LD_WAIT_* values and its classes (an entry names its class by id). */
export interface HeldLinesLockdep {
  readonly wait: WaitValues
  readonly classes: { byId(id: number): { readonly name: string; readonly usage: number; readonly types: ClassTypes } }
  /** `debug_locks`: false once a report turned lockdep off (and with `lockdep: false`). */
  readonly active: boolean
  /** CONFIG_LOCKDEP: false with `lockdep: false`, where debug_show_held_locks() is an empty stub. */
  readonly configured: boolean
}

/**
 * debug_show_held_locks() (kernel/locking/lockdep.c), as `__might_resched()` and
 * `__schedule_bug()` print the held locks: `if (unlikely(!debug_locks)) { printk("INFO: lockdep is
 * turned off.\n"); return; } lockdep_print_held_locks(task);` — nothing without CONFIG_LOCKDEP
 * (include/linux/debug_locks.h: `static inline void debug_show_held_locks(struct task_struct *task) {}`).
 */
export const debugShowHeldLocks = (comm: string, pid: number, held: readonly HeldLock[], lockdep: HeldLinesLockdep): string[] => {
  if (!lockdep.configured) return []
  if (!lockdep.active) return [LOCKDEP_TURNED_OFF]
  return heldLockLines(comm, pid, held, lockdep)
}

/** What debug_show_held_locks() and debug_show_all_locks() print once lockdep is off. */
export const LOCKDEP_TURNED_OFF = 'INFO: lockdep is turned off.'

/**
 * dump_stack_print_info() (lib/dump_stack.c): `"%sCPU: %d UID: %u PID: %d Comm: %.20s %s%s %s %.*s
 * %s "` — the first fields only (no taint, release or version here); the kernel's lockdep
 * reports print `stack backtrace:` before it.
 */
export const dumpStackLine = (cpu: number, pid: number, comm: string): string => `CPU: ${cpu} UID: 0 PID: ${pid} Comm: ${comm.slice(0, 20)}`

/** `hlock->nest_lock->name`: the nest lock's class name. */
export const nestLockName = (nest: { readonly name: string } | null): string => (nest === null ? '(null)' : nest.name)
