/**
 * Outside audit: what PREEMPT_RT changes about waiting for and starting deferred work.
 * - timer_delete_sync(): `if (IS_ENABLED(CONFIG_PREEMPT_RT) && !(timer->flags & TIMER_IRQSAFE))
 *   lockdep_assert_preemption_enabled();` — `preempt_count() != 0 || !hardirqs_enabled` warns
 *   (include/linux/lockdep.h), and RT's spinlock_t / spin_lock_irq() / local_bh_disable() leave
 *   both alone; WARN_ON(in_hardirq()) on both kernels.
 * - hrtimer_start_range_ns(): normal `WARN_ON_ONCE(!(mode & HRTIMER_MODE_SOFT) ^ !timer->is_soft)`,
 *   RT `WARN_ON_ONCE(!(mode & HRTIMER_MODE_HARD) ^ !timer->is_hard)`.
 * - complete_all(): `lockdep_assert_RT_in_threaded_ctx()` warns in a hardirq that is neither
 *   `hardirq_threaded` nor `irq_config` (a default-mode hrtimer and a lazy irq_work have irq_config).
 * - wake_up(): the head's spinlock_t — LD_WAIT_CONFIG: fine where lockdep's irq_config or a
 *   threadable handler allows it, "Invalid wait context" in a _HARD hrtimer, an IRQ_WORK_HARD_IRQ
 *   work or an IRQF_ONESHOT primary, and on RT also the rtlock's might_resched().
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type AnyContext, type HrtimerMode } from '../../src/index.js'
import { untyped } from './untyped.js'

const titles = (k: { diagnostics: readonly { title: string }[] }): string[] => k.diagnostics.map((d) => d.title)
const TIMER_RT_WARN = 'WARNING: CPU: 0 PID: 1 at __timer_delete_sync'
const SLEEPING = 'BUG: sleeping function called from invalid context'
const INVALID_WAIT = '[ BUG: Invalid wait context ]'

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  describe('timer_delete_sync(): lockdep_assert_preemption_enabled() on RT only', () => {
    it('under raw_spin_lock(), preempt_disable() or local_irq_disable(): RT warns, a normal kernel spins legally', () => {
      for (const section of ['raw', 'preempt', 'irq'] as const) {
        const k = createKernel({ preemptRt })
        const raw = k.rawSpinLock('raw', 0)
        const t = k.timerSetup('t', () => 0)
        const del = (ctx: AnyContext): unknown => untyped(t, 'timerDeleteSync')(ctx)
        k.run((ctx) => {
          if (section === 'raw') raw.withLocked(ctx, del)
          else if (section === 'preempt') ctx.preemptDisable(del)
          else ctx.core.localIrqSave(del)
        })
        expect(titles(k), section).toEqual(preemptRt ? [TIMER_RT_WARN] : [])
      }
    })

    it('valid on both: under spinlock_t, spin_lock_irq() (interrupts stay on on RT), local_bh_disable() and rcu_read_lock()', () => {
      const k = createKernel({ preemptRt })
      const s = k.spinLock('s', 0)
      const t = k.timerSetup('t', () => 0)
      k.run((ctx) => {
        s.withLocked(ctx, (c) => t.timerDeleteSync(c))
        s.withLockedIrq(ctx, (c) => untyped(t, 'timerDeleteSync')(c))
        ctx.localBhDisable((c) => t.timerDeleteSync(c))
        ctx.rcuReadLock((c) => t.timerDeleteSync(c))
      })
      expect(titles(k)).toEqual([])
    })

    it('from another timer’s callback (softirq, not hardirq): allowed on both kernels', () => {
      const k = createKernel({ preemptRt })
      const b = k.timerSetup('b', () => 0)
      const a = k.timerSetup('a', (ctx) => void b.timerDeleteSync(ctx))
      k.run((ctx) => {
        a.modTimer(ctx, k.jiffies + 1)
        b.modTimer(ctx, k.jiffies + 50)
      })
      k.advance(1)
      expect(b.pending).toBe(false)
      expect(titles(k)).toEqual([])
    })

    it('from a hardirq handler: WARN_ON(in_hardirq()) on both kernels', () => {
      const k = createKernel({ preemptRt })
      const t = k.timerSetup('t', () => 0)
      k.requestIrq(4, 'dev', (ctx) => void untyped(t, 'timerDeleteSync')(ctx), { noThread: true })
      k.raiseIrq(4)
      expect(titles(k)[0]).toBe('WARNING: CPU: 0 PID: 0 at __timer_delete_sync')
    })
  })

  describe('hrtimer_start_range_ns(): the mode check differs by kernel', () => {
    const cases: readonly (readonly [HrtimerMode, HrtimerMode, boolean, boolean])[] = [
      // setup mode, start mode, warns on normal, warns on RT
      ['HRTIMER_MODE_REL', 'HRTIMER_MODE_REL', false, false],
      ['HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_SOFT', true, false],
      ['HRTIMER_MODE_REL', 'HRTIMER_MODE_REL_HARD', false, true],
      ['HRTIMER_MODE_REL_SOFT', 'HRTIMER_MODE_REL', true, false],
      ['HRTIMER_MODE_REL_SOFT', 'HRTIMER_MODE_REL_HARD', true, true],
      ['HRTIMER_MODE_REL_HARD', 'HRTIMER_MODE_REL', false, true],
      ['HRTIMER_MODE_REL_HARD', 'HRTIMER_MODE_REL_SOFT', true, true],
      ['HRTIMER_MODE_ABS_PINNED_HARD', 'HRTIMER_MODE_REL_HARD', false, false],
    ]
    it.each(cases)('set up %s, started %s', (setup, start, normal, rt) => {
      const k = createKernel({ preemptRt })
      const h = k.hrtimerSetup('h', () => 'HRTIMER_NORESTART', setup)
      k.run((ctx) => untyped(h, 'hrtimerStart')(ctx, 1, start))
      expect(titles(k)).toEqual((preemptRt ? rt : normal) ? ['WARNING: CPU: 0 PID: 1 at hrtimer_start_range_ns'] : [])
    })
  })

  describe('complete_all() and wake_up() from interrupt-time callbacks', () => {
    const NOT_THREADED =
      'WARNING: kernel/sched/completion.c at complete_all(): lockdep_assert_RT_in_threaded_ctx(): Not in threaded context on PREEMPT_RT as expected'

    it.each([
      ['HRTIMER_MODE_REL_HARD', true],
      ['HRTIMER_MODE_REL', false],
      ['HRTIMER_MODE_REL_SOFT', false],
    ] as const)('complete_all() from a %s hrtimer callback: warns = %s, on both kernels', (mode, warns) => {
      const k = createKernel({ preemptRt })
      const done = k.completion('done')
      const h = k.hrtimerSetup(
        'h',
        (ctx: AnyContext) => {
          untyped(done, 'completeAll')(ctx)
          return 'HRTIMER_NORESTART'
        },
        mode,
      )
      k.run((ctx) => untyped(h, 'hrtimerStart')(ctx, 1, mode))
      k.advance(1)
      expect(titles(k)).toEqual(warns ? [NOT_THREADED] : [])
    })

    it('complete() from a _HARD hrtimer and an IRQ_WORK_HARD_IRQ work: fine on both (the raw swait lock)', () => {
      const k = createKernel({ preemptRt })
      const done = k.completion('done')
      const h = k.hrtimerSetup(
        'h',
        (ctx) => {
          done.complete(ctx)
          return 'HRTIMER_NORESTART'
        },
        'HRTIMER_MODE_REL_HARD',
      )
      const w = k.initIrqWork('w', (ctx) => done.complete(ctx), { hard: true })
      k.run((ctx) => {
        h.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD')
        w.irqWorkQueue(ctx)
      })
      k.advance(1)
      expect(titles(k)).toEqual([])
    })

    it.each([
      ['a _HARD hrtimer', true],
      ['a default-mode hrtimer', false],
      ['an IRQ_WORK_HARD_IRQ work', true],
      ['a default irq_work', false],
      ['an IRQF_ONESHOT primary', true],
      ['a threadable hardirq handler', false],
    ] as const)('wake_up() from %s: invalid = %s', (where, invalid) => {
      const k = createKernel({ preemptRt })
      const wqh = k.waitQueue('wqh')
      const wake = (ctx: AnyContext): void => void untyped(wqh, 'wakeUp')(ctx)
      if (where.includes('hrtimer')) {
        const mode = where.includes('_HARD') ? 'HRTIMER_MODE_REL_HARD' : 'HRTIMER_MODE_REL'
        const h = k.hrtimerSetup(
          'h',
          (ctx: AnyContext) => {
            wake(ctx)
            return 'HRTIMER_NORESTART'
          },
          mode,
        )
        k.run((ctx) => untyped(h, 'hrtimerStart')(ctx, 1, mode))
        k.advance(1)
      } else if (where.includes('irq_work') || where.includes('IRQ_WORK')) {
        const w = where.includes('HARD') ? k.initIrqWork('w', wake, { hard: true }) : k.initIrqWork('w', wake)
        k.run((ctx) => w.irqWorkQueue(ctx))
      } else if (where.includes('ONESHOT')) {
        k.requestThreadedIrq(
          6,
          'os',
          (ctx) => {
            wake(ctx)
            return 'IRQ_WAKE_THREAD'
          },
          () => 0,
          { oneshot: true },
        )
        k.raiseIrq(6)
      } else {
        k.requestIrq(7, 'dev', (ctx) => {
          wake(ctx)
          return 'IRQ_HANDLED'
        })
        k.raiseIrq(7)
      }
      // RT: the head's spinlock_t is an rtlock; in a true hardirq its might_resched() reports too.
      expect(titles(k)).toEqual(invalid ? (preemptRt ? [INVALID_WAIT, SLEEPING] : [INVALID_WAIT]) : [])
    })
  })
})
