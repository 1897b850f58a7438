/**
 * `kmalloc()`'s checks, for every executor: GFP_KERNEL may sleep; GFP_ATOMIC does not, but takes
 * the allocator's spinlock_t locks (zone->lock), which sleep on RT — so not under a raw spinlock
 * or with interrupts off.
 */
import type { Gfp } from '../rules/gfp.js'
import type { Cpu } from '../machine/cpu.js'
import { InvalidArgumentError } from '../errors.js'
import { ZONE_LOCK_ID } from '../machine/machine.js'
import type { KernelParts } from './executor.js'

/** `KMALLOC_MAX_SIZE` (include/linux/slab.h): `1UL << (MAX_PAGE_ORDER + PAGE_SHIFT)`, 4 MiB with x86-64's 10 and 12. */
const KMALLOC_MAX_SIZE = 1 << (10 + 12)

/** Checks and reports one `kmalloc(size, gfp)` on `cpu`, then returns the (zeroed) memory. */
export const kmalloc = ({ options, reporter, lockdep, held }: KernelParts, cpu: Cpu, size: number, gfp: Gfp): Uint8Array => {
  if (!Number.isInteger(size) || size < 0) throw new InvalidArgumentError('kmalloc(): size must be a whole number ≥ 0')
  if (size > KMALLOC_MAX_SIZE) {
    throw new InvalidArgumentError(`kmalloc(): ${size} bytes is more than KMALLOC_MAX_SIZE (${KMALLOC_MAX_SIZE}: 1 << (MAX_PAGE_ORDER + PAGE_SHIFT))`)
  }
  if (gfp === 'GFP_KERNEL') reporter.mightSleep(cpu, 'kmalloc(GFP_KERNEL)')
  else if (gfp === 'GFP_ATOMIC') {
    lockdep.checkWaitOnly(cpu, held.of(cpu.current), {
      name: 'zone->lock',
      kind: 'spinlock_t',
      mode: 'write',
      recursiveRead: false,
      trylock: false,
      nestLock: null,
      lock: ZONE_LOCK_ID,
      key: 'zone->lock',
      subclass: 0,
      check: true,
    })
    if (options.preemptRt) reporter.mightResched(cpu, 'kmalloc(GFP_ATOMIC): zone->lock', 0, cpu.current.rcuReadLockNesting)
  } else throw new InvalidArgumentError("kmalloc(): gfp must be 'GFP_KERNEL' or 'GFP_ATOMIC'")
  if (options.trace) reporter.traceEvent(cpu, { event: 'kmalloc', size, gfp })
  return new Uint8Array(size)
}
