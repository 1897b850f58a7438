/**
 * One simulated CPU: the kernel's per-CPU primitives over plain state. Each primitive does what
 * its kernel namesake does to the counters, and refuses (reporting first) what would wrap them.
 * Scoped, user-facing operations live in src/exec (the scopes); this is the "hardware and core code" layer.
 * It never calls user code: where the kernel would take an interrupt or run softirqs, a primitive
 * returns an outcome (src/machine/outcome.ts) and the executor's delivery (src/exec/delivery.ts)
 * runs the handlers, then calls back in here for the rest of the sequence.
 */
import type { CountingField } from '../diagnostics/types.js'
import { InvalidArgumentError } from '../errors.js'
import type { LockdepMapName } from '../lockdep/maps.js'
import { MAINLINE_LAYOUT, type PreemptCountLayout } from './layout.js'
import { fieldValue, PREEMPT_MASK, PREEMPT_OFFSET, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from './preempt-count.js'
import * as P from './predicates.js'
import { IRQS_OFF, IRQS_ON, type IrqFlags } from './cpu-state.js'
import type { TracePayload } from './events.js'
import type { MachineCpu, Task } from './machine.js'
import { CLAIM_BH, CLAIM_IRQ, CLAIM_PREEMPT } from '../exec/claim-bits.js'
import { OK, type IrqOutcome, type OkOutcome, type SoftirqsOutcome } from './outcome.js'
import type { KernelWarning } from '../diagnostics/proof-diagnostics.js'

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
  /** Whether state changes are traced at all (so events are not even built otherwise). */
  readonly tracing: boolean
  /** Reports one state change for the trace (called only while `tracing`). */
  trace(cpu: Cpu, event: TracePayload): void
  /** CONFIG_TRACE_IRQFLAGS (on with lockdep): the out-of-line BH functions and their warnings. */
  readonly traceIrqflags: boolean
  /** CONFIG_DEBUG_IRQFLAGS: a restore with interrupts already on warns (absent: off). */
  readonly debugIrqflags?: boolean
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
   * How many live contexts on this CPU carry each proof (src/exec/claims.ts): IrqDisabled,
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

  /**
   * `local_irq_enable()`. Never runs softirqs. The interrupts raised meanwhile are to be taken at
   * once: the outcome says so (the executor takes them, also when a report here threw).
   */
  localIrqEnable(checkProofs = true): OkOutcome | IrqOutcome {
    const was = this.state.irqsDisabled
    this.state.irqsDisabled = false
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_enable' })
    if (was) this.#lockdepHardirqsOn()
    if (was && checkProofs) this.#hardirqsOn('local_irq_enable()')
    return this.irqOutcome()
  }

  /** The interrupt to take now: the first pending one while interrupts are on, else OK. */
  irqOutcome(): OkOutcome | IrqOutcome {
    const s = this.state
    if (s.irqsDisabled || s.pendingIrqs.length === 0) return OK
    return { tag: 'irq', cpu: s.id, line: s.pendingIrqs[0] as number }
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

  /** `local_irq_restore()`; the outcome is the interrupt to take now (as localIrqEnable()). */
  localIrqRestore(flags: IrqFlags): OkOutcome | IrqOutcome {
    if (typeof flags !== 'object' || flags === null || typeof flags.irqsDisabled !== 'boolean') {
      throw new InvalidArgumentError('local_irq_restore() needs the flags local_irq_save() returned')
    }
    const was = this.state.irqsDisabled
    this.state.irqsDisabled = flags.irqsDisabled
    if (this.host.tracing) this.host.trace(this, { event: 'local_irq_restore' })
    // CONFIG_DEBUG_IRQFLAGS raw_check_bogus_irq_restore(): `if (unlikely(!arch_irqs_disabled()))
    // warn_bogus_irq_restore();` — the kernel warns just before restoring; here just after, so
    // that a thrown report (onDiagnostic: 'throw') leaves the restore done.
    if (!was && this.host.debugIrqflags === true) this.host.warn(this, 'bogus-irq-restore')
    if (flags.irqsDisabled) return OK
    if (was) this.#lockdepHardirqsOn()
    if (was) this.#hardirqsOn('local_irq_restore()')
    return this.irqOutcome()
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
  localInterruptEnable(): OkOutcome | IrqOutcome {
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
      return this.localIrqRestore(saved)
    }
    return OK
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

  /**
   * `__local_bh_enable_ip(cnt)`, the first part: its two warnings. WARN_ON_ONCE(in_hardirq());
   * lockdep_assert_irqs_enabled() (with TRACE_IRQFLAGS). The sequence is src/exec/delivery.ts's
   * `localBhEnable()`, which runs the softirqs in between.
   */
  localBhEnableWarnings(irqsWereOff: boolean): void {
    if (this.inHardirq()) this.host.warn(this, 'bh-enable-in-hardirq')
    if (irqsWereOff && this.host.traceIrqflags) this.host.warn(this, 'bh-enable-irqs-disabled')
  }

  /**
   * The last part, a question only: a normal kernel with TRACE_IRQFLAGS did local_irq_disable()
   * first and ends in local_irq_enable() — interrupts end up on even if they were off (the
   * caller enables them, which checks every proof). Otherwise the caller calls
   * {@link localBhEnableSoftirqsOn}.
   */
  localBhEnableEndsIrqsOn(irqsWereOff: boolean): boolean {
    return !this.preemptRt && this.host.traceIrqflags && irqsWereOff
  }

  /** The last part when interrupts stay as they were: the BH count coming down is the news (its proofs checked). */
  localBhEnableSoftirqsOn(): void {
    this.#softirqsOn('local_bh_enable()')
  }

  /** Undoes a `localBhDisable(cnt)` just done (a later lock step was refused): the counts only. */
  localBhRollback(cnt: number): void {
    if (!this.preemptRt) this.preemptCountSub(cnt)
    else this.rtLocalBhEnable(cnt, this.preemptible())
  }

  /**
   * Normal kernel: `__preempt_count_sub(cnt - 1)`, keeping preemption disabled until softirq
   * processing is done. Done as sub(cnt) + add(1) so that each step stays inside its field.
   * With the preempt field already full (255 nested preempt_disable()), preemption is off
   * anyway: skip the +1 rather than refuse a correct program. Returns whether the +1 was done.
   */
  localBhEnableCount(cnt: number): boolean {
    this.preemptCountSub(cnt)
    const hold = (this.state.preemptCount & PREEMPT_MASK) !== PREEMPT_MASK
    if (hold) this.preemptCountAdd(PREEMPT_OFFSET)
    if (this.host.tracing) this.host.trace(this, { event: 'local_bh_enable' })
    return hold
  }

  /** Whether `local_bh_enable()` runs softirqs now: `!in_interrupt() && local_softirq_pending()`. */
  softirqsDue(): boolean {
    return !this.inInterrupt() && this.state.softirqPending !== 0
  }

  /**
   * After the softirqs: lockdep_softirqs_on() runs with interrupts off before the softirqs; the
   * held locks are marked at the local_irq_enable() that ends __local_bh_enable_ip(), after them.
   */
  localBhEnableDone(): void {
    if (this.softirqCount() === 0) this.#lockdepSoftirqsOn()
  }

  /**
   * RT `__local_bh_enable_ip(cnt)` up to the softirqs: the count check, `lock_map_release(&bh_lock_map)`
   * (the softirqs below run without it). When this drops the task's count to 0 with softirqs
   * pending and preemptible(), they run here, in task context, inside the kernel's
   * local_irq_save() … local_irq_restore(): then this becomes "serving" (SOFTIRQ_OFFSET) and
   * returns the saved flags — the caller runs handle_softirqs() and then
   * `rtLocalBhEnable(SOFTIRQ_OFFSET, true)` and restores them. Otherwise it finishes (null).
   */
  rtLocalBhEnableBegin(cnt: number): IrqFlags | null {
    const task = this.state.current
    if ((task.softirqDisableCnt & SOFTIRQ_MASK) < cnt) {
      this.host.countingError(this, 'softirq', 'underflow', 'local_bh_enable() without local_bh_disable()')
    }
    this.host.lockMapRelease?.(this, 'local_bh')
    const preemptOn = this.preemptible()
    if (task.softirqDisableCnt === cnt && this.state.softirqPending !== 0) {
      if (!preemptOn) {
        this.state.ksoftirqdWoken = true
      } else {
        const flags = this.localIrqSave()
        task.softirqDisableCnt -= cnt - SOFTIRQ_OFFSET
        if (this.host.tracing) this.host.trace(this, { event: 'local_bh_enable' })
        return flags
      }
    }
    this.rtLocalBhEnable(cnt, preemptOn)
    return null
  }

  /**
   * `ksoftirqd_run_begin()` in ksoftirqd's own task (RT: BH off with SOFTIRQ_OFFSET; then
   * interrupts off). The executor then runs the pending softirqs, `ksoftirqdRunEnd()` and
   * `local_irq_enable()`.
   */
  ksoftirqdRunBegin(): void {
    this.state.ksoftirqdWoken = false
    if (this.preemptRt) this.localBhDisable(SOFTIRQ_OFFSET)
    this.localIrqDisable()
  }

  /**
   * RT `ksoftirqd_run_end()`: lock_map_release(&bh_lock_map) ("pairs with the
   * lock_map_acquire_read() in ksoftirqd_run_begin()"), __local_bh_enable(SOFTIRQ_OFFSET, true);
   * the local_irq_enable() after it is the caller's.
   */
  ksoftirqdRunEnd(): void {
    if (this.preemptRt) {
      this.host.lockMapRelease?.(this, 'local_bh')
      this.rtLocalBhEnable(SOFTIRQ_OFFSET, true)
    }
  }

  rtLocalBhEnable(cnt: number, unlock: boolean): void {
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
   * The outcome is the restore's: an interrupt raised meanwhile to take now.
   */
  raiseSoftirq(nr: number): OkOutcome | IrqOutcome {
    const flags = this.localIrqSave()
    this.state.softirqPending |= 1 << nr
    if (this.host.tracing) this.host.trace(this, { event: 'raise_softirq', vec: nr })
    if (!this.inInterrupt()) this.state.ksoftirqdWoken = true
    return this.localIrqRestore(flags)
  }

  /**
   * `handle_softirqs()`, in parts (the executor runs the handlers between them): serving count
   * up, then each round takes what is pending (from bit 0 upwards, with interrupts on), restarting
   * while new ones are raised (at most MAX_SOFTIRQ_RESTART times, then ksoftirqd takes over).
   * Entered and left with interrupts off on a normal kernel.
   */
  softirqsBegin(): void {
    if (!this.preemptRt) this.preemptCountAdd(SOFTIRQ_OFFSET)
    if (this.host.tracing) this.host.trace(this, { event: 'handle_softirqs', phase: 'begin' })
  }

  /** A round of handle_softirqs(): the pending mask, cleared (`set_softirq_pending(0)`); interrupts go on next. */
  softirqRound(): number {
    const pending = this.state.softirqPending
    this.state.softirqPending = 0
    return pending
  }

  /**
   * After a round (interrupts off again): `restartsLeft` when another round runs; 0 when done —
   * nothing pending, or the restart bound hit (`--max_restart` reached 0: wakeup_softirqd()).
   */
  softirqRestart(restartsLeft: number): number {
    if (this.state.softirqPending === 0) return 0
    if (--restartsLeft === 0) {
      this.state.ksoftirqdWoken = true
      return 0
    }
    return restartsLeft
  }

  softirqsEnd(): void {
    if (this.host.tracing) this.host.trace(this, { event: 'handle_softirqs', phase: 'end' })
    if (!this.preemptRt) this.preemptCountSub(SOFTIRQ_OFFSET)
  }

  // ── hard interrupts and NMIs ───────────────────────────────────────────────────────────
  /** `__irq_enter()`: HARDIRQ_OFFSET (of the kernel's layout). */
  irqEnter(): void {
    this.preemptCountAdd(this.layout.hardirqOffset)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_enter' })
  }

  /**
   * `__irq_exit_rcu()`: leave hardirq; then pending softirqs run here (the 'softirqs' outcome) or,
   * on RT, are handed to ksoftirqd. On the interrupt-count layout not while
   * `hardirq_disable_count()` is non-zero (the series'
   * `if (!in_interrupt() && !hardirq_disable_count() && local_softirq_pending())`).
   */
  irqExit(): OkOutcome | SoftirqsOutcome {
    this.preemptCountSub(this.layout.hardirqOffset)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_exit' })
    if (!this.inInterrupt() && this.hardirqDisableCount() === 0 && this.state.softirqPending !== 0) {
      // RT never runs them here: should_wake_ksoftirqd() is "no task on this CPU has BH off".
      // A normal kernel with threadirqs wakes ksoftirqd too (invoke_softirq()).
      if (this.preemptRt) {
        if (this.state.current.softirqDisableCnt === 0) this.state.ksoftirqdWoken = true
      } else if (this.host.forceIrqThreads) this.state.ksoftirqdWoken = true
      else return { tag: 'softirqs', cpu: this.state.id }
    }
    return OK
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

  /** Asserts an interrupt line: taken at once with interrupts on (the outcome), else pending until they are. */
  raiseIrq(line: number): OkOutcome | IrqOutcome {
    this.state.pendingIrqs.push(line)
    if (this.host.tracing) this.host.trace(this, { event: 'irq_raise', line })
    return this.irqOutcome()
  }

  /**
   * The hardware's part of taking the first pending interrupt (in raise order, while interrupts
   * are on): interrupts off on entry, `irq_enter()`. The executor runs the handler, `irq_exit()`
   * and `irqReturn()`. OK: nothing to take.
   */
  takeIrq(): IrqOutcome | OkOutcome {
    const s = this.state
    if (s.irqsDisabled || s.pendingIrqs.length === 0) return OK
    const line = s.pendingIrqs.shift() as number
    s.irqsDisabled = true
    this.irqEnter()
    return { tag: 'irq', cpu: s.id, line }
  }

  /** The return from the interrupt: the flag back on (after `irq_exit()`). */
  irqReturn(): void {
    this.state.irqsDisabled = false
  }
}
