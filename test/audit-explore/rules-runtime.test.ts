/**
 * The run-time twin of type-tests/audit-explore-model.test-d.ts: the same mistakes in a model,
 * written by an untyped caller, are reported by the explorer in the kernel's words, on the kernel
 * where the kernel reports them.
 */
import { describe, expect, it } from 'vitest'
import { defineModel, explore } from '../../src/index.js'

const titles = (r: ReturnType<typeof explore>, kernel: 'normal' | 'rt') =>
  r.counterexamples.filter((c) => c.kernel === kernel && c.kind === 'diagnostic').map((c) => c.title)

describe('compile-time rules of the generator-flavoured locks, at run time', () => {
  it('a mutex inside a spinlock_t section: "BUG: sleeping function called from invalid context" on both kernels', () => {
    const m = defineModel((k) => {
      const cfg = k.mutex('cfg', 0)
      const stats = k.spinLock('stats', 0)
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* stats.withLocked(ctx, function* (ctx) {
          // @ts-expect-error mutex 'cfg' may sleep (the type-level twin)
          yield* cfg.withLocked(ctx, function* () {})
        })
      })
    })
    const r = explore(m, { stopOnFailure: false })
    for (const kernel of ['normal', 'rt'] as const) expect(titles(r, kernel)).toContain('BUG: sleeping function called from invalid context')
  })

  for (const proveRawLockNesting of [true, false])
    it(`spinlock_t under raw_spinlock_t, PROVE_RAW_LOCK_NESTING ${proveRawLockNesting ? 'on (the default)' : 'off'}: ${proveRawLockNesting ? "lockdep's invalid wait context on both kernels" : 'only might_sleep on RT'}`, () => {
      const m = defineModel(
        (k) => {
          const hw = k.rawSpinLock('hw', 0)
          const stats = k.spinLock('stats', 0)
          k.task('t', { cpu: 0 }, function* (ctx) {
            yield* hw.withLocked(ctx, function* (ctx) {
              // @ts-expect-error Invalid wait context (the type-level twin)
              yield* stats.withLocked(ctx, function* () {})
            })
          })
        },
        { proveRawLockNesting },
      )
      const r = explore(m, { stopOnFailure: false })
      expect(titles(r, 'normal')).toEqual(proveRawLockNesting ? ['[ BUG: Invalid wait context ]'] : [])
      // lockdep: LD_WAIT_CONFIG is LD_WAIT_SPIN without the option, on RT too; rt_spin_lock()'s might_sleep splat stays
      expect(titles(r, 'rt').sort()).toEqual(
        proveRawLockNesting
          ? ['BUG: sleeping function called from invalid context', '[ BUG: Invalid wait context ]']
          : ['BUG: sleeping function called from invalid context'],
      )
    })

  it('the recursion: "possible recursive locking detected" on both kernels', () => {
    const m = defineModel((k) => {
      const cfg = k.mutex('cfg', 0)
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* cfg.withLocked(ctx, function* (ctx) {
          // @ts-expect-error possible recursive locking detected (the type-level twin)
          yield* cfg.withLocked(ctx, function* () {})
        })
      })
    })
    const r = explore(m, { stopOnFailure: false })
    for (const kernel of ['normal', 'rt'] as const) expect(titles(r, kernel)).toContain('WARNING: possible recursive locking detected')
  })

  it('the nearest valid pattern: the spinlock inside the mutex explores clean on both kernels', () => {
    const m = defineModel((k) => {
      const cfg = k.mutex('cfg', 0)
      const stats = k.spinLock('stats', 0)
      k.task('t', { cpu: 0 }, function* (ctx) {
        yield* cfg.withLocked(ctx, function* (ctx) {
          yield* stats.withLocked(ctx, function* () {})
        })
      })
    })
    expect(explore(m)).toMatchObject({ ok: true, exhausted: true })
  })
})
