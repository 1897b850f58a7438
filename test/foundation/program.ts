/**
 * Random nested programs for the property tests: a generator of programs (scopes, counted interrupt
 * disabling, raised IRQs on a no-thread and a threadable line, softirqs, nested NMIs, throws, a
 * second CPU) and an interpreter that runs them on a kernel and checks, at every step, every
 * predicate against a reference computed from the raw preempt_count and the layout's masks.
 */
import fc from 'fast-check'
import { INTERRUPT_COUNT_LAYOUT, MAINLINE_LAYOUT, type PreemptCountLayout } from '../../src/machine/layout.js'
import { PREEMPT_NEED_RESCHED, SOFTIRQ_MASK, SOFTIRQ_OFFSET } from '../../src/machine/preempt-count.js'
import { createKernel, type Context, type CpuState, type CpuView, type CtxState, type Kernel, type KernelOptions } from '../../src/index.js'

/** The scoped operations as a plain-JavaScript caller sees them (no type rules). */
interface LooseScopes {
  localBhDisable(cb: (ctx: Context<CtxState>) => void): void
}
const looseScopes = (ctx: Context<CtxState>): LooseScopes => ctx as unknown as LooseScopes

export type Layout = NonNullable<KernelOptions['preemptCountLayout']>

type Scope = 'preempt' | 'bh' | 'rcu' | 'migrate' | 'irqsave' | 'intdis'
type Op =
  | { readonly kind: 'scope'; readonly scope: Scope; readonly body: readonly Op[] }
  /** Line 1 has an IRQF_NO_THREAD handler, line 2 a threadable one; the handler runs `body`. */
  | { readonly kind: 'irq'; readonly line: 1 | 2; readonly body: readonly Op[] }
  | { readonly kind: 'softirq'; readonly nr: 0 | 1 | 3 | 9 }
  /** `depth` NMIs nested inside each other. */
  | { readonly kind: 'nmi'; readonly depth: 1 | 2 | 3 }
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
      { kind: 'nmi', depth: 1 },
      { kind: 'nmi', depth: 2 },
      { kind: 'nmi', depth: 3 },
      { kind: 'throw' },
    ),
    fc.record({
      kind: fc.constant('scope' as const),
      scope: fc.constantFrom<Scope>('preempt', 'bh', 'rcu', 'migrate', 'irqsave', 'intdis'),
      body: tie('ops'),
    }),
    fc.record({ kind: fc.constant('irq' as const), line: fc.constantFrom<1 | 2>(1, 2), body: tie('ops') }),
    fc.record({ kind: fc.constant('cpu1' as const), body: tie('ops') }),
  ),
}))

interface Config {
  readonly layout: Layout
  readonly preemptRt: boolean
  readonly threadIrqs: boolean
  readonly cpus: 1 | 2
  readonly tasks: readonly (readonly Op[])[]
}

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

/** The reference, from the raw word and the layout's masks. */
const reference = (s: CpuState, rt: boolean, l: PreemptCountLayout): Predicates => {
  const pc = (s.preemptCount & ~PREEMPT_NEED_RESCHED) >>> 0
  const softirqCount = rt ? s.current.softirqDisableCnt & SOFTIRQ_MASK : pc & SOFTIRQ_MASK
  const irq = pc & (l.nmiMask | l.hardirqMask)
  return {
    preemptCount: pc,
    softirqCount,
    irqsDisabled: s.irqsDisabled,
    inTask: irq === 0 && (softirqCount & SOFTIRQ_OFFSET) === 0,
    inInterrupt: (irq | softirqCount) !== 0,
    inHardirq: (pc & l.hardirqMask) !== 0,
    inSoftirq: softirqCount !== 0,
    inServingSoftirq: (softirqCount & SOFTIRQ_OFFSET) !== 0,
    inNmi: (pc & l.nmiMask) !== 0,
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

const counters = (s: CpuState) => ({
  pc: s.preemptCount,
  irqsDisabled: s.irqsDisabled,
  interruptDisableCount: s.interruptDisableCount,
  nmiNesting: s.nmiNesting,
  pid: s.current.pid,
  migrate: s.current.migrationDisabled,
  rcu: s.current.rcuReadLockNesting,
  bh: s.current.softirqDisableCnt,
})

const THROWN = new Error('thrown by the program')

export class Runner {
  readonly k: Kernel
  readonly rt: boolean
  readonly threaded: boolean
  readonly layout: PreemptCountLayout
  readonly queues = new Map<string, (readonly Op[])[]>()
  readonly raised = new Map<string, number>()
  readonly handled = new Map<string, number>()
  /** NMIs still to nest inside the current one. */
  nmiToGo = 0
  nmiDepth = 0
  nmisRaised = 0
  nmisHandled = 0
  steps = 0

  constructor(readonly config: Config) {
    this.rt = config.preemptRt
    this.threaded = config.preemptRt || config.threadIrqs
    this.layout = config.layout === 'mainline' ? MAINLINE_LAYOUT : INTERRUPT_COUNT_LAYOUT
    const k = createKernel({ preemptRt: config.preemptRt, threadIrqs: config.threadIrqs, cpus: config.cpus, preemptCountLayout: config.layout })
    this.k = k
    k.requestIrq(1, 'nt', (ctx) => this.#hardirq(ctx, 1), { noThread: true })
    k.requestIrq(2, 'thr', (ctx) => {
      if (this.threaded) this.#irqThread(ctx)
      else this.#hardirq(ctx, 2)
    })
    for (const nr of [0, 1, 3, 9] as const) {
      k.openSoftirq(nr, (ctx) => {
        this.#enterSoftirq(ctx.cpuId)
        if (nr === 9) ctx.raiseSoftirq(0)
        if (nr === 3) this.#raiseIrq(ctx, 1, [])
        this.checkAll()
      })
    }
    k.requestNmi('nmi', (ctx) => {
      this.nmisHandled++
      this.nmiDepth++
      const s = this.k.cpu(ctx.cpuId).snapshot()
      const l = this.layout
      check((s.preemptCount & l.nmiMask) !== 0 && (s.preemptCount & l.hardirqMask) !== 0, 'NMI handler outside NMI context', s)
      if (l.nmiNestingPerCpu) {
        check(s.nmiNesting === this.nmiDepth && (s.preemptCount & l.nmiMask) === l.nmiMask, 'nmi_nesting is the NMI depth; one NMI bit', s)
      } else {
        check(s.nmiNesting === 0 && (s.preemptCount & l.nmiMask) >>> l.nmiShift === this.nmiDepth, 'the NMI field is the NMI depth', s)
      }
      this.checkAll()
      try {
        if (this.nmiToGo > 0) {
          this.nmiToGo--
          this.nmisRaised++
          ctx.raiseNmi('nmi')
        }
      } finally {
        this.nmiDepth--
      }
    })
  }

  /** Every CPU: the predicates equal the reference, and the interrupt-disable count mirrors its field. */
  checkAll(): void {
    this.steps++
    for (let i = 0; i < this.k.cpuCount; i++) {
      const v = this.k.cpu(i)
      const s = v.snapshot()
      const got = predicates(v)
      const want = reference(s, this.rt, this.layout)
      check(samePredicates(got, want), `CPU ${i} predicates disagree with the reference`, { got, want })
      const l = this.layout
      if (l.interruptDisableMask !== 0) {
        check((s.preemptCount & l.interruptDisableMask) >>> l.interruptDisableShift === s.interruptDisableCount, 'interrupt-disable field', s)
        check(s.nmiNesting === 0 || (s.preemptCount & l.nmiMask) !== 0, 'NMI bit set while nmi_nesting > 0', s)
      } else {
        check(s.nmiNesting === 0, 'mainline never uses nmi_nesting', s)
      }
      if (s.interruptDisableCount > 0) check(s.interruptDisableSaved !== null, 'flags saved while counted', s)
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
    const l = this.layout
    check((s.preemptCount & l.hardirqMask) !== 0 && (s.preemptCount & l.nmiMask) === 0, 'hardirq handler outside hardirq context', s)
    check(s.irqsDisabled, 'hardirq handler with interrupts on', s)
    this.checkAll()
    this.#runQueued(ctx, line)
  }

  #irqThread(ctx: Context<CtxState>): void {
    const s = this.k.cpu(ctx.cpuId).snapshot()
    check(s.current.comm === 'irq/2-thr', 'threaded handler not in its thread', s.current)
    if (this.rt) check(s.preemptCount === 0 && !s.irqsDisabled && s.current.softirqDisableCnt === 0x200, 'RT irq thread', s)
    else check(s.preemptCount === 0x200 && s.irqsDisabled, 'threadirqs: BH and interrupts off', s)
    this.checkAll()
    this.#runQueued(ctx, 2)
  }

  #enterSoftirq(cpu: number): void {
    const s = this.k.cpu(cpu).snapshot()
    const l = this.layout
    check((s.preemptCount & (l.hardirqMask | l.nmiMask)) === 0, 'softirq run in hardirq/NMI context', s)
    check(!s.irqsDisabled, 'softirq handler with interrupts off', s)
    const softirq = this.rt ? s.current.softirqDisableCnt & SOFTIRQ_MASK : s.preemptCount & SOFTIRQ_MASK
    check(softirq === SOFTIRQ_OFFSET, 'softirq count in a softirq handler', { softirq, s })
  }

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
        this.nmiToGo = op.depth - 1
        this.nmisRaised++
        ctx.raiseNmi('nmi')
        check(this.nmiToGo === 0, 'every nested NMI ran', op)
        return
      case 'irq':
        this.#raiseIrq(ctx, op.line, op.body)
        return
      case 'cpu1':
        if (inHandler || onCpu1 || this.k.cpuCount < 2) return
        this.k.run((c1) => this.exec(c1, op.body, false, true), { cpu: 1 })
        return
      case 'scope': {
        const view = this.k.cpu(cpu)
        // BH sections are valid only with interrupts on and outside hardirq (kernel/softirq.c warns).
        if (op.scope === 'bh' && (view.irqsDisabled || view.inHardirq())) {
          this.exec(ctx, op.body, inHandler, onCpu1)
          return
        }
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
            // Untyped on purpose: programs nest BH sections inside irqsave and handlers too.
            looseScopes(ctx).localBhDisable(body)
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
          case 'intdis': {
            const g = ctx.localInterruptDisable()
            try {
              body(g.ctx as Context<CtxState>)
            } finally {
              g.unlock()
            }
            break
          }
        }
        const after = counters(this.k.cpu(cpu).snapshot())
        check(JSON.stringify(after) === JSON.stringify(counters(before)), `${op.scope} section not balanced`, { before: counters(before), after })
      }
    }
  }

  #checkEntered(scope: Scope, b: CpuState, a: CpuState): void {
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
          if (b.current.softirqDisableCnt === 0 && pc === 0 && !b.irqsDisabled) {
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
      case 'intdis':
        expected.pc += this.layout.interruptDisableOffset
        expected.interruptDisableCount += 1
        expected.irqsDisabled = true
        break
    }
    const got = counters(a)
    check(JSON.stringify(got) === JSON.stringify(expected), `entering ${scope}`, { got, expected, task: a.current.comm })
  }

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

export const configArb = (layout: Layout, preemptRt: boolean): fc.Arbitrary<Config> =>
  fc.record({
    layout: fc.constant(layout),
    preemptRt: fc.constant(preemptRt),
    threadIrqs: preemptRt ? fc.constant(false) : fc.boolean(),
    cpus: fc.constantFrom<1 | 2>(1, 2),
    tasks: fc.array(opsArb, { minLength: 1, maxLength: 3 }),
  })
