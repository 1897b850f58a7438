/**
 * lockdep's maps on the held-lock stack (docs/SEMANTICS.md §6.3): rcu_read_lock()'s
 * `rcu_lock_map` (check == 0) on both kernels, PREEMPT_RT's `bh_lock_map` ("local_bh",
 * check == 1, LD_LOCK_PERCPU) at every local_bh_disable(). Each with its silent twin.
 */
import { describe, expect, it } from 'vitest'
import { type Context, createKernel, type CtxState, KernelSplat } from '../../src/index.js'
import { TITLES, kinds, loose, only } from './helpers.js'
import { Cpu, type CpuHost } from '../../src/machine/cpu.js'
import { HeldMaps } from '../../src/lockdep/held-maps.js'
import { Lockdep } from '../../src/lockdep/validator.js'
import { HeldLocks } from '../../src/locks/held.js'
import { createMachine } from '../../src/machine/machine.js'
import { resolveOptions } from '../../src/options.js'

const RCU = ' (rcu_read_lock){....}-{1:3}, rcu_read_lock()'
const BH = ' (local_bh){.+.+}-{1:3}, local_bh_disable()'

/** `depth` nested rcu_read_lock() sections around `inner`. */
const nestRcu = (ctx: Context<CtxState>, depth: number, inner: (ctx: Context<CtxState>) => void): void => {
  if (depth === 0) inner(ctx)
  else ctx.rcuReadLock((c) => nestRcu(c as Context<CtxState>, depth - 1, inner))
}

describe.each([false, true])('rcu_read_lock() in held-lock lists, preemptRt=%s', (preemptRt) => {
  it('a report inside an RCU section lists (rcu_read_lock){....}-{1:3} below the locks', () => {
    const k = createKernel({ preemptRt })
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.run((ctx) => ctx.rcuReadLock((c) => a.withLocked(c, (c2) => loose(a2)(c2, () => 0))))
    const d = only(k, 'recursive-locking')
    expect(d.report).toContain(`2 locks held by task-1/1:\n #0:${RCU}\n #1: (a){+.+.}-{2:2}, raw_spinlock_t 'a'`)
    // The diagnostic's own list names the locks only.
    expect(d.heldLocks).toEqual(['a'])
  })

  it('without PROVE_RAW_LOCK_NESTING the map is {1:2} (LD_WAIT_CONFIG is LD_WAIT_SPIN)', () => {
    const k = createKernel({ preemptRt, proveRawLockNesting: false })
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.run((ctx) => ctx.rcuReadLock((c) => a.withLocked(c, (c2) => loose(a2)(c2, () => 0))))
    expect(only(k, 'recursive-locking').report).toContain(' #0: (rcu_read_lock){....}-{1:2}, rcu_read_lock()\n #1: (a){+.+.}-{2:2}')
  })

  it('every nesting level is an entry: 48 entries (47 RCU sections and a lock) hit MAX_LOCK_DEPTH', () => {
    const k = createKernel({ preemptRt })
    const r = k.rawSpinLock('r', {})
    k.run((ctx) => nestRcu(ctx, 47, (c) => loose(r)(c, () => 0)))
    const d = only(k, 'max-lock-depth')
    expect(d.depth).toBe(48)
    expect(d.report).toContain(`48 locks held by task-1/1:\n #0:${RCU}\n #1:${RCU}`)
    expect(d.report).toContain(` #46:${RCU}\n #47: (r){+.+.}-{2:2}, raw_spinlock_t 'r'`)
    expect(k.lockdepStats().active).toBe(false)
  })

  it("onDiagnostic 'throw': the 48th rcu_read_lock() throws the report and is not entered (state restored)", () => {
    const k = createKernel({ preemptRt, onDiagnostic: 'throw' })
    k.run((ctx) => {
      expect(() => nestRcu(ctx, 48, () => undefined)).toThrow(KernelSplat)
      expect(k.cpu(0).current.rcuReadLockNesting).toBe(0)
      // Nothing left on the stack (lockdep is off now: a new section adds no entry either).
      const a = k.rawSpinLock('a', {})
      expect(() => ctx.rcuReadLock((c) => a.withLocked(c, (c2) => loose(a)(c2, () => 0)))).toThrow(KernelSplat)
    })
    expect(kinds(k)).toEqual(['max-lock-depth', 'deadlock'])
    expect(k.diagnostics[1]?.report).toMatch(/\n1 lock held by task-1\/1:\n #0: \(a\)[^\n]*$/)
  })

  it('silent twin: 47 nested RCU sections are 47 entries, below the limit', () => {
    const k = createKernel({ preemptRt })
    k.run((ctx) => nestRcu(ctx, 47, () => undefined))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().active).toBe(true)
  })

  it('silent twin: a spinning lock inside an RCU section (outer SPIN/CONFIG <= inner CONFIG); the chain key includes the map, no dependency', () => {
    const k = createKernel({ preemptRt })
    const raw = k.rawSpinLock('raw', {})
    k.run((ctx) => ctx.rcuReadLock((c) => raw.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    // rcu_read_lock's own chain (check == 0) is not cached; the lock's chain holds both classes.
    expect(k.readProc('/proc/lockdep_chains').split('\n')).toEqual([
      'all lock chains:',
      'irq_context: 0',
      '[ffffffff82000010] rcu_read_lock',
      '[ffffffff82000020] raw',
      '',
      '',
    ])
    expect(k.lockdepStats()).toMatchObject({ chains: 1, dependencies: 0, classes: 2 })
  })

  it('dependencies are made past the map: a, rcu, b gives a -> b, so b then a is a cycle', () => {
    const k = createKernel({ preemptRt })
    const a = k.rawSpinLock('a', {})
    const b = k.rawSpinLock('b', {})
    k.run((ctx) => a.withLocked(ctx, (c) => c.rcuReadLock((c2) => b.withLocked(c2, () => 0))))
    expect(k.lockdepStats().dependencies).toBe(1)
    // distance 2: /proc/lockdep lists only distance-1 dependencies.
    expect(k.readProc('/proc/lockdep')).not.toContain(' -> ')
    k.run((ctx) => b.withLocked(ctx, (c) => loose(a)(c, () => 0)))
    expect(only(k, 'circular-dependency').title).toBe(TITLES.circular)
  })

  it('a sleeping lock inside RCU: might_sleep() reports first, then lock_acquire() the invalid wait context', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    k.run((ctx) => ctx.rcuReadLock((c) => loose(m)(c, () => 0)))
    expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
    const [sleep, wait] = k.diagnostics
    // __might_resched(): preemptible RCU shows in the nest depth, not in preempt_count; its
    // add_taint(TAINT_WARN, LOCKDEP_STILL_OK) leaves lockdep on for the second report.
    expect(sleep?.report).toContain(`RCU nest depth: 1, expected: 0\n1 lock held by task-1/1:\n #0:${RCU}`)
    expect(wait?.report).toContain(`task-1/1 is trying to lock:\n (m){....}-{4:4}, mutex\nother info that might help us debug this:\ncontext-{5:5}`)
    expect(wait?.report).toContain(`context-{5:5}\n1 lock held by task-1/1:\n #0:${RCU}`)
    expect(wait).toMatchObject({ context: 'rcu_read_lock()' })
    expect(k.lockdepStats().active).toBe(false)
  })

  it('silent twin: RCU inside the mutex', () => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    k.run((ctx) => m.withLocked(ctx, (c) => c.rcuReadLock(() => 0)))
    expect(k.diagnostics).toEqual([])
  })

  it('rcu_read_lock() in an NMI handler adds no entry (lockdep_off())', () => {
    const k = createKernel({ preemptRt })
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.requestNmi('perf', (ctx) => (ctx as unknown as Context<CtxState>).rcuReadLock(() => 0))
    k.run((ctx) =>
      a.withLocked(ctx, (c) => {
        c.raiseNmi('perf')
        loose(a2)(c, () => 0)
      }),
    )
    expect(only(k, 'recursive-locking').report).toContain("1 lock held by task-1/1:\n #0: (a){+.+.}-{2:2}, raw_spinlock_t 'a'\n")
  })
})

describe('PREEMPT_RT: the RCU entry inside rt_spin_lock()', () => {
  it.each([false, true])('spin_lock() lists the lock, then rcu_read_lock on RT only (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const s = k.spinLock('s', {})
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.run((ctx) => s.withLocked(ctx, (c) => a.withLocked(c, (c2) => loose(a2)(c2, () => 0))))
    const held = preemptRt
      ? `3 locks held by task-1/1:\n #0: (s){+.+.}-{3:3}, spinlock_t 's'\n #1:${RCU}\n #2: (a){+.+.}-{2:2}`
      : `2 locks held by task-1/1:\n #0: (s){+.+.}-{3:3}, spinlock_t 's'\n #1: (a){+.+.}-{2:2}`
    expect(only(k, 'recursive-locking').report).toContain(held)
  })

  it('the chain of a lock taken inside a spinlock_t holds the hidden entry; the dependency is s -> t on both kernels', () => {
    for (const preemptRt of [false, true]) {
      const k = createKernel({ preemptRt })
      const s = k.spinLock('s', {})
      const t = k.spinLock('t', {})
      k.run((ctx) => s.withLocked(ctx, (c) => t.withLocked(c, () => 0)))
      expect(k.diagnostics).toEqual([])
      expect(k.lockdepStats().dependencies).toBe(1)
      const chains = k.readProc('/proc/lockdep_chains')
      if (preemptRt) expect(chains).toContain('irq_context: 0\n[ffffffff82000010] s\n[ffffffff82000020] rcu_read_lock\n[ffffffff82000030] t\n')
      else expect(chains).toContain('irq_context: 0\n[ffffffff82000010] s\n[ffffffff82000020] t\n')
    }
  })

  it('a mutex inside spinlock_t on RT: the lock, not its RCU entry, is named as the limit', () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', {})
    const m = k.mutex('m', {})
    k.run((ctx) => s.withLocked(ctx, (c) => loose(m)(c, () => 0)))
    const d = only(k, 'invalid-wait-context')
    expect(d).toMatchObject({ context: "spinlock_t 's'" })
    expect(d.report).toContain(`2 locks held by task-1/1:\n #0: (s){+.+.}-{3:3}, spinlock_t 's'\n #1:${RCU}`)
  })
})

describe('PREEMPT_RT: local_bh (bh_lock_map)', () => {
  it.each([false, true])('a sleeping lock under local_bh_disable() (preemptRt=%s)', (preemptRt) => {
    const k = createKernel({ preemptRt })
    const m = k.mutex('m', {})
    k.run((ctx) => ctx.localBhDisable((c) => loose(m)(c, () => 0)))
    if (preemptRt) {
      // local_bh first (every __local_bh_disable_ip()), then the first entry's rcu_read_lock().
      expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
      const wait = k.diagnostics[1]
      expect(wait?.report).toContain(`context-{5:5}\n2 locks held by task-1/1:\n #0:${BH}\n #1:${RCU}`)
      expect(wait).toMatchObject({ context: 'local_bh_disable()' })
    } else {
      // No map on a normal kernel: preempt_count's SOFTIRQ bits make only might_sleep() report.
      expect(kinds(k)).toEqual(['sleeping-in-atomic'])
      expect(k.diagnostics[0]?.report).toContain('preempt_count: 200, expected: 0\nRCU nest depth: 0, expected: 0\nno locks held by task-1/1.')
      expect(k.lockdepStats().active).toBe(true)
    }
  })

  it('every local_bh_disable() is an entry (read == 2, so nesting is no recursion); only the first adds rcu_read_lock', () => {
    const k = createKernel({ preemptRt: true })
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.run((ctx) => ctx.localBhDisable((c) => c.localBhDisable((c2) => a.withLocked(c2, (c3) => loose(a2)(c3, () => 0)))))
    expect(only(k, 'recursive-locking').report).toContain(`4 locks held by task-1/1:\n #0:${BH}\n #1:${RCU}\n #2:${BH}\n #3: (a)`)
  })

  it('check == 1: local_bh gets usage and dependencies (local_bh -> s), unlike rcu_read_lock', () => {
    const k = createKernel({ preemptRt: true })
    const s = k.spinLock('s', {})
    k.run((ctx) => ctx.localBhDisable((c) => s.withLocked(c, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(1)
    const classes = k.readProc('/proc/lockdep')
    expect(classes).toContain(' .+.+: local_bh\n')
    expect(classes).toContain(' ....: rcu_read_lock\n')
  })

  it('a hardirq-safe raw lock with local_bh_disable() under it: no irq inversion (LD_LOCK_PERCPU: usage_skip())', () => {
    const k = createKernel({ preemptRt: true })
    const r = k.rawSpinLock('r', {})
    k.requestIrq(3, 'dev', (ctx) => r.withLocked(ctx, () => 0), { noThread: true })
    k.run((ctx) => ctx.raiseIrq(3))
    // Untyped: the types refuse local_bh_disable() with interrupts off (lockdep_assert_irqs_enabled()).
    k.run((ctx) => r.withLockedIrqSave(ctx, (c) => (c as unknown as { localBhDisable(cb: () => number): number }).localBhDisable(() => 0)))
    k.run((ctx) => ctx.localBhDisable(() => 0))
    // Only __local_bh_enable_ip()'s assertion: the r -> local_bh dependency is skipped by the usage search.
    expect(k.diagnostics.map((d) => d.title)).toEqual(['WARNING: kernel/softirq.c at __local_bh_enable_ip(): lockdep_assert_irqs_enabled()'])
    expect(k.lockdepStats().dependencies).toBe(1)
  })

  it('the softirqs run from local_bh_enable() under the RCU entry, local_bh released first', () => {
    const k = createKernel({ preemptRt: true })
    const a = k.rawSpinLock('a', {})
    const a2 = k.rawSpinLock('a', {})
    k.openSoftirq('NET_RX', (ctx) => a.withLocked(ctx, (c) => loose(a2)(c, () => 0)))
    k.run((ctx) => ctx.localBhDisable((c) => c.raiseSoftirq('NET_RX')))
    expect(only(k, 'recursive-locking').report).toContain(`2 locks held by task-1/1:\n #0:${RCU}\n #1: (a)`)
  })
})

describe('a map release in NMI', () => {
  /** A bare CPU whose maps are the kernel's HeldMaps, on a machine of its own. */
  const bare = () => {
    const machine = createMachine({ cpus: 1 })
    const lockdep = new Lockdep(resolveOptions({}), () => undefined, machine.locks)
    const maps = new HeldMaps(lockdep, new HeldLocks())
    const fail = (): never => {
      throw new Error('counting error')
    }
    const host: CpuHost = {
      preemptRt: false,
      forceIrqThreads: false,
      countingError: fail,
      tracing: false,
      trace: () => undefined,
      traceIrqflags: true,
      proofsMayBeFalse: () => undefined,
      warn: () => undefined,
      lockMapAcquire: (cpu, map) => maps.acquire(cpu, map),
      lockMapRelease: (cpu, map) => maps.release(cpu, map),
    }
    const state = machine.cpus[0]
    if (state === undefined) throw new Error('no CPU 0')
    return { cpu: new Cpu(state, host), maps, state }
  }

  it("returns at once (lockdep_off()): the interrupted code's rcu_read_lock entry stays", () => {
    const { cpu, maps, state } = bare()
    cpu.rcuReadLock()
    expect(state.current.held.map((h) => h.name)).toEqual(['rcu_read_lock'])
    cpu.nmiEnter()
    // An unbalanced release in NMI, with no acquisition skipped there: lock_release() returns.
    maps.release(cpu, 'rcu_read_lock')
    expect(state.current.held.map((h) => h.name)).toEqual(['rcu_read_lock'])
    cpu.nmiExit()
    cpu.rcuReadUnlock()
    expect(state.current.held).toEqual([])
  })

  it('an acquisition in NMI is not pushed, and its release pops nothing', () => {
    const { cpu, state } = bare()
    cpu.rcuReadLock()
    cpu.nmiEnter()
    cpu.rcuReadLock()
    expect(state.current.held).toHaveLength(1)
    cpu.rcuReadUnlock()
    expect(state.current.held).toHaveLength(1)
    cpu.nmiExit()
    cpu.rcuReadUnlock()
    expect(state.current.held).toEqual([])
  })
})
