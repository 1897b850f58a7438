/** The lock-order example: the AB/BA report once, then the fixed order silent. */
import { describe, expect, it } from 'vitest'
import { run, title } from '../../examples/lock-order.js'

const CIRCULAR = 'WARNING: possible circular locking dependency detected'

describe('examples/lock-order', () => {
  const lines: string[] = []
  run((line) => lines.push(line))
  const text = lines.join('\n')
  const fixAt = lines.findIndex((l) => l.startsWith('The fix:'))

  it('has a title', () => {
    expect(title).toMatch(/^lock-order: /)
  })

  it('prints the circular-dependency report exactly once, before the fix', () => {
    expect(text.split('\n').filter((l) => l === CIRCULAR)).toHaveLength(1)
    expect(fixAt).toBeGreaterThan(lines.findIndex((l) => l.includes(CIRCULAR)))
    expect(text).toContain('stats-report/2 is trying to acquire lock:\n (cfg_lock)')
    expect(text).toContain('but task is already holding lock:\n (stats_lock)')
    expect(text).toContain('-> #1 (stats_lock)')
    expect(text).toContain('by cfg-update/1 on CPU 0')
    expect(text).toContain(' *** DEADLOCK ***')
    expect(lines).toContain('1 report(s).')
  })

  it('the fixed version reports nothing', () => {
    expect(fixAt).toBeGreaterThan(0)
    const after = lines.slice(fixAt + 1)
    expect(after).toEqual(['no reports: cfg_lock -> stats_lock is the only order lockdep has seen.'])
    expect(after.join('\n')).not.toContain('WARNING')
  })
})
