/**
 * The model executor's `handle_softirqs()` and `run_ksoftirqd()`: the same machine steps as the
 * synchronous ones (src/exec/delivery.ts, kernel/softirq.c), as generators, so a softirq handler
 * may reach a scheduling point or wait (a contended spinlock_t spins on a normal kernel and sleeps
 * in ksoftirqd on PREEMPT_RT) with the softirq round — and the rest of it — waiting behind it, as
 * the kernel's loop does.
 */
import type { Cpu } from '../../machine/cpu.js'
import { MAX_SOFTIRQ_RESTART } from '../../machine/cpu.js'
import { localIrqEnable } from '../delivery.js'
import type { Op } from '../wait.js'

/** Runs softirq `nr`'s handler (the executor's, with its entry/exit trace). */
export type SoftirqRun = (cpu: Cpu, nr: number) => Op<void>

/** `handle_softirqs()`: serving count up, the pending ones from bit 0 upwards with interrupts on, the restarts. */
export function* handleSoftirqsOp(cpu: Cpu, fromIrqExit: boolean, run: SoftirqRun): Op<void> {
  cpu.softirqsBegin()
  let restart = MAX_SOFTIRQ_RESTART
  try {
    do {
      let pending = cpu.softirqRound()
      localIrqEnable(cpu, !fromIrqExit)
      try {
        for (let nr = 0; pending !== 0; nr++, pending >>>= 1) {
          if (pending & 1) yield* run(cpu, nr)
        }
      } finally {
        cpu.localIrqDisable()
      }
      restart = cpu.softirqRestart(restart)
    } while (restart !== 0)
  } finally {
    cpu.softirqsEnd()
  }
}

/** `run_ksoftirqd()` in ksoftirqd's task: ksoftirqd_run_begin(), the pending softirqs, ksoftirqd_run_end(). */
export function* runKsoftirqdOp(cpu: Cpu, run: SoftirqRun): Op<void> {
  cpu.ksoftirqdRunBegin()
  try {
    if (cpu.state.softirqPending !== 0) yield* handleSoftirqsOp(cpu, false, run)
  } finally {
    cpu.ksoftirqdRunEnd()
    localIrqEnable(cpu)
  }
}
