import { describe, expect, it } from 'vitest'
import { createKernel, DeadlockError, InvalidArgumentError, type Context, type CtxState } from '../../src/index.js'

/** Untyped callers: what plain JavaScript can pass. */
type Loose = (ctx: Context<CtxState>, ...args: unknown[]) => unknown
const loose = (f: unknown): Loose => f as Loose

describe.each([false, true])('semaphores (preemptRt: %s)', (preemptRt) => {
  it('counts: down() takes units, up() gives them back, down_trylock() returns 0 when taken and 1 when not', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('pool', 2)
    kernel.run((ctx) => {
      sem.down(ctx)
      expect(sem.count).toBe(1)
      expect(sem.downTrylock(ctx)).toBe(0)
      expect(sem.count).toBe(0)
      expect(sem.downTrylock(ctx)).toBe(1)
      sem.up(ctx)
      sem.up(ctx)
      expect(sem.count).toBe(2)
    })
    expect(kernel.diagnostics).toEqual([])
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('a missing up(): down() on 0 is the hung-task report, and nothing stays queued or changed', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('console_sem', 1)
    expect(() =>
      kernel.run(
        (ctx) => {
          sem.down(ctx)
          sem.down(ctx)
        },
        { comm: 'printer' },
      ),
    ).toThrowError(/^INFO: task printer:\d+ blocked for more than 120 seconds\./)
    expect(sem.count).toBe(0)
    // The semaphore has no owner: another task may up() it, and the unit is counted (no waiter is left).
    kernel.run((ctx) => sem.up(ctx))
    expect(sem.count).toBe(1)
    expect(kernel.cpu(0).preemptCount).toBe(0)
    expect(kernel.cpu(0).irqsDisabled).toBe(false)
  })

  it('down_interruptible() and down_killable() on 0 can never end here: a DeadlockError that says why the hung-task detector is silent', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('s', 0)
    expect(() => kernel.run((ctx) => sem.downInterruptible(ctx))).toThrowError(DeadlockError)
    expect(() => kernel.run((ctx) => sem.downKillable(ctx))).toThrowError(
      /^lockproof: task task-\d+:\d+ blocked forever in TASK_KILLABLE \(not reported by the hung-task detector\): semaphore 's' can never be woken/,
    )
  })

  it('down_timeout() on 0 runs the clock through the timeout and returns -ETIME; a free unit returns 0 at once', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('s', 0)
    expect(kernel.run((ctx) => sem.downTimeout(ctx, 50))).toBe(-62)
    expect(kernel.clockMs).toBe(50)
    expect(kernel.run((ctx) => sem.downTimeout(ctx, 0))).toBe(-62)
    expect(kernel.clockMs).toBe(50)
    kernel.run((ctx) => sem.up(ctx))
    expect(kernel.run((ctx) => sem.downTimeout(ctx, 50))).toBe(0)
    expect(kernel.clockMs).toBe(50)
  })

  it('up() and down_trylock() from a hardirq handler, threaded or not: allowed, no report', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('s', 0)
    kernel.requestIrq(3, 'dev', (ctx) => sem.up(ctx), { noThread: true })
    kernel.requestIrq(4, 'dev2', (ctx) => {
      sem.up(ctx)
      expect(sem.downTrylock(ctx)).toBe(0)
    })
    kernel.raiseIrq(3)
    kernel.raiseIrq(4)
    expect(sem.count).toBe(1)
    expect(kernel.diagnostics).toEqual([])
  })

  it('down() under a spinlock is the might-sleep report (might_sleep() runs even when a unit is free)', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('s', 1)
    const lock = kernel.rawSpinLock('hw', {})
    kernel.run((ctx) => lock.withLocked(ctx, (ctx) => loose(sem.down)(ctx)))
    const d = kernel.diagnostics.filter((x) => x.kind === 'sleeping-in-atomic')
    expect(d.map((x) => x.title)).toEqual(['BUG: sleeping function called from invalid context'])
    expect(d[0]?.report).toContain('at down()')
    expect(sem.count).toBe(0)
  })

  it('the inner lock is a real raw_spinlock_t: lockdep class (name).lock, taken irqsave (no report when up() runs in hardirq and down() in a task)', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.semaphore('s', 1)
    kernel.requestIrq(3, 'dev', (ctx) => sem.up(ctx), { noThread: true })
    kernel.run((ctx) => sem.down(ctx))
    kernel.raiseIrq(3)
    expect(kernel.readProc('/proc/lockdep')).toContain('(s).lock')
    expect(kernel.diagnostics).toEqual([])
  })

  it('bad arguments are named errors', () => {
    const kernel = createKernel({ preemptRt })
    expect(() => kernel.semaphore('', 1)).toThrowError(InvalidArgumentError)
    expect(() => kernel.semaphore('s', -1)).toThrowError(/the count must be an integer ≥ 0/)
    const sem = kernel.semaphore('s', 1)
    expect(() => loose(sem.up)(loose({}) as never)).toThrowError(InvalidArgumentError)
    kernel.run((ctx) => expect(() => loose(sem.downTimeout)(ctx, 1.5)).toThrowError(/integer/))
    expect(sem.count).toBe(1)
  })
})
