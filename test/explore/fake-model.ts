/**
 * A tiny transition system standing in for the model executor, so the search strategies are
 * tested on their own: tasks and interrupt handlers on CPUs, each a list of operations on spin
 * locks and shared cells. It asks the Scheduler the same question the model executor does.
 * - normal kernel: a spin lock spins (the waiter stays on its CPU, which nothing else can use);
 *   an interrupt arrives where its CPU has interrupts on and runs to its end before the task goes on.
 * - rt: spin locks sleep, and a handler is a thread of its own that interleaves with the task.
 */
import type { TraceEvent } from '../../src/machine/events.js'
import type { Choice, Scheduler } from '../../src/exec/model/scheduler.js'
import type { Execution, Failure, KernelName, RunExecution } from '../../src/exec/explore/execution.js'
import type { Access, WaitChannel } from '../../src/exec/wait.js'

export type Op =
  | { readonly op: 'lock'; readonly lock: string }
  | { readonly op: 'unlock'; readonly lock: string }
  /** spin_lock_irq / spin_unlock_irq: also interrupts off / on (normal kernel only). */
  | { readonly op: 'lockIrq'; readonly lock: string }
  | { readonly op: 'unlockIrq'; readonly lock: string }
  | { readonly op: 'read'; readonly cell: string; readonly into: string }
  | { readonly op: 'write'; readonly cell: string; readonly from: string; readonly add?: number }
  | { readonly op: 'assert'; readonly cell: string; readonly equals: number }

export interface FakeThread {
  readonly name: string
  readonly cpu: number
  readonly ops: readonly Op[]
}

export interface FakeIrq extends FakeThread {
  readonly line: number
}

export interface FakeModel {
  readonly tasks: readonly FakeThread[]
  readonly irqs?: readonly FakeIrq[]
}

export const lock = (l: string): Op => ({ op: 'lock', lock: l })
export const unlock = (l: string): Op => ({ op: 'unlock', lock: l })
export const read = (cell: string, into = 'r'): Op => ({ op: 'read', cell, into })
export const write = (cell: string, from = 'r', add = 0): Op => ({ op: 'write', cell, from, add })

interface Live {
  readonly pid: number
  readonly name: string
  readonly cpu: number
  readonly ops: readonly Op[]
  pc: number
  readonly regs: Map<string, number>
  /** A handler on the normal kernel runs on top of the task it interrupted. */
  readonly handler: boolean
  /** Parked on this lock: its attempt found it held (the attempt was a step); woken by the unlock. */
  waiting: string | null
}

/** The outcome of one execution, for comparing what two searches reach. */
export type Outcomes = Set<string>

export const fakeRunner = (model: FakeModel, outcomes?: Outcomes): RunExecution => {
  const channels = new Map<string, WaitChannel>()
  const channel = (kind: string, name: string): WaitChannel => {
    const key = `${kind}:${name}`
    let c = channels.get(key)
    if (c === undefined) {
      c = { id: channels.size, kind, name }
      channels.set(key, c)
    }
    return c
  }
  const access = (op: Op): Access | undefined => {
    switch (op.op) {
      case 'lock':
      case 'unlock':
      case 'lockIrq':
      case 'unlockIrq':
        return { channel: channel('spinlock_t', op.lock), write: true }
      case 'read':
      case 'assert':
        return { channel: channel('cell', op.cell), write: false }
      case 'write':
        return { channel: channel('cell', op.cell), write: true }
    }
  }
  return (kernel: KernelName, scheduler: Scheduler): Execution => {
    const rt = kernel === 'rt'
    const declarations = [...model.tasks.map((t) => `task ${t.name} cpu${t.cpu}`), ...(model.irqs ?? []).map((i) => `irq ${i.line} ${i.name} cpu${i.cpu}`)]
    const threads: Live[] = model.tasks.map((t, i) => ({
      pid: i + 1,
      name: t.name,
      cpu: t.cpu,
      ops: t.ops,
      pc: 0,
      regs: new Map(),
      handler: false,
      waiting: null,
    }))
    const pendingIrqs = [...(model.irqs ?? [])]
    const owner = new Map<string, number>()
    const cells = new Map<string, number>()
    const irqOff = new Map<number, number>()
    /** The handler running on a CPU (normal kernel), which the interrupted task waits under. */
    const onTop = new Map<number, Live>()
    const failures: Failure[] = []
    const trace: TraceEvent[] = []
    const log = (t: Live, event: 'lock' | 'unlock', name: string): void => {
      trace.push({
        seq: trace.length,
        cpu: t.cpu,
        pid: t.pid,
        comm: t.name,
        preemptCount: t.handler ? 0x10000 : owner.size > 0 ? 1 : 0,
        irqsDisabled: (irqOff.get(t.cpu) ?? 0) > 0,
        flags: '.....',
        clockMs: 0,
        event,
        lock: channel('spinlock_t', name).id,
        lockKind: 'spinlock_t',
        name,
        read: false,
      })
    }
    let step = 0
    let previous: Choice | null = null
    for (;;) {
      const choices: Choice[] = []
      const who: (Live | (typeof pendingIrqs)[number])[] = []
      for (const t of threads) {
        if (t.pc >= t.ops.length) continue
        const top = onTop.get(t.cpu)
        if (top !== undefined && top !== t) continue
        const op = t.ops[t.pc] as Op
        if (t.waiting !== null) continue // spinning or sleeping on a held lock
        const a = access(op)
        choices.push(
          a === undefined ? { kind: 'task', pid: t.pid, comm: t.name, cpu: t.cpu } : { kind: 'task', pid: t.pid, comm: t.name, cpu: t.cpu, access: a },
        )
        who.push(t)
      }
      for (const irq of pendingIrqs) {
        // As the model executor does: offered wherever its CPU has interrupts on (also once the tasks are done).
        if ((irqOff.get(irq.cpu) ?? 0) === 0 && !onTop.has(irq.cpu)) {
          choices.push({ kind: 'irq', cpu: irq.cpu, line: irq.line })
          who.push(irq)
        }
      }
      const unfinished = threads.filter((t) => t.pc < t.ops.length)
      if (choices.length === 0) {
        if (unfinished.length > 0) {
          const locks = [...new Set(unfinished.map((t) => (t.ops[t.pc] as { lock?: string }).lock ?? '?'))].sort()
          failures.push({
            kind: 'deadlock',
            key: `deadlock:${locks.join(',')}`,
            title: `deadlock on ${locks.join(', ')}`,
            locks,
            report: unfinished.map((t) => `${t.name} waits`).join('\n'),
          })
        }
        break
      }
      const i = scheduler.choose(choices, { step, previous })
      step++
      const c = choices[i] as Choice
      previous = c
      const w = who[i]
      if (w === undefined) throw new Error('bad index')
      if (c.kind === 'irq') {
        pendingIrqs.splice(pendingIrqs.indexOf(w as FakeIrq), 1)
        const h: Live = { pid: 100 + c.line, name: w.name, cpu: w.cpu, ops: w.ops, pc: 0, regs: new Map(), handler: !rt, waiting: null }
        threads.push(h)
        if (!rt) onTop.set(h.cpu, h)
        continue
      }
      const t = w as Live
      const op = t.ops[t.pc] as Op
      if ((op.op === 'lock' || op.op === 'lockIrq') && owner.has(op.lock)) {
        t.waiting = op.lock
        continue
      }
      t.pc++
      switch (op.op) {
        case 'lock':
        case 'lockIrq':
          owner.set(op.lock, t.pid)
          if (op.op === 'lockIrq' && !rt) irqOff.set(t.cpu, (irqOff.get(t.cpu) ?? 0) + 1)
          log(t, 'lock', op.lock)
          break
        case 'unlock':
        case 'unlockIrq':
          owner.delete(op.lock)
          for (const w of threads) if (w.waiting === op.lock) w.waiting = null
          if (op.op === 'unlockIrq' && !rt) irqOff.set(t.cpu, (irqOff.get(t.cpu) ?? 0) - 1)
          log(t, 'unlock', op.lock)
          break
        case 'read':
          t.regs.set(op.into, cells.get(op.cell) ?? 0)
          break
        case 'write':
          cells.set(op.cell, (t.regs.get(op.from) ?? 0) + (op.add ?? 0))
          break
        case 'assert': {
          const v = cells.get(op.cell) ?? 0
          if (v !== op.equals)
            failures.push({
              kind: 'assertion',
              key: `assert:${op.cell}`,
              title: `${op.cell} is ${v}, not ${op.equals}`,
              report: `${t.name}: ${op.cell} is ${v}, not ${op.equals}`,
            })
          break
        }
      }
      if (t.handler && t.pc >= t.ops.length) onTop.delete(t.cpu)
    }
    if (outcomes !== undefined) {
      const cellText = [...cells].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`)
      outcomes.add(`${failures.map((f) => f.key).join('|')};${cellText.join(',')}`)
    }
    return { failures, trace, declarations }
  }
}
