/**
 * kernel.lockGraph() and lockGraphToDot(): lockdep's class graph as data and as DOT, checked
 * against /proc/lockdep (the same FD/BD and usage), against lockdep's dependency types, and
 * laid out by a real Graphviz (its WebAssembly build) so the DOT is known to parse.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz'
import { beforeAll, describe, expect, it } from 'vitest'
import { createKernel, defineModel, lockGraphToDot, runModel } from '../../src/index.js'
import { DEP_EN_MASK, DEP_ER_MASK, DEP_SN_MASK, DEP_SR_MASK } from '../../src/lockdep/deps.js'
import { depTypes } from '../../src/export/lock-graph.js'
import { dotString } from '../../src/export/dot.js'

let graphviz: Graphviz
beforeAll(async () => {
  graphviz = await Graphviz.load()
}, 60_000)

/** a → b (irqsave), b in a hardirq handler: a is hardirq-safe-ish, b used in hardirq. */
const chain = () => {
  const k = createKernel()
  const a = k.spinLock('a', 0)
  const b = k.spinLock('b', 0)
  k.requestIrq(4, 'dev', (ctx) => b.withLocked(ctx, () => 0))
  k.run((ctx) => a.withLockedIrqSave(ctx, (c) => b.withLocked(c, () => 0)))
  k.run((ctx) => ctx.raiseIrq(4))
  return k
}

/** a → b → c, then c → a: a circular dependency (lockdep refuses the edge c → a). */
const cycle = () => {
  const k = createKernel({ lockOrder: ['a', 'b', 'never'] })
  const a = k.mutex('a', 0)
  const b = k.mutex('b', 0)
  const c = k.mutex('c', 0)
  k.run((ctx) => a.withLocked(ctx, (x) => b.withLocked(x, (y) => c.withLocked(y, () => 0))))
  k.run((ctx) => c.withLocked(ctx, (x) => a.withLocked(x, () => 0)))
  return k
}

const svgOf = (dot: string): string => graphviz.dot(dot)
const count = (svg: string, re: RegExp): number => svg.match(re)?.length ?? 0
const titles = (svg: string): string[] => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1] ?? '')

describe('kernel.lockGraph()', () => {
  it("has /proc/lockdep's classes, keys, FD/BD counts and usage characters", () => {
    const k = chain()
    const g = k.lockGraph()
    const proc = k.readProc('/proc/lockdep').split('\n')
    for (const c of g.classes) {
      expect(proc).toContain(`${c.key} FD:${String(c.forwardDeps).padStart(5)} BD:${String(c.backwardDeps).padStart(5)} ${c.usage.slice(1, -1)}: ${c.name}`)
    }
    expect(g.classes.map((c) => [c.name, c.kind, c.label, c.usage, c.waitOuter, c.waitInner, c.waitTypes])).toEqual([
      ['a', 'spinlock_t', 'spinlock_t', '{....}', 'config', 'config', '{3:3}'],
      ['b', 'spinlock_t', 'spinlock_t', '{-...}', 'config', 'config', '{3:3}'],
    ])
    expect(g.dependencies).toEqual([{ from: 'a', to: 'b', fromKey: g.classes[0]?.key, toKey: g.classes[1]?.key, types: ['EN'], distance: 1 }])
  })

  it('wait types follow the kernel options: {2:2} for spinlock_t without PROVE_RAW_LOCK_NESTING, {2:2} raw, {3:3} mutex', () => {
    const k = createKernel({ proveRawLockNesting: false })
    const s = k.spinLock('s', 0)
    const r = k.rawSpinLock('r', 0)
    const m = k.mutex('m', 0)
    k.run((ctx) => m.withLocked(ctx, (x) => s.withLocked(x, (y) => r.withLocked(y, () => 0))))
    expect(k.lockGraph().classes.map((c) => `${c.name}${c.waitTypes}`)).toEqual(['m{3:3}', 's{2:2}', 'r{2:2}'])
  })

  it('dependency types: EN, ER, SN, SR as lockdep computes them (qrwlock readers are recursive only in interrupts)', () => {
    const k = createKernel()
    const s = k.spinLock('s', 0)
    const rw = k.rwLock('rw', 0)
    const rw2 = k.rwLock('rw2', 0)
    k.requestIrq(5, 'dev', (ctx) => {
      s.withLocked(ctx, (x) => rw.withRead(x, () => 0))
      rw2.withRead(ctx, (x) => rw.withRead(x, () => 0))
    })
    k.run((ctx) => rw.withReadIrqSave(ctx, (x) => s.withLocked(x, () => 0)))
    k.run((ctx) => ctx.raiseIrq(5))
    const types = Object.fromEntries(k.lockGraph().dependencies.map((d) => [`${d.from}->${d.to}`, d.types]))
    expect(types).toEqual({ 'rw->s': ['SN'], 's->rw': ['ER'], 'rw2->rw': ['SR'] })
  })

  it("a model execution's lockdep: ModelResult.lockGraph() and readProc() after the run", () => {
    const m = defineModel(
      (k) => {
        const a = k.mutex('a', 0)
        const b = k.mutex('b', 0)
        k.task('t', { cpu: 0 }, function* (ctx) {
          yield* a.withLocked(ctx, function* (c) {
            yield* b.withLocked(c, function* () {})
          })
        })
      },
      { lockOrder: ['a', 'b'] },
    )
    const r = runModel(m)
    const g = r.lockGraph()
    expect(g.dependencies.map((d) => `${d.from} -> ${d.to} ${d.types.join('|')}`)).toEqual(['a -> b EN'])
    expect(g.lockOrder).toEqual(['a', 'b'])
    expect(r.readProc('/proc/lockdep').split('\n').slice(0, 3)).toEqual([
      'all lock classes:',
      `${g.classes[0]?.key} FD:    2 BD:    1 +.+.: a`,
      ` -> [${g.classes[1]?.key}] b`,
    ])
  })

  it('depTypes() names every DEP_*_MASK bit, strongest first', () => {
    expect(depTypes(DEP_SR_MASK | DEP_ER_MASK | DEP_SN_MASK | DEP_EN_MASK)).toEqual(['EN', 'ER', 'SN', 'SR'])
    expect(depTypes(DEP_SR_MASK)).toEqual(['SR'])
    expect(depTypes(0)).toEqual([])
  })
})

describe('lockGraphToDot()', () => {
  it('a node per class with its kind, usage, wait types and FD/BD; an edge per dependency labelled with its type', () => {
    const k = chain()
    const dot = lockGraphToDot(k.lockGraph())
    expect(dot).toContain('"b" [label="b\\nspinlock_t {-...}-{3:3}\\nFD: 1  BD: 2"')
    expect(dot).toContain('"a" -> "b" [label="EN", class="dependency"]')
    const svg = svgOf(dot)
    expect(titles(svg)).toEqual(['lockdep', 'a', 'b', 'a&#45;&gt;b'])
    expect(count(svg, /class="edge dependency"/g)).toBe(k.lockGraph().dependencies.length)
    expect(count(svg, /class="node lock_class"/g)).toBe(2)
    expect(svg).toContain('>spinlock_t {&#45;...}&#45;{3:3}</text>')
  })

  it('a reported cycle is red: the existing chain, and the refused new edge dashed', () => {
    const k = cycle()
    expect(k.diagnostics.map((d) => d.kind)).toEqual(['circular-dependency'])
    const dot = lockGraphToDot(k.lockGraph(), { diagnostics: k.diagnostics })
    expect(dot).toContain('"a" -> "b" [label="EN", class="dependency", color=red, fontcolor=red, penwidth=2]')
    expect(dot).toContain('"b" -> "c" [label="EN", class="dependency", color=red, fontcolor=red, penwidth=2]')
    expect(dot).toContain('"c" -> "a" [label="refused: closes the cycle", class="refused", style=dashed, color=red')
    const svg = svgOf(dot)
    expect(count(svg, /class="edge dependency"/g)).toBe(2)
    expect(count(svg, /class="edge refused"/g)).toBe(1)
    expect(count(svg, /stroke="red"/g)).toBeGreaterThanOrEqual(3 + 3)
    // Without the diagnostics nothing is red.
    expect(lockGraphToDot(k.lockGraph())).not.toContain('color=red')
  })

  it('the declared lockOrder is a cluster, with a dotted node for a name no lock has used', () => {
    const k = cycle()
    const dot = lockGraphToDot(k.lockGraph(), { title: 'cycle' })
    expect(dot).toContain('subgraph "cluster_lock_order" {')
    expect(dot).toContain('"never" [label="never\\n(no class yet)", style=dotted, class="lock_order"]')
    const svg = svgOf(dot)
    expect(titles(svg)).toContain('cluster_lock_order')
    const cluster = svg.slice(svg.indexOf('<title>cluster_lock_order</title>'))
    expect(cluster).toContain('>declared lockOrder</text>')
    expect(titles(svg).filter((t) => ['a', 'b', 'c', 'never'].includes(t))).toEqual(['a', 'b', 'never', 'c'])
    expect(svg).toContain('>cycle</text>')
  })

  it('names are escaped: quotes, backslashes, newlines, <, non-ASCII all survive Graphviz', () => {
    const k = createKernel()
    const weird = 'q"uo\\te\n<café>'
    const x = k.mutex(weird, 0)
    const y = k.mutex('y', 0)
    k.run((ctx) => x.withLocked(ctx, (c) => y.withLocked(c, () => 0)))
    const dot = lockGraphToDot(k.lockGraph())
    expect(dotString(weird)).toBe('"q\\"uo\\\\te <café>"')
    const svg = svgOf(dot)
    // As a label Graphviz prints one backslash; the id keeps the doubled one (and stays distinct).
    expect(svg).toContain('>q&quot;uo\\te &lt;café&gt;</text>')
    expect(titles(svg)).toContain('q&quot;uo\\\\te &lt;café&gt;')
    expect(count(svg, /class="edge dependency"/g)).toBe(1)
  })

  it('an empty graph is an empty digraph Graphviz lays out', () => {
    const dot = lockGraphToDot(createKernel().lockGraph())
    expect(titles(svgOf(dot))).toEqual(['lockdep'])
  })
})
