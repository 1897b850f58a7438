/**
 * lockdep annotations at run time (docs/SEMANTICS.md §8): lockdep_set_class,
 * lockdep_set_novalidate_class, lock_set_cmp_fn, lock_set_class / lock_set_subclass,
 * might_lock / might_lock_read, and bare lockdep maps (lock_map_acquire / lock_map_release).
 * Each bad program with its twin.
 */
import { describe, expect, it } from 'vitest'
import {
  createKernel,
  lockdepSetClass,
  lockdepSetNovalidateClass,
  lockSetClass,
  lockSetCmpFn,
  lockSetSubclass,
  mightLock,
  mightLockRead,
  type Context,
  type CtxState,
} from '../../src/index.js'
import { DoubleUnlockError, InvalidArgumentError } from '../../src/errors.js'
import { kinds, loose, only, TITLES } from './helpers.js'

/** might_lock() for JavaScript callers (no compile-time rule). */
const looseMightLock = mightLock as unknown as (ctx: unknown, lock: object) => void

describe('lockdep_set_class()', () => {
  it('two locks given one key are one class: one inside the other is recursive locking, named by the key', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    lockdepSetClass(a, 'shared_key')
    lockdepSetClass(b, 'shared_key')
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    expect(only(k, 'recursive-locking').report).toContain('  lock(shared_key);\n  lock(shared_key);')
  })

  it('twin: without the annotation, two classes: silent', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
  })
})

describe('lockdep_set_novalidate_class()', () => {
  it('no recursion check, no dependencies, no usage: AA of two instances is silent', () => {
    const k = createKernel()
    const d1 = k.mutex('dev', 0)
    const d2 = k.mutex('dev', 0)
    lockdepSetNovalidateClass(d1)
    lockdepSetNovalidateClass(d2)
    k.run((ctx) => d1.withLocked(ctx, (ctx) => loose(d2)(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(0)
  })

  it('twin: the same without it is recursive locking', () => {
    const k = createKernel()
    const d1 = k.mutex('dev', 0)
    const d2 = k.mutex('dev', 0)
    k.run((ctx) => d1.withLocked(ctx, (ctx) => loose(d2)(ctx, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })

  it('the class is still marked USED (`goto lock_used`): taken later in an NMI, verify_lock_unused() reports it', () => {
    const k = createKernel()
    const x = k.rawSpinLock('x', 0)
    lockdepSetNovalidateClass(x)
    k.requestNmi('nmi', (ctx) => loose(x)(ctx, () => 0))
    k.run((ctx) => {
      x.withLocked(ctx, () => 0)
      ctx.raiseNmi('nmi')
    })
    expect(only(k, 'inconsistent-lock-state').report).toContain('inconsistent {INITIAL USE} -> {IN-NMI} usage.')
  })

  it('the wait-context check still runs (it is not gated by check): spinlock_t under raw_spinlock_t', () => {
    const k = createKernel()
    const hw = k.rawSpinLock('hw', 0)
    const s = k.spinLock('s', 0)
    lockdepSetNovalidateClass(s)
    k.run((ctx) => hw.withLocked(ctx, (ctx) => loose(s)(ctx, () => 0)))
    expect(only(k, 'invalid-wait-context').title).toBe(TITLES.invalidWait)
  })
})

describe('lock_set_cmp_fn()', () => {
  const setup = () => {
    const k = createKernel()
    const order = new Map<object, number>()
    const inode = (n: number) => {
      const l = k.mutex('i_rwsem', n)
      order.set(l, n)
      return l
    }
    const a = inode(1)
    const b = inode(2)
    lockSetCmpFn(a, (x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0))
    return { k, a, b }
  }

  it("instances in the function's order: no recursion, no dependency", () => {
    const { k, a, b } = setup()
    k.run((ctx) => a.withLocked(ctx, (ctx) => loose(b)(ctx, () => 0)))
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(0)
  })

  it('against it: recursive locking, with "and the lock comparison function returns 1:"', () => {
    const { k, a, b } = setup()
    k.run((ctx) => b.withLocked(ctx, (ctx) => loose(a)(ctx, () => 0)))
    const d = only(k, 'recursive-locking')
    expect(d.report).toContain('but task is already holding lock:\n (i_rwsem){')
    expect(d.report).toContain('and the lock comparison function returns 1:')
  })
})

describe('lock_set_subclass() / lock_set_class()', () => {
  it('the held lock becomes a/1: another instance of a may then be taken', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const a2 = k.spinLock('a', 0)
    k.run((ctx) =>
      a.withLocked(ctx, (ctx) => {
        lockSetSubclass(ctx, a, 1)
        loose(a2)(ctx, () => 0)
      }),
    )
    expect(k.diagnostics).toEqual([])
    expect(k.lockdepStats().classes).toBe(2)
  })

  it('twin: without it, recursive locking', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const a2 = k.spinLock('a', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => loose(a2)(ctx, () => 0)))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })

  it("the locks taken after it are validated again: b under a, then a re-keyed to b's class is recursion", () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const b = k.spinLock('b', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, (ctx) => lockSetClass(ctx, a, 'b'))))
    expect(kinds(k)).toEqual(['recursive-locking'])
  })

  it('lock_set_class() re-keys the lock: its next acquisition uses the new class', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    const x = k.spinLock('x', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => lockSetClass(ctx, a, 'x')))
    k.run((ctx) => x.withLocked(ctx, (ctx) => loose(a)(ctx, () => 0)))
    expect(only(k, 'recursive-locking').report).toContain('  lock(x);\n  lock(x);')
  })

  it('not held: a bad unlock balance report and a named error; nothing changes', () => {
    const k = createKernel()
    const a = k.spinLock('a', 0)
    expect(() => k.run((ctx) => lockSetSubclass(ctx, a, 1))).toThrow(InvalidArgumentError)
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
    expect(k.heldLocks()).toEqual([])
  })
})

describe('might_lock() / might_lock_read()', () => {
  it('validated as an acquisition: a dependency without taking the lock, then the inverse order is a cycle', () => {
    const k = createKernel()
    const a = k.mutex('a', 0)
    const b = k.mutex('b', 0)
    k.run((ctx) => a.withLocked(ctx, (ctx) => mightLock(ctx, b)))
    expect(k.heldLocks()).toEqual([])
    expect(k.lockdepStats().dependencies).toBe(1)
    k.run((ctx) => b.withLocked(ctx, (ctx) => loose(a)(ctx, () => 0)))
    expect(only(k, 'circular-dependency')).toMatchObject({ lock: "mutex 'a'", held: "mutex 'b'" })
  })

  it("a mutex under a spinlock: lockdep's invalid wait context, and no might_sleep (nothing sleeps)", () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    const m = k.mutex('m', 0)
    k.run((ctx) => s.withLocked(ctx, (ctx) => looseMightLock(ctx, m)))
    expect(kinds(k)).toEqual(['invalid-wait-context'])
  })

  it('twin: might_lock() of a spinlock under a mutex, and might_lock_read() of an rwsem: silent', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    const m = k.mutex('m', 0)
    const mm = k.rwSemaphore('mmap_lock', 0)
    k.run((ctx) => m.withLocked(ctx, (ctx: Context<CtxState>) => void ctx))
    k.run((ctx) => m.withLocked(ctx, (ctx) => mightLock(ctx, s)))
    k.run((ctx) => mightLockRead(ctx, mm))
    expect(k.diagnostics).toEqual([])
  })
})

describe('lockdep maps: lock_map_acquire() / lock_map_release()', () => {
  it('the workqueue pattern: a work holding M runs under the map; flushing with M held is a cycle', () => {
    const k = createKernel()
    const wq = k.lockMap('(wq_completion)events')
    const m = k.mutex('m', 0)
    // process_one_work(): lock_map_acquire(&wq->lockdep_map); work(); lock_map_release().
    k.run((ctx) => {
      wq.acquire(ctx)
      m.withLocked(ctx, () => 0)
      wq.release(ctx)
    })
    // flush_workqueue() with m held: lock_map_acquire(); lock_map_release().
    k.run((ctx) =>
      m.withLocked(ctx, (ctx) => {
        wq.acquire(ctx)
        wq.release(ctx)
      }),
    )
    const d = only(k, 'circular-dependency')
    expect(d.lock).toBe("lockdep_map '(wq_completion)events'")
    expect(d.held).toBe("mutex 'm'")
    expect(k.heldLocks()).toEqual([])
  })

  it('twin: flushing without the mutex held: silent; a map constrains no wait type (raw spinlock, then a mutex under it is fine)', () => {
    const k = createKernel()
    const wq = k.lockMap('wq')
    const m = k.mutex('m', 0)
    const hw = k.rawSpinLock('hw', 0)
    k.run((ctx) => {
      wq.acquire(ctx)
      m.withLocked(ctx, () => 0)
      wq.release(ctx)
      wq.acquire(ctx)
      wq.release(ctx)
      hw.withLocked(ctx, (ctx) => {
        wq.acquireRead(ctx)
        wq.release(ctx)
      })
    })
    expect(k.diagnostics).toEqual([])
  })

  it('released without being acquired: bad unlock balance and DoubleUnlockError', () => {
    const k = createKernel()
    const wq = k.lockMap('wq')
    expect(() => k.run((ctx) => wq.release(ctx))).toThrow(DoubleUnlockError)
    expect(kinds(k)).toEqual(['bad-unlock-balance'])
  })
})
