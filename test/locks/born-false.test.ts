/**
 * A lock's new context whose proof is false from the start (interrupts turned back on under an
 * irqsave guard, then another IRQ lock taken) is reported as it is made. With onDiagnostic:
 * 'throw' the report's error comes out of the lock call with the acquisition taken back; in
 * every mode the run ends with the CPU as before and no lock held.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { machineOf } from '../../src/kernel.js'

/** What an untyped caller (which the type rules would stop) calls here. */
interface LooseGuardCtx {
  localBhDisable(cb: () => void): unknown
  localInterruptDisable(): { unlock(): void }
}
const js = (ctx: unknown): LooseGuardCtx => ctx as LooseGuardCtx
const lockIrq = (lock: object, ctx: unknown): { unlock(): void } => (lock as { lockIrq(ctx: unknown): { unlock(): void } }).lockIrq(ctx)

const BORN_FALSE = 'a new context whose proof is false from the start'

const heldLocks = (k: ReturnType<typeof createKernel>): string[] =>
  machineOf(k)
    .locks.filter((l) => l.writerPid !== -1 || l.readerPids.length > 0)
    .map((l) => l.name)

describe.each(['throw', 'record'] as const)('a context false from the start, onDiagnostic: %s', (onDiagnostic) => {
  it.each(['lock_irq', 'local_interrupt_disable'] as const)('a %s guard leaves the CPU as before and no lock held', (form) => {
    const k = createKernel({ cpus: 2, onDiagnostic })
    const sb = k.spinLock('sb', 0)
    const rb = k.rawSpinLock('rb', 0)
    const before = k.snapshot()
    let beforeInner: unknown
    let afterInner: unknown
    let innerError: unknown
    try {
      k.run((ctx) => {
        const g = sb.lockIrqSave(ctx)
        try {
          // local_bh_enable() with interrupts off ends in local_irq_enable() (TRACE_IRQFLAGS).
          js(g.ctx).localBhDisable(() => {})
        } catch {}
        beforeInner = k.snapshot()
        try {
          // Counted: interrupts stay on (the count was held already), so IrqDisabled is false at once.
          if (form === 'lock_irq') lockIrq(rb, g.ctx).unlock()
          else js(g.ctx).localInterruptDisable().unlock()
        } catch (e) {
          innerError = e
        }
        afterInner = k.snapshot()
        g.unlock()
      })
    } catch {}
    if (onDiagnostic === 'throw') {
      expect((innerError as Error).message).toContain(BORN_FALSE)
      // Taken back: the CPU is as it was before rb's lock call.
      expect(afterInner).toEqual(beforeInner)
    } else {
      expect(innerError).toBeUndefined()
      expect(k.diagnostics.map((d) => d.report).join('\n')).toContain(BORN_FALSE)
    }
    expect(k.snapshot()).toEqual(before)
    expect(heldLocks(k)).toEqual([])
    // The lock is free: CPU 1 takes it at once.
    expect(k.run((ctx) => sb.withLocked(ctx, () => 7), { cpu: 1 })).toBe(7)
  })

  it('a guard never unlocked: released at the task end, the CPU as before and no lock held', () => {
    const k = createKernel({ cpus: 2, onDiagnostic })
    const sb = k.spinLock('sb', 0)
    const rb = k.rawSpinLock('rb', 0)
    const before = k.snapshot()
    try {
      k.run((ctx) => {
        const g = sb.lockIrqSave(ctx)
        try {
          js(g.ctx).localBhDisable(() => {})
        } catch {}
        lockIrq(rb, g.ctx)
      })
    } catch {}
    expect(k.snapshot()).toEqual(before)
    expect(heldLocks(k)).toEqual([])
    expect(k.run((ctx) => sb.withLocked(ctx, () => 7), { cpu: 1 })).toBe(7)
  })
})
