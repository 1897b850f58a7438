/** Layout helpers shared by the kernel-style reports. */
import type { HeldLock } from '../locks/held.js'
import { LOCK_KINDS } from '../locks/kinds.js'
import { usageChars } from './usage.js'
import { waitValues } from './wait-types.js'

/** LD_WAIT_* of a held lock's kind, as print_lock() shows it (PROVE_RAW_LOCK_NESTING values). */
const WAIT = waitValues(true)
const waitOf = (h: Pick<HeldLock, 'kind'>): number => WAIT[LOCK_KINDS[h.kind].wait]

/** `=====` over a title, as lockdep frames its reports (`width` where the kernel's rule is shorter). */
export const banner = (title: string, width = title.length): string[] => ['='.repeat(width), title, '-'.repeat(width)]

/** A lock as the reports name it: `spinlock_t 'stats'`. */
export const lockName = (h: Pick<HeldLock, 'kind' | 'name'>): string => `${LOCK_KINDS[h.kind].label} '${h.name}'`

/** `N locks held by comm/pid:` and one ` #i: (class)` line each, as lockdep_print_held_locks(). */
export const heldLockLines = (comm: string, pid: number, held: readonly HeldLock[]): string[] =>
  held.length === 0
    ? [`no locks held by ${comm}/${pid}.`]
    : [
        `${held.length} lock${held.length === 1 ? '' : 's'} held by ${comm}/${pid}:`,
        ...held.map((h, i) => ` #${i}: (${h.name}){${usageChars(h.cls?.usage ?? 0).slice(1, -1)}}-{${waitOf(h)}:${waitOf(h)}}, ${lockName(h)}`),
      ]
