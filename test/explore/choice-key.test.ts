/** The explorer's thread identities (DPOR, sleep sets, PCT, shrinking) must never confuse two choices. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { choiceKey } from '../../src/exec/explore/choice-key.js'
import type { Choice } from '../../src/exec/model/scheduler.js'

const choice = fc.oneof(
  fc.record({ kind: fc.constant('task' as const), pid: fc.integer({ min: 1, max: 1 << 20 }), comm: fc.constant('t'), cpu: fc.integer({ min: 0, max: 63 }) }),
  fc.record({ kind: fc.constant('irq' as const), cpu: fc.integer({ min: 0, max: 63 }), line: fc.integer({ min: -2, max: 100_000 }) }),
  fc.record({ kind: fc.constant('softirq' as const), cpu: fc.integer({ min: 0, max: 63 }), nr: fc.integer({ min: 0, max: 9 }) }),
)
// The identity of a choice: a task is its pid; an arrival its CPU and line (or softirq number).
const identity = (c: Choice): string => (c.kind === 'task' ? `task ${c.pid}` : c.kind === 'irq' ? `irq ${c.cpu} ${c.line}` : `softirq ${c.cpu} ${c.nr}`)

describe('choiceKey', () => {
  it('the local timer (line -1) on CPU 1 and line 4095 on CPU 0 are two threads (they were one)', () => {
    expect(choiceKey({ kind: 'irq', cpu: 1, line: -1 })).not.toBe(choiceKey({ kind: 'irq', cpu: 0, line: 4095 }))
    expect(choiceKey({ kind: 'irq', cpu: 0, line: 4096 })).not.toBe(choiceKey({ kind: 'irq', cpu: 1, line: 0 }))
  })

  it('frames over two idle CPUs (both pid 0, swapper/N) are two threads, apart from every pid', () => {
    const idle = (cpu: number, comm: string): Choice => ({ kind: 'task', pid: 0, comm, cpu })
    expect(choiceKey(idle(0, 'irq 5 handler a'))).not.toBe(choiceKey(idle(1, 'irq 6 handler b')))
    expect(choiceKey(idle(0, 'irq 5 handler a'))).toBe(choiceKey(idle(0, 'softirqs on CPU 0')))
    expect(choiceKey(idle(1, 'TASKLET softirq'))).toBeGreaterThan(1 << 20)
  })

  it('two choices have one key exactly when they are the same thread', () => {
    fc.assert(fc.property(choice, choice, (a, b) => (choiceKey(a) === choiceKey(b)) === (identity(a) === identity(b))))
  })
})
