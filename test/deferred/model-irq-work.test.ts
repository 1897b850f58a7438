/**
 * irq_work inside models (src/deferred/model/irq-work.ts): the self-IPI is taken at the queueing
 * CPU's next point with interrupts on; on PREEMPT_RT a default work runs in `irq_work/N`.
 */
import { describe, expect, it } from 'vitest'
import { type AnyContext, type Context, defineModel, explore, type ExploreResult, type HardIrqWorkState, type IrqWorkState, runModel } from '../../src/index.js'

const titles = (r: ExploreResult): string[][] => r.kernels.map((k) => k.counterexamples.map((c) => `${c.kind}: ${c.title}`))

/** irq_work_queue() under a raw_spinlock_t the callback takes, taken with plain raw_spin_lock() or with irqsave. */
const queuedUnderLock = (hard: boolean, irqsave: boolean) =>
  defineModel(
    (k) => {
      const log = k.rawSpinLock('log', { lines: 0 })
      const body = function* (ctx: Context<IrqWorkState | HardIrqWorkState>) {
        yield* log.withLocked(ctx, function* (_ctx, l) {
          l.lines++
        })
      }
      const w = hard ? k.initIrqWork('flush', body, { hard: true }) : k.initIrqWork('flush', body)
      k.task('printk', { cpu: 0 }, function* (ctx) {
        const queue = function* (ctx: AnyContext) {
          w.irqWorkQueue(ctx)
          yield* k.cpuRelax(ctx)
        }
        if (irqsave) yield* log.withLockedIrqSave(ctx, queue)
        else yield* log.withLocked(ctx, queue)
      })
    },
    { cpus: 1, lockdep: false },
  )

describe('irq_work in models', () => {
  it('default work queued under the lock it takes (irqs on): the IPI spins on it on the normal kernel; RT runs it in irq_work/0 after the unlock', () => {
    const r = explore(queuedUnderLock(false, false), { stopOnFailure: false })
    expect(titles(r)).toEqual([['deadlock: BUG: spinlock recursion on CPU#0, printk/1'], []])
    expect(r.differences).toEqual(['deadlocks only on the normal kernel'])
    const rt = runModel(queuedUnderLock(false, false), { preemptRt: true })
    expect(rt.outcome).toEqual({ kind: 'completed' })
    expect(Object.values(rt.machine.tasks).map((t) => `${t.comm} ${t.state}`)).toEqual(['irq_work/0 TASK_INTERRUPTIBLE'])
  })

  it('IRQ_WORK_HARD_IRQ: hardirq on both kernels, so the deadlock is on both', () => {
    expect(titles(explore(queuedUnderLock(true, false), { stopOnFailure: false }))).toEqual([
      ['deadlock: BUG: spinlock recursion on CPU#0, printk/1'],
      ['deadlock: BUG: spinlock recursion on CPU#0, printk/1'],
    ])
  })

  it.each([false, true])('valid (hard %s): queued under raw_spin_lock_irqsave() — the IPI waits for the restore; nothing found', (hard) => {
    const r = explore(queuedUnderLock(hard, true))
    expect(r.kernels.map((k) => [k.exhausted, k.counterexamples.length])).toEqual([
      [true, 0],
      [true, 0],
    ])
  })
})
