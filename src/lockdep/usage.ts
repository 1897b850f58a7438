/**
 * IRQ-usage states of a lock class (kernel/locking/lockdep_states.h, lockdep_internals.h):
 * for each of HARDIRQ and SOFTIRQ, "used in" that context and "acquired with it enabled", each
 * for write and read. Bit layout as the kernel's: state * 4 + dir * 2 + read.
 */
export type IrqState = 'HARDIRQ' | 'SOFTIRQ'

export const LOCK_USAGE_READ_MASK = 1
export const LOCK_USAGE_DIR_MASK = 2

export const LOCK_USED_IN_HARDIRQ = 0
export const LOCK_USED_IN_HARDIRQ_READ = 1
export const LOCK_ENABLED_HARDIRQ = 2
export const LOCK_ENABLED_HARDIRQ_READ = 3
export const LOCK_USED_IN_SOFTIRQ = 4
export const LOCK_USED_IN_SOFTIRQ_READ = 5
export const LOCK_ENABLED_SOFTIRQ = 6
export const LOCK_ENABLED_SOFTIRQ_READ = 7
/** `LOCK_USED` / `LOCK_USED_READ`: set by every acquisition (mark_usage()'s `lock_used:`). */
export const LOCK_USED = 8
export const LOCK_USED_READ = 9
/** `LOCK_USAGE_STATES`: usage_str[] keeps "IN-NMI" there for verify_lock_unused(). */
export const LOCK_USAGE_STATES = 10

const f = (bit: number): number => 1 << bit
/** lockdep_internals.h: `LOCKF_ENABLED_IRQ`, `LOCKF_USED_IN_IRQ` and their `_READ` twins (all states). */
export const LOCKF_ENABLED_IRQ = f(LOCK_ENABLED_HARDIRQ) | f(LOCK_ENABLED_SOFTIRQ)
export const LOCKF_USED_IN_IRQ = f(LOCK_USED_IN_HARDIRQ) | f(LOCK_USED_IN_SOFTIRQ)
export const LOCKF_ENABLED_IRQ_READ = f(LOCK_ENABLED_HARDIRQ_READ) | f(LOCK_ENABLED_SOFTIRQ_READ)
export const LOCKF_USED_IN_IRQ_READ = f(LOCK_USED_IN_HARDIRQ_READ) | f(LOCK_USED_IN_SOFTIRQ_READ)
export const LOCKF_ENABLED_IRQ_ALL = LOCKF_ENABLED_IRQ | LOCKF_ENABLED_IRQ_READ
export const LOCKF_USED_IN_IRQ_ALL = LOCKF_USED_IN_IRQ | LOCKF_USED_IN_IRQ_READ
/** `LOCKF_IRQ` (write bits, both directions) and `LOCKF_IRQ_READ`. */
export const LOCKF_IRQ = LOCKF_ENABLED_IRQ | LOCKF_USED_IN_IRQ
export const LOCKF_IRQ_READ = LOCKF_ENABLED_IRQ_READ | LOCKF_USED_IN_IRQ_READ
export const LOCKF_USED = f(LOCK_USED)
export const LOCKF_USED_READ = f(LOCK_USED_READ)

export const stateOf = (bit: number): IrqState => ((bit & ~3) === 0 ? 'HARDIRQ' : 'SOFTIRQ')

/** `exclusive_bit()`: the opposite direction's write bit of the same state. */
export const exclusiveBit = (bit: number): number => (bit & ~(LOCK_USAGE_READ_MASK | LOCK_USAGE_DIR_MASK)) | ((bit & LOCK_USAGE_DIR_MASK) ^ LOCK_USAGE_DIR_MASK)

/** `usage_str[]`: "IN-HARDIRQ-W", "HARDIRQ-ON-R", …, "INITIAL USE", "INITIAL READ USE", "IN-NMI". */
export const usageStr = (bit: number): string => {
  if (bit === LOCK_USED) return 'INITIAL USE'
  if (bit === LOCK_USED_READ) return 'INITIAL READ USE'
  if (bit === LOCK_USAGE_STATES) return 'IN-NMI'
  const state = stateOf(bit)
  const rw = bit & LOCK_USAGE_READ_MASK ? 'R' : 'W'
  return bit & LOCK_USAGE_DIR_MASK ? `${state}-ON-${rw}` : `IN-${state}-${rw}`
}

/** `get_usage_char()`: '?' used in and enabled, '-' used in, '+' enabled, '.' neither. */
const usageChar = (mask: number, usedIn: number, enabled: number): string => {
  const u = (mask & (1 << usedIn)) !== 0
  const e = (mask & (1 << enabled)) !== 0
  return u && e ? '?' : u ? '-' : e ? '+' : '.'
}

/** `{-.-.}`: hardirq write, hardirq read, softirq write, softirq read. */
export const usageChars = (mask: number): string =>
  `{${usageChar(mask, LOCK_USED_IN_HARDIRQ, LOCK_ENABLED_HARDIRQ)}${usageChar(mask, LOCK_USED_IN_HARDIRQ_READ, LOCK_ENABLED_HARDIRQ_READ)}` +
  `${usageChar(mask, LOCK_USED_IN_SOFTIRQ, LOCK_ENABLED_SOFTIRQ)}${usageChar(mask, LOCK_USED_IN_SOFTIRQ_READ, LOCK_ENABLED_SOFTIRQ_READ)}}`

/** `state_name()`: "HARDIRQ", or "HARDIRQ-READ" for a read bit (the irqclass of the reports). */
export const stateName = (bit: number): string => `${stateOf(bit)}${bit & LOCK_USAGE_READ_MASK ? '-READ' : ''}`

/** `invert_dir_mask()`: USED_IN bits become ENABLED bits and the other way round. */
const invertDirMask = (mask: number): number =>
  ((mask & LOCKF_ENABLED_IRQ_ALL) >>> LOCK_USAGE_DIR_MASK) | ((mask & LOCKF_USED_IN_IRQ_ALL) << LOCK_USAGE_DIR_MASK)

/** `exclusive_mask()` (and `original_mask()`, the same computation): direction inverted, read and write both. */
export const exclusiveMask = (mask: number): number => {
  let excl = invertDirMask(mask)
  excl |= (excl & LOCKF_IRQ_READ) >>> LOCK_USAGE_READ_MASK
  excl |= (excl & LOCKF_IRQ) << LOCK_USAGE_READ_MASK
  return excl
}
export const originalMask = exclusiveMask

/** `find_exclusive_match()`: the first bit of `mask` whose exclusive (write, then read) bit is in `exclMask`. */
export const findExclusiveMatch = (mask: number, exclMask: number): { readonly bit: number; readonly excl: number } | null => {
  for (let bit = 0; bit < LOCK_USED; bit++) {
    if ((mask & (1 << bit)) === 0) continue
    const excl = exclusiveBit(bit)
    if (exclMask & (1 << excl)) return { bit, excl }
    if (exclMask & (1 << (excl | LOCK_USAGE_READ_MASK))) return { bit, excl: excl | LOCK_USAGE_READ_MASK }
  }
  return null
}
