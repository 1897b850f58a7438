/** The helpers example: the driver paths are silent on both kernels; each seeded bug is reported at run time. */
import { describe, expect, it } from 'vitest'
import { binderLife, run, seededBugs, title, uartLife } from '../../examples/helpers.js'

describe('examples/helpers', () => {
  it.each([false, true])('the 8250 and binder paths report nothing (preemptRt=%s)', (preemptRt) => {
    const u = uartLife(preemptRt)
    expect(u.kernel.diagnostics).toEqual([])
    const up = u.kernel.run((ctx) => u.port.withLockedIrqSave(ctx, (_ctx, p) => ({ ...p })))
    expect(up.received).toEqual([0x41, 0x42])
    expect(up.wire.join('')).toBe('hi!?')
    expect(up.ier).toBe(0) // shut down
    expect(u.consoleSem.count).toBe(1) // console_sem given back
    expect(u.logBuf).toEqual([])
    const { b, strong, freeze } = binderLife(preemptRt)
    expect(b.kernel.diagnostics).toEqual([])
    expect(strong).toBe(1)
    // -EAGAIN after the 10 ms CondVar timeout, then 0 once no transaction is outstanding.
    expect(freeze).toEqual([-11, 0])
    expect(b.kernel.clockMs).toBe(10)
  })

  it.each([false, true])('each seeded bug is reported when the types are bypassed (preemptRt=%s)', (preemptRt) => {
    const bugs = seededBugs(preemptRt)
    expect(bugs.map((b) => b.bug.split(':')[0])).toEqual([
      'recursion through a helper',
      'order inversion through a helper',
      'sleeping through a helper',
      'LockedBy with the wrong owner',
      'a helper that needs a lock held, called without it',
    ])
    const [recursion, order, sleeping, lockedBy, notHeld] = bugs.map((b) => b.runtime)
    expect(recursion).toContain("possible recursive locking: spinlock_t 'port_lock_key'")
    expect(recursion).toContain('(DeadlockError thrown)')
    expect(order).toBe("declared lock order broken: mutex 'port_mutex' after mutex 'tty_port.mutex'")
    expect(sleeping).toContain("sleeping function called from invalid context: mutex 'tty_port.mutex'")
    expect(lockedBy).toBe(
      "LockedByError: LockedBy<spinlock_t 'Process::inner'>: mismatched owners: this task holds another instance of spinlock_t 'Process::inner', not the one that owns this data",
    )
    expect(notHeld).toBe('WARN: lockdep_assert_held(port_lock_key) failed in serial8250_rx_chars')
  })

  it('prints each bug with its compile error and its report, and stays short', () => {
    const lines: string[] = []
    run((l) => lines.push(l))
    expect(title).toMatch(/^helpers: /)
    expect(lines.join('\n')).toContain("compile: possible recursive locking detected: spinlock_t 'port_lock_key' is already held")
    expect(lines.filter((l) => l.startsWith('    runtime: '))).toHaveLength(5)
    expect(lines.length).toBeLessThanOrEqual(40)
  })
})
