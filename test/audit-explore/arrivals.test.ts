/**
 * Outside audit of issue #17 item 2: what is explored. Interrupts and softirqs arrive only where
 * their CPU has them enabled; another task runs only where its CPU is preemptible; on PREEMPT_RT
 * the handler is a thread (a task), `spinlock_t` sleeps, and spin_lock_irqsave() leaves interrupts
 * on. Every case runs all executions and looks at what the tasks and handlers saw.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, explore, type KernelName, type Model } from '../../src/index.js'

const KERNELS: readonly KernelName[] = ['normal', 'rt']

/** What the handler saw in each execution where it ran: whether the task was inside its section, and its comm. */
interface Seen {
  readonly inside: boolean
  readonly comm: string
}

const observe = (make: (seen: Seen[]) => Model, kernel: KernelName): { seen: Seen[]; exhausted: boolean; ok: boolean } => {
  const seen: Seen[] = []
  const r = explore(make(seen), { kernels: [kernel], stopOnFailure: false })
  return { seen, exhausted: r.exhausted, ok: r.ok }
}

type Section = 'irqsave spinlock_t' | 'irqsave raw_spinlock_t' | 'plain spinlock_t' | 'bh spinlock_t' | 'none'

/** A task on CPU 0 that holds a section with a point inside; a device interrupt (or softirq) on CPU 0 that takes no lock. */
const model = (section: Section, what: 'irq' | 'irq noThread' | 'softirq' | 'task') => (seen: Seen[]) =>
  defineModel(
    (k) => {
      let inside = false
      const s = k.spinLock('s', 0)
      const r = k.rawSpinLock('r', 0)
      const body = function* (ctx: { comm: string }) {
        seen.push({ inside, comm: ctx.comm })
      }
      if (what === 'irq')
        k.irq(5, { cpu: 0, name: 'eth0' }, function* (ctx) {
          yield* body(ctx)
        })
      if (what === 'irq noThread')
        k.irq(5, { cpu: 0, name: 'eth0', noThread: true }, function* (ctx) {
          yield* body(ctx)
        })
      if (what === 'softirq')
        k.softirq(
          'TASKLET',
          function* (ctx) {
            yield* body(ctx)
          },
          { cpu: 0, raises: 1 },
        )
      if (what === 'task')
        k.task('other', { cpu: 0 }, function* (ctx) {
          yield* body(ctx)
        })
      k.task('holder', { cpu: 0 }, function* (ctx) {
        yield* k.cpuRelax(ctx) // a point before: the arrival is possible here
        const inner = function* (ctx: Parameters<Parameters<typeof k.task>[2]>[0]) {
          inside = true
          yield* k.cpuRelax(ctx)
          inside = false
        }
        if (section === 'irqsave spinlock_t')
          yield* s.withLockedIrqSave(ctx, function* (ctx) {
            inside = true
            yield* k.cpuRelax(ctx)
            inside = false
          })
        else if (section === 'irqsave raw_spinlock_t')
          yield* r.withLockedIrqSave(ctx, function* (ctx) {
            inside = true
            yield* k.cpuRelax(ctx)
            inside = false
          })
        else if (section === 'plain spinlock_t')
          yield* s.withLocked(ctx, function* (ctx) {
            inside = true
            yield* k.cpuRelax(ctx)
            inside = false
          })
        else if (section === 'bh spinlock_t')
          yield* s.withLockedBh(ctx, function* (ctx) {
            inside = true
            yield* k.cpuRelax(ctx)
            inside = false
          })
        else yield* inner(ctx)
        yield* k.cpuRelax(ctx) // a point after
      })
    },
    { cpus: 1 },
  )

describe('interrupts arrive only where their CPU has them enabled', () => {
  it('normal: never inside spin_lock_irqsave(); it does arrive before or after', () => {
    const { seen, exhausted } = observe(model('irqsave spinlock_t', 'irq'), 'normal')
    expect(exhausted).toBe(true)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.filter((s) => s.inside)).toEqual([])
  })

  it('rt: spin_lock_irqsave() leaves interrupts on, and the threaded handler runs as a task inside the section', () => {
    const { seen, exhausted } = observe(model('irqsave spinlock_t', 'irq'), 'rt')
    expect(exhausted).toBe(true)
    expect(seen.some((s) => s.inside)).toBe(true)
    // the handler's context is its thread, irq/<line>-<name>, a task of its own
    expect([...new Set(seen.map((s) => s.comm))]).toEqual(['irq/5-eth0'])
  })

  it('normal: the handler runs in hardirq context over the interrupted task (current is the task)', () => {
    const { seen } = observe(model('none', 'irq'), 'normal')
    // current is the task it interrupted, or the idle task before the task started / after it ended
    expect([...new Set(seen.map((s) => s.comm))].sort()).toEqual(['holder', 'swapper/0'])
    expect(seen.some((s) => s.inside)).toBe(true) // no section: it may arrive at the point in the middle
  })

  for (const kernel of KERNELS) {
    it(`${kernel}: raw_spin_lock_irqsave() turns interrupts off on both kernels: never inside`, () => {
      const { seen, exhausted } = observe(model('irqsave raw_spinlock_t', 'irq'), kernel)
      expect(exhausted).toBe(true)
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.filter((s) => s.inside)).toEqual([])
    })

    it(`${kernel}: a softirq never runs inside spin_lock_bh(), and does run outside it`, () => {
      const { seen, exhausted } = observe(model('bh spinlock_t', 'softirq'), kernel)
      expect(exhausted).toBe(true)
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.filter((s) => s.inside)).toEqual([])
    })

    it(`${kernel}: with no section, the softirq may run at the point in the middle (nearest valid pattern)`, () => {
      const { seen } = observe(model('none', 'softirq'), kernel)
      expect(seen.some((s) => s.inside)).toBe(true)
    })
  }

  it('rt: an IRQF_NO_THREAD handler is a hardirq on RT too, and arrives inside spin_lock_irqsave() (interrupts stay on)', () => {
    const { seen } = observe(model('irqsave spinlock_t', 'irq noThread'), 'rt')
    expect(seen.some((s) => s.inside)).toBe(true)
    expect([...new Set(seen.map((s) => s.comm))].sort()).toEqual(['holder', 'swapper/0']) // not a thread
  })
})

describe('another task runs on a CPU only where it is preemptible', () => {
  it('normal: spin_lock() disables preemption: the other task never runs inside', () => {
    const { seen, exhausted } = observe(model('plain spinlock_t', 'task'), 'normal')
    expect(exhausted).toBe(true)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.filter((s) => s.inside)).toEqual([])
  })

  it('rt: spinlock_t is an rtmutex (migrate_disable() only): the other task may run inside', () => {
    const { seen } = observe(model('plain spinlock_t', 'task'), 'rt')
    expect(seen.some((s) => s.inside)).toBe(true)
  })

  for (const kernel of KERNELS)
    it(`${kernel}: raw_spinlock_t disables preemption on both kernels`, () => {
      const { seen } = observe(model('irqsave raw_spinlock_t', 'task'), kernel)
      expect(seen.filter((s) => s.inside)).toEqual([])
    })
})

describe('every order at lock, unlock, wait and wake-up points is explored', () => {
  for (const kernel of KERNELS)
    for (const kind of ['spinLock', 'mutex', 'rawSpinLock'] as const)
      it(`${kernel}: two CPUs contending on a ${kind}: both orders of entry`, () => {
        const orders = new Set<string>()
        const m = defineModel(
          (k) => {
            const l = k[kind]('l', { log: '' })
            for (const [name, cpu] of [
              ['a', 0],
              ['b', 1],
            ] as const)
              k.task(name, { cpu }, function* (ctx) {
                yield* l.withLocked(ctx, function* (_ctx, d) {
                  d.log += name
                  if (d.log.length === 2) orders.add(d.log)
                })
              })
          },
          { cpus: 2 },
        )
        const r = explore(m, { kernels: [kernel] })
        expect(r).toMatchObject({ ok: true, exhausted: true })
        expect([...orders].sort()).toEqual(['ab', 'ba'])
      })

  for (const kernel of KERNELS)
    it(`${kernel}: a sleeper woken by another CPU (msleep and a mutex): both outcomes`, () => {
      const outcomes = new Set<string>()
      const m = defineModel(
        (k) => {
          const mu = k.mutex('m', { v: 0 })
          k.task('sleeper', { cpu: 0 }, function* (ctx) {
            yield* mu.withLocked(ctx, function* (ctx, d) {
              yield* k.msleep(ctx, 1)
              d.v = 1
            })
          })
          k.task('reader', { cpu: 1 }, function* (ctx) {
            yield* mu.withLocked(ctx, function* (_ctx, d) {
              outcomes.add(`v=${d.v}`)
            })
          })
        },
        { cpus: 2 },
      )
      const r = explore(m, { kernels: [kernel] })
      expect(r).toMatchObject({ ok: true, exhausted: true })
      expect([...outcomes].sort()).toEqual(['v=0', 'v=1'])
    })
})

describe('a softirq raised by a device interrupt', () => {
  const comms = (kernel: KernelName): string[] => {
    const seen = new Set<string>()
    const m = defineModel(
      (k) => {
        k.softirq(
          'NET_RX',
          function* (ctx) {
            seen.add(ctx.comm)
          },
          { cpu: 0, raises: 1 },
        )
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* k.cpuRelax(ctx)
        })
      },
      { cpus: 1 },
    )
    expect(explore(m, { kernels: [kernel] })).toMatchObject({ ok: true, exhausted: true })
    return [...seen].sort()
  }
  it('normal: runs at irq_exit() over whatever the interrupt interrupted (the task, or the idle task)', () => {
    expect(comms('normal')).toEqual(['swapper/0', 't'])
  })
  it("rt: runs in ksoftirqd/0 (kernel/softirq.c, PREEMPT_RT's invoke_softirq(): wakeup_softirqd())", () => {
    expect(comms('rt')).toEqual(['ksoftirqd/0'])
  })
})
