/**
 * lockdep's maps on the task's held-lock stack: `rcu_lock_acquire(&rcu_lock_map)` in
 * rcu_read_lock() (every one, nested or not, and the one inside RT's rt_spin_lock() and RT's
 * first local_bh_disable()), and on PREEMPT_RT `lock_map_acquire_read(&bh_lock_map)` in every
 * `__local_bh_disable_ip()`; `rcu_bh_lock_map` / `rcu_sched_lock_map` in rcu_read_lock_bh() /
 * rcu_read_lock_sched() (kernel.ts). Pushed only while lockdep runs (lock_acquire() returns at once
 * once `debug_locks` is clear, and in NMI), popped wherever they are.
 */
import type { Cpu } from '../machine/cpu.js'
import type { IrqFlags } from '../machine/cpu-state.js'
import type { HeldLock, HeldLocks, IrqContext } from '../locks/held.js'
import { BH_LOCK_MAP_ID, RCU_BH_LOCK_MAP_ID, RCU_LOCK_MAP_ID, RCU_SCHED_LOCK_MAP_ID, type Task } from '../machine/machine.js'
import type { LockClass } from './classes.js'
import { LOCKDEP_MAPS, type LockdepMapName } from './maps.js'
import { irqContextOf, type Lockdep } from './validator.js'

/** The machine's reserved lock id of each map (machine.ts). */
const MAP_IDS: Readonly<Record<LockdepMapName, number>> = {
  rcu_read_lock: RCU_LOCK_MAP_ID,
  local_bh: BH_LOCK_MAP_ID,
  rcu_read_lock_bh: RCU_BH_LOCK_MAP_ID,
  rcu_read_lock_sched: RCU_SCHED_LOCK_MAP_ID,
}

/** One held map entry. Records are pooled: nested RCU sections take several at once. */
class MapRecord implements HeldLock {
  readonly variant = 'plain'
  readonly mode = 'read'
  /** read == 2 for both maps. */
  readonly recursiveRead = true
  readonly flags: IrqFlags | null = null
  readonly irqLock = false
  readonly trylock = false
  readonly nestLock = null
  readonly subclass = 0
  cpu = 0
  irqContext: IrqContext = 0
  classId: number | null = null
  chainId: number | null = null
  readonly name: LockdepMapName
  readonly key: string
  readonly check: boolean
  /** The machine's reserved id of the map (machine.ts). */
  readonly lock: number

  constructor(readonly kind: LockdepMapName) {
    this.name = kind
    this.key = kind
    this.check = LOCKDEP_MAPS[kind].check
    this.lock = MAP_IDS[kind]
  }
}

export class HeldMaps {
  readonly #lockdep: Lockdep
  readonly #held: HeldLocks
  readonly #free: Record<LockdepMapName, MapRecord[]> = { rcu_read_lock: [], local_bh: [], rcu_read_lock_bh: [], rcu_read_lock_sched: [] }
  /**
   * Configuration, not state: without lockdep no entry is ever pushed, so a release returns at
   * once. (Whether an entry is held, and whether this release is in NMI, is read from the machine.)
   */
  readonly #configured: boolean
  /** The maps' classes, found once. */
  #rcuClass: LockClass | null = null
  #bhClass: LockClass | null = null

  constructor(lockdep: Lockdep, held: HeldLocks) {
    this.#lockdep = lockdep
    this.#held = held
    // Made with the kernel: debug_locks is still the `lockdep` option here.
    this.#configured = lockdep.active
  }

  /** `lock_acquire(map, 0, 0, 2, check, NULL, ip)`. */
  acquire(cpu: Cpu, map: LockdepMapName): void {
    const lockdep = this.#lockdep
    if (!lockdep.active) return
    const stack = this.#stackOf(cpu.current)
    const record = this.#free[map].pop() ?? new MapRecord(map)
    const irqContext = irqContextOf(cpu)
    record.cpu = cpu.id
    record.irqContext = irqContext
    const cls = this.#classOf(map)
    const chain = lockdep.acquireMap(cpu, stack, record, cls, irqContext)
    if (chain === null) {
      // Not pushed in NMI (or once lockdep is off).
      this.#free[map].push(record)
      return
    }
    record.classId = cls.id
    record.chainId = chain.id
    stack.push(record)
  }

  /** `lock_release(map, ip)`: the innermost entry of `map`, re-chaining the ones above it. */
  release(cpu: Cpu, map: LockdepMapName): void {
    if (!this.#configured) return
    // In NMI lockdep_off() makes lock_release() return at once (`if (unlikely(!lockdep_enabled()))
    // return;`): nothing was pushed there, and the interrupted code's entry stays.
    if (cpu.inNmi()) return
    const stack = this.#stackOf(cpu.current)
    for (let i = stack.length - 1; i >= 0; i--) {
      const h = stack[i] as HeldLock
      if (h.kind !== map) continue
      if (i === stack.length - 1) stack.pop()
      else {
        stack.splice(i, 1)
        this.#lockdep.release(cpu, stack, i)
      }
      this.#free[map].push(h as MapRecord)
      return
    }
  }

  #classOf(map: LockdepMapName): LockClass {
    if (map === 'rcu_read_lock') {
      if (this.#rcuClass === null) this.#rcuClass = this.#lockdep.classes.map(map)
      return this.#rcuClass
    }
    if (map === 'local_bh') {
      if (this.#bhClass === null) this.#bhClass = this.#lockdep.classes.map(map)
      return this.#bhClass
    }
    // rcu_read_lock_bh() / rcu_read_lock_sched(): rarer, found each time.
    return this.#lockdep.classes.map(map)
  }

  #stackOf(task: Task): HeldLock[] {
    return this.#held.of(task)
  }
}
