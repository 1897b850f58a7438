/**
 * Outside audit of issue #17 item 4's data races, in KCSAN's shape as kernel/kcsan/report.c
 * print_report() prints it: the title, each access line, the footer; shared cells, lock data kept
 * past its unlock, per-CPU data from another CPU; task against its CPU's handler on both kernels.
 */
import { describe, expect, it } from 'vitest'
import { type Counterexample, defineModel, explore, type KernelName } from '../../src/index.js'

const KERNELS: readonly KernelName[] = ['normal', 'rt']
const RULE = '=================================================================='

/** The report's lines, checked against print_report()'s formats. */
const shape = (c: Counterexample | undefined) => {
  const lines = (c?.report ?? '').split('\n')
  expect(lines[0]).toBe(RULE)
  expect(lines.at(-1)).toBe(RULE)
  // pr_err("BUG: KCSAN: %s in %ps / %ps\n"): the two functions in lexicographic order
  const title = /^BUG: KCSAN: data-race in (\S+) \/ (\S+)$/.exec(lines[1] ?? '')
  expect(title).not.toBeNull()
  expect([title?.[1], title?.[2]]).toEqual([title?.[1], title?.[2]].sort())
  expect(c?.title).toBe(lines[1])
  expect(lines[2]).toBe('')
  // "%s to 0x%px of %zu bytes by %s on cpu %i:\n", get_access_type() / get_thread_desc()
  const access = lines.filter((l) => / to .* of \d+ bytes by /.test(l))
  expect(access.length).toBe(2)
  for (const l of access) expect(l).toMatch(/^(read|write)( \(marked\))? to '[^']+' of 8 bytes by (task \d+|interrupt) on cpu \d+:$/)
  // "Reported by Kernel Concurrency Sanitizer on:\n", then dump_stack_print_info()
  expect(lines.at(-3)).toBe('Reported by Kernel Concurrency Sanitizer on:')
  expect(lines.at(-2)).toMatch(/^CPU: \d+ UID: 0 PID: \d+ Comm: \S+$/)
  const [first, second] = access
  const footer = /^CPU: (\d+) UID: 0 PID: (\d+)/.exec(lines.at(-2) ?? '')
  return { first: first ?? '', second: second ?? '', footerCpu: Number(footer?.[1]), footerPid: Number(footer?.[2]), fns: [title?.[1], title?.[2]] }
}

const races = (r: ReturnType<typeof explore>) => r.counterexamples.filter((c) => c.kind === 'data-race')

describe('shared cells', () => {
  const model = (where: 'irq' | 'cpu1', marks: 'plain' | 'both marked' | 'write marked', locked = false) =>
    defineModel(
      (k) => {
        const hits = k.cell('hits', 0)
        const lock = k.spinLock('hits_lock', 0)
        const write = function* (ctx: Parameters<Parameters<typeof k.task>[2]>[0]) {
          if (marks === 'plain') yield* hits.write(ctx, 1)
          else yield* hits.writeOnce(ctx, 1)
        }
        k.task('poller', { cpu: 0 }, function* (ctx) {
          if (locked)
            yield* lock.withLockedIrqSave(ctx, function* (ctx) {
              yield* hits.write(ctx, 1)
            })
          else yield* write(ctx)
        })
        const read = function* (ctx: Parameters<Parameters<typeof k.task>[2]>[0]) {
          if (marks === 'both marked') return yield* hits.readOnce(ctx)
          return yield* hits.read(ctx)
        }
        if (where === 'irq')
          k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
            if (locked)
              yield* lock.withLocked(ctx, function* (ctx) {
                yield* hits.read(ctx)
              })
            else if (marks === 'both marked') yield* hits.readOnce(ctx)
            else yield* hits.read(ctx)
          })
        else
          k.task('reader', { cpu: 1 }, function* (ctx) {
            if (locked)
              yield* lock.withLocked(ctx, function* (ctx) {
                yield* hits.read(ctx)
              })
            else yield* read(ctx)
          })
      },
      { cpus: 2 },
    )

  it('normal: a task and the handler on its CPU: the handler is "by interrupt", the footer is the in-flight access\'s CPU', () => {
    const r = explore(model('irq', 'plain'), { kernels: ['normal'] })
    const s = shape(races(r)[0])
    expect(s.fns).toEqual(['eth0', 'poller'])
    expect([s.first, s.second].sort()).toEqual(["read to 'hits' of 8 bytes by interrupt on cpu 0:", "write to 'hits' of 8 bytes by task 1 on cpu 0:"].sort())
    expect(s.footerCpu).toBe(0)
  })

  it('rt: the handler is a thread: "by task N", and the title names the handler as on the normal kernel', () => {
    const r = explore(model('irq', 'plain'), { kernels: ['rt'] })
    const s = shape(races(r)[0])
    expect(s.fns).toEqual(['eth0', 'poller'])
    expect([s.first, s.second].every((l) => / by task \d+ on cpu 0:$/.test(l))).toBe(true)
  })

  for (const kernel of KERNELS) {
    it(`${kernel}: two CPUs: found, with each access's CPU; the footer is the CPU of the second access printed`, () => {
      const s = shape(races(explore(model('cpu1', 'plain'), { kernels: [kernel] }))[0])
      expect(s.fns).toEqual(['poller', 'reader'])
      const secondCpu = Number(/on cpu (\d+):$/.exec(s.second)?.[1])
      expect(s.footerCpu).toBe(secondCpu)
      expect(s.footerPid).toBe(Number(/by task (\d+)/.exec(s.second)?.[1]))
    })

    it(`${kernel}: a marked write against a plain read is still a race; the plain access is KCSAN's watcher (printed second)`, () => {
      const s = shape(races(explore(model('cpu1', 'write marked'), { kernels: [kernel] }))[0])
      expect(s.first).toMatch(/^write \(marked\) to 'hits'/)
      expect(s.second).toMatch(/^read to 'hits'/)
    })

    it(`${kernel}: READ_ONCE/WRITE_ONCE on both sides, or a common lock: no race, explored to the end (nearest valid patterns)`, () => {
      for (const m of [model('cpu1', 'both marked'), model('irq', 'both marked'), model('cpu1', 'plain', true), model('irq', 'plain', true)])
        expect(explore(m, { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true })
    })
  }

  it('two reads never race', () => {
    const m = defineModel(
      (k) => {
        const c = k.cell('c', 0)
        k.task('a', { cpu: 0 }, function* (ctx) {
          yield* c.read(ctx)
        })
        k.task('b', { cpu: 1 }, function* (ctx) {
          yield* c.read(ctx)
        })
      },
      { cpus: 2 },
    )
    expect(explore(m)).toMatchObject({ ok: true, exhausted: true })
  })
})

describe("lock-protected data reached after its guard is released (docs/explorer.md's snippet)", () => {
  const model = (fixed: boolean) =>
    defineModel(
      (k) => {
        const stats = k.spinLock('stats', { n: 0 })
        k.task('keeper', { cpu: 0 }, function* (ctx) {
          const g = yield* stats.lock(ctx)
          const d = g.data
          g.unlock()
          yield* k.cpuRelax(ctx)
          if (fixed)
            yield* stats.withLocked(ctx, function* (_ctx, s) {
              s.n++
            })
          else d.n++ // after the unlock
        })
        k.task('owner', { cpu: 1 }, function* (ctx) {
          yield* stats.withLocked(ctx, function* (ctx, s) {
            s.n++
            yield* k.cpuRelax(ctx)
          })
        })
      },
      { cpus: 2 },
    )

  for (const kernel of KERNELS)
    it(`${kernel}: a race keeper / owner, the stale access holding no lock, the owner holding stats`, () => {
      const c = races(explore(model(false), { kernels: [kernel] }))[0]
      const s = shape(c)
      expect(s.fns).toEqual(['keeper', 'owner'])
      expect(c?.report).toMatch(/no locks held by keeper\/1\./)
      expect(c?.report).toMatch(/locks? held by owner\/2:\n #0: \(stats\), spinlock_t 'stats'/)
    })

  it('the fixed version (the lock taken again) explores to the end on both kernels', () => {
    expect(explore(model(true))).toMatchObject({ ok: true, exhausted: true })
  })
})

describe('per-CPU data', () => {
  const remote = (locked: boolean) =>
    defineModel(
      (k) => {
        const pcp = k.perCpu('stats', () => ({ hits: 0 }))
        const lock = k.spinLock('pcp_lock', 0)
        k.task('counter', { cpu: 0 }, function* (ctx) {
          if (locked)
            yield* lock.withLocked(ctx, function* (ctx) {
              pcp.thisCpuPtr(ctx).hits++
              yield* k.cpuRelax(ctx)
            })
          else {
            pcp.thisCpuPtr(ctx).hits++
            yield* k.cpuRelax(ctx)
          }
        })
        k.task('summer', { cpu: 1 }, function* (ctx) {
          if (locked)
            yield* lock.withLocked(ctx, function* (ctx) {
              void pcp.perCpuPtr(ctx, 0).hits
              yield* k.cpuRelax(ctx)
            })
          else {
            void pcp.perCpuPtr(ctx, 0).hits
            yield* k.cpuRelax(ctx)
          }
        })
      },
      { cpus: 2 },
    )

  for (const kernel of KERNELS) {
    it(`${kernel}: another CPU's copy read while its owner writes it: a race naming per_cpu(stats, 0)`, () => {
      const s = shape(races(explore(remote(false), { kernels: [kernel] }))[0])
      expect(s.fns).toEqual(['counter', 'summer'])
      expect([s.first, s.second].every((l) => l.includes("'per_cpu(stats, 0).hits'"))).toBe(true)
    })
    it(`${kernel}: the same under a common spinlock: none (nearest valid pattern)`, () => {
      expect(explore(remote(true), { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true })
    })
  }

  it('local_lock() on both sides of one CPU: no race on either kernel', () => {
    const m = defineModel(
      (k) => {
        const ll = k.localLock('pcp', () => ({ n: 0 }))
        for (const name of ['a', 'b'])
          k.task(name, { cpu: 0 }, function* (ctx) {
            yield* ll.withLocked(ctx, function* (ctx, d) {
              d.n++
              yield* k.cpuRelax(ctx)
            })
          })
      },
      { cpus: 1 },
    )
    expect(explore(m)).toMatchObject({ ok: true, exhausted: true })
  })
})
