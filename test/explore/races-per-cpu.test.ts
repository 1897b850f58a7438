/**
 * #17 item 4: per-CPU data reached from another CPU, or without its local_lock_t so that a
 * preempting task or an interrupt handler on the same CPU can interleave — found by the explorer
 * where the kernel lets the interleaving happen, silent where it does not (preemption or
 * interrupts off on the normal kernel, the per-CPU spinlock of local_lock_t on PREEMPT_RT;
 * include/linux/local_lock_internal.h). Reported in KCSAN's shape; each with its valid twin.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, explore, InvalidArgumentError, type Counterexample, type ExploreResult, type ModelKernel } from '../../src/index.js'

const races = (r: ExploreResult): [string, string][] => r.counterexamples.filter((c) => c.kind === 'data-race').map((c) => [c.kernel, c.title])
const accessLines = (c: Counterexample | undefined): string[] => (c?.report ?? '').split('\n').filter((l) => / to '.*' of 8 bytes by /.test(l))
const clean = (r: ExploreResult): [boolean, boolean] => [r.ok, r.exhausted]

/** struct { local_lock_t lock; unsigned long n; } per CPU: the data as k.perCpu, its lock as k.localLock. */
const pcpOf = (k: ModelKernel) => ({ pcp: k.perCpu('pcp', () => ({ n: 0 })), lock: k.localLock('pcp.lock', () => null) })

describe("another CPU's copy", () => {
  const remote = (twin: boolean) =>
    defineModel(
      (k) => {
        const stats = k.perCpu('stats', () => ({ hits: 0 }))
        // The valid pattern of mm/page_alloc.c's per_cpu_pages: a spinlock in the per-CPU struct, so a remote CPU may drain it.
        const lock = k.spinLock('stats.lock', null)
        k.task('counter', { cpu: 0 }, function* (ctx) {
          if (twin)
            yield* lock.withLocked(ctx, function* (ctx) {
              stats.thisCpuPtr(ctx).hits++
              yield* k.cpuRelax(ctx)
            })
          else {
            stats.thisCpuPtr(ctx).hits++
            yield* k.cpuRelax(ctx)
          }
        })
        k.task('summer', { cpu: 1 }, function* (ctx) {
          if (twin)
            yield* lock.withLocked(ctx, function* (ctx) {
              return stats.perCpuPtr(ctx, 0).hits
            })
          else return stats.perCpuPtr(ctx, 0).hits
        })
      },
      { cpus: 2 },
    )

  it("per_cpu_ptr() of CPU 0's copy from CPU 1 while its owner writes it: a race on both kernels", () => {
    const r = explore(remote(false), { stopOnFailure: false })
    expect(races(r)).toEqual([
      ['normal', 'BUG: KCSAN: data-race in counter / summer'],
      ['rt', 'BUG: KCSAN: data-race in counter / summer'],
    ])
    // The access that hit the watchpoint first, then the watcher's, in flight (here the shrunk schedule runs the reader first).
    expect(accessLines(r.counterexamples[0]).sort()).toEqual([
      "read to 'per_cpu(stats, 0).hits' of 8 bytes by task 2 on cpu 1:",
      "write to 'per_cpu(stats, 0).hits' of 8 bytes by task 1 on cpu 0:",
    ])
    // The footer is the watcher's (the second access's) CPU and task: it prints the report (kcsan_report_known_origin(), dump_stack_print_info()).
    expect(r.counterexamples[0]?.report).toMatch(/\nReported by Kernel Concurrency Sanitizer on:\nCPU: 1 UID: 0 PID: 2 Comm: summer\n=+$/)
  })

  it('valid twin: a spinlock in the per-CPU struct taken by the owner and the remote reader — none', () => {
    expect(clean(explore(remote(true)))).toEqual([true, true])
  })
})

describe('the own copy without its local_lock', () => {
  const withIrq = (task: 'none' | 'irqsave') =>
    defineModel(
      (k) => {
        const { pcp, lock } = pcpOf(k)
        k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
          yield* lock.withLockedIrqSave(ctx, function* (ctx) {
            pcp.thisCpuPtr(ctx).n++
          })
        })
        k.task('poller', { cpu: 0 }, function* (ctx) {
          if (task === 'none') {
            pcp.thisCpuPtr(ctx).n++
            yield* k.cpuRelax(ctx)
          } else
            yield* lock.withLockedIrqSave(ctx, function* (ctx) {
              pcp.thisCpuPtr(ctx).n++
              yield* k.cpuRelax(ctx)
            })
        })
      },
      { cpus: 1 },
    )

  it('an interrupt handler on the same CPU under local_lock_irqsave(): a race on both kernels (on RT its thread preempts the task)', () => {
    const r = explore(withIrq('none'), { stopOnFailure: false })
    expect(races(r)).toEqual([
      ['normal', 'BUG: KCSAN: data-race in eth0 / poller'],
      ['rt', 'BUG: KCSAN: data-race in eth0 / poller'], // the handler's function, in its thread irq/5-eth0
    ])
    expect(accessLines(r.counterexamples.find((c) => c.kernel === 'normal'))).toEqual([
      "read to 'per_cpu(pcp, 0).n' of 8 bytes by interrupt on cpu 0:",
      "write to 'per_cpu(pcp, 0).n' of 8 bytes by task 1 on cpu 0:",
    ])
  })

  it('valid twin: the task under local_lock_irqsave() too — interrupts off on normal, the per-CPU spinlock on RT: none', () => {
    expect(clean(explore(withIrq('irqsave')))).toEqual([true, true])
  })

  const withTask = (a: 'none' | 'local_lock' | 'preempt_disable') =>
    defineModel(
      (k) => {
        const { pcp, lock } = pcpOf(k)
        k.task('a', { cpu: 0 }, function* (ctx) {
          if (a === 'none') {
            pcp.thisCpuPtr(ctx).n++
            yield* k.cpuRelax(ctx)
          } else if (a === 'preempt_disable') ctx.preemptDisable((ctx) => pcp.thisCpuPtr(ctx).n++)
          else
            yield* lock.withLocked(ctx, function* (ctx) {
              pcp.thisCpuPtr(ctx).n++
              yield* k.cpuRelax(ctx)
            })
        })
        k.task('b', { cpu: 0 }, function* (ctx) {
          yield* lock.withLocked(ctx, function* (ctx) {
            pcp.thisCpuPtr(ctx).n++
            yield* k.cpuRelax(ctx)
          })
        })
      },
      { cpus: 1 },
    )

  it('a task on the same CPU under local_lock(): preempted mid-access, a race on both kernels', () => {
    expect(races(explore(withTask('none'), { stopOnFailure: false }))).toEqual([
      ['normal', 'BUG: KCSAN: data-race in a / b'],
      ['rt', 'BUG: KCSAN: data-race in a / b'],
    ])
  })

  it('valid twin: both under local_lock() — none on either kernel', () => {
    expect(clean(explore(withTask('local_lock')))).toEqual([true, true])
  })

  it('preempt_disable() against local_lock(): fine on the normal kernel, a race on PREEMPT_RT, where local_lock() leaves preemption on', () => {
    const r = explore(withTask('preempt_disable'), { stopOnFailure: false })
    expect(races(r)).toEqual([['rt', 'BUG: KCSAN: data-race in a / b']])
    expect(r.differences).toEqual(['has a data race only on PREEMPT_RT'])
    expect(r.kernels.find((k) => k.kernel === 'normal')?.exhausted).toBe(true)
  })
})

describe("local_lock_t's own per-CPU data", () => {
  it("a copy kept from CPU 0's section and written from CPU 1: the per-CPU data reached from another CPU races", () => {
    const m = (twin: boolean) =>
      defineModel(
        (k) => {
          const pcp = k.localLock('pcp', () => ({ n: 0 }))
          k.task('owner', { cpu: 0 }, function* (ctx) {
            const mine = yield* pcp.withLocked(ctx, function* (_ctx, d) {
              return d
            })
            yield* k.cpuRelax(ctx)
            if (twin)
              yield* pcp.withLocked(ctx, function* (_ctx, d) {
                d.n++
              })
            else mine.n++
          })
          k.task('other', { cpu: 0 }, function* (ctx) {
            yield* pcp.withLocked(ctx, function* (ctx, d) {
              d.n++
              yield* k.cpuRelax(ctx)
            })
          })
        },
        { cpus: 1 },
      )
    const r = explore(m(false), { stopOnFailure: false })
    expect(races(r)).toEqual([
      ['normal', 'BUG: KCSAN: data-race in other / owner'],
      ['rt', 'BUG: KCSAN: data-race in other / owner'],
    ])
    expect(accessLines(r.counterexamples[0])[0]).toMatch(/to 'per_cpu\(pcp, 0\)\.n' of 8 bytes by task \d on cpu 0:$/)
    expect(clean(explore(m(true)))).toEqual([true, true])
  })
})

describe('k.perCpu() arguments', () => {
  it('named errors: an init that returns no object, a CPU the model does not have', () => {
    expect(() =>
      explore(
        defineModel((k) => {
          // @ts-expect-error the per-CPU data is a struct (an object)
          k.perCpu('n', () => 0)
        }),
      ),
    ).toThrow(new InvalidArgumentError('perCpu(n): init(0) must return an object (the per-CPU struct; a counter is { n: 0 })'))
    const far = defineModel(
      (k) => {
        const pcp = k.perCpu('pcp', () => ({ n: 0 }))
        k.task('t', { cpu: 0 }, function* (ctx) {
          pcp.perCpuPtr(ctx, 2).n++
        })
      },
      { cpus: 2 },
    )
    expect(() => explore(far)).toThrow(new InvalidArgumentError('per_cpu_ptr(pcp, 2): cpu must be a CPU of the model (0 to 1)'))
  })
})
