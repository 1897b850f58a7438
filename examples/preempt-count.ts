/**
 * preempt-count — what the kernel's counters read in each context, on a normal and an RT kernel.
 * Run alone: `npx tsx examples/preempt-count.ts`.
 */
import { createKernel, preemptCountLayout } from '../src/index.js'
import { keep, traceOption } from './shared.js'

const hex = preemptCountLayout.formatPreemptCount

export const title = 'preempt-count: the counters in each context, normal kernel vs PREEMPT_RT'

export function run(log: (line: string) => void = console.log): void {
  for (const preemptRt of [false, true]) {
    const kernel = keep(preemptRt ? 'PREEMPT_RT' : 'normal kernel', createKernel({ preemptRt, ...traceOption() }))
    const cpu = kernel.cpu(0)
    const show = (where: string): void => {
      const t = cpu.current
      log(
        `  ${where.padEnd(34)} preempt_count=${hex(cpu.preemptCount)} irqs_disabled=${cpu.irqsDisabled ? 1 : 0} ` +
          `in_task=${cpu.inTask() ? 1 : 0} in_atomic=${cpu.inAtomic() ? 1 : 0} migrate=${t.migrationDisabled} rcu=${t.rcuReadLockNesting} ` +
          `softirq_disable_cnt=${hex(t.softirqDisableCnt)}`,
      )
    }
    log(preemptRt ? 'PREEMPT_RT kernel:' : 'Normal kernel (CONFIG_PREEMPT):')
    kernel.openSoftirq('NET_RX', () => show('NET_RX softirq handler'))
    kernel.requestIrq(9, 'nic', (ctx) => {
      show('nic interrupt handler')
      ctx.raiseSoftirq('NET_RX')
    })
    kernel.run((ctx) => {
      show('task')
      ctx.preemptDisable(() => show('preempt_disable()'))
      ctx.localBhDisable(() => show('local_bh_disable()'))
      ctx.rcuReadLock(() => show('rcu_read_lock()'))
      ctx.core.localIrqSave((ctx) => {
        show('local_irq_save()')
        ctx.raiseIrq(9)
        log(`  (IRQ 9 raised with interrupts off: pending ${JSON.stringify(cpu.pendingIrqs)})`)
      })
    })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) run()
