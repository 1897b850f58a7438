/**
 * lib/locking-selftest.c's ww_tests() (Kingxukai/linux @9b44fff6) as an oracle: each case runs on a fresh
 * kernel, on both configurations, and is judged as dotest() judges it — FAILURE when lockdep turned
 * itself off (`debug_locks == 0`). The class is `static DEFINE_WD_CLASS(ww_lockdep);` (wait-die).
 * Cases that poke the structures (`t2 = t; t2.stamp--`, `o.ctx = &t2`, `t.acquired = 0`, a second
 * `ww_acquire_fini()`, `mutex_lock_nest_lock(&o.base, &t)`, `spin_lock_nest_lock(&A, &o.base)`) are
 * written with what the API can express: an older context is a task started first, on CPU 0, that
 * holds o2 (and o3) while the case runs on CPU 1 (its stamp is smaller, as `t2.stamp--` makes it).
 * Not ported: ww_test_object_lock_unbalanced and ww_test_object_lock_stale_context (they write the
 * context's fields), ww_test_context_unlock_twice (a section cannot end twice), the two
 * spin_lock_nest_lock cases (a ww_mutex is not a nest lock here), and ww_test_edeadlk_normal,
 * _normal_slow, _no_unlock, _no_unlock_slow (the older context must release o2 while the younger
 * waits: the model executor's tests).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'

interface LooseWw {
  lock(ctx: unknown, actx: unknown): number
  lockInterruptible(ctx: unknown, actx: unknown): number
  lockSlow(ctx: unknown, actx: unknown): void
  trylock(ctx: unknown, actx: unknown): number
  unlock(ctx: unknown): void
}
interface LooseCtx {
  done(ctx: unknown): void
}
type Acquire = (ctx: unknown, cb: (ctx: unknown, actx: LooseCtx) => unknown) => unknown
interface World {
  readonly kernel: Kernel
  readonly o: LooseWw
  readonly o2: LooseWw
  readonly o3: LooseWw
  /** WWAI … WWAF around `cb` (ww_lockdep). */
  readonly WWAI: Acquire
  /** A context of another class (ww_test_diff_class's `t.ww_class = NULL`). */
  readonly other: Acquire
  /** spin_lock(&lock_A) … spin_unlock() around `cb`. */
  readonly LA: (ctx: unknown, cb: (ctx: unknown) => unknown) => unknown
  /** Runs `cb` on CPU 1 while an older context on CPU 0 holds `held` (o2, o3). */
  readonly olderHolds: (held: readonly LooseWw[], cb: (ctx: unknown) => void) => void
}

const world = (preemptRt: boolean): World => {
  const kernel = createKernel({ preemptRt, cpus: 2 })
  const cls = kernel.defineWdClass('ww_lockdep')
  const otherCls = kernel.defineWdClass('other_class')
  const mk = () => kernel.wwMutex(cls, 0) as unknown as LooseWw
  const a = kernel.spinLock('lock_A', 0)
  const WWAI = cls.acquire as unknown as Acquire
  return {
    kernel,
    o: mk(),
    o2: mk(),
    o3: mk(),
    WWAI,
    other: otherCls.acquire as unknown as Acquire,
    LA: a.withLocked as unknown as World['LA'],
    olderHolds: (held, cb) =>
      kernel.run((ctx) =>
        WWAI(ctx, (ctx, t2) => {
          for (const m of held) m.lock(ctx, t2)
          kernel.run((ctx) => cb(ctx), { cpu: 1 })
          for (const m of held) m.unlock(ctx)
        }),
      ),
  }
}

type Case = (w: World) => void
const run = (w: World, body: (ctx: unknown) => void): void => void w.kernel.run((ctx) => body(ctx))

/** The cases in ww_tests() order, with dotest()'s expectation. */
const CASES: readonly (readonly [string, 'SUCCESS' | 'FAILURE', Case])[] = [
  [
    'ww_test_fail_acquire',
    'SUCCESS',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          expect(w.o.lock(ctx, t)).toBe(0)
          expect(w.o.lock(ctx, t)).toBe(-114) // -EALREADY
          expect(w.o.trylock(ctx, null)).toBe(0)
          w.o.unlock(ctx)
          if (w.o.trylock(ctx, null)) w.o.unlock(ctx)
        }),
      ),
  ],
  [
    'ww_test_normal',
    'SUCCESS',
    (w) =>
      run(w, (ctx) => {
        w.o.lock(ctx, null)
        w.o.unlock(ctx)
        if (w.o.lockInterruptible(ctx, null) === 0) w.o.unlock(ctx)
        if (w.o.trylock(ctx, null)) w.o.unlock(ctx)
        w.o.lock(ctx, null)
        expect(w.o.trylock(ctx, null)).toBe(0)
        w.o.unlock(ctx)
        w.WWAI(ctx, () => 0)
      }),
  ],
  ['ww_test_unneeded_slow', 'FAILURE', (w) => run(w, (ctx) => w.WWAI(ctx, (ctx, t) => w.o.lockSlow(ctx, t)))],
  ['ww_test_two_contexts', 'FAILURE', (w) => run(w, (ctx) => w.WWAI(ctx, (ctx) => w.WWAI(ctx, () => 0)))],
  ['ww_test_diff_class', 'FAILURE', (w) => run(w, (ctx) => w.other(ctx, (ctx, t) => w.o.lock(ctx, t)))],
  [
    'ww_test_context_done_twice',
    'FAILURE',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          t.done(ctx)
          t.done(ctx)
        }),
      ),
  ],
  [
    'ww_test_context_fini_early',
    'FAILURE',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          w.o.lock(ctx, t)
          t.done(ctx)
        }),
      ),
  ],
  [
    'ww_test_context_lock_after_done',
    'FAILURE',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          t.done(ctx)
          w.o.lock(ctx, t)
        }),
      ),
  ],
  [
    'ww_test_object_unlock_twice',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.o.lock(ctx, null)
        w.o.unlock(ctx)
        expect(() => w.o.unlock(ctx)).toThrow('not held by this task')
      }),
  ],
  ...(
    [
      ['ww_test_edeadlk_acquire_more', [false], (w, ctx, t) => w.o3.lock(ctx, t)],
      ['ww_test_edeadlk_acquire_more_slow', [false], (w, ctx, t) => w.o3.lockSlow(ctx, t)],
      ['ww_test_edeadlk_acquire_more_edeadlk', [true], (w, ctx, t) => expect(w.o3.lock(ctx, t)).toBe(-35)],
      ['ww_test_edeadlk_acquire_more_edeadlk_slow', [true], (w, ctx, t) => w.o3.lockSlow(ctx, t)],
      [
        'ww_test_edeadlk_acquire_wrong',
        [false],
        (w, ctx, t) => {
          w.o.unlock(ctx)
          w.o3.lock(ctx, t)
        },
      ],
      [
        'ww_test_edeadlk_acquire_wrong_slow',
        [false],
        (w, ctx, t) => {
          w.o.unlock(ctx)
          w.o3.lockSlow(ctx, t)
        },
      ],
    ] as const satisfies readonly (readonly [string, readonly [boolean], (w: World, ctx: unknown, t: LooseCtx) => unknown])[]
  ).map(
    ([name, [o3Held], then]) =>
      [
        name,
        'FAILURE',
        (w: World) =>
          w.olderHolds(o3Held ? [w.o2, w.o3] : [w.o2], (ctx) =>
            w.WWAI(ctx, (ctx, t) => {
              expect(w.o.lock(ctx, t)).toBe(0)
              expect(w.o2.lock(ctx, t)).toBe(-35) // -EDEADLK: the younger context holds o, the older one o2
              then(w, ctx, t)
            }),
          ),
      ] as const,
  ),
  ['ww_test_context_block', 'FAILURE', (w) => run(w, (ctx) => w.WWAI(ctx, (ctx, t) => [w.o.lock(ctx, t), w.o2.lock(ctx, null)]))],
  [
    'ww_test_context_try',
    'SUCCESS',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          w.o.lock(ctx, t)
          expect(w.o2.trylock(ctx, null)).toBe(1)
          w.o2.unlock(ctx)
          w.o.unlock(ctx)
        }),
      ),
  ],
  [
    'ww_test_context_context',
    'SUCCESS',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          w.o.lock(ctx, t)
          w.o2.lock(ctx, t)
          w.o2.unlock(ctx)
          w.o.unlock(ctx)
        }),
      ),
  ],
  [
    'ww_test_try_block',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.o.trylock(ctx, null)
        w.o2.lock(ctx, null)
        w.o2.unlock(ctx)
        w.o.unlock(ctx)
      }),
  ],
  [
    'ww_test_try_try',
    'SUCCESS',
    (w) =>
      run(w, (ctx) => {
        w.o.trylock(ctx, null)
        w.o2.trylock(ctx, null)
        w.o2.unlock(ctx)
        w.o.unlock(ctx)
      }),
  ],
  [
    'ww_test_try_context',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.o.trylock(ctx, null)
        w.WWAI(ctx, (ctx, t) => w.o2.lock(ctx, t))
      }),
  ],
  [
    'ww_test_block_block',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.o.lock(ctx, null)
        w.o2.lock(ctx, null)
      }),
  ],
  [
    'ww_test_block_try',
    'SUCCESS',
    (w) =>
      run(w, (ctx) => {
        w.o.lock(ctx, null)
        expect(w.o2.trylock(ctx, null)).toBe(1)
      }),
  ],
  [
    'ww_test_block_context',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.o.lock(ctx, null)
        w.WWAI(ctx, (ctx, t) => w.o2.lock(ctx, t))
      }),
  ],
  [
    'ww_test_spin_block',
    'FAILURE',
    (w) =>
      run(w, (ctx) => {
        w.LA(ctx, () => 0)
        w.o.lock(ctx, null)
        w.LA(ctx, () => 0)
        w.o.unlock(ctx)
        w.LA(ctx, (ctx) => {
          w.o.lock(ctx, null)
          w.o.unlock(ctx)
        })
      }),
  ],
  [
    'ww_test_spin_try',
    'SUCCESS',
    (w) =>
      run(w, (ctx) => {
        w.LA(ctx, () => 0)
        expect(w.o.trylock(ctx, null)).toBe(1)
        w.LA(ctx, () => 0)
        w.o.unlock(ctx)
        w.LA(ctx, (ctx) => {
          expect(w.o.trylock(ctx, null)).toBe(1)
          w.o.unlock(ctx)
        })
      }),
  ],
  [
    'ww_test_spin_context',
    'FAILURE',
    (w) =>
      run(w, (ctx) =>
        w.WWAI(ctx, (ctx, t) => {
          w.LA(ctx, () => 0)
          w.o.lock(ctx, t)
          w.LA(ctx, () => 0)
          w.o.unlock(ctx)
          w.LA(ctx, (ctx) => {
            w.o.lock(ctx, t)
            w.o.unlock(ctx)
          })
        }),
      ),
  ],
]

describe.each([false, true])('lib/locking-selftest.c ww_tests(), preemptRt=%s', (preemptRt) => {
  it.each(CASES)('%s: %s', (_name, expected, body) => {
    const w = world(preemptRt)
    body(w)
    expect(w.kernel.lockdepStats().active ? 'SUCCESS' : 'FAILURE').toBe(expected)
  })
})
