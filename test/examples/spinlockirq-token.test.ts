import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { run } from '../../examples/spinlockirq-token.js'

const output = (): string[] => {
  const lines: string[] = []
  run((line) => lines.push(line))
  return lines
}

describe('example spinlockirq-token', () => {
  const lines = output()
  const text = lines.join('\n')

  it('the v6 design is silent on a normal kernel and splats on RT', () => {
    expect(lines.some((l) => l.startsWith('Normal kernel: no report'))).toBe(true)
    expect(text).toContain("BUG: sleeping function called from invalid context at spinlock_t 'queue'")
    expect(text).toContain('in_atomic(): 0, irqs_disabled(): 1, non_block: 0')
  })

  it('quotes the compile error the type tests assert', () => {
    const typeTest = readFileSync(new URL('../../type-tests/rule2-invalid-wait-context.test-d.ts', import.meta.url), 'utf8')
    expect(typeTest).toContain(
      "Invalid wait context: spinlock_t 'stats' is a sleeping lock on PREEMPT_RT and cannot be taken here (interrupts are disabled (local_irq_save()))",
    )
    expect(text).toContain("Invalid wait context: spinlock_t 'queue' is a sleeping lock on PREEMPT_RT and cannot be")
  })

  it('the irqsave mapping: interrupts off on a normal kernel, migrate-disabled on RT, no reports', () => {
    expect(text).toContain('normal     inside: irqs_disabled=1 preempt_count=1 migrate_disable=0; reports: 0')
    expect(text).toContain('PREEMPT_RT inside: irqs_disabled=0 preempt_count=0 migrate_disable=1; reports: 0')
  })
})
