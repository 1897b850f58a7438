import { describe, expect, it } from 'vitest'
import { run } from '../../examples/guard-drop-order.js'

describe('example guard-drop-order', () => {
  const lines: string[] = []
  run((line) => lines.push(line))
  const at = lines.indexOf("irqDisable: 'counted'")
  const saveRestore = lines.slice(0, at).join('\n')
  const counted = lines.slice(at).join('\n')

  it('save/restore: interrupts come back on with irq2 still held, then the handler deadlocks on it', () => {
    expect(saveRestore).toContain('drop(a):                       interrupts ON  (count 0), held: irq2  — DeadlockError thrown')
    expect(saveRestore).toContain('irqs-on-under-irq-lock: lockproof: interrupts enabled while an IRQ-disabling lock is held')
    // irq2 got HARDIRQ-ON when the flags came back on (mark_held_locks()); the handler's IN-HARDIRQ
    // use is then inconsistent, which mark_usage() reports before validate_chain() would see the AA.
    expect(saveRestore).toContain('inconsistent-lock-state: WARNING: inconsistent lock state')
    expect(saveRestore).not.toContain('recursive-locking')
    // lockdep reported first, so spin_bug() is silent (debug_locks_off()): the NMI watchdog reports the spin.
    expect(saveRestore).toContain('deadlock: watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0')
    expect(saveRestore).toContain('irqs-disabled-at-exit: lockproof: task ended with interrupts disabled')
  })

  it('counted: interrupts stay off until the last guard, and nothing is reported', () => {
    expect(counted).toContain('drop(a):                       interrupts off (count 1), held: irq2')
    expect(counted).toContain('drop(b):                       interrupts ON  (count 0), held: none')
    expect(counted).toContain('no reports')
    expect(counted).not.toContain('WARNING')
  })
})
