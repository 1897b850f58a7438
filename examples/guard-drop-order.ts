/**
 * guard-drop-order — Rust-for-Linux issue #998: a guard that restores the saved interrupt flags
 * when it is dropped breaks when two guards are dropped out of order. Side by side: guards with
 * per-guard save/restore, and guards over counted interrupt disabling (local_interrupt_disable()).
 * Run alone: `npx tsx examples/guard-drop-order.ts`.
 */
import { createKernel } from '../src/index.js'
import { keep, traceOption } from './shared.js'

export const title = 'guard-drop-order: Rust-for-Linux #998, save/restore guards vs counted interrupt disabling'

export function run(log: (line: string) => void = console.log): void {
  log('    // interrupts are enabled here.')
  log('    let a = spin_lock_irq1.lock();')
  log('    let b = spin_lock_irq2.lock();')
  log('    drop(a); // releasing spin_lock_irq1 and restore the irq state.')
  log('    // `b` exists with interrupts enabled, which breaks the invariants of b.')
  log('A device interrupt arrives while both are held; its handler takes irq2.')
  for (const irqDisable of ['save-restore', 'counted'] as const) {
    const kernel = keep(irqDisable, createKernel({ irqDisable, ...traceOption() }))
    const irq1 = kernel.spinLockIrq('irq1', 0)
    const irq2 = kernel.spinLockIrq('irq2', 0)
    const cpu = kernel.cpu(0)
    kernel.requestIrq(5, 'dev', (ctx) => irq2.withLocked(ctx, (_ctx, n) => n + 1))
    const state = (): string =>
      `interrupts ${cpu.irqsDisabled ? 'off' : 'ON '} (count ${cpu.interruptDisableCount}), held: ${kernel.heldLocks().join(', ') || 'none'}`
    log('')
    log(`irqDisable: '${irqDisable}'`)
    let error = ''
    kernel.run(
      (ctx) => {
        const a = irq1.lock(ctx)
        const b = irq2.lock(a.ctx)
        b.ctx.raiseIrq(5)
        log(`  a, b locked; IRQ 5 pending:   ${state()}`)
        try {
          a.unlock()
        } catch (e) {
          error = (e as Error).name
        }
        log(`  drop(a):                       ${state()}${error ? `  — ${error} thrown` : ''}`)
        if (b.held) {
          b.unlock()
          log(`  drop(b):                       ${state()}`)
        }
      },
      { comm: 'driver' },
    )
    if (irqDisable === 'save-restore') log('  drop(b) restored the flags b saved — "off", saved under a — so interrupts stay off after both.')
    if (kernel.diagnostics.length === 0) log('  no reports: interrupts stayed off until the last guard went; IRQ 5 ran after it.')
    for (const d of kernel.diagnostics) log(`  ${d.kind}: ${d.title}`)
    const first = kernel.diagnostics[0]
    if (first !== undefined) for (const line of first.report.split('\n').slice(3, 7)) log(`      ${line}`)
  }
  log('')
  log('Counted interrupt disabling saves the flags on the 0→1 transition only and restores them on')
  log("1→0, so guards may drop in any order; it is lockproof's default (irqDisable: 'counted').")
  log('The callback form (withLocked) cannot drop out of order at all.')
}

if (import.meta.url === `file://${process.argv[1]}`) run()
