/**
 * An outside audit of #18's shipped kinds (auditkinds), for untyped callers, on both kernels,
 * each case written from the kernel's source (docs/SEMANTICS.md §27; the compile-time side:
 * type-tests/audit-kinds-shipped.test-d.ts):
 * - rt_mutex: kernel/locking/rtmutex_api.c, rtmutex.c;
 * - percpu_rw_semaphore: include/linux/percpu-rwsem.h, kernel/locking/percpu-rwsem.c;
 * - bit_spin_lock: include/linux/bit_spinlock.h;
 * - the seed's SpinLockIrq designs: include/linux/spinlock_api_smp.h, spinlock_rt.h.
 */
import { describe, expect, it } from 'vitest'
import {
  BIT_SPIN_LOCK,
  createKernel,
  DeadlockError,
  defineModel,
  explore,
  type Op,
  PERCPU_RW_SEMAPHORE,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../../src/index.js'
import { counters, kinds, loose } from '../locks/helpers.js'

const MIGHT_SLEEP = 'sleeping-in-atomic'
const WAIT_CTX = 'invalid-wait-context'
/** What the CPU shows inside a section. */
const inside = (k: ReturnType<typeof createKernel>) => ({ ...counters(k.cpu(0)), held: k.heldLocks(0) })
/** A model lock method as untyped JavaScript calls it. */
type LooseOp = (ctx: unknown, cb: (ctx: unknown) => Op<void>) => Op<void>
const looseOp = (lock: object, method: string): LooseOp => {
  const f = Reflect.get(lock, method) as LooseOp
  return (ctx, cb) => f.call(lock, ctx, cb)
}

describe.each([false, true])('shipped kinds against the kernel, preemptRt: %s', (preemptRt) => {
  const kernel = () => createKernel({ preemptRt, proveRawLockNesting: true })

  describe('rt_mutex', () => {
    it('rt_mutex_lock() changes no counter (might_sleep(); mutex_acquire_nest()) and is held, on both kernels', () => {
      const k = kernel()
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      expect(k.run((ctx) => pi.withLocked(ctx, () => inside(k)))).toMatchObject({
        preemptCount: 0,
        irqsDisabled: false,
        migrationDisabled: 0,
        rcuReadLockNesting: 0,
        held: ['pi'],
      })
      expect(k.run(() => inside(k))).toMatchObject({ preemptCount: 0, held: [] })
    })

    it('might_sleep() where the CPU may not sleep; lockdep (LD_WAIT_SLEEP) only where a lock or an interrupt context says so', () => {
      const cases: [string, (k: ReturnType<typeof kernel>, take: (ctx: unknown) => unknown) => void, string[]][] = [
        ['preempt_disable()', (k, take) => k.run((ctx) => ctx.preemptDisable((ctx) => take(ctx))), [MIGHT_SLEEP]],
        ['local_irq_save()', (k, take) => k.run((ctx) => ctx.core.localIrqSave((ctx) => take(ctx))), [MIGHT_SLEEP]],
        ['a spinlock_t', (k, take) => k.run((ctx) => k.spinLock('s', 0).withLocked(ctx, (ctx) => take(ctx))), [MIGHT_SLEEP, WAIT_CTX]],
        [
          'a timer callback (softirq: task_wait_context() LD_WAIT_CONFIG)',
          (k, take) => {
            const t = k.timerSetup('t', (ctx) => void take(ctx))
            k.run((ctx) => t.modTimer(ctx, 1))
            k.advance(2)
          },
          [MIGHT_SLEEP, WAIT_CTX],
        ],
        [
          'an IRQF_NO_THREAD handler',
          (k, take) => {
            k.requestIrq(3, 'dev', (ctx) => void take(ctx), { noThread: true })
            k.raiseIrq(3)
          },
          [MIGHT_SLEEP, WAIT_CTX],
        ],
      ]
      for (const [where, run, expected] of cases) {
        const k = kernel()
        const pi = k.lock(RT_MUTEX, 'pi', 0)
        run(k, (ctx) => loose(pi)(ctx, () => 0))
        expect([where, kinds(k)]).toEqual([where, expected])
      }
    })

    it('rt_mutex_trylock() is fine in atomic task context ("safe to call it from atomic regions"), silent', () => {
      const k = kernel()
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      const raw = k.rawSpinLock('raw', 0)
      expect(k.run((ctx) => raw.withLocked(ctx, (ctx) => pi.withTryLocked(ctx, () => 1)))).toEqual({ taken: true, value: 1 })
      expect(k.run((ctx) => ctx.core.localIrqSave((ctx) => pi.withTryLocked(ctx, () => 2)))).toEqual({ taken: true, value: 2 })
      expect(k.run((ctx) => ctx.localBhDisable((ctx) => pi.withTryLocked(ctx, () => 3)))).toEqual({ taken: true, value: 3 })
      expect(k.diagnostics).toEqual([])
    })

    it('rt_mutex_trylock() in a softirq: WARN_ON_ONCE(!in_task()) and 0, on both kernels (RT serves softirqs in ktimers, still !in_task())', () => {
      const k = kernel()
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      let r: unknown
      const t = k.timerSetup('t', (ctx) => {
        r = loose(pi, 'withTryLocked')(ctx, () => 'taken')
      })
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(2)
      expect(r).toEqual({ taken: false })
      expect(kinds(k)).toEqual(['trylock-in-interrupt'])
    })

    it("rt_mutex_trylock() in a threadable handler: the normal kernel's hardirq WARNs; RT's irq thread is a task (in_task())", () => {
      const k = kernel()
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      let r: unknown
      k.requestIrq(3, 'dev', (ctx) => {
        r = loose(pi, 'withTryLocked')(ctx, () => 'taken')
      })
      k.raiseIrq(3)
      expect(r).toEqual(preemptRt ? { taken: true, value: 'taken' } : { taken: false })
      expect(kinds(k)).toEqual(preemptRt ? [] : ['trylock-in-interrupt'])
    })

    it('rt_mutex_lock_nested(): two instances of one class with subclasses 0 and 1 are silent; without the subclass, recursion', () => {
      const k = kernel()
      const parent = k.lock(RT_MUTEX, 'node', 0)
      const child = k.lock(RT_MUTEX, 'node', 0)
      k.run((ctx) => parent.withLockedNested(ctx, 0, (ctx) => child.withLockedNested(ctx, 1, () => 0)))
      expect(k.diagnostics).toEqual([])
      k.run((ctx) => parent.withLocked(ctx, (ctx) => loose(child)(ctx, () => 0)))
      expect(kinds(k)).toEqual(['recursive-locking'])
    })

    it("ABBA between two rt_mutexes: lockdep's circular dependency (the explorer's deadlock: test/model/defined-kinds.test.ts)", () => {
      const k = kernel()
      const a = k.lock(RT_MUTEX, 'a', 0)
      const b = k.lock(RT_MUTEX, 'b', 0)
      k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
      k.run((ctx) => b.withLocked(ctx, (ctx) => loose(a)(ctx, () => 0)))
      expect(kinds(k)).toEqual(['circular-dependency'])
    })
  })

  describe('percpu_rw_semaphore', () => {
    it('percpu_down_read(): preempt_disable() … preempt_enable() inside the call, so no counter changes; held', () => {
      const k = kernel()
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
      expect(k.run((ctx) => sem.withRead(ctx, () => inside(k)))).toMatchObject({ preemptCount: 0, irqsDisabled: false, held: ['cpu_hotplug_lock'] })
      expect(k.run((ctx) => sem.withWrite(ctx, () => inside(k)))).toMatchObject({ preemptCount: 0, held: ['cpu_hotplug_lock'] })
    })

    it('under a spinlock_t: might_sleep() only — its map is LD_WAIT_INV (lockdep_init_map()), which lockdep does not wait-check', () => {
      const k = kernel()
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
      const s = k.spinLock('s', 0)
      k.run((ctx) => s.withLocked(ctx, (ctx) => loose(sem, 'withWrite')(ctx, () => 0)))
      expect(kinds(k)).toEqual([MIGHT_SLEEP])
    })

    it('percpu_down_read_trylock(): no might_sleep(), no context check — under a raw spinlock, in a hardirq, in a softirq; a trylock in hardirq marks no usage', () => {
      const k = kernel()
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
      const raw = k.rawSpinLock('raw', 0)
      const got: unknown[] = []
      got.push(k.run((ctx) => raw.withLocked(ctx, (ctx) => sem.withTryRead(ctx, () => inside(k).held))))
      k.requestIrq(3, 'dev', (ctx) => void got.push(sem.withTryRead(ctx, () => 'hardirq')), { noThread: true })
      k.raiseIrq(3)
      const t = k.timerSetup('t', (ctx) => void got.push(sem.withTryRead(ctx, () => 'softirq')))
      k.run((ctx) => t.modTimer(ctx, 1))
      k.advance(2)
      // mark_usage(): "If non-trylock use in a hardirq or softirq context": no IN-HARDIRQ-R, so a writer with interrupts on is fine.
      k.run((ctx) => sem.withWrite(ctx, () => 0))
      expect(got).toEqual([
        { taken: true, value: ['raw', 'cpu_hotplug_lock'] },
        { taken: true, value: 'hardirq' },
        { taken: true, value: 'softirq' },
      ])
      expect(k.diagnostics).toEqual([])
    })

    it('percpu_down_read_trylock() fails while the write side is held (sem->block); a recursive read trylock is taken and lockdep-silent', () => {
      const k = kernel()
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
      expect(k.run((ctx) => sem.withWrite(ctx, (ctx) => loose(sem, 'withTryRead')(ctx, () => 'taken')))).toEqual({ taken: false })
      expect(k.run((ctx) => sem.withRead(ctx, (ctx) => sem.withTryRead(ctx, () => 'taken')))).toEqual({ taken: true, value: 'taken' })
      expect(k.diagnostics).toEqual([])
    })

    it('the write side inside its own read: lockdep reports the recursion, and the writer waits for its own reader for ever', () => {
      const k = kernel()
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
      expect(() => k.run((ctx) => sem.withRead(ctx, (ctx) => loose(sem, 'withWrite')(ctx, () => 0)))).toThrow(DeadlockError)
      expect(kinds(k)).toEqual(['recursive-locking', 'deadlock'])
      expect(k.diagnostics[1]?.title).toBe('INFO: task task-1:1 blocked for more than 120 seconds.')
    })

    it('a recursive read with a writer waiting in between deadlocks (percpu_down_write() sets sem->block first): the explorer finds it with lockdep off', () => {
      const recursive = (twice: boolean) =>
        defineModel(
          (k) => {
            const sem = k.lock(PERCPU_RW_SEMAPHORE, 'cpu_hotplug_lock', 0)
            k.task('reader', { cpu: 0 }, function* (ctx) {
              yield* sem.withRead(ctx, function* (ctx) {
                yield* k.cpuRelax(ctx)
                if (twice) yield* looseOp(sem, 'withRead')(ctx, function* () {})
              })
            })
            k.task('writer', { cpu: 1 }, function* (ctx) {
              yield* sem.withWrite(ctx, function* () {})
            })
          },
          { cpus: 2, preemptRt, lockdep: false },
        )
      const bad = explore(recursive(true), { stopOnFailure: false }).kernels.find((r) => r.kernel === (preemptRt ? 'rt' : 'normal'))
      expect(bad?.counterexamples.map((c) => c.title)).toEqual(['INFO: task reader:1 blocked for more than 120 seconds.'])
      const good = explore(recursive(false), { stopOnFailure: false }).kernels.find((r) => r.kernel === (preemptRt ? 'rt' : 'normal'))
      expect([good?.exhausted, good?.counterexamples]).toEqual([true, []])
    })
  })

  describe('bit_spin_lock', () => {
    it('anything that may sleep inside it: might_sleep() on both kernels, lockdep never (it does not know the bit is held)', () => {
      const k = kernel()
      const b = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
      const m = k.mutex('m', 0)
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      k.run((ctx) => b.withLocked(ctx, (ctx) => loose(m)(ctx, () => 0)))
      k.run((ctx) => b.withLocked(ctx, (ctx) => loose(pi)(ctx, () => 0)))
      expect(kinds(k)).toEqual([MIGHT_SLEEP, MIGHT_SLEEP])
    })

    it('a raw_spinlock_t inside it and it inside a spinlock_t or a mutex: silent on both kernels', () => {
      const k = kernel()
      const b = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
      const raw = k.rawSpinLock('raw', 0)
      const s = k.spinLock('s', 0)
      const m = k.mutex('m', 0)
      k.run((ctx) => b.withLocked(ctx, (ctx) => raw.withLocked(ctx, () => 0)))
      k.run((ctx) => s.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
      k.run((ctx) => m.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
      expect(k.diagnostics).toEqual([])
    })

    it('taken again on its CPU: no spin_bug() (no DEBUG_SPINLOCK owner), the soft lockup watchdog — preemption is off, interrupts on', () => {
      for (const lockdep of [true, false]) {
        const k = createKernel({ preemptRt, lockdep })
        const b = k.lock(BIT_SPIN_LOCK, 'hlist_bl', 0)
        expect(() => k.run((ctx) => b.withLocked(ctx, (ctx) => loose(b)(ctx, () => 0)))).toThrow(DeadlockError)
        expect(k.diagnostics.map((d) => d.title)).toEqual(['watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [task-1:1]'])
        expect(k.run(() => inside(k)).preemptCount).toBe(0)
      }
    })

    it('ABBA on two bit locks on two CPUs: lockdep silent, the explorer finds the lockup', () => {
      const model = defineModel(
        (k) => {
          const a = k.lock(BIT_SPIN_LOCK, 'a', 0)
          const b = k.lock(BIT_SPIN_LOCK, 'b', 0)
          k.task('t0', { cpu: 0 }, function* (ctx) {
            yield* a.withLocked(ctx, function* (ctx) {
              yield* b.withLocked(ctx, function* () {})
            })
          })
          k.task('t1', { cpu: 1 }, function* (ctx) {
            yield* b.withLocked(ctx, function* (ctx) {
              yield* looseOp(a, 'withLocked')(ctx, function* () {})
            })
          })
        },
        { cpus: 2, preemptRt },
      )
      const r = explore(model, { stopOnFailure: false }).kernels.find((x) => x.kernel === (preemptRt ? 'rt' : 'normal'))
      const found = r?.counterexamples ?? []
      expect(found.map((c) => c.kind)).toEqual(['deadlock'])
      expect(found[0]?.title).toMatch(/^watchdog: BUG: soft lockup - CPU#[01] stuck for 22s!/)
    })
  })

  describe("the seed's SpinLockIrq designs", () => {
    it('v6 under a raw spinlock with interrupts off: lockdep sees spinlock_t under raw_spinlock_t on both kernels; RT also might_resched', () => {
      const k = kernel()
      const q = k.lock(SPIN_LOCK_IRQ_V6, 'q', 0)
      const raw = k.rawSpinLock('raw', 0)
      k.run((ctx) => raw.withLockedIrqSave(ctx, (ctx) => loose(q)(ctx, () => 0)))
      expect(kinds(k)).toEqual(preemptRt ? [WAIT_CTX, MIGHT_SLEEP] : [WAIT_CTX])
    })

    it("the irqsave mapping: spin_lock_irqsave()'s counters on a normal kernel, rt_spin_lock()'s on RT (flags = 0)", () => {
      const k = kernel()
      const q = k.lock(SPIN_LOCK_IRQ_SAVE, 'q', 0)
      const seen = k.run((ctx) => q.withLocked(ctx, () => inside(k)))
      expect(seen).toMatchObject(
        preemptRt
          ? { preemptCount: 0, irqsDisabled: false, migrationDisabled: 1, rcuReadLockNesting: 1 }
          : { preemptCount: 1, irqsDisabled: true, migrationDisabled: 0, rcuReadLockNesting: 0 },
      )
    })

    it('the irqsave mapping in a threadable handler is fine on both kernels; in an IRQF_NO_THREAD one, an invalid wait context (and on RT might_resched)', () => {
      const k = kernel()
      const q = k.lock(SPIN_LOCK_IRQ_SAVE, 'q', 0)
      k.requestIrq(3, 'dev', (ctx) => void q.withLocked(ctx, () => 0))
      k.raiseIrq(3)
      expect(k.diagnostics).toEqual([])
      k.requestIrq(4, 'timer', (ctx) => void loose(q)(ctx, () => 0), { noThread: true })
      k.raiseIrq(4)
      expect(kinds(k)).toEqual(preemptRt ? [WAIT_CTX, MIGHT_SLEEP] : [WAIT_CTX])
    })

    it('counted guards: one interrupt-disable count per guard on a normal kernel, none on RT; any drop order leaves the CPU as it was', () => {
      const k = kernel()
      const a = k.lock(SPIN_LOCK_IRQ_COUNTED, 'a', 0)
      const b = k.lock(SPIN_LOCK_IRQ_COUNTED, 'b', 0)
      const seen = k.run((ctx) => {
        const ga = a.lock(ctx)
        const gb = b.lock(ga.ctx)
        const both = inside(k)
        ga.unlock()
        const afterA = inside(k)
        gb.unlock()
        return [both.preemptCount, both.irqsDisabled, afterA.preemptCount, afterA.irqsDisabled, inside(k).preemptCount, inside(k).irqsDisabled]
      })
      expect(seen).toEqual(preemptRt ? [0, false, 0, false, 0, false] : [2, true, 1, true, 0, false])
      expect(k.diagnostics).toEqual([])
    })
  })
})
