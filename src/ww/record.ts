/**
 * A held ww_mutex as lockdep's `held_locks[]` has it: every ww_mutex of a class shares one
 * lockdep class, the class's `mutex_name` (`#ww_class "_mutex"`, `ww_mutex_init()` →
 * `ww_mutex_base_init(&lock->base, ww_class->mutex_name, &ww_class->mutex_key)`), a mutex's
 * map (LD_WAIT_SLEEP). With an acquire context its nest lock is the context's `dep_map`.
 * A ww_mutex is not scoped (the back-off unlocks in any order), so its record is pushed and
 * removed like a lockdep map's, not through a lock scope.
 */
import type { Cpu } from '../machine/cpu.js'
import type { HeldLock, IrqContext } from '../locks/held.js'
import type { LockHost } from '../locks/lock.js'
import { irqContextOf } from '../lockdep/validator.js'

export class WwRecord implements HeldLock {
  readonly kind = 'mutex'
  readonly check = true
  readonly variant = 'plain'
  readonly mode = 'write'
  readonly recursiveRead = false
  flags = null
  readonly irqLock = false
  readonly subclass = 0
  classId: number | null = null
  chainId: number | null = null
  readonly key: string
  readonly cpu: number
  readonly irqContext: IrqContext
  constructor(
    readonly name: string,
    readonly lock: number,
    cpu: Cpu,
    readonly trylock: boolean,
    readonly nestLock: number | null,
  ) {
    this.key = name
    this.cpu = cpu.id
    this.irqContext = irqContextOf(cpu)
  }
}

/** lockdep's `lock_acquire()` of `record` (validated, not yet pushed: the caller pushes it once the lock is taken). */
export const validateRecord = (host: LockHost, cpu: Cpu, stack: readonly HeldLock[], record: WwRecord): void => {
  const lockdep = host.lockdep
  if (!lockdep.active) return
  const cls = lockdep.classes.get(record.key, 'mutex')
  const chain = lockdep.acquire(cpu, stack, record, cls, record.irqContext)
  record.chainId = chain === null ? null : chain.id
  record.classId = chain === null ? null : cls.id
}

/** lockdep's `lock_release()` of `record`, wherever it is in the stack; false when it is not there. */
export const releaseRecord = (host: LockHost, cpu: Cpu, stack: HeldLock[], record: WwRecord): boolean => {
  const at = stack.lastIndexOf(record)
  if (at < 0) return false
  stack.splice(at, 1)
  if (at < stack.length) host.lockdep.release(cpu, stack, at)
  return true
}
