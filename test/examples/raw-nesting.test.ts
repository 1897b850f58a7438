/** The raw-nesting example: silent without PROVE_RAW_LOCK_NESTING, invalid wait context with it, both splats on RT; the fixes are silent. */
import { describe, expect, it } from 'vitest'
import { run, title } from '../../examples/raw-nesting.js'

const INVALID = '[ BUG: Invalid wait context ]'
const SLEEPING = 'BUG: sleeping function called from invalid context'

describe('examples/raw-nesting', () => {
  const logged: string[] = []
  run((line) => logged.push(line))
  // A report is logged as one multi-line string: look at the output line by line.
  const text = logged.join('\n')
  const lines = text.split('\n')
  const fixAt = lines.findIndex((l) => l.startsWith('The fix:'))

  it('has a title and stays short', () => {
    expect(title).toMatch(/^raw-nesting: /)
    expect(lines.length).toBeLessThanOrEqual(60)
  })

  it('quotes the compile error', () => {
    expect(text).toContain(
      `"Invalid wait context: spinlock_t 'dev_lock' is a sleeping lock\non PREEMPT_RT and cannot be taken here (raw_spinlock_t 'hw_lock' is held)"`,
    )
  })

  it('summarises each kernel: silent, invalid wait context, both', () => {
    expect(lines).toContain('normal kernel, PROVE_RAW_LOCK_NESTING=n: no reports')
    expect(lines).toContain(`normal kernel, PROVE_RAW_LOCK_NESTING=y (the default): ${INVALID}`)
    expect(lines).toContain(`PREEMPT_RT: ${INVALID} + ${SLEEPING}`)
  })

  it("prints RT's two kernel-style reports before the fix", () => {
    const invalidAt = lines.indexOf(INVALID)
    const sleepingAt = lines.findIndex((l) => l.startsWith(`${SLEEPING} at spinlock_t 'dev_lock'`))
    expect(invalidAt).toBeGreaterThan(0)
    expect(sleepingAt).toBeGreaterThan(invalidAt)
    expect(fixAt).toBeGreaterThan(sleepingAt)
    expect(text).toContain('dev-reset/1 is trying to lock:\n (dev_lock){....}-{3:3}, spinlock_t')
    expect(text).toContain("#0: (hw_lock){+.+.}-{2:2}, raw_spinlock_t 'hw_lock'")
    expect(text).toContain('in_atomic(): 1, irqs_disabled(): 0')
    // __might_resched() prints after lockdep's report turned it off: debug_show_held_locks() says so.
    expect(text).toContain('preempt_count: 1, expected: 0\nRCU nest depth: 0, expected: 0\nINFO: lockdep is turned off.')
    expect(lines.filter((l) => l === INVALID)).toHaveLength(1)
  })

  it('both fixes are silent on every kernel', () => {
    const after = lines.slice(fixAt)
    expect(after).toContain('  dev_lock raw              reports: normal/n 0, normal/y 0, RT 0')
    expect(after).toContain('  dev_lock outside hw_lock  reports: normal/n 0, normal/y 0, RT 0')
    expect(after.join('\n')).not.toMatch(/BUG|WARNING/)
  })
})
