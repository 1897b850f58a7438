/**
 * takes() and helper() at run time with locks of defined kinds (issue #18), for untyped callers:
 * the same checks as for the built-ins' locks, from the lock's own spec — its variants, whether it
 * has readers — and `mustHold` asserted with lockdep_assert_held() by class, on both kernels.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, defineLockKind, helper, InvalidArgumentError, KIND_SPECS, PERCPU_RW_SEMAPHORE, RT_MUTEX, takes } from '../../src/index.js'
import { loose } from '../locks/helpers.js'
import { looseHelper } from './loose.js'

/** takes() as an untyped caller calls it. */
const looseTakes = takes as unknown as (lock: unknown, variant?: string, mode?: string) => { kind: string; name: string; variant: string; mode: string }
/** helper() as an untyped caller calls it. */
const looseDefine = helper as unknown as (spec: unknown, body: (ctx: unknown) => unknown) => unknown

const MY_SPIN = defineLockKind({ ...KIND_SPECS.spinlock_t, kind: 'my_spin_helpers', label: 'my_spin_helpers' })

describe.each([false, true])('defined kinds in takes() and helper(), preemptRt=%s', (preemptRt) => {
  it("takes() of a defined kind's lock: its kind name, class and variant, checked against its own variants", () => {
    const kernel = createKernel({ preemptRt })
    const q = kernel.lock(MY_SPIN, 'q', { n: 0 })
    const pi = kernel.lock(RT_MUTEX, 'pi', { n: 0 })
    expect(looseTakes(q, 'irqsave')).toEqual({ lock: q, kind: 'my_spin_helpers', name: 'q', variant: 'irqsave', mode: 'write' })
    expect(looseTakes(pi)).toMatchObject({ kind: 'rt_mutex', name: 'pi', variant: 'plain', mode: 'write' })
    expect(() => looseTakes(pi, 'irqsave')).toThrow(new InvalidArgumentError('takes(): rt_mutex has no variant irqsave (plain)'))
  })

  it('read mode: for a kind whose methods take it for read (percpu_rw_semaphore), refused for one without readers (rt_mutex)', () => {
    const kernel = createKernel({ preemptRt })
    const sem = kernel.lock(PERCPU_RW_SEMAPHORE, 'sem', { n: 0 })
    const pi = kernel.lock(RT_MUTEX, 'pi', { n: 0 })
    expect(looseTakes(sem, 'plain', 'read')).toMatchObject({ kind: 'percpu_rw_semaphore', mode: 'read' })
    expect(() => looseTakes(pi, 'plain', 'read')).toThrow(new InvalidArgumentError('takes(): rt_mutex is taken for write only, not read'))
  })

  it('a helper taking a defined kind: built, run, its takes in effects; nothing reported', () => {
    const kernel = createKernel({ preemptRt })
    const q = kernel.lock(MY_SPIN, 'q', { n: 0 })
    const bump = looseDefine({ name: 'q_bump', takes: [looseTakes(q, 'irqsave')] }, (ctx) =>
      loose(q, 'withLockedIrqSave')(ctx, (_ctx, d) => ++(d as { n: number }).n),
    )
    expect(kernel.run((ctx) => looseHelper(bump)(ctx))).toBe(1)
    expect((bump as { effects: { takes: readonly { kind: string }[] } }).effects.takes.map((t) => t.kind)).toEqual(['my_spin_helpers'])
    expect(kernel.diagnostics).toEqual([])
  })

  it("mustHold a defined kind's lock: lockdep_assert_held() WARN when called without it, silent when held", () => {
    const kernel = createKernel({ preemptRt })
    const pi = kernel.lock(RT_MUTEX, 'pi', { n: 0 })
    const adjust = looseDefine({ name: 'pi_adjust', mustHold: [pi] }, () => 0)
    kernel.run((ctx) => loose(pi)(ctx, (ctx) => looseHelper(adjust)(ctx)))
    expect(kernel.diagnostics).toEqual([])
    kernel.run((ctx) => looseHelper(adjust)(ctx))
    expect(kernel.diagnostics).toMatchObject([{ kind: 'lockdep-assert', assertion: 'lockdep_assert_held(pi)', where: 'pi_adjust' }])
  })

  it('a kind-shaped object that is no defined kind is refused, as before', () => {
    expect(() => looseTakes({ kind: 'never_defined_t', name: 'x' })).toThrow(
      new InvalidArgumentError('takes(): expected a lock made by a kernel (spinLock(), mutex(), kernel.lock(kind, …), …)'),
    )
  })
})
