/**
 * The splats, laid out as kernel/locking/lockdep.c prints them (addresses and stack traces
 * replaced by the task/CPU that recorded each state). Each returns the report's lines.
 */
import type { Cpu } from '../machine/cpu.js'
import { SOFTIRQ_SHIFT } from '../machine/preempt-count.js'
import type { LockClass, Origin } from './classes.js'
import { banner } from './splat.js'
import { usageChars, usageStr } from './usage.js'
import { TITLES } from '../diagnostics/titles.js'
import type { WaitValues } from './wait-types.js'

/** ` (name){+.+.}-{3:3}`: print_lock_name(), whose `{%d:%d}` is `wait_type_outer ?: wait_type_inner, wait_type_inner`. */
export const classNameLine = (c: LockClass, wait: WaitValues): string => {
  const t = c.types
  return ` (${c.name}){${usageChars(c.usage).slice(1, -1)}}-{${wait[t.outer]}:${wait[t.inner]}}`
}

/**
 * print_lock(): `%px` (the instance), print_lock_name(), then `, at: %pS` — here the kind in
 * place of the instance's address and the acquire ip: ` (name){+.+.}-{3:3}, spinlock_t`.
 */
export const classLine = (c: LockClass, wait: WaitValues): string => `${classNameLine(c, wait)}, ${c.types.label}`

export const origin = (o: Origin | undefined): string => (o === undefined ? '  (unknown)' : `  by ${o.comm}/${o.pid} on CPU ${o.cpu}`)

/** `[HC1[1]:SC0[0]:HE0:SE1]` (print_irqtrace_events' context summary in print_usage_bug). */
export const irqContextSummary = (cpu: Cpu): string => {
  const hc = cpu.inHardirq() ? 1 : 0
  // SC is `curr->softirq_context`, never counted on PREEMPT_RT (0c1d7a2c2d32).
  const sc = !cpu.preemptRt && cpu.inServingSoftirq() ? 1 : 0
  const he = cpu.irqsDisabled ? 0 : 1
  const se = cpu.softirqCount() === 0 ? 1 : 0
  return `[HC${hc}[${cpu.hardirqDepth()}]:SC${sc}[${(cpu.softirqCount() >>> SOFTIRQ_SHIFT) & 0xff}]:HE${he}:SE${se}]`
}

/**
 * print_circular_lock_scenario(): `source` being taken, `target` held, `parent` the edge into
 * target; `rlock(` where the source or target is a reader (`src->read` / `tgt->read`).
 */
export const circularScenario = (source: string, parent: string, target: string, sourceRead = false, targetRead = false): string[] => [
  ...(parent !== source ? ['Chain exists of:', `  ${source} --> ${parent} --> ${target}`, ''] : []),
  ' Possible unsafe locking scenario:',
  '',
  '       CPU0                    CPU1',
  '       ----                    ----',
  `  ${targetRead ? 'rlock' : 'lock'}(${target});`,
  `                               lock(${parent});`,
  `                               lock(${target});`,
  `  ${sourceRead ? 'rlock' : 'lock'}(${source});`,
  '',
  ' *** DEADLOCK ***',
]

/**
 * print_irq_lock_scenario(): `safe` is used in the interrupt, `unsafe` taken with it enabled;
 * `middle` is the lock the chain reaches from `safe` (the kernel prints "local_irq_disable()"
 * for softirq states too).
 */
export const irqScenario = (safe: string, middle: string, unsafe: string): string[] => [
  ...(middle !== unsafe ? ['Chain exists of:', `  ${safe} --> ${middle} --> ${unsafe}`, ''] : []),
  ' Possible interrupt unsafe locking scenario:',
  '',
  '       CPU0                    CPU1',
  '       ----                    ----',
  `  lock(${unsafe});`,
  '                               local_irq_disable();',
  `                               lock(${safe});`,
  `                               lock(${middle});`,
  '  <Interrupt>',
  `    lock(${safe});`,
  '',
  ' *** DEADLOCK ***',
]

/** print_usage_bug()'s scenario: the lock taken, then the interrupt taking it again. */
export const usageScenario = (name: string): string[] => [
  ' Possible unsafe locking scenario:',
  '',
  '       CPU0',
  '       ----',
  `  lock(${name});`,
  '  <Interrupt>',
  `    lock(${name});`,
  '',
  ' *** DEADLOCK ***',
]

export const inconsistentHeader = (prevBit: number, newBit: number): string[] => [
  ...banner(TITLES.inconsistent),
  `inconsistent {${usageStr(prevBit)}} -> {${usageStr(newBit)}} usage.`,
]
