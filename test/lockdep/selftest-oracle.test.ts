/**
 * lib/locking-selftest.c as an oracle: its cases for the primitives lockproof models, each with
 * the outcome the kernel expects (`dotest(fn, FAILURE|SUCCESS, …)`: FAILURE = lockdep turned
 * itself off, `debug_locks == 0`), run on both kernels. Like locking_selftest(), the kernel is
 * made with `force_read_lock_recursive = 1`. Prints the agreement table and fails on any
 * disagreement.
 * Source: lib/locking-selftest.c (the v5.15+ form with NON_RT(), spinlock_t L()/U()).
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'
import { DoubleUnlockError } from '../../src/errors.js'

const FAILURE = 0
const SUCCESS = 1
type Expected = typeof FAILURE | typeof SUCCESS

/** One event of a case: take or release a lock by its selftest name. */
type Op = readonly ['lock' | 'unlock', string]
/** `try`: its trylock (the guard kept when taken); `nest:<M>`: spin_lock_nest_lock(lock, M). */
type Verb = Op[0] | 'try' | `nest:${string}`
/** Lock types of the selftest's header files: LOCK()/UNLOCK() of each. */
type LockType = 'spin' | 'wlock' | 'rlock' | 'mutex' | 'wsem' | 'rsem'

interface Case {
  readonly name: string
  readonly expected: Expected
  /** Operations as (lock type of each lock, op). */
  readonly ops: readonly (readonly [LockType, Verb, string])[]
}

interface GuardLike {
  readonly ctx: unknown
  unlock(): void
}
type GuardMethod = (ctx: unknown) => GuardLike

/** The guard method for LOCK() of each selftest type, and the factory of its lock kind. */
const LOCK_METHOD: Record<LockType, string> = { spin: 'lock', wlock: 'write', rlock: 'read', mutex: 'lock', wsem: 'write', rsem: 'read' }
const makeLock = (k: Kernel, type: LockType, cls: string): object =>
  type === 'spin' ? k.spinLock(cls, 0) : type === 'wlock' || type === 'rlock' ? k.rwLock(cls, 0) : type === 'mutex' ? k.mutex(cls, 0) : k.rwSemaphore(cls, 0)

/** Instance names to classes: X1 and X2 share class X (init_shared_classes()); A…D their own. */
const classOf = (instance: string): string => instance.replace(/[0-9]$/, '')

/** Runs a case in one task, as dotest() does; true when lockdep is still on (SUCCESS). */
const runCase = (c: Case, preemptRt: boolean): Expected => {
  const k = createKernel({ preemptRt, lockdep: { forceReadLockRecursive: true } })
  const kindOf = new Map<string, 'rw' | 'rwsem' | LockType>()
  const locks = new Map<string, object>()
  const lockFor = (type: LockType, instance: string): object => {
    const family = type === 'wlock' || type === 'rlock' ? 'rw' : type === 'wsem' || type === 'rsem' ? 'rwsem' : type
    let l = locks.get(`${family}:${instance}`)
    if (l === undefined) {
      l = makeLock(k, type, classOf(instance))
      locks.set(`${family}:${instance}`, l)
      kindOf.set(instance, family)
    }
    return l
  }
  k.run((root) => {
    const held: { instance: string; guard: GuardLike }[] = []
    const top = (): unknown => held.at(-1)?.guard.ctx ?? root
    let lastReleased: GuardLike | null = null
    for (const [type, op, instance] of c.ops) {
      const lock = lockFor(type, instance)
      const methods = lock as unknown as Record<string, GuardMethod>
      if (op === 'lock') {
        held.push({ instance, guard: (methods[LOCK_METHOD[type]] as GuardMethod)(top()) })
        continue
      }
      if (op === 'try') {
        const g = (methods.tryLock as (ctx: unknown) => GuardLike | null)(top())
        if (g !== null) held.push({ instance, guard: g })
        continue
      }
      if (op.startsWith('nest:')) {
        const nest = locks.get(`${type}:${op.slice(5)}`) ?? lockFor(type, op.slice(5))
        held.push({ instance, guard: (methods.lockNestLock as (ctx: unknown, nest: unknown) => GuardLike)(top(), nest) })
        continue
      }
      const at = held.map((h) => h.instance).lastIndexOf(instance)
      if (at < 0) {
        // UNLOCK of a lock not held: the double-unlock cases.
        try {
          lastReleased?.unlock()
        } catch (e) {
          if (!(e instanceof DoubleUnlockError)) throw e
        }
        continue
      }
      const [h] = held.splice(at, 1)
      h?.guard.unlock()
      lastReleased = h?.guard ?? null
    }
    for (const h of held.reverse()) h.guard.unlock()
  })
  return k.lockdepStats().active ? SUCCESS : FAILURE
}

// ── the cases ──────────────────────────────────────────────────────────────────────────
const L = (x: string): Op => ['lock', x]
const U = (x: string): Op => ['unlock', x]
const LU2 = (x: string, y: string): Op[] => [L(x), L(y), U(y), U(x)]
const TYPES: readonly LockType[] = ['spin', 'wlock', 'rlock', 'mutex', 'wsem', 'rsem']
const each = (type: LockType, ops: Op[]): Case['ops'] => ops.map(([op, x]) => [type, op, x] as const)

/** DO_TESTCASE_6R: every type FAILURE but rlock (recursive reads) SUCCESS. */
const sixR = (name: string, ops: Op[]): Case[] => TYPES.map((t) => ({ name: `${name}_${t}`, expected: t === 'rlock' ? SUCCESS : FAILURE, ops: each(t, ops) }))
/** DO_TESTCASE_6: every type FAILURE. */
const six = (name: string, ops: Op[]): Case[] => TYPES.map((t) => ({ name: `${name}_${t}`, expected: FAILURE, ops: each(t, ops) }))

const mixed = (name: string, expected: Expected, ops: (readonly [LockType, Verb, string])[]): Case => ({ name, expected, ops })
const RL = (x: string) => ['rlock', 'lock', x] as const
const RU = (x: string) => ['rlock', 'unlock', x] as const
const WL = (x: string) => ['wlock', 'lock', x] as const
const WU = (x: string) => ['wlock', 'unlock', x] as const
const SL = (x: string) => ['spin', 'lock', x] as const
const SU = (x: string) => ['spin', 'unlock', x] as const
const RSL = (x: string) => ['rsem', 'lock', x] as const
const RSU = (x: string) => ['rsem', 'unlock', x] as const
const WSL = (x: string) => ['wsem', 'lock', x] as const
const WSU = (x: string) => ['wsem', 'unlock', x] as const
const ML = (x: string) => ['mutex', 'lock', x] as const
const MU = (x: string) => ['mutex', 'unlock', x] as const

/** GENERATE_PERMUTATIONS_3_EVENTS with DO_TESTCASE_6x1RR(B): rlock only. */
const perms3 = (name: string, expected: Expected, e1: Case['ops'], e2: Case['ops'], e3: Case['ops']): Case[] => {
  const e = { 1: e1, 2: e2, 3: e3 } as const
  return (['123', '132', '213', '231', '312', '321'] as const).map((p) => ({
    name: `${name}_${p}`,
    expected,
    ops: [...p].flatMap((d) => e[Number(d) as 1 | 2 | 3]),
  }))
}

const CASES: readonly Case[] = [
  ...sixR('AA', [L('X1'), L('X2')]),
  ...sixR('ABBA', [...LU2('A', 'B'), ...LU2('B', 'A')]),
  ...sixR('ABBCCA', [...LU2('A', 'B'), ...LU2('B', 'C'), ...LU2('C', 'A')]),
  ...sixR('ABCABC', [...LU2('A', 'B'), ...LU2('C', 'A'), ...LU2('B', 'C')]),
  ...sixR('ABBCCDDA', [...LU2('A', 'B'), ...LU2('B', 'C'), ...LU2('C', 'D'), ...LU2('D', 'A')]),
  ...sixR('ABCDBDDA', [...LU2('A', 'B'), ...LU2('C', 'D'), ...LU2('B', 'D'), ...LU2('D', 'A')]),
  ...sixR('ABCDBCDA', [...LU2('A', 'B'), ...LU2('C', 'D'), ...LU2('B', 'C'), ...LU2('D', 'A')]),
  ...six('double_unlock', [L('A'), U('A'), U('A')]),
  mixed('rlock_AA1', SUCCESS, [RL('X1'), RL('X1')]),
  mixed('rsem_AA1', FAILURE, [RSL('X1'), RSL('X1')]),
  mixed('rlock_AA1B', SUCCESS, [RL('X1'), RL('X2')]),
  mixed('rsem_AA1B', FAILURE, [RSL('X1'), RSL('X2')]),
  mixed('rlock_AA2', FAILURE, [RL('X1'), WL('X2')]),
  mixed('rsem_AA2', FAILURE, [RSL('X1'), WSL('X2')]),
  mixed('rlock_AA3', FAILURE, [WL('X1'), RL('X2')]),
  mixed('rsem_AA3', FAILURE, [WSL('X1'), RSL('X2')]),
  mixed('rlock_ABBA1', FAILURE, [RL('X1'), SL('Y1'), SU('Y1'), RU('X1'), SL('Y1'), WL('X1'), WU('X1'), SU('Y1')]),
  mixed('rwsem_ABBA1', FAILURE, [RSL('X1'), ML('Y1'), MU('Y1'), RSU('X1'), ML('Y1'), WSL('X1'), WSU('X1'), MU('Y1')]),
  mixed('rlock_ABBA2', SUCCESS, [RL('X1'), SL('Y1'), SU('Y1'), RU('X1'), SL('Y1'), RL('X1'), RU('X1'), SU('Y1')]),
  mixed('rwsem_ABBA2', FAILURE, [RSL('X1'), ML('Y1'), MU('Y1'), RSU('X1'), ML('Y1'), RSL('X1'), RSU('X1'), MU('Y1')]),
  mixed('rlock_ABBA3', FAILURE, [WL('X1'), SL('Y1'), SU('Y1'), WU('X1'), SL('Y1'), WL('X1'), WU('X1'), SU('Y1')]),
  mixed('rwsem_ABBA3', FAILURE, [WSL('X1'), ML('Y1'), MU('Y1'), WSU('X1'), ML('Y1'), WSL('X1'), WSU('X1'), MU('Y1')]),
  mixed('rlock_chaincache_ABBA1', FAILURE, [
    RL('X1'),
    SL('Y1'),
    SU('Y1'),
    RU('X1'),
    SL('Y1'),
    RL('X1'),
    RU('X1'),
    SU('Y1'),
    SL('Y1'),
    WL('X1'),
    WU('X1'),
    SU('Y1'),
  ]),
  ...perms3(
    'W1R2_W2R3_W3R1',
    FAILURE,
    [WL('X1'), RL('Y1'), RU('Y1'), WU('X1')],
    [WL('Y1'), RL('Z1'), RU('Z1'), WU('Y1')],
    [WL('Z1'), RL('X1'), RU('X1'), WU('Z1')],
  ),
  ...perms3(
    'W1W2_R2R3_W3R1',
    FAILURE,
    [WL('X1'), WL('Y1'), WU('Y1'), WU('X1')],
    [RL('Y1'), RL('Z1'), RU('Z1'), RU('Y1')],
    [WL('Z1'), RL('X1'), RU('X1'), WU('Z1')],
  ),
  ...perms3(
    'W1W2_R2R3_R3W1',
    SUCCESS,
    [WL('X1'), WL('Y1'), WU('Y1'), WU('X1')],
    [RL('Y1'), RL('Z1'), RU('Z1'), RU('Y1')],
    [RL('Z1'), WL('X1'), WU('X1'), RU('Z1')],
  ),
  // ww_tests(): "spinlock nest unlocked" / "spinlock nest test" (nest lock o.base -> a mutex of its own here).
  mixed('ww_test_spin_nest_unlocked', FAILURE, [['spin', 'nest:O', 'A'], SU('A')]),
  mixed('ww_test_spin_nest_lock', SUCCESS, [SL('X1'), ['spin', 'nest:X1', 'Y1'], SL('A'), ['spin', 'nest:X1', 'Y2'], SU('A'), SU('Y2'), SU('Y1'), SU('X1')]),
  // ww_test_normal(): "trylock, succeeding" and "trylock, failing" on the base mutex.
  mixed('ww_test_normal_trylock', SUCCESS, [['mutex', 'try', 'O'], MU('O'), ML('O'), ['mutex', 'try', 'O'], MU('O')]),
  ...perms3(
    'W1R2_R2R3_W3W1',
    SUCCESS,
    [WL('X1'), RL('Y1'), RU('Y1'), WU('X1')],
    [RL('Y1'), RL('Z1'), RU('Z1'), RU('Y1')],
    [WL('Z1'), WL('X1'), WU('X1'), WU('Z1')],
  ),
]

const KERNELS = [
  { name: 'normal', preemptRt: false },
  { name: 'PREEMPT_RT', preemptRt: true },
] as const

const word = (e: Expected): string => (e === SUCCESS ? 'SUCCESS' : 'FAILURE')

describe('lib/locking-selftest.c as an oracle', () => {
  const rows = CASES.flatMap((c) => KERNELS.map((kern) => ({ c, kern, got: runCase(c, kern.preemptRt) })))

  it('prints the agreement table: case × kernel × expected × lockproof', () => {
    const lines = rows.map(({ c, kern, got }) => {
      const status = got === c.expected ? 'ok' : 'DISAGREES'
      return `${c.name.padEnd(26)} ${kern.name.padEnd(10)} ${word(c.expected).padEnd(8)} ${word(got).padEnd(8)} ${status}`
    })
    const agree = rows.filter(({ c, got }) => got === c.expected).length
    console.log(
      [
        `${'case'.padEnd(26)} ${'kernel'.padEnd(10)} expected lockproof`,
        ...lines,
        `${agree} of ${rows.length} runs agree (${CASES.length} cases × 2 kernels)`,
      ].join('\n'),
    )
    expect(lines.filter((l) => l.endsWith('DISAGREES'))).toEqual([])
  })
})
