/**
 * hrtimer_start()'s mode at run time (the twin of type-tests/audit-hrtimer.test-d.ts; docs/SEMANTICS.md
 * §24): only the expiry bit is checked against hrtimer_setup()'s, the SOFT bit on a normal kernel
 * and the HARD bit on RT; REL/ABS and PINNED may differ.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type HrtimerMode } from '../../src/index.js'

type LooseStart = (ctx: unknown, ms: number, mode: HrtimerMode) => void
const starts = (preemptRt: boolean, setup: HrtimerMode, start: HrtimerMode) => {
  const k = createKernel({ preemptRt })
  const t = k.hrtimerSetup('t', () => 'HRTIMER_NORESTART', setup)
  k.run((ctx) => (t.hrtimerStart as unknown as LooseStart)(ctx, 1, start))
  return k.diagnostics.map((d) => (d.kind === 'lockdep-assert' ? `${d.title}: ${d.assertion}` : d.kind))
}

describe.each([false, true])('hrtimer_start() modes, preemptRt=%s', (preemptRt) => {
  it('the same expiry, another REL/ABS or PINNED: no warning', () => {
    expect(starts(preemptRt, 'HRTIMER_MODE_REL', 'HRTIMER_MODE_ABS')).toEqual([])
    expect(starts(preemptRt, 'HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_PINNED')).toEqual([])
    expect(starts(preemptRt, 'HRTIMER_MODE_REL_SOFT', 'HRTIMER_MODE_ABS_PINNED_SOFT')).toEqual([])
    expect(starts(preemptRt, 'HRTIMER_MODE_ABS_HARD', 'HRTIMER_MODE_REL_HARD')).toEqual([])
  })

  it('a plain timer started _SOFT warns on the normal kernel, _HARD on RT', () => {
    const warning = `WARNING: CPU: 0 PID: 1 at hrtimer_start_range_ns: ${preemptRt ? 'WARN_ON_ONCE(!(mode & HRTIMER_MODE_HARD) ^ !timer->is_hard)' : 'WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT) ^ !timer->is_soft)'}`
    expect(starts(preemptRt, 'HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_SOFT')).toEqual(preemptRt ? [] : [warning])
    expect(starts(preemptRt, 'HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_HARD')).toEqual(preemptRt ? [warning] : [])
  })
})
