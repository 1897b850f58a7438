/**
 * Untyped callers: bad arguments are named errors that change nothing; a callback that throws or
 * returns a Promise leaves every CPU as it found it.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, ForeignContextError, InvalidArgumentError, PromiseInScopeError } from '../../src/index.js'
import { loose } from './loose.js'

const idle = { preemptCount: 0, irqsDisabled: false, softirqCount: 0, comm: 'swapper/0', held: [] as string[] }
const cpuState = (k: ReturnType<typeof createKernel>) => {
  const v = k.cpu(0)
  return { preemptCount: v.preemptCount, irqsDisabled: v.irqsDisabled, softirqCount: v.softirqCount(), comm: v.current.comm, held: [...k.heldLocks(0)] }
}

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('bad arguments are InvalidArgumentError', () => {
    const k = createKernel({ preemptRt })
    const t = k.timerSetup('t', () => 0)
    const h = k.hrtimerSetup('h', () => 'HRTIMER_NORESTART', 'HRTIMER_MODE_REL')
    const wq = k.allocWorkqueue('q')
    k.run((ctx) => {
      expect(() => loose(t, 'modTimer')(ctx, Number.NaN)).toThrow(InvalidArgumentError)
      expect(() => loose(h, 'hrtimerStart')(ctx, 1, 'HRTIMER_MODE_BOGUS')).toThrow(InvalidArgumentError)
      expect(() => loose(wq, 'queueWork')(ctx, { name: 'fake' })).toThrow('queue_work(): expected a work item made by this kernel (initWork())')
      expect(() => loose(t, 'modTimer')({}, 1)).toThrow('mod_timer(): the first argument must be a context')
    })
    expect(() => loose(k, 'timerSetup')('', () => 0)).toThrow(InvalidArgumentError)
    expect(() => loose(k, 'advance')(-1)).toThrow('advance(): ms must be a finite number ≥ 0')
    expect(() => loose(k, 'netifNapiAdd')('n', () => 0, 0)).toThrow('netif_napi_add(): the weight must be a whole number > 0')
    const bh = k.initWork('b', () => 0, { bh: true })
    k.run((ctx) => expect(() => loose(wq, 'queueWork')(ctx, bh)).toThrow("queue_work(): work 'b' runs in softirq, workqueue 'q' in kworkers"))
    expect(t.pending).toBe(false)
    expect(k.diagnostics).toEqual([])
  })

  it('a context of another kernel is ForeignContextError', () => {
    const a = createKernel({ preemptRt })
    const b = createKernel({ preemptRt })
    const t = a.timerSetup('t', () => 0)
    b.run((ctx) => expect(() => t.modTimer(ctx, 1)).toThrow(ForeignContextError))
    expect(t.pending).toBe(false)
  })

  it('a timer callback that throws: the error comes out of advance(), the CPU is idle again, the timer map released', () => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', 0)
    const t = k.timerSetup('boom', (ctx) =>
      s.withLocked(ctx, () => {
        throw new Error('boom')
      }),
    )
    k.run((ctx) => t.modTimer(ctx, 1))
    expect(() => k.advance(1)).toThrow('boom')
    expect(cpuState(k)).toEqual(idle)
    // The next expiry runs normally.
    const ran: number[] = []
    const u = k.timerSetup('ok', () => ran.push(1))
    k.run((ctx) => u.modTimer(ctx, 5))
    k.advance(5)
    expect(ran).toEqual([1])
    expect(cpuState(k)).toEqual(idle)
  })

  it('a callback that returns a Promise is refused (PromiseInScopeError), the CPU restored', () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('q')
    const w = k.initWork('async', loose({ f: async () => 0 }, 'f'))
    expect(() => k.run((ctx) => wq.queueWork(ctx, w))).toThrow(PromiseInScopeError)
    expect(cpuState(k)).toEqual(idle)
    const t = k.taskletSetup('async', loose({ f: async () => 0 }, 'f'))
    expect(() => k.run((ctx) => t.taskletSchedule(ctx))).toThrow("tasklet 'async': the callback returned a Promise")
    expect(cpuState(k)).toEqual(idle)
  })

  it('a threaded primary handler must return an irqreturn_t', () => {
    const k = createKernel({ preemptRt })
    loose(k, 'requestThreadedIrq')(
      5,
      'bad',
      () => 1,
      () => 0,
    )
    expect(() => k.raiseIrq(5)).toThrow("irq 5 'bad': the primary handler must return 'IRQ_NONE', 'IRQ_HANDLED' or 'IRQ_WAKE_THREAD'")
    expect(cpuState(k)).toEqual(idle)
  })

  it('HRTIMER_RESTART without moving the expiry is refused instead of expiring forever', () => {
    const k = createKernel({ preemptRt })
    const h = k.hrtimerSetup('loop', () => 'HRTIMER_RESTART', 'HRTIMER_MODE_REL_HARD')
    k.run((ctx) => h.hrtimerStart(ctx, 1, 'HRTIMER_MODE_REL_HARD'))
    expect(() => k.advance(1)).toThrow("hrtimer 'loop': HRTIMER_RESTART without moving the expiry forward")
    expect(cpuState(k)).toEqual(idle)
  })
})
