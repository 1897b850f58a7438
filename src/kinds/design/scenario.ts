/**
 * One scenario of the design check as a model: a task on CPU 0 nests `locks` locks of the kind
 * (as callbacks, or as guards dropped in one given order), reading and writing each lock's data
 * inside; optionally an interrupt handler on CPU 0 that takes each lock in turn; optionally a
 * second CPU's task taking them too. Scheduling points sit before and inside every section and
 * after every release, so the explorer offers the interrupt everywhere its CPU has interrupts on.
 *
 * The kind's steps are judged as written: the model kernel uses `irqDisable: 'save-restore'`, which
 * leaves a guard's steps alone (the default 'counted' would turn irq_save guards into counted ones).
 * The locks are made by the model kernel's public `k.lock(kind, name, data)` and taken through
 * their members by name, as a user's model takes them (./twin.ts: a form the kind lacks).
 */
import type { Context } from '../../exec/context.js'
import type { ModelCell } from '../../exec/explore/cell.js'
import { defineModel, type Model } from '../../exec/model/run.js'
import { ScopeContext } from '../../exec/scope.js'
import type { Op } from '../../exec/wait.js'
import type { LockGuard } from '../../locks/guard.js'
import type { CtxState } from '../../rules/state.js'
import type { LockKindSpec, Variant } from '../spec.js'
import type { DesignLocks } from './twin.js'

/** The lock classes a scenario declares, in nesting order. */
export const LOCK_NAMES = ['a', 'b', 'c', 'd'] as const

/**
 * An API form: a callback (`withLocked`: sections nest, so locks drop in reverse) or a guard (dropped in any order).
 *
 * @example
 * ```ts
 * import { checkLockDesign, SPIN_LOCK_IRQ_SAVE, type DesignForm } from 'lockproof'
 *
 * const unsoundForms = (): DesignForm[] => checkLockDesign(SPIN_LOCK_IRQ_SAVE).cells.filter((c) => c.verdict === 'unsound').map((c) => c.form)
 * console.log(unsoundForms()) // ['guard', 'guard']
 * ```
 */
export type DesignForm = 'callback' | 'guard'

/** What one exploration checks. */
export interface Scenario {
  readonly form: DesignForm
  readonly handler: boolean
  /** Lock indices in the order they are dropped. */
  readonly dropOrder: readonly number[]
}

/** What a scenario model is made of. */
export interface ScenarioSpec {
  readonly spec: LockKindSpec
  readonly variant: Variant
  readonly locks: number
  readonly secondCpu: boolean
  /** The method names the kind offers for the variant (null: not offered, a neutral name is used). */
  readonly callbackName: string | null
  readonly guardName: string | null
  /** The kind the locks are made of (the kind, or its twin offering what it lacks) and the members taken. */
  readonly locksOf: DesignLocks
}

/** A model lock's callback member, as the check calls it by name: `yield* lock[name](ctx, function* (ctx, data) {…})`. */
type CallbackMember = (ctx: Context<CtxState>, cb: (ctx: Context<CtxState>, data: unknown) => Op<void>) => Op<void>
/** A model lock's guard member: `yield* lock[name](ctx)`. */
type GuardMember = (ctx: Context<CtxState>) => Op<LockGuard<unknown>>
/** `k.lock(kind, name, data)` as the check calls it, with a kind only known at run time. */
type LockFactory = (kind: LockKindSpec, name: string, data: unknown) => object

/** Lock `lock`'s member `name`, bound to it (the model lock's members sit on its prototype). */
const member = <F>(lock: object, name: string): F => {
  const f: unknown = Reflect.get(lock, name)
  if (typeof f !== 'function') throw new TypeError(`checkLockDesign(): the lock has no member ${name}`)
  return f.bind(lock) as F
}

/** A task ended with its CPU not as it found it: the interrupt flag or preempt_count differs. */
export class DesignInvariantError extends Error {
  override name = 'DesignInvariantError'
}

interface CpuSnapshot {
  readonly irqsDisabled: boolean
  readonly preemptCount: number
}

const snapshot = (ctx: Context<CtxState>): CpuSnapshot => {
  const cpu = ScopeContext.from(ctx, 'checkLockDesign()').assertUsable('checkLockDesign()')
  return { irqsDisabled: cpu.irqsDisabled, preemptCount: cpu.preemptCount }
}

const irqs = (s: CpuSnapshot): string => `interrupts ${s.irqsDisabled ? 'off' : 'on'}, preempt_count ${s.preemptCount}`

/**
 * A plain write to the lock's data: two points (KCSAN sees it in flight), and a race with any other
 * context's write that the lock fails to keep out. One write, not a read and a write: half the points.
 */
function* bump(ctx: Context<CtxState>, cell: ModelCell<number>): Op<void> {
  yield* cell.write(ctx, 1)
}

/**
 * The proofs the kind requires (the v6 token), given by `local_interrupt_disable()`: models have
 * no generator-flavoured `preempt_disable()` / `local_bh_disable()` scope, and interrupts off
 * implies the other two proofs.
 */
const token = (needed: boolean, ctx: Context<CtxState>): LockGuard<undefined> | null =>
  needed ? ScopeContext.from(ctx, 'checkLockDesign()').localInterruptDisable() : null

/** The i-th entry of a list the scenario built with one entry per lock. */
const nth = <T>(xs: readonly T[], i: number): T => {
  const x = xs[i]
  if (x === undefined) throw new RangeError(`checkLockDesign(): no lock ${i}`)
  return x
}

/** The context of the innermost guard still held, else `base`. */
const innermost = (held: readonly (LockGuard<unknown> | null)[], base: Context<CtxState>): Context<CtxState> => {
  for (let i = held.length - 1; i >= 0; i--) {
    const g = held[i]
    if (g !== undefined && g !== null) return g.ctx
  }
  return base
}

/** Describes a drop order by lock names: `a, b` drops a first. */
export const orderNames = (order: readonly number[]): readonly string[] => order.map((i) => LOCK_NAMES[i] ?? String(i))

/** The model of one scenario. */
export const scenarioModel = (s: ScenarioSpec, sc: Scenario): Model => {
  const needsToken = s.spec.requires.length > 0
  const names = LOCK_NAMES.slice(0, s.locks)
  return defineModel(
    (k) => {
      // Never touched: its name puts the scenario into the model's fingerprint, so a replay string
      // is refused by another scenario's model (their other declarations are the same).
      k.cell(`checkLockDesign(${s.spec.kind}): ${s.variant}, ${sc.form}${sc.handler ? ', irq' : ''}, dropping ${orderNames(sc.dropOrder).join(' ')}`, 0)
      const cells = names.map((n) => k.cell(`${n}.data`, 0))
      // A per-CPU kind (local_lock_t) takes an init(cpu); its data is the same cell on every CPU here.
      const dataOf = (i: number): unknown => (s.spec.data === 'per-cpu' ? () => cells[i] : cells[i])
      const lockOf = k.lock as LockFactory
      const locks = names.map((n, i) => lockOf.call(k, s.locksOf.kind, n, dataOf(i)))
      const callbacks = locks.map((l) => member<CallbackMember>(l, s.locksOf.callback))
      const guards = locks.map((l) => member<GuardMember>(l, s.locksOf.guard))
      const cellAt = (i: number): ModelCell<number> => nth(cells, i)

      /** Callback form: lock i's section holds lock i+1's, and so on. */
      function* nested(i: number, ctx: Context<CtxState>): Op<void> {
        if (i === locks.length) return
        yield* nth(callbacks, i)(ctx, function* (inner) {
          yield* bump(inner, cellAt(i))
          yield* nested(i + 1, inner)
        })
      }

      /** Guard form: take them in order, drop them in `dropOrder`; after each drop, a point. */
      function* guarded(ctx: Context<CtxState>): Op<void> {
        const held: (LockGuard<unknown> | null)[] = []
        let at = ctx
        for (const [i, guard] of guards.entries()) {
          const g = yield* guard(at)
          held.push(g)
          at = g.ctx
          yield* bump(at, cellAt(i))
        }
        for (const i of sc.dropOrder) {
          held[i]?.unlock()
          held[i] = null
          at = innermost(held, ctx)
          yield* k.cpuRelax(at)
        }
      }

      /** Each lock in turn, as a callback: whichever one the task holds, the handler meets it. */
      function* eachInTurn(ctx: Context<CtxState>): Op<void> {
        const tok = token(needsToken, ctx)
        const base = tok?.ctx ?? ctx
        for (const [i, callback] of callbacks.entries()) {
          yield* callback(base, function* (inner) {
            yield* bump(inner, cellAt(i))
          })
        }
        tok?.unlock()
      }

      k.task('driver', { cpu: 0 }, function* (ctx) {
        const before = snapshot(ctx)
        const tok = token(needsToken, ctx)
        const base = tok?.ctx ?? ctx
        if (sc.form === 'callback') yield* nested(0, base)
        else yield* guarded(base)
        tok?.unlock()
        const after = snapshot(ctx)
        if (after.irqsDisabled !== before.irqsDisabled || after.preemptCount !== before.preemptCount)
          throw new DesignInvariantError(`the task began with ${irqs(before)} and ended with ${irqs(after)}`)
      })
      if (sc.handler) {
        // A lock that spins on both kernels (raw_spinlock_t) is what an IRQF_NO_THREAD handler may
        // take; any other is taken from request_irq()'s handler, which RT force-threads (and which
        // lockdep lets take an LD_WAIT_CONFIG lock: hardirq_threaded).
        const noThread = s.spec.category.rt !== 'sleeping'
        k.irq(5, { cpu: 0, name: 'dev', noThread }, eachInTurn)
      }
      if (s.secondCpu) {
        k.task('other', { cpu: 1 }, function* (ctx) {
          const tok = token(needsToken, ctx)
          yield* nested(0, tok?.ctx ?? ctx)
          tok?.unlock()
        })
      }
    },
    { cpus: s.secondCpu ? 2 : 1, irqDisable: 'save-restore' },
  )
}
