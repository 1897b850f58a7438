/**
 * The runtime of every lock kind: replays the kind's steps (kinds.ts) on the simulated CPU,
 * transactionally (a step that throws undoes the ones before it), keeps the owner and the
 * task's held-lock stack, and asks the validator about each acquisition.
 */
import { Context, NO_FAILURE } from '../context/context.js'
import type { CtxState } from '../context/state.js'
import type { Cpu } from '../cpu/cpu.js'
import { softirqLockOffset, SOFTIRQ_DISABLE_OFFSET } from '../cpu/preempt-count.js'
import type { IrqFlags, TaskState } from '../cpu/state.js'
import type { Diagnostic } from '../diagnostics.js'
import { DeadlockError, DoubleUnlockError, WrongCpuError } from '../errors.js'
import { banner, heldLockLines, lockName } from '../lockdep/splat.js'
import { irqContextOf, type Lockdep } from '../lockdep/validator.js'
import type { ResolvedOptions } from '../options.js'
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
  /** `__might_resched()` with these offsets: reports when sleeping is not allowed here. */
  mightResched(cpu: Cpu, what: string, preemptOffset: number, rcuOffset: number): void
  trace(cpu: Cpu, event: string): void
  /** A guard outlived its scope (`task`: the task ended with it held). */
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void
  /** Interrupts came back on at `droppedBy`'s unlock: check what still needs them off, then take pending ones. */
  irqsBackOn(cpu: Cpu, droppedBy: string): void
  /** Reports a bad unlock balance of `what` (lock class `className`); the caller throws. */
  badUnlock(cpu: Cpu, what: string, className: string): void
}

/** Who holds the lock: the held-lock record itself (its task and CPU). */
type Holder = HeldLock

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

/** One acquisition in progress: what its steps saved. A class, so every one has one shape. */
class Acquisition {
  flags: IrqFlags | null = null
  record: HeldLock | null = null
  /** The owner's held-lock stack, found once at acquire. */
  stack: HeldLock[] | null = null
  constructor(
    readonly cpu: Cpu,
    /** The task taking the lock (its owner once taken). */
    readonly task: TaskState,
    readonly variant: Variant,
    readonly mode: 'read' | 'write',
    /** Guards: pending interrupts are taken at the restore step, after checking what needs them off. */
    readonly deferDelivery: boolean,
    /** The lock steps turn interrupts off (an irqsave/irq variant that does so on this kernel). */
    readonly irqLock: boolean,
  ) {}
}

/** A method prepared once: its name for errors, variant, mode, steps, and whether they turn interrupts off. */
export interface Compiled {
  readonly op: string
  readonly variant: Variant
  readonly mode: 'read' | 'write'
  readonly lock: readonly Step[]
  readonly unlock: readonly Step[]
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
    this.label = lockName({ kind, name })
  }

  /** Prepares method `op` (counted interrupt disabling for guards in 'counted' mode); called once per method. */
  compile(op: string, variant: Variant, mode: 'read' | 'write', guard: boolean): Compiled {
    const base = opsOf(this.kind, variant, this.host.options.preemptRt, mode)
    const ops: Ops = guard && this.host.options.irqDisable === 'counted' ? counted(base) : base
    return { op: `${op}(${this.name})`, variant, mode, lock: ops.lock, unlock: ops.unlock, irqLock: ops.lock.some((st) => IRQ_OFF_STEPS.has(st)) }
  }

  /**
   * Takes the lock and returns a guard: its context is the innermost until it is unlocked
   * (guards may be unlocked in any order). IRQ-disabling variants use counted interrupt
   * disabling unless the kernel was made with `irqDisable: 'save-restore'`.
   */
  lockGuard(ctx: Context<CtxState>, ops: Compiled): LockGuard<D> {
    const { variant, mode } = ops
    const cpu = ctx.assertUsable(ops.op)
    // The data first: a local_lock_t's per-CPU init may throw, and then nothing is taken.
    const data = this.dataOf(cpu)
    const a = new Acquisition(cpu, cpu.current, variant, mode, true, ops.irqLock)
    this.#run(a, ops.lock)
    const child = Context.push(ctx, cpu)
    const guard = new LockGuard(child, data, (g) => this.#releaseGuard(g, a, ops, child))
    child.onLeak = (reason) => {
      this.#reportLeak(a, reason)
      guard.unlock()
    }
    return guard
  }

  #releaseGuard(_guard: LockGuard<D>, a: Acquisition, ops: Compiled, child: Context<CtxState>): void {
    const { cpu } = a
    if (!child.live) this.#badUnlock(a)
    const here = this.host.executingCpu() ?? cpu
    if (here !== cpu || here.current !== a.task) {
      this.#wrongOwner(here, a)
      throw new WrongCpuError(`${this.label}: a guard must be unlocked by the task that took it, on CPU ${cpu.id}`)
    }
    this.#runAll(a, ops.unlock, child, Context.pop(child, 'guard'))
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

  /** debug_spin_unlock()'s "wrong owner" (mutex_unlock()'s owner check for sleeping kinds). */
  #wrongOwner(here: Cpu, a: Acquisition): void {
    const t = here.current
    const sleeping = LOCK_KINDS[this.kind].category[this.host.options.preemptRt ? 'rt' : 'normal'] === 'sleeping'
    const title = sleeping ? 'WARNING: DEBUG_LOCKS_WARN_ON(__owner_task(owner) != current)' : `BUG: spinlock wrong owner on CPU#${here.id}, ${t.comm}/${t.pid}`
    this.host.report({
      kind: 'unlock-wrong-owner',
      title,
      cpu: here.id,
      task: t.comm,
      heldLocks: this.host.held.names(t),
      preemptCount: here.preemptCount,
      lock: this.label,
      owner: { comm: a.task.comm, pid: a.task.pid, cpu: a.cpu.id },
      report: [
        ...banner(title),
        `${t.comm}/${t.pid} on CPU ${here.id} tries to unlock ${this.label},`,
        `owned by ${a.task.comm}/${a.task.pid}, taken on CPU ${a.cpu.id}. Refused: the lock stays held.`,
      ].join('\n'),
    })
  }

  #badUnlock(a: Acquisition): never {
    this.host.badUnlock(this.host.executingCpu() ?? a.cpu, this.label, this.name)
    throw new DoubleUnlockError(`${this.label}: this guard was already unlocked`)
  }

  /** Runs `cb` holding the lock: the lock steps, a child scope, the unlock steps (also on throw). */
  withLock<R>(ctx: Context<CtxState>, ops: Compiled, cb: (ctx: Context<CtxState>, data: D) => R): R {
    const cpu = ctx.assertUsable(ops.op)
    // The data first: a local_lock_t's per-CPU init may throw, and then nothing is taken.
    const data = this.dataOf(cpu)
    const a = new Acquisition(cpu, cpu.current, ops.variant, ops.mode, false, ops.irqLock)
    this.#run(a, ops.lock)
    const child = Context.push(ctx, cpu)
    let result: R
    try {
      result = cb(child, data)
    } catch (error) {
      // The callback's error wins over one from undoing the scope.
      try {
        this.#runAll(a, ops.unlock, child, Context.pop(child, 'scope'))
      } catch {
        /* already failing */
      }
      throw error
    }
    this.#runAll(a, ops.unlock, child, Context.pop(child, 'scope'))
    return Context.refuseThenable(ops.op, result)
  }

  /**
   * Unlock steps all run, even when one throws (an interrupt handler taken at the restore may
   * throw): the lock must not stay half-released. The first error (or `failure`, from closing
   * the scope) is rethrown at the end, after the scope-end hook.
   */
  #runAll(a: Acquisition, steps: readonly Step[], child: Context<CtxState>, failure: unknown): void {
    for (let i = 0; i < steps.length; i++) {
      try {
        this.#step(a, steps[i] as Step)
      } catch (error) {
        if (failure === NO_FAILURE) failure = error
      }
    }
    Context.ended(child, failure)
  }

  /** Performs steps in order; if one throws, undoes the ones already done, then rethrows. */
  #run(a: Acquisition, steps: readonly Step[]): void {
    let done = 0
    try {
      for (; done < steps.length; done++) this.#step(a, steps[done] as Step)
    } catch (error) {
      for (let i = done - 1; i >= 0; i--) {
        const undo = UNDO[steps[i] as Step]
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
        this.#irqsMayBeBackOn(a)
        return
      case 'irq_disable':
        cpu.localIrqDisable()
        return
      case 'irq_enable':
        cpu.localIrqEnable(a.deferDelivery)
        this.#irqsMayBeBackOn(a)
        return
      case 'interrupt_disable':
        cpu.localInterruptDisable()
        return
      case 'interrupt_enable':
        cpu.localInterruptEnable(a.deferDelivery)
        this.#irqsMayBeBackOn(a)
        return
      case 'preempt_disable':
        cpu.preemptDisable()
        return
      case 'preempt_enable':
        cpu.preemptEnable()
        return
      case 'bh_disable':
        cpu.localBhDisable(SOFTIRQ_DISABLE_OFFSET)
        return
      case 'bh_enable':
        cpu.localBhEnable(SOFTIRQ_DISABLE_OFFSET)
        return
      case 'bh_lock_disable':
        cpu.localBhDisable(softirqLockOffset(rt))
        return
      case 'bh_lock_enable':
        cpu.localBhEnable(softirqLockOffset(rt))
        return
      case 'migrate_disable':
        cpu.migrateDisable()
        return
      case 'migrate_enable':
        cpu.migrateEnable()
        return
      case 'rcu_read_lock':
        cpu.rcuReadLock()
        return
      case 'rcu_read_unlock':
        cpu.rcuReadUnlock()
        return
      case 'might_sleep':
        this.host.mightResched(cpu, this.label, 0, 0)
        return
      case 'rtlock_might_resched':
        this.host.mightResched(cpu, this.label, 0, cpu.current.rcuReadLockNesting)
        return
      case 'acquire':
        this.#acquire(a)
        return
      case 'release':
        this.#release(a)
        return
    }
  }

  /** lockdep's annotation, then the lock itself: taken at once, or a deadlock (nothing can wait here). */
  #acquire(a: Acquisition): void {
    const { cpu } = a
    const task = cpu.current
    const stack = this.host.held.of(task)
    a.stack = stack
    // rwlock_t readers are recursive on RT (rwbase), and on a normal kernel only in interrupt
    // context (qrwlock's read_lock_is_recursive()).
    const recursiveRead = a.mode === 'read' && this.kind === 'rwlock_t' && (this.host.options.preemptRt || cpu.inInterrupt())
    const lockdep = this.host.lockdep
    const chain = lockdep.active ? lockdep.acquire(cpu, stack, { name: this.name, kind: this.kind, mode: a.mode, recursiveRead }) : null
    const conflict = a.mode === 'read' ? this.#writer : (this.#writer ?? this.#readers[0] ?? null)
    if (conflict !== null) this.#deadlock(cpu, conflict)
    const record: HeldLock = {
      task,
      name: this.name,
      kind: this.kind,
      variant: a.variant,
      mode: a.mode,
      cpu: cpu.id,
      irqContext: irqContextOf(cpu),
      instance: this,
      flags: a.flags,
      irqLock: a.irqLock,
      cls: chain === null ? null : chain.cls,
      chain,
    }
    a.record = record
    stack.push(record)
    if (a.mode === 'read') this.#readers.push(record)
    else this.#writer = record
    if (this.host.options.trace) this.host.trace(cpu, `lock ${this.label}${a.mode === 'read' ? ' (read)' : ''}`)
  }

  #release(a: Acquisition): void {
    const { cpu } = a
    const record = a.record
    if (record === null) return
    a.record = null
    const stack = a.stack ?? this.host.held.of(a.task)
    const at = stack.lastIndexOf(record)
    if (at === stack.length - 1) stack.pop()
    else if (at >= 0) {
      stack.splice(at, 1)
      this.host.lockdep.release(stack, at)
    }
    if (a.mode === 'read') {
      const r = this.#readers.indexOf(record)
      if (r >= 0) this.#readers.splice(r, 1)
    } else this.#writer = null
    if (this.host.options.trace) this.host.trace(cpu, `unlock ${this.label}${a.mode === 'read' ? ' (read)' : ''}`)
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
