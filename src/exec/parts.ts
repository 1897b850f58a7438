/**
 * A kernel's parts, wired once: the machine, its CPUs, lockdep, the reporter, the handler
 * registries. `createKernel()` (src/kernel.ts) and the model kernel (src/exec/model/) each build
 * them here and put their own executor in front.
 */
import { Cpu, type CpuHost } from '../machine/cpu.js'
import { preemptCountLayoutOf } from '../machine/layout.js'
import { createMachine } from '../machine/machine.js'
import type { ResolvedOptions } from '../options.js'
import { HeldLocks } from '../locks/held.js'
import { Lockdep } from '../lockdep/validator.js'
import { HeldMaps } from '../lockdep/held-maps.js'
import { Reporter } from '../diagnostics/reporter.js'
import { registerWarnHost, type WarnHost } from '../helpers/warn.js'
import { IrqRegistry } from './irq-registry.js'
import type { KernelParts } from './executor.js'

export const createKernelParts = (o: ResolvedOptions): KernelParts => {
  const cpus: Cpu[] = []
  const held = new HeldLocks()
  const machine = createMachine({ cpus: o.cpus })
  // lockdep reports through the reporter, which reads lockdep's state for its texts.
  const lockdep = new Lockdep(o, (d) => reporter.report(d), machine.locks)
  const reporter = new Reporter(machine, o, cpus, held, lockdep)
  const maps = new HeldMaps(lockdep, held)
  const cpuHost: CpuHost = {
    preemptRt: o.preemptRt,
    forceIrqThreads: o.preemptRt || o.threadIrqs,
    layout: preemptCountLayoutOf(o.preemptCountLayout),
    tracing: o.trace,
    countingError: (cpu, field, problem, detail) => reporter.countingError(cpu, field, problem, detail),
    trace: (cpu, event) => reporter.traceEvent(cpu, event),
    traceIrqflags: o.lockdep,
    proofsMayBeFalse: (cpu, by, mask) => reporter.proofsMayBeFalse(cpu, by, mask),
    warn: (cpu, warning) => reporter.warnOnce(cpu, warning),
    // lockdep's mark_held_locks(): locks still held when interrupts / BH come back on.
    hardirqsOn: (cpu) => lockdep.hardirqsOn(cpu, held.of(cpu.current)),
    softirqsOn: (cpu) => lockdep.softirqsOn(cpu, held.of(cpu.current)),
    // rcu_read_lock()'s and RT local_bh's lockdep maps, on the held-lock stack.
    lockMapAcquire: (cpu, map) => maps.acquire(cpu, map),
    lockMapRelease: (cpu, map) => maps.release(cpu, map),
  }
  cpus.push(...machine.cpus.map((state) => new Cpu(state, cpuHost)))
  const warnHost: WarnHost = {
    report: (d) => reporter.report(d),
    debugLocks: () => lockdep.active,
    heldNames: (task) => held.names(task),
    preemptRt: o.preemptRt,
    fired: machine.warnedAsserts,
  }
  for (const cpu of cpus) registerWarnHost(cpu, warnHost)
  return { options: o, machine, lockObjects: new Map(), cpus, irq: new IrqRegistry(), held, lockdep, reporter }
}
