/**
 * The reductions stay sound over the model executor with the kinds' wake policies
 * (src/locks/wake/): a queued read no longer commutes with another read of the lock, and the
 * explorer's lock probe says so (src/exec/explore/lock-probe.ts). Random small programs of
 * mutexes, rw_semaphores, rwlock_t and spinlock_t sections: DPOR and sleep sets reach every
 * order of each lock's phases (a writer, or the readers between two writers), and every failure,
 * that the naive search reaches.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defineModel, type ModelKernel, type Op } from '../../src/index.js'
import { explore } from '../../src/exec/explore/explore.js'

type LockName = 'm' | 's' | 'r' | 'p'
interface Section {
  readonly lock: LockName
  readonly read: boolean
  readonly inner: Section | null
}
interface Thread {
  readonly cpu: number
  readonly sections: readonly Section[]
}

/** What an untyped caller writes: a section under a lock, without the context rules. */
type Loose = (ctx: unknown, section: (ctx: unknown) => Op<void>) => Op<void>
const loose = (lock: object, method: 'withLocked' | 'withRead'): Loose => {
  const f = (lock as Record<string, unknown>)[method] as Loose
  return (ctx, section) => f.call(lock, ctx, section)
}

const SLEEPING: readonly LockName[] = ['m', 's']
const readable = (l: LockName): boolean => l === 's' || l === 'r'

const model = (threads: readonly Thread[], seen: Set<string>, cpus = 2) =>
  defineModel(
    (k: ModelKernel) => {
      const locks = { m: k.mutex('m', 0), s: k.rwSemaphore('s', 0), r: k.rwLock('r', 0), p: k.spinLock('p', 0) }
      // Per lock, its phases in order: a writer, or the set of readers in between two writers
      // (readers that share the lock enter in either order: the same outcome).
      const phases: Record<string, (string | Set<string>)[]> = {}
      const entered = (lock: LockName, name: string, read: boolean): void => {
        const seq = phases[lock] ?? []
        phases[lock] = seq
        const last = seq.at(-1)
        if (read && last instanceof Set) last.add(name)
        else seq.push(read ? new Set([name]) : name)
        seen.add(`${lock}: ${seq.map((p) => (typeof p === 'string' ? p : `{${[...p].sort().join(' ')}}`)).join(' ')}`)
      }
      const run = function* (ctx: unknown, name: string, sec: Section): Op<void> {
        const take = loose(locks[sec.lock], sec.read ? 'withRead' : 'withLocked')
        yield* take(ctx, function* (ctx) {
          entered(sec.lock, name, sec.read)
          yield* k.cpuRelax(ctx as Parameters<ModelKernel['cpuRelax']>[0])
          if (sec.inner !== null) yield* run(ctx, name, sec.inner)
        })
      }
      threads.forEach((t, i) => {
        k.task(`t${i}`, { cpu: t.cpu }, function* (ctx) {
          for (const sec of t.sections) yield* run(ctx, `t${i}`, sec)
        })
      })
    },
    { cpus, lockdep: false },
  )

const lockArb = fc.constantFrom<LockName>('m', 's', 'r', 'p')
const flat = (lock: LockName, read: boolean): Section => ({ lock, read: read && readable(lock), inner: null })
const sectionArb: fc.Arbitrary<Section> = fc
  .tuple(lockArb, fc.boolean(), fc.option(fc.tuple(lockArb, fc.boolean()), { freq: 3 }))
  .map(([lock, read, inner]) => {
    // A sleeping lock is never taken inside a spinning one (the might-sleep splat, not an order).
    const ok = inner !== null && inner[0] !== lock && (SLEEPING.includes(lock) || !SLEEPING.includes(inner[0]))
    return { ...flat(lock, read), inner: ok ? flat(inner[0], inner[1]) : null }
  })
const threadArb: fc.Arbitrary<Thread> = fc.record({ cpu: fc.constantFrom(0, 1), sections: fc.array(sectionArb, { minLength: 1, maxLength: 1 }) })

describe('reductions are sound over the wake policies (random small programs, both kernels)', () => {
  it('dpor and sleep reach the same acquisition orders and failures as none', () => {
    let compared = 0
    fc.assert(
      fc.property(fc.array(threadArb, { minLength: 2, maxLength: 3 }), (threads) => {
        const reach = (reduction: 'none' | 'sleep' | 'dpor'): string[] | null => {
          const seen = new Set<string>()
          const r = explore(model(threads, seen), { reduction, preemptionBound: null, stopOnFailure: false, shrink: false, maxExecutions: 600 })
          if (!r.exhausted) return null
          for (const kr of r.kernels) for (const c of kr.counterexamples) seen.add(`${kr.kernel}: ${c.kind} ${c.title}`)
          return [...seen].sort()
        }
        const naive = reach('none')
        fc.pre(naive !== null)
        compared++
        expect(reach('sleep')).toEqual(naive)
        expect(reach('dpor')).toEqual(naive)
      }),
      { numRuns: 8, seed: 20261201 },
    )
    expect(compared).toBe(8)
  }, 240_000)
})

describe('a read that queued does not commute with another read (the lock probe)', () => {
  it('rw_semaphore: which of two readers steals from a woken writer, and which queues behind it — DPOR explores both', () => {
    const seen = new Set<string>()
    const r = explore(
      model(
        [
          { cpu: 0, sections: [flat('s', false)] },
          { cpu: 1, sections: [flat('s', false)] },
          { cpu: 2, sections: [flat('s', true)] },
          { cpu: 3, sections: [flat('s', true)] },
        ],
        seen,
        4,
      ),
      { kernels: ['normal'], preemptionBound: null, stopOnFailure: false, shrink: false },
    )
    expect(r.exhausted).toBe(true)
    // t0 holds it; t1 queues; t0's up_write() wakes t1; one reader steals, the other queues behind t1.
    expect([...seen].filter((o) => o === 's: t0 {t2} t1 {t3}' || o === 's: t0 {t3} t1 {t2}').sort()).toEqual(['s: t0 {t2} t1 {t3}', 's: t0 {t3} t1 {t2}'])
  }, 120_000)
})
