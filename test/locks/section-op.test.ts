/**
 * The section op (src/locks/section-op.ts) against the generator it replaced, written here with
 * the same hooks: every way of driving it (next, throw, return, at every point; the section
 * yielding, throwing, catching, returning, ignoring a return; iterators without throw or return,
 * bad results; the lock's steps throwing) gives the same results, errors and hook calls.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LockSectionOp } from '../../src/locks/section-op.js'
import { newTrack, opStarted, type Track, UnstartedOps } from '../../src/exec/model/op.js'
import { POINT, type Op, type Yielded } from '../../src/exec/wait.js'
import { ForgottenYieldError } from '../../src/errors.js'

const P: Yielded = Object.freeze({ tag: 'point' })
const W: Yielded = Object.freeze({ tag: 'wait', channel: { id: 0, kind: 'spinlock_t', name: 'w' }, state: 'TASK_RUNNING', spin: true })

type Section =
  | 'overridesNext'
  | 'ownThrow'
  | 'yields'
  | 'catches'
  | 'returnsOnThrow'
  | 'yieldsInFinally'
  | 'noThrowNoReturn'
  | 'noThrowButReturn'
  | 'badResult'
  | 'notIterable'
  | 'reenters'
interface Scenario {
  readonly tracked: boolean
  readonly take: 'ok' | 'wait' | 'throws'
  readonly waits: number
  readonly push: 'ok' | 'throws'
  readonly section: Section
  readonly yields: number
  readonly sectionThrows: boolean
  readonly close: 'ok' | 'throws'
}
type Command = readonly ['next' | 'throw' | 'return', number]

/** The hooks of one scenario, logging into `log`; `self` is the op (for a section that re-enters it). */
const hooksOf = (sc: Scenario, log: string[], self: () => Op<unknown>) => {
  const err = (what: string): Error => new Error(what)
  const sectionOf = (): object => {
    switch (sc.section) {
      case 'noThrowNoReturn':
      case 'noThrowButReturn':
      case 'badResult': {
        let n = 0
        const it: Record<string | symbol, unknown> = {
          [Symbol.iterator]() {
            log.push('iter')
            return it
          },
          next(v: unknown) {
            log.push(`inext ${String(v)}`)
            if (sc.section === 'badResult' && n === 1) return 5
            return n++ < sc.yields ? { value: P, done: false } : { value: 'sv', done: true }
          },
        }
        if (sc.section === 'noThrowButReturn')
          it.return = (v: unknown) => {
            log.push(`ireturn ${String(v)}`)
            return { value: `r${String(v)}`, done: true }
          }
        return it
      }
      case 'notIterable':
        return { next: () => ({ done: true }) }
      default: {
        const body = function* (): Op<unknown> {
          try {
            for (let i = 0; i < sc.yields; i++) {
              try {
                const got: unknown = yield P
                log.push(`got ${String(got)}`)
                if (sc.section === 'reenters' && i === 0) {
                  try {
                    self().next()
                  } catch (e) {
                    log.push(`reenter ${(e as Error).message}`)
                  }
                }
              } catch (e) {
                log.push(`caught ${String(e)}`)
                if (sc.section === 'returnsOnThrow') return 'early'
                if (sc.section !== 'catches') throw e
              }
            }
            if (sc.sectionThrows) throw err('section')
            return 'sv'
          } finally {
            log.push('sfinally')
            if (sc.section === 'yieldsInFinally') yield P
          }
        }
        // A generator whose iteration is overridden on its function's prototype, or on itself: read as yield* reads it.
        if (sc.section === 'overridesNext') {
          const next = (body.prototype as Generator).next
          Object.defineProperty(body.prototype, 'next', {
            value(this: Generator, v: unknown) {
              log.push(`own next ${String(v)}`)
              return next.call(this, v as undefined)
            },
          })
        }
        const g = body()
        if (sc.section === 'ownThrow')
          Object.defineProperty(g, 'throw', {
            value(e: unknown) {
              log.push(`own throw ${String(e)}`)
              return { value: 'thrown', done: true }
            },
          })
        return g
      }
    }
  }
  return {
    point: (): Yielded => {
      log.push('point')
      return P
    },
    take: (): number => {
      log.push('take')
      if (sc.take === 'throws') throw err('take')
      return sc.take === 'wait' ? 2 : -1
    },
    waiting: (at: number): Op<boolean> => {
      log.push(`waiting ${at}`)
      return (function* (): Op<boolean> {
        try {
          for (let i = 0; i < sc.waits; i++) log.push(`woken ${String(yield W)}`)
          return true
        } finally {
          log.push('wfinally')
        }
      })()
    },
    push: (): void => {
      log.push('push')
      if (sc.push === 'throws') throw err('push')
    },
    section: (): object => {
      log.push('section')
      return sectionOf()
    },
    close: (): void => {
      log.push('close')
      if (sc.close === 'throws') throw err('close')
    },
  }
}

type Hooks = ReturnType<typeof hooksOf>

/** The generator withLockOp was (src/locks/lock.ts before the section op), on the hooks. */
function* reference(h: Hooks, track: Track | null): Op<unknown> {
  if (track !== null) opStarted(track)
  yield h.point()
  const at = h.take()
  if (at >= 0) yield* h.waiting(at)
  h.push()
  let closed = false
  let result: unknown
  try {
    const section = h.section() as Op<unknown>
    result = yield* section
    closed = true
    h.close()
  } finally {
    if (!closed) {
      try {
        h.close()
      } catch {
        /* the section's error wins */
      }
    }
  }
  yield POINT
  return result
}

class Under extends LockSectionOp {
  h: Hooks | null = null
  protected point(): Yielded {
    return (this.h as Hooks).point()
  }
  protected take(): number {
    return (this.h as Hooks).take()
  }
  protected waiting(at: number): Op<boolean> {
    return (this.h as Hooks).waiting(at)
  }
  protected push(): void {
    ;(this.h as Hooks).push()
  }
  protected section(): object {
    return (this.h as Hooks).section()
  }
  protected close(): void {
    ;(this.h as Hooks).close()
  }
  protected closeQuietly(): void {
    try {
      ;(this.h as Hooks).close()
    } catch {
      /* the section's error wins */
    }
  }
}

const ERRORS = [new Error('e0'), new Error('e1'), new Error('e2')]

/** Drives an op by `commands`; each outcome and what the hooks and the frame's list saw, as lines. */
const drive = (
  make: (log: string[], self: () => Op<unknown>) => { op: Op<unknown>; list: UnstartedOps; track: () => Track | null },
  commands: readonly Command[],
): string[] => {
  const log: string[] = []
  let op: Op<unknown> | null = null
  const made = make(log, () => op as Op<unknown>)
  op = made.op
  const describe = (v: unknown): string => (v === P ? 'P' : v === POINT ? 'POINT' : v === W ? 'W' : String(v))
  for (const [how, n] of commands) {
    try {
      const g = op as Generator<unknown, unknown, unknown>
      const r = how === 'next' ? g.next(n) : how === 'throw' ? g.throw(ERRORS[n % 3]) : g.return(n)
      log.push(`${how} ${n} → ${describe(r.value)} ${String(r.done)}`)
    } catch (e) {
      const known = ERRORS.indexOf(e as Error)
      // V8's words for a value that is not iterable differ from one tier to another: the error's class only.
      const message =
        (e as Error).message.includes('is not iterable') || (e as Error).message === 'undefined is not a function' ? '(not iterable)' : (e as Error).message
      log.push(`${how} ${n} threw ${known >= 0 ? `e${known}` : `${(e as Error).constructor.name}: ${message}`}`)
    }
    const t = made.track()
    log.push(`track ${t === null ? '-' : String(t.started)} list ${made.list.first()?.what ?? '-'}`)
  }
  return log
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  tracked: fc.boolean(),
  take: fc.constantFrom('ok', 'ok', 'wait', 'throws'),
  waits: fc.integer({ min: 0, max: 2 }),
  push: fc.constantFrom('ok', 'ok', 'ok', 'throws'),
  section: fc.constantFrom<Section>(
    'overridesNext',
    'ownThrow',
    'yields',
    'catches',
    'returnsOnThrow',
    'yieldsInFinally',
    'noThrowNoReturn',
    'noThrowButReturn',
    'badResult',
    'notIterable',
    'reenters',
  ),
  yields: fc.integer({ min: 0, max: 3 }),
  sectionThrows: fc.boolean(),
  close: fc.constantFrom('ok', 'ok', 'throws'),
})
const commands: fc.Arbitrary<Command[]> = fc.array(fc.tuple(fc.constantFrom('next', 'next', 'next', 'throw', 'return'), fc.integer({ min: 0, max: 9 })), {
  minLength: 1,
  maxLength: 9,
})

const runBoth = (sc: Scenario, cmds: readonly Command[]): [string[], string[]] => {
  const viaGenerator = drive((log, self) => {
    const list = new UnstartedOps()
    const track = sc.tracked ? newTrack('op', { unstartedSet: () => list }) : null
    return { op: reference(hooksOf(sc, log, self), track), list, track: () => track }
  }, cmds)
  const viaIterator = drive((log, self) => {
    const list = new UnstartedOps()
    const op = new Under('op', sc.tracked ? { unstartedSet: () => list } : null)
    op.h = hooksOf(sc, log, self)
    return { op: op as unknown as Op<unknown>, list, track: () => (sc.tracked ? op : null) }
  }, cmds)
  return [viaGenerator, viaIterator]
}

describe('the section op against the generator it replaced', () => {
  it('drives the same in every scenario (next, throw, return at every point)', () => {
    fc.assert(
      fc.property(scenario, commands, (sc, cmds) => {
        const [a, b] = runBoth(sc, cmds)
        expect(b).toEqual(a)
      }),
      { numRuns: 3000 },
    )
  })

  it('a section that yields twice, run to its end: the point, the section, its close, the last point', () => {
    const sc: Scenario = { tracked: true, take: 'ok', waits: 0, push: 'ok', section: 'yields', yields: 2, sectionThrows: false, close: 'ok' }
    const [a, b] = runBoth(sc, [
      ['next', 0],
      ['next', 1],
      ['next', 2],
      ['next', 3],
      ['next', 4],
      ['next', 5],
    ])
    expect(b).toEqual(a)
    expect(b).toContain('next 3 → POINT false')
    expect(b).toContain('next 4 → sv true')
    expect(b).toContain('next 5 → undefined true')
  })

  it('a return from inside the section closes it; a throw into a section without a throw method is a TypeError after its return', () => {
    const ret: Scenario = { tracked: false, take: 'ok', waits: 0, push: 'ok', section: 'yields', yields: 2, sectionThrows: false, close: 'ok' }
    const [a, b] = runBoth(ret, [
      ['next', 0],
      ['next', 1],
      ['return', 7],
    ])
    expect(b).toEqual(a)
    expect(b.slice(-4)).toEqual(['sfinally', 'close', 'return 7 → 7 true', 'track - list -'])
    const noThrow: Scenario = { ...ret, section: 'noThrowButReturn' }
    const [c, d] = runBoth(noThrow, [
      ['next', 0],
      ['next', 1],
      ['throw', 0],
    ])
    expect(d).toEqual(c)
    expect(d).toContain("throw 0 threw TypeError: The iterator does not provide a 'throw' method.")
  })

  it('re-entering the op from its own section is "Generator is already running"', () => {
    const sc: Scenario = { tracked: false, take: 'ok', waits: 0, push: 'ok', section: 'reenters', yields: 2, sectionThrows: false, close: 'ok' }
    const [a, b] = runBoth(sc, [
      ['next', 0],
      ['next', 1],
      ['next', 2],
    ])
    expect(b).toEqual(a)
    expect(b).toContain('reenter Generator is already running')
  })

  it('made and never started: listed in its frame, and reading a guard member off it is a forgotten yield*', () => {
    const list = new UnstartedOps()
    const op = new Under("spinlock_t 'x'.withLocked(ctx, …)", { unstartedSet: () => list })
    expect(list.first()).toBe(op)
    expect(Object.prototype.toString.call(op)).toBe('[object Generator]')
    expect(() => (op as unknown as { data: unknown }).data).toThrow(ForgottenYieldError)
    expect(() => (op as unknown as { data: unknown }).data).toThrow("use `yield* spinlock_t 'x'.withLocked(ctx, …)` (its .data was read)")
    const untracked = new Under('x', null)
    expect((untracked as unknown as { data: unknown }).data).toBeUndefined()
  })
})
