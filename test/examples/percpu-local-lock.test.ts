/** The percpu-local-lock example: local_irq_save() + spinlock_t splats on RT only; local_lock_irqsave() is silent on both. */
import { describe, expect, it } from 'vitest'
import { run, title } from '../../examples/percpu-local-lock.js'

const SLEEPING = 'BUG: sleeping function called from invalid context'

describe('examples/percpu-local-lock', () => {
  const logged: string[] = []
  run((line) => logged.push(line))
  // A report is logged as one multi-line string: look at the output line by line.
  const text = logged.join('\n')
  const lines = text.split('\n')
  const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix))
  const oldNormal = at('  normal kernel, inside local_irq_save()')
  const oldRt = at('  PREEMPT_RT, inside local_irq_save()')
  const fixAt = at('(b) The fix:')
  const newNormal = at('  normal kernel, inside local_lock_irqsave()')
  const newRt = at('  PREEMPT_RT, inside local_lock_irqsave()')

  it('has a title and stays short', () => {
    expect(title).toMatch(/^percpu-local-lock: /)
    expect(lines.length).toBeLessThanOrEqual(60)
  })

  it('prints the sections in story order', () => {
    expect([oldNormal, oldRt, fixAt, newNormal, newRt].every((i) => i >= 0)).toBe(true)
    expect(oldNormal).toBeLessThan(oldRt)
    expect(oldRt).toBeLessThan(fixAt)
    expect(fixAt).toBeLessThan(newNormal)
    expect(newNormal).toBeLessThan(newRt)
  })

  it('the old pattern: interrupts off on both kernels, silent on a normal kernel', () => {
    expect(lines[oldNormal]).toContain('irqs_disabled=1')
    expect(lines[oldRt]).toContain('irqs_disabled=1')
    expect(lines[oldNormal + 1]).toBe('    no reports')
  })

  it('the old pattern on RT: one sleeping-in-atomic splat with the title and the kernel-style report', () => {
    const rtBlock = lines.slice(oldRt, fixAt).join('\n')
    expect(lines[oldRt + 1]).toBe('    1 report(s):')
    expect(rtBlock).toContain(`    title: ${SLEEPING}`)
    expect(rtBlock).toContain(`${SLEEPING} at spinlock_t 'total_lock'`)
    expect(rtBlock).toContain('in_atomic(): 0, irqs_disabled(): 1')
    expect(rtBlock).toContain(' #0: (total_lock)')
    expect(text.split(SLEEPING).length - 1).toBe(2) // the title line and the report's first line
  })

  it('names the compile error', () => {
    expect(text).toContain("spinlock_t 'total_lock' is a sleeping lock on PREEMPT_RT")
  })

  it('the converted version: what local_lock_irqsave() does to the CPU on each kernel', () => {
    expect(lines[newNormal]).toContain('preempt_count=0 irqs_disabled=1 migrate_disable=0 rcu=0')
    expect(lines[newRt]).toContain('preempt_count=0 irqs_disabled=0 migrate_disable=2 rcu=1')
  })

  it('the converted version: each CPU sees its own counter, and nothing is reported', () => {
    const seen = '    counters seen: CPU0 pcp.count=1, CPU1 pcp.count=1, CPU1 pcp.count=2; total=3'
    expect(lines[newNormal + 1]).toBe(seen)
    expect(lines[newRt + 1]).toBe(seen)
    expect(lines[newNormal + 2]).toBe('    no reports')
    expect(lines[newRt + 2]).toBe('    no reports')
    expect(lines.slice(fixAt).join('\n')).not.toMatch(/BUG|WARNING|title:/)
  })
})
