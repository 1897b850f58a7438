/**
 * lockdep's class graph in Graphviz's DOT language: a node per class (its name, kind, usage
 * characters, `{outer:inner}` wait types and the FD/BD counts of /proc/lockdep), an edge per
 * dependency labelled with its types (EN/ER/SN/SR), the cycle a circular-dependency report found
 * in red (with the refused new edge dashed), and the kernel's declared `lockOrder` as a cluster.
 * Every name is a quoted DOT string (https://graphviz.org/doc/info/lang.html: in a quoted string
 * only `\"` is an escape of the language; `\n`, `\l`, `\N`… are label escapes, so a backslash
 * of a name is doubled).
 */
import type { CircularDependencyDiagnostic, Diagnostic } from '../diagnostics/types.js'
import type { LockGraph, LockGraphClass } from './lock-graph.js'

/**
 * What {@link lockGraphToDot} draws besides the graph.
 *
 * @example
 * ```ts
 * import { createKernel, lockGraphToDot, type LockGraphDotOptions } from 'lockproof'
 *
 * const kernel = createKernel()
 * const options: LockGraphDotOptions = { diagnostics: kernel.diagnostics, title: 'my driver' }
 * console.log(lockGraphToDot(kernel.lockGraph(), options).startsWith('digraph lockdep {')) // true
 * ```
 */
export interface LockGraphDotOptions {
  /** The run's diagnostics: each circular dependency's chain is drawn in red. */
  readonly diagnostics?: readonly Diagnostic[]
  /** The graph's label. */
  readonly title?: string
}

/**
 * A DOT quoted string: `"` and `\` escaped, control characters (newlines too) as spaces. As an id
 * Graphviz keeps `\\` as two characters (ids stay distinct and lex safely); in a label it prints one.
 */
export const dotString = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\p{Cc}/gu, ' ')}"`

/** A label of several lines: each line escaped, joined by DOT's `\n` (centred lines). */
const dotLabel = (lines: readonly string[]): string => `"${lines.map((l) => dotString(l).slice(1, -1)).join('\\n')}"`

const attrs = (a: Readonly<Record<string, string>>): string =>
  `[${Object.entries(a)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}]`

/** `LD_WAIT_CONFIG` for 'config' (include/linux/lockdep_types.h, enum lockdep_wait_type). */
const ldWait = (t: string): string => `LD_WAIT_${t.toUpperCase()}`

const isCircular = (d: Diagnostic): d is CircularDependencyDiagnostic => d.kind === 'circular-dependency'

/**
 * Renders lockdep's class graph ({@link Kernel.lockGraph}) as a DOT `digraph`. Lay it out with
 * Graphviz (`dot -Tsvg`, or the `@hpcc-js/wasm-graphviz` package).
 *
 * @example
 * ```ts
 * import { createKernel, lockGraphToDot } from 'lockproof'
 *
 * const kernel = createKernel()
 * const a = kernel.mutex('a', 0)
 * const b = kernel.spinLock('b', 0)
 * kernel.run((ctx) => a.withLocked(ctx, (ctx) => b.withLocked(ctx, () => undefined)))
 * console.log(lockGraphToDot(kernel.lockGraph())) // … "a" -> "b" [label="EN", …] …
 * ```
 */
export const lockGraphToDot = (graph: LockGraph, options: LockGraphDotOptions = {}): string => {
  // A node's id is its class name; a second class of the same name (a lock named like one of
  // lockdep's maps) gets its key appended.
  const idOf = new Map<string, string>()
  const named = new Set<string>()
  for (const c of graph.classes) {
    idOf.set(c.key, named.has(c.name) ? `${c.name} [${c.key}]` : c.name)
    named.add(c.name)
  }
  const byName = new Map(graph.classes.map((c) => [c.name, c]))
  const cycles = (options.diagnostics ?? []).filter(isCircular)
  // The chain runs lock → … → held along existing edges; the refused edge is held → lock.
  const cycleEdges = new Set<string>()
  const cycleNodes = new Set<string>()
  const refused: (readonly [string, string])[] = []
  for (const d of cycles) {
    d.chain.forEach((name, i) => {
      cycleNodes.add(name)
      const next = d.chain[i + 1]
      if (next !== undefined) cycleEdges.add(`${name}\u0000${next}`)
    })
    const first = d.chain[0]
    const last = d.chain.at(-1)
    if (first !== undefined && last !== undefined) refused.push([last, first])
  }

  const node = (c: LockGraphClass): string => {
    const inCycle = cycleNodes.has(c.name)
    return `  ${dotString(idOf.get(c.key) ?? c.name)} ${attrs({
      label: dotLabel([c.name, `${c.label} ${c.usage}-${c.waitTypes}`, `FD: ${c.forwardDeps}  BD: ${c.backwardDeps}`]),
      tooltip: dotString(`${c.key} ${c.kind}: wait_type_outer=${ldWait(c.waitOuter)} wait_type_inner=${ldWait(c.waitInner)}`),
      class: '"lock_class"',
      ...(inCycle ? { color: 'red', penwidth: '2' } : {}),
    })}`
  }

  const out: string[] = [
    'digraph lockdep {',
    '  rankdir=LR',
    '  node [shape=box, fontname="Courier", fontsize=10, margin="0.15,0.06"]',
    '  edge [fontname="Courier", fontsize=9]',
  ]
  if (options.title !== undefined) out.push(`  label=${dotString(options.title)}`, '  labelloc=t')
  const placed = new Set<string>()
  if (graph.lockOrder.length > 0) {
    out.push(`  subgraph "cluster_lock_order" {`, `    label="declared lockOrder"`, '    style=dashed', '    color=gray40')
    for (const name of graph.lockOrder) {
      const c = byName.get(name)
      if (c === undefined) out.push(`    ${dotString(name)} ${attrs({ label: dotLabel([name, '(no class yet)']), style: 'dotted', class: '"lock_order"' })}`)
      else {
        out.push(`  ${node(c)}`)
        placed.add(c.key)
      }
    }
    graph.lockOrder.forEach((name, i) => {
      const next = graph.lockOrder[i + 1]
      if (next !== undefined) out.push(`    ${dotString(name)} -> ${dotString(next)} ${attrs({ style: 'invis', weight: '10' })}`)
    })
    out.push('  }')
  }
  for (const c of graph.classes) if (!placed.has(c.key)) out.push(node(c))
  for (const d of graph.dependencies) {
    const inCycle = cycleEdges.has(`${d.from}\u0000${d.to}`)
    const label = d.distance === 1 ? d.types.join('|') : `${d.types.join('|')} (distance ${d.distance})`
    out.push(
      `  ${dotString(idOf.get(d.fromKey) ?? d.from)} -> ${dotString(idOf.get(d.toKey) ?? d.to)} ${attrs({
        label: dotString(label),
        class: '"dependency"',
        ...(d.distance === 1 ? {} : { style: 'dashed' }),
        ...(inCycle ? { color: 'red', fontcolor: 'red', penwidth: '2' } : {}),
      })}`,
    )
  }
  for (const [from, to] of refused) {
    out.push(
      `  ${dotString(from)} -> ${dotString(to)} ${attrs({ label: '"refused: closes the cycle"', class: '"refused"', style: 'dashed', color: 'red', fontcolor: 'red', constraint: 'false' })}`,
    )
  }
  out.push('}')
  return `${out.join('\n')}\n`
}
