/**
 * Random nested programs on random kernels: every CPU ends exactly as it began, and at every step
 * every predicate agrees with a reference computed here, directly from the raw fields and masks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HARDIRQ_MASK, NMI_MASK, PREEMPT_NEED_RESCHED, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from '../../src/cpu/preempt-count.js'
import { createKernel, type Context, type CpuState, type CpuView, type CtxState, type Kernel } from '../../src/index.js'

// ── programs ──────────────────────────────────────────────────────────────────────────────
type Scope = 'preempt' | 'bh' | 'rcu' | 'migrate' | 'irqsave'
type Op =
  | { readonly kind: 'scope'; readonly scope: Scope; readonly body: readonly Op[] }
  /** Line 1 has an IRQF_NO_THREAD handler, line 2 a threadable one; the handler runs `body`. */
  | { readonly kind: 'irq'; readonly line: 1 | 2; readonly body: readonly Op[] }
  | { readonly kind: 'softirq'; readonly nr: 0 | 1 | 3 | 9 }
  | { readonly kind: 'nmi' }
  /** Throws; caught outside the task. Skipped inside handlers. */
  | { readonly kind: 'throw' }
  /** A nested kernel.run({ cpu: 1 }) running `body`. Skipped on one CPU and when already on CPU 1. */
  | { readonly kind: 'cpu1'; readonly body: readonly Op[] }

const MAX_DEPTH = 4
const { ops: opsArb } = fc.letrec<{ ops: readonly Op[]; op: Op }>((tie) => ({
  ops: fc.array(tie('op'), { maxLength: 4 }),
  op: fc.oneof(
    { maxDepth: MAX_DEPTH, depthIdentifier: 'program' },
    fc.constantFrom<Op>(
      { kind: 'softirq', nr: 0 },
      { kind: 'softirq', nr: 1 },
      { kind: 'softirq', nr: 3 },
      { kind: 'softirq', nr: 9 },
      { kind: 'nmi' },
      { kind: 'throw' },
    ),
    fc.record({ kind: fc.constant('scope' as const), scope: fc.constantFrom<Scope>('preempt', 'bh', 'rcu', 'migrate', 'irqsave'), body: tie('ops') }),
    fc.record({ kind: fc.constant('irq' as const), line: fc.constantFrom<1 | 2>(1, 2), body: tie('ops') }),
    fc.record({ kind: fc.constant('cpu1' as const), body: tie('ops') }),
  ),
}))

interface Config {
  readonly preemptRt: boolean
  readonly threadIrqs: boolean
  readonly cpus: 1 | 2
  readonly tasks: readonly (readonly Op[])[]
}

// ── the reference, from the raw fields ────────────────────────────────────────────────────
interface Predicates {
  readonly preemptCount: number
  readonly softirqCount: number
  readonly irqsDisabled: boolean
  readonly inTask: boolean
  readonly inInterrupt: boolean
  readonly inHardirq: boolean
  readonly inSoftirq: boolean
  readonly inServingSoftirq: boolean
  readonly inNmi: boolean
  readonly inAtomic: boolean
  readonly preemptible: boolean
}

const reference = (s: CpuState, rt: boolean): Predicates => {
  const pc = (s.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0
  const softirqCount = rt ? s.current.softirqDisableCnt & SOFTIRQ_MASK : pc & SOFTIRQ_MASK
  return {
    preemptCount: pc,
    softirqCount,
    irqsDisabled: s.irqsDisabled,
    inTask: (pc & (NMI_MASK | HARDIRQ_MASK)) === 0 && (softirqCount & SOFTIRQ_OFFSET) === 0,
    inInterrupt: ((pc & (NMI_MASK | HARDIRQ_MASK)) | softirqCount) !== 0,
    inHardirq: (pc & HARDIRQ_MASK) !== 0,
    inSoftirq: softirqCount !== 0,
    inServingSoftirq: (softirqCount & SOFTIRQ_OFFSET) !== 0,
    inNmi: (pc & NMI_MASK) !== 0,
    inAtomic: pc !== 0,
    preemptible: pc === 0 && !s.irqsDisabled,
  }
}

const predicates = (v: CpuView): Predicates => ({
  preemptCount: v.preemptCount,
  softirqCount: v.softirqCount(),
  irqsDisabled: v.irqsDisabled,
  inTask: v.inTask(),
  inInterrupt: v.inInterrupt(),
  inHardirq: v.inHardirq(),
  inSoftirq: v.inSoftirq(),
  inServingSoftirq: v.inServingSoftirq(),
  inNmi: v.inNmi(),
  inAtomic: v.inAtomic(),
  preemptible: v.preemptible(),
})

class Violation extends Error {
  override name = 'Violation'
}
const check = (ok: boolean, what: string, detail: unknown): void => {
  if (!ok) throw new Violation(`${what}: ${JSON.stringify(detail)}`)
}
const samePredicates = (a: Predicates, b: Predicates): boolean => (Object.keys(a) as (keyof Predicates)[]).every((key) => a[key] === b[key])

/** The counters a balanced operation must give back. */
const counters = (s: CpuState) => ({
  pc: s.preemptCount,
  irqsDisabled: s.irqsDisabled,
  interruptDisableCount: s.interruptDisableCount,
  pid: s.current.pid,
  migrate: s.current.migrationDisabled,
  rcu: s.current.rcuReadLockNesting,
  bh: s.current.softirqDisableCnt,
})

const THROWN = new Error('thrown by the program')

// ── the interpreter ───────────────────────────────────────────────────────────────────────
class Runner {
  readonly k: Kernel
  readonly rt: boolean
  readonly threaded: boolean
  /** Handler bodies waiting for their interrupt, per CPU and line, in raise order. */
  readonly queues = new Map<string, (readonly Op[])[]>()
  readonly raised = new Map<string, number>()
  readonly handled = new Map<string, number>()
  steps = 0

  constructor(readonly config: Config) {
    this.rt = config.preemptRt
    this.threaded = config.preemptRt || config.threadIrqs
    const k = createKernel({ preemptRt: config.preemptRt, threadIrqs: config.threadIrqs, cpus: config.cpus })
    this.k = k
    k.requestIrq(1, 'nt', (ctx) => this.#hardirq(ctx, 1), { noThread: true })
    k.requestIrq(2, 'thr', (ctx) => {
      if (this.threaded) this.#irqThread(ctx)
      else this.#hardirq(ctx, 2)
    })
    for (const nr of [0, 1, 3, 9] as const) {
      k.openSoftirq(nr, (ctx) => {
        this.#enterSoftirq(ctx.cpuId)
        if (nr === 9) ctx.raiseSoftirq(0) // re-raised while serving: the restart loop
        if (nr === 3) this.#raiseIrq(ctx, 1, []) // a hardirq on top of a softirq
        this.checkAll()
      })
    }
    k.requestNmi('nmi', (ctx) => {
      const s = this.k.cpu(ctx.cpuId).snapshot()
      check((s.preemptCount & NMI_MASK) !== 0 && (s.preemptCount & HARDIRQ_MASK) !== 0, 'NMI handler outside NMI context', s)
      this.checkAll()
    })
  }

  /** Every CPU: the predicates equal the reference computed from the raw fields. */
  checkAll(): void {
    this.steps++
    for (let i = 0; i < this.k.cpuCount; i++) {
      const v = this.k.cpu(i)
      const got = predicates(v)
      const want = reference(v.snapshot(), this.rt)
      check(samePredicates(got, want), `CPU ${i} predicates disagree with the reference`, { got, want })
    }
  }

  #key(cpu: number, line: number): string {
    return `${cpu}:${line}`
  }

  #raiseIrq(ctx: Context<CtxState>, line: 1 | 2, body: readonly Op[]): void {
    const key = this.#key(ctx.cpuId, line)
    const q = this.queues.get(key) ?? []
    q.push(body)
    this.queues.set(key, q)
    this.raised.set(key, (this.raised.get(key) ?? 0) + 1)
    ctx.raiseIrq(line)
  }

  #runQueued(ctx: Context<CtxState>, line: 1 | 2): void {
    const key = this.#key(ctx.cpuId, line)
    this.handled.set(key, (this.handled.get(key) ?? 0) + 1)
    const body = this.queues.get(key)?.shift() ?? []
    this.exec(ctx, body, true, ctx.cpuId === 1)
  }

  #hardirq(ctx: Context<CtxState>, line: 1 | 2): void {
    const s = this.k.cpu(ctx.cpuId).snapshot()
    check((s.preemptCount & HARDIRQ_MASK) !== 0 && (s.preemptCount & NMI_MASK) === 0, 'hardirq handler outside hardirq context', s)
    check(s.irqsDisabled, 'hardirq handler with interrupts on', s)
    this.checkAll()
    this.#runQueued(ctx, line)
  }

  #irqThread(ctx: Context<CtxState>): void {
    const s = this.k.cpu(ctx.cpuId).snapshot()
    check(s.current.comm === 'irq/2-thr', 'threaded handler not in its thread', s.current)
    if (this.rt) {
      check(s.preemptCount === 0 && !s.irqsDisabled, 'RT irq thread: preempt_count 0, irqs on', s)
      check(
        s.current.softirqDisableCnt === 0x200 && s.current.migrationDisabled === 1 && s.current.rcuReadLockNesting === 1,
        'RT irq thread: BH off by the task counter',
        s.current,
      )
    } else {
      check(s.preemptCount === 0x200 && s.irqsDisabled, 'threadirqs: BH and interrupts off', s)
    }
    this.checkAll()
    this.#runQueued(ctx, 2)
  }

  #enterSoftirq(cpu: number): void {
    const s = this.k.cpu(cpu).snapshot()
    check((s.preemptCount & (HARDIRQ_MASK | NMI_MASK)) === 0, 'softirq run in hardirq/NMI context', s)
    check(!s.irqsDisabled, 'softirq handler with interrupts off', s)
    const softirq = this.rt ? s.current.softirqDisableCnt & SOFTIRQ_MASK : s.preemptCount & SOFTIRQ_MASK
    // Softirqs only run where BH just came back on: serving, and nothing else in the field.
    check(softirq === SOFTIRQ_OFFSET, 'softirq count in a softirq handler', { softirq, s })
  }

  /** Runs `ops` in `ctx`. In a handler, throws and CPU-1 tasks are skipped. */
  exec(ctx: Context<CtxState>, ops: readonly Op[], inHandler: boolean, onCpu1: boolean): void {
    this.checkAll()
    for (const op of ops) {
      this.#step(ctx, op, inHandler, onCpu1)
      this.checkAll()
    }
  }

  #step(ctx: Context<CtxState>, op: Op, inHandler: boolean, onCpu1: boolean): void {
    const cpu = ctx.cpuId
    switch (op.kind) {
      case 'throw':
        if (!inHandler) throw THROWN
        return
      case 'softirq':
        ctx.raiseSoftirq(op.nr)
        return
      case 'nmi':
        ctx.raiseNmi('nmi')
        return
      case 'irq':
        this.#raiseIrq(ctx, op.line, op.body)
        return
      case 'cpu1':
        if (inHandler || onCpu1 || this.k.cpuCount < 2) return
        this.k.run((c1) => this.exec(c1, op.body, false, true), { cpu: 1 })
        return
      case 'scope': {
        const before = this.k.cpu(cpu).snapshot()
        const body = (c: Context<CtxState>): void => {
          this.#checkEntered(op.scope, before, this.k.cpu(cpu).snapshot())
          this.exec(c, op.body, inHandler, onCpu1)
        }
        switch (op.scope) {
          case 'preempt':
            ctx.preemptDisable(body)
            break
          case 'bh':
            ctx.localBhDisable(body)
            break
          case 'rcu':
            ctx.rcuReadLock(body)
            break
          case 'migrate':
            ctx.migrateDisable(body)
            break
          case 'irqsave':
            ctx.core.localIrqSave(body)
            break
        }
        const after = counters(this.k.cpu(cpu).snapshot())
        check(JSON.stringify(after) === JSON.stringify(counters(before)), `${op.scope} section not balanced`, { before: counters(before), after })
      }
    }
  }

  /** What entering each scope must do to the counters, relative to just before. */
  #checkEntered(scope: Scope, b: CpuState, a: CpuState): void {
    const bt = b.current
    const at = a.current
    const expected = { ...counters(b) }
    switch (scope) {
      case 'preempt':
        expected.pc += 1
        break
      case 'bh':
        if (!this.rt) expected.pc += 0x200
        else {
          expected.bh += 0x200
          const pc = (b.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0
          if (bt.softirqDisableCnt === 0 && pc === 0 && !b.irqsDisabled) {
            expected.migrate += 1
            expected.rcu += 1
          }
        }
        break
      case 'rcu':
        expected.rcu += 1
        break
      case 'migrate':
        expected.migrate += 1
        break
      case 'irqsave':
        expected.irqsDisabled = true
        break
    }
    const got = counters(a)
    check(JSON.stringify(got) === JSON.stringify(expected), `entering ${scope}`, { got, expected, task: at.comm })
  }

  /** Runs every task, catching the program's own throws outside the task. */
  runAll(): void {
    for (const task of this.config.tasks) {
      try {
        this.k.run((ctx) => this.exec(ctx, task, false, false))
      } catch (e) {
        if (e !== THROWN) throw e
      }
      this.checkAll()
    }
  }
}

const configArb = (preemptRt: boolean): fc.Arbitrary<Config> =>
  fc.record({
    preemptRt: fc.constant(preemptRt),
    threadIrqs: preemptRt ? fc.constant(false) : fc.boolean(),
    cpus: fc.constantFrom<1 | 2>(1, 2),
    tasks: fc.array(opsArb, { minLength: 1, maxLength: 3 }),
  })

const RUNS = 5_000

describe.each([false, true])('random nested programs, preemptRt=%s', (preemptRt) => {
  it(`${RUNS} programs: CPUs end as they began; predicates agree with the reference at every step`, () => {
    let steps = 0
    fc.assert(
      fc.property(configArb(preemptRt), (config) => {
        const r = new Runner(config)
        const initial = r.k.snapshot()
        r.runAll()
        expect(r.k.snapshot()).toEqual(initial)
        expect(r.k.diagnostics).toEqual([])
        // No interrupt was lost: each raised line ran its handler once per raise.
        expect(Object.fromEntries(r.handled)).toEqual(Object.fromEntries(r.raised))
        steps += r.steps
      }),
      { numRuns: RUNS },
    )
    expect(steps).toBeGreaterThan(RUNS * 5)
  }, 60_000)
})
