/**
 * A kernel's parts, wired once: the machine, its CPUs, lockdep, the reporter, the handler
 * registries. `createKernel()` (src/kernel.ts) and the model kernel (src/exec/model/) each build
 * them here and put their own executor in front.
 *
 * The explorer runs one model thousands of times: it keeps the CPUs of a kernel configuration
 * (a {@link CpuSet}) and builds the rest around them for every execution ({@link reuseKernelParts}),
 * so the objects that modules key their per-CPU state by (the interrupt handlers, the warn host,
 * the guard scopes) are not made anew each time: a WeakMap entry per short-lived key cost more in
 * garbage collection than everything else a new kernel builds.
 */
import { Cpu, type CpuHost } from '../machine/cpu.js'
import { preemptCountLayoutOf } from '../machine/layout.js'
import { createMachine, createMachineCpu, resetMachineCpu } from '../machine/machine.js'
import type { ResolvedOptions } from '../options.js'
import { HeldLocks } from '../locks/held.js'
import { Lockdep } from '../lockdep/validator.js'
import { HeldMaps } from '../lockdep/held-maps.js'
import { Reporter } from '../diagnostics/reporter.js'
import { registerWarnHost, type WarnHost } from '../helpers/warn.js'
import { IrqRegistry } from './irq-registry.js'
import type { KernelParts } from './executor.js'
import { ScopeContext } from './scope.js'

/** What the CPUs' callbacks reach: the parts of the execution running on them now. */
interface Live {
  reporter: Reporter
  lockdep: Lockdep
  held: HeldLocks
  maps: HeldMaps
}

/** The CPUs of one kernel configuration, kept across executions (made by {@link newCpuSet}). */
export interface CpuSet {
  readonly options: ResolvedOptions
  readonly cpus: readonly Cpu[]
  /** Set by each kernel built on them. */
  readonly live: Live
}

/** New CPUs for options `o`; their host's callbacks go to whichever kernel is built on them last. */
export const newCpuSet = (o: ResolvedOptions): CpuSet => {
  // Filled in by createKernelPartsOn() before anything runs.
  const live = {} as Live
  const cpuHost: CpuHost = {
    preemptRt: o.preemptRt,
    forceIrqThreads: o.preemptRt || o.threadIrqs,
    layout: preemptCountLayoutOf(o.preemptCountLayout),
    tracing: o.trace,
    countingError: (cpu, field, problem, detail) => live.reporter.countingError(cpu, field, problem, detail),
    trace: (cpu, event) => live.reporter.traceEvent(cpu, event),
    traceIrqflags: o.lockdep,
    debugIrqflags: o.debugIrqflags,
    proofsMayBeFalse: (cpu, by, mask) => live.reporter.proofsMayBeFalse(cpu, by, mask),
    warn: (cpu, warning) => live.reporter.warnOnce(cpu, warning),
    // lockdep's mark_held_locks(): locks still held when interrupts / BH come back on.
    hardirqsOn: (cpu) => live.lockdep.hardirqsOn(cpu, live.held.of(cpu.current)),
    softirqsOn: (cpu) => live.lockdep.softirqsOn(cpu, live.held.of(cpu.current)),
    // rcu_read_lock()'s and RT local_bh's lockdep maps, on the held-lock stack.
    lockMapAcquire: (cpu, map) => live.maps.acquire(cpu, map),
    lockMapRelease: (cpu, map) => live.maps.release(cpu, map),
  }
  const cpus = Array.from({ length: o.cpus }, (_, i) => new Cpu(createMachineCpu(i), cpuHost))
  return { options: o, cpus, live }
}

/** A kernel's parts on the CPUs of `set` as they are (fresh from {@link newCpuSet}, or reset). */
export const createKernelPartsOn = (set: CpuSet): KernelParts => {
  const o = set.options
  const cpus = [...set.cpus]
  const held = new HeldLocks()
  const machine = createMachine(
    { cpus: o.cpus },
    cpus.map((cpu) => cpu.state),
  )
  // lockdep reports through the reporter, which reads lockdep's state for its texts.
  const lockdep = new Lockdep(o, (d) => reporter.report(d), machine.locks)
  const reporter = new Reporter(machine, o, cpus, held, lockdep)
  const maps = new HeldMaps(lockdep, held)
  const live = set.live
  live.reporter = reporter
  live.lockdep = lockdep
  live.held = held
  live.maps = maps
  const warnHost: WarnHost = {
    report: (d) => reporter.report(d),
    debugLocks: () => lockdep.active,
    heldNames: (task) => held.names(task),
    preemptRt: o.preemptRt,
    fired: machine.warnedAsserts,
  }
  for (const cpu of cpus) registerWarnHost(cpu, warnHost)
  return { options: o, machine, lockObjects: new Map(), cpus, irq: new IrqRegistry(), held, lockdep, reporter, maps }
}

export const createKernelParts = (o: ResolvedOptions): KernelParts => createKernelPartsOn(newCpuSet(o))

/**
 * A new kernel on the CPUs of `set`, each reset to what {@link newCpuSet} made: its state (the
 * machine's CPU and its idle task) and its live scopes (left by an execution that ended with
 * tasks stuck inside sections). Everything else is new, as {@link createKernelParts} makes it.
 */
export const reuseKernelParts = (set: CpuSet): KernelParts => {
  for (const cpu of set.cpus) {
    resetMachineCpu(cpu.state)
    ScopeContext.switchOut(cpu)
  }
  return createKernelPartsOn(set)
}
