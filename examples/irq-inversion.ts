/**
 * irq-inversion — a spinlock_t taken in an interrupt handler and, elsewhere, with interrupts on:
 * lockdep's inconsistent lock state on a normal kernel, nothing on PREEMPT_RT (the handler is a
 * thread there). Run alone: `npx tsx examples/irq-inversion.ts`.
 */
import { createKernel, DeadlockError, type Kernel } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'irq-inversion: a lock shared with an interrupt handler, taken with interrupts on'

interface Rx {
  packets: number
}
interface Stats {
  reads: number
}

const ETH0_IRQ = 11
const kernelName = (preemptRt: boolean): string => (preemptRt ? 'PREEMPT_RT' : 'normal kernel')

/** Where the handler ran, read from the CPU view inside it. */
const where = (kernel: Kernel): string => {
  const cpu = kernel.cpu(0)
  const t = cpu.current
  return (
    `${t.comm}/${t.pid}: ${cpu.inHardirq() ? 'hardirq context' : 'task context'}, ` +
    `irqs_disabled=${cpu.irqsDisabled ? 1 : 0}, BH off=${cpu.softirqCount() !== 0 ? 1 : 0}`
  )
}

/**
 *   eth0_interrupt():  spin_lock(&rx_lock); rx->packets++; spin_unlock(&rx_lock);
 *   eth0_reset():      spin_lock(&rx_lock); rx->packets = 0; spin_unlock(&rx_lock);        (broken)
 *                      spin_lock_irqsave(&rx_lock, flags); ...; spin_unlock_irqrestore(...); (fixed)
 * The interrupt arrives just after eth0_reset() dropped the lock: nothing deadlocks in this run.
 */
const program = (preemptRt: boolean, fixed: boolean): { kernel: Kernel; handler: string } => {
  const kernel = keep('irq-inversion #1', createKernel({ preemptRt, ...traceOption() }))
  const rx = kernel.spinLock('rx_lock', { packets: 0 } as Rx)
  let handler = ''
  kernel.requestIrq(ETH0_IRQ, 'eth0', (ctx) => {
    handler = where(kernel)
    rx.withLocked(ctx, (_ctx, r) => {
      r.packets += 1
    })
  })
  kernel.run(
    (ctx) => {
      if (fixed) {
        rx.withLockedIrqSave(ctx, (_ctx, r) => {
          r.packets = 0
        })
      } else {
        rx.withLocked(ctx, (_ctx, r) => {
          r.packets = 0
        })
      }
      ctx.raiseIrq(ETH0_IRQ)
    },
    { comm: 'eth0-reset' },
  )
  return { kernel, handler }
}

/** The same driver, with the interrupt arriving while eth0-reset holds rx_lock. */
const collide = (preemptRt: boolean, fixed: boolean): string => {
  const kernel = keep('irq-inversion #2', createKernel({ preemptRt, ...traceOption() }))
  const rx = kernel.spinLock('rx_lock', { packets: 0 } as Rx)
  kernel.requestIrq(ETH0_IRQ, 'eth0', (ctx) =>
    rx.withLocked(ctx, (_ctx, r) => {
      r.packets += 1
    }),
  )
  try {
    kernel.run((ctx) => (fixed ? rx.withLockedIrqSave(ctx, (ctx) => ctx.raiseIrq(ETH0_IRQ)) : rx.withLocked(ctx, (ctx) => ctx.raiseIrq(ETH0_IRQ))), {
      comm: 'eth0-reset',
    })
  } catch (error) {
    if (!(error instanceof DeadlockError)) throw error
    return `hangs (${kernel.diagnostics.at(-1)?.title ?? 'no report'})`
  }
  return `the handler runs after the unlock, ${kernel.diagnostics.length === 0 ? 'no reports' : kernel.diagnostics.map((d) => d.title).join(', ')}`
}

/**
 * The variant: the handler's lock (irq-safe, taken with interrupts off in the task) ordered before a
 * lock that is taken with interrupts on elsewhere (irq-unsafe).
 *   stats-read:  spin_lock(&stats_lock); ...
 *   eth0-reset:  spin_lock_irqsave(&rx_lock, flags); spin_lock(&stats_lock); ...
 */
const variant = (preemptRt: boolean): Kernel => {
  const kernel = keep('irq-inversion #3', createKernel({ preemptRt, ...traceOption() }))
  const rx = kernel.spinLock('rx_lock', { packets: 0 } as Rx)
  const stats = kernel.spinLock('stats_lock', { reads: 0 } as Stats)
  kernel.requestIrq(ETH0_IRQ, 'eth0', (ctx) =>
    rx.withLocked(ctx, (_ctx, r) => {
      r.packets += 1
    }),
  )
  kernel.raiseIrq(ETH0_IRQ)
  kernel.run(
    (ctx) =>
      stats.withLocked(ctx, (_ctx, s) => {
        s.reads += 1
      }),
    { comm: 'stats-read' },
  )
  kernel.run(
    (ctx) =>
      rx.withLockedIrqSave(ctx, (ctx, r) =>
        stats.withLocked(ctx, (_ctx, s) => {
          s.reads = r.packets
        }),
      ),
    { comm: 'eth0-reset' },
  )
  return kernel
}

export function run(log: (line: string) => void = console.log): void {
  log('The eth0 driver protects its RX counter with spinlock_t rx_lock. The interrupt handler')
  log('(request_irq(), threadable) takes it; eth0-reset takes it with plain spin_lock(), interrupts on.')
  log('If the interrupt came while eth0-reset held the lock, the handler would spin on it forever on')
  log('the same CPU. Here the interrupt arrives just after the unlock, so nothing hangs in this run.')
  log('')
  for (const preemptRt of [false, true]) {
    const { kernel, handler } = program(preemptRt, false)
    log(`${kernelName(preemptRt)}: the handler ran in ${handler}`)
    if (kernel.diagnostics.length === 0) log('  no reports')
    for (const d of kernel.diagnostics) {
      log(`  title: ${d.title}`)
      log(d.report)
    }
    log('')
  }
  log('On a normal kernel lockdep saw rx_lock taken with hardirqs enabled (HARDIRQ-ON-W) and then in')
  log('hardirq context (IN-HARDIRQ-W), and reports the interrupt deadlock it makes possible.')
  log('On PREEMPT_RT the handler is force-threaded: it runs in the task irq/11-eth0 with interrupts on,')
  log('so rx_lock is never taken in hardirq context and there is no IN-HARDIRQ usage. spinlock_t is a')
  log('sleeping lock there: a handler thread finding it held blocks until eth0-reset releases it.')
  log('Had the interrupt come while eth0-reset held rx_lock, the same program would go:')
  for (const preemptRt of [false, true]) log(`  ${kernelName(preemptRt)}: ${collide(preemptRt, false)}`)
  log('The bug is real on every normal kernel, so fix it for both.')
  log('')
  log('The fix: eth0-reset takes the lock with spin_lock_irqsave(), so the interrupt cannot come in')
  log('while it holds it (on RT spin_lock_irqsave() leaves interrupts on: the same as spin_lock()):')
  for (const preemptRt of [false, true]) {
    const { kernel } = program(preemptRt, true)
    const reports = kernel.diagnostics.length === 0 ? 'no reports' : kernel.diagnostics.map((d) => d.title).join(', ')
    log(`  ${kernelName(preemptRt)}: ${reports}; with the interrupt while held: ${collide(preemptRt, true)}`)
  }
  log('')
  log('A variant: rx_lock, now always taken with interrupts off, is held while taking stats_lock,')
  log("which stats-read takes with interrupts on. An interrupt on the stats_lock holder's CPU can")
  log('now wait on rx_lock, whose holder waits on stats_lock:')
  for (const preemptRt of [false, true]) {
    const kernel = variant(preemptRt)
    log(`  ${kernelName(preemptRt)}:${kernel.diagnostics.length === 0 ? ' no reports' : ''}`)
    for (const d of kernel.diagnostics) {
      log(`    title: ${d.title}`)
      if (d.kind === 'irq-inversion') log(`    ${d.irq}-safe ${d.safe} -> ${d.irq}-unsafe ${d.unsafe} (chain ${d.chain.join(' -> ')})`)
    }
  }
  log('The fix there: take stats_lock with interrupts off everywhere too, or not under rx_lock.')
}

if (import.meta.url === `file://${process.argv[1]}`) run()
