/**
 * The one synchronous driver of the waiting seam (src/exec/sync-wait.ts), used by the synchronous
 * executor's runOp() (semaphores, completions, …), msleep() and the deferred-work waits alike.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { createKernelParts } from '../../src/exec/parts.js'
import { SyncExecutor } from '../../src/exec/sync.js'
import { Deferred } from '../../src/deferred/runtime.js'
import { lockHostFor } from '../../src/exec/hosts.js'
import type { Op, WaitChannel, WaitYield } from '../../src/exec/wait.js'
import type { Cpu } from '../../src/machine/cpu.js'
import { resolveOptions } from '../../src/options.js'
import type { RunnerChannel } from '../../src/exec/sync-wait.js'

const machine = (preemptRt: boolean) => {
  const parts = createKernelParts(resolveOptions({ preemptRt, cpus: 2 }))
  const exec = new SyncExecutor(parts)
  return { parts, exec, cpu: parts.cpus[0] as Cpu }
}

const completion: WaitChannel = { id: 1, kind: 'completion', name: 'done' }

/** wait_for_completion(): sleeps until `done()`. */
function* waitUntil(done: () => boolean, channel: WaitChannel = completion): Op<number> {
  let waits = 0
  while (!done()) {
    waits++
    yield { tag: 'wait', channel, state: 'TASK_UNINTERRUPTIBLE', spin: false }
  }
  return waits
}

describe.each([false, true])('preemptRt: %s', (preemptRt) => {
  it('runOp(): a completion a kworker completes ends — the sleeper gives its CPU up, the kworker runs (the old driver reported a hung task)', () => {
    const { parts, exec, cpu } = machine(preemptRt)
    let done = false
    exec.kthreads.wake(0, {
      comm: 'kworker/0:1',
      policy: 'normal',
      run: () => {
        done = true
      },
    })
    expect(
      exec.runOp(
        cpu,
        waitUntil(() => done),
      ),
    ).toBe(1)
    expect(parts.reporter.diagnostics).toEqual([])
  })

  it('runOp(): a kworker woken on an idle CPU runs there, also for a spinning waiter', () => {
    const { exec, cpu } = machine(preemptRt)
    let done = false
    exec.kthreads.wake(1, {
      comm: 'kworker/1:1',
      policy: 'normal',
      run: () => {
        done = true
      },
    })
    const spin = function* (): Op<void> {
      while (!done) yield { tag: 'wait', channel: completion, state: 'TASK_RUNNING', spin: true }
    }
    exec.runOp(cpu, spin())
    expect(done).toBe(true)
  })

  it('runOp(): a wait on a channel that names its runner reports who runs it (the deferred wording)', () => {
    const { parts, exec, cpu } = machine(preemptRt)
    const work: RunnerChannel = { id: 2, kind: 'work', name: 'reset_work', runner: () => ({ comm: 'kworker/0:1', pid: 7, cpu: 0 }) }
    expect(() =>
      exec.runOp(
        cpu,
        waitUntil(() => false, work),
      ),
    ).toThrow(
      "INFO: task swapper/0:0 blocked for more than 120 seconds.: swapper/0/0 waits for work 'reset_work' (run by kworker/0:1/7 on CPU 0), which cannot finish until swapper/0 stops waiting",
    )
    expect(parts.reporter.diagnostics.map((d) => d.kind)).toEqual(['wait-forever'])
  })

  it('a timed wait lets time pass through the timers: one expiring within the timeout fires at its place and ends the wait early', () => {
    const { parts, exec, cpu } = machine(preemptRt)
    const d = new Deferred(parts, exec, lockHostFor(exec, parts))
    let done = false
    let firedAt = -1
    d.arm({
      expires: 30,
      cpu: 0,
      base: 'hard',
      fire: () => {
        firedAt = parts.machine.clockMs
        done = true
      },
    })
    const timed = function* (): Op<'done' | 'timeout'> {
      for (;;) {
        if (done) return 'done'
        const why = yield { tag: 'wait', channel: completion, state: 'TASK_UNINTERRUPTIBLE', spin: false, timeoutMs: 100 }
        if (why === 'timeout') return done ? 'done' : 'timeout'
      }
    }
    expect(exec.runOp(cpu, timed())).toBe('done')
    expect(firedAt).toBe(30)
    expect(parts.machine.clockMs).toBe(30)
  })

  it("a timed wait woken by a timer that does not end it keeps its deadline (schedule_timeout()'s remaining time)", () => {
    const { parts, exec, cpu } = machine(preemptRt)
    const d = new Deferred(parts, exec, lockHostFor(exec, parts))
    const fired: number[] = []
    d.arm({ expires: 30, cpu: 0, base: 'hard', fire: () => fired.push(parts.machine.clockMs) })
    // The op re-yields its whole timeout after each wake-up: the driver still ends it at 100.
    const y: WaitYield = { tag: 'wait', channel: completion, state: 'TASK_UNINTERRUPTIBLE', spin: false, timeoutMs: 100 }
    const timed = function* (): Op<number> {
      let wakes = 0
      while ((yield y) !== 'timeout') wakes++
      return wakes
    }
    expect(exec.runOp(cpu, timed())).toBe(1)
    expect(fired).toEqual([30])
    expect(parts.machine.clockMs).toBe(100)
  })

  it('msleep(): a timer_list expiring during the sleep fires at its expiry, before msleep() returns', () => {
    const k = createKernel({ preemptRt })
    const seen: { at: number; comm: string }[] = []
    const t = k.timerSetup('&priv->poll', (ctx) => {
      seen.push({ at: k.jiffies, comm: ctx.comm })
    })
    const after = k.run((ctx) => {
      t.modTimer(ctx, k.jiffies + 5)
      ctx.msleep(10)
      return [...seen]
    })
    expect(after).toEqual([{ at: 5, comm: preemptRt ? 'ktimers/0' : 'task-1' }])
    expect(k.jiffies).toBe(10)
    expect(t.pending).toBe(false)
    expect(k.diagnostics).toEqual([])
  })

  it('msleep() holding a mutex: the timer still fires in the sleep (the sleeper gives its CPU up)', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('cfg', {})
    let firedAt = -1
    const t = k.timerSetup('&priv->poll', () => {
      firedAt = k.jiffies
    })
    k.run((ctx) => {
      t.modTimer(ctx, k.jiffies + 3)
      m.withLocked(ctx, (ctx) => ctx.msleep(10))
    })
    expect(firedAt).toBe(3)
    expect(k.diagnostics).toEqual([])
  })

  it('wait_for_completion_timeout() across a timer that completes it: the timer fires at its expiry, the wait ends there with the jiffies left', () => {
    const k = createKernel({ preemptRt })
    const done = k.completion('reset_done')
    const t = k.timerSetup('&priv->reset_timer', (ctx) => done.complete(ctx))
    const left = k.run((ctx) => {
      t.modTimer(ctx, k.jiffies + 30)
      return done.waitForCompletionTimeout(ctx, 100)
    })
    expect(left).toBe(70)
    expect(k.jiffies).toBe(30)
    expect(k.diagnostics).toEqual([])
  })

  it("no lost wake-up: work queued before wait_for_completion() that runs at the completion lock's unlock (after the waiter queued itself) ends the wait", () => {
    const k = createKernel({ preemptRt })
    const wq = k.allocWorkqueue('events')
    const done = k.completion('probe_done')
    const w = k.initWork('probe', (ctx) => done.complete(ctx))
    const left = k.run((ctx) => {
      wq.queueWork(ctx, w)
      done.waitForCompletion(ctx)
      return done.completionDone(ctx)
    })
    expect(left).toBe(false) // the one complete() was consumed by the wait
    expect(k.diagnostics).toEqual([])
  })
})
