/**
 * Outside audit, in models (defineModel(), the model executor): the same contexts and self-waits
 * as under kernel.run, read off the kernel's own reports — each callback takes a mutex of its own,
 * whose might_sleep() prints where it runs (`__might_resched()`'s fields), on both kernels.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, explore, runModel, type Diagnostic, type ExploreResult } from '../../src/index.js'
import type { Op } from '../../src/index.js'
import { untyped } from './untyped.js'

/** The might_sleep() header of the report at `mutex 'name'`: [comm, in_atomic, irqs_disabled, preempt_count, RCU depth]. */
const at = (ds: readonly Diagnostic[], name: string): string[] | undefined => {
  const d = ds.find((x) => x.kind === 'sleeping-in-atomic' && x.report.startsWith(`BUG: sleeping function called from invalid context at mutex '${name}'`))
  if (d === undefined) return undefined
  const [, second = '', third = '', fourth = ''] = d.report.split('\n')
  const m = /in_atomic\(\): (\d), irqs_disabled\(\): (\d), non_block: 0, pid: \d+, name: (.+)$/.exec(second)
  return [m?.[3] ?? '?', `in_atomic ${m?.[1]}`, `irqs_disabled ${m?.[2]}`, third.replace(', expected: 0', ''), fourth.replace(', expected: 0', '')]
}

const model = defineModel(
  (k) => {
    const lockIn = (name: string) => {
      const m = k.mutex(name, 0)
      return (ctx: unknown): Op<unknown> => untyped(m, 'withLocked')(ctx, function* () {}) as Op<unknown>
    }
    const inTimer = lockIn('timer')
    const inHard = lockIn('hard')
    const inPrimary = lockIn('primary')
    const inTasklet = lockIn('tasklet')
    const inIrqWork = lockIn('irq_work')
    const t = k.timerSetup('t', function* (ctx) {
      yield* inTimer(ctx)
    })
    const hh = k.hrtimerSetup(
      'hh',
      function* (ctx) {
        yield* inHard(ctx)
        return 'HRTIMER_NORESTART'
      },
      'HRTIMER_MODE_REL_HARD',
    )
    const iw = k.initIrqWork('iw', function* (ctx) {
      yield* inIrqWork(ctx)
    })
    const tl = k.taskletSetup('tl', function* (ctx) {
      yield* inTasklet(ctx)
    })
    k.requestThreadedIrq(
      5,
      { cpu: 0, name: 'eth0', arrivals: 1 },
      function* (ctx) {
        yield* inPrimary(ctx)
        tl.taskletSchedule(ctx)
        return 'IRQ_WAKE_THREAD'
      },
      function* (ctx) {
        ctx.mightSleep() // thread_fn: a task on both kernels
      },
    )
    k.task('a', { cpu: 0 }, function* (ctx) {
      t.modTimer(ctx, k.jiffies + 1)
      hh.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD')
      iw.irqWorkQueue(ctx)
      yield* k.cpuRelax(ctx)
    })
  },
  { cpus: 1, lockdep: false },
)

describe('where callbacks run in a model, by their might_sleep() report', () => {
  it('normal kernel: TIMER softirq 100, hardirq 10000 with interrupts off; no RCU depth', () => {
    const r = runModel(model, { preemptRt: false })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(at(r.diagnostics, 'timer')).toEqual(['swapper/0', 'in_atomic 1', 'irqs_disabled 0', 'preempt_count: 100', 'RCU nest depth: 0'])
    expect(at(r.diagnostics, 'hard')?.slice(1)).toEqual(['in_atomic 1', 'irqs_disabled 1', 'preempt_count: 10000', 'RCU nest depth: 0'])
    expect(at(r.diagnostics, 'primary')?.slice(1)).toEqual(['in_atomic 1', 'irqs_disabled 1', 'preempt_count: 10000', 'RCU nest depth: 0'])
    expect(at(r.diagnostics, 'irq_work')?.slice(1)).toEqual(['in_atomic 1', 'irqs_disabled 1', 'preempt_count: 10000', 'RCU nest depth: 0'])
    expect(at(r.diagnostics, 'tasklet')?.slice(1)).toEqual(['in_atomic 1', 'irqs_disabled 0', 'preempt_count: 100', 'RCU nest depth: 0'])
    expect(r.diagnostics.filter((d) => d.kind === 'sleeping-in-atomic')).toHaveLength(5)
  })

  it('PREEMPT_RT: ktimers/0 and the forced irq thread with preempt_count 0 but RCU depth 1; _HARD still hardirq; lazy irq_work may sleep', () => {
    const r = runModel(model, { preemptRt: true })
    expect(r.outcome).toEqual({ kind: 'completed' })
    expect(at(r.diagnostics, 'timer')).toEqual(['ktimers/0', 'in_atomic 0', 'irqs_disabled 0', 'preempt_count: 0', 'RCU nest depth: 1'])
    expect(at(r.diagnostics, 'hard')?.slice(1)).toEqual(['in_atomic 1', 'irqs_disabled 1', 'preempt_count: 10000', 'RCU nest depth: 0'])
    expect(at(r.diagnostics, 'primary')).toEqual(['irq/5-eth0', 'in_atomic 0', 'irqs_disabled 0', 'preempt_count: 0', 'RCU nest depth: 1'])
    // The tasklet the forced handler raised runs in that thread's local_bh_enable().
    expect(at(r.diagnostics, 'tasklet')).toEqual(['irq/5-eth0', 'in_atomic 0', 'irqs_disabled 0', 'preempt_count: 0', 'RCU nest depth: 1'])
    // irq_work/0 is a plain task on RT: its mutex is fine.
    expect(at(r.diagnostics, 'irq_work')).toBeUndefined()
    expect(r.diagnostics.filter((d) => d.kind === 'sleeping-in-atomic')).toHaveLength(4)
  })
})

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

describe('waiting for a callback from inside it, in a model', () => {
  it('synchronize_irq() from its own handler: the hardirq spin alone (normal); the forced thread hangs after might_sleep() (RT)', () => {
    const m = defineModel(
      (k) => {
        k.requestThreadedIrq(
          5,
          { cpu: 0, name: 'dev', arrivals: 1 },
          function* (ctx) {
            yield* untyped(k, 'synchronizeIrq')(ctx, 5) as Op<void>
            return 'IRQ_HANDLED'
          },
          function* () {},
        )
        k.task('a', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 1, lockdep: false },
    )
    const r = explore(m, { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: watchdog: CPU0: Watchdog detected hard LOCKUP on cpu 0'])
    const rt = titles(r, 'rt')
    expect(rt[0]).toBe('deadlock: INFO: task irq/5-dev:2 blocked for more than 120 seconds.')
    expect(rt).toContain('diagnostic: BUG: sleeping function called from invalid context')
  })

  it('timer_delete_sync() from its own callback: soft lockup (normal), ktimers/0 in TASK_RTLOCK_WAIT (RT)', () => {
    const m = defineModel(
      (k) => {
        const t = k.timerSetup('t', function* (ctx, timer) {
          yield* untyped(timer, 'timerDeleteSync')(ctx) as Op<boolean>
        })
        k.task('a', { cpu: 0 }, function* (ctx) {
          t.modTimer(ctx, k.jiffies + 1)
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 1, lockdep: false },
    )
    const r = explore(m, { stopOnFailure: false })
    expect(titles(r, 'normal')[0]).toMatch(/^deadlock: watchdog: BUG: soft lockup - CPU#0 stuck for 22s! \[/)
    expect(titles(r, 'rt')[0]).toMatch(/^deadlock: lockproof: task ktimers\/0:\d+ blocked forever in TASK_RTLOCK_WAIT/)
  })
})
