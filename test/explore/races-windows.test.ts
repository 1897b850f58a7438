/**
 * The in-flight rules of watched data (src/exec/explore/races/data-races.ts), step by step on a
 * fake machine: an access lingers until its context steps again, unless within its step the
 * context released a lock it held or turned preemption / interrupts back on; a task that ended
 * keeps only its unprotected accesses in flight.
 */
import { describe, expect, it } from 'vitest'
import { type ActiveExecution, withActiveExecution } from '../../src/exec/explore/active.js'
import { RaceDetector } from '../../src/exec/explore/kcsan.js'
import { DataRaces, type WatchCpu, type WatchedRoot } from '../../src/exec/explore/races/data-races.js'
import type { HeldLock } from '../../src/locks/held.js'
import type { Choice } from '../../src/exec/model/scheduler.js'

interface FakeTask {
  readonly pid: number
  readonly comm: string
  readonly held: HeldLock[]
  state: string
}
interface FakeCpu extends WatchCpu {
  current: FakeTask
  preemptCount: number
  irqsDisabled: boolean
}

const held = (name: string): HeldLock => ({
  name,
  kind: 'spinlock_t',
  check: true,
  variant: 'plain',
  mode: 'write',
  recursiveRead: false,
  cpu: 0,
  irqContext: 0,
  lock: 7,
  flags: null,
  irqLock: false,
  trylock: false,
  nestLock: null,
  key: name,
  subclass: 0,
  classId: null,
  chainId: null,
})
const task = (pid: number, comm: string): FakeTask => ({ pid, comm, held: [], state: 'TASK_RUNNING' })
const cpuOf = (id: number, t: FakeTask): FakeCpu => ({
  id,
  current: t,
  preemptCount: 0,
  irqsDisabled: false,
  inNmi: () => false,
  inHardirq: () => false,
  inServingSoftirq: () => false,
})
const root: WatchedRoot = { channel: { id: 7, kind: 'spinlock_t', name: 'stats' }, path: 'stats' }
const step = (t: FakeTask, cpu: number): Choice => ({ kind: 'task', pid: t.pid, comm: t.comm, cpu })

/** A fake execution: `run(choice, fn)` runs fn as that choice's step and ends the step. */
const setup = () => {
  const a = task(1, 'a')
  const b = task(2, 'b')
  const cpu0 = cpuOf(0, a)
  const cpus = [cpu0, cpuOf(1, b)]
  let current: Choice | null = null
  const active: ActiveExecution = { detector: new RaceDetector(), current: () => current, attach: () => undefined }
  const races = new DataRaces(active, cpus)
  const target = { n: 0 }
  const run = (c: Choice, fn: () => void) =>
    withActiveExecution(active, () => {
      current = c
      fn()
      return races.stepEnded(c)
    })
  const titles = () => active.detector.failures().map((f) => f.title)
  return { a, b, cpu0, races, target, run, titles }
}

describe('watched data: when an access is in flight', () => {
  it('until its context steps again: a conflicting access of another CPU meanwhile races, afterwards not', () => {
    const { a, b, races, target, run, titles } = setup()
    run(step(a, 0), () => races.access(target, 'n', true, root))
    run(step(b, 1), () => races.access(target, 'n', false, root))
    expect(titles()).toEqual(['BUG: KCSAN: data-race in a / b'])
    const later = setup()
    later.run(step(later.a, 0), () => later.races.access(later.target, 'n', true, root))
    later.run(step(later.a, 0), () => undefined) // a goes on: its write is over
    later.run(step(later.b, 1), () => later.races.access(later.target, 'n', false, root))
    expect(later.titles()).toEqual([])
  })

  it('two reads never race; other keys never race', () => {
    const { a, b, races, target, run, titles } = setup()
    run(step(a, 0), () => races.access(target, 'n', false, root))
    run(step(b, 1), () => {
      races.access(target, 'n', false, root)
      races.access(target, 'm', true, root)
    })
    expect(titles()).toEqual([])
  })

  it('a lock released, or preemption turned back on, within the step ends it there', () => {
    const { a, b, races, target, run, titles } = setup()
    const lock = held('stats')
    run(step(a, 0), () => {
      a.held.push(lock)
      races.access(target, 'n', true, root)
      a.held.pop() // spin_unlock() in the same step
    })
    run(step(b, 1), () => races.access(target, 'n', true, root))
    const next = setup()
    next.run(step(next.a, 0), () => {
      next.cpu0.preemptCount = 1
      next.races.access(next.target, 'n', true, root)
      next.cpu0.preemptCount = 0 // preempt_enable() in the same step
    })
    next.run(step(next.b, 1), () => next.races.access(next.target, 'n', true, root))
    expect([titles(), next.titles()]).toEqual([[], []])
  })

  it('held across the point (the section goes on): a stale access of another context races, and the report shows who held what', () => {
    const { a, b, races, target, run, titles } = setup()
    a.held.push(held('stats'))
    run(step(a, 0), () => races.access(target, 'n', true, root)) // parked inside the section
    run(step(b, 1), () => races.access(target, 'n', false, root))
    expect(titles()).toEqual(['BUG: KCSAN: data-race in a / b'])
  })

  it('a task that ended keeps its unprotected access in flight, not one it made under a lock', () => {
    const { a, b, cpu0, races, target, run, titles } = setup()
    run(step(a, 0), () => {
      races.access(target, 'n', true, root)
      cpu0.current = task(0, 'swapper/0') // exits
    })
    run(step(b, 1), () => races.access(target, 'n', false, root))
    expect(titles()).toEqual(['BUG: KCSAN: data-race in a / b'])
    const locked = setup()
    locked.run(step(locked.a, 0), () => {
      locked.a.held.push(held('stats'))
      locked.races.access(locked.target, 'n', true, root)
      locked.cpu0.current = task(0, 'swapper/0') // exits (its lock given up on the way out)
    })
    locked.run(step(locked.b, 1), () => locked.races.access(locked.target, 'n', false, root))
    expect(locked.titles()).toEqual([])
  })

  it('what a step touched, for the dependence: its root (write if any write), none, and the step that ends a lingering access', () => {
    const { a, b, races, target, run } = setup()
    expect(run(step(a, 0), () => races.access(target, 'n', false, root))).toEqual({ channel: root.channel, write: false })
    expect(run(step(b, 1), () => undefined)).toBeUndefined()
    // a's next step ends its read: it touches the root as the read did.
    expect(run(step(a, 0), () => undefined)).toEqual({ channel: root.channel, write: false })
    const other: WatchedRoot = { channel: { id: 8, kind: 'percpu', name: 'pcp' }, path: 'per_cpu(pcp, 0)' }
    expect(
      run(step(b, 1), () => {
        races.access(target, 'n', false, root)
        races.access({}, 'x', true, other)
      }),
    ).toBeNull()
  })
})
