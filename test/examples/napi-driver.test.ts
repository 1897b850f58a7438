/** The napi-driver example: where each part runs on both kernels, the teardown deadlock on both, the default-mode hrtimer on the normal kernel only. */
import { describe, expect, it } from 'vitest'
import { run, title } from '../../examples/napi-driver.js'

describe('examples/napi-driver', () => {
  const logged: string[] = []
  run((line) => logged.push(line))
  const line = (prefix: string): string | undefined => logged.find((l) => l.startsWith(prefix))

  it('has a title and stays short', () => {
    expect(title).toMatch(/^napi-driver: /)
    expect(logged.length).toBeLessThanOrEqual(30)
  })

  it('places the poll, the watchdog and the reset work on each kernel, with no report', () => {
    expect(line('normal kernel: poll')).toBe(
      'normal kernel: poll in swapper/0 (softirq, BH off); watchdog in swapper/0 (softirq, BH off); reset in kworker/0:1 (task)',
    )
    expect(line('PREEMPT_RT: poll')).toBe(
      'PREEMPT_RT: poll in irq/11-eth0 (softirq, BH off); watchdog in ktimers/0 (softirq, BH off); reset in kworker/0:1 (task)',
    )
    expect(logged.filter((l) => l.endsWith('diagnostics: 0'))).toHaveLength(2)
  })

  it('bug 1: timer_delete_sync() under the lock the watchdog takes is a circular dependency on both kernels; deleting first is silent', () => {
    for (const k of ['normal kernel', 'PREEMPT_RT']) {
      expect(line(`  ${k}: `)).toBe(`  ${k}: WARNING: possible circular locking dependency detected`)
      expect(line(`  ${k}, timer_delete_sync() first: `)).toBe(`  ${k}, timer_delete_sync() first: no report`)
    }
  })

  it('bug 2: a default-mode hrtimer is hardirq on the normal kernel only (inconsistent lock state); _SOFT is softirq on both', () => {
    expect(line('  HRTIMER_MODE_REL, normal kernel')).toBe('  HRTIMER_MODE_REL, normal kernel: the callback in hardirq: WARNING: inconsistent lock state')
    expect(line('  HRTIMER_MODE_REL, PREEMPT_RT')).toBe('  HRTIMER_MODE_REL, PREEMPT_RT: the callback in softirq: no report')
    expect(line('  HRTIMER_MODE_REL_SOFT, normal kernel')).toBe('  HRTIMER_MODE_REL_SOFT, normal kernel: the callback in softirq: no report')
    expect(line('  HRTIMER_MODE_REL_SOFT, PREEMPT_RT')).toBe('  HRTIMER_MODE_REL_SOFT, PREEMPT_RT: the callback in softirq: no report')
  })
})
