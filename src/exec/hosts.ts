/**
 * What contexts and locks call back into, built from any {@link Executor} and the kernel's parts:
 * reports go to the reporter, scheduling and interrupts to the executor. Classes, not object
 * literals of closures: the model kernel builds both for every execution, and thirty closures over
 * the executor each time cost more than the calls they forward.
 */
import type { Cpu } from '../machine/cpu.js'
import type { Task } from '../machine/machine.js'
import type { Gfp } from '../rules/gfp.js'
import type { Diagnostic } from '../diagnostics/types.js'
import type { Reporter } from '../diagnostics/reporter.js'
import type { TracePayload } from '../machine/events.js'
import type { BlockedOutcome } from '../machine/outcome.js'
import type { LockdepKind } from '../lockdep/maps.js'
import type { Lockdep } from '../lockdep/validator.js'
import type { HeldLocks, HeldLock } from '../locks/held.js'
import type { ResolvedOptions } from '../options.js'
import type { ContextHost } from './scope.js'
import type { LockHost } from '../locks/lock.js'
import type { SoftirqName } from './irq-registry.js'
import type { WaitChannel } from './wait.js'
import { addLock, type LockState, type Machine } from '../machine/machine.js'
import type { Executor, KernelParts } from './executor.js'

class ExecutorContextHost implements ContextHost {
  readonly #exec: Executor
  readonly #held: HeldLocks
  readonly #r: Reporter
  readonly traceIrqflags: boolean
  constructor(exec: Executor, { options, held, reporter }: KernelParts) {
    this.#exec = exec
    this.#held = held
    this.#r = reporter
    this.traceIrqflags = options.lockdep
  }
  executingCpu(): Cpu | null {
    return this.#exec.executingCpu()
  }
  heldOf(task: Task): HeldLock[] {
    return this.#held.of(task)
  }
  mightSleep(cpu: Cpu, what: string): void {
    this.#r.mightSleep(cpu, what)
  }
  msleep(cpu: Cpu, ms: number): void {
    this.#exec.msleep(cpu, ms)
  }
  raiseIrq(cpu: Cpu, line: number): void {
    this.#exec.raiseIrq(cpu, line)
  }
  raiseSoftirq(cpu: Cpu, nr: number | SoftirqName): void {
    this.#exec.raiseSoftirq(cpu, nr)
  }
  raiseNmi(cpu: Cpu, name: string): void {
    this.#exec.raiseNmi(cpu, name)
  }
  kmalloc(cpu: Cpu, size: number, gfp: Gfp): Uint8Array {
    return this.#exec.kmalloc(cpu, size, gfp)
  }
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void {
    this.#r.reportLeak(cpu, what, reason)
  }
  irqsBackOn(cpu: Cpu, droppedBy: string): void {
    this.#exec.irqsBackOn(cpu, droppedBy)
  }
  badUnlock(cpu: Cpu, what: string): void {
    this.#r.badUnlock(cpu, what)
  }
  refuseDrop(cpu: Cpu, what: string, bits: number): void {
    this.#r.refuseDrop(cpu, what, bits)
  }
  proofsBornFalse(cpu: Cpu, gains: number): void {
    this.#r.proofsMayBeFalse(cpu, 'a new context whose proof is false from the start', gains)
  }
  scopeEnded(cpu: Cpu): void {
    this.#exec.schedulingPoint(cpu)
  }
}

export const contextHostFor = (exec: Executor, parts: KernelParts): ContextHost => new ExecutorContextHost(exec, parts)

class ExecutorLockHost implements LockHost {
  readonly #exec: Executor
  readonly #machine: Machine
  readonly #lockObjects: Map<number, object>
  readonly #r: Reporter
  readonly options: ResolvedOptions
  readonly cpus: readonly Cpu[]
  readonly held: HeldLocks
  readonly lockdep: Lockdep
  constructor(exec: Executor, { options, machine, lockObjects, cpus, held, lockdep, reporter }: KernelParts) {
    this.#exec = exec
    this.#machine = machine
    this.#lockObjects = lockObjects
    this.#r = reporter
    this.options = options
    this.cpus = cpus
    this.held = held
    this.lockdep = lockdep
  }
  addLock(kind: LockdepKind, name: string, object: object): LockState {
    const lock = addLock(this.#machine, kind, name)
    this.#lockObjects.set(lock.id, object)
    return lock
  }
  objectOf(id: number): object | undefined {
    return this.#lockObjects.get(id)
  }
  executingCpu(): Cpu | null {
    return this.#exec.executingCpu()
  }
  report(d: Diagnostic): void {
    this.#r.report(d)
  }
  mightResched(cpu: Cpu, what: string, preemptOffset: number, rcuOffset: number): void {
    this.#r.mightResched(cpu, what, preemptOffset, rcuOffset)
  }
  trace(cpu: Cpu, event: TracePayload): void {
    this.#r.traceEvent(cpu, event)
  }
  reportLeak(cpu: Cpu, what: string, reason: 'scope' | 'task'): void {
    this.#r.reportLeak(cpu, what, reason)
  }
  irqsBackOn(cpu: Cpu, droppedBy: string): void {
    this.#exec.irqsBackOn(cpu, droppedBy)
  }
  badUnlock(cpu: Cpu, what: string, className: string): void {
    this.#r.badUnlock(cpu, what, className)
  }
  refuseDrop(cpu: Cpu, what: string, bits: number): void {
    this.#r.refuseDrop(cpu, what, bits)
  }
  blocked(cpu: Cpu, outcome: BlockedOutcome): never {
    return this.#exec.blocked(cpu, outcome)
  }
  wake(channel: WaitChannel, nr: number | 'all'): void {
    this.#exec.wake(channel, nr)
  }
}

export const lockHostFor = (exec: Executor, parts: KernelParts): LockHost => new ExecutorLockHost(exec, parts)
