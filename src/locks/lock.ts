/**
 * The runtime of every lock kind: replays the kind's steps (kinds.ts) on the simulated CPU,
 * transactionally (a step that throws undoes the ones before it), keeps the owner and the
 * task's held-lock stack, and asks the validator about each acquisition.
 */
import { Context } from '../context/context.js'
import type { CtxState } from '../context/state.js'
import type { Cpu } from '../cpu/cpu.js'
import { softirqLockOffset, SOFTIRQ_DISABLE_OFFSET } from '../cpu/preempt-count.js'
import type { IrqFlags, TaskState } from '../cpu/state.js'
import type { Diagnostic } from '../diagnostics.js'
import { DeadlockError, DoubleUnlockError, WrongCpuError } from '../errors.js'
import { banner, heldLockLines } from '../lockdep/splat.js'
import { irqContextOf, type Lockdep } from '../lockdep/validator.js'
import type { ResolvedOptions } from '../options.js'
import type { Resched } from '../report/might-sleep.js'
import { LockGuard } from './guard.js'
import type { HeldLock, HeldLocks } from './held.js'
import { IRQ_OFF_STEPS, LOCK_KINDS, counted, opsOf, type LockKind, type Ops, type Step, type Variant } from './kinds.js'

/** What a lock needs from its kernel. */
export interface LockHost {
  readonly options: ResolvedOptions
  /** The CPU whose code runs now. */
  executingCpu(): Cpu | null
  readonly held: HeldLocks
  readonly lockdep: Lockdep
  report(d: Diagnostic): void
  mightResched(cpu: Cpu, what: string, offsets: Resched): void
  trace(cpu: Cpu, event: string): void
  /** A guard outlived its scope (`task`: the task ended with it held). */
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void
  /** Interrupts came back on at `droppedBy`'s unlock: check what still needs them off, then take pending ones. */
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  /** Reports a bad unlock balance of `what` (lock class `className`); the caller throws. */
  badUnlock(cpu: Cpu, what: string, className: string): void
}

interface Holder {
  readonly task: TaskState
  readonly cpu: number
}

const UNDO: Partial<Record<Step, Step>> = {
  irq_save: 'irq_restore',
  irq_disable: 'irq_enable',
  interrupt_disable: 'interrupt_enable',
  preempt_disable: 'preempt_enable',
  bh_disable: 'bh_enable',
  bh_lock_disable: 'bh_lock_enable',
  migrate_disable: 'migrate_enable',
  rcu_read_lock: 'rcu_read_unlock',
  acquire: 'release',
}

/** One acquisition in progress: what its steps saved. */
interface Acquisition {
  readonly cpu: Cpu
  /** The task taking the lock (its owner once taken). */
  readonly task: TaskState
  readonly variant: Variant
  readonly mode: 'read' | 'write'
  flags: IrqFlags | null
  record: HeldLock | null
  /** Guards: take pending interrupts only after the unlock, once its state has been checked. */
  readonly deferDelivery: boolean
  /** The lock steps turn interrupts off (an irqsave/irq variant that does so on this kernel). */
  readonly irqLock: boolean
}

export class LockRuntime<D> {
  #writer: Holder | null = null
  readonly #readers: Holder[] = []
  readonly label: string

  constructor(
    private readonly host: LockHost,
    readonly kind: LockKind,
    readonly name: string,
    private readonly dataOf: (cpu: Cpu) => D,
  ) {
    this.label = `${LOCK_KINDS[kind].label} '${name}'`
  }

  /**
   * Takes the lock and returns a guard: its context is the innermost until it is unlocked
   * (guards may be unlocked in any order). IRQ-disabling variants use counted interrupt
   * disabling unless the kernel was made with `irqDisable: 'save-restore'`.
   */
  lockGuard(ctx: Context<CtxState>, op: string, variant: Variant, mode: 'read' | 'write'): LockGuard<D> {
    const base = opsOf(this.kind, variant, this.host.options.preemptRt, mode)
    const ops: Ops = this.host.options.irqDisable === 'counted' ? counted(base) : base
    let acquisition: Acquisition | null = null
    // Both assigned by open()'s enter callback, which either ran or threw.
    let data!: D
    const child = ctx.open(`${op}(${this.name})`, (cpu) => {
      data = this.dataOf(cpu)
      acquisition = { cpu, task: cpu.current, variant, mode, flags: null, record: null, deferDelivery: true, irqLock: ops.lock.some((st) => IRQ_OFF_STEPS.has(st)) }
      this.#run(acquisition, ops.lock)
    })
    const a = acquisition as unknown as Acquisition
    const guard = new LockGuard(child, data, (g) => this.#releaseGuard(g, a, ops, child))
    child.onLeak = (reason) => {
      this.#reportLeak(a, reason)
      guard.unlock()
    }
    return guard
  }

  #releaseGuard(_guard: LockGuard<D>, a: Acquisition, ops: Ops, child: Context<CtxState>): void {
    const { cpu } = a
    if (!child.live) return this.#badUnlock(a)
    if (this.host.executingCpu() !== cpu || cpu.current !== a.task) {
      throw new WrongCpuError(`${this.label}: a guard must be unlocked by the task that took it, on CPU ${cpu.id}`)
    }
    Context.close(
      child,
      () => this.#runAll(a, ops.unlock),
      'guard',
    )
  }

  /**
   * Guards only (callbacks nest, so their restores are always right): when an unlock step turned
   * interrupts back on, check what still needs them off *before* taking the pending ones — at
   * this step, as the kernel takes them in local_irq_restore(), before preempt_enable().
   */
  #irqsMayBeBackOn(a: Acquisition): void {
    if (a.deferDelivery && !a.cpu.irqsDisabled) this.host.irqsBackOn(a.cpu, this.label)
  }

  #reportLeak(a: Acquisition, reason: 'scope' | 'task'): void {
    this.host.reportLeak(a.cpu, this.label, reason)
  }

  #badUnlock(a: Acquisition): never {
    this.host.badUnlock(this.host.executingCpu() ?? a.cpu, this.label, this.name)
    throw new DoubleUnlockError(`${this.label}: this guard was already unlocked`)
  }

  /** Runs `cb` holding the lock: the lock steps, a child scope, the unlock steps (also on throw). */
  withLock<R>(ctx: Context<CtxState>, op: string, variant: Variant, mode: 'read' | 'write', cb: (ctx: Context<CtxState>, data: D) => R): R {
    const ops = opsOf(this.kind, variant, this.host.options.preemptRt, mode)
    let acquisition: Acquisition | null = null
    let data: D
    return ctx.scoped(
      `${op}(${this.name})`,
      (cpu) => {
        // The data first: a local_lock_t's per-CPU init may throw, and then nothing is taken.
        data = this.dataOf(cpu)
        acquisition = { cpu, task: cpu.current, variant, mode, flags: null, record: null, deferDelivery: false, irqLock: ops.lock.some((st) => IRQ_OFF_STEPS.has(st)) }
        this.#run(acquisition, ops.lock)
      },
      () => {
        if (acquisition !== null) this.#runAll(acquisition, ops.unlock)
      },
      (inner) => cb(inner, data),
    )
  }

  /**
   * Unlock steps all run, even when one throws (an interrupt handler taken at the restore may
   * throw): the lock must not stay half-released. The first error is rethrown at the end.
   */
  #runAll(a: Acquisition, steps: readonly Step[]): void {
    let failure: { error: unknown } | null = null
    for (const step of steps) {
      try {
        this.#step(a, step)
      } catch (error) {
        failure ??= { error }
      }
    }
    if (failure !== null) throw failure.error
  }

  /** Performs steps in order; if one throws, undoes the ones already done, then rethrows. */
  #run(a: Acquisition, steps: readonly Step[]): void {
    const done: Step[] = []
    try {
      for (const step of steps) {
        this.#step(a, step)
        done.push(step)
      }
    } catch (error) {
      for (let i = done.length - 1; i >= 0; i--) {
        const undo = UNDO[done[i] as Step]
        if (undo !== undefined) this.#step(a, undo)
      }
      throw error
    }
  }

  #step(a: Acquisition, step: Step): void {
    const { cpu } = a
    const rt = this.host.options.preemptRt
    switch (step) {
      case 'irq_save':
        a.flags = cpu.localIrqSave()
        return
      case 'irq_restore':
        // Interrupts raised meanwhile are taken after the step (see #deliver).
        cpu.localIrqRestore(a.flags ?? { irqsDisabled: false }, a.deferDelivery)
        return this.#irqsMayBeBackOn(a)
      case 'irq_disable':
        return cpu.localIrqDisable()
      case 'irq_enable':
        cpu.localIrqEnable(a.deferDelivery)
        return this.#irqsMayBeBackOn(a)
      case 'interrupt_disable':
        return cpu.localInterruptDisable()
      case 'interrupt_enable':
        cpu.localInterruptEnable(a.deferDelivery)
        return this.#irqsMayBeBackOn(a)
      case 'preempt_disable':
        return cpu.preemptDisable()
      case 'preempt_enable':
        return cpu.preemptEnable()
      case 'bh_disable':
        return cpu.localBhDisable(SOFTIRQ_DISABLE_OFFSET)
      case 'bh_enable':
        return cpu.localBhEnable(SOFTIRQ_DISABLE_OFFSET)
      case 'bh_lock_disable':
        return cpu.localBhDisable(softirqLockOffset(rt))
      case 'bh_lock_enable':
        return cpu.localBhEnable(softirqLockOffset(rt))
      case 'migrate_disable':
        return cpu.migrateDisable()
      case 'migrate_enable':
        return cpu.migrateEnable()
      case 'rcu_read_lock':
        return cpu.rcuReadLock()
      case 'rcu_read_unlock':
        return cpu.rcuReadUnlock()
      case 'might_sleep':
        return this.host.mightResched(cpu, this.label, { preemptOffset: 0, rcuOffset: 0 })
      case 'rtlock_might_resched':
        return this.host.mightResched(cpu, this.label, { preemptOffset: 0, rcuOffset: cpu.current.rcuReadLockNesting })
      case 'acquire':
        return this.#acquire(a)
      case 'release':
        return this.#release(a)
    }
  }

  /** lockdep's annotation, then the lock itself: taken at once, or a deadlock (nothing can wait here). */
  #acquire(a: Acquisition): void {
    const { cpu } = a
    const task = cpu.current
    const stack = this.host.held.of(task)
    // rwlock_t readers are recursive on RT (rwbase), and on a normal kernel only in interrupt
    // context (qrwlock's read_lock_is_recursive()).
    const recursiveRead = a.mode === 'read' && this.kind === 'rwlock_t' && (this.host.options.preemptRt || cpu.inInterrupt())
    const { cls, chain } = this.host.lockdep.acquire(cpu, stack, { name: this.name, kind: this.kind, mode: a.mode, recursiveRead })
    const conflict = a.mode === 'read' ? this.#writer : (this.#writer ?? this.#readers[0] ?? null)
    if (conflict !== null) this.#deadlock(cpu, conflict)
    const holder: Holder = { task, cpu: cpu.id }
    if (a.mode === 'read') this.#readers.push(holder)
    else this.#writer = holder
    const record: HeldLock = {
      name: this.name,
      kind: this.kind,
      variant: a.variant,
      mode: a.mode,
      cpu: cpu.id,
      irqContext: irqContextOf(cpu),
      instance: this,
      flags: a.flags,
      irqLock: a.irqLock,
      cls,
      chain,
    }
    a.record = record
    stack.push(record)
    this.host.trace(cpu, `lock ${this.label}${a.mode === 'read' ? ' (read)' : ''}`)
  }

  #release(a: Acquisition): void {
    const { cpu } = a
    const record = a.record
    if (record === null) return
    a.record = null
    for (const task of [cpu.current, ...(this.#writer ? [this.#writer.task] : []), ...this.#readers.map((r) => r.task)]) {
      const stack = this.host.held.of(task)
      const at = stack.lastIndexOf(record)
      if (at >= 0) {
        stack.splice(at, 1)
        this.host.lockdep.release(stack, at)
        break
      }
    }
    if (a.mode === 'read') {
      const at = this.#readers.findIndex((r) => r.task === cpu.current)
      this.#readers.splice(at >= 0 ? at : 0, 1)
    } else this.#writer = null
    this.host.trace(cpu, `unlock ${this.label}${a.mode === 'read' ? ' (read)' : ''}`)
  }

  #deadlock(cpu: Cpu, holder: Holder): never {
    const t = cpu.current
    const spinning = LOCK_KINDS[this.kind].category[this.host.options.preemptRt ? 'rt' : 'normal'] !== 'sleeping'
    const title = spinning
      ? holder.cpu === cpu.id
        ? `BUG: spinlock recursion on CPU#${cpu.id}, ${t.comm}/${t.pid}`
        : `BUG: spinlock lockup suspected on CPU#${cpu.id}, ${t.comm}/${t.pid}`
      : `INFO: task ${t.comm}:${t.pid} blocked for more than 120 seconds.`
    const message = `${this.label} is held by ${holder.task.comm}/${holder.task.pid} on CPU ${holder.cpu}, which cannot run until ${t.comm} gives up CPU ${cpu.id}`
    this.host.report({
      kind: 'deadlock',
      title,
      cpu: cpu.id,
      task: t.comm,
      heldLocks: this.host.held.names(t),
      preemptCount: cpu.preemptCount,
      lock: this.label,
      holder: { comm: holder.task.comm, pid: holder.task.pid, cpu: holder.cpu },
      report: [...banner(title), message, ...heldLockLines(t.comm, t.pid, this.host.held.of(t))].join('\n'),
    })
    throw new DeadlockError(`${title}: ${message}`)
  }
}
