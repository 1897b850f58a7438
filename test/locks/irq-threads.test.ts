/**
 * request_irq() and forced threading: where a handler runs on each configuration, what it sees,
 * and that a woken irq thread waits until the interrupted task holds no lock.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'

interface HandlerSeen {
  comm: string
  ctxComm: string
  inTask: boolean
  inHardirq: boolean
  inServingSoftirq: boolean
  preemptCount: number
  irqsDisabled: boolean
  softirqCount: number
  softirqDisableCnt: number
  migrationDisabled: number
  rcuReadLockNesting: number
  held: readonly string[]
}

const look = (k: Kernel, ctxComm: string): HandlerSeen => {
  const v = k.cpu(0)
  return {
    comm: v.current.comm,
    ctxComm,
    inTask: v.inTask(),
    inHardirq: v.inHardirq(),
    inServingSoftirq: v.inServingSoftirq(),
    preemptCount: v.preemptCount,
    irqsDisabled: v.irqsDisabled,
    softirqCount: v.softirqCount(),
    softirqDisableCnt: v.current.softirqDisableCnt,
    migrationDisabled: v.current.migrationDisabled,
    rcuReadLockNesting: v.current.rcuReadLockNesting,
    held: k.heldLocks(0),
  }
}

/** What a handler on line 5 ('nic') sees when a task with nothing held raises it. */
const runHandler = (options: { preemptRt: boolean; threadIrqs?: boolean }, noThread: boolean): { seen: HandlerSeen[]; k: Kernel } => {
  const k = createKernel({ preemptRt: options.preemptRt, threadIrqs: options.threadIrqs ?? false })
  const seen: HandlerSeen[] = []
  if (noThread) k.requestIrq(5, 'nic', (ctx) => void seen.push(look(k, ctx.comm)), { noThread: true })
  else k.requestIrq(5, 'nic', (ctx) => void seen.push(look(k, ctx.comm)))
  const before = k.snapshot()
  k.run((ctx) => ctx.raiseIrq(5), { comm: 'user' })
  expect(k.snapshot()).toEqual(before)
  expect(k.diagnostics).toEqual([])
  return { seen, k }
}

describe('where a request_irq() handler runs', () => {
  it('PREEMPT_RT, plain handler: force-threaded, in task irq/5-nic, BH off (0x200), interrupts on, preempt_count 0', () => {
    const { seen } = runHandler({ preemptRt: true }, false)
    expect(seen).toEqual([
      {
        comm: 'irq/5-nic',
        ctxComm: 'irq/5-nic',
        inTask: true,
        inHardirq: false,
        inServingSoftirq: false,
        preemptCount: 0,
        irqsDisabled: false,
        softirqCount: 0x200,
        softirqDisableCnt: 0x200,
        // local_bh_disable()'s first entry on RT: migrate_disable() + rcu_read_lock().
        migrationDisabled: 1,
        rcuReadLockNesting: 1,
        held: [],
      },
    ])
  })

  it('normal kernel, plain handler: hard interrupt context on the interrupted task (0x10000, interrupts off)', () => {
    const { seen } = runHandler({ preemptRt: false }, false)
    expect(seen).toEqual([
      {
        comm: 'user',
        ctxComm: 'user',
        inTask: false,
        inHardirq: true,
        inServingSoftirq: false,
        preemptCount: 0x10000,
        irqsDisabled: true,
        softirqCount: 0,
        softirqDisableCnt: 0,
        migrationDisabled: 0,
        rcuReadLockNesting: 0,
        held: [],
      },
    ])
  })

  it.each([false, true])('IRQF_NO_THREAD (preemptRt=%s): hard interrupt context (0x10000, interrupts off)', (preemptRt) => {
    const { seen } = runHandler({ preemptRt }, true)
    expect(seen).toEqual([
      {
        comm: 'user',
        ctxComm: 'user',
        inTask: false,
        inHardirq: true,
        inServingSoftirq: false,
        preemptCount: 0x10000,
        irqsDisabled: true,
        softirqCount: 0,
        softirqDisableCnt: 0,
        migrationDisabled: 0,
        rcuReadLockNesting: 0,
        held: [],
      },
    ])
  })

  it('normal kernel with threadirqs: threaded, interrupts off and BH off (preempt_count 0x200)', () => {
    const { seen } = runHandler({ preemptRt: false, threadIrqs: true }, false)
    expect(seen).toEqual([
      {
        comm: 'irq/5-nic',
        ctxComm: 'irq/5-nic',
        inTask: true,
        inHardirq: false,
        inServingSoftirq: false,
        preemptCount: 0x200,
        irqsDisabled: true,
        softirqCount: 0x200,
        softirqDisableCnt: 0,
        migrationDisabled: 0,
        rcuReadLockNesting: 0,
        held: [],
      },
    ])
  })

  it('normal kernel with threadirqs, IRQF_NO_THREAD: still hard interrupt context', () => {
    const { seen } = runHandler({ preemptRt: false, threadIrqs: true }, true)
    expect(seen.map((s) => [s.comm, s.inHardirq, s.preemptCount, s.irqsDisabled])).toEqual([['user', true, 0x10000, true]])
  })

  it('PREEMPT_RT: raised by a device on an idle CPU, the thread runs at once and the CPU is idle after', () => {
    const k = createKernel({ preemptRt: true })
    const comms: string[] = []
    k.requestIrq(5, 'nic', (ctx) => void comms.push(ctx.comm))
    const before = k.snapshot()
    k.raiseIrq(5)
    expect(comms).toEqual(['irq/5-nic'])
    expect(k.snapshot()).toEqual(before)
    expect(k.cpu(0).current.comm).toBe('swapper/0')
  })

  it.each([
    ['PREEMPT_RT', { preemptRt: true }, { preemptCount: 0, softirqCount: 0x100, comm: 'irq/5-nic', irqsDisabled: false }],
    ['threadirqs', { preemptRt: false, threadIrqs: true }, { preemptCount: 0x101, softirqCount: 0x100, comm: 'irq/5-nic', irqsDisabled: false }],
  ] as const)('%s: a softirq raised in the threaded handler runs at its local_bh_enable(), in the irq thread', (_n, options, expected) => {
    const k = createKernel(options)
    const seen: { preemptCount: number; softirqCount: number; comm: string; irqsDisabled: boolean }[] = []
    k.openSoftirq('NET_RX', (ctx) => {
      const v = k.cpu(0)
      seen.push({ preemptCount: v.preemptCount, softirqCount: v.softirqCount(), comm: ctx.comm, irqsDisabled: v.irqsDisabled })
    })
    k.requestIrq(5, 'nic', (ctx) => ctx.raiseSoftirq('NET_RX'))
    k.run((ctx) => ctx.raiseIrq(5))
    expect(seen).toEqual([expected])
  })
})

describe.each([
  ['PREEMPT_RT', { preemptRt: true }],
  ['normal kernel with threadirqs', { preemptRt: false, threadIrqs: true }],
] as const)('%s: a woken irq thread waits for the interrupted task to drop all its locks', (_n, options) => {
  it('mutex > spinlock_t held: the thread runs after the mutex is released, not after the spinlock', () => {
    const k = createKernel(options)
    const log: string[] = []
    const m = k.mutex('m', {})
    const s = k.spinLock('s', {})
    k.requestIrq(5, 'nic', (ctx) => {
      log.push(`handler in ${ctx.comm}, task locks visible: [${k.heldLocks(0).join(',')}]`)
    })
    k.run(
      (ctx) => {
        m.withLocked(ctx, (c1) => {
          s.withLocked(c1, (c2) => {
            c2.raiseIrq(5)
            log.push('raised under m, s')
          })
          log.push('s released, m held')
        })
        log.push('m released')
      },
      { comm: 'worker' },
    )
    expect(log).toEqual(['raised under m, s', 's released, m held', 'handler in irq/5-nic, task locks visible: []', 'm released'])
    expect(k.diagnostics).toEqual([])
  })

  it('raw_spinlock_t held: the thread runs after the raw unlock', () => {
    const k = createKernel(options)
    const log: string[] = []
    const raw = k.rawSpinLock('raw', {})
    k.requestIrq(5, 'nic', () => void log.push('handler'))
    k.run((ctx) => {
      raw.withLocked(ctx, (c) => {
        c.raiseIrq(5)
        log.push('raised')
        expect(k.cpu(0).current.comm).toBe('task-1')
      })
      log.push('after unlock')
    })
    expect(log).toEqual(['raised', 'handler', 'after unlock'])
  })

  it('two lines raised under a lock: both threads run in wake order after the release', () => {
    const k = createKernel(options)
    const log: string[] = []
    const s = k.spinLock('s', {})
    k.requestIrq(5, 'a', (ctx) => void log.push(ctx.comm))
    k.requestIrq(6, 'b', (ctx) => void log.push(ctx.comm))
    k.run((ctx) => {
      s.withLocked(ctx, (c) => {
        c.raiseIrq(6)
        c.raiseIrq(5)
        log.push('raised')
      })
      log.push('after')
    })
    expect(log).toEqual(['raised', 'irq/6-b', 'irq/5-a', 'after'])
  })

  it('a handler thread may take a lock the task held: no deadlock, it runs after the release', () => {
    const k = createKernel(options)
    const log: string[] = []
    const s = k.spinLock('shared', { n: 0 })
    k.requestIrq(5, 'nic', (ctx) =>
      s.withLocked(ctx, (_c, d) => {
        d.n++
        log.push(`handler n=${d.n}`)
      }),
    )
    k.run((ctx) =>
      s.withLocked(ctx, (c, d) => {
        d.n++
        c.raiseIrq(5)
        log.push(`task n=${d.n}`)
      }),
    )
    expect(log).toEqual(['task n=1', 'handler n=2'])
    expect(k.diagnostics).toEqual([])
  })
})
