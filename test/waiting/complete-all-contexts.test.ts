/**
 * complete_all()'s lockdep_assert_RT_in_threaded_ctx() in every hard interrupt context, at run time
 * (the twin of type-tests/audit-threaded.test-d.ts; docs/SEMANTICS.md §24): it fires where neither
 * hardirq_threaded nor irq_config is set — an IRQF_NO_THREAD handler, an IRQF_ONESHOT primary
 * handler, a HRTIMER_MODE_HARD callback, an IRQ_WORK_HARD_IRQ item — on both kernels (the check
 * is CONFIG_PROVE_RAW_LOCK_NESTING's), and not in a threadable handler, a default-mode hrtimer or
 * a lazy irq_work item.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'

type Loose = (ctx: unknown) => void
const completeAll = (k: Kernel): Loose => {
  const done = k.completion('done')
  return (ctx) => (done.completeAll as unknown as Loose)(ctx)
}
const WARNING = 'WARNING: kernel/sched/completion.c at complete_all(): lockdep_assert_RT_in_threaded_ctx(): Not in threaded context on PREEMPT_RT as expected'

const hrtimer = (k: Kernel, call: Loose, mode: 'HRTIMER_MODE_REL_HARD' | 'HRTIMER_MODE_REL') => {
  const t = k.hrtimerSetup(
    'h',
    (ctx) => {
      call(ctx)
      return 'HRTIMER_NORESTART'
    },
    mode,
  )
  k.run((ctx) => t.hrtimerStart(ctx, 1, mode))
  k.advance(5)
}
const irqWork = (k: Kernel, call: Loose, hard: boolean) => {
  const w = hard ? k.initIrqWork('w', (ctx) => call(ctx), { hard: true }) : k.initIrqWork('w', (ctx) => call(ctx))
  k.run((ctx) => w.irqWorkQueue(ctx))
}

const CASES: readonly (readonly [string, boolean, (k: Kernel, call: Loose) => void])[] = [
  [
    'an IRQF_NO_THREAD handler',
    true,
    (k, call) => {
      k.requestIrq(3, 'timer', (ctx) => call(ctx), { noThread: true })
      k.raiseIrq(3)
    },
  ],
  [
    'the primary handler of an IRQF_ONESHOT interrupt',
    true,
    (k, call) => {
      const primary = (ctx: unknown) => {
        call(ctx)
        return 'IRQ_HANDLED' as const
      }
      k.requestThreadedIrq(2, 'spi', primary, () => 0, { oneshot: true })
      k.raiseIrq(2)
    },
  ],
  ['a HRTIMER_MODE_HARD callback', true, (k, call) => hrtimer(k, call, 'HRTIMER_MODE_REL_HARD')],
  ['an IRQ_WORK_HARD_IRQ item', true, (k, call) => irqWork(k, call, true)],
  [
    'a threadable handler',
    false,
    (k, call) => {
      k.requestIrq(3, 'dev', (ctx) => call(ctx))
      k.raiseIrq(3)
    },
  ],
  ['a default-mode hrtimer', false, (k, call) => hrtimer(k, call, 'HRTIMER_MODE_REL')],
  ['a lazy irq_work item', false, (k, call) => irqWork(k, call, false)],
]

describe.each([false, true])('complete_all() in hard interrupt contexts, preemptRt=%s', (preemptRt) => {
  it.each(CASES)('%s: warns = %s', (_where, warns, arrange) => {
    const k = createKernel({ preemptRt })
    arrange(k, completeAll(k))
    expect(k.diagnostics.map((d) => d.title)).toEqual(warns ? [WARNING] : [])
  })
})
