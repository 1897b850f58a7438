/**
 * An outside check of lockdep's report texts, line by line, written from kernel/locking/lockdep.c
 * (Kingxukai/linux @9b44fff6), not from lockproof's own tests. Each expected block is the kernel's
 * printk sequence with two stated substitutions (docs/SEMANTICS.md §25): `print_lock()`'s
 * `%px` instance and `, at: %pS` ip become the lock's kind, stack traces become the task that
 * recorded the state, and `dump_stack()` prints its first line only. Everything else — which
 * lock comes first, the blank lines, where the held locks go — is the kernel's.
 */
import { describe, expect, it } from 'vitest'
import { createKernel } from '../../src/index.js'
import { kinds, loose, looseCtx, only } from '../lockdep/helpers.js'

const lines = (report: string | undefined): string[] => (report ?? '').split('\n')

describe('print_lock_invalid_wait_context()', () => {
  it('context-{%d:%d}, then lockdep_print_held_locks() at once, then the stack backtrace', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const stats = k.spinLock('stats', 0)
    k.run((ctx) => hw.withLocked(ctx, (c) => loose(stats)(c, () => 0)))
    const d = only(k, 'invalid-wait-context')
    expect(lines(d.report)).toEqual([
      '=============================',
      '[ BUG: Invalid wait context ]',
      '-----------------------------',
      'task-1/1 is trying to lock:',
      ' (stats){....}-{3:3}, spinlock_t',
      'other info that might help us debug this:',
      // task_wait_context(): a task is LD_WAIT_MAX (5), whatever it holds.
      'context-{5:5}',
      '1 lock held by task-1/1:',
      " #0: (hw){+.+.}-{2:2}, raw_spinlock_t 'hw'",
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
    // The limit that the kernel's text does not name stays a field.
    expect(d.context).toBe("raw_spinlock_t 'hw'")
  })

  it('in a hardirq handler that is never threaded: context-{2:2}', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.requestIrq(7, 'tmr', (ctx) => loose(s)(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(7))
    expect(only(k, 'invalid-wait-context').report).toContain('other info that might help us debug this:\ncontext-{2:2}\nno locks held by task-1/1.')
  })

  it('twin: the same spinlock_t in a threadable handler is valid (context LD_WAIT_CONFIG)', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.requestIrq(7, 'dev', (ctx) => s.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(7))
    expect(k.diagnostics).toEqual([])
  })
})

describe('print_circular_bug()', () => {
  it('a three-lock cycle: the header names next then prev; entries #2..#0 from prev back to next, print_lock_name() only', () => {
    const k = createKernel()
    const a = k.mutex('a', 0)
    const b = k.mutex('b', 0)
    const c = k.mutex('c', 0)
    k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, () => 0)))
    k.run((ctx) => b.withLocked(ctx, (x) => c.withLocked(x, () => 0)))
    k.run((ctx) => c.withLocked(ctx, (x) => loose(a)(x, () => 0)))
    const d = only(k, 'circular-dependency')
    expect(lines(d.report)).toEqual([
      '======================================================',
      'WARNING: possible circular locking dependency detected',
      '------------------------------------------------------',
      'task-3/3 is trying to acquire lock:',
      ' (a){+.+.}-{4:4}, mutex',
      '',
      'but task is already holding lock:',
      ' (c){+.+.}-{4:4}, mutex',
      '',
      'which lock already depends on the new lock.',
      '',
      '',
      'the existing dependency chain (in reverse order) is:',
      '',
      // print_circular_bug_entry(): "\n-> #%u", print_lock_name(NULL, class), ":\n", the trace.
      '-> #2 (c){+.+.}-{4:4}:',
      '       taken while holding b',
      '  by task-2/2 on CPU 0',
      '',
      '-> #1 (b){+.+.}-{4:4}:',
      '       taken while holding a',
      '  by task-1/1 on CPU 0',
      '',
      '-> #0 (a){+.+.}-{4:4}:',
      '       being taken now, while holding c',
      '  by task-3/3 on CPU 0',
      '',
      'other info that might help us debug this:',
      '',
      'Chain exists of:',
      '  a --> b --> c',
      '',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0                    CPU1',
      '       ----                    ----',
      '  lock(c);',
      '                               lock(b);',
      '                               lock(c);',
      '  lock(a);',
      '',
      ' *** DEADLOCK ***',
      '',
      '1 lock held by task-3/3:',
      " #0: (c){+.+.}-{4:4}, mutex 'c'",
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 3 Comm: task-3',
    ])
    expect(d).toMatchObject({ lock: "mutex 'a'", held: "mutex 'c'", chain: ['a', 'b', 'c'] })
  })

  it('twin: the same three locks always in one order are silent', () => {
    const k = createKernel()
    const a = k.mutex('a', 0)
    const b = k.mutex('b', 0)
    const c = k.mutex('c', 0)
    k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, (y) => c.withLocked(y, () => 0))))
    k.run((ctx) => a.withLocked(ctx, (x) => c.withLocked(x, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})

describe('print_deadlock_bug()', () => {
  it('AA: next, then prev, the one-CPU scenario, "May be due to missing lock nesting notation", a blank line, the held locks', () => {
    const k = createKernel()
    const m = k.mutex('m', 0)
    // The second mutex_lock() then sleeps for good: DeadlockError (the hung task), after lockdep's report.
    expect(() => k.run((ctx) => m.withLocked(ctx, (c) => loose(m)(c, () => 0)))).toThrow(/blocked for more than 120 seconds/)
    expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
    const d = k.diagnostics[0]
    expect(lines(d?.report)).toEqual([
      '============================================',
      'WARNING: possible recursive locking detected',
      '--------------------------------------------',
      'task-1/1 is trying to acquire lock:',
      ' (m){+.+.}-{4:4}, mutex',
      '',
      'but task is already holding lock:',
      ' (m){+.+.}-{4:4}, mutex',
      '',
      'other info that might help us debug this:',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0',
      '       ----',
      '  lock(m);',
      '  lock(m);',
      '',
      ' *** DEADLOCK ***',
      '',
      ' May be due to missing lock nesting notation',
      '',
      '1 lock held by task-1/1:',
      " #0: (m){+.+.}-{4:4}, mutex 'm'",
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
  })

  it('a subclass prints as name/N (__print_lock_name(): `if (class->subclass) printk("/%d", ...)`)', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('a', 0)
    const nested = (b as unknown as Record<string, (ctx: unknown, sub: number, cb: () => number) => number>).withLockedNested
    k.run((ctx) => a.withLocked(ctx, (c) => nested?.call(b, c, 1, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.readProc('/proc/lockdep')).toContain(': a\n -> [ffffffff82000020] a/1\n')
  })
})

describe('print_usage_bug()', () => {
  it('{IN-HARDIRQ-W} -> {HARDIRQ-ON-W}: the [HC..:SC..:HE..:SE..] summary, the registered state, the scenario', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => a.withLocked(ctx, () => 0))
    expect(lines(only(k, 'inconsistent-lock-state').report)).toEqual([
      '================================',
      'WARNING: inconsistent lock state',
      '--------------------------------',
      'inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.',
      'task-2/2 [HC0[0]:SC0[0]:HE1:SE1] takes:',
      ' (a){?...}-{3:3}, spinlock_t',
      '{IN-HARDIRQ-W} state was registered at:',
      '  by task-1/1 on CPU 0',
      '',
      'other info that might help us debug this:',
      ' Possible unsafe locking scenario:',
      '',
      '       CPU0',
      '       ----',
      '  lock(a);',
      '  <Interrupt>',
      '    lock(a);',
      '',
      ' *** DEADLOCK ***',
      '',
      'no locks held by task-2/2.',
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 2 Comm: task-2',
    ])
  })

  it('in a softirq run by local_bh_enable(): SC1 with softirq_count() >> SOFTIRQ_SHIFT = 1, SE0', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    k.openSoftirq('NET_RX', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    const r = only(k, 'inconsistent-lock-state').report
    expect(r).toContain('inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage.\ntask-2/2 [HC0[0]:SC1[1]:HE1:SE0] takes:')
  })

  it('twin: the same lock taken with spin_lock_bh() in the task is consistent', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    k.openSoftirq('NET_RX', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLockedBh(ctx, () => 0))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    expect(k.diagnostics).toEqual([])
  })
})

describe('print_irq_inversion_bug()', () => {
  it('print_lock_name() of the other lock, then "\\n\\nand interrupts …\\n\\n" and "\\nother info": two blank lines on each side', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => b.withLocked(c, () => 0)))
    k.run((ctx) => b.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    const d = only(k, 'irq-inversion')
    expect(lines(d.report).slice(0, 20)).toEqual([
      '========================================================',
      'WARNING: possible irq lock inversion dependency detected',
      '--------------------------------------------------------',
      'task-3/3 just changed the state of lock:',
      ' (a){-...}-{3:3}, spinlock_t',
      'but this lock took another, HARDIRQ-unsafe lock in the past:',
      ' (b){+.+.}-{3:3}',
      '',
      '',
      'and interrupts could create inverse lock ordering between them.',
      '',
      '',
      'other info that might help us debug this:',
      ' Possible interrupt unsafe locking scenario:',
      '',
      '       CPU0                    CPU1',
      '       ----                    ----',
      '  lock(b);',
      '                               local_irq_disable();',
      '                               lock(a);',
    ])
    expect(d).toMatchObject({ via: 'usage-change', safe: 'a', unsafe: 'b' })
  })
})

describe('print_bad_irq_dependency()', () => {
  it('the new dependency with both usages, a blank line before each "... which became", "..." before the unsafe trace', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.requestIrq(4, 'dev', (ctx) => a.withLocked(ctx, () => 0))
    k.run((ctx) => ctx.raiseIrq(4))
    k.run((ctx) => b.withLocked(ctx, () => 0))
    k.run((ctx) => a.withLockedIrqSave(ctx, (c) => b.withLocked(c, () => 0)))
    const d = only(k, 'irq-inversion')
    expect(lines(d.report).slice(0, 27)).toEqual([
      '=====================================================',
      'WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected',
      '-----------------------------------------------------',
      'task-3/3 [HC0[0]:SC0[0]:HE0:SE1] is trying to acquire:',
      ' (b){+.+.}-{3:3}, spinlock_t',
      '',
      'and this task is already holding:',
      ' (a){-...}-{3:3}, spinlock_t',
      'which would create a new lock dependency:',
      ' (a){-...}-{3:3} -> (b){+.+.}-{3:3}',
      '',
      'but this new dependency connects a HARDIRQ-irq-safe lock:',
      ' (a){-...}-{3:3}',
      '',
      '... which became HARDIRQ-irq-safe at:',
      '  by task-1/1 on CPU 0',
      '',
      'to a HARDIRQ-irq-unsafe lock:',
      ' (b){+.+.}-{3:3}',
      '',
      '... which became HARDIRQ-irq-unsafe at:',
      '...  by task-2/2 on CPU 0',
      '',
      'other info that might help us debug this:',
      '',
      ' Possible interrupt unsafe locking scenario:',
      '',
    ])
  })
})

describe('print_unlock_imbalance_bug() and lockdep_sys_exit()', () => {
  it('bad unlock: held locks right after "other info", then the stack backtrace', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    k.run((ctx) => {
      const g = a.lock(ctx)
      g.unlock()
      expect(() => g.unlock()).toThrow()
    })
    expect(lines(only(k, 'bad-unlock-balance').report)).toEqual([
      '=====================================',
      'WARNING: bad unlock balance detected!',
      '-------------------------------------',
      'task-1/1 is trying to release lock (a) at:',
      "  spinlock_t 'a': guard.unlock()",
      'but there are no more locks to release!',
      '',
      'other info that might help us debug this:',
      'no locks held by task-1/1.',
      '',
      'stack backtrace:',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
  })

  it('held at exit: the kernel line as printed, the held locks, no stack dump; what lockproof does is its own line', () => {
    const k = createKernel()
    const m = k.mutex('m', 0)
    k.run((ctx) => {
      m.lock(ctx)
    })
    expect(lines(only(k, 'held-lock-at-exit').report)).toEqual([
      '================================================',
      'WARNING: lock held when returning to user space!',
      '------------------------------------------------',
      'task-1/1 is leaving the kernel with locks still held!',
      '1 lock held by task-1/1:',
      " #0: (m){+.+.}-{4:4}, mutex 'm'",
      "lockproof: mutex 'm' released now",
    ])
  })
})

describe('debug_show_held_locks() in __might_resched()', () => {
  it('while lockdep is on: the held locks, then dump_stack()', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).mightSleep()))
    expect(lines(only(k, 'sleeping-in-atomic').report)).toEqual([
      'BUG: sleeping function called from invalid context at might_sleep()',
      'in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: task-1',
      'preempt_count: 1, expected: 0',
      'RCU nest depth: 0, expected: 0',
      '1 lock held by task-1/1:',
      " #0: (s){+.+.}-{3:3}, spinlock_t 's'",
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
    // add_taint(TAINT_WARN, LOCKDEP_STILL_OK): lockdep stays on.
    expect(k.lockdepStats().active).toBe(true)
  })

  it('preempt_count is printed with %x: spin_lock_bh() is 201', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLockedBh(ctx, (c) => looseCtx(c).mightSleep()))
    expect(only(k, 'sleeping-in-atomic').report).toContain('\npreempt_count: 201, expected: 0\n')
  })

  it('after a lockdep report: "INFO: lockdep is turned off." instead of the held locks', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const s = k.spinLock('s', 0)
    k.run((ctx) => hw.withLocked(ctx, (c) => loose(s)(c, (c2) => looseCtx(c2).mightSleep())))
    expect(kinds(k)).toEqual(['invalid-wait-context', 'sleeping-in-atomic'])
    expect(lines(k.diagnostics[1]?.report).slice(3)).toEqual([
      'RCU nest depth: 0, expected: 0',
      'INFO: lockdep is turned off.',
      'CPU: 0 UID: 0 PID: 1 Comm: task-1',
    ])
  })

  it('without lockdep (CONFIG_LOCKDEP=n): debug_show_held_locks() is an empty stub', () => {
    const k = createKernel({ lockdep: false })
    const s = k.spinLock('s', 0)
    k.run((ctx) => s.withLocked(ctx, (c) => looseCtx(c).mightSleep()))
    expect(lines(only(k, 'sleeping-in-atomic').report).slice(4)).toEqual(['CPU: 0 UID: 0 PID: 1 Comm: task-1'])
  })
})

describe('MAX_LOCK_DEPTH and Nested lock was not taken', () => {
  it('MAX_LOCK_DEPTH: no banner, the held locks, debug_show_all_locks() finding lockdep off, dump_stack()', () => {
    const k = createKernel()
    const locks = Array.from({ length: 48 }, (_, i) => k.rawSpinLock(`r${i}`, 0))
    const nest = (ctx: unknown, i: number): unknown => (i === locks.length ? i : loose(locks[i] as object)(ctx, (c) => nest(c, i + 1)))
    k.run((ctx) => nest(ctx, 0))
    const l = lines(only(k, 'max-lock-depth').report)
    expect(l.slice(0, 4)).toEqual([
      'BUG: MAX_LOCK_DEPTH too low!',
      'turning off the locking correctness validator.',
      'depth: 48  max: 48!',
      '48 locks held by task-1/1:',
    ])
    expect(l.slice(-2)).toEqual(['INFO: lockdep is turned off.', 'CPU: 0 UID: 0 PID: 1 Comm: task-1'])
  })

  it('Nested lock was not taken: the nest lock name, a stack dump, then "other info" and the held locks', () => {
    const k = createKernel()
    const m1 = k.mutex('m', 0)
    const m2 = k.mutex('m', 0)
    const x = k.mutex('x', 0)
    const n = k.mutex('n', 0)
    const nestLock = (m2 as unknown as Record<string, (ctx: unknown, nest: object, cb: () => number) => number>).withLockedNestLock
    // m; x; nest_lock(m, n) with n not held (the merge needs m on top of the stack).
    k.run((ctx) => m1.withLocked(ctx, (c) => x.withLocked(c, (c2) => nestLock?.call(m2, c2, n, () => 0))))
    const r = only(k, 'nested-lock-not-held').report
    expect(r).toContain(
      [
        'but this task is not holding:',
        'n',
        '',
        'stack backtrace:',
        'CPU: 0 UID: 0 PID: 1 Comm: task-1',
        '',
        'other info that might help us debug this:',
        '2 locks held by task-1/1:',
      ].join('\n'),
    )
  })
})

describe('/proc/lockdep_stats (lockdep_stats_show())', () => {
  it('dynamic-keys follows lock-classes (nr_dynamic_keys: no lockdep_register_key() here, 0)', () => {
    const k = createKernel()
    k.spinLock('a', 0)
    const stats = k.readProc('/proc/lockdep_stats').split('\n')
    expect(stats.slice(0, 2)).toEqual([' lock-classes:                            0 [max: 8192]', ' dynamic-keys:                            0'])
  })
})
