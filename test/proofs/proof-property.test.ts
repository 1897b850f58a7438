/**
 * Random guard drop orders and `_irq`/`_bh` nestings (issue #11): at every step, every live
 * context's proofs hold, or the moment one became false was reported ('proof-falsified'), or the
 * drop that would have falsified it was refused (GuardOrderError) with nothing changed. The
 * proofs each context carries are computed here from the type rules, independently of the
 * run time's own bookkeeping (src/exec/claims.ts).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Context, CountingError, createKernel, type CtxState, GuardOrderError, type Kernel } from '../../src/index.js'
import { loose } from '../locks/helpers.js'

type Take = 'raw-irqsave' | 'raw-irq' | 'raw-plain' | 'raw-bh' | 'spin-irqsave' | 'spin-bh' | 'interrupt-disable' | 'spinlockirq'
type Op =
  | { readonly kind: 'take'; readonly what: Take }
  | { readonly kind: 'drop'; readonly pick: number }
  /** An untyped `_irq` or `_bh` callback section on a fresh raw lock, in the innermost context. */
  | { readonly kind: 'nest'; readonly variant: 'irq' | 'bh' }

interface Proofs {
  readonly irq: boolean
  readonly preempt: boolean
  readonly bh: boolean
}
const NONE: Proofs = { irq: false, preempt: false, bh: false }
/** What each acquisition proves on both kernels (rules.ts `Acquired`, transitions.ts). */
const GAINS: Record<Take, Proofs> = {
  'raw-irqsave': { irq: true, preempt: true, bh: true },
  'raw-irq': { irq: true, preempt: true, bh: true },
  'raw-plain': { irq: false, preempt: true, bh: false },
  'raw-bh': { irq: false, preempt: false, bh: true },
  'spin-irqsave': NONE, // interrupts stay on on RT
  'spin-bh': { irq: false, preempt: false, bh: true },
  'interrupt-disable': { irq: true, preempt: true, bh: true },
  spinlockirq: NONE,
}
const or = (a: Proofs, b: Proofs): Proofs => ({ irq: a.irq || b.irq, preempt: a.preempt || b.preempt, bh: a.bh || b.bh })

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('take' as const),
    what: fc.constantFrom<Take>('raw-irqsave', 'raw-irq', 'raw-plain', 'raw-bh', 'spin-irqsave', 'spin-bh', 'interrupt-disable', 'spinlockirq'),
  }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(7) }),
  fc.record({ kind: fc.constant('nest' as const), variant: fc.constantFrom<'irq' | 'bh'>('irq', 'bh') }),
)

interface PlainGuard {
  unlock(): void
  readonly held: boolean
  readonly ctx: Context<CtxState>
}

interface LiveGuard {
  readonly unlock: () => void
  readonly held: () => boolean
  readonly ctx: Context<CtxState>
  readonly proofs: Proofs
}

/** Which proofs are false on CPU 0 now, for a context carrying `p`. */
const falseOf = (k: Kernel, p: Proofs): string[] => {
  const v = k.cpu(0)
  const out: string[] = []
  if (p.irq && !v.irqsDisabled) out.push('IrqDisabled')
  if (p.preempt && v.preemptible()) out.push('PreemptDisabled')
  if (p.bh && !v.irqsDisabled && v.softirqCount() === 0 && !v.inHardirq()) out.push('BhDisabled')
  return out
}

class Program {
  readonly k: Kernel
  #n = 0
  refused = 0
  falsifiedSeen = 0
  constructor(
    readonly preemptRt: boolean,
    readonly irqDisable: 'counted' | 'save-restore',
  ) {
    this.k = createKernel({ preemptRt, irqDisable, lockdep: false })
  }

  /** Every live proof holds, or a report of it being false came after it last held. */
  #check(live: readonly { readonly proofs: Proofs }[], reportsBefore: number): void {
    const lies = live.flatMap((g) => falseOf(this.k, g.proofs))
    if (lies.length === 0) return
    const reported = this.k.diagnostics.slice(reportsBefore).filter((d) => d.kind === 'proof-falsified' && !d.refused)
    expect(reported.length, `false without a report: ${lies.join(', ')}`).toBeGreaterThan(0)
    this.falsifiedSeen++
  }

  #take(ctx: Context<CtxState>, what: Take, parent: Proofs): LiveGuard {
    const name = `l${this.#n++}`
    const proofs = or(parent, GAINS[what])
    const guardOf = (g: PlainGuard): LiveGuard => ({ unlock: () => g.unlock(), held: () => g.held, ctx: g.ctx, proofs })
    // Guard methods as plain JavaScript calls them: the types refuse some of these nestings.
    const take = (lock: object, method: string): LiveGuard => {
      const fn = (lock as Record<string, ((c: unknown) => PlainGuard) | undefined>)[method]
      if (fn === undefined) throw new Error(`no guard method ${method}`)
      return guardOf(fn(ctx))
    }
    switch (what) {
      case 'raw-irqsave':
        return take(this.k.rawSpinLock(name, 0), 'lockIrqSave')
      case 'raw-irq':
        return take(this.k.rawSpinLock(name, 0), 'lockIrq')
      case 'raw-plain':
        return take(this.k.rawSpinLock(name, 0), 'lock')
      case 'raw-bh':
        return take(this.k.rawSpinLock(name, 0), 'lockBh')
      case 'spin-irqsave':
        return take(this.k.spinLock(name, 0), 'lockIrqSave')
      case 'spin-bh':
        return take(this.k.spinLock(name, 0), 'lockBh')
      case 'spinlockirq':
        return take(this.k.spinLockIrq(name, 0), 'lock')
      case 'interrupt-disable':
        return guardOf(ctx.localInterruptDisable())
    }
  }

  run(ops: readonly Op[]): void {
    this.k.run((root) => {
      const live: LiveGuard[] = []
      const innermost = (): { ctx: Context<CtxState>; proofs: Proofs } => live.at(-1) ?? { ctx: root, proofs: NONE }
      let reportsBefore = 0
      for (const op of ops) {
        const at = this.k.diagnostics.length
        // BH sections only where they are valid (interrupts on, not in hardirq: the types refuse
        // the rest, and test/proofs/live-proofs.test.ts covers the kernel's warnings for them).
        const bhValid = !this.k.cpu(0).irqsDisabled
        if ((op.kind === 'take' && (op.what === 'raw-bh' || op.what === 'spin-bh')) || (op.kind === 'nest' && op.variant === 'bh')) {
          if (!bhValid) continue
        }
        if (op.kind === 'take') {
          const { ctx, proofs } = innermost()
          live.push(this.#take(ctx, op.what, proofs))
        } else if (op.kind === 'drop') {
          if (live.length === 0) continue
          const i = op.pick % live.length
          const g = live[i] as LiveGuard
          const before = this.k.snapshot()
          try {
            g.unlock()
            live.splice(i, 1)
          } catch (error) {
            if (!(error instanceof GuardOrderError)) throw error
            // Refused: reported, and nothing changed.
            expect(this.k.snapshot()).toEqual(before)
            expect(g.held()).toBe(true)
            const d = this.k.diagnostics.at(-1)
            expect(d?.kind === 'proof-falsified' && d.refused).toBe(true)
            this.refused++
          }
        } else {
          const { ctx, proofs } = innermost()
          const lock = this.k.rawSpinLock(`n${this.#n++}`, 0)
          const inner = or(proofs, op.variant === 'irq' ? GAINS['raw-irq'] : GAINS['raw-bh'])
          loose(lock, op.variant === 'irq' ? 'withLockedIrq' : 'withLockedBh')(ctx, () => this.#check([...live, { proofs: inner }], reportsBefore))
        }
        this.#check(live, reportsBefore)
        // A report made at this step covers what it found false from here on.
        if (live.every((g) => falseOf(this.k, g.proofs).length === 0)) reportsBefore = this.k.diagnostics.length
        else if (this.k.diagnostics.length > at) reportsBefore = Math.min(reportsBefore, at)
      }
      // What is left drops innermost first, which is never refused.
      for (const g of [...live].reverse()) {
        g.unlock()
        this.#check(
          live.filter((l) => l.held()),
          reportsBefore,
        )
      }
    })
  }
}

const RUNS = 1_500

describe.each([
  [false, 'counted'],
  [false, 'save-restore'],
  [true, 'counted'],
  [true, 'save-restore'],
] as const)('random guard drop orders and _irq/_bh nestings (preemptRt=%s, irqDisable=%s)', (preemptRt, irqDisable) => {
  it(`${RUNS} programs: no live proof is ever false without a report; refused drops change nothing`, () => {
    let refused = 0
    let falsified = 0
    let countingRefusals = 0
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 14 }), (ops) => {
        const p = new Program(preemptRt, irqDisable)
        try {
          p.run(ops)
        } catch (error) {
          // RT only: a BH section entered while not preemptible (no migrate_disable()) and left
          // preemptible, because a guard it depended on was dropped early, makes
          // __local_bh_enable()'s unlock path underflow: refused as bad counting, and reported.
          if (!(preemptRt && error instanceof CountingError)) throw error
          expect(p.k.diagnostics.some((d) => d.kind === 'bad-counting')).toBe(true)
          countingRefusals++
          return
        }
        refused += p.refused
        falsified += p.falsifiedSeen
        // Every guard is released at the end: the machine is back where it began.
        expect(p.k.heldLocks()).toEqual([])
        expect(p.k.cpu(0).preemptCount).toBe(0)
      }),
      { numRuns: RUNS },
    )
    // The generator reaches both outcomes.
    expect(refused).toBeGreaterThan(0)
    expect(falsified).toBeGreaterThan(0)
    expect(countingRefusals).toBeLessThan(RUNS / 10)
  }, 60_000)
})
