/**
 * What contexts and locks call back into, built from any {@link Executor} and the kernel's parts:
 * reports go to the reporter, scheduling and interrupts to the executor.
 */
import type { ContextHost } from './scope.js'
import type { LockHost } from '../locks/lock.js'
import { addLock } from '../machine/machine.js'
import type { Executor, KernelParts } from './executor.js'

export const contextHostFor = (exec: Executor, { options, held, reporter: r }: KernelParts): ContextHost => ({
  executingCpu: () => exec.executingCpu(),
  heldOf: (task) => held.of(task),
  mightSleep: (cpu, what) => r.mightSleep(cpu, what),
  msleep: (cpu, ms) => exec.msleep(cpu, ms),
  raiseIrq: (cpu, line) => exec.raiseIrq(cpu, line),
  raiseSoftirq: (cpu, nr) => exec.raiseSoftirq(cpu, nr),
  raiseNmi: (cpu, name) => exec.raiseNmi(cpu, name),
  kmalloc: (cpu, size, gfp) => exec.kmalloc(cpu, size, gfp),
  reportLeak: (cpu, what, reason) => r.reportLeak(cpu, what, reason),
  irqsBackOn: (cpu, droppedBy) => exec.irqsBackOn(cpu, droppedBy),
  badUnlock: (cpu, what) => r.badUnlock(cpu, what),
  refuseDrop: (cpu, what, bits) => r.refuseDrop(cpu, what, bits),
  proofsBornFalse: (cpu, gains) => r.proofsMayBeFalse(cpu, 'a new context whose proof is false from the start', gains),
  traceIrqflags: options.lockdep,
  scopeEnded: (cpu) => exec.schedulingPoint(cpu),
})

export const lockHostFor = (exec: Executor, { options, machine, lockObjects, cpus, held, lockdep, reporter: r }: KernelParts): LockHost => ({
  options,
  addLock: (kind, name, object) => {
    const lock = addLock(machine, kind, name)
    lockObjects.set(lock.id, object)
    return lock
  },
  objectOf: (id) => lockObjects.get(id),
  cpus,
  executingCpu: () => exec.executingCpu(),
  held,
  lockdep,
  report: (d) => r.report(d),
  mightResched: (cpu, what, preemptOffset, rcuOffset) => r.mightResched(cpu, what, preemptOffset, rcuOffset),
  trace: (cpu, event) => r.traceEvent(cpu, event),
  reportLeak: (cpu, what, reason) => r.reportLeak(cpu, what, reason),
  irqsBackOn: (cpu, droppedBy) => exec.irqsBackOn(cpu, droppedBy),
  badUnlock: (cpu, what, className) => r.badUnlock(cpu, what, className),
  refuseDrop: (cpu, what, bits) => r.refuseDrop(cpu, what, bits),
  blocked: (cpu, outcome) => exec.blocked(cpu, outcome),
  wake: (channel, nr) => exec.wake(channel, nr),
})
