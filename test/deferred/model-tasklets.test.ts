/**
 * Tasklets inside models (src/deferred/model/tasklet.ts): the callback runs in the TASKLET / HI
 * softirq where each kernel runs softirqs — over the interrupted task on a normal kernel, in the
 * forced irq thread's local_bh_enable() or ksoftirqd on PREEMPT_RT — never on two CPUs at once;
 * tasklet_kill() and tasklet_disable() wait.
 */
import { describe, expect, it } from 'vitest'
import {
  assertNoCounterexample,
  defineModel,
  explore,
  InvalidArgumentError,
  type ExploreResult,
  type ModelTasklet,
  type Op,
  runModel,
} from '../../src/index.js'
import { loose } from './loose.js'

const titles = (r: ExploreResult, kernel: 'normal' | 'rt'): string[] =>
  (r.kernels.find((k) => k.kernel === kernel)?.counterexamples ?? []).map((c) => `${c.kind}: ${c.title}`)

const summary = (r: ExploreResult): (string | number | boolean)[][] => r.kernels.map((k) => [k.kernel, k.exhausted, k.counterexamples.length])

/** A driver's RX tasklet, scheduled from its interrupt on CPU 0, takes `priv->lock`; xmit() on CPU 0 holds it with spin_lock() or spin_lock_bh(). */
const rxVsXmit = (bh: boolean, comms: Set<string>) =>
  defineModel(
    (k) => {
      const lock = k.spinLock('priv->lock', { n: 0 })
      const rx = k.taskletSetup('rx_tasklet', function* (ctx) {
        comms.add(ctx.comm)
        yield* lock.withLocked(ctx, function* (_ctx, d) {
          d.n++
        })
      })
      k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
        rx.taskletSchedule(ctx)
      })
      k.task('xmit', { cpu: 0 }, function* (ctx) {
        const section = function* (ctx: Parameters<Parameters<typeof lock.withLocked>[1]>[0]): Op<void> {
          yield* k.cpuRelax(ctx)
        }
        if (bh) yield* lock.withLockedBh(ctx, section)
        else yield* lock.withLocked(ctx, section)
      })
    },
    { cpus: 1, lockdep: false },
  )

describe('where a tasklet runs', () => {
  it('spin_lock() in a task vs the tasklet its CPU runs at irq exit: spinlock recursion on the normal kernel only — on RT the tasklet runs in irq/5-eth0 and sleeps on the lock', {
    timeout: 60_000,
  }, () => {
    const comms = new Set<string>()
    const normal = explore(rxVsXmit(false, comms), { stopOnFailure: false, kernels: ['normal'] })
    expect(titles(normal, 'normal')).toEqual(['deadlock: BUG: spinlock recursion on CPU#0, xmit/1'])
    comms.clear()
    const rt = explore(rxVsXmit(false, comms), { kernels: ['rt'] })
    expect(summary(rt)).toEqual([['rt', true, 0]])
    // __local_bh_enable_ip() at the end of irq_forced_thread_fn() runs it in the irq thread.
    expect([...comms]).toEqual(['irq/5-eth0'])
  })

  it('valid: spin_lock_bh() in the task — the tasklet waits for the unlock on both kernels, nothing found', { timeout: 60_000 }, () => {
    const comms = new Set<string>()
    const r = explore(rxVsXmit(true, comms))
    expect(summary(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
    assertNoCounterexample(r)
    // Normal: at irq exit over the task or the idle CPU, or at the task's spin_unlock_bh(); RT: the irq thread.
    expect([...comms].sort()).toEqual(['irq/5-eth0', 'swapper/0', 'xmit'])
  })

  it('scheduled from a task with BH on: raise_softirq() wakes ksoftirqd, which runs it on both kernels', () => {
    for (const preemptRt of [false, true]) {
      const comms: string[] = []
      const m = defineModel((k) => {
        const t = k.taskletSetup('t', function* (ctx) {
          comms.push(ctx.comm)
        })
        k.task('probe', { cpu: 0 }, function* (ctx) {
          t.taskletSchedule(ctx)
          yield* k.cpuRelax(ctx)
        })
      })
      expect(runModel(m, { preemptRt }).outcome).toEqual({ kind: 'completed' })
      expect(comms).toEqual(['ksoftirqd/0'])
    }
  })

  it('a tasklet runs on one CPU at a time: scheduled again on CPU 1 while it runs on CPU 0, it waits there and runs after — on both kernels', {
    timeout: 60_000,
  }, () => {
    let overlap = 0
    const runsPerExecution = new Set<number>()
    const m = defineModel(
      (k) => {
        let inside = 0
        let runs = 0
        const t = k.taskletSetup('t', function* (ctx) {
          inside++
          runs++
          if (inside > 1) overlap++
          yield* k.cpuRelax(ctx)
          inside--
        })
        k.irq(5, { cpu: 0, name: 'a' }, function* (ctx) {
          t.taskletSchedule(ctx)
        })
        k.irq(6, { cpu: 1, name: 'b' }, function* (ctx) {
          t.taskletSchedule(ctx)
        })
        k.task('count', { cpu: 1 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
          // Runs after everything else in some executions only; the set collects what each saw.
          runsPerExecution.add(runs)
        })
      },
      { cpus: 2, lockdep: false },
    )
    const r = explore(m)
    expect(summary(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
    expect(overlap).toBe(0)
    expect(runsPerExecution.has(2)).toBe(true)
  })
})

describe('tasklet_kill(), tasklet_disable(), tasklet_enable()', () => {
  /** remove(): a disabled tasklet is scheduled, then killed — with or without tasklet_enable() first. */
  const killDisabled = (enableFirst: boolean) =>
    defineModel(
      (k) => {
        const t = k.taskletSetup('rx_tasklet', function* () {})
        k.task('remove', { cpu: 0 }, function* (ctx) {
          t.taskletDisableNosync(ctx)
          t.taskletSchedule(ctx)
          if (enableFirst) t.taskletEnable(ctx)
          yield* t.taskletKill(ctx)
        })
      },
      { lockdep: false },
    )

  it('tasklet_kill() of a disabled, scheduled tasklet never returns (it waits for the run that cannot come): a hung task on both kernels', () => {
    const r = explore(killDisabled(false), { stopOnFailure: false })
    expect(titles(r, 'normal')).toEqual(['deadlock: INFO: task remove:1 blocked for more than 120 seconds.'])
    expect(titles(r, 'rt')).toEqual(['deadlock: INFO: task remove:1 blocked for more than 120 seconds.'])
    expect(r.kernels[0]?.counterexamples[0]?.report).toContain("tasklet_struct 'rx_tasklet'")
  })

  it('valid: enabled first — it runs, then the kill returns', () => {
    const r = explore(killDisabled(true))
    expect(summary(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })

  it('tasklet_disable() waits for the instance running on the other CPU; a disabled tasklet stays scheduled and runs after tasklet_enable()', {
    timeout: 60_000,
  }, () => {
    const m = defineModel(
      (k) => {
        const state = { runs: 0 }
        const t = k.taskletSetup('t', function* (ctx) {
          yield* k.cpuRelax(ctx)
          state.runs++
        })
        k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
          t.taskletSchedule(ctx)
        })
        k.task('reset', { cpu: 1 }, function* (ctx) {
          yield* t.taskletDisable(ctx)
          if (t.running) throw new Error('tasklet_disable() returned while it runs')
          const before = state.runs
          t.taskletSchedule(ctx)
          yield* k.cpuRelax(ctx)
          if (state.runs !== before) throw new Error('a disabled tasklet ran')
          t.taskletEnable(ctx)
          yield* t.taskletKill(ctx)
          if (t.scheduled || t.running) throw new Error('tasklet_kill() returned early')
        })
      },
      { cpus: 2, lockdep: false },
    )
    const r = explore(m)
    expect(summary(r)).toEqual([
      ['normal', true, 0],
      ['rt', true, 0],
    ])
  })
})

const isTasklet = (x: unknown): x is ModelTasklet => typeof x === 'object' && x !== null && 'taskletSchedule' in x

describe('tasklets in models: rules for untyped callers', () => {
  const outcome = (setup: Parameters<typeof defineModel>[0], preemptRt = false): unknown => {
    const o = runModel(defineModel(setup, { lockdep: false }), { preemptRt }).outcome
    return o.kind === 'error' ? o.error : o
  }

  it('mutex_lock() in a tasklet is the might-sleep splat, on both kernels', () => {
    for (const preemptRt of [false, true]) {
      const m = defineModel(
        (k) => {
          const cfg = k.mutex('cfg', 0)
          const lock = loose(cfg, 'withLocked')
          const t = k.taskletSetup('t', function* (ctx) {
            yield* lock(ctx, function* () {}) as Op<unknown>
          })
          k.task('probe', { cpu: 0 }, function* (ctx) {
            t.taskletSchedule(ctx)
          })
        },
        { lockdep: false },
      )
      expect(runModel(m, { preemptRt }).diagnostics.map((d) => d.title)).toEqual(['BUG: sleeping function called from invalid context'])
    }
  })

  it('tasklet_kill() from the tasklet itself (softirq) is the might-sleep splat', () => {
    const m = defineModel(
      (k) => {
        const t = k.taskletSetup('t', function* (ctx, self) {
          yield* loose(self, 'taskletKill')(ctx) as Op<void>
        })
        k.task('probe', { cpu: 0 }, function* (ctx) {
          t.taskletSchedule(ctx)
        })
      },
      { lockdep: false },
    )
    expect(runModel(m).diagnostics.map((d) => d.title)).toContain('BUG: sleeping function called from invalid context')
  })

  it('refusals: an unbalanced tasklet_enable(), a callback that is not a generator function, a model softirq handler for TASKLET', () => {
    const enable = outcome((k) => {
      const t = k.taskletSetup('t', function* () {})
      k.task('probe', { cpu: 0 }, function* (ctx) {
        t.taskletEnable(ctx)
      })
    })
    expect(enable).toBeInstanceOf(InvalidArgumentError)
    expect((enable as Error).message).toBe("tasklet_enable(): tasklet 't' is not disabled (its count would go below 0)")
    const plain = outcome((k) => {
      const t = loose(k, 'taskletSetup')('t', () => 0)
      k.task('probe', { cpu: 0 }, function* (ctx) {
        if (isTasklet(t)) t.taskletSchedule(ctx)
      })
    })
    expect((plain as Error).message).toBe("tasklet 't': in a model, a callback is a generator function (function*)")
    const own = outcome((k) => {
      k.softirq('TASKLET', function* () {})
      k.taskletSetup('t', function* () {})
    })
    expect(own).toBeInstanceOf(InvalidArgumentError)
    expect((own as Error).message).toBe("softirq TASKLET: the model declares its own handler (k.softirq()), but TASKLET runs the kernel's tasklets")
  })
})
