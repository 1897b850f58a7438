/**
 * One simulated CPU: the kernel's per-CPU primitives over plain state. Each primitive does what
 * its kernel namesake does to the counters, and refuses (reporting first) what would wrap them.
 * Scoped, user-facing operations live in src/context; this is the "hardware and core code" layer.
 */
import type { CountingField } from '../diagnostics.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockdepMapName } from '../lockdep/maps.js'
import { MAINLINE_LAYOUT, type PreemptCountLayout } from './layout.js'
import { fieldValue, PREEMPT_MASK, PREEMPT_OFFSET, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from './preempt-count.js'
import * as P from './predicates.js'
import { IRQS_OFF, IRQS_ON, type IrqFlags } from './state.js'
import type { TracePayload } from '../machine/events.js'
import type { MachineCpu, Task } from '../machine/machine.js'
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from '../context/claim-bits.js'
import type { KernelWarning } from '../report/proof-diagnostics.js'

/** `MAX_SOFTIRQ_RESTART` in kernel/softirq.c. */
export const MAX_SOFTIRQ_RESTART = 10
/** Counted interrupt disabling keeps its depth in 8 bits (the series' preempt_count field). */
export const INTERRUPT_DISABLE_MAX = 0xff
/** `migration_disabled` is an unsigned short; RCU nesting an int — we bound both generously. */
const TASK_COUNTER_MAX = 0xffff

/** What a CPU needs from the kernel that owns it. */
export interface CpuHost {
  readonly preemptRt: boolean
  /** `force_irqthreads()`: RT, or the `threadirqs` boot option. */
  readonly forceIrqThreads: boolean
  /** The preempt_count layout (./layout.ts). Default: the mainline one. */
  readonly layout?: PreemptCountLayout
  /** Records the counting report and throws a CountingError; never returns. */
  countingError(cpu: Cpu, field: CountingField, problem: 'underflow' | 'overflow', detail: string): never
  /** Runs the primary handler of `line` (already in hardirq context). */
  handleIrq(cpu: Cpu, line: number): void
  /** Runs the handler of softirq `nr` (already serving softirqs). */
  handleSoftirq(cpu: Cpu, nr: number): void
  /** Whether state changes are traced at all (so events are not even built otherwise). */
  readonly tracing: boolean
  /** Reports one state change for the trace (called only while `tracing`). */
  trace(cpu: Cpu, event: TracePayload): void
  /** CONFIG_TRACE_IRQFLAGS (on with lockdep): the out-of-line BH functions and their warnings. */
  readonly traceIrqflags: boolean
  /** Interrupts, preemption or BH came back on while live contexts carry proofs: check the proofs in `mask`. */
  proofsMayBeFalse(cpu: Cpu, by: string, mask: number): void
  /** One of the kernel's WARN_ON_ONCE()s (kernel/softirq.c) fired here. */
  warn(cpu: Cpu, warning: KernelWarning): void
  /**
   * Interrupts came back on (`trace_hardirqs_on()` → `lockdep_hardirqs_on_prepare()`), before
   * pending ones are taken: lockdep's `mark_held_locks()`. Optional: a bare CPU has no lockdep.
   */
  readonly hardirqsOn?: (cpu: Cpu) => void
  /** Bottom halves came back on in this task (`lockdep_softirqs_on()`). */
  readonly softirqsOn?: (cpu: Cpu) => void
  /** lockdep's `lock_acquire()` of one of its maps (rcu_lock_map, RT's bh_lock_map). */
  readonly lockMapAcquire?: (cpu: Cpu, map: LockdepMapName) => void
  /** lockdep's `lock_release()` of one of its maps. */
  readonly lockMapRelease?: (cpu: Cpu, map: LockdepMapName) => void
}

export class Cpu {
  /**
   * Live scopes on this CPU by id, innermost last (runtime bookkeeping, not part of the state).
   * Numbers, not the contexts: storing a fresh object into this long-lived array would cost a
   * generational write barrier on every scope.
   */
  readonly scopeIds: number[] = []
  /**
   * How many live contexts on this CPU carry each proof (src/context/claims.ts): IrqDisabled,
   * PreemptDisabled, BhDisabled. Counted, so noticing a false one costs one comparison. Kept in
   * the machine's CPU state (machine.ts).
   */
  get claimIrq(): number {
    return this.state.claimIrq
  }
  get claimPreempt(): number {
    return this.state.claimPreempt
  }
  get claimBh(): number {
    return this.state.claimBh
  }
  /** lockdep's `curr->hardirq_threaded`: the hardirq handler running now would be threaded on RT. */
  get hardirqThreaded(): boolean {
    return this.state.hardirqThreaded
  }
  set hardirqThreaded(threaded: boolean) {
    this.state.hardirqThreaded = threaded
  }
  /** Where the hardirq, NMI and interrupt-disable counts sit in preempt_count. */
  readonly layout: PreemptCountLayout

  constructor(
    readonly state: MachineCpu,
    private readonly host: CpuHost,
  ) {
    this.layout = host.layout ?? MAINLINE_LAYOUT
  }

  get id(): number {
    return this.state.id
  }
  get current(): Task {
    return this.state.current
  }
  get preemptRt(): boolean {
    return this.host.preemptRt
  }

  // ── predicates (include/linux/preempt.h) ───────────────────────────────────────────────
  get preemptCount(): number {
    return P.preemptCount(this.state)
  }
  get irqsDisabled(): boolean {
    return this.state.irqsDisabled
  }
  inNmi(): boolean {
    return P.inNmi(this.state, this.layout)
  }
  inHardirq(): boolean {
    return P.inHardirq(this.state, this.layout)
  }
  /** The hardirq nesting depth (the HARDIRQ field, shifted down). */
  hardirqDepth(): number {
    return P.hardirqCount(this.state, this.layout) >>> this.layout.hardirqShift
  }
  /** `hardirq_disable_count()`: 0 on the mainline layout, where the depth is kept outside preempt_count. */
  hardirqDisableCount(): number {
    return P.hardirqDisableCount(this.state, this.layout)
  }
  inServingSoftirq(): boolean {
    return P.inServingSoftirq(this.state, this.preemptRt)
  }
  inSoftirq(): boolean {
    return P.inSoftirq(this.state, this.preemptRt)
  }
  inInterrupt(): boolean {
    return P.inInterrupt(this.state, this.preemptRt, this.layout)
  }
  inTask(): boolean {
    return P.inTask(this.state, this.preemptRt, this.layout)
  }
  inAtomic(): boolean {
    return P.inAtomic(this.state)
  }
  preemptible(): boolean {
    return P.preemptible(this.state)
  }
  softirqCount(): number {
    return P.softirqCount(this.state, this.preemptRt)
  }

  // ── live proofs (issue #11) ────────────────────────────────────────────────────────────
  addClaims(bits: number): void {
    const s = this.state
    if (bits & CLAIM_IRQ) s.claimIrq++
    if (bits & CLAIM_PREEMPT) s.claimPreempt++
    if (bits & CLAIM_BH) s.claimBh++
  }
  removeClaims(bits: number): void {
    const s = this.state
    if (bits & CLAIM_IRQ) s.claimIrq--
    if (bits & CLAIM_PREEMPT) s.claimPreempt--
    if (bits & CLAIM_BH) s.claimBh--
  }

  /**
   * Interrupts came back on (the flag went from off to on). lockproof checks the live proofs
   * here; lockdep's `lockdep_hardirqs_on_prepare()` / `mark_held_locks()` belongs next to it.
   */
  #hardirqsOn(by: string): void {
    // Every proof was true with interrupts off: whatever is false now became so here.
    if ((this.claimIrq | this.claimPreempt | this.claimBh) !== 0) this.host.proofsMayBeFalse(this, by, CLAIM_IRQ | CLAIM_PREEMPT | CLAIM_BH)
  }
  /** Bottom halves came back on (`local_bh_enable()` dropped the count): as `lockdep_softirqs_on()`. */
  #softirqsOn(by: string): void {
    if (this.claimBh !== 0 || this.claimPreempt !== 0) this.host.proofsMayBeFalse(this, by, CLAIM_BH | CLAIM_PREEMPT)
  }

  // ── preempt_count ──────────────────────────────────────────────────────────────────────
  /** `preempt_count_add(val)`: refuses a field overflow instead of spilling into the next field. */
  preemptCountAdd(val: number): void {
    // Fast path for the common preempt_disable(): one unit into a field that has room.
    const s = this.state
    if (val === PREEMPT_OFFSET && (s.preemptCount & PREEMPT_MASK) !== PREEMPT_MASK) s.preemptCount = (s.preemptCount + 1) >>> 0
    else this.#preemptCountAddChecked(val)
  }

  // Out of line, so that the fast paths stay small enough for V8 to inline.
  #preemptCountAddChecked(val: number): void {
    for (const field of this.layout.fieldsOutermostFirst) {
      const units = fieldValue(val, field)
      if (units === 0) continue
      const max = fieldValue(field.mask, field)
      if (fieldValue(this.state.preemptCount, field) + units > max) {
        this.host.countingError(this, field.name, 'overflow', `${field.name} field would exceed ${max}`)
      }
    }
    this.state.preemptCount = (this.state.preemptCount + val) >>> 0
  }

  /** `preempt_count_sub(val)`: DEBUG_PREEMPT's `DEBUG_LOCKS_WARN_ON(val > preempt_count())`, per field. */
  preemptCountSub(val: number): void {
    const s = this.state
    if (val === PREEMPT_OFFSET && (s.preemptCount & PREEMPT_MASK) !== 0) s.preemptCount = (s.preemptCount - 1) >>> 0
    else this.#preemptCountSubChecked(val)
  }

  #preemptCountSubChecked(val: number): void {
    for (const field of this.layout.fieldsOutermostFirst) {
      if (fieldValue(val, field) > fieldValue(this.state.preemptCount, field)) {
        this.host.countingError(this, field.name, 'underflow', `${field.name} field would go below 0`)
      }
    }
    this.state.preemptCount = (this.state.preemptCount - val) >>> 0
  }

  preemptDisable(): void {
    this.preemptCountAdd(PREEMPT_OFFSET)
    if (this.host.tracing) this.host.trace(this, { event: 'preempt_disable' })
  }

  preemptEnable(): void {
    this.preemptCountSub(PREEMPT_OFFSET)
    if (this.host.tracing) this.host.trace(this, { event: 'preempt_enable' })
    // Preemption may be back on: a live PreemptDisabled proof would be false now.
    if (this.claimPreempt !== 0) this.host.proofsMayBeFalse(this, 'preempt_enable()', CLAIM_PREEMPT)
  }

  // ── the interrupt flag ─────────────────────────────────────────────────────────────────
  localIrqDisable(): void {
    this.state.irqsDisabled = true
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_disable' })
  }

  /** `local_irq_enable()`: interrupts raised meanwhile are taken at once. Never runs softirqs. */
  localIrqEnable(deferDelivery = false, checkProofs = true): void {
    const was = this.state.irqsDisabled
    this.state.irqsDisabled = false
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_enable' })
    try {
      if (was) this.#lockdepHardirqsOn()
      if (was && checkProofs) this.#hardirqsOn('local_irq_enable()')
    } finally {
      if (!deferDelivery) this.deliverPendingIrqs()
    }
  }

  // Interrupts / bottom halves back on: one call each, out of line (lockdep's mark_held_locks()).
  #lockdepHardirqsOn(): void {
    this.host.hardirqsOn?.(this)
  }
  #lockdepSoftirqsOn(): void {
    this.host.softirqsOn?.(this)
  }

  localIrqSave(): IrqFlags {
    const flags = this.state.irqsDisabled ? IRQS_OFF : IRQS_ON
    this.state.irqsDisabled = true
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_save' })
    return flags
  }

  /** `deferDelivery`: the caller takes pending interrupts itself, after checking the new state. */
  localIrqRestore(flags: IrqFlags, deferDelivery = false): void {
    if (typeof flags !== 'object' || flags === null || typeof flags.irqsDisabled !== 'boolean') {
      throw new InvalidArgumentError('local_irq_restore() needs the flags local_irq_save() returned')
    }
    const was = this.state.irqsDisabled
    this.state.irqsDisabled = flags.irqsDisabled
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_restore' })
    if (flags.irqsDisabled) return
    try {
      if (was) this.#lockdepHardirqsOn()
      if (was) this.#hardirqsOn('local_irq_restore()')
    } finally {
      if (!deferDelivery) this.deliverPendingIrqs()
    }
  }

  // ── counted interrupt disabling (local_interrupt_disable series) ───────────────────────
  /**
   * Saves the flags on 0→1 only; nested calls just count. On the interrupt-count layout the
   * count is preempt_count's HARDIRQ_DISABLE field, raised *before* local_irq_save()
   * (`hardirq_disable_enter()` first); `interruptDisableCount` mirrors it.
   */
  localInterruptDisable(): void {
    const s = this.state
    if (s.interruptDisableCount >= INTERRUPT_DISABLE_MAX) {
      this.host.countingError(this, 'interrupt-disable', 'overflow', `nesting would exceed ${INTERRUPT_DISABLE_MAX}`)
    }
    const offset = this.layout.interruptDisableOffset
    if (offset !== 0) this.preemptCountAdd(offset)
    if (s.interruptDisableCount === 0) s.interruptDisableSaved = this.localIrqSave()
    s.interruptDisableCount++
    if (this.host.tracing) this.host.trace(this, { event: 'local_interrupt_disable' })
  }

  /** Restores the saved flags on 1→0 only (interrupt-count layout: after `hardirq_disable_exit()`). */
  localInterruptEnable(deferDelivery = false): void {
    const s = this.state
    if (s.interruptDisableCount === 0) {
      this.host.countingError(this, 'interrupt-disable', 'underflow', 'local_interrupt_enable() at depth 0')
    }
    const offset = this.layout.interruptDisableOffset
    if (offset !== 0) this.preemptCountSub(offset)
    s.interruptDisableCount--
    if (this.host.tracing) this.host.trace(this, { event: 'local_interrupt_enable' })
    if (s.interruptDisableCount === 0) {
      const saved = s.interruptDisableSaved ?? IRQS_ON
      s.interruptDisableSaved = null
      this.localIrqRestore(saved, deferDelivery)
    }
  }

  // ── task-level counters ────────────────────────────────────────────────────────────────
  private taskCounter(field: 'migrate' | 'rcu', key: 'migrationDisabled' | 'rcuReadLockNesting', delta: 1 | -1): void {
    const task = this.state.current
    const next = task[key] + delta
    if (next < 0) this.host.countingError(this, field, 'underflow', `${key} would go below 0`)
    if (next > TASK_COUNTER_MAX) this.host.countingError(this, field, 'overflow', `${key} would exceed ${TASK_COUNTER_MAX}`)
    task[key] = next
  }

  /** `migrate_disable()`: a task counter; leaves preempt_count alone on SMP kernels, RT or not. */
  migrateDisable(): void {
    this.taskCounter('migrate', 'migrationDisabled', 1)
    if (this.host.tracing) this.host.trace(this, { event: 'migrate_disable' })
  }
  migrateEnable(): void {
    this.taskCounter('migrate', 'migrationDisabled', -1)
    if (this.host.tracing) this.host.trace(this, { event: 'migrate_enable' })
  }

  /**
   * `rcu_read_lock()` with preemptible RCU: a task counter, preempt_count untouched; then
   * `rcu_lock_acquire(&rcu_lock_map)`, an entry on lockdep's held-lock stack.
   */
  rcuReadLock(): void {
    this.taskCounter('rcu', 'rcuReadLockNesting', 1)
    const acquire = this.host.lockMapAcquire
    if (acquire !== undefined) {
      try {
        acquire(this, 'rcu_read_lock')
      } catch (error) {
        // A report thrown ('throw' mode, MAX_LOCK_DEPTH): the section was not entered.
        this.state.current.rcuReadLockNesting--
        throw error
      }
    }
    if (this.host.tracing) this.host.trace(this, { event: 'rcu_read_lock' })
  }
  /** `__rcu_read_unlock()`, then `rcu_lock_release(&rcu_lock_map)`. */
  rcuReadUnlock(): void {
    this.taskCounter('rcu', 'rcuReadLockNesting', -1)
    this.host.lockMapRelease?.(this, 'rcu_read_lock')
    if (this.host.tracing) this.host.trace(this, { event: 'rcu_read_unlock' })
  }

  // ── bottom halves (kernel/softirq.c) ───────────────────────────────────────────────────
  /** `__local_bh_disable_ip(cnt)`. On RT the count is the task's, behind a per-CPU local lock. */
  localBhDisable(cnt: number = SOFTIRQ_DISABLE_OFFSET): void {
    // WARN_ON_ONCE(in_hardirq()): always on RT, in the TRACE_IRQFLAGS version on a normal kernel.
    if ((this.preemptRt || this.host.traceIrqflags) && this.inHardirq()) this.host.warn(this, 'bh-disable-in-hardirq')
    if (!this.preemptRt) {
      this.preemptCountAdd(cnt)
    } else {
      const task = this.state.current
      if ((task.softirqDisableCnt & SOFTIRQ_MASK) + cnt > SOFTIRQ_MASK) {
        this.host.countingError(this, 'softirq', 'overflow', 'softirq_disable_cnt would exceed its field')
      }
      // `lock_map_acquire_read(&bh_lock_map)` first, on every call (so below the RCU entry).
      this.host.lockMapAcquire?.(this, 'local_bh')
      // First entry of a task into a BH-disabled section (PREEMPT_RT_NEEDS_BH_LOCK=n, the
      // default): migrate_disable() + rcu_read_lock(), and only when preemptible().
      if (task.softirqDisableCnt === 0 && this.preemptible()) {
        this.migrateDisable()
        try {
          this.rcuReadLock()
        } catch (error) {
          this.migrateEnable()
          this.host.lockMapRelease?.(this, 'local_bh')
          throw error
        }
      }
      task.softirqDisableCnt += cnt
    }
    if (this.host.tracing) this.host.trace(this, { event: 'local_bh_disable' })
  }

  /** `__local_bh_enable_ip(cnt)`: runs pending softirqs when this brings BH back on in task context. */
  localBhEnable(cnt: number = SOFTIRQ_DISABLE_OFFSET): void {
    // __local_bh_enable_ip(), both kernels: WARN_ON_ONCE(in_hardirq()); lockdep_assert_irqs_enabled();
    // A warning that throws (onDiagnostic: 'throw') is rethrown after the enable is done, so the
    // counts are never left half-way.
    const irqsWereOff = this.state.irqsDisabled
    let warning: unknown = null
    try {
      if (this.inHardirq()) this.host.warn(this, 'bh-enable-in-hardirq')
      if (irqsWereOff && this.host.traceIrqflags) this.host.warn(this, 'bh-enable-irqs-disabled')
    } catch (error) {
      warning = error
    }
    this.#localBhEnable(cnt)
    // Normal kernel with TRACE_IRQFLAGS: local_irq_disable() first, local_irq_enable() last —
    // interrupts end up on even if they were off. RT saves and restores the flag.
    // (That local_irq_enable() checks every proof; otherwise the BH count coming down is the news.)
    try {
      if (!this.preemptRt && this.host.traceIrqflags && irqsWereOff) this.localIrqEnable()
      else this.#softirqsOn('local_bh_enable()')
    } catch (error) {
      warning ??= error
    }
    if (warning !== null) throw warning
  }

  /** Undoes a `localBhDisable(cnt)` just done (a later lock step was refused): the counts only. */
  localBhRollback(cnt: number): void {
    if (!this.preemptRt) this.preemptCountSub(cnt)
    else this.rtLocalBhEnable(cnt, this.preemptible())
  }

  #localBhEnable(cnt: number): void {
    if (!this.preemptRt) {
      // `__preempt_count_sub(cnt - 1)`: keep preemption disabled until softirq processing is
      // done. Done as sub(cnt) + add(1) so that each step stays inside its field.
      // With the preempt field already full (255 nested preempt_disable()), preemption is off
      // anyway: skip the +1 rather than refuse a correct program.
      this.preemptCountSub(cnt)
      const hold = (this.state.preemptCount & PREEMPT_MASK) !== PREEMPT_MASK
      if (hold) this.preemptCountAdd(PREEMPT_OFFSET)
      if (this.host.tracing) this.host.trace(this, { event: 'local_bh_enable' })
      try {
        if (!this.inInterrupt() && this.state.softirqPending !== 0) this.doSoftirq()
      } finally {
        if (hold) this.preemptCountSub(PREEMPT_OFFSET)
      }
      // lockdep_softirqs_on() runs with interrupts off before the softirqs; the held locks are
      // marked at the local_irq_enable() that ends __local_bh_enable_ip(), after them.
      if (this.softirqCount() === 0) this.#lockdepSoftirqsOn()
      return
    }
    const task = this.state.current
    if ((task.softirqDisableCnt & SOFTIRQ_MASK) < cnt) {
      this.host.countingError(this, 'softirq', 'underflow', 'local_bh_enable() without local_bh_disable()')
    }
    // `lock_map_release(&bh_lock_map)` first: the softirqs below run without it.
    this.host.lockMapRelease?.(this, 'local_bh')
    const preemptOn = this.preemptible()
    if (task.softirqDisableCnt === cnt && this.state.softirqPending !== 0) {
      if (!preemptOn) {
        this.state.ksoftirqdWoken = true
      } else {
        // Become "serving" (SOFTIRQ_OFFSET) and run them here, in task context, inside the
        // kernel's local_irq_save() … local_irq_restore() (handle_softirqs() is entered and left
        // with interrupts off).
        const flags = this.localIrqSave()
        task.softirqDisableCnt -= cnt - SOFTIRQ_OFFSET
        if (this.host.tracing) this.host.trace(this, { event: 'local_bh_enable' })
        try {
          this.handleSoftirqs()
        } finally {
          this.rtLocalBhEnable(SOFTIRQ_OFFSET, preemptOn)
          this.localIrqRestore(flags)
        }
        return
      }
    }
    this.rtLocalBhEnable(cnt, preemptOn)
  }

  /**
   * `run_ksoftirqd()` in ksoftirqd's own task: ksoftirqd_run_begin() (RT: BH off with
   * SOFTIRQ_OFFSET; then interrupts off), the pending softirqs, ksoftirqd_run_end().
   */
  runKsoftirqd(): void {
    this.state.ksoftirqdWoken = false
    if (this.preemptRt) this.localBhDisable(SOFTIRQ_OFFSET)
    this.localIrqDisable()
    try {
      if (this.state.softirqPending !== 0) this.handleSoftirqs()
    } finally {
      // RT ksoftirqd_run_end(): lock_map_release(&bh_lock_map) ("pairs with the
      // lock_map_acquire_read() in ksoftirqd_run_begin()"), __local_bh_enable(SOFTIRQ_OFFSET,
      // true), then local_irq_enable().
      if (this.preemptRt) {
        this.host.lockMapRelease?.(this, 'local_bh')
        this.rtLocalBhEnable(SOFTIRQ_OFFSET, true)
      }
      this.localIrqEnable()
    }
  }

  private rtLocalBhEnable(cnt: number, unlock: boolean): void {
    const task = this.state.current
    task.softirqDisableCnt -= cnt
    if (task.softirqDisableCnt === 0) this.#lockdepSoftirqsOn()
    if (task.softirqDisableCnt === 0 && unlock) {
      this.migrateEnable()
      this.rcuReadUnlock()
    }
    if (this.host.tracing) this.host.trace(this, { event: 'local_bh_enable' })
  }

  // ── softirqs ───────────────────────────────────────────────────────────────────────────
  /**
   * `raise_softirq()`: marks it pending; outside interrupt context (and with BH on) that wakes
   * ksoftirqd, otherwise it runs at irq_exit() or at the local_bh_enable() that turns BH back on.
   */
  raiseSoftirq(nr: number): void {
    const flags = this.localIrqSave()
    this.state.softirqPending |= 1 << nr
    if (this.host.tracing) this.host.trace(this, { event: 'raise_softirq', vec: nr })
    if (!this.inInterrupt()) this.state.ksoftirqdWoken = true
    this.localIrqRestore(flags)
  }

  /** `do_softirq()`: with interrupts saved off, runs what is pending (never from interrupt context). */
  doSoftirq(): void {
    if (this.inInterrupt()) return
    const flags = this.localIrqSave()
    try {
      if (this.state.softirqPending !== 0) this.handleSoftirqs()
    } finally {
      this.localIrqRestore(flags)
    }
  }

  /**
   * `handle_softirqs()`: serving count up, then each pending softirq from bit 0 upwards with
   * interrupts on, restarting while new ones are raised (at most MAX_SOFTIRQ_RESTART times,
   * then ksoftirqd takes over). Entered and left with interrupts off on a normal kernel.
   */
  handleSoftirqs(): void {
    const rt = this.preemptRt
    if (!rt) this.preemptCountAdd(SOFTIRQ_OFFSET)
    if (this.host.tracing) this.host.trace(this, { event: 'handle_softirqs', phase: 'begin' })
    let restart = MAX_SOFTIRQ_RESTART
    let pending = this.state.softirqPending
    try {
      for (;;) {
        this.state.softirqPending = 0
        this.localIrqEnable(false, this.state.inIrqExit === 0)
        try {
          for (let nr = 0; pending !== 0; nr++, pending >>>= 1) {
            if (pending & 1) this.host.handleSoftirq(this, nr)
          }
        } finally {
          // A handler that throws drops the rest of this round; the CPU state is still undone.
          this.localIrqDisable()
        }
        pending = this.state.softirqPending
        if (pending === 0) break
        if (--restart === 0) {
          this.state.ksoftirqdWoken = true
          break
        }
      }
    } finally {
      if (this.host.tracing) this.host.trace(this, { event: 'handle_softirqs', phase: 'end' })
      if (!rt) this.preemptCountSub(SOFTIRQ_OFFSET)
    }
  }

  // ── hard interrupts and NMIs ───────────────────────────────────────────────────────────
  /** `__irq_enter()`: HARDIRQ_OFFSET (of the kernel's layout). */
  irqEnter(): void {
    this.preemptCountAdd(this.layout.hardirqOffset)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_enter' })
  }

  /**
   * `__irq_exit_rcu()`: leave hardirq, then run (or on RT, hand to ksoftirqd) pending softirqs.
   * On the interrupt-count layout not while `hardirq_disable_count()` is non-zero (the series'
   * `if (!in_interrupt() && !hardirq_disable_count() && local_softirq_pending())`).
   */
  irqExit(): void {
    this.preemptCountSub(this.layout.hardirqOffset)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_exit' })
    if (!this.inInterrupt() && this.hardirqDisableCount() === 0 && this.state.softirqPending !== 0) {
      // RT never runs them here: should_wake_ksoftirqd() is "no task on this CPU has BH off".
      // A normal kernel with threadirqs wakes ksoftirqd too (invoke_softirq()).
      if (this.preemptRt) {
        if (this.state.current.softirqDisableCnt === 0) this.state.ksoftirqdWoken = true
      } else if (this.host.forceIrqThreads) this.state.ksoftirqdWoken = true
      else {
        this.state.inIrqExit++
        try {
          this.handleSoftirqs()
        } finally {
          this.state.inIrqExit--
        }
      }
    }
  }

  /**
   * `__nmi_enter()`. Mainline: NMI_OFFSET + HARDIRQ_OFFSET (4-bit NMI nesting in preempt_count).
   * Interrupt-count layout: `BUG_ON(nmi_nesting >= 15)`, `nmi_nesting++`, HARDIRQ_OFFSET, and
   * the NMI bit set (`preempt_count() | NMI_MASK`).
   */
  nmiEnter(): void {
    const layout = this.layout
    if (!layout.nmiNestingPerCpu) {
      this.preemptCountAdd(layout.nmiOffset + layout.hardirqOffset)
    } else {
      const s = this.state
      if (s.nmiNesting >= layout.nmiNestingMax) {
        this.host.countingError(this, 'nmi', 'overflow', `nmi_nesting would exceed ${layout.nmiNestingMax}`)
      }
      this.preemptCountAdd(layout.hardirqOffset)
      s.nmiNesting++
      s.preemptCount = (s.preemptCount | layout.nmiMask) >>> 0
    }
    if (this.host.tracing) this.host.trace(this, { event: 'nmi_enter' })
  }

  /** `__nmi_exit()`. Interrupt-count layout: the NMI bit is cleared only when `nmi_nesting` drops to 0. */
  nmiExit(): void {
    const layout = this.layout
    if (!layout.nmiNestingPerCpu) {
      this.preemptCountSub(layout.nmiOffset + layout.hardirqOffset)
    } else {
      const s = this.state
      if (s.nmiNesting === 0 || !this.inNmi()) this.host.countingError(this, 'nmi', 'underflow', 'nmi_exit() outside NMI')
      this.preemptCountSub(layout.hardirqOffset)
      s.nmiNesting--
      if (s.nmiNesting === 0) s.preemptCount = (s.preemptCount & ~layout.nmiMask) >>> 0
    }
    if (this.host.tracing) this.host.trace(this, { event: 'nmi_exit' })
  }

  /** Asserts an interrupt line: taken at once with interrupts on, else pending until they are. */
  raiseIrq(line: number): void {
    this.state.pendingIrqs.push(line)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_raise', line })
    this.deliverPendingIrqs()
  }

  /** Takes pending interrupts in raise order while interrupts are on. */
  deliverPendingIrqs(): void {
    const s = this.state
    while (!s.irqsDisabled && s.pendingIrqs.length > 0) {
      const line = s.pendingIrqs.shift() as number
      this.takeIrq(line)
    }
  }

  /** The hardware's part: interrupts off on entry, handler in hardirq context, flag back on exit. */
  private takeIrq(line: number): void {
    this.state.irqsDisabled = true
    this.irqEnter()
    try {
      this.host.handleIrq(this, line)
    } finally {
      try {
        this.irqExit()
      } finally {
        this.state.irqsDisabled = false
      }
    }
  }
}
