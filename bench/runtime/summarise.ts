/** A CPU profile (`node --cpu-prof`) summarised: self and inclusive sample shares per function. */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
  hitCount?: number
}

/** Self and inclusive sample shares per function (name + file:line), highest first. */
/** `where`: how a frame's place is named (default: its file's path under the checkout, and line). */
export const summarise = (file: string, top = 25, where?: (url: string, line: number) => string): string[] => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: Node): string => {
    const name = n.callFrame.functionName || '(anonymous)'
    if (where !== undefined && n.callFrame.url !== '') return `${name} ${where(n.callFrame.url, n.callFrame.lineNumber + 1)}`
    const url = n.callFrame.url.replace(/^.*\/work\/(main|wt\/[^/]+)\//, '')
    return `${name} ${url ? `${url}:${n.callFrame.lineNumber + 1}` : ''}`.trim()
  }
  const self = new Map<string, number>()
  const incl = new Map<string, number>()
  let total = 0
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0
    if (hits === 0) continue
    total += hits
    self.set(label(n), (self.get(label(n)) ?? 0) + hits)
    const seen = new Set<string>()
    for (let at: number | undefined = n.id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at) as Node)
      if (seen.has(l)) continue
      seen.add(l)
      incl.set(l, (incl.get(l) ?? 0) + hits)
    }
  }
  const pct = (x: number): string => `${((100 * x) / total).toFixed(1).padStart(5)}%`
  const lines = ['self time:']
  for (const [l, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(h)}  ${l}`)
  lines.push('inclusive time (src/ only):')
  for (const [l, h] of [...incl]
    .filter(([l]) => l.includes('src/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    lines.push(`  ${pct(h)}  ${l}`)
  return lines
}
