/** ww_mutex at run time on both kernels, synchronous flavour (include/linux/ww_mutex.h, kernel/locking/ww_mutex.h). */
import { describe, expect, it } from 'vitest'
import {
  createKernel,
  DeadlockError,
  DoubleUnlockError,
  EALREADY,
  EDEADLK,
  ForeignContextError,
  InvalidArgumentError,
  type LockdepAssertDiagnostic,
} from '../../src/index.js'
import { loose } from '../locks/helpers.js'

const titles = (ds: readonly { title: string }[]) => ds.map((d) => d.title)
const warnings = (ds: readonly { kind: string }[]) =>
  ds.filter((d): d is LockdepAssertDiagnostic => d.kind === 'lockdep-assert').map((d) => `${d.assertion} at ${d.where}`)

/** A plain-JavaScript view of a ww_mutex and a ww_class. */
interface LooseWw {
  lock(ctx: unknown, actx: unknown): number
  lockSlow(ctx: unknown, actx: unknown): void
  trylock(ctx: unknown, actx: unknown): number
  unlock(ctx: unknown): void
}
const looseWw = (m: object): LooseWw => m as unknown as LooseWw
const looseAcquire = (cls: object) => (cls as unknown as { acquire: (ctx: unknown, cb: (ctx: unknown, actx: unknown) => unknown) => unknown }).acquire

describe.each([false, true])('ww_mutex, preemptRt=%s', (preemptRt) => {
  it('ww_mutex_lock(): 0, then -EALREADY for the same context; stamps count up; all of one class nest under the context', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, { n: 1 })
    const b = kernel.wwMutex(cls, { n: 2 })
    const seen = kernel.run((ctx) =>
      cls.acquire(ctx, (ctx, actx) => {
        const r = [a.lock(ctx, actx), b.lock(ctx, actx), a.lock(ctx, actx), actx.acquired, actx.stamp, a.locked]
        actx.done(ctx)
        a.unlock(ctx)
        b.unlock(ctx)
        return [...r, actx.acquired]
      }),
    )
    expect(seen).toEqual([0, 0, -EALREADY, 2, 1, true, 0])
    expect(kernel.run((ctx) => cls.acquire(ctx, (_ctx, actx) => actx.stamp))).toBe(2)
    expect([a.locked, a.name, kernel.diagnostics]).toEqual([false, 'reservation_ww_class_mutex', []])
    expect([EDEADLK, EALREADY]).toEqual([35, 114])
  })

  it('wait-die: the younger context that holds a lock gets -EDEADLK at once, backs off, and may retry', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const cls = kernel.defineWdClass('crtc_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const b = kernel.wwMutex(cls, 0)
    kernel.run((ctx) =>
      cls.acquire(ctx, (ctx, older) => {
        expect(a.lock(ctx, older)).toBe(0)
        // A second transaction on CPU 1, younger (stamp 2), holding b, wants a: it dies.
        const younger = kernel.run(
          (ctx) =>
            cls.acquire(ctx, (ctx, actx) => {
              b.lock(ctx, actx)
              const r = a.lock(ctx, actx)
              b.unlock(ctx) // the back-off: release everything of this context
              return [r, actx.stamp, actx.acquired]
            }),
          { cpu: 1 },
        )
        expect(younger).toEqual([-EDEADLK, 2, 0])
        a.unlock(ctx)
      }),
    )
    expect(kernel.diagnostics).toEqual([])
  })

  it('a context holding nothing waits instead of dying; on one call stack the wait is the hung-task deadlock', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const cls = kernel.defineWdClass('crtc_ww_class')
    const a = kernel.wwMutex(cls, 0)
    expect(() =>
      kernel.run((ctx) =>
        cls.acquire(ctx, (ctx, actx) => {
          a.lock(ctx, actx)
          kernel.run((ctx) => cls.acquire(ctx, (ctx, actx2) => a.lock(ctx, actx2)), { cpu: 1 })
        }),
      ),
    ).toThrow(DeadlockError)
    expect(titles(kernel.diagnostics)).toEqual(['INFO: task task-2:2 blocked for more than 120 seconds.'])
    // The throwing sections released what their contexts held.
    expect([a.locked, kernel.heldLocks(0), kernel.heldLocks(1)]).toEqual([false, [], []])
  })

  it('wound-wait: a younger requester never dies on an older holder; it waits (here: the deadlock)', () => {
    const kernel = createKernel({ preemptRt, cpus: 2 })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const b = kernel.wwMutex(cls, 0)
    expect(() =>
      kernel.run((ctx) =>
        cls.acquire(ctx, (ctx, actx) => {
          a.lock(ctx, actx)
          kernel.run(
            (ctx) =>
              cls.acquire(ctx, (ctx, actx2) => {
                b.lock(ctx, actx2)
                return a.lock(ctx, actx2)
              }),
            { cpu: 1 },
          )
        }),
      ),
    ).toThrow(DeadlockError)
    expect(kernel.diagnostics.map((d) => d.kind)).toEqual(['deadlock'])
  })

  it('lockdep: one acquire context per task and class (recursive locking on <class>_acquire)', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    kernel.run((ctx) => cls.acquire(ctx, (ctx) => looseAcquire(cls)(ctx, () => 0)))
    const d = kernel.diagnostics.find((x) => x.kind === 'recursive-locking')
    expect(d?.report).toContain('reservation_ww_class_acquire')
  })

  it('the nearest valid pattern: contexts of two classes nest, and a second context after the first ended is fine', () => {
    const kernel = createKernel({ preemptRt })
    const resv = kernel.defineWwClass('reservation_ww_class')
    const crtc = kernel.defineWdClass('crtc_ww_class')
    const bo = kernel.wwMutex(resv, 0)
    const plane = kernel.wwMutex(crtc, 0)
    kernel.run((ctx) => {
      crtc.acquire(ctx, (ctx, c1) =>
        resv.acquire(ctx, (ctx, c2) => {
          plane.lock(ctx, c1)
          bo.lock(ctx, c2)
          bo.unlock(ctx)
          plane.unlock(ctx)
        }),
      )
      resv.acquire(ctx, (ctx, c3) => {
        bo.lock(ctx, c3)
        bo.unlock(ctx)
      })
      // Without any context: a plain mutex.
      bo.lock(ctx, null)
      bo.unlock(ctx)
    })
    expect(kernel.diagnostics).toEqual([])
  })

  it('lockdep: a ww_mutex taken without the context while one of its class is held is recursive locking', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    kernel.run((ctx) => cls.acquire(ctx, (ctx) => looseWw(a).lock(ctx, null)))
    const d = kernel.diagnostics.find((x) => x.kind === 'recursive-locking')
    expect(d?.report).toContain('reservation_ww_class_mutex')
  })

  it('DEBUG_WW_MUTEXES: a context of another class, a lock after ww_acquire_done(), a context left holding locks', () => {
    for (const [body, expected] of [
      [
        (k: ReturnType<typeof createKernel>) => {
          const x = k.defineWwClass('x_class')
          const m = k.wwMutex(k.defineWwClass('y_class'), 0)
          k.run((ctx) => looseAcquire(x)(ctx, (ctx, actx) => looseWw(m).lock(ctx, actx)))
        },
        'DEBUG_LOCKS_WARN_ON(ww_ctx->ww_class != ww->ww_class) at ww_mutex_lock',
      ],
      [
        (k: ReturnType<typeof createKernel>) => {
          const x = k.defineWwClass('x_class')
          const m = k.wwMutex(x, 0)
          k.run((ctx) =>
            x.acquire(ctx, (ctx, actx) => {
              actx.done(ctx)
              m.lock(ctx, actx)
              m.unlock(ctx)
            }),
          )
        },
        'DEBUG_LOCKS_WARN_ON(ww_ctx->done_acquire) at ww_mutex_lock',
      ],
      [
        (k: ReturnType<typeof createKernel>) => {
          const x = k.defineWwClass('x_class')
          const m = k.wwMutex(x, 0)
          k.run((ctx) => x.acquire(ctx, (ctx, actx) => m.lock(ctx, actx)))
        },
        'DEBUG_LOCKS_WARN_ON(ctx->acquired) at ww_acquire_fini',
      ],
      [
        (k: ReturnType<typeof createKernel>) => {
          const x = k.defineWwClass('x_class')
          const m = k.wwMutex(x, 0)
          k.run((ctx) =>
            x.acquire(ctx, (ctx, actx) => {
              m.lockSlow(ctx, actx)
              m.unlock(ctx)
            }),
          )
        },
        'DEBUG_LOCKS_WARN_ON(!ctx->contending_lock) at ww_mutex_lock_slow',
      ],
    ] as const) {
      const kernel = createKernel({ preemptRt })
      body(kernel)
      expect(warnings(kernel.diagnostics)).toEqual([expected])
      // DEBUG_LOCKS_WARN_ON() turns lockdep off (debug_locks_off()).
      expect(kernel.lockdepStats().active).toBe(false)
    }
  })

  it('ww_mutex_lock() may sleep: under a spinlock_t it is sleeping in atomic on both kernels', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const s = kernel.spinLock('s', 0)
    kernel.run((ctx) =>
      cls.acquire(ctx, (ctx, actx) =>
        loose(s)(ctx, (ctx) => {
          looseWw(a).lock(ctx, actx)
          looseWw(a).unlock(ctx)
        }),
      ),
    )
    expect(titles(kernel.diagnostics)[0]).toBe('BUG: sleeping function called from invalid context')
  })

  it('ww_acquire_init() under a spinlock: its first_lock_dep_map (LD_WAIT_SLEEP) is an invalid wait context', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const s = kernel.spinLock('s', 0)
    kernel.run((ctx) => loose(s)(ctx, (ctx) => looseAcquire(cls)(ctx, () => 0)))
    expect(titles(kernel.diagnostics)).toEqual(['[ BUG: Invalid wait context ]'])
  })

  it('ww_mutex_trylock(): 1 when free (the context counts it), 0 when held', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    const r = kernel.run((ctx) =>
      cls.acquire(ctx, (ctx, actx) => {
        const got = [a.trylock(ctx, actx), a.trylock(ctx, actx), actx.acquired]
        a.unlock(ctx)
        return got
      }),
    )
    expect(r).toEqual([1, 0, 1])
    expect(kernel.diagnostics).toEqual([])
  })

  it('a section that throws releases what its context holds; the CPU and the locks are as before', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    expect(() =>
      kernel.run((ctx) =>
        cls.acquire(ctx, (ctx, actx) => {
          a.lock(ctx, actx)
          throw new Error('boom')
        }),
      ),
    ).toThrow('boom')
    expect([a.locked, kernel.heldLocks(0), kernel.diagnostics]).toEqual([false, [], []])
    kernel.run((ctx) => cls.acquire(ctx, (ctx, actx) => [a.lock(ctx, actx), a.unlock(ctx)]))
    expect(kernel.diagnostics).toEqual([])
  })

  it('bad input from JavaScript: named errors, nothing changed', () => {
    const kernel = createKernel({ preemptRt })
    const cls = kernel.defineWwClass('reservation_ww_class')
    const a = kernel.wwMutex(cls, 0)
    let stale: unknown
    kernel.run((ctx) =>
      cls.acquire(ctx, (_ctx, actx) => {
        stale = actx
      }),
    )
    expect(() => kernel.run((ctx) => looseWw(a).lock(ctx, {}))).toThrow(InvalidArgumentError)
    expect(() => kernel.run((ctx) => looseWw(a).lock(ctx, stale))).toThrow('ww_mutex_lock: the acquire context was released by ww_acquire_fini()')
    expect(() => kernel.run((ctx) => looseWw(a).unlock(ctx))).toThrow(DoubleUnlockError)
    expect(() => kernel.run((ctx) => looseAcquire(cls)(ctx, 'x' as never))).toThrow(InvalidArgumentError)
    expect(() => createKernel().run((ctx) => looseWw(a).lock(ctx, null))).toThrow(ForeignContextError)
    const wwMutex = kernel.wwMutex.bind(kernel) as (cls: unknown, data: unknown) => unknown
    expect(() => wwMutex({}, 0)).toThrow('ww_mutex_init: the class must come from defineWdClass() or defineWwClass()')
    expect(() => wwMutex(createKernel().defineWwClass('c'), 0)).toThrow(ForeignContextError)
    expect(a.locked).toBe(false)
    expect(titles(kernel.diagnostics)).toEqual(['WARNING: bad unlock balance detected!'])
  })
})
