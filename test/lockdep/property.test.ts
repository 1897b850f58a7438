/**
 * Properties of the dependency graph: programs whose every nesting follows one total order of
 * the classes never report a cycle; one inverted pair, taken after the forward edge exists,
 * always reports exactly one cycle, made of those two classes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createKernel, type Kernel } from '../../src/index.js'
import { loose } from './helpers.js'

const RUNS = 300

type Method = 'withLocked' | 'withLockedIrqSave'

/** One acquisition and what is taken inside it. */
interface Node {
  readonly cls: number
  readonly method: Method
  readonly children: Node[]
}

interface Step {
  readonly cls: number
  readonly irqsave: boolean
}

/**
 * A task's nesting from a flat list of classes: each class is taken inside the innermost held
 * class ranked before it (the others are released first), so every nesting follows `rank`.
 */
const buildTree = (steps: readonly Step[], rank: readonly number[]): Node[] => {
  const roots: Node[] = []
  const stack: Node[] = []
  for (const { cls, irqsave } of steps) {
    while (stack.length > 0 && (rank[(stack.at(-1) as Node).cls] as number) >= (rank[cls] as number)) stack.pop()
    const node: Node = { cls, method: irqsave ? 'withLockedIrqSave' : 'withLocked', children: [] }
    ;(stack.at(-1)?.children ?? roots).push(node)
    stack.push(node)
  }
  return roots
}

/** A chain: each node the only child of the one before. */
const nested = (classes: readonly number[]): Node[] => {
  let inner: Node[] = []
  for (let i = classes.length - 1; i >= 0; i--) inner = [{ cls: classes[i] as number, method: 'withLocked', children: inner }]
  return inner
}

const runTask = (k: Kernel, locks: readonly object[], tree: readonly Node[], cpu: number): void => {
  const exec = (ctx: unknown, nodes: readonly Node[]): void => {
    for (const node of nodes) loose(locks[node.cls] as object, node.method)(ctx, (c) => exec(c, node.children))
  }
  k.run((ctx) => exec(ctx, tree), { cpu })
}

interface Program {
  readonly n: number
  /** order[i] is the class ranked i. */
  readonly order: readonly number[]
  readonly tasks: readonly { readonly steps: readonly Step[]; readonly cpu: number }[]
  readonly preemptRt: boolean
  readonly keepGoing: boolean
}

const programArb: fc.Arbitrary<Program> = fc.integer({ min: 3, max: 8 }).chain((n) => {
  const classes = Array.from({ length: n }, (_, i) => i)
  const step = fc.record({ cls: fc.integer({ min: 0, max: n - 1 }), irqsave: fc.boolean() })
  return fc.record({
    n: fc.constant(n),
    order: fc.shuffledSubarray(classes, { minLength: n, maxLength: n }),
    tasks: fc.array(fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 14 }), cpu: fc.integer({ min: 0, max: 1 }) }), {
      minLength: 1,
      maxLength: 7,
    }),
    preemptRt: fc.boolean(),
    keepGoing: fc.boolean(),
  })
})

const setup = (p: Program) => {
  const k = createKernel({ preemptRt: p.preemptRt, cpus: 2, lockdep: { keepGoing: p.keepGoing } })
  const locks = Array.from({ length: p.n }, (_, i) => k.spinLock(`c${i}`, {}))
  const rank: number[] = []
  p.order.forEach((cls, r) => {
    rank[cls] = r
  })
  return { k, locks, rank }
}

describe('lock order property (fast-check)', () => {
  it(`nestings consistent with one total order never report a circular dependency (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(programArb, (p) => {
        const { k, locks, rank } = setup(p)
        for (const t of p.tasks) runTask(k, locks, buildTree(t.steps, rank), t.cpu)
        expect(k.diagnostics.filter((d) => d.kind === 'circular-dependency')).toEqual([])
        // Nothing else is wrong with these programs either.
        expect(k.diagnostics).toEqual([])
        expect(k.heldLocks(0)).toEqual([])
        expect(k.heldLocks(1)).toEqual([])
      }),
      { numRuns: RUNS },
    )
  })

  it(`one inverted pair in an extra task yields exactly one circular dependency, between those two (${RUNS} runs)`, () => {
    const withInversion = programArb.chain((p) =>
      fc.record({
        p: fc.constant(p),
        // ranks of the earlier (e) and later (l) class of the pair
        pair: fc.uniqueArray(fc.integer({ min: 0, max: p.n - 1 }), { minLength: 2, maxLength: 2 }).map(([x, y]) => {
          const lo = Math.min(x as number, y as number)
          const hi = Math.max(x as number, y as number)
          return { e: p.order[lo] as number, l: p.order[hi] as number, lo, hi }
        }),
        // where the task that takes e then l goes among the consistent ones
        forwardAt: fc.integer({ min: 0, max: p.tasks.length }),
        // classes ranked before l (other than e) that the inverting task holds first
        prefix: fc.subarray(p.order.slice(0, p.n - 1)),
        cpu: fc.integer({ min: 0, max: 1 }),
      }),
    )
    fc.assert(
      fc.property(withInversion, ({ p, pair, forwardAt, prefix, cpu }) => {
        const { k, locks, rank } = setup(p)
        const trees = p.tasks.map((t) => ({ tree: buildTree(t.steps, rank), cpu: t.cpu }))
        trees.splice(forwardAt, 0, { tree: nested([pair.e, pair.l]), cpu: 0 })
        for (const t of trees) runTask(k, locks, t.tree, t.cpu)
        expect(k.diagnostics).toEqual([])

        // The extra task: a consistent prefix, then l, then e inside it.
        const held = prefix.filter((c) => c !== pair.e && (rank[c] as number) < pair.hi)
        runTask(k, locks, nested([...held, pair.l, pair.e]), cpu)

        const circular = k.diagnostics.filter((d) => d.kind === 'circular-dependency')
        expect(circular).toHaveLength(1)
        expect(k.diagnostics).toHaveLength(1)
        const d = circular[0]
        if (d?.kind !== 'circular-dependency') throw new Error('unreachable')
        const names = [`c${pair.e}`, `c${pair.l}`]
        for (const c of d.chain) expect(names).toContain(c)
        expect(d.chain).toEqual(names)
        expect(d.lock).toBe(`spinlock_t 'c${pair.e}'`)
        expect(d.held).toBe(`spinlock_t 'c${pair.l}'`)
        expect(d.heldLocks).toEqual([...held.map((c) => `c${c}`), `c${pair.l}`])
        expect(k.heldLocks(0)).toEqual([])
        expect(k.heldLocks(1)).toEqual([])
      }),
      { numRuns: RUNS },
    )
  })
})
