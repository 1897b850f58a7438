/**
 * /proc/lockdep, /proc/lockdep_chains and /proc/lockdep_stats, line by line against the format
 * strings of kernel/locking/lockdep_proc.c (l_show(), lc_show(), lockdep_stats_show()).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type LockdepProcFile } from '../../src/index.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { loose } from './helpers.js'

/** `%p` of the n-th class registered (0-based): the synthetic key. */
const key = (n: number): string => (0xffffffff82000000n + BigInt(n + 1) * 0x10n).toString(16)

/** a (irqsave) → b; b in a threadable hardirq handler; rw read in a task with interrupts on. */
const scenario = (preemptRt = false) => {
  const k = createKernel({ preemptRt })
  const a = k.spinLock('a', {})
  const b = k.spinLock('b', {})
  const rw = k.rwLock('rw', {})
  k.requestIrq(4, 'dev', (ctx) => b.withLocked(ctx, () => 0))
  k.run((ctx) => a.withLockedIrqSave(ctx, (c) => b.withLocked(c, () => 0)))
  k.run((ctx) => ctx.raiseIrq(4))
  k.run((ctx) => rw.withRead(ctx, () => 0))
  return k
}

describe('/proc/lockdep (l_show)', () => {
  it('"%p FD:%5ld BD:%5ld %s: name", " -> [%p] name" per distance-1 dependency, a blank line per class', () => {
    expect(scenario().readProc('/proc/lockdep').split('\n')).toEqual([
      'all lock classes:',
      `${key(0)} FD:    2 BD:    1 ....: a`,
      ` -> [${key(1)}] b`,
      '',
      `${key(1)} FD:    1 BD:    2 -...: b`,
      '',
      `${key(2)} FD:    1 BD:    1 .+.+: rw`,
      '',
      '',
    ])
  })

  it('no classes: only the header (printed at lock_classes[0])', () => {
    expect(createKernel().readProc('/proc/lockdep')).toBe('all lock classes:\n')
  })

  it('only distance-1 edges are listed; FD/BD count every class reachable (strong paths), the class itself included', () => {
    const k = createKernel()
    const [a, b, c] = ['a', 'b', 'c'].map((n) => k.spinLock(n, {}))
    k.run((ctx) => loose(a as object)(ctx, (c1) => loose(b as object)(c1, (c2) => loose(c as object)(c2, () => 0))))
    expect(k.readProc('/proc/lockdep').split('\n')).toEqual([
      'all lock classes:',
      `${key(0)} FD:    3 BD:    1 +.+.: a`,
      ` -> [${key(1)}] b`,
      '',
      `${key(1)} FD:    2 BD:    2 +.+.: b`,
      ` -> [${key(2)}] c`,
      '',
      `${key(2)} FD:    1 BD:    3 +.+.: c`,
      '',
      '',
    ])
  })

  it('the usage column is get_usage_chars(): ? for used-in and enabled, - used in, + enabled (write, read, per state)', () => {
    const k = createKernel()
    const r = k.rawSpinLock('r', {})
    k.requestIrq(4, 'dev', (ctx) => r.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => r.withLocked(ctx, () => 0))
    // IN-HARDIRQ-W, then HARDIRQ-ON-W (inconsistent: lockdep stops before SOFTIRQ-ON-W is marked).
    expect(k.readProc('/proc/lockdep').split('\n')[1]).toBe(`${key(0)} FD:    1 BD:    1 ?...: r`)
  })
})

describe('/proc/lockdep_chains (lc_show)', () => {
  it('"irq_context: %s" from irq_strs[], "[%p] name" per class of the chain, a blank line per chain', () => {
    expect(scenario().readProc('/proc/lockdep_chains').split('\n')).toEqual([
      'all lock chains:',
      'irq_context: 0',
      `[${key(0)}] a`,
      '',
      'irq_context: 0',
      `[${key(0)}] a`,
      `[${key(1)}] b`,
      '',
      'irq_context: hardirq',
      `[${key(1)}] b`,
      '',
      'irq_context: 0',
      `[${key(2)}] rw`,
      '',
      '',
    ])
  })

  it('softirq and hardirq|softirq contexts (normal kernel); PREEMPT_RT counts no softirq_context', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt })
      const a = k.rawSpinLock('a', {})
      const b = k.rawSpinLock('b', {})
      k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0), { noThread: true })
      k.openSoftirq('NET_RX', (ctx) => {
        b.withLocked(ctx, () => 0)
        ctx.raiseIrq(4)
      })
      k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
      const contexts = k
        .readProc('/proc/lockdep_chains')
        .split('\n')
        .filter((l) => l.startsWith('irq_context'))
      // RT: [local_bh] and [rcu_read_lock, b] in context 0 (the softirq runs under the RCU
      // entry of the first local_bh_disable(), local_bh already released), [a] in hardirq.
      expect(contexts).toEqual(
        preemptRt ? ['irq_context: 0', 'irq_context: 0', 'irq_context: hardirq'] : ['irq_context: softirq', 'irq_context: hardirq|softirq'],
      )
    }
  })
})

describe('/proc/lockdep_stats (lockdep_stats_show)', () => {
  it('every line: " %-31s%11lu" with "[max: %lu]" where the kernel prints one', () => {
    expect(scenario().readProc('/proc/lockdep_stats').split('\n')).toEqual([
      ' lock-classes:                            3 [max: 8192]',
      ' dynamic-keys:                            0',
      ' direct dependencies:                     2 [max: 32768]',
      ' indirect dependencies:                   4',
      ' all direct dependencies:                 2',
      ' dependency chains:                       4 [max: 65536]',
      ' dependency chain hlocks used:            8 [max: 327680]',
      ' dependency chain hlocks lost:            0',
      ' in-hardirq chains:                       1',
      ' in-softirq chains:                       0',
      ' in-process chains:                       3',
      ' stack-trace entries:                     0 [max: 524288]',
      ' number of stack traces:                  0',
      ' number of stack hash chains:             0',
      ' combined max dependencies:               8',
      ' hardirq-safe locks:                      1',
      ' hardirq-unsafe locks:                    0',
      ' softirq-safe locks:                      0',
      ' softirq-unsafe locks:                    0',
      ' irq-safe locks:                          1',
      ' irq-unsafe locks:                        0',
      ' hardirq-read-safe locks:                 0',
      ' hardirq-read-unsafe locks:               1',
      ' softirq-read-safe locks:                 0',
      ' softirq-read-unsafe locks:               1',
      ' irq-read-safe locks:                     0',
      ' irq-read-unsafe locks:                   1',
      ' uncategorized locks:                     1',
      ' unused locks:                            0',
      ' max locking depth:                       2',
      ' max bfs queue depth:                     1',
      ' max lock class index:                    2',
      ' debug_locks:                             1',
      '',
      ' zapped classes:                          0',
      ' zapped lock chains:                      0',
      ' large chain blocks:                      1',
      '',
    ])
  })

  it('debug_locks is 0 once a report turned lockdep off; the label column is 31 wide for every line', () => {
    const k = createKernel()
    const a1 = k.spinLock('a', {})
    const a2 = k.spinLock('a', {})
    k.run((ctx) => a1.withLocked(ctx, (c) => loose(a2)(c, () => 0)))
    const lines = k.readProc('/proc/lockdep_stats').split('\n')
    expect(lines).toContain(' debug_locks:                             0')
    for (const l of lines.filter((x) => x !== '')) expect(l.slice(32, 43)).toMatch(/^ *\d+$/)
  })

  it('an unknown file is a named error', () => {
    expect(() => createKernel().readProc('/proc/lock_stat' as LockdepProcFile)).toThrow(InvalidArgumentError)
  })
})
