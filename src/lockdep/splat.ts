/** Layout helpers shared by the kernel-style reports. */
import type { HeldLock } from '../locks/held.js'
import { LOCK_KINDS } from '../locks/kinds.js'

/** `=====` over a title, as lockdep frames its reports. */
export const banner = (title: string): string[] => {
  const rule = '='.repeat(title.length)
  return [rule, title, '-'.repeat(title.length)]
}

export const lockName = (h: Pick<HeldLock, 'kind' | 'name'>): string => `${LOCK_KINDS[h.kind].label} '${h.name}'`

/** `N locks held by comm/pid:` and one ` #i: (class)` line each, as lockdep_print_held_locks(). */
export const heldLockLines = (comm: string, pid: number, held: readonly HeldLock[]): string[] =>
  held.length === 0
    ? [`no locks held by ${comm}/${pid}.`]
    : [
        `${held.length} lock${held.length === 1 ? '' : 's'} held by ${comm}/${pid}:`,
        ...held.map((h, i) => ` #${i}: (${h.name}){${h.mode === 'read' ? 'read' : 'write'}}, ${lockName(h)}`),
      ]
