/**
 * The kernel's interrupt and softirq sequences that run handlers: the machine (src/machine/cpu.ts)
 * does each step and returns an outcome where a handler runs; this runs the handler through the
 * executor's {@link InterruptHandlers}, then calls back into the machine for the rest. Order and
 * counts are the kernel's (kernel/softirq.c: `__local_bh_enable_ip`, `__irq_exit_rcu`,
 * `handle_softirqs`, `run_ksoftirqd`).
 */
import type { Cpu } from '../machine/cpu.js'
import { MAX_SOFTIRQ_RESTART } from '../machine/cpu.js'
import { PREEMPT_OFFSET, SOFTIRQ_DISABLE_OFFSET, SOFTIRQ_OFFSET } from '../machine/preempt-count.js'
import type { IrqFlags } from '../machine/cpu-state.js'
import { OK, type Outcome } from '../machine/outcome.js'
import type { StepDelivery } from '../kinds/steps.js'
import type { InterruptHandlers } from './executor.js'

/** Which executor runs the handlers of each CPU; looked up only when a handler runs. */
const handlersOf = new WeakMap<Cpu, InterruptHandlers>()

/** Makes `handlers` run the interrupts and softirqs taken on `cpu`. */
export const bindHandlers = (cpu: Cpu, handlers: InterruptHandlers): void => {
  handlersOf.set(cpu, handlers)
}

const handlers = (cpu: Cpu): InterruptHandlers => {
  const h = handlersOf.get(cpu)
  if (h === undefined) throw new Error(`CPU ${cpu.id} has no executor`)
  return h
}

/**
 * Takes the pending interrupts in raise order while interrupts are on: for each, the machine
 * enters hardirq context, the handler runs, then irq_exit() and the return (also on a throw).
 */
export const deliverPendingIrqs = (cpu: Cpu): void => {
  for (let o = cpu.takeIrq(); o.tag === 'irq'; o = cpu.takeIrq()) {
    try {
      handlers(cpu).hardirq(cpu, o.line)
    } finally {
      try {
        irqExit(cpu)
      } finally {
        cpu.irqReturn()
      }
    }
  }
}

/** `__irq_exit_rcu()`: pending softirqs run here when the machine says so. */
export const irqExit = (cpu: Cpu): void => {
  if (cpu.irqExit() !== OK) handleSoftirqs(cpu, true)
}

// Each transition that may turn interrupts on is followed by taking what is pending — also when
// it threw (a report in 'throw' mode): the flag is on either way. Written out per transition (not
// through one helper taking the step as a function) so that every call site stays monomorphic.

/** `local_irq_enable()`: interrupts raised meanwhile are taken at once. */
export const localIrqEnable = (cpu: Cpu, checkProofs = true): void => {
  let o: Outcome | null = null
  try {
    o = cpu.localIrqEnable(checkProofs)
  } finally {
    if (o !== OK) deliverPendingIrqs(cpu)
  }
}

/** `local_irq_restore()`: interrupts raised meanwhile are taken at once when it turns them on. */
export const localIrqRestore = (cpu: Cpu, flags: IrqFlags): void => {
  let o: Outcome | null = null
  try {
    o = cpu.localIrqRestore(flags)
  } finally {
    if (o !== OK) deliverPendingIrqs(cpu)
  }
}

/** `local_interrupt_enable()`: on 1→0 restores the saved flags and takes what is pending. */
export const localInterruptEnable = (cpu: Cpu): void => {
  let o: Outcome | null = null
  try {
    o = cpu.localInterruptEnable()
  } finally {
    if (o !== OK) deliverPendingIrqs(cpu)
  }
}

/** `raise_softirq()`: its local_irq_restore() takes interrupts raised meanwhile. */
export const raiseSoftirq = (cpu: Cpu, nr: number): void => {
  let o: Outcome | null = null
  try {
    o = cpu.raiseSoftirq(nr)
  } finally {
    if (o !== OK) deliverPendingIrqs(cpu)
  }
}

/** Asserts an interrupt line: taken at once with interrupts on, else pending until they are. */
export const raiseIrq = (cpu: Cpu, line: number): void => {
  if (cpu.raiseIrq(line) !== OK) deliverPendingIrqs(cpu)
}

/**
 * `handle_softirqs()`: serving count up, then each pending softirq from bit 0 upwards with
 * interrupts on, restarting while new ones are raised (MAX_SOFTIRQ_RESTART, then ksoftirqd).
 * From irq_exit() interrupts were on before the interrupt, so turning them on is no news for the
 * live proofs.
 */
export const handleSoftirqs = (cpu: Cpu, fromIrqExit: boolean): void => {
  cpu.softirqsBegin()
  let restart = MAX_SOFTIRQ_RESTART
  try {
    do {
      let pending = cpu.softirqRound()
      localIrqEnable(cpu, !fromIrqExit)
      try {
        for (let nr = 0; pending !== 0; nr++, pending >>>= 1) {
          if (pending & 1) handlers(cpu).softirq(cpu, nr)
        }
      } finally {
        // A handler that throws drops the rest of this round; the CPU state is still undone.
        cpu.localIrqDisable()
      }
      restart = cpu.softirqRestart(restart)
    } while (restart !== 0)
  } finally {
    cpu.softirqsEnd()
  }
}

/** `do_softirq()`: with interrupts saved off, runs what is pending (never from interrupt context). */
export const doSoftirq = (cpu: Cpu): void => {
  if (cpu.inInterrupt()) return
  const flags = cpu.localIrqSave()
  try {
    if (cpu.state.softirqPending !== 0) handleSoftirqs(cpu, false)
  } finally {
    localIrqRestore(cpu, flags)
  }
}

/**
 * `__local_bh_enable_ip(cnt)`: runs pending softirqs when this brings BH back on in task context.
 * A warning that throws (onDiagnostic: 'throw') is rethrown after the enable is done, so the
 * counts are never left half-way.
 */
export const localBhEnable = (cpu: Cpu, cnt: number = SOFTIRQ_DISABLE_OFFSET): void => {
  const irqsWereOff = cpu.irqsDisabled
  let warning: unknown = null
  try {
    cpu.localBhEnableWarnings(irqsWereOff)
  } catch (error) {
    warning = error
  }
  if (!cpu.preemptRt) bhEnable(cpu, cnt)
  else rtBhEnable(cpu, cnt)
  try {
    if (cpu.localBhEnableEndsIrqsOn(irqsWereOff)) localIrqEnable(cpu)
    else cpu.localBhEnableSoftirqsOn()
  } catch (error) {
    warning ??= error
  }
  if (warning !== null) throw warning
}

/** Normal kernel: the count down (preemption held off), the softirqs, then preemption back. */
const bhEnable = (cpu: Cpu, cnt: number): void => {
  const hold = cpu.localBhEnableCount(cnt)
  try {
    if (cpu.softirqsDue()) doSoftirq(cpu)
  } finally {
    if (hold) cpu.preemptCountSub(PREEMPT_OFFSET)
  }
  cpu.localBhEnableDone()
}

/** RT: the softirqs run in this task when the machine says so (it returned the saved flags). */
const rtBhEnable = (cpu: Cpu, cnt: number): void => {
  const flags = cpu.rtLocalBhEnableBegin(cnt)
  if (flags === null) return
  try {
    handleSoftirqs(cpu, false)
  } finally {
    cpu.rtLocalBhEnable(SOFTIRQ_OFFSET, true)
    localIrqRestore(cpu, flags)
  }
}

/** `run_ksoftirqd()` in ksoftirqd's own task: ksoftirqd_run_begin(), the pending softirqs, ksoftirqd_run_end(). */
export const runKsoftirqd = (cpu: Cpu): void => {
  cpu.ksoftirqdRunBegin()
  try {
    if (cpu.state.softirqPending !== 0) handleSoftirqs(cpu, false)
  } finally {
    cpu.ksoftirqdRunEnd()
    localIrqEnable(cpu)
  }
}

/** The delivering transitions, as the kind registry's steps call them (kinds/steps.ts `StepDelivery`). */
export const DELIVERY: StepDelivery = { localIrqEnable, localIrqRestore, localInterruptEnable, localBhEnable }
