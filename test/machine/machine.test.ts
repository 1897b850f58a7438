/**
 * The machine is plain data: a clone taken at any point of a run equals the machine, two runs of
 * one program give equal machines, and a step changes exactly what it should.
 */
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'
import { machineOf } from '../../src/kernel.js'
import type { Machine } from '../../src/machine/machine.js'

/** The paths (a.b.0.c) where two plain values differ. */
const diff = (a: unknown, b: unknown, path = ''): string[] => {
  if (Object.is(a, b)) return []
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return [path]
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`))
}

/**
 * The paths of accessor properties (getters) anywhere in `v`, own or inherited from a class: a
 * clone (structuredClone, JSON) keeps own data fields only, so a getter's value would be lost.
 */
const accessors = (v: unknown, path = '', seen = new Set<object>()): string[] => {
  if (typeof v !== 'object' || v === null || seen.has(v)) return []
  seen.add(v)
  const found: string[] = []
  for (let o: object | null = v; o !== null && o !== Object.prototype && o !== Array.prototype; o = Object.getPrototypeOf(o)) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(o))) if (d.get !== undefined) found.push(path === '' ? k : `${path}.${k}`)
  }
  for (const [k, x] of Object.entries(v)) found.push(...accessors(x, path === '' ? k : `${path}.${k}`, seen))
  return found
}

const lockByName = (m: Machine, name: string) => {
  const lock = m.locks.find((l) => l.name === name)
  if (lock === undefined) throw new Error(`no lock ${name}`)
  return lock
}

/**
 * Every lock kind held (rwlock_t and rw_semaphore read and write), rcu_read_lock and
 * local_bh_disable held (on RT: lockdep's rcu and bh maps), a noThread hardirq handler running
 * with its own lock: `probe` is called innermost, in the handler.
 */
const program = (preemptRt: boolean, probe: (k: Kernel, where: string) => void): Kernel => {
  const k = createKernel({ preemptRt, lockdep: true, trace: true, cpus: 2 })
  const m = k.mutex('m', 0)
  const semR = k.rwSemaphore('semR', 0)
  const semW = k.rwSemaphore('semW', 0)
  const ll = k.localLock('ll', () => ({ n: 0 }))
  const s = k.spinLock('s', 0)
  const rwR = k.rwLock('rwR', 0)
  const rwW = k.rwLock('rwW', 0)
  const raw = k.rawSpinLock('raw', 0)
  const irqLock = k.spinLockIrq('irqLock', 0)
  const hw = k.rawSpinLock('hw', 0)
  const wq = k.lockMap('wq')
  k.requestIrq(
    5,
    'dev',
    (ctx) => {
      hw.withLocked(ctx, () => probe(k, 'handler'))
    },
    { noThread: true },
  )
  k.run((ctx) =>
    m.withLocked(ctx, (ctx) =>
      semR.withRead(ctx, (ctx) =>
        semW.withWrite(ctx, (ctx) =>
          ctx.rcuReadLock((ctx) =>
            ctx.localBhDisable((ctx) =>
              ll.withLocked(ctx, (ctx) =>
                s.withLocked(ctx, (ctx) =>
                  rwR.withRead(ctx, (ctx) =>
                    rwW.withWrite(ctx, (ctx) => {
                      // Interrupts are on here: the handler runs at once, on top of these locks.
                      ctx.raiseIrq(5)
                      irqLock.withLocked(ctx, (ctx) =>
                        raw.withLocked(ctx, (ctx) => {
                          wq.acquire(ctx)
                          probe(k, 'task')
                          wq.release(ctx)
                        }),
                      )
                    }),
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  )
  return k
}

describe('the machine as plain data', () => {
  it.each([false, true])('a clone mid-run (every kind held, lockdep, rcu/bh, a handler running, trace on) equals the machine (preemptRt=%s)', (preemptRt) => {
    const seen: string[] = []
    const k = program(preemptRt, (k, where) => {
      const machine = machineOf(k)
      const clone = structuredClone(machine)
      expect(clone).toEqual(machine)
      // Plain data: JSON keeps all of it too (no Map, function or class-only state), own fields
      // compared strictly, and nothing is a getter (toEqual would not see one lost in the clone).
      expect(JSON.parse(JSON.stringify(machine))).toEqual(machine)
      expect(JSON.parse(JSON.stringify(clone))).toStrictEqual(JSON.parse(JSON.stringify(machine)))
      expect(accessors(machine)).toEqual([])
      const task = clone.cpus[0]?.current
      if (task === undefined) throw new Error('no CPU 0')
      const held = task.held.map((h) => `${h.name}${h.mode === 'read' ? ' (read)' : ''}`)
      // The hardirq handler runs on the interrupted task, on top of its held locks.
      expect(task.pid).toBe(1)
      if (where === 'task') {
        const maps = preemptRt ? ['rcu_read_lock', 'local_bh', 'rcu_read_lock'] : ['rcu_read_lock']
        expect(held).toEqual(
          [
            'm',
            'semR (read)',
            'semW',
            ...maps.map((n) => `${n} (read)`),
            'll',
            ...(preemptRt ? ['rcu_read_lock (read)'] : []),
            's',
            ...(preemptRt ? ['rcu_read_lock (read)'] : []),
            'rwR (read)',
            ...(preemptRt ? ['rcu_read_lock (read)'] : []),
            'rwW',
            ...(preemptRt ? ['rcu_read_lock (read)'] : []),
            'irqLock',
            ...(preemptRt ? ['rcu_read_lock (read)'] : []),
            'raw',
            'wq',
          ].filter((n) => preemptRt || !n.startsWith('local_bh')),
        )
        expect(lockByName(clone, 'm')).toMatchObject({ kind: 'mutex', writerPid: 1, writerCpu: 0, readerPids: [] })
        expect(lockByName(clone, 'semR')).toMatchObject({ writerPid: -1, readerPids: [1], readerCpus: [0] })
        expect(lockByName(clone, 'rwW')).toMatchObject({ kind: 'rwlock_t', writerPid: 1, writerCpu: 0 })
        expect(clone.tasks[1]).toBe(task)
        // Entries refer to lockdep's class and chain by id.
        expect(task.held.filter((h) => typeof h.classId !== 'number' || typeof h.chainId !== 'number').map((h) => [h.name, h.classId, h.chainId])).toEqual([])
      } else {
        expect(held.at(-1)).toBe('hw')
        expect(held).toContain('rwW')
        expect(held).not.toContain('raw')
        expect(lockByName(clone, 'hw')).toMatchObject({ writerPid: 1, writerCpu: 0 })
        expect(task.held.at(-1)?.irqContext).toBe(2)
        expect(clone.cpus[0]?.claimIrq).toBeGreaterThan(0)
        expect(clone.events.filter((e) => e.event.startsWith('irq_handler_')).at(-1)).toMatchObject({
          event: 'irq_handler_entry',
          line: 5,
          name: 'dev',
          wake: false,
        })
      }
      // A clone is a copy: changing it leaves the machine alone.
      task.migrationDisabled = 99
      expect(clone).not.toEqual(machine)
      seen.push(where)
    })
    expect(seen).toEqual(['handler', 'task'])
    expect(k.diagnostics).toEqual([])
    // At the end: every lock free, no task left, the trace in the machine.
    const machine = machineOf(k)
    expect(machine.locks.filter((l) => l.writerPid !== -1 || l.readerPids.length > 0)).toEqual([])
    expect(machine.tasks).toEqual({})
    expect(machine.events).toBe(k.trace)
  })

  it.each([false, true])('two runs of the same program give equal machines, mid-run and at the end (preemptRt=%s)', (preemptRt) => {
    const record = (): Machine[] => {
      const clones: Machine[] = []
      const k = program(preemptRt, (k) => clones.push(structuredClone(machineOf(k))))
      clones.push(structuredClone(machineOf(k)))
      return clones
    }
    const a = record()
    const b = record()
    expect(a).toHaveLength(3)
    expect(b).toEqual(a)
  })
})

describe('a step changes exactly its part of the machine', () => {
  it('preempt_disable(): preempt_count and the count of contexts proving PreemptDisabled', () => {
    const k = createKernel()
    k.run((ctx) => {
      const before = structuredClone(machineOf(k))
      ctx.preemptDisable(() => {
        expect(diff(before, machineOf(k))).toEqual(['cpus.0.preemptCount', 'cpus.0.claimPreempt'])
        expect(machineOf(k).cpus[0]?.preemptCount).toBe((before.cpus[0]?.preemptCount ?? 0) + 1)
      })
    })
  })

  it("spin_lock(): preempt_count, the lock's owner, the task's held entry", () => {
    const k = createKernel({ cpus: 2 })
    const s = k.spinLock('s', 0)
    k.run(
      (ctx) => {
        const before = structuredClone(machineOf(k))
        s.withLocked(ctx, () => {
          const after = machineOf(k)
          const id = lockByName(after, 's').id
          // cpus.1.current is the running task, the same record as tasks.1 (one object in the machine).
          expect(diff(before, after)).toEqual([
            'cpus.1.preemptCount',
            'cpus.1.current.held.0',
            'tasks.1.held.0',
            `locks.${id}.writerPid`,
            `locks.${id}.writerCpu`,
            `locks.${id}.writerComm`,
          ])
          expect(lockByName(after, 's')).toMatchObject({ writerPid: 1, writerCpu: 1 })
          // lockdep's first class, and its first chain after the four irq-context roots.
          expect(after.tasks[1]?.held[0]).toMatchObject({ lock: id, name: 's', kind: 'spinlock_t', mode: 'write', cpu: 1, classId: 0, chainId: 4 })
        })
        // And back: the machine is as it was.
        expect(diff(before, machineOf(k))).toEqual([])
      },
      { cpu: 1 },
    )
  })

  it('msleep(): the clock only', () => {
    const k = createKernel()
    k.run((ctx) => {
      const before = structuredClone(machineOf(k))
      ctx.msleep(7)
      expect(diff(before, machineOf(k))).toEqual(['clockMs'])
      expect(machineOf(k).clockMs).toBe(before.clockMs + 7)
    })
  })

  it("a WARN_ON_ONCE() firing: the machine's record of fired sites (and the report's event)", () => {
    const k = createKernel({ trace: true })
    const before = structuredClone(machineOf(k))
    // Untyped code: local_bh_enable() with interrupts off (lockdep's TRACE_IRQFLAGS warning).
    const bh = (ctx: unknown): void => (ctx as { localBhDisable(cb: () => void): void }).localBhDisable(() => undefined)
    k.run((ctx) => ctx.core.localIrqSave((c) => bh(c)))
    expect(machineOf(k).warned).toEqual(['bh-enable-irqs-disabled'])
    expect(diff(before, machineOf(k)).filter((p) => !p.startsWith('events'))).toEqual(['nextPid', 'warned.0'])
    // Each report is an event too, in order (the local_irq_enable() inside it falsified the IrqDisabled proof).
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['kernel-warning', 'proof-falsified'])
    expect(machineOf(k).events.flatMap((e) => (e.event === 'diagnostic' ? [e.kind] : []))).toEqual(['kernel-warning', 'proof-falsified'])
  })

  it('a task: the pid counter, the task while it runs, gone after', () => {
    const k = createKernel()
    const before = structuredClone(machineOf(k))
    k.run(() => {
      expect(diff(before, machineOf(k))).toEqual(['cpus.0.current.pid', 'cpus.0.current.comm', 'tasks.1', 'nextPid'])
      expect(machineOf(k).cpus[0]?.current).toBe(machineOf(k).tasks[1])
    })
    expect(diff(before, machineOf(k))).toEqual(['nextPid'])
  })
})

describe("a lock map's own properties", () => {
  it('are its kind and name only: the kernel and its machine stay private', () => {
    const map = createKernel().lockMap('wq')
    expect(Object.keys(map).sort()).toEqual(['kind', 'name'])
    expect(Object.values(map).sort()).toEqual(['lockdep_map', 'wq'])
  })
})
