/**
 * The kinds lockproof ships beyond the seven built-ins (src/kinds/shipped/), each defined
 * through the public defineLockKind(), on both kernels: their steps, what lockdep sees of them
 * (or does not: bit_spin_lock has no lockdep map), and their trylock rule.
 */
import { describe, expect, it } from 'vitest'
import {
  BIT_SPIN_LOCK,
  createKernel,
  DeadlockError,
  PERCPU_RW_SEMAPHORE,
  ProofRequiredError,
  RT_MUTEX,
  SPIN_LOCK_IRQ_COUNTED,
  SPIN_LOCK_IRQ_SAVE,
  SPIN_LOCK_IRQ_V6,
} from '../../src/index.js'
import { loose, looseCtx } from '../locks/helpers.js'

type Kernel = ReturnType<typeof createKernel>
const kinds = (k: Kernel) => k.diagnostics.map((d) => d.kind)
/** What the CPU shows inside a section. */
const inside = (k: Kernel) => ({ preemptCount: k.cpu(0).preemptCount, irqsDisabled: k.cpu(0).irqsDisabled, held: k.heldLocks(0) })

describe.each([false, true])('shipped kinds, preemptRt: %s', (preemptRt) => {
  describe('rt_mutex (kernel/locking/rtmutex_api.c)', () => {
    it('sleeps on both kernels: may sleep inside, lockdep holds it as LD_WAIT_SLEEP {4:4}', () => {
      const k = createKernel({ preemptRt, proveRawLockNesting: true })
      const pi = k.lock(RT_MUTEX, 'pi', { n: 0 })
      const s = k.spinLock('s', 0)
      k.run((ctx) =>
        pi.withLocked(ctx, (ctx, d) => {
          ctx.msleep(5)
          d.n = 1
        }),
      )
      expect(k.clockMs).toBe(5)
      expect(k.diagnostics).toEqual([])
      // Under a spinlock_t: might_sleep() and lockdep's wait-context check, as for a mutex.
      k.run((ctx) => s.withLocked(ctx, (ctx) => loose(pi)(ctx, () => 0)))
      expect(kinds(k)).toEqual(['sleeping-in-atomic', 'invalid-wait-context'])
      expect(k.diagnostics[1]?.report).toMatch(/ \(pi\)\{[^}]*\}-\{4:4\}, rt_mutex\n/)
    })

    it('rt_mutex_trylock() outside task context: WARN_ON_ONCE(!in_task()) and not taken, on both kernels', () => {
      const k = createKernel({ preemptRt })
      const pi = k.lock(RT_MUTEX, 'pi', 0)
      let r: unknown
      k.requestIrq(
        3,
        'dev',
        (ctx) => {
          r = loose(pi, 'withTryLocked')(ctx, () => 'taken')
        },
        { noThread: true },
      )
      k.raiseIrq(3)
      expect(r).toEqual({ taken: false })
      expect(kinds(k)).toEqual(['trylock-in-interrupt'])
      expect(k.diagnostics[0]?.title).toContain('kernel/locking/rtmutex_api.c rt_mutex_trylock: WARN_ON_ONCE(!in_task())')
      expect(k.diagnostics[0]?.report).toContain('rt_mutex_trylock(pi) outside task context: refused (returns 0).')
      // In a task it is taken.
      expect(k.run((ctx) => pi.withTryLocked(ctx, () => 'taken'))).toEqual({ taken: true, value: 'taken' })
    })
  })

  describe('percpu_rw_semaphore (include/linux/percpu-rwsem.h)', () => {
    it('readers and the writer sleep; lockdep tracks it, but its map is LD_WAIT_INV: no wait-context report', () => {
      const k = createKernel({ preemptRt, proveRawLockNesting: true })
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'hotplug', { online: 4 })
      expect(
        k.run((ctx) =>
          sem.withRead(ctx, (ctx, d) => {
            ctx.msleep(1)
            return inside(k).held.concat(String(d.online))
          }),
        ),
      ).toEqual(['hotplug', '4'])
      k.run((ctx) =>
        sem.withWrite(ctx, (_ctx, d) => {
          d.online = 3
        }),
      )
      expect(k.diagnostics).toEqual([])
      // Under a raw_spinlock_t: might_sleep() reports; lockdep does not (an rw_semaphore adds 'invalid-wait-context').
      const raw = k.rawSpinLock('raw', 0)
      k.run((ctx) => raw.withLocked(ctx, (ctx) => loose(sem, 'withRead')(ctx, () => 0)))
      expect(kinds(k)).toEqual(['sleeping-in-atomic'])
      const rwsem = k.rwSemaphore('rwsem', 0)
      k.run((ctx) => raw.withLocked(ctx, (ctx) => loose(rwsem, 'withRead')(ctx, () => 0)))
      expect(kinds(k)).toEqual(['sleeping-in-atomic', 'sleeping-in-atomic', 'invalid-wait-context'])
    })

    it('a recursive read is reported by lockdep (rwsem_acquire_read(): read = 1, not recursive)', () => {
      const k = createKernel({ preemptRt })
      const sem = k.lock(PERCPU_RW_SEMAPHORE, 'hotplug', 0)
      k.run((ctx) => sem.withRead(ctx, (ctx) => loose(sem, 'withRead')(ctx, () => 0)))
      expect(kinds(k)).toEqual(['recursive-locking'])
    })
  })

  describe('bit_spin_lock (include/linux/bit_spinlock.h)', () => {
    it('preemption off on both kernels, interrupts untouched, and no lockdep map: on no held-lock list', () => {
      const k = createKernel({ preemptRt })
      const b = k.lock(BIT_SPIN_LOCK, 'bucket', 0)
      expect(k.run((ctx) => b.withLocked(ctx, () => inside(k)))).toEqual({ preemptCount: 1, irqsDisabled: false, held: [] })
      expect(k.run(() => inside(k))).toEqual({ preemptCount: 0, irqsDisabled: false, held: [] })
      expect(k.lockdepStats().classes).toBe(0)
    })

    it('a spinlock_t inside it: lockdep never says so; on RT __might_resched() does (preemption is off)', () => {
      const k = createKernel({ preemptRt, proveRawLockNesting: true })
      const b = k.lock(BIT_SPIN_LOCK, 'bucket', 0)
      const s = k.spinLock('s', 0)
      k.run((ctx) => b.withLocked(ctx, (ctx) => loose(s)(ctx, () => 0)))
      expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
      // The nearest lockdep-visible lock, raw_spinlock_t, is caught by lockdep too.
      const raw = k.rawSpinLock('raw', 0)
      k.clearDiagnostics()
      k.run((ctx) => raw.withLocked(ctx, (ctx) => loose(s)(ctx, () => 0)))
      expect(kinds(k)).toContain('invalid-wait-context')
    })

    it('taken twice spins forever: the deadlock, with no lockdep report; bit_spin_trylock() fails instead', () => {
      const k = createKernel({ preemptRt })
      const b = k.lock(BIT_SPIN_LOCK, 'bucket', 0)
      expect(k.run((ctx) => b.withLocked(ctx, (ctx) => b.withTryLocked(ctx, () => 'taken')))).toEqual({ taken: false })
      expect(() => k.run((ctx) => b.withLocked(ctx, (ctx) => loose(b)(ctx, () => 0)))).toThrow(DeadlockError)
      expect(kinds(k)).not.toContain('recursive-locking')
      expect(k.run(() => inside(k)).preemptCount).toBe(0)
    })
  })

  describe('the three SpinLockIrq designs (the seed thread)', () => {
    it('v6 (IrqDisabled token + spin_lock()): refused without the proof, nothing taken', () => {
      const k = createKernel({ preemptRt })
      const q = k.lock(SPIN_LOCK_IRQ_V6, 'q', 0)
      expect(() => k.run((ctx) => loose(q)(ctx, () => 0))).toThrow(ProofRequiredError)
      expect(() => k.run((ctx) => loose(q)(ctx, () => 0))).toThrow("withLocked(q): SpinLockIrq[v6] 'q' requires a context that proves IrqDisabled")
      expect(k.run(() => inside(k))).toEqual({ preemptCount: 0, irqsDisabled: false, held: [] })
    })

    it("v6 with interrupts off: fine on a normal kernel, the 'might_sleep()' splat tglx predicted on RT", () => {
      const k = createKernel({ preemptRt })
      const q = k.lock(SPIN_LOCK_IRQ_V6, 'q', 0)
      const seen = k.run((ctx) => ctx.core.localIrqSave((ctx) => loose(q)(ctx, () => inside(k))))
      expect(seen).toEqual(preemptRt ? { preemptCount: 0, irqsDisabled: true, held: ['q'] } : { preemptCount: 1, irqsDisabled: true, held: ['q'] })
      expect(kinds(k)).toEqual(preemptRt ? ['sleeping-in-atomic'] : [])
      if (preemptRt) expect(k.diagnostics[0]?.title).toContain('BUG: sleeping function called from invalid context')
    })

    it('the accepted irqsave mapping: a callback only; interrupts off inside on a normal kernel, on on RT', () => {
      const k = createKernel({ preemptRt })
      const q = k.lock(SPIN_LOCK_IRQ_SAVE, 'q', 0)
      expect(k.run((ctx) => q.withLocked(ctx, () => inside(k)).irqsDisabled)).toBe(!preemptRt)
      expect('lock' in q).toBe(false)
      expect(k.diagnostics).toEqual([])
    })

    it("counted guards: #998's drop order (outer guard first) keeps interrupts off until the last guard", () => {
      const k = createKernel({ preemptRt })
      const a = k.lock(SPIN_LOCK_IRQ_COUNTED, 'a', 0)
      const b = k.lock(SPIN_LOCK_IRQ_COUNTED, 'b', 0)
      const states = k.run((ctx) => {
        const ga = a.lock(ctx)
        const gb = b.lock(ga.ctx)
        const both = inside(k)
        ga.unlock()
        const afterA = inside(k)
        gb.unlock()
        return [both, afterA, inside(k)]
      })
      const off = !preemptRt
      expect(states.map((s) => s.irqsDisabled)).toEqual([off, off, false])
      expect(states.map((s) => s.held)).toEqual([['a', 'b'], ['b'], []])
      expect(k.diagnostics).toEqual([])
      void looseCtx
    })
  })
})
