/** The irq-inversion example: inconsistent lock state on a normal kernel only; irqsave in the task is silent on both. */
import { describe, expect, it } from 'vitest'
import { run, title } from '../../examples/irq-inversion.js'

const INCONSISTENT = 'WARNING: inconsistent lock state'
const SAFE_UNSAFE = 'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected'

describe('examples/irq-inversion', () => {
  const logged: string[] = []
  run((line) => logged.push(line))
  // A report is logged as one multi-line string: look at the output line by line.
  const text = logged.join('\n')
  const lines = text.split('\n')
  const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix))
  const normalAt = at('normal kernel: the handler ran in')
  const rtAt = at('PREEMPT_RT: the handler ran in')
  const fixAt = at('The fix:')
  const variantAt = at('A variant:')

  it('has a title and stays short', () => {
    expect(title).toMatch(/^irq-inversion: /)
    expect(lines.length).toBeLessThanOrEqual(60)
  })

  it('shows where the handler ran: hardirq on a normal kernel, a thread on RT', () => {
    expect(lines[normalAt]).toBe('normal kernel: the handler ran in eth0-reset/1: hardirq context, irqs_disabled=1, BH off=0')
    expect(lines[rtAt]).toBe('PREEMPT_RT: the handler ran in irq/11-eth0/2: task context, irqs_disabled=0, BH off=1')
  })

  it('normal kernel: one inconsistent-lock-state report, HARDIRQ-ON-W then IN-HARDIRQ-W', () => {
    expect(normalAt).toBeGreaterThanOrEqual(0)
    expect(rtAt).toBeGreaterThan(normalAt)
    const block = lines.slice(normalAt, rtAt).join('\n')
    expect(block).toContain(`  title: ${INCONSISTENT}`)
    expect(block).toContain('inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.')
    expect(block).toContain('eth0-reset/1 [HC1[1]:SC0[0]:HE0:SE1] takes:\n (rx_lock){?.+.}-{3:3}, spinlock_t')
    expect(block).toContain('  lock(rx_lock);\n  <Interrupt>\n    lock(rx_lock);')
    expect(block).toContain(' *** DEADLOCK ***')
    expect(lines.filter((l) => l === INCONSISTENT)).toHaveLength(1)
  })

  it('PREEMPT_RT: no report for the same program', () => {
    expect(lines[rtAt + 1]).toBe('  no reports')
    const explainAt = at('On a normal kernel lockdep saw')
    expect(explainAt).toBeGreaterThan(rtAt)
    expect(lines.slice(rtAt, explainAt).join('\n')).not.toMatch(/WARNING|BUG/)
    expect(text).toContain('so rx_lock is never taken in hardirq context')
  })

  it('with the interrupt arriving while the lock is held, a normal kernel hangs and RT does not', () => {
    // lockdep reported first, so spin_bug() is silent; the handler spins with interrupts off.
    expect(lines).toContain('  normal kernel: hangs (watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0)')
    expect(lines).toContain('  PREEMPT_RT: the handler runs after the unlock, no reports')
  })

  it('the fix (irqsave in the task) reports nothing on either kernel, even with the interrupt while held', () => {
    expect(fixAt).toBeGreaterThan(rtAt)
    const fix = lines.slice(fixAt, variantAt)
    const held = 'with the interrupt while held: the handler runs after the unlock, no reports'
    expect(fix).toContain(`  normal kernel: no reports; ${held}`)
    expect(fix).toContain(`  PREEMPT_RT: no reports; ${held}`)
    expect(fix.join('\n')).not.toMatch(/WARNING|BUG|hangs/)
  })

  it('the variant: HARDIRQ-safe -> HARDIRQ-unsafe on a normal kernel only', () => {
    expect(variantAt).toBeGreaterThan(fixAt)
    const after = lines.slice(variantAt)
    expect(after).toContain('  normal kernel:')
    expect(after).toContain(`    title: ${SAFE_UNSAFE}`)
    expect(after).toContain('    HARDIRQ-safe rx_lock -> HARDIRQ-unsafe stats_lock (chain rx_lock -> stats_lock)')
    expect(after).toContain('  PREEMPT_RT: no reports')
    expect(after.indexOf('  PREEMPT_RT: no reports')).toBeGreaterThan(after.indexOf(`    title: ${SAFE_UNSAFE}`))
  })
})
