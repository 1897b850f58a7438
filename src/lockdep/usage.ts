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

export const stateOf = (bit: number): IrqState => ((bit & ~3) === 0 ? 'HARDIRQ' : 'SOFTIRQ')

/** `exclusive_bit()`: the opposite direction's write bit of the same state. */
export const exclusiveBit = (bit: number): number => (bit & ~(LOCK_USAGE_READ_MASK | LOCK_USAGE_DIR_MASK)) | ((bit & LOCK_USAGE_DIR_MASK) ^ LOCK_USAGE_DIR_MASK)

/** `usage_str[]`: "IN-HARDIRQ-W", "HARDIRQ-ON-R", … */
export const usageStr = (bit: number): string => {
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
