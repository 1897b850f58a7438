/**
 * lockdep's own files, laid out as kernel/locking/lockdep_proc.c prints them:
 *   /proc/lockdep          l_show():  `%p FD:%5ld BD:%5ld %s: name`, then ` -> [%p] name` per
 *                                     direct (distance 1) dependency, then a blank line
 *   /proc/lockdep_chains   lc_show(): `irq_context: %s`, then `[%p] name` per class of the chain
 *   /proc/lockdep_stats    lockdep_stats_show(), CONFIG_PROVE_LOCKING + TRACE_IRQFLAGS, without
 *                          CONFIG_DEBUG_LOCKDEP (whose extra counters are not printed)
 * A simulated lock class has no address: `%p` prints a synthetic 64-bit key, the same for a class
 * in every file (`classKey()`). There are no stack traces, so their counters print 0.
 */
import { InvalidArgumentError } from '../errors.js'
import { countDeps } from './bfs.js'
import type { LockClass } from './classes.js'
import {
  LOCK_ENABLED_HARDIRQ,
  LOCK_ENABLED_HARDIRQ_READ,
  LOCK_ENABLED_SOFTIRQ,
  LOCK_ENABLED_SOFTIRQ_READ,
  LOCK_USED_IN_HARDIRQ,
  LOCK_USED_IN_HARDIRQ_READ,
  LOCK_USED_IN_SOFTIRQ,
  LOCK_USED_IN_SOFTIRQ_READ,
  LOCKF_ENABLED_IRQ,
  LOCKF_ENABLED_IRQ_READ,
  LOCKF_USED,
  LOCKF_USED_IN_IRQ,
  LOCKF_USED_IN_IRQ_READ,
  usageChars,
} from './usage.js'
import type { Lockdep } from './validator.js'

/**
 * The files {@link Kernel.readProc} serves.
 *
 * @example
 * ```ts
 * import { createKernel, type LockdepProcFile } from 'lockproof'
 *
 * const file: LockdepProcFile = '/proc/lockdep_chains'
 * console.log(createKernel().readProc(file)) // 'all lock chains:\n'
 * ```
 */
export type LockdepProcFile = '/proc/lockdep' | '/proc/lockdep_chains' | '/proc/lockdep_stats'

export const LOCKDEP_PROC_FILES: readonly LockdepProcFile[] = ['/proc/lockdep', '/proc/lockdep_chains', '/proc/lockdep_stats']

/** include/linux/lockdep_types.h and kernel/locking/lockdep_internals.h, default Kconfig. */
export const MAX_LOCKDEP_KEYS = 1 << 13
export const MAX_LOCKDEP_ENTRIES = 1 << 15
export const MAX_LOCKDEP_CHAINS = 1 << 16
/** `MAX_LOCKDEP_CHAINS * AVG_LOCKDEP_CHAIN_DEPTH` (5). */
export const MAX_LOCKDEP_CHAIN_HLOCKS = MAX_LOCKDEP_CHAINS * 5
export const MAX_STACK_TRACE_ENTRIES = 1 << 19

/** `%p` of a class's key: deterministic, 16 hex digits, one per class. */
export const classKey = (c: LockClass): string => (0xffffffff82000000n + BigInt(c.id + 1) * 0x10n).toString(16)

/** `irq_strs[]` of lc_show(), indexed by `LOCK_CHAIN_SOFTIRQ_CONTEXT | LOCK_CHAIN_HARDIRQ_CONTEXT`. */
const IRQ_STRS = ['0', 'softirq', 'hardirq', 'hardirq|softirq'] as const

/** `%5ld`, `%11lu`: right-aligned in the width. */
const pad = (n: number, width: number): string => String(n).padStart(width)

/** /proc/lockdep (l_show() prints the header at lock_classes[0], in use or not). */
export const procLockdep = (lockdep: Lockdep): string => {
  const out = ['all lock classes:']
  for (const c of lockdep.classes.all()) {
    const fd = countDeps(c, true, lockdep.bfsStats)
    const bd = countDeps(c, false, lockdep.bfsStats)
    out.push(`${classKey(c)} FD:${pad(fd, 5)} BD:${pad(bd, 5)} ${usageChars(c.usage).slice(1, -1)}: ${c.name}`)
    for (const e of c.after.values()) if (e.distance === 1) out.push(` -> [${classKey(e.cls)}] ${e.cls.name}`)
    out.push('')
  }
  return `${out.join('\n')}\n`
}

/** /proc/lockdep_chains. */
export const procLockdepChains = (lockdep: Lockdep): string => {
  const out = ['all lock chains:']
  for (const chain of lockdep.chains.validated) {
    out.push(`irq_context: ${IRQ_STRS[chain.irqContext] ?? String(chain.irqContext)}`)
    for (const c of chain.classes()) out.push(`[${classKey(c)}] ${c.name}`)
    out.push('')
  }
  return `${out.join('\n')}\n`
}

/** One ` label:<pad>%11lu` line of lockdep_stats_show(): the label is padded to 31 columns. */
const stat = (label: string, value: number, max?: number): string => ` ${`${label}:`.padEnd(31)}${pad(value, 11)}${max === undefined ? '' : ` [max: ${max}]`}`

/** /proc/lockdep_stats. */
export const procLockdepStats = (lockdep: Lockdep): string => {
  const has = (c: LockClass, mask: number): boolean => (c.usage & mask) !== 0
  const f = (bit: number): number => 1 << bit
  let unused = 0
  let uncategorized = 0
  let sumForwardDeps = 0
  const n = {
    irqSafe: 0,
    irqUnsafe: 0,
    softirqSafe: 0,
    softirqUnsafe: 0,
    hardirqSafe: 0,
    hardirqUnsafe: 0,
    irqReadSafe: 0,
    irqReadUnsafe: 0,
    softirqReadSafe: 0,
    softirqReadUnsafe: 0,
    hardirqReadSafe: 0,
    hardirqReadUnsafe: 0,
  }
  for (const c of lockdep.classes.all()) {
    if (c.usage === 0) unused++
    if (c.usage === LOCKF_USED) uncategorized++
    if (has(c, LOCKF_USED_IN_IRQ)) n.irqSafe++
    if (has(c, LOCKF_ENABLED_IRQ)) n.irqUnsafe++
    if (has(c, f(LOCK_USED_IN_SOFTIRQ))) n.softirqSafe++
    if (has(c, f(LOCK_ENABLED_SOFTIRQ))) n.softirqUnsafe++
    if (has(c, f(LOCK_USED_IN_HARDIRQ))) n.hardirqSafe++
    if (has(c, f(LOCK_ENABLED_HARDIRQ))) n.hardirqUnsafe++
    if (has(c, LOCKF_USED_IN_IRQ_READ)) n.irqReadSafe++
    if (has(c, LOCKF_ENABLED_IRQ_READ)) n.irqReadUnsafe++
    if (has(c, f(LOCK_USED_IN_SOFTIRQ_READ))) n.softirqReadSafe++
    if (has(c, f(LOCK_ENABLED_SOFTIRQ_READ))) n.softirqReadUnsafe++
    if (has(c, f(LOCK_USED_IN_HARDIRQ_READ))) n.hardirqReadSafe++
    if (has(c, f(LOCK_ENABLED_HARDIRQ_READ))) n.hardirqReadUnsafe++
    sumForwardDeps += countDeps(c, true, lockdep.bfsStats)
  }
  const classes = lockdep.classes.size
  // add_lock_to_list() allocates one entry in locks_after and one in locks_before per dependency.
  const listEntries = 2 * lockdep.stats().dependencies
  const chains = lockdep.chains.validated
  // inc_chains(): hardirq first, then softirq, else process.
  let hardirqChains = 0
  let softirqChains = 0
  let processChains = 0
  // alloc_chain_hlocks(): `req = max(req, 2)` entries per chain.
  let hlocks = 0
  for (const chain of chains) {
    if (chain.irqContext & 2) hardirqChains++
    else if (chain.irqContext & 1) softirqChains++
    else processChains++
    hlocks += Math.max(chain.depth, 2)
  }
  return `${[
    stat('lock-classes', classes, MAX_LOCKDEP_KEYS),
    // `nr_dynamic_keys` (lockdep_register_key()): every lockproof class has a static key.
    stat('dynamic-keys', 0),
    stat('direct dependencies', listEntries, MAX_LOCKDEP_ENTRIES),
    stat('indirect dependencies', sumForwardDeps),
    stat('all direct dependencies', n.irqUnsafe * n.irqSafe + n.hardirqUnsafe * n.hardirqSafe + listEntries),
    stat('dependency chains', chains.length, MAX_LOCKDEP_CHAINS),
    stat('dependency chain hlocks used', hlocks, MAX_LOCKDEP_CHAIN_HLOCKS),
    stat('dependency chain hlocks lost', 0),
    stat('in-hardirq chains', hardirqChains),
    stat('in-softirq chains', softirqChains),
    stat('in-process chains', processChains),
    stat('stack-trace entries', 0, MAX_STACK_TRACE_ENTRIES),
    stat('number of stack traces', 0),
    stat('number of stack hash chains', 0),
    stat('combined max dependencies', (hardirqChains + 1) * (softirqChains + 1) * (processChains + 1)),
    stat('hardirq-safe locks', n.hardirqSafe),
    stat('hardirq-unsafe locks', n.hardirqUnsafe),
    stat('softirq-safe locks', n.softirqSafe),
    stat('softirq-unsafe locks', n.softirqUnsafe),
    stat('irq-safe locks', n.irqSafe),
    stat('irq-unsafe locks', n.irqUnsafe),
    stat('hardirq-read-safe locks', n.hardirqReadSafe),
    stat('hardirq-read-unsafe locks', n.hardirqReadUnsafe),
    stat('softirq-read-safe locks', n.softirqReadSafe),
    stat('softirq-read-unsafe locks', n.softirqReadUnsafe),
    stat('irq-read-safe locks', n.irqReadSafe),
    stat('irq-read-unsafe locks', n.irqReadUnsafe),
    stat('uncategorized locks', uncategorized),
    stat('unused locks', unused),
    stat('max locking depth', lockdep.maxDepthSeen),
    stat('max bfs queue depth', lockdep.bfsStats.maxQueueDepth),
    stat('max lock class index', Math.max(classes - 1, 0)),
    stat('debug_locks', lockdep.active ? 1 : 0),
    '',
    stat('zapped classes', 0),
    stat('zapped lock chains', 0),
    // The primordial chain_hlocks block sits in bucket 0 (init_chain_block_buckets()).
    stat('large chain blocks', 1),
  ].join('\n')}\n`
}

/** `cat <file>` of one of lockdep's files; anything else (an untyped caller's value) is a named error. */
export const readProcFile = (lockdep: Lockdep, file: LockdepProcFile): string => {
  switch (file) {
    case '/proc/lockdep':
      return procLockdep(lockdep)
    case '/proc/lockdep_chains':
      return procLockdepChains(lockdep)
    case '/proc/lockdep_stats':
      return procLockdepStats(lockdep)
    default:
      throw new InvalidArgumentError(`readProc(): no file ${String(file)} (lockdep has ${LOCKDEP_PROC_FILES.join(', ')})`)
  }
}
